/**
 * bench/hmis: loading a HUD HMIS CSV export (the Eva demo from ../shared/data, in its FY2024 and
 * FY2026 formats) with `ingestHmis` (version check, file preparation, the hmis-csv pipeline of the
 * export's version with its checks, value labels, joins, identity, merge, deletes and the
 * dangling-reference check, exit accounting, one transaction; then the data-quality report),
 * against DuckDB's own read of the same files into the same tables (`INSERT … SELECT FROM
 * read_csv`, casts only, no checks), measured in the same run. Each export is also replicated ×N
 * (keys suffixed) to see throughput at a size where per-statement overheads no longer dominate.
 *
 * Every measured load runs in a process of its own (started, then timed inside), so each gets its
 * own peak RSS; reference and caselens runs are interleaved.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { danglingReferences } from '../src/ingest/deletes.ts';
import { ingestHmis, type HmisTimings } from '../src/sources/hmis.ts';
import { extractZip } from '../src/sources/zip.ts';
import { Db, openStore } from '../src/store/index.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const OUT = path.join(ROOT, 'bench', 'out');
const EVA = path.resolve(ROOT, '..', 'shared', 'data', 'hmis', 'eva-demo');
const KEY = '5eed'.repeat(16);

type Fy = 2024 | 2026;
/** The Eva demo export of each format: FY2024 as a folder, FY2026 as a zip (extracted once into bench/out). */
export const HMIS_BENCH_EXPORTS: Record<Fy, string> = {
  2024: path.join(EVA, 'fy2024_v1.3'),
  2026: path.join(EVA, 'fy2026_v1_zip', 'demo.zip'),
};

export interface HmisBenchOptions {
  /** replication factors of the export; 1 = as published */
  scales: number[];
  runs: number;
  /** formats to run (default both) */
  fiscalYears?: Fy[];
  /** export folder or zip per format (default: the Eva demo in ../shared/data) */
  sources?: Partial<Record<Fy, string>>;
  log?: (line: string) => void;
}

const FILES = ['Project', 'Organization', 'User', 'Client', 'Enrollment', 'Exit', 'Services', 'IncomeBenefits', 'HealthAndDV', 'EmploymentEducation', 'Assessment'] as const;
/** files whose rows are copied ×N (people and their records); projects, organisations and users stay as they are */
const REPLICATED = new Set(['Client', 'Enrollment', 'Exit', 'Services', 'IncomeBenefits', 'HealthAndDV', 'EmploymentEducation', 'Assessment']);
const KEEP_IDS = new Set(['ExportID', 'ProjectID', 'OrganizationID', 'UserID']);

const q = (s: string) => `'${s.replace(/'/g, "''")}'`;
const csv = (dir: string, f: string) => `read_csv(${q(path.join(dir, `${f}.csv`))}, header=true, all_varchar=true)`;

/** The export as a folder: a zip is extracted once into bench/out. */
async function exportFolder(source: string, fy: Fy): Promise<string> {
  if (fs.statSync(source).isDirectory()) return source;
  const dir = path.join(OUT, `hmis-fy${fy}-x1`);
  if (fs.existsSync(path.join(dir, '.complete'))) return dir;
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  await extractZip(source, dir, (name) => /\.csv$/i.test(name) && !name.startsWith('__MACOSX/'));
  if (!fs.existsSync(path.join(dir, 'Export.csv'))) throw new Error(`${source}: no Export.csv at the top of the zip`);
  fs.writeFileSync(path.join(dir, '.complete'), '');
  return dir;
}

