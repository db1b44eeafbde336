/**
 * `caselens ingest-hmis PATH` and `caselens ingest-fhir PATH...`: the command-line side of the
 * sources, kept here so src/cli.ts only parses options and hands over its printer.
 */
import fs from 'node:fs';
import path from 'node:path';
import { CaselensError, exitCodes, UsageError } from '../errors.ts';
import { IngestFailedError, type IngestProgress, type IngestReport } from '../ingest/index.ts';
import type { Db } from '../store/index.ts';
import { ingestFhir, type FhirIngestResult } from './fhir.ts';
import { HMIS_ENCODINGS, ingestHmis, type HmisIngestResult } from './hmis.ts';
import { HMIS_FISCAL_YEARS, HMIS_PIPELINE_FILES } from './hmis-pipeline.ts';

export interface SourceCommandOptions {
  db: Db;
  identityKey: string;
  rejectLimit: number;
  memoryLimit?: string;
  /** `--json`: print one JSON document instead of the report */
  json: boolean;
  /** `--system`: source system (default hmis / fhir) */
  system?: string;
  /** `--link name_dob|none` (FHIR): identity rule for patients */
  link?: string;
  /** `--managers FILE` (HMIS): CSV EnrollmentID,UserID giving each enrolment's case manager */
  managers?: string;
  /** `--encoding` (HMIS): the export's text encoding (default auto) */
  encoding?: string;
  progress?: IngestProgress;
  out: (s: string) => void;
  /** the printer `caselens ingest` uses for a report */
  printIngest: (report: IngestReport) => void;
  /** project root (config.root): pipelines' relative paths resolve against it */
  root: string;
  /** config.paths.pipelines: a project's own hmis-csv.yaml there wins over the bundled one */
  pipelinesDir?: string;
}

async function report<T extends { report: IngestReport }>(o: SourceCommandOptions, run: () => Promise<T>, describe: (r: T) => string[], extra: (r: T) => object): Promise<number> {
  try {
    const r = await run();
    if (o.json) o.out(JSON.stringify({ ...r.report, ...extra(r) }, null, 2));
    else {
      o.printIngest(r.report);
      for (const line of describe(r)) o.out(line);
    }
    return exitCodes.ok;
  } catch (e) {
    if (e instanceof IngestFailedError) {
      if (o.json) o.out(JSON.stringify(e.report, null, 2));
      else o.printIngest(e.report);
    } else if (o.json && e instanceof CaselensError) {
      // refused before loading (unsupported version, not an export, …): --json still gets one document
      o.out(JSON.stringify({ status: 'refused', error: { type: e.name, message: e.message, details: e.details, exitCode: e.exitCode } }, null, 2));
    }
    throw e;
  }
}

/** `caselens ingest-hmis <export folder or zip> [--system S] [--managers FILE] [--encoding E] [--reject-limit F] [--json]` */
export async function ingestHmisCommand(args: string[], o: SourceCommandOptions): Promise<number> {
  if (args.length !== 1) throw new UsageError('name one HMIS CSV export: caselens ingest-hmis <export folder or .zip> (e.g. caselens ingest-hmis data/hmis-example)');
  // The pipeline of the export's version (FY2024: hmis-csv.yaml, FY2026: hmis-csv-fy2026.yaml): a project's own in its pipelines folder wins over the bundled one.
  const pipelineFiles: Record<number, string> = {};
  for (const fy of HMIS_FISCAL_YEARS) {
    const own = o.pipelinesDir ? path.join(o.pipelinesDir, path.basename(HMIS_PIPELINE_FILES[fy])) : undefined;
    const file = own && fs.existsSync(own) ? own : path.join(o.root, HMIS_PIPELINE_FILES[fy]);
    if (fs.existsSync(file)) pipelineFiles[fy] = file;
  }
  const given = o.encoding?.trim().toLowerCase();
  const encoding = given === undefined ? undefined : HMIS_ENCODINGS.find((e) => e === given);
  if (o.encoding !== undefined && !encoding) throw new UsageError(`--encoding must be one of ${HMIS_ENCODINGS.join(', ')}, got "${o.encoding}"`);
  return report(o, () => ingestHmis({
    db: o.db, input: args[0]!, identityKey: o.identityKey, rejectLimit: o.rejectLimit, baseDir: o.root, pipelineFiles,
    ...(o.managers ? { managers: o.managers } : {}), ...(encoding ? { encoding } : {}),
    ...(o.memoryLimit ? { memoryLimit: o.memoryLimit } : {}), ...(o.system ? { system: o.system } : {}), ...(o.progress ? { progress: o.progress } : {}),
  }), describeHmis, (r) => ({ hmis: { export: r.export, notes: r.notes, missingFiles: r.missingFiles, notLoaded: r.notLoaded } }));
}

/** `caselens ingest-fhir <file or folder>... [--system S] [--link name_dob|none] [--reject-limit F] [--json]` */
export async function ingestFhirCommand(args: string[], o: SourceCommandOptions): Promise<number> {
  if (args.length === 0) throw new UsageError('name FHIR files or folders: caselens ingest-fhir <bundle.json | export.ndjson | folder>...');
  if (o.link !== undefined && !['name_dob', 'none'].includes(o.link)) throw new UsageError(`--link must be name_dob or none, got "${o.link}"`);
  return report(o, () => ingestFhir({
    db: o.db, inputs: args, identityKey: o.identityKey, rejectLimit: o.rejectLimit, displayRoot: process.cwd(),
    ...(o.link === 'none' ? { identityRules: [] } : {}),
    ...(o.memoryLimit ? { memoryLimit: o.memoryLimit } : {}), ...(o.system ? { system: o.system } : {}), ...(o.progress ? { progress: o.progress } : {}),
  }), describeFhir, (r) => ({ fhir: { files: r.files, resources: r.resources, notes: r.notes } }));
}

/** Lines to print after the ingest report of an HMIS load: what the export was, what was not loaded and why. */
export function describeHmis(r: HmisIngestResult): string[] {
  const e = r.export;
  const lines = [
    `HMIS export: CSVVersion ${e.csvVersion ?? '(not given)'} (FY${e.fiscalYear}), ExportID ${e.exportId ?? '?'}, ${e.sourceName ?? 'unnamed source'}` +
      `${e.softwareName ? ` from ${e.softwareName}` : ''}, period ${e.exportStartDate ?? '?'} to ${e.exportEndDate ?? '?'}${e.zipped ? ' (zip)' : ''}`,
  ];
  for (const n of r.notes) lines.push(`note: ${n}`);
  const withRows = r.notLoaded.filter((f) => f.rows !== 0);
  if (withRows.length) lines.push(`not loaded (caselens has no table for them): ${withRows.map((f) => `${f.file} (${f.rows < 0 ? 'unreadable' : `${f.rows} rows`})`).join(', ')}`);
  return lines;
}

/** Lines to print after the ingest report of a FHIR load: resources read, and those skipped with why. */
export function describeFhir(r: FhirIngestResult): string[] {
  const lines = [`FHIR: ${r.resources.read} resources in ${r.files.length} file(s): ${Object.entries(r.resources.byType).sort((a, b) => b[1] - a[1]).map(([t, n]) => `${n} ${t}`).join(', ')}`];
  for (const n of r.notes) lines.push(`skipped: ${n}`);
  return lines;
}
