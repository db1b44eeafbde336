import path from 'node:path';
import { CaselensError, errorMessage, exitCodes } from '../errors.ts';
import { explainDbError, lit, markFactsStale, type Db } from '../store/index.ts';
import { resolveClients } from '../identity/resolve.ts';
import { CANONICAL, type TargetTable } from './canonical.ts';
import { applyPendingDeletes, createPendingDeletes, danglingReferences, describeDangling, stashDeletions, type DanglingCount } from './deletes.ts';
import { mergeRows } from './merge.ts';
import { csvOptionsSchema, inferFormat, type Pipeline, type Source } from './pipeline.ts';
import { mapLines, recordLines } from './csv-lines.ts';
import { expandSourcePath, explainReadError, openSource } from './read-source.ts';
import { buildCheckSql, neededColumns, normaliseMappings } from './validate.ts';

export interface SourceReport {
  source: string;
  table: string;
  files: string[];
  read: number;
  loaded: number;
  /** rows the source marks as deleted (deleteWhen): their records were removed */
  deleted: number;
  inserted: number;
  updated: number;
  unchanged: number;
  rejected: number;
  rejectsByCode: Record<string, number>;
  identity?: { minted: number; linked: number; conflicts: number };
}

export interface IngestReport {
  runId: number;
  pipeline: string;
  status: 'succeeded' | 'failed';
  sources: SourceReport[];
  totals: { read: number; loaded: number; deleted: number; inserted: number; updated: number; unchanged: number; rejected: number };
  rejectRate: number;
  rejectLimit: number;
  message?: string;
  elapsedMs: number;
  /** a sample of rejects, for printing */
  rejectSample: RejectRow[];
}

export interface RejectRow {
  source: string;
  file: string;
  line: number | null;
  field: string | null;
  value: string | null;
  code: string;
  reason: string;
}

export interface IngestProgress {
  step(source: string, what: string, done: number, total: number): void;
}

export interface IngestOptions {
  db: Db;
  pipeline: Pipeline;
  identityKey: string;
  rejectLimit: number;
  memoryLimit?: string;
  progress?: IngestProgress;
  /** where file names in rejects are shown relative to */
  displayRoot?: string;
  /**
   * Called inside the job's transaction once every source has loaded. A pre-step that reads the
   * original files itself (FHIR flattening, HMIS exit rows) records the rows it refused in
   * ingest_rejects under `runId` and returns a report for them, so they count towards the totals
   * and the reject limit; it may also re-point rejects at the original files.
   */
  afterSources?: (db: Db, runId: number) => Promise<SourceReport[]>;
}

export class IngestFailedError extends CaselensError {
  readonly report: IngestReport;
  constructor(report: IngestReport) {
    super(`ingest ${report.pipeline} failed, nothing was loaded: ${report.message}`, { exitCode: exitCodes.rejected, status: 422 });
    this.name = 'IngestFailedError';
    this.report = report;
  }
}

const MAX_KEPT_REJECTS_ON_FAILURE = 100_000;