/** Writes the export ×n: every *ID of a person's records gets a suffix per copy, so keys stay unique and references intact. */
async function replicate(source: string, n: number, fy: Fy): Promise<string> {
  if (n === 1) return source;
  const dir = path.join(OUT, `hmis-fy${fy}-x${n}`);
  if (fs.existsSync(path.join(dir, '.complete'))) return dir;
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const db = await Db.open(':memory:');
  try {
    for (const f of fs.readdirSync(source).filter((x) => x.endsWith('.csv'))) {
      const name = f.slice(0, -4);
      if (!REPLICATED.has(name) || fs.statSync(path.join(source, f)).size === 0) {
        fs.copyFileSync(path.join(source, f), path.join(dir, f));
        continue;
      }
      const cols = (await db.all<{ column_name: string }>(`DESCRIBE SELECT * FROM ${csv(source, name)}`)).map((c) => c.column_name);
      const select = cols.map((c) => (/ID$/.test(c) && !KEEP_IDS.has(c) ? `CASE WHEN k = 0 OR "${c}" IS NULL THEN "${c}" ELSE "${c}" || '_' || k END AS "${c}"` : `"${c}"`)).join(', ');
      await db.run(`COPY (SELECT ${select} FROM ${csv(source, name)}, range(${n}) r(k)) TO ${q(path.join(dir, f))} (FORMAT csv, HEADER true)`);
    }
  } finally {
    db.close();
  }
  fs.writeFileSync(path.join(dir, '.complete'), '');
  return dir;
}

/** The first line of a CSV file as column names. */
function header(file: string): string[] {
  const first = fs.readFileSync(file, 'utf8').split(/\r?\n/, 1)[0] ?? '';
  return first.split(',').map((h) => h.trim().replace(/^"|"$/g, ''));
}

/**
 * Client columns that differ between the formats: FY2024 has one 0/1 column per gender (Woman,
 * Man, …) and HispanicLatinaeo; FY2026 has Sex (0 female, 1 male) and HispanicLatinao.
 */
function clientDemographics(dir: string, fy: Fy): { gender: string; race: string } {
  const cols = new Set(header(path.join(dir, 'Client.csv')));
  const need = fy === 2026 ? ['Sex', 'HispanicLatinao'] : ['Woman', 'Man', 'NonBinary', 'HispanicLatinaeo'];
  const gone = need.filter((c) => !cols.has(c));
  if (gone.length) throw new Error(`${dir}/Client.csv: no column ${gone.join(', ')}; not an FY${fy} export`);
  const gender = fy === 2026
    ? `CASE Sex WHEN '0' THEN 'female' WHEN '1' THEN 'male' END`
    : `CASE WHEN Woman = '1' THEN 'female' WHEN Man = '1' THEN 'male' WHEN NonBinary = '1' THEN 'non_binary' END`;
  const race = ['AmIndAKNative', 'Asian', 'BlackAfAmerican', fy === 2026 ? 'HispanicLatinao' : 'HispanicLatinaeo', 'MidEastNAfrican', 'NativeHIPacific', 'White']
    .map((c) => `CASE WHEN ${c} = '1' THEN '${c}' END`).join(', ');
  return { gender, race: `nullif(concat_ws('; ', ${race}), '')` };
}

