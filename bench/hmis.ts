/**
 * bench/hmis: loading a HUD HMIS CSV export (the Eva demo, FY2024, from ../shared/data) with
 * `ingestHmis` (version check, file preparation, the hmis-csv pipeline with its checks, value
 * labels, joins, identity, merge, exit accounting; one transaction), against DuckDB's own read
 * of the same files into the same tables (`INSERT … SELECT FROM read_csv`, casts only, no
 * checks), measured in the same run. The export is also replicated ×N (keys suffixed) to see
 * throughput at a size where per-statement overheads no longer dominate.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ingestHmis } from '../src/sources/index.ts';
import { Db, openStore } from '../src/store/index.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const OUT = path.join(ROOT, 'bench', 'out');
const EVA = path.resolve(ROOT, '..', 'shared', 'data', 'hmis', 'eva-demo', 'fy2024_v1.3');
const KEY = '5eed'.repeat(16);

export interface HmisBenchOptions {
  /** replication factors of the export; 1 = as published */
  scales: number[];
  runs: number;
  /** export folder (default: the Eva demo in ../shared/data) */
  source?: string;
}

const FILES = ['Project', 'Organization', 'User', 'Client', 'Enrollment', 'Exit', 'Services', 'IncomeBenefits', 'HealthAndDV', 'EmploymentEducation', 'Assessment'] as const;
/** files whose rows are copied ×N (people and their records); projects, organisations and users stay as they are */
const REPLICATED = new Set(['Client', 'Enrollment', 'Exit', 'Services', 'IncomeBenefits', 'HealthAndDV', 'EmploymentEducation', 'Assessment']);
const KEEP_IDS = new Set(['ExportID', 'ProjectID', 'OrganizationID', 'UserID']);

const q = (s: string) => `'${s.replace(/'/g, "''")}'`;
const csv = (dir: string, f: string) => `read_csv(${q(path.join(dir, `${f}.csv`))}, header=true, all_varchar=true)`;

/** Writes the export ×n: every *ID of a person's records gets a suffix per copy, so keys stay unique and references intact. */
async function replicate(source: string, n: number): Promise<string> {
  if (n === 1) return source;
  const dir = path.join(OUT, `hmis-x${n}`);
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

/** DuckDB alone: the same files into the same (empty) tables, casts only. */
async function nativeLoad(dir: string, dbPath: string): Promise<number> {
  for (const f of [dbPath, `${dbPath}.wal`]) fs.rmSync(f, { force: true });
  const db = await openStore(dbPath);
  const t = performance.now();
  await db.run('BEGIN TRANSACTION');
  await db.run(`INSERT INTO programs (program_id, name, program_type) SELECT 'hmis:' || p.ProjectID, p.ProjectName, p.ProjectType FROM ${csv(dir, 'Project')} p LEFT JOIN ${csv(dir, 'Organization')} o USING (OrganizationID)`);
  await db.run(`INSERT INTO staff (staff_id, name, role) SELECT 'hmis:' || UserID, concat_ws(' ', UserFirstName, UserLastName), 'worker' FROM ${csv(dir, 'User')}`);
  await db.run(`CREATE TEMP TABLE _c AS SELECT * FROM ${csv(dir, 'Client')}`);
  await db.run(`INSERT INTO clients (client_id, veteran, birth_year, first_seen_at) SELECT PersonalID, VeteranStatus, year(DOB::DATE), now()::TIMESTAMP FROM _c`);
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

async function caselensLoad(dir: string, dbPath: string) {
  for (const f of [dbPath, `${dbPath}.wal`]) fs.rmSync(f, { force: true });
  const db = await openStore(dbPath);
  const t = performance.now();
  const r = await ingestHmis({ db, input: dir, identityKey: KEY, rejectLimit: 0.05 });
  const ms = performance.now() - t;
  db.close();
  return { ms, totals: r.report.totals };
}

export async function benchHmis(opts: HmisBenchOptions = { scales: [1, 20], runs: 3 }) {
  const source = opts.source ?? EVA;
  if (!fs.existsSync(path.join(source, 'Export.csv'))) throw new Error(`${source}: no HMIS export here (the Eva demo lives in ../shared/data/hmis/eva-demo)`);
  fs.mkdirSync(OUT, { recursive: true });
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const results = [];
  for (const scale of opts.scales) {
    const dir = await replicate(source, scale);
    const bytes = FILES.reduce((a, f) => a + (fs.existsSync(path.join(dir, `${f}.csv`)) ? fs.statSync(path.join(dir, `${f}.csv`)).size : 0), 0);
    const native: number[] = [];
    const ours: Array<Awaited<ReturnType<typeof caselensLoad>>> = [];
    const runs = scale === 1 ? opts.runs : Math.max(1, Math.min(opts.runs, 2));
    for (let i = 0; i < runs; i++) {
      // interleaved, so drift on a shared machine affects both alike
      native.push(await nativeLoad(dir, path.join(OUT, 'hmis-native.duckdb')));
      ours.push(await caselensLoad(dir, path.join(OUT, 'hmis-caselens.duckdb')));
    }
    const rows = ours[0]!.totals.read;
    const nativeMs = median(native);
    const oursMs = median(ours.map((o) => o.ms));
    results.push({
      scale, rows, megabytes: +(bytes / 2 ** 20).toFixed(1), runs,
      nativeMs: Math.round(nativeMs), caselensMs: Math.round(oursMs),
      nativeRowsPerSec: Math.round(rows / (nativeMs / 1000)), caselensRowsPerSec: Math.round(rows / (oursMs / 1000)),
      ratio: +(nativeMs / oursMs).toFixed(2),
      loaded: ours[0]!.totals,
    });
  }
  const result = {
    date: new Date().toISOString(),
    machine: `${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`,
    source: path.relative(ROOT, source), results,
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
  fs.writeFileSync(path.join(OUT, 'hmis.json'), JSON.stringify(result, null, 2));
  return result;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  const quick = process.argv.includes('--quick');
  const r = await benchHmis(quick ? { scales: [1], runs: 1 } : { scales: [1, 20], runs: 3 });
  console.log(JSON.stringify(r, null, 2));
  console.log('\n| export | rows | DuckDB read_csv → insert | caselens ingestHmis | ratio |');
  for (const x of r.results) {
    console.log(`| ×${x.scale} (${x.megabytes} MB) | ${x.rows.toLocaleString()} | ${(x.nativeMs / 1000).toFixed(2)} s (${x.nativeRowsPerSec.toLocaleString()} rows/s) | ${(x.caselensMs / 1000).toFixed(2)} s (${x.caselensRowsPerSec.toLocaleString()} rows/s) | ${x.ratio}× |`);
  }
}