function displayPath(file: string, root: string | undefined): string {
  if (!root) return file;
  const rel = path.relative(root, file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

/**
 * Runs one pipeline as one transaction: every source is staged, checked and merged, or,
 * if anything fails or too many rows are rejected, nothing is kept but a failed-run record
 * with its reasons.
 */
export async function runPipeline(opts: IngestOptions): Promise<IngestReport> {
  const { db, pipeline } = opts;
  const rejectLimit = pipeline.rejectLimit ?? opts.rejectLimit;
  if (opts.memoryLimit) await db.run(`SET memory_limit = ${lit(opts.memoryLimit)}`);
  const startedAt = new Date();
  const runId = ((await db.value<number | null>('SELECT max(run_id) FROM ingest_runs')) ?? 0) + 1;
  const reports: SourceReport[] = [];
  const sources = [...pipeline.sources].sort((a, b) => CANONICAL[a.table as TargetTable].order - CANONICAL[b.table as TargetTable].order);
  let failure: { message: string; rejects: RejectRow[] } | undefined;

  await db.run('BEGIN TRANSACTION');
  try {
    const danglingBefore = await danglingReferences(db);
    await createPendingDeletes(db);
    for (const [index, source] of sources.entries()) {
      opts.progress?.step(source.name, 'reading', index, sources.length);
      reports.push(await loadSource(db, pipeline, source, index, runId, opts));
      await applyPendingDeletes(db, runId, { deferReferenced: true });
    }
    const deletes = await applyPendingDeletes(db, runId, { deferReferenced: false });
    for (const r of reports) {
      const refused = deletes.refused.get(r.source) ?? 0;
      r.deleted -= refused;
      r.rejected += refused;
      if (refused) r.rejectsByCode.still_referenced = (r.rejectsByCode.still_referenced ?? 0) + refused;
    }
    await checkNoNewDangling(db, danglingBefore);
    if (opts.afterSources) reports.push(...(await opts.afterSources(db, runId)));
    const totals = sumTotals(reports);
    const rate = totals.read === 0 ? 0 : totals.rejected / totals.read;
    if (rate > rejectLimit) {
      const rejects = await db.all<RejectRow>(`SELECT source, file, line, field, value, code, reason FROM ingest_rejects WHERE run_id = $1 ORDER BY source, file, line LIMIT ${MAX_KEPT_REJECTS_ON_FAILURE}`, [runId]);
      failure = {
        message: `${totals.rejected} of ${totals.read} rows rejected (${(rate * 100).toFixed(1)}%), over the limit of ${(rejectLimit * 100).toFixed(1)}%; fix the rows listed in ingest_rejects (caselens status) or raise rejectLimit in the pipeline`,
        rejects,
      };
      throw new Error(failure.message);
    }
    const report = finishReport(runId, pipeline, reports, 'succeeded', rejectLimit);
    await recordRun(db, report, pipeline, startedAt);
    await markFactsStale(db);
    await db.run('COMMIT', undefined, 'could not commit the load');
    report.rejectSample = await db.all<RejectRow>(`SELECT source, file, line, field, value, code, reason FROM ingest_rejects WHERE run_id = $1 ORDER BY source, file, line LIMIT 20`, [runId]);
    report.elapsedMs = Date.now() - startedAt.getTime();
    return report;
  } catch (e) {
    try {
      await db.connection.run('ROLLBACK');
    } catch {
      // already rolled back by DuckDB
    }
    const message = failure?.message ?? errorMessage(e);
    const report = finishReport(runId, pipeline, reports, 'failed', rejectLimit, message);
    await db.transaction(async () => {
      await recordRun(db, report, pipeline, startedAt);
      if (failure?.rejects.length) await appendRejects(db, runId, failure.rejects);
    });
    report.rejectSample = (failure?.rejects ?? []).slice(0, 20);
    report.elapsedMs = Date.now() - startedAt.getTime();
    if (e instanceof CaselensError && !failure) {
      const err = new IngestFailedError(report);
      err.message = `ingest ${pipeline.id} failed, nothing was loaded: ${e.message}`;
      throw err;
    }
    throw new IngestFailedError(report);
  }
}

async function loadSource(db: Db, pipeline: Pipeline, source: Source, index: number, runId: number, opts: IngestOptions): Promise<SourceReport> {
  const system = source.system ?? pipeline.system;
  const spec = CANONICAL[source.table as TargetTable];
  const files = await expandSourcePath(db, source, pipeline.baseDir);
  const checked = `_chk_${index}`;
  const opened = await openSource(db, source, files, neededColumns(source), `_src_${index}`, pipeline.baseDir);
  const shownFiles = files.map((f) => displayPath(f, opts.displayRoot ?? pipeline.baseDir));
  await db.run(`CREATE OR REPLACE TEMP TABLE _files AS SELECT * FROM (VALUES ${shownFiles.map((f, i) => `(${i}, ${lit(f)})`).join(', ')}) v(idx, name)`);
  await db.run(`CREATE OR REPLACE TEMP MACRO file_name(f) AS (SELECT name FROM _files WHERE idx = f)`);

  // Read, type and check in one pass into the staging table.
  opts.progress?.step(source.name, 'checking', index, 0);
  const check = buildCheckSql({ source, system, relation: opened.relation, columns: opened.columns, outputTable: checked });
  try {
    await db.connection.run(check.sql);
  } catch (e) {
    throw /Binder Error|Parser Error|Catalog Error/.test(String(e)) ? explainDbError(e, `checking source ${source.name} failed`) : explainReadError(e, files, source.format ?? inferFormat(source.path) ?? 'csv');
  }
  const readerRejects = await opened.readerRejects();

  // Line numbers for messages: physical lines, worked out only when there is something to report.
  const duplicateKeys = await db.value<number>(check.countDuplicatesSql);
  const checkRejects = await db.value<number>(`SELECT count(*) FROM ${checked} WHERE _reject IS NOT NULL`);
  const readerLines = new Map<string, number>();
  await db.run('CREATE OR REPLACE TEMP TABLE _rec_line (file INTEGER, rec BIGINT, line BIGINT)');
  if (opened.lineBase === 'csv' && checkRejects + duplicateKeys + readerRejects.length > 0) {
    const csv = csvOptionsSchema.parse(source.csv ?? {});
    if (csv.encoding !== 'utf-16') {
      for (const [fileIndex, file] of files.entries()) {
        if (/\.zst$/i.test(file)) continue; // not decompressible here: its rows keep the reader's numbering
        const mapped = mapLines(await recordLines(file, csv.quote), readerRejects.filter((r) => r.fileIndex === fileIndex).map((r) => r.line));
        for (const [readerLine, line] of mapped.refused) readerLines.set(`${fileIndex}:${readerLine}`, line);
        const appender = await db.connection.createAppender('_rec_line', 'main', 'temp');
        for (let rec = 0; rec < mapped.accepted.length; rec++) {
          appender.appendInteger(fileIndex);
          appender.appendBigInt(BigInt(rec));
          appender.appendBigInt(BigInt(mapped.accepted[rec]!));
          appender.endRow();
        }
        appender.closeSync();
      }
    }
  }
  await db.run(
    opened.lineBase === 'csv'
      ? `CREATE OR REPLACE TEMP MACRO line_of(f, r) AS coalesce((SELECT line FROM _rec_line WHERE file = f AND rec = r), r + 2)`
      : `CREATE OR REPLACE TEMP MACRO line_of(f, r) AS r + 1`,
  );
  if (duplicateKeys > 0) await db.run(check.markDuplicatesSql, undefined, `checking source ${source.name} for duplicate keys failed`);
  await db.run(`
    INSERT INTO ingest_rejects
    SELECT ${runId}, ${lit(source.name)}, file_name(_file), line_of(_file, _rec), _reject.field, _reject.value, _reject.code, _reject.reason
    FROM ${checked} WHERE _reject IS NOT NULL`);
  await appendRejects(db, runId, readerRejects.map((r) => ({
    source: source.name, file: shownFiles[r.fileIndex]!, line: readerLines.get(`${r.fileIndex}:${r.line}`) ?? r.line, field: r.field, value: r.value, code: r.code, reason: r.reason,
  })));

  opts.progress?.step(source.name, 'merging', index, 0);
  let counts: { inserted: number; updated: number; unchanged: number };
  let identity: SourceReport['identity'];
  if (source.table === 'clients') {
    const r = await resolveClients(db, {
      checkedTable: checked, system, rules: source.identity?.rules ?? [], mappedColumns: check.targetColumns, runId, identityKey: opts.identityKey,
    });
    counts = { inserted: r.inserted, updated: r.updated, unchanged: r.unchanged };
    identity = { minted: r.minted, linked: r.linked, conflicts: r.conflicts };
  } else {
    counts = await mergeRows(db, checked, spec.table, spec.idColumn, check.targetColumns, keptColumns(source));
  }
  const keyMapping = normaliseMappings(source).find((m) => m.field === spec.key);
  const deleted = await stashDeletions(db, checked, source as Source & { table: TargetTable }, system, keyMapping?.from ?? spec.key);
  const rejectsByCode = Object.fromEntries(
    (await db.all<{ code: string; n: number }>(`SELECT code, count(*) AS n FROM ingest_rejects WHERE run_id = $1 AND source = $2 GROUP BY code ORDER BY code`, [runId, source.name])).map((r) => [r.code, r.n]),
  );
  const rejected = Object.values(rejectsByCode).reduce((a, b) => a + b, 0);
  const staged = await db.value<number>(`SELECT count(*) FROM ${checked}`);
  await db.run(`DROP TABLE ${checked}`);
  const loaded = counts.inserted + counts.updated + counts.unchanged;
  return {
    source: source.name, table: source.table, files: shownFiles, read: staged + readerRejects.length,
    loaded, deleted, ...counts, rejected, rejectsByCode, ...(identity ? { identity } : {}),
  };
}

/**
 * A load may not leave rows pointing at records that do not exist. Rows that already did before it
 * (a database from an older version) are not its doing: only an increase fails the load.
 */
async function checkNoNewDangling(db: Db, before: DanglingCount[]): Promise<void> {
  const after = await danglingReferences(db);
  const key = (d: DanglingCount) => `${d.table}.${d.column}`;
  const was = new Map(before.map((d) => [key(d), d.rows]));
  const worse = after.filter((d) => d.rows > (was.get(key(d)) ?? 0));
  if (worse.length) {
    throw new CaselensError(`the load would leave ${describeDangling(worse)}; nothing was loaded. This is a caselens bug: please report it with the pipeline`, { exitCode: exitCodes.failure });
  }
}

/** Canonical columns of the source's `keepExisting` fields; a case's derived status stays with its kept closing date. */
function keptColumns(source: Source): string[] {
  const kept = normaliseMappings(source).filter((m) => source.keepExisting?.includes(m.field)).map((m) => m.column);
  if (source.table === 'cases' && kept.includes('closed_at') && !('status' in source.fields)) kept.push('status');
  return kept;
}

/** Writes rejects found outside SQL (the reader's, a pre-step's) to ingest_rejects under `runId`. */
export async function appendRejects(db: Db, runId: number, rejects: RejectRow[]): Promise<void> {
  if (rejects.length === 0) return;
  const appender = await db.connection.createAppender('ingest_rejects');
  for (const r of rejects) {
    appender.appendInteger(runId);
    appender.appendVarchar(r.source);
    appender.appendVarchar(r.file);
    if (r.line == null) appender.appendNull(); else appender.appendBigInt(BigInt(r.line));
    if (r.field == null) appender.appendNull(); else appender.appendVarchar(r.field);
    if (r.value == null) appender.appendNull(); else appender.appendVarchar(r.value);
    appender.appendVarchar(r.code);
    appender.appendVarchar(r.reason);
    appender.endRow();
  }
  appender.closeSync();
}

function sumTotals(reports: SourceReport[]): IngestReport['totals'] {
  const t = { read: 0, loaded: 0, deleted: 0, inserted: 0, updated: 0, unchanged: 0, rejected: 0 };
  for (const r of reports) {
    t.read += r.read;
    t.loaded += r.loaded;
    t.deleted += r.deleted;
    t.inserted += r.inserted;
    t.updated += r.updated;
    t.unchanged += r.unchanged;
    t.rejected += r.rejected;
  }
  return t;
}

function finishReport(runId: number, pipeline: Pipeline, sources: SourceReport[], status: IngestReport['status'], rejectLimit: number, message?: string): IngestReport {
  const totals = sumTotals(sources);
  return {
    runId, pipeline: pipeline.id, status, sources, totals,
    rejectRate: totals.read === 0 ? 0 : totals.rejected / totals.read, rejectLimit,
    ...(message ? { message } : {}), elapsedMs: 0, rejectSample: [],
  };
}

async function recordRun(db: Db, report: IngestReport, pipeline: Pipeline, startedAt: Date): Promise<void> {
  const t = report.totals;
  await db.run(
    // the clock, not now(): inside the load's transaction now() is the time the transaction began
    `INSERT INTO ingest_runs VALUES ($1, $2, $3, $4::TIMESTAMP, $5::TIMESTAMP, $6, $7, $8, $9, $10, $11, $12, $13)`,
    [report.runId, pipeline.id, pipeline.file, timestamp(startedAt), timestamp(new Date()), report.status,
      t.read, t.loaded, t.inserted, t.updated, t.unchanged, t.rejected, report.message ?? null],
  );
  for (const s of report.sources) {
    await db.run(`INSERT INTO ingest_run_sources VALUES ($1, $2, $3, ${`[${s.files.map(lit).join(', ')}]`}::VARCHAR[], $4, $5, $6, $7, $8)`,
      [report.runId, s.source, s.table, s.read, s.inserted, s.updated, s.unchanged, s.rejected]);
  }
}

const timestamp = (d: Date) => d.toISOString().replace('T', ' ').replace('Z', '');