/** DuckDB alone: the same files into the same (empty) tables, casts only. */
async function nativeLoad(dir: string, fy: Fy, dbPath: string): Promise<number> {
  for (const f of [dbPath, `${dbPath}.wal`]) fs.rmSync(f, { force: true });
  const db = await openStore(dbPath);
  const { gender, race } = clientDemographics(dir, fy);
  const t = performance.now();
  await db.run('BEGIN TRANSACTION');
  await db.run(`INSERT INTO programs (program_id, name, program_type) SELECT 'hmis:' || p.ProjectID, p.ProjectName, p.ProjectType FROM ${csv(dir, 'Project')} p LEFT JOIN ${csv(dir, 'Organization')} o USING (OrganizationID)`);
  await db.run(`INSERT INTO staff (staff_id, name, role) SELECT 'hmis:' || UserID, concat_ws(' ', UserFirstName, UserLastName), 'worker' FROM ${csv(dir, 'User')}`);
  await db.run(`CREATE TEMP TABLE _c AS SELECT * FROM ${csv(dir, 'Client')}`);
  await db.run(`INSERT INTO clients (client_id, gender, race_ethnicity, veteran, birth_year, first_seen_at) SELECT PersonalID, ${gender}, ${race}, VeteranStatus, year(DOB::DATE), now()::TIMESTAMP FROM _c`);
  await db.run(`INSERT INTO client_pii (client_id, first_name, last_name, dob, national_id) SELECT PersonalID, FirstName, LastName, DOB::DATE, SSN FROM _c`);
  await db.run(`INSERT INTO cases (case_id, client_id, program_id, manager_id, opened_at, closed_at, status, closure_reason, household_id, relationship_to_hoh)
    SELECT 'hmis:' || e.EnrollmentID, e.PersonalID, 'hmis:' || e.ProjectID, 'hmis:' || e.UserID, e.EntryDate::DATE, x.ExitDate::DATE,
           CASE WHEN x.ExitDate IS NULL THEN 'open' ELSE 'closed' END, x.Destination, e.HouseholdID, e.RelationshipToHoH
    FROM ${csv(dir, 'Enrollment')} e LEFT JOIN ${csv(dir, 'Exit')} x USING (EnrollmentID)`);
  await db.run(`INSERT INTO services (service_id, case_id, service_type, staff_id, delivered_at, status)
    SELECT 'hmis:' || ServicesID, 'hmis:' || EnrollmentID, RecordType || ':' || TypeProvided, 'hmis:' || UserID, DateProvided::TIMESTAMP, 'delivered' FROM ${csv(dir, 'Services')}`);
  for (const [file, id, instrument, score] of [
    ['IncomeBenefits', 'IncomeBenefitsID', 'hmis_income', 'TotalMonthlyIncome::DOUBLE'],
    ['HealthAndDV', 'HealthAndDVID', 'hmis_health_dv', 'NULL'],
    ['EmploymentEducation', 'EmploymentEducationID', 'hmis_employment', 'Employed::DOUBLE'],
  ] as const) {
    await db.run(`INSERT INTO assessments (assessment_id, client_id, case_id, instrument_id, administered_at, timepoint, total_score)
      SELECT 'hmis:${instrument}:' || ${id}, PersonalID, 'hmis:' || EnrollmentID, '${instrument}', InformationDate::DATE, DataCollectionStage, ${score} FROM ${csv(dir, file)}`);
  }
  await db.run(`INSERT INTO assessments (assessment_id, client_id, case_id, instrument_id, administered_at)
    SELECT 'hmis:hmis_ce_assessment:' || AssessmentID, PersonalID, 'hmis:' || EnrollmentID, 'hmis_ce_assessment', AssessmentDate::DATE FROM ${csv(dir, 'Assessment')}`);
  await db.run('COMMIT');
  const ms = performance.now() - t;
  db.close();
  return ms;
}

interface CaselensRun {
  ms: number;
  timings: Required<HmisTimings>;
  /** one danglingReferences call on the loaded database (the load makes two: before and after) */
  danglingMs: number;
  totals: { read: number; loaded: number; rejected: number; deleted: number };
  fiscalYear: number;
}

async function caselensLoad(dir: string, dbPath: string): Promise<CaselensRun> {
  for (const f of [dbPath, `${dbPath}.wal`]) fs.rmSync(f, { force: true });
  const db = await openStore(dbPath);
  const timings: HmisTimings = {};
  const t = performance.now();
  const r = await ingestHmis({ db, input: dir, identityKey: KEY, rejectLimit: 0.05, timings });
  const ms = performance.now() - t;
  if (r.report.status !== 'succeeded') throw new Error(`${dir}: the load failed: ${r.report.message}`);
  const t2 = performance.now();
  await danglingReferences(db);
  const danglingMs = performance.now() - t2;
  db.close();
  const { read, loaded, rejected, deleted } = r.report.totals;
  return { ms, timings: timings as Required<HmisTimings>, danglingMs, totals: { read, loaded, rejected, deleted }, fiscalYear: r.export.fiscalYear };
}

interface ChildJob {
  engine: 'native' | 'caselens';
  dir: string;
  fy: Fy;
  dbPath: string;
}

