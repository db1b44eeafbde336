import fs from 'node:fs';
import path from 'node:path';
import type { Config } from './config/index.ts';
import { readStructuredFile, zodProblems } from './config/index.ts';
import { dashboardSchema } from './dashboards/index.ts';
import type { Problem } from './errors.ts';
import { validateFrameworkFile } from './frameworks/index.ts';
import { parsePipelineFile } from './ingest/index.ts';

export interface ValidationResult {
  checked: Array<{ kind: 'pipeline' | 'framework' | 'dashboard'; file: string; ok: boolean }>;
  problems: Problem[];
}

function filesIn(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((f) => /\.(ya?ml|json)$/.test(f)).sort().map((f) => path.join(dir, f));
}

/** Checks every pipeline, framework and dashboard file without running anything. */
export function validateProject(config: Config, opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): ValidationResult {
  const cwd = opts.cwd ?? process.cwd();
  const show = (f: string) => path.relative(cwd, f) || f;
  const result: ValidationResult = { checked: [], problems: [] };
  const add = (kind: ValidationResult['checked'][number]['kind'], file: string, problems: Problem[]) => {
    result.checked.push({ kind, file: show(file), ok: problems.length === 0 });
    result.problems.push(...problems);
  };
  for (const file of filesIn(config.paths.pipelines)) {
    add('pipeline', file, parsePipelineFile(file, { baseDir: config.root, display: show(file), ...(opts.env ? { env: opts.env } : {}) }).problems);
  }
  for (const file of filesIn(config.paths.frameworks)) {
    add('framework', file, validateFrameworkFile(file).map((p) => ({ ...p, file: show(file) })));
  }
  for (const file of filesIn(config.paths.dashboards)) {
    const read = readStructuredFile(file, show(file));
    if (read.problems.length) {
      add('dashboard', file, read.problems);
      continue;
    }
    const parsed = dashboardSchema.safeParse(read.value);
    add('dashboard', file, parsed.success ? [] : zodProblems(show(file), parsed.error));
  }
  return result;
}
