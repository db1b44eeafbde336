#!/usr/bin/env node
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { loadConfig, type Config } from './config/index.ts';
import { CaselensError, ConfigError, errorMessage, exitCodes, formatProblem, UsageError } from './errors.ts';
import { bar, progressLine, table } from './format.ts';
import { listReviews } from './identity/index.ts';
import { identityKeyFor } from './identity/key.ts';
import { IngestFailedError, loadPipeline, resolvePipelinePath, runPipeline, type IngestReport } from './ingest/index.ts';
import { generateSample } from './sample/index.ts';
import { readStatus } from './status.ts';
import { checkDatabase, Db, exportTables, migrate, openStore, openStoreForReading } from './store/index.ts';
import { validateProject } from './validate.ts';
import { chooseScorer, evalSdoh, evalTruth, goldKind, resolveFramework } from './score/cli.ts';
import { LEVELS, noteInput, notesToScore, runScoring, summarizeCase, type EvalReport } from './score/index.ts';
import { figuresByLevel, formatRowProblem, SDOH_NO_LABEL } from './score/eval.ts';
import { summarizeCaseWithLlm } from './score/summary-llm.ts';
import { verifyStoredTags } from './score/verify-stored.ts';
import { createVerifier } from './score/verify.ts';
import { explain } from './score/offline.ts';
import { addUser, auditDirFor, listenOverrides, mergeAudit, readSecretFromStdin, serveCommand } from './serve/index.ts';
import { ingestFhirCommand, ingestHmisCommand } from './sources/index.ts';
import { dataQualityCommand } from './sources/hmis-dq.ts';
import { ensureFacts, factsStatus, formatKpiList, formatKpiResult, KPI_CLI_OPTIONS, kpiParamsFromCli, listKpis, refreshFacts, renderFunderReport, runKpi, type KpiFormat } from './kpi/index.ts';

const USAGE = `caselens — outcome analytics and case intelligence

Usage: caselens <command> [options]

Commands:
  ingest <pipeline>...     load a pipeline (a name in pipelines/ or a file) into the database
  ingest-hmis <folder|zip> load a HUD HMIS CSV export (FY2026 or FY2024) [--system S] [--managers FILE] [--encoding E] [--reject-limit F]
  ingest-fhir <path>...    load FHIR R4 Bundles (.json) or bulk NDJSON [--system S] [--link name_dob|none]
  status                   tables, row counts, recent runs, rejects by reason
  dq [--run N]             data-quality report of the latest HMIS load (or of run N), by file, in the spirit of HUD's Eva
  validate                 check every pipeline, framework and dashboard file
  export                   write canonical tables as Parquet or CSV (--format, --out, --partition-by)
  identity review          source records whose identity rules matched more than one client
  sample                   generate a synthetic programme (--clients, --seed, --out, --notes)
  score                    tag every new or changed note against the outcome framework, with verified citations
                           [--framework ID] [--provider offline|openai] [--model M] [--base-url URL]
                           [--concurrency N] [--limit N] [--max-tokens N] [--max-cost USD] [--dry-run]
  explain --note ID | TEXT why the offline scorer tags what it tags: cues, context, what the verifier changed,
                           and the cues it read but did not count
  verify [--apply]         re-check every stored tag against what its cited span says (negation, history,
                           plans, another person, lists); report what would change, or change it
  eval --gold FILE         precision, recall and F1 per domain against planted truth or labelled sentences
                           [--system S] [--text-column C] [--label-column C] [--adverse-column C]
  summarize --case ID      per domain: the current picture and trend, every statement with cited quotes
  migrate                  bring the database to this version's schema
  facts [status|refresh]   the KPI facts (derived tables the KPIs read): whether they are current; rebuild them
                           (ingest and score rebuild them after loading; nothing else needs to)
  kpi [ID] [--from D --to D --program P --manager M --case-type T --as-of D …] [--format table|json|csv]
                           list the KPIs with one-line definitions, or compute one (docs/kpis.md defines each)
  report funder --out FILE [--program P] [--from D] [--to D]
                           a self-contained HTML outcome report that has passed small-cell suppression
  serve [--port N] [--host H]
                           the dashboard and HTTP API (default http://127.0.0.1:8787; --port, else PORT, else
                           serve.port in the config; beyond loopback only with users configured)
  user add NAME --role R [--staff ID] [--password-stdin | --token] [--replace]
                           add a user (admin, evaluator, funder, manager, supervisor) to the config
  audit merge              copy the server's audit trail into the audit_log table
  check                    verify the database without changing it: schema, every table read in full
                           (DuckDB checks each block's checksum), primary and unique keys; exit 5 on a problem
  demo [--no-serve] [--port N] [--host H]
                           what \`npm start\` runs: ingest the bundled sample, score it offline, serve it

Options for every command:
  --db PATH        database file (default data/caselens.duckdb, or CASELENS_DB)
  --config FILE    project config (default caselens.config.yaml, or CASELENS_CONFIG)
  --json           machine-readable output on stdout
  --progress       print each step on its own line on stderr (progress bars are shown on terminals anyway)
  -h, --help       this help

Exit codes: 0 ok, 1 unexpected failure, 2 usage error (or a --db with no database),
3 invalid configuration, 4 input rejected (a load over its reject limit or an unreadable file),
5 database problem (or an identity key that is not the database's).`;