/** Runs one load in a process of its own; returns its result and the process's peak RSS. */
function inChild<T>(job: ChildJob): T & { peakRssMb: number } {
  const out = execFileSync(process.execPath, ['--import', 'tsx', import.meta.filename, '--child', JSON.stringify(job)], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 24 });
  const last = out.trim().split('\n').pop()!;
  return JSON.parse(last) as T & { peakRssMb: number };
}

async function runChild(job: ChildJob): Promise<void> {
  const r = job.engine === 'native' ? { ms: await nativeLoad(job.dir, job.fy, job.dbPath) } : await caselensLoad(job.dir, job.dbPath);
  console.log(JSON.stringify({ ...r, peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) }));
}

const loadAverage = () => os.loadavg().map((x) => +x.toFixed(2));

export async function benchHmis(opts: HmisBenchOptions = { scales: [1, 20], runs: 3 }) {
  const log = opts.log ?? (() => undefined);
  fs.mkdirSync(OUT, { recursive: true });
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const results = [];
  const loadBefore = loadAverage();
  for (const fy of opts.fiscalYears ?? ([2024, 2026] as Fy[])) {
    const given = opts.sources?.[fy] ?? HMIS_BENCH_EXPORTS[fy];
    if (!fs.existsSync(given)) throw new Error(`${given}: no HMIS export here (the Eva demo lives in ../shared/data/hmis/eva-demo)`);
    const source = await exportFolder(given, fy);
    for (const scale of opts.scales) {
      const dir = await replicate(source, scale, fy);
      const bytes = FILES.reduce((a, f) => a + (fs.existsSync(path.join(dir, `${f}.csv`)) ? fs.statSync(path.join(dir, `${f}.csv`)).size : 0), 0);
      const native: Array<{ ms: number; peakRssMb: number }> = [];
      const ours: Array<CaselensRun & { peakRssMb: number }> = [];
      const runs = scale === 1 ? opts.runs : Math.max(1, Math.min(opts.runs, 2));
      for (let i = 0; i < runs; i++) {
        // interleaved, so drift on a shared machine affects both alike
        native.push(inChild({ engine: 'native', dir, fy, dbPath: path.join(OUT, 'hmis-native.duckdb') }));
        ours.push(inChild({ engine: 'caselens', dir, fy, dbPath: path.join(OUT, 'hmis-caselens.duckdb') }));
        log(`  FY${fy} ×${scale} run ${i + 1}/${runs}: native ${(native.at(-1)!.ms / 1000).toFixed(2)} s, caselens ${(ours.at(-1)!.ms / 1000).toFixed(2)} s (load ${(ours.at(-1)!.timings.loadMs / 1000).toFixed(2)} s, data quality ${(ours.at(-1)!.timings.dataQualityMs / 1000).toFixed(2)} s), load average ${loadAverage().join(' ')}`);
      }
      if (ours[0]!.fiscalYear !== fy) throw new Error(`${dir}: loaded as FY${ours[0]!.fiscalYear}, expected FY${fy}`);
      const rows = ours[0]!.totals.read;
      const nativeMs = median(native.map((n) => n.ms));
      const nativeBestMs = Math.min(...native.map((n) => n.ms));
      // the caselens run with the median total, and the fastest; their splits as they were measured
      const byTime = [...ours].sort((a, b) => a.ms - b.ms);
      const mid = byTime[Math.floor(ours.length / 2)]!;
      const best = byTime[0]!;
      const splitOf = (o: CaselensRun) => ({
        loadMs: Math.round(o.timings.loadMs), dataQualityMs: Math.round(o.timings.dataQualityMs), prepareMs: Math.round(o.timings.prepareMs),
        restMs: Math.round(o.ms - o.timings.loadMs - o.timings.dataQualityMs),
        danglingCheckMs: Math.round(o.danglingMs),
      });
      const split = splitOf(mid);
      results.push({
        fiscalYear: fy, scale, rows, megabytes: +(bytes / 2 ** 20).toFixed(1), runs,
        nativeMs: Math.round(nativeMs), caselensMs: Math.round(mid.ms),
        nativeRowsPerSec: Math.round(rows / (nativeMs / 1000)), caselensRowsPerSec: Math.round(rows / (mid.ms / 1000)),
        ratio: +(nativeMs / mid.ms).toFixed(2),
        ratioLoadOnly: +(nativeMs / mid.timings.loadMs).toFixed(2),
        split,
        // fastest run of each: on a shared machine the least disturbed
        best: { nativeMs: Math.round(nativeBestMs), caselensMs: Math.round(best.ms), ratio: +(nativeBestMs / best.ms).toFixed(2), ratioLoadOnly: +(nativeBestMs / best.timings.loadMs).toFixed(2), split: splitOf(best) },
        allRuns: { nativeMs: native.map((n) => Math.round(n.ms)), caselensMs: ours.map((o) => Math.round(o.ms)) },
        peakRssMb: { native: Math.max(...native.map((n) => n.peakRssMb)), caselens: Math.max(...ours.map((o) => o.peakRssMb)) },
        loaded: ours[0]!.totals,
      });
    }
  }
  const result = {
    date: new Date().toISOString(),
    machine: `${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`,
    loadAverage: { before: loadBefore, after: loadAverage() },
    sources: Object.fromEntries((opts.fiscalYears ?? [2024, 2026]).map((fy) => [fy, path.relative(ROOT, opts.sources?.[fy] ?? HMIS_BENCH_EXPORTS[fy])])),
    results,
  };
  fs.writeFileSync(path.join(OUT, 'hmis.json'), JSON.stringify(result, null, 2));
  return result;
}

