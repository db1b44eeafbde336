/**
 * bench/ingest: the whole `caselens ingest` job (staging, SQL validation, identity, merge)
 * on generated CSV, against DuckDB's own `INSERT … SELECT FROM read_csv` of the same files
 * into the same tables, measured in the same run on the same machine.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import YAML from 'yaml';
import { generateSample } from '../src/sample/index.ts';
import { Db, openStore } from '../src/store/index.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const TSX_LOADER = pathToFileURL(path.join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
const OUT = path.join(ROOT, 'bench', 'out');

export interface IngestBenchOptions { clients: number; notes: number; seed: number; runs: number }

/** Generated sample CSVs for a benchmark, made once and kept in bench/out/. */
export async function ensureData(opts: Pick<IngestBenchOptions, 'clients' | 'notes' | 'seed'>): Promise<string> {
  const dir = path.join(OUT, `ingest-data-${opts.clients}-${opts.notes}-${opts.seed}`);
  const stamp = path.join(dir, '.complete');
  if (!fs.existsSync(stamp)) {
    fs.rmSync(dir, { recursive: true, force: true });
    const t = performance.now();
    await generateSample({ clients: opts.clients, notes: opts.notes, seed: opts.seed, outDir: dir });
    fs.writeFileSync(stamp, `${((performance.now() - t) / 1000).toFixed(1)}s\n`);
  }
  return dir;
}

const SOURCES = ['programs', 'staff', 'clients', 'cases', 'notes'] as const;

function pipelineFor(dataDir: string): string {
  const sample = YAML.parse(fs.readFileSync(path.join(ROOT, 'pipelines', 'sample.yaml'), 'utf8'));
  sample.id = 'bench-ingest';
  sample.sources = sample.sources
    .filter((s: { name: string }) => (SOURCES as readonly string[]).includes(s.name))
    .map((s: { path: string }) => ({ ...s, path: path.join(dataDir, path.basename(s.path)) }));
  const file = path.join(OUT, 'bench-ingest.yaml');
  fs.writeFileSync(file, YAML.stringify(sample));
  return file;
}

/** DuckDB alone: the same files into the same (empty) tables, types cast, no checks. */
async function nativeLoad(dataDir: string, dbPath: string): Promise<number> {
  for (const f of [dbPath, `${dbPath}.wal`]) fs.rmSync(f, { force: true });
  const db = await openStore(dbPath);
  const csv = (name: string) => `read_csv('${path.join(dataDir, name)}', header=true, auto_detect=false, all_varchar=false, columns=COLS)`;
  const cols = (list: string[]) => `{${list.map((c) => `'${c}': 'VARCHAR'`).join(', ')}}`;
  const header = (name: string) => fs.readFileSync(path.join(dataDir, name), 'utf8').slice(0, 2000).split('\n')[0]!.split(',');
  const from = (name: string) => csv(name).replace('COLS', cols(header(name)));
  const t = performance.now();
  await db.run('BEGIN TRANSACTION');
  await db.run(`INSERT INTO programs SELECT program_key, name, program_type FROM ${from('programs.csv')}`);
  await db.run(`INSERT INTO staff SELECT staff_key, name, role, supervisor_key, team, NULL, caseload_capacity::INTEGER FROM ${from('staff.csv')}`);
  await db.run(`INSERT INTO clients SELECT client_key, gender, race_ethnicity, veteran, year(date_of_birth::DATE), now()::TIMESTAMP FROM ${from('clients.csv')}`);
  await db.run(`INSERT INTO client_pii SELECT client_key, first_name, last_name, date_of_birth::DATE, phone, email, address, national_id, NULL FROM ${from('clients.csv')}`);
  await db.run(`INSERT INTO cases (case_id, client_id, program_id, manager_id, case_type, opened_at, closed_at, status, closure_reason) SELECT case_key, client_key, program_key, manager_key, case_type, opened_on::DATE, closed_on::DATE, status, closure_reason FROM ${from('cases.csv')}`);
  await db.run(`INSERT INTO notes SELECT n.note_key, n.case_key, c.client_id, n.author_key, n.written_at::TIMESTAMP, n.note_type, n.text, sha256(n.text) FROM ${from('notes.csv')} n JOIN cases c ON c.case_id = n.case_key`);
  await db.run('COMMIT');
  const ms = performance.now() - t;
  db.close();
  return ms;
}

function caselensLoad(pipelineFile: string, dbPath: string): { ms: number; peakRssMb: number; report: { totals: Record<string, number>; sources: Array<Record<string, unknown>> } } {
  for (const f of [dbPath, `${dbPath}.wal`]) fs.rmSync(f, { force: true });
  const t = performance.now();
  const r = spawnSync(process.execPath, ['--import', TSX_LOADER, path.join(ROOT, 'src', 'cli.ts'), 'ingest', pipelineFile, '--db', dbPath, '--json'], {
    cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: { ...process.env, CI: '1' },
  });
  const ms = performance.now() - t;
  if (r.status !== 0) throw new Error(`caselens ingest failed (${r.status}): ${r.stderr}`);
  const [report] = JSON.parse(r.stdout);
  return { ms, peakRssMb: report.peakRssMb, report };
}

export async function benchIngest(opts: IngestBenchOptions) {
  fs.mkdirSync(OUT, { recursive: true });
  const dataDir = await ensureData(opts);
  const pipelineFile = pipelineFor(dataDir);
  const rows: Record<string, number> = Object.fromEntries(await Promise.all(SOURCES.map(async (s) => {
    const db = await Db.open(':memory:');
    const n = await db.value<number>(`SELECT count(*) FROM read_csv('${path.join(dataDir, `${s}.csv`)}', header=true, all_varchar=true)`);
    db.close();
    return [s, n] as const;
  })));
  const bytes = SOURCES.reduce((a, s) => a + fs.statSync(path.join(dataDir, `${s}.csv`)).size, 0);
  const native: number[] = [];
  const ours: Array<ReturnType<typeof caselensLoad>> = [];
  for (let i = 0; i < opts.runs; i++) {
    // interleave so drift on a shared machine affects both alike
    native.push(await nativeLoad(dataDir, path.join(OUT, 'native.duckdb')));
    ours.push(caselensLoad(pipelineFile, path.join(OUT, 'caselens.duckdb')));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const totalRows = Object.values(rows).reduce((a, b) => a + b, 0);
  const nativeMs = median(native);
  const oursMs = median(ours.map((o) => o.ms));
  const inProcessMs = median(ours.map((o) => (o.report as unknown as { elapsedMs: number }).elapsedMs));
  const result = {
    date: new Date().toISOString(),
    machine: `${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`,
    rows, totalRows, megabytes: +(bytes / 2 ** 20).toFixed(1), runs: opts.runs,
    nativeMs: Math.round(nativeMs), caselensMs: Math.round(oursMs), caselensInProcessMs: Math.round(inProcessMs),
    nativeRowsPerSec: Math.round(totalRows / (nativeMs / 1000)),
    caselensRowsPerSec: Math.round(totalRows / (oursMs / 1000)),
    ratio: +(nativeMs / oursMs).toFixed(2),
    ratioInProcess: +(nativeMs / inProcessMs).toFixed(2),
    peakRssMb: Math.max(...ours.map((o) => o.peakRssMb)),
    loaded: ours[0]!.report.totals,
  };
  fs.writeFileSync(path.join(OUT, 'ingest.json'), JSON.stringify(result, null, 2));
  return result;
}