const options = {
  db: { type: 'string' },
  config: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
  format: { type: 'string' },
  out: { type: 'string' },
  'partition-by': { type: 'string' },
  'include-pii': { type: 'boolean', default: false },
  tables: { type: 'string' },
  clients: { type: 'string' },
  seed: { type: 'string' },
  notes: { type: 'string' },
  all: { type: 'boolean', default: false },
  'reject-limit': { type: 'string' },
  progress: { type: 'boolean', default: false },
  framework: { type: 'string' },
  provider: { type: 'string' },
  model: { type: 'string' },
  'base-url': { type: 'string' },
  concurrency: { type: 'string' },
  limit: { type: 'string' },
  'max-tokens': { type: 'string' },
  'max-cost': { type: 'string' },
  'dry-run': { type: 'boolean', default: false },
  apply: { type: 'boolean', default: false },
  gold: { type: 'string' },
  system: { type: 'string' },
  'text-column': { type: 'string' },
  'label-column': { type: 'string' },
  'adverse-column': { type: 'string' },
  case: { type: 'string' },
  note: { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
  role: { type: 'string' },
  staff: { type: 'string' },
  'password-stdin': { type: 'boolean', default: false },
  token: { type: 'boolean', default: false },
  replace: { type: 'boolean', default: false },
  'no-serve': { type: 'boolean', default: false },
  link: { type: 'string' },
  run: { type: 'string' },
  managers: { type: 'string' },
  encoding: { type: 'string' },
  ...KPI_CLI_OPTIONS,
} satisfies ParseArgsConfig['options'];

type Values = ReturnType<typeof parseArgs<{ options: typeof options; allowPositionals: true }>>['values'];

interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

function databasePath(values: Values, config: Config): string {
  const p = values.db ?? process.env.CASELENS_DB;
  return p ? path.resolve(p) : config.database;
}

function intOption(values: Values, name: 'clients' | 'seed' | 'notes' | 'concurrency' | 'limit' | 'max-tokens', fallback: number): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name} must be a whole number, got "${raw}"`);
  return n;
}

/**
 * How a command opens the database: `read` read-only (a read-only file or mount is fine);
 * `{ facts }` read-only too, but KPI facts out of date are rebuilt when the file can be written;
 * `write` read-write; `create` read-write, creating the file (only the loading commands).
 */
type Access = 'read' | 'write' | 'create' | { facts: Config['kpi'] };

/** Every command but ingest*, migrate, sample and demo needs an existing database: a mistyped --db is an error, not a new file. */
function requireDatabase(dbPath: string): void {
  let isFile = false;
  try {
    isFile = fs.statSync(dbPath).isFile();
  } catch {
    // missing
  }
  if (!isFile) throw new UsageError(`${dbPath}: no caselens database here; check --db or caselens.config.yaml (database), or create one with caselens ingest/migrate`);
}

async function openDb(access: Access, dbPath: string): Promise<Db> {
  if (access !== 'create') requireDatabase(dbPath);
  if (access === 'write' || access === 'create') return openStore(dbPath);
  const db = await openStoreForReading(dbPath);
  if (access === 'read' || !db.readOnly) return db;
  let current: boolean;
  try {
    current = !('reason' in (await factsStatus(db, access.facts)));
  } catch (e) {
    db.close();
    throw e;
  }
  if (current) return db;
  db.close();
  try {
    return await openStore(dbPath);
  } catch {
    // cannot be written (read-only file or mount, another writer): the KPI refuses with the command that fixes it
    return openStoreForReading(dbPath);
  }
}

async function withDbAs<T>(access: Access, dbPath: string, fn: (db: Db) => Promise<T>): Promise<T> {
  const db = await openDb(access, dbPath);
  try {
    return await fn(db);
  } finally {
    db.close();
  }
}

/** An existing database, opened for writing. */
async function withDb<T>(dbPath: string, fn: (db: Db) => Promise<T>): Promise<T> {
  return withDbAs('write', dbPath, fn);
}

/**
 * After a load or a scoring run: rebuild the KPI facts now, so that the next KPI, page or
 * report does not wait for them.
 */
async function rebuildFacts(db: Db, config: Config, values: Values, io: Io): Promise<void> {
  const r = await ensureFacts(db, config.kpi);
  if (r.rebuilt && !values.json) io.out(`KPI facts rebuilt in ${(r.ms / 1000).toFixed(1)} s (${r.reason})`);
}

async function cmdFacts(action: string | undefined, values: Values, config: Config, io: Io): Promise<number> {
  const kpiConfig = config.kpi;
  return withDbAs(action === 'refresh' ? 'write' : 'read', databasePath(values, config), async (db) => {
    if (action === 'refresh') {
      const r = await refreshFacts(db, kpiConfig, 'requested');
      if (values.json) io.out(JSON.stringify({ rebuilt: true, ms: r.ms, ...r.info }, null, 2));
      else io.out(`KPI facts rebuilt in ${(r.ms / 1000).toFixed(1)} s: ${r.info.clients} clients`);
      return exitCodes.ok;
    }
    if (action !== undefined && action !== 'status') throw new UsageError(`unknown facts action "${action}": use caselens facts status | refresh`);
    const s = await factsStatus(db, kpiConfig);
    if (values.json) io.out(JSON.stringify(s, null, 2));
    else io.out('reason' in s ? `KPI facts are out of date (${s.reason}); they are rebuilt by the next KPI, or now by: caselens facts refresh` : `KPI facts are current: ${s.info.clients} clients`);
    return exitCodes.ok;
  });
}

function printIngest(report: IngestReport, io: Io): void {
  io.out(`${report.status === 'succeeded' ? 'loaded' : 'FAILED'}: pipeline ${report.pipeline}, run ${report.runId}`);
  io.out(table(report.sources.map((s) => ({
    source: s.source, table: s.table, read: s.read, loaded: s.loaded, inserted: s.inserted, updated: s.updated, unchanged: s.unchanged,
    ...(report.totals.deleted ? { deleted: s.deleted } : {}), rejected: s.rejected,
  }))));
  const t = report.totals;
  io.out(`total: read ${t.read} = loaded ${t.loaded}${t.deleted ? ` + deleted in source ${t.deleted}` : ''} + rejected ${t.rejected} (${(report.rejectRate * 100).toFixed(2)}% rejected; limit ${(report.rejectLimit * 100).toFixed(1)}%)`);
  for (const s of report.sources) {
    if (s.identity) io.out(`identity (${s.source}): ${s.identity.minted} new client IDs, ${s.identity.linked} linked to existing clients, ${s.identity.conflicts} sent to review`);
  }
  if (report.rejectSample.length) {
    io.out(`\nrejected rows (first ${report.rejectSample.length}; all in ingest_rejects, run ${report.runId}):`);
    for (const r of report.rejectSample) {
      io.out(`  ${r.file}:${r.line ?? '?'}: ${r.field ?? '(row)'}${r.value != null ? ` = ${JSON.stringify(r.value.length > 60 ? r.value.slice(0, 57) + '...' : r.value)}` : ''}: ${r.reason}`);
    }
  }
  if (report.message) io.out(`\n${report.message}`);
}

/** What every loading command needs: the reject limit (config, or --reject-limit), progress output. The identity key is read once the database is open (identityKeyFor). */
function loadSetup(values: Values, config: Config) {
  let rejectLimit = config.ingest.rejectLimit;
  if (values['reject-limit'] !== undefined) {
    rejectLimit = Number(values['reject-limit']);
    if (!(rejectLimit >= 0 && rejectLimit <= 1)) throw new UsageError(`--reject-limit must be between 0 and 1, got "${values['reject-limit']}"`);
  }
  return { rejectLimit, progress: progressLine(process.stderr, { plain: values.progress }) };
}

async function cmdIngest(names: string[], values: Values, config: Config, io: Io): Promise<number> {
  if (names.length === 0) throw new UsageError('name a pipeline: caselens ingest <pipeline> (e.g. caselens ingest sample)');
  const pipelines = names.map((n) => {
    const file = resolvePipelinePath(n, config.paths.pipelines);
    return loadPipeline(file, { baseDir: config.root, display: path.relative(process.cwd(), file) || file });
  });
  const { rejectLimit, progress } = loadSetup(values, config);
  return withDbAs('create', databasePath(values, config), async (db) => {
    // a database that has minted client IDs loads only with the key that minted them
    const identityKey = await identityKeyFor(db, config.identity.keyFile);
    const reports: IngestReport[] = [];
    for (const pipeline of pipelines) {
      try {
        const report = await runPipeline({
          db, pipeline, identityKey, rejectLimit, memoryLimit: config.ingest.memoryLimit, displayRoot: process.cwd(),
          progress: { step: (source, what, done, total) => progress.update(`${pipeline.id}: ${what} ${source} ${total ? bar(done, total) : ''}`) },
        });
        progress.done();
        reports.push(report);
        if (!values.json) printIngest(report, io);
      } catch (e) {
        progress.done();
        if (e instanceof IngestFailedError) {
          if (values.json) io.out(JSON.stringify([...reports, e.report], null, 2));
          else printIngest(e.report, io);
        }
        throw e;
      }
    }
    await rebuildFacts(db, config, values, io);
    if (values.json) io.out(JSON.stringify(reports.map((r) => ({ ...r, peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) })), null, 2));
    return exitCodes.ok;
  });
}

async function cmdIngestSource(kind: 'hmis' | 'fhir', args: string[], values: Values, config: Config, io: Io): Promise<number> {
  const { rejectLimit, progress } = loadSetup(values, config);
  return withDbAs('create', databasePath(values, config), async (db) => {
    const identityKey = await identityKeyFor(db, config.identity.keyFile);
    const o = {
      db, identityKey, rejectLimit, memoryLimit: config.ingest.memoryLimit, json: values.json, system: values.system, link: values.link, managers: values.managers, encoding: values.encoding,
      progress: { step: (s: string, what: string, done: number, total: number) => progress.update(`${kind}: ${what} ${s} ${total ? bar(done, total) : ''}`) },
      out: io.out,
      printIngest: (r: IngestReport) => {
        progress.done();
        printIngest(r, io);
      },
      root: config.root, pipelinesDir: config.paths.pipelines,
    };
    try {
      const code = kind === 'hmis' ? await ingestHmisCommand(args, o) : await ingestFhirCommand(args, o);
      if (code === exitCodes.ok) await rebuildFacts(db, config, values, io);
      return code;
    } finally {
      progress.done();
    }
  });
}

async function cmdStatus(values: Values, config: Config, io: Io): Promise<number> {
  return withDbAs('read', databasePath(values, config), async (db) => {
    const s = await readStatus(db);
    if (values.json) {
      io.out(JSON.stringify(s, null, 2));
      return exitCodes.ok;
    }
    io.out(`database: ${s.database} (schema ${s.schemaVersion})\n`);
    io.out(table(s.tables));
    io.out('\nrecent ingest runs:');
    // a refused load's counts are what it would have done: labelled, never shown as if applied
    const runs = s.lastRuns.map((r) => (r.applied ? r : { ...r, inserted: `(${r.inserted} not applied)`, updated: `(${r.updated} not applied)`, unchanged: '' }));
    io.out(table(runs, ['run_id', 'pipeline', 'status', 'started_at', 'seconds', 'read', 'inserted', 'updated', 'unchanged', 'rejected']));
    io.out('\nrejects in the latest run of each pipeline, by reason:');
    io.out(table(s.rejectsByReason, ['pipeline', 'source', 'code', 'rows', 'example']));
    if (s.openIdentityReviews) io.out(`\n${s.openIdentityReviews} identity match(es) need review: caselens identity review`);
    return exitCodes.ok;
  });
}

function cmdValidate(values: Values, config: Config, io: Io): number {
  const result = validateProject(config);
  if (values.json) io.out(JSON.stringify(result, null, 2));
  else {
    for (const p of result.problems) io.out(formatProblem(p));
    io.out(`${result.checked.length} file(s) checked: ${result.checked.filter((c) => c.ok).length} ok, ${result.checked.filter((c) => !c.ok).length} with problems (${result.problems.length} problem(s))`);
  }
  return result.problems.length ? exitCodes.invalidConfig : exitCodes.ok;
}

async function cmdExport(values: Values, config: Config, io: Io): Promise<number> {
  const format = values.format ?? 'parquet';
  if (format !== 'parquet' && format !== 'csv') throw new UsageError(`--format must be parquet or csv, got "${format}"`);
  if (!values.out) throw new UsageError('--out DIR is required: where to write the tables');
  return withDbAs('read', databasePath(values, config), async (db) => {
    const results = await exportTables(db, {
      format, outDir: path.resolve(values.out!), includePii: values['include-pii'],
      ...(values['partition-by'] ? { partitionBy: values['partition-by'] } : {}),
      ...(values.tables ? { tables: values.tables.split(',').map((t) => t.trim()).filter(Boolean) } : {}),
    });
    io.out(values.json ? JSON.stringify(results, null, 2) : table(results.map((r) => ({ table: r.table, rows: r.rows, path: r.path, partitioned_by: r.partitionedBy ?? '' }))));
    return exitCodes.ok;
  });
}

async function cmdIdentity(sub: string | undefined, values: Values, config: Config, io: Io): Promise<number> {
  if (sub !== 'review') throw new UsageError('usage: caselens identity review [--all] [--json]');
  return withDbAs('read', databasePath(values, config), async (db) => {
    const reviews = await listReviews(db, values.all ? {} : { status: 'open' });
    if (values.json) io.out(JSON.stringify(reviews, null, 2));
    else {
      io.out(reviews.length
        ? `${reviews.length} source record(s) matched more than one existing client. Each was given its own provisional client ID and nothing was merged:\n`
        : 'no identity matches need review');
      if (reviews.length) {
        io.out(table(reviews.map((r) => ({
          source: `${r.source_system}:${r.source_key}`, provisional_client: r.client_id,
          candidates: r.candidates.map((c, i) => `${c} (${r.rules[i]})`).join('; '), run: r.run_id,
        }))));
      }
    }
    return exitCodes.ok;
  });
}

async function cmdSample(values: Values, config: Config, io: Io): Promise<number> {
  const outDir = path.resolve(values.out ?? config.paths.sample);
  const clients = intOption(values, 'clients', 1500);
  const seed = intOption(values, 'seed', 42);
  const notes = values.notes !== undefined ? intOption(values, 'notes', 0) : undefined;
  const progress = progressLine();
  const summary = await generateSample({ clients, seed, outDir, ...(notes !== undefined ? { notes } : {}) }, (done, total) => progress.update(`sample: ${bar(done, total)}`));
  progress.done();
  io.out(values.json ? JSON.stringify(summary, null, 2) : `wrote ${outDir}\n${table(Object.entries(summary.files).map(([file, rows]) => ({ file, rows })))}`);
  return exitCodes.ok;
}

async function cmdScore(values: Values, config: Config, io: Io): Promise<number> {
  const framework = resolveFramework(config, values.framework);
  const choice = await chooseScorer(config, framework, {
    ...(values.provider ? { provider: values.provider } : {}), ...(values.model ? { model: values.model } : {}),
    ...(values['base-url'] ? { baseURL: values['base-url'] } : {}),
    ...(values.concurrency !== undefined ? { concurrency: intOption(values, 'concurrency', 4) } : {}),
  });
  const limit = values.limit !== undefined ? intOption(values, 'limit', 0) : undefined;
  const maxTokens = values['max-tokens'] !== undefined ? intOption(values, 'max-tokens', 0) : config.scoring.maxTokens;
  const maxCost = values['max-cost'] !== undefined ? Number(values['max-cost']) : config.scoring.maxCostUsd;
  if (maxCost !== undefined && !(maxCost > 0)) throw new UsageError(`--max-cost must be a positive number of US dollars, got "${values['max-cost']}"`);
  const label = choice.scorer.kind === 'offline' ? 'offline scorer (lexicon; no network)' : `LLM scorer ${choice.scorer.model}`;
  return withDbAs(values['dry-run'] ? 'read' : 'write', databasePath(values, config), async (db) => {
    if (values['dry-run']) {
      const notes = await notesToScore(db, choice.scorer, framework, limit);
      let requests = 0;
      let promptTokens = 0;
      for (const n of notes) {
        // exactly what runScoring hands the scorer: the estimate redacts and dates the note as the real request does
        const e = (await choice.estimate?.(noteInput(n))) ?? { requests: 0, promptTokens: 0 };
        requests += e.requests;
        promptTokens += e.promptTokens;
      }
      const cost = choice.pricing ? (promptTokens * choice.pricing.inputPerMTok + promptTokens * 0.25 * choice.pricing.outputPerMTok) / 1e6 : undefined;
      const est = { scorer: label, framework: `${framework.id}@${framework.version}`, notes: notes.length, requests, promptTokens, estimatedCompletionTokens: Math.round(promptTokens * 0.25), estimatedCostUsd: cost ?? null };
      io.out(values.json ? JSON.stringify(est, null, 2) : `dry run, nothing sent: ${notes.length} note(s) to score with ${label}; about ${requests} request(s), ${promptTokens.toLocaleString('en-US')} prompt tokens${cost !== undefined ? `, about $${cost.toFixed(2)}` : ''}`);
      return exitCodes.ok;
    }
    const progress = progressLine(process.stderr, { plain: values.progress });
    const summary = await runScoring({
      db, scorer: choice.scorer, framework, concurrency: choice.concurrency,
      ...(limit !== undefined ? { limit } : {}), ...(maxTokens !== undefined ? { maxTokens } : {}), ...(maxCost !== undefined ? { maxCostUsd: maxCost } : {}),
      ...(choice.pricing ? { pricing: choice.pricing } : {}),
      progress: (p) => progress.update(`score: ${bar(p.done, p.total)} ${p.done}/${p.total}${p.failed ? `, ${p.failed} failed` : ''}${p.etaSeconds !== null ? `, ETA ${Math.ceil(p.etaSeconds)}s` : ''}`),
    });
    progress.done();
    if (values.json) io.out(JSON.stringify(summary, null, 2));
    else {
      const c = summary.citations;
      io.out(`score run ${summary.runId}: ${summary.status} — ${label}, framework ${summary.framework}`);
      io.out(table([
        { what: 'notes selected', n: summary.notesSelected }, { what: 'notes scored', n: summary.notesScored }, { what: 'notes failed', n: summary.notesFailed },
        { what: 'tags stored', n: summary.tags }, { what: 'tags dropped (no verified evidence)', n: summary.tagsDropped },
        { what: 'tags dropped (their cited spans contradict them)', n: summary.tagsContradicted }, { what: 'tags corrected by the verifier (status)', n: summary.tagsCorrected },
        { what: 'citations: exact', n: c.exact }, { what: 'citations: normalized', n: c.normalized }, { what: 'citations: fuzzy', n: c.fuzzy },
        { what: 'citations: offline match positions', n: c.position }, { what: 'citations rejected (not in the note)', n: c.rejected },
        { what: 'requests', n: summary.requests }, { what: 'tokens (prompt + completion)', n: summary.promptTokens + summary.completionTokens },
      ]));
      if (summary.costUsd) io.out(`cost: $${summary.costUsd.toFixed(4)}`);
      if (summary.notesSelected === 0) io.out('nothing to do: every note is already scored for this framework, scorer, model and prompt version');
      for (const f of summary.failures.slice(0, 10)) io.out(`  failed ${f.noteId}: ${f.error}`);
      if (summary.message) io.out(summary.message);
    }
    if (summary.notesScored > 0) await rebuildFacts(db, config, values, io);
    return summary.status === 'failed' ? exitCodes.failure : exitCodes.ok;
  });
}

async function cmdExplain(rest: string[], values: Values, config: Config, io: Io): Promise<number> {
  if (!values.note && rest.length === 0) throw new UsageError('usage: caselens explain --note NOTE_ID, or caselens explain "the text of a note"');
  if (values.note && rest.length > 0) throw new UsageError('caselens explain takes --note NOTE_ID or a text, not both');
  const framework = resolveFramework(config, values.framework);
  const noteId = values.note;
  const text = noteId !== undefined
    ? await withDbAs('read', databasePath(values, config), async (db) => {
      const found = await db.value<string | null>('SELECT text FROM notes WHERE note_id = $1', [noteId]);
      if (found === null || found === undefined) throw new UsageError(`no note "${noteId}" in the database; note ids look like "sample:N00000001" (caselens status lists the tables)`);
      return found;
    })
    : rest.join(' ');
  const why = explain(framework, text);
  const verified = await createVerifier(framework).verifyNote(text, why.tags, why.tags);
  if (values.json) {
    io.out(JSON.stringify({ framework: `${framework.id}@${framework.version}`, findings: why.findings, checks: verified.checks, stored: verified.tags, skipped: why.skipped, structured: why.structured }, null, 2));
    return exitCodes.ok;
  }
  io.out(`offline scorer (${framework.id}@${framework.version}) on ${values.note ? `note ${values.note}` : 'the text given'}:`);
  if (why.findings.length === 0) io.out('  no evidence found');
  for (const f of why.findings) io.out(`  ${f.domainId} ${f.direction}/${f.status} ← cue ${f.cues.map((c) => `"${c}"`).join(' + ')} (${f.tier})${f.context.length ? ` [${f.context.join('; ')}]` : ''}: "${text.slice(f.start, f.end)}"`);
  for (const k of verified.checks) io.out(`  verifier ${k.action} ${k.domainId} ${k.direction}/${k.status}${k.newStatus && k.newStatus !== k.status ? ` → ${k.newStatus}` : ''}: ${k.reason}: "${k.quote}"`);
  for (const k of why.skipped) io.out(`  not counted: "${k.quote}" (${k.domainId} cue "${k.cue}"): ${k.reason}`);
  for (const k of why.structured) io.out(`  not narrative: "${k.quote.length > 80 ? `${k.quote.slice(0, 77)}…` : k.quote}" (${k.reason})`);
  return exitCodes.ok;
}

async function cmdVerify(values: Values, config: Config, io: Io): Promise<number> {
  const framework = resolveFramework(config, values.framework);
  return withDbAs(values.apply ? 'write' : 'read', databasePath(values, config), async (db) => {
    const r = await verifyStoredTags(db, framework, { apply: values.apply });
    if (values.json) io.out(JSON.stringify(r, null, 2));
    else {
      io.out(`verify (${r.verifier}, framework ${r.framework}): ${r.tagsChecked.toLocaleString('en-US')} stored tag(s) on ${r.notes.toLocaleString('en-US')} note(s)`);
      io.out(table([
        { what: r.applied ? 'tags dropped (their cited spans contradict them)' : 'tags the cited spans contradict (would be dropped)', n: r.tagsContradicted },
        { what: r.applied ? 'tags corrected (status)' : 'tags whose status the spans correct', n: r.tagsCorrected },
      ]));
      if (r.reasons.length) io.out(table(r.reasons.map((x) => ({ action: x.action, reason: x.reason, citations: x.citations }))));
      if (r.otherFrameworkTags) io.out(`${r.otherFrameworkTags} tag(s) of other frameworks or framework versions left alone: the verifier reads with ${r.framework}'s cues`);
      if (!r.applied && (r.tagsContradicted || r.tagsCorrected)) io.out('nothing changed: run with --apply to drop and correct them (each decision is kept in tag_checks)');
    }
    if (r.applied) await rebuildFacts(db, config, values, io);
    return exitCodes.ok;
  });
}

