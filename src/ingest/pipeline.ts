import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ConfigError, type Problem } from '../errors.ts';
import { interpolateEnv, readStructuredFile, zodProblems } from '../config/index.ts';
import { CANONICAL, TARGET_TABLES, type TargetTable } from './canonical.ts';

const idSchema = z.string().regex(/^[A-Za-z][\w.-]*$/, 'use letters, digits, "_", "-" or "." and start with a letter');

const scalar = z.union([z.string(), z.number(), z.boolean()]);

export const fieldMappingSchema = z.union([
  z.string().min(1).describe('shorthand: the source column to read'),
  z
    .object({
      from: z.string().min(1).optional().describe('source column; defaults to the field name'),
      value: scalar.optional().describe('a constant instead of a column'),
      expr: z.string().min(1).optional().describe('a DuckDB SQL expression over source columns written as {{Column}}'),
      format: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional().describe('strptime format(s) for dates and timestamps'),
      map: z.record(z.string(), z.union([scalar, z.null()])).optional().describe('source value -> canonical value (matched ignoring case)'),
      allowed: z.array(z.string()).min(1).optional().describe('values accepted after mapping'),
      required: z.boolean().optional(),
      default: scalar.optional().describe('used when the source value is empty'),
    })
    .strict()
    .refine((m) => [m.from, m.value, m.expr].filter((x) => x !== undefined).length <= 1, { message: 'give one of "from", "value" or "expr"' }),
]);
export type FieldMapping = z.infer<typeof fieldMappingSchema>;

export const identityRuleSchema = z.discriminatedUnion('rule', [
  z
    .object({
      rule: z.literal('external_id'),
      from: z.string().min(1).describe('source column holding the other system\'s key'),
      system: idSchema.describe('the other source system whose key it is'),
    })
    .strict(),
  z.object({ rule: z.literal('name_dob') }).strict().describe('normalised first + last name and date of birth'),
]);
export type IdentityRule = z.infer<typeof identityRuleSchema>;

export const csvOptionsSchema = z
  .object({
    delimiter: z.string().min(1).max(4).default(','),
    quote: z.string().max(1).default('"'),
    escape: z.string().max(1).default('"'),
    header: z.literal(true).default(true),
    encoding: z.enum(['utf-8', 'latin-1', 'utf-16']).default('utf-8'),
    /** Strict RFC 4180 parsing; set false for files with mixed line endings or stray quotes. */
    strict: z.boolean().default(true),
  })
  .strict();
export type CsvOptions = z.infer<typeof csvOptionsSchema>;

export const sourceSchema = z
  .object({
    name: idSchema,
    table: z.enum(TARGET_TABLES),
    path: z.string().min(1).describe('a file, a folder (every file of the format in it) or a glob'),
    format: z.enum(['csv', 'jsonl', 'parquet']).optional(),
    system: idSchema.optional(),
    csv: csvOptionsSchema.optional(),
    fields: z.record(z.string(), fieldMappingSchema),
    identity: z.object({ rules: z.array(identityRuleSchema).default([]) }).strict().optional(),
    /** other files joined to each row by a key, their columns available to fields as prefix + column */
    join: z
      .array(
        z
          .object({
            path: z.string().min(1),
            on: z.string().min(1).describe('key column, present in both files'),
            prefix: z.string().regex(/^[A-Za-z][\w]*$/).describe('joined columns are named prefix + column'),
            where: z.string().min(1).optional().describe('SQL condition over the joined file, columns as {{Column}}'),
            latest: z.string().min(1).optional().describe('when several rows share a key, keep the one with the greatest value here'),
          })
          .strict(),
      )
      .optional(),
    /** rows for which this SQL condition holds delete their record instead of loading it (e.g. "{{DateDeleted}} IS NOT NULL") */
    deleteWhen: z.string().min(1).optional(),
    /**
     * fields written for new records only: records already loaded keep their value. `ingest-hmis` sets it for
     * fields fed by a file the export lacks, so an absent file changes nothing it would have fed.
     */
    keepExisting: z.array(z.string().min(1)).optional(),
    /** systems whose keys this source's references point at, per reference kind (default: this source's system) */
    refSystems: z.record(z.enum(['client', 'case', 'staff', 'program']), idSchema).optional(),
  })
  .strict();
export type Source = z.infer<typeof sourceSchema>;

export const pipelineSchema = z
  .object({
    id: idSchema.optional(),
    description: z.string().optional(),
    system: idSchema.describe('source system: namespaces keys and client identities'),
    rejectLimit: z.number().min(0).max(1).optional(),
    sources: z.array(sourceSchema).min(1),
  })
  .strict();
export type PipelineDoc = z.infer<typeof pipelineSchema>;

export interface Pipeline extends PipelineDoc {
  id: string;
  file: string;
  /** folder that relative source paths resolve against */
  baseDir: string;
}

