/**
 * Errors a person can act on. `exitCode` is what the CLI exits with; `status` is the
 * HTTP status when the same error reaches the API.
 */
export const exitCodes = {
  ok: 0,
  failure: 1,
  usage: 2,
  invalidConfig: 3,
  rejected: 4,
  database: 5,
} as const;

export type ExitCode = (typeof exitCodes)[keyof typeof exitCodes];

export class CaselensError extends Error {
  readonly exitCode: ExitCode;
  readonly status: number;
  readonly details: string[];
  constructor(message: string, opts: { exitCode?: ExitCode; status?: number; details?: string[]; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'CaselensError';
    this.exitCode = opts.exitCode ?? exitCodes.failure;
    this.status = opts.status ?? 500;
    this.details = opts.details ?? [];
  }
}

export class UsageError extends CaselensError {
  constructor(message: string, details: string[] = []) {
    super(message, { exitCode: exitCodes.usage, status: 400, details });
    this.name = 'UsageError';
  }
}

/** One problem in a config-like file: `file: path.to.field: message`. */
export interface Problem {
  file: string;
  path: string;
  message: string;
}

export function formatProblem(p: Problem): string {
  return p.path ? `${p.file}: ${p.path}: ${p.message}` : `${p.file}: ${p.message}`;
}

export class ConfigError extends CaselensError {
  readonly problems: Problem[];
  constructor(problems: Problem[]) {
    const lines = problems.map(formatProblem);
    super(problems.length === 1 ? lines[0]! : `${problems.length} problems in configuration`, {
      exitCode: exitCodes.invalidConfig,
      status: 400,
      details: problems.length === 1 ? [] : lines,
    });
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