function printEval(reports: EvalReport[], io: Io): void {
  for (const r of reports) {
    io.out(`\n${r.level}: ${LEVELS[r.level as keyof typeof LEVELS]?.describe ?? ''} — macro F1 ${r.macroF1.toFixed(3)}, micro F1 ${r.microF1.toFixed(3)} over ${r.units} unit(s)`);
    io.out(table(r.perDomain.filter((d) => d.support > 0 || d.fp > 0).map((d) => ({ domain: d.domain, support: d.support, tp: d.tp, fp: d.fp, fn: d.fn, precision: d.precision, recall: d.recall, f1: d.f1 }))));
  }
}

async function cmdEval(values: Values, config: Config, io: Io): Promise<number> {
  if (!values.gold) throw new UsageError('--gold FILE is required: data/sample/truth/notes_truth.csv, or a text,label,adverse sentence file');
  const gold = path.resolve(values.gold);
  if (!fs.existsSync(gold)) throw new UsageError(`gold file not found: ${gold}`);
  const columns = { text: values['text-column'], label: values['label-column'], adverse: values['adverse-column'] };
  const kind = await goldKind(gold, columns);
  const framework = resolveFramework(config, values.framework);
  const choice = await chooseScorer(config, framework, { ...(values.provider ? { provider: values.provider } : {}), ...(values.model ? { model: values.model } : {}) });
  const scorer = { kind: choice.scorer.kind, model: choice.scorer.model, promptVersion: choice.scorer.promptVersion };
  if (kind === 'sdoh') {
    const r = await evalSdoh(gold, choice.scorer, columns, createVerifier(framework));
    // warnings go to stderr in both modes, so stdout under --json stays one JSON document
    for (const p of r.problems.slice(0, 20)) io.err(`warning: row left out: ${formatRowProblem(p)}`);
    if (r.problems.length > 20) io.err(`warning: … and ${r.problems.length - 20} more rows left out (all of them under "problems" with --json)`);
    if (values.json) {
      io.out(JSON.stringify({
        kind, gold, scorer, columns: r.columns, rows: r.rows, units: r.sentences, labels: r.labels, negatives: r.negatives, byLabel: r.byLabel,
        problems: r.problems, mapping: r.mapping, levels: figuresByLevel(r.reports),
        halves: Object.fromEntries(Object.entries(r.halves).map(([half, h]) => [half, { describe: h.describe, units: h.units, levels: figuresByLevel(h.reports) }])),
      }, null, 2));
      return exitCodes.ok;
    }
    io.out(`${r.sentences} of ${r.rows} labelled sentences scored by ${choice.scorer.kind} (${r.labels} labels, ${r.negatives} ${SDOH_NO_LABEL}, ${r.problems.length} rows left out); ` +
      `columns ${r.columns.text}, ${r.columns.label}${r.columns.adverse ? `, ${r.columns.adverse}` : ' (no adverse column: domain level only)'}; labels mapped: ${Object.entries(r.mapping).map(([k, v]) => `${k}→${v}`).join(', ')}`);
    printEval(r.reports, io);
    io.out('\nodd rows (used while tuning) and even rows (held out), counting data rows from 1:');
    io.out(table(r.reports.flatMap((all, i) => [
      { level: all.level, rows: 'all', units: all.units, 'macro F1': all.macroF1, 'micro F1': all.microF1 },
      ...(['odd', 'even'] as const).map((half) => {
        const h = r.halves[half].reports[i]!;
        return { level: h.level, rows: half, units: h.units, 'macro F1': h.macroF1, 'micro F1': h.microF1 };
      }),
    ])));
    return exitCodes.ok;
  }
  return withDbAs('read', databasePath(values, config), async (db) => {
    const system = values.system ?? 'sample';
    const r = await evalTruth(db, gold, system, choice.scorer, framework);
    if (values.json) io.out(JSON.stringify({ kind, gold, scorer, system, notes: r.notes, goldRows: r.goldRows, levels: figuresByLevel(r.reports), citations: r.citations }, null, 2));
    else {
      io.out(`${r.notes} scored notes, ${r.goldRows} planted evidence rows; scorer ${choice.scorer.kind} (${choice.scorer.promptVersion})`);
      printEval(r.reports, io);
      io.out(`\ncitations: ${r.citations.exact} of ${r.citations.citations} exact (text.slice(start, end) === quote); by match: ${JSON.stringify(r.citations.byMatch)}`);
    }
    return exitCodes.ok;
  });
}