/** Checks what zod cannot: fields exist on the target table, required fields are mapped, files exist. */
function semanticProblems(doc: PipelineDoc, file: string, baseDir: string, checkFiles: boolean): Problem[] {
  const problems: Problem[] = [];
  const names = new Set<string>();
  doc.sources.forEach((src, i) => {
    const at = (p: string) => `sources.${i}.${p}`;
    if (names.has(src.name)) problems.push({ file, path: at('name'), message: `duplicate source name "${src.name}"` });
    names.add(src.name);
    const spec = CANONICAL[src.table as TargetTable];
    for (const field of Object.keys(src.fields)) {
      if (!spec.fields[field]) {
        problems.push({ file, path: at(`fields.${field}`), message: `unknown field for table ${src.table}; known fields: ${Object.keys(spec.fields).join(', ')}` });
      }
    }
    for (const [field, fs_] of Object.entries(spec.fields)) {
      if (fs_.required && !(field in src.fields) && !(src.table === 'assessments' && field === 'client_key')) {
        problems.push({ file, path: at('fields'), message: `required field "${field}" is not mapped (${fs_.description})` });
      }
    }
    if (src.table === 'assessments' && !('client_key' in src.fields) && !('case_key' in src.fields)) {
      problems.push({ file, path: at('fields'), message: 'map client_key or case_key so each assessment belongs to a client' });
    }
    for (const field of src.keepExisting ?? []) {
      if (!(field in src.fields)) problems.push({ file, path: at('keepExisting'), message: `"${field}" is not one of this source's fields (${Object.keys(src.fields).join(', ')})` });
    }
    if (src.identity && src.table !== 'clients') problems.push({ file, path: at('identity'), message: 'identity rules apply to sources feeding the clients table only' });
    const format = src.format ?? inferFormat(src.path);
    if (!format) problems.push({ file, path: at('format'), message: `cannot tell the format of "${src.path}"; set format: csv, jsonl or parquet` });
    if (src.csv && format && format !== 'csv') problems.push({ file, path: at('csv'), message: 'csv options apply to csv sources only' });
    if (checkFiles && !/[*?[]/.test(src.path) && !fs.existsSync(path.resolve(baseDir, src.path))) {
      problems.push({ file, path: at('path'), message: `file not found: ${path.resolve(baseDir, src.path)}` });
    }
  });
  return problems;
}

export function inferFormat(p: string): 'csv' | 'jsonl' | 'parquet' | undefined {
  const lower = p.toLowerCase().replace(/\.(gz|zst)$/, '');
  if (lower.endsWith('.csv') || lower.endsWith('.tsv') || lower.endsWith('.txt')) return 'csv';
  if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson') || lower.endsWith('.json')) return 'jsonl';
  if (lower.endsWith('.parquet')) return 'parquet';
  return undefined;
}

export interface ParseResult {
  pipeline?: Pipeline;
  problems: Problem[];
}

/**
 * Reads and checks a pipeline file. Relative source paths resolve against `baseDir`
 * (the project root), so `data/sample/cases.csv` means the same thing from any pipeline.
 */
export function parsePipelineFile(file: string, opts: { baseDir: string; display?: string; env?: NodeJS.ProcessEnv; checkFiles?: boolean }): ParseResult {
  const display = opts.display ?? file;
  const read = readStructuredFile(file, display);
  if (read.problems.length) return { problems: read.problems };
  const problems: Problem[] = [];
  const value = interpolateEnv(read.value, opts.env ?? process.env, display, problems);
  const parsed = pipelineSchema.safeParse(value);
  if (!parsed.success) return { problems: [...problems, ...zodProblems(display, parsed.error)] };
  problems.push(...semanticProblems(parsed.data, display, opts.baseDir, opts.checkFiles ?? true));
  if (problems.length) return { problems };
  const id = parsed.data.id ?? path.basename(file).replace(/\.(ya?ml|json)$/, '');
  return { pipeline: { ...parsed.data, id, file, baseDir: opts.baseDir }, problems: [] };
}

export function loadPipeline(file: string, opts: { baseDir: string; display?: string; env?: NodeJS.ProcessEnv }): Pipeline {
  const { pipeline, problems } = parsePipelineFile(file, opts);
  if (!pipeline) throw new ConfigError(problems);
  return pipeline;
}

/** `sample` → `pipelines/sample.yaml`; a path is taken as it is. */
export function resolvePipelinePath(nameOrPath: string, pipelinesDir: string, cwd = process.cwd()): string {
  if (/[\\/]/.test(nameOrPath) || /\.(ya?ml|json)$/.test(nameOrPath)) return path.resolve(cwd, nameOrPath);
  for (const ext of ['.yaml', '.yml', '.json']) {
    const p = path.join(pipelinesDir, nameOrPath + ext);
    if (fs.existsSync(p)) return p;
  }
  return path.join(pipelinesDir, `${nameOrPath}.yaml`);
}