const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** The results as the Markdown table of bench/RESULTS.md: medians, and the fastest run of each in brackets. */
export function hmisBenchTable(r: Awaited<ReturnType<typeof benchHmis>>): string {
  const lines = [
    '| export | rows | runs | DuckDB read_csv → insert | caselens ingestHmis | ratio | load (runPipeline) | data-quality report | rest (open, scans, prepare) | ratio, load only | peak RSS caselens / DuckDB |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const x of r.results) {
    const b = x.best;
    lines.push(`| FY${x.fiscalYear} ×${x.scale} (${x.megabytes} MB) | ${x.rows.toLocaleString('en')} | ${x.runs} | ${s(x.nativeMs)} (${s(b.nativeMs)}) | ${s(x.caselensMs)} (${s(b.caselensMs)}) | **${x.ratio}×** (${b.ratio}×) | ` +
      `${s(x.split.loadMs)} (${s(b.split.loadMs)}) | ${s(x.split.dataQualityMs)} (${s(b.split.dataQualityMs)}) | ${s(x.split.restMs)} (${s(b.split.restMs)}) | ${x.ratioLoadOnly}× (${b.ratioLoadOnly}×) | ${x.peakRssMb.caselens} / ${x.peakRssMb.native} MB |`);
  }
  return lines.join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  const child = process.argv.indexOf('--child');
  if (child > 0) {
    await runChild(JSON.parse(process.argv[child + 1]!) as ChildJob);
  } else {
    // node --import tsx bench/hmis.ts [--quick] [--fy 2024] [--scales 1,20] [--runs 3]
    const arg = (name: string) => {
      const i = process.argv.indexOf(name);
      return i > 0 ? process.argv[i + 1] : undefined;
    };
    const quick = process.argv.includes('--quick');
    const fy = arg('--fy');
    const r = await benchHmis({
      scales: arg('--scales')?.split(',').map(Number) ?? (quick ? [1] : [1, 20]),
      runs: Number(arg('--runs') ?? (quick ? 1 : 3)),
      ...(fy ? { fiscalYears: [Number(fy) as Fy] } : {}),
      log: console.log,
    });
    console.log(JSON.stringify(r, null, 2));
    console.log(`\n${hmisBenchTable(r)}`);
  }
}