async function cmdSummarize(values: Values, config: Config, io: Io): Promise<number> {
  if (!values.case) throw new UsageError('--case ID is required (a case id such as sample:K0000001)');
  const framework = resolveFramework(config, values.framework);
  const choice = await chooseScorer(config, framework, { ...(values.provider ? { provider: values.provider } : {}), ...(values.model ? { model: values.model } : {}) });
  return withDbAs('read', databasePath(values, config), async (db) => {
    const s = await summarizeCase(db, values.case!, framework, choice.scorer);
    if (!s) throw new CaselensError(`no case "${values.case}"; case ids look like sample:K0000001`, { exitCode: exitCodes.usage, status: 404 });
    const written = choice.llm && s.domains.length ? await summarizeCaseWithLlm(db, s, framework, choice.llm) : undefined;
    if (values.json) {
      io.out(JSON.stringify({ ...s, ...(written ? { written } : {}) }, null, 2));
      return exitCodes.ok;
    }
    io.out(`case ${s.caseId} (client ${s.clientId}): ${s.notes} note(s), ${s.scoredNotes} scored by ${s.scorer}`);
    if (written) {
      io.out(`\nwritten summary (${written.model}; every sentence's quotes checked against its notes; ${written.droppedSentences} uncited sentence(s) left out):`);
      for (const d of written.domains) {
        for (const st of d.sentences) io.out(`  ${d.domainName}: ${st.text} ${st.citations.map((c) => `[${c.noteId} “${c.quote}”]`).join(' ')}`);
      }
    }
    if (s.domains.length === 0) io.out('no cited evidence in this case\'s notes yet (run caselens score)');
    for (const d of s.domains) {
      io.out(`\n${d.picture}`);
      for (const st of d.statements) {
        io.out(`  ${st.text}`);
        for (const c of st.citations) io.out(`    “${c.quote}” [${c.noteId} ${c.start}-${c.end}]`);
      }
    }
    return exitCodes.ok;
  });
}

