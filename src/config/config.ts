import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ConfigError, type Problem } from '../errors.ts';
import { interpolateEnv, readStructuredFile, zodProblems } from './yaml-file.ts';
import { serveConfigSection } from '../serve/config.ts';
import { kpiConfigSchema } from '../kpi/config.ts';

export const CONFIG_FILE = 'caselens.config.yaml';

export const configSchema = z
  .object({
    database: z.string().min(1).default('data/caselens.duckdb'),
    identity: z
      .object({
        /** Secret used to mint opaque client IDs; kept outside the database so a rebuild mints the same IDs. */
        keyFile: z.string().min(1).default('data/identity.key'),
      })
      .strict()
      .default({ keyFile: 'data/identity.key' }),
    ingest: z
      .object({
        rejectLimit: z.number().min(0).max(1).default(0.05),
        /** DuckDB memory limit while loading, e.g. "1GB". */
        memoryLimit: z.string().regex(/^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i, 'expected a size such as 1GB').default('1GB'),
      })
      .strict()
      .default({ rejectLimit: 0.05, memoryLimit: '1GB' }),
    scoring: z
      .object({
        framework: z.string().min(1).default('self-sufficiency'),
        /** offline needs no network; openai is any OpenAI-compatible endpoint */
        provider: z.enum(['offline', 'openai']).default('offline'),
        openai: z
          .object({
            baseURL: z.string().url().optional(),
            apiKey: z.string().optional(),
            model: z.string().min(1).default('gpt-4o-mini'),
            timeoutMs: z.number().int().positive().default(60_000),
            maxRetries: z.number().int().min(0).max(10).default(3),
            concurrency: z.number().int().min(1).max(64).default(4),
            pricing: z.object({ inputPerMTok: z.number().min(0), outputPerMTok: z.number().min(0) }).strict().optional(),
          })
          .strict()
          .default({ model: 'gpt-4o-mini', timeoutMs: 60_000, maxRetries: 3, concurrency: 4 }),
        maxTokens: z.number().int().positive().optional(),
        maxCostUsd: z.number().positive().optional(),
      })
      .strict()
      .default({ framework: 'self-sufficiency', provider: 'offline', openai: { model: 'gpt-4o-mini', timeoutMs: 60_000, maxRetries: 3, concurrency: 4 } }),
    serve: serveConfigSection,
    kpi: kpiConfigSchema.prefault({}),
    paths: z
      .object({
        pipelines: z.string().default('pipelines'),
        frameworks: z.string().default('frameworks'),
        dashboards: z.string().default('dashboards'),
        sample: z.string().default('data/sample'),
      })
      .strict()
      .default({ pipelines: 'pipelines', frameworks: 'frameworks', dashboards: 'dashboards', sample: 'data/sample' }),
  })
  .strict();

export type Config = z.infer<typeof configSchema> & {
  /** Folder that relative paths in the config are resolved against. */
  root: string;
  /** The config file read, if any. */
  file?: string;
};

export interface LoadConfigOptions {
  /** Explicit config file; otherwise CASELENS_CONFIG, otherwise ./caselens.config.yaml if present. */
  file?: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

/** A file in messages: relative to the working folder when inside it, otherwise absolute (never `../../…`). */
function displayPath(file: string, cwd: string): string {
  const rel = path.relative(cwd, file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

/**
 * The config file `--config` (or CASELENS_CONFIG) names, wherever it lives: a file, relative to
 * the working folder or absolute; or a folder holding caselens.config.yaml. Relative paths inside
 * it resolve against the file's own folder, so it works from any working folder.
 */
export function loadConfig(opts: LoadConfigOptions = {}): Config {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const explicit = opts.file ?? env.CASELENS_CONFIG;
  let candidate = explicit ? path.resolve(cwd, explicit) : path.join(cwd, CONFIG_FILE);
  let raw: unknown = {};
  let file: string | undefined;
  const problems: Problem[] = [];
  if (explicit || fs.existsSync(candidate)) {
    // named as it was given (--config, CASELENS_CONFIG); the default one relative to the working folder
    let display = explicit || displayPath(candidate, cwd);
    if (isDirectory(candidate)) {
      candidate = path.join(candidate, CONFIG_FILE);
      display = path.join(display, CONFIG_FILE);
    }
    if (explicit && !fs.existsSync(candidate)) throw new ConfigError([{ file: display, path: '', message: 'config file not found' }]);
    const read = readStructuredFile(candidate, display);
    if (read.problems.length) throw new ConfigError(read.problems);
    raw = interpolateEnv(read.value ?? {}, env, display, problems);
    file = candidate;
    const parsed = configSchema.safeParse(raw);
    if (!parsed.success) problems.push(...zodProblems(display, parsed.error));
    if (problems.length) throw new ConfigError(problems);
    return resolvePaths({ ...parsed.data!, root: path.dirname(candidate), file });
  }
  return resolvePaths({ ...configSchema.parse(raw), root: cwd });
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function resolvePaths(config: Config): Config {
  const r = (p: string) => (p === ':memory:' ? p : path.resolve(config.root, p));
  return {
    ...config,
    database: r(config.database),
    identity: { keyFile: r(config.identity.keyFile) },
    paths: {
      pipelines: r(config.paths.pipelines),
      frameworks: r(config.paths.frameworks),
      dashboards: r(config.paths.dashboards),
      sample: r(config.paths.sample),
    },
  };
}