async function cmdKpi(id: string | undefined, values: Values, config: Config, io: Io): Promise<number> {
  const format = (values.format ?? (values.json ? 'json' : 'table')) as KpiFormat;
  if (!['table', 'json', 'csv'].includes(format)) throw new UsageError(`--format must be table, json or csv, got "${format}"`);
  if (!id) {
    io.out(formatKpiList(listKpis(), format));
    return exitCodes.ok;
  }
  const params = kpiParamsFromCli(id, values as Record<string, unknown>);
  return withDbAs({ facts: config.kpi }, databasePath(values, config), async (db) => {
    const result = await runKpi(db, id, params, { config: config.kpi, root: config.root });
    io.out(formatKpiResult(result, format));
    return exitCodes.ok;
  });
}

async function cmdReport(kind: string | undefined, values: Values, config: Config, io: Io): Promise<number> {
  if (kind !== 'funder') throw new UsageError('usage: caselens report funder --out FILE [--program P] [--from D] [--to D]');
  if (!values.out) throw new UsageError('--out FILE is required: where to write the HTML report');
  const v = values as Record<string, unknown>;
  return withDbAs({ facts: config.kpi }, databasePath(values, config), async (db) => {
    const html = await renderFunderReport(db, {
      ...(typeof v.program === 'string' ? { program: v.program } : {}), ...(typeof v.from === 'string' ? { from: v.from } : {}),
      ...(typeof v.to === 'string' ? { to: v.to } : {}), options: { config: config.kpi, root: config.root },
    });
    const out = path.resolve(values.out!);
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, html);
    io.out(`wrote ${out} (suppressed for funders: cells under k = ${config.kpi.k} clients are withheld)`);
    return exitCodes.ok;
  });
}

async function cmdServe(values: Values, config: Config, io: Io): Promise<number> {
  const listen = listenOverrides(values);
  const dbPath = databasePath(values, config);
  requireDatabase(dbPath);
  requireWritableAuditDir(auditDirFor(dbPath, config), config);
  return serveCommand({ dbPath, config, ...listen, out: io.out, log: io.err });
}

/**
 * The server reads the database read-only, but records every audited read in its audit folder
 * before serving it: a folder it cannot write is refused at start (exit 3, naming the folder
 * and the setting), not found out by the first request.
 */
function requireWritableAuditDir(dir: string, config: Config): void {
  const probe = path.join(dir, `.write-test-${process.pid}`);
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    fs.writeFileSync(probe, '');
    fs.rmSync(probe, { force: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CaselensError(
      `the audit folder ${dir} cannot be written (${code ?? errorMessage(e)}): the server records every read of case data there before serving it, so it does not start; ` +
        `make the folder writable, or set serve.audit.dir in ${config.file ?? 'caselens.config.yaml'} to a writable folder (the database itself may stay read-only)`,
      { exitCode: exitCodes.invalidConfig, cause: e },
    );
  }
}

async function cmdUser(sub: string | undefined, rest: string[], values: Values, config: Config, io: Io): Promise<number> {
  if (sub !== 'add' || !rest[0] || !values.role) throw new UsageError('usage: caselens user add NAME --role admin|evaluator|funder|manager|supervisor [--staff STAFF_ID] [--password-stdin | --token] [--replace]');
  const password = values['password-stdin'] ? await readSecretFromStdin() : undefined;
  const r = await addUser(config.file ?? path.join(process.cwd(), 'caselens.config.yaml'), {
    name: rest[0], role: values.role, ...(values.staff ? { staffId: values.staff } : {}), ...(password !== undefined ? { password } : {}),
    ...(values.token ? { token: true as const } : {}), replace: values.replace,
  });
  io.out(`${r.replaced ? 'replaced' : 'added'} user ${r.user.name} (${r.user.role}${r.user.staffId ? `, staff ${r.user.staffId}` : ''}) in ${r.file}`);
  if (r.token) io.out(`API token (shown once; send "Authorization: Bearer <token>"):\n${r.token}`);
  return exitCodes.ok;
}

async function cmdAudit(sub: string | undefined, values: Values, config: Config, io: Io): Promise<number> {
  if (sub !== 'merge') throw new UsageError('usage: caselens audit merge');
  const dbPath = databasePath(values, config);
  return withDb(dbPath, async (db) => {
    const r = await mergeAudit(db, auditDirFor(dbPath, config));
    io.out(values.json ? JSON.stringify(r, null, 2) : `audit: ${r.inserted} new event(s) merged into audit_log (${r.alreadyMerged} already there)`);
    return exitCodes.ok;
  });
}

async function cmdCheck(values: Values, config: Config, io: Io): Promise<number> {
  const dbPath = databasePath(values, config);
  requireDatabase(dbPath);
  // read-only and never migrated: check looks at the file as it is
  const db = await Db.open(dbPath, { readOnly: true });
  try {
    const r = await checkDatabase(db);
    if (values.json) io.out(JSON.stringify(r, null, 2));
    else {
      const mb = (n: number | null) => (n === null ? '?' : `${(n / 1e6).toFixed(1)} MB`);
      io.out(`database ${r.database}: schema version ${r.schemaVersion}, ${mb(r.sizeBytes)} used${r.walBytes ? `, ${mb(r.walBytes)} in its write-ahead log` : ''}`);
      io.out(`${r.tables.filter((t) => t.ok).length} of ${r.tables.length} tables read in full (${r.tables.reduce((n, t) => n + (t.rows ?? 0), 0).toLocaleString('en-US')} rows)`);
      for (const p of r.problems) io.out(`problem: ${p}`);
      if (r.problems.length === 0) io.out('no problems found');
    }
    if (r.problems.length) io.err(`error: ${r.problems.length} problem(s) in ${dbPath}: restore it from backup, or rebuild it from the sources with caselens ingest (and the same identity key)`);
    return r.problems.length ? exitCodes.database : exitCodes.ok;
  } finally {
    db.close();
  }
}

async function cmdDemo(values: Values, config: Config, io: Io): Promise<number> {
  // --host, --port, PORT: checked before the minutes of loading and scoring, not after
  const listen = listenOverrides(values);
  const samplePipeline = resolvePipelinePath('sample', config.paths.pipelines);
  if (!fs.existsSync(samplePipeline)) throw new CaselensError(`the demo needs ${samplePipeline}; run from the caselens folder`);
  io.out(`caselens demo: loading the bundled sample into ${databasePath(values, config)}`);
  const code = await cmdIngest(['sample'], values, config, io);
  if (code !== exitCodes.ok) return code;
  io.out('\nscoring the notes with the offline scorer (no network; labelled "offline" wherever it is shown)');
  const scored = await cmdScore({ ...values, provider: 'offline' }, config, io);
  if (scored !== exitCodes.ok || values['no-serve']) return scored;
  io.out('');
  return serveCommand({ dbPath: databasePath(values, config), config, ...listen, out: io.out, log: io.err });
}

/** A reader that went away (`caselens … | head -1`): EPIPE, or a write to the stream it destroyed. */
function isClosedPipe(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED';
}

/**
 * Output that cannot stop the work: once the reader of stdout has gone, further output is
 * dropped and the command carries on (commits, KPI facts rebuilt after them) to its own exit code.
 */
function resilientIo(io: Io): Io {
  let outGone = false;
  return {
    out: (s) => {
      if (outGone) return;
      try {
        io.out(s);
      } catch (e) {
        if (!isClosedPipe(e)) throw e;
        outGone = true;
      }
    },
    err: (s) => {
      try {
        io.err(s);
      } catch (e) {
        if (!isClosedPipe(e)) throw e;
      }
    },
  };
}

let stdoutGone = false;
let stdioGuarded = false;

/**
 * The process's own stdout and stderr. `caselens ingest … | head -1`: the pipe's EPIPE arrives as
 * an 'error' event after the write; unhandled, it would kill the process mid-work (say, after the
 * commit but before the KPI facts are rebuilt). Once the reader has gone, output stops; the work does not.
 */
function processIo(): Io {
  if (!stdioGuarded) {
    stdioGuarded = true;
    process.stdout.on('error', (e) => {
      if (!isClosedPipe(e)) throw e;
      stdoutGone = true;
    });
    process.stderr.on('error', (e) => {
      if (!isClosedPipe(e)) throw e;
    });
  }
  return {
    out: (s) => {
      if (!stdoutGone) process.stdout.write(`${s}\n`);
    },
    err: (s) => console.error(s),
  };
}

export async function main(argv: string[], givenIo: Io = processIo()): Promise<number> {
  const io = resilientIo(givenIo);
  try {
    let parsed;
    try {
      parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    } catch (e) {
      throw new UsageError(`${errorMessage(e)}\n\n${USAGE}`);
    }
    const { values, positionals } = parsed;
    const [command, ...rest] = positionals;
    if (values.help || !command || command === 'help') {
      io.out(USAGE);
      return command || values.help ? exitCodes.ok : exitCodes.usage;
    }
    const config = loadConfig(values.config ? { file: values.config } : {});
    switch (command) {
      case 'ingest': return await cmdIngest(rest, values, config, io);
      case 'status': return await cmdStatus(values, config, io);
      case 'dq': return await withDbAs('read', databasePath(values, config), (db) => dataQualityCommand(db, { run: values.run, json: values.json, out: io.out }));
      case 'ingest-hmis': return await cmdIngestSource('hmis', rest, values, config, io);
      case 'ingest-fhir': return await cmdIngestSource('fhir', rest, values, config, io);
      case 'validate': return cmdValidate(values, config, io);
      case 'export': return await cmdExport(values, config, io);
      case 'identity': return await cmdIdentity(rest[0], values, config, io);
      case 'sample': return await cmdSample(values, config, io);
      case 'migrate': {
        const db = await openStore(databasePath(values, config));
        try {
          const r = await migrate(db);
          io.out(`database at schema version ${r.to}`);
          // a database brought forward has facts to build; build them here, once, not per snapshot
          await rebuildFacts(db, config, values, io);
        } finally {
          db.close();
        }
        return exitCodes.ok;
      }
      case 'demo': return await cmdDemo(values, config, io);
      case 'facts': return await cmdFacts(rest[0], values, config, io);
      case 'score': return await cmdScore(values, config, io);
      case 'verify': return await cmdVerify(values, config, io);
      case 'explain': return await cmdExplain(rest, values, config, io);
      case 'eval': return await cmdEval(values, config, io);
      case 'summarize': return await cmdSummarize(values, config, io);
      case 'serve': return await cmdServe(values, config, io);
      case 'kpi': return await cmdKpi(rest[0], values, config, io);
      case 'report': return await cmdReport(rest[0], values, config, io);
      case 'user': return await cmdUser(rest[0], rest.slice(1), values, config, io);
      case 'audit': return await cmdAudit(rest[0], values, config, io);
      case 'check': return await cmdCheck(values, config, io);
      default:
        throw new UsageError(`unknown command "${command}"\n\n${USAGE}`);
    }
  } catch (e) {
    // The one place errors become messages and exit codes.
    if (e instanceof ConfigError) {
      for (const p of e.problems) io.err(`error: ${formatProblem(p)}`);
    } else if (e instanceof CaselensError) {
      io.err(`error: ${e.message}`);
      for (const d of e.details) io.err(`  ${d}`);
    } else {
      io.err(`error: ${errorMessage(e)}`);
      if (process.env.CASELENS_DEBUG) io.err(String((e as Error).stack));
      return exitCodes.failure;
    }
    return e.exitCode;
  }
}

const invokedDirectly = process.argv[1] && path.resolve(process.argv[1]).replace(/\.ts$/, '') === path.resolve(import.meta.dirname, 'cli');
if (invokedDirectly) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
