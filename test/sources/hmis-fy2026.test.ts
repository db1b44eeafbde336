/**
 * HMIS CSV FY2026 ("2026 v1", in force from 1 October 2025) side by side with FY2024: version
 * detection, the FY2026 pipeline and value lists, the Eva demo FY2026 export against counts taken
 * from its raw CSV, FY2024 and FY2026 loads of one system into one database, unlisted codes, case
 * managers, and refusals (also through the CLI with --json).
 */
import fs from 'node:fs';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { parsePipelineFile } from '../../src/ingest/index.ts';
import { fiscalYearOf, HmisExportError, ingestHmis, openHmisExport, UnsupportedHmisVersionError, type HmisIngestResult } from '../../src/sources/hmis.ts';
import { buildHmisPipeline, HMIS_PIPELINE_FILES, hmisPipelineYaml } from '../../src/sources/hmis-pipeline.ts';
import { HUD, HUD_FY2026, SEX_GENDER } from '../../src/sources/hmis-values.ts';
import { ingestHmisCommand, type SourceCommandOptions } from '../../src/sources/cli.ts';
import { openStore, type Db } from '../../src/store/index.ts';
import { tempDir, TEST_IDENTITY_KEY } from '../helpers.ts';
import { runCli } from '../support/cli.ts';
import { copyDir, EXAMPLE, expectCountsAddUp, ROOT, sharedDir } from './helpers.ts';

const EVA_2024 = sharedDir('hmis/eva-demo/fy2024_v1.3');
const EVA_2026 = sharedDir('hmis/eva-demo/fy2026_v1_zip/demo.zip');
const MIGRATION = sharedDir('hmis/importer-fixtures/fy2024_to_fy2026_migration');
const SPEC = sharedDir('hmis/spec');
const MIG_IN = MIGRATION && path.join(MIGRATION, 'in', 'merged', 'source');
const MIG_OUT = MIGRATION && path.join(MIGRATION, 'out');

const load = (db: Db, input: string, extra: Partial<Parameters<typeof ingestHmis>[0]> = {}): Promise<HmisIngestResult> =>
  ingestHmis({ db, input, identityKey: TEST_IDENTITY_KEY, rejectLimit: 0.05, dataQuality: false, ...extra });

const raw = (dir: string, file: string) => `read_csv('${path.join(dir, file).replace(/'/g, "''")}', header=true, all_varchar=true)`;
const live = (dir: string, file: string) => `(SELECT * FROM ${raw(dir, file)} WHERE nullif(trim(DateDeleted), '') IS NULL)`;

/** Content of every canonical table, as one string per table (for "nothing changed"). */
async function fingerprint(db: Db): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const t of ['programs', 'staff', 'clients', 'client_pii', 'client_identities', 'cases', 'services', 'assessments']) {
    out[t] = await db.value<string>(`SELECT count(*) || ':' || coalesce(md5(string_agg(x::VARCHAR, '|' ORDER BY x::VARCHAR)), '') FROM (SELECT t AS x FROM ${t} t)`);
  }
  return out;
}

/** PersonalID → client_id of the HMIS clients. */
async function clientIds(db: Db): Promise<Map<string, string>> {
  const rows = await db.all<{ k: string; id: string }>("SELECT source_key AS k, client_id AS id FROM client_identities WHERE source_system = 'hmis'");
  return new Map(rows.map((r) => [r.k, r.id]));
}

/** A made-up FY2022 export: Export.csv "2022 v1.2" and the FY2022 gender columns in Client.csv. */
function fy2022Export(dir: string): string {
  const d = path.join(dir, 'fy2022');
  fs.mkdirSync(d, { recursive: true });
  fs.writeFileSync(path.join(d, 'Export.csv'), 'ExportID,SourceType,SourceName,ExportDate,ExportStartDate,ExportEndDate,SoftwareName,CSVVersion,ExportDirective,HashStatus\r\nX22,1,Old CoC,2022-10-01,2021-10-01,2022-09-30,OldHMIS,2022 v1.2,2,1\r\n');
  fs.writeFileSync(path.join(d, 'Client.csv'), 'PersonalID,FirstName,LastName,Female,Male,NoSingleGender,Transgender,Questioning,GenderNone,DateDeleted\r\n1,A,B,1,0,0,0,0,,\r\n');
  return d;
}

describe('HMIS CSV FY2026: version detection', () => {
  it('reads the fiscal year from CSVVersion loosely', () => {
    expect(['2026 v1', '2026 v1.0', '2026 v1.2', 'FY2026', 'FY 2026', 'fy2026 v1', 'HMIS CSV 2026 v1', 'FY26'].map(fiscalYearOf)).toEqual(Array(8).fill(2026));
    expect(['2024 v1.3', 'FY2024'].map(fiscalYearOf)).toEqual([2024, 2024]);
    expect([null, '', 'v1', 'latest'].map(fiscalYearOf)).toEqual([null, null, null, null]);
  });

  it.skipIf(!MIG_OUT)('accepts "2026 v1.0" and an Export.csv with several rows that agree; refuses rows that disagree', async () => {
    const dir = tempDir();
    const one = await openHmisExport(MIG_OUT!);
    expect(one).toMatchObject({ csvVersion: '2026 v1.0', fiscalYear: 2026, exportId: '1036' });
    one.cleanup();
    const exportCsv = fs.readFileSync(path.join(MIG_OUT!, 'Export.csv'), 'utf8').replace(/\r?\n$/, '');
    const [header, row] = exportCsv.split(/\r?\n/) as [string, string];
    const two = copyDir(MIG_OUT!, path.join(dir, 'two'));
    fs.writeFileSync(path.join(two, 'Export.csv'), `${header}\r\n${row}\r\n${row.replace('1036', '1037').replace('2026 v1.0', 'FY2026')}\r\n`);
    const info = await openHmisExport(two);
    expect(info).toMatchObject({ csvVersion: '2026 v1.0', fiscalYear: 2026, exportId: '1036' });
    info.cleanup();
    const mixed = copyDir(MIG_OUT!, path.join(dir, 'mixed'));
    fs.writeFileSync(path.join(mixed, 'Export.csv'), `${header}\r\n${row}\r\n${row.replace('2026 v1.0', '2024 v1.3')}\r\n`);
    await expect(openHmisExport(mixed)).rejects.toThrow(HmisExportError);
    await expect(openHmisExport(mixed)).rejects.toThrow('Export.csv has 2 rows that disagree on the format (CSVVersion "2026 v1.0", "2024 v1.3")');
  });

  it('refuses FY2022 with a message that says what is accepted, and loads nothing', async () => {
    const dir = tempDir();
    const v2022 = fy2022Export(dir);
    const db = await openStore(path.join(dir, 'db.duckdb'));
    try {
      await expect(load(db, v2022)).rejects.toThrow(UnsupportedHmisVersionError);
      await expect(load(db, v2022)).rejects.toThrow(
        'HMIS CSV FY2022 ("2022 v1.2") is not supported: caselens reads the FY2026 (CSVVersion "2026 v1" … "2026 v1.x") and FY2024 ("2024 v1" … "2024 v1.x") formats ' +
          '(Export.csv CSVVersion is "2022 v1.2"). Export the data from your HMIS in the FY2026 format (or FY2024), or convert it; nothing was loaded',
      );
      // without CSVVersion, Client.csv's FY2022 columns (Female, Male, …) tell
      fs.writeFileSync(path.join(v2022, 'Export.csv'), 'ExportID,CSVVersion\r\nX22,\r\n');
      await expect(load(db, v2022)).rejects.toThrow(/HMIS CSV FY2022 is not supported: .*Client\.csv has the FY2022 columns/);
      expect(await db.value('SELECT count(*) FROM ingest_runs')).toBe(0);
    } finally {
      db.close();
    }
  });

  it('caselens ingest-hmis <FY2022 export> --json prints the refusal as JSON on stdout', async () => {
    const dir = tempDir();
    const v2022 = fy2022Export(dir);
    const r = await runCli(['ingest-hmis', v2022, '--json', '--db', path.join(dir, 'db.duckdb')], dir);
    expect(r.code).toBe(4);
    const doc = JSON.parse(r.stdout) as { status: string; error: { type: string; message: string; exitCode: number } };
    expect(doc).toMatchObject({ status: 'refused', error: { type: 'UnsupportedHmisVersionError', exitCode: 4 } });
    expect(doc.error.message).toMatch(/^HMIS CSV FY2022 \("2022 v1\.2"\) is not supported: caselens reads the FY2026 .* and FY2024 .* formats/);
    expect(r.stderr).toMatch(/error: HMIS CSV FY2022/);
  }, 60_000);
});

describe('HMIS CSV FY2026: the pipeline', () => {
  it('pipelines/hmis-csv-fy2026.yaml is what src/sources/hmis-pipeline.ts builds, and validates without any environment', () => {
    const file = path.join(ROOT, HMIS_PIPELINE_FILES[2026]);
    expect(fs.readFileSync(file, 'utf8')).toBe(hmisPipelineYaml(2026));
    const parsed = parsePipelineFile(file, { baseDir: ROOT, env: {} });
    expect(parsed.problems).toEqual([]);
    expect(parsed.pipeline!.id).toBe('hmis-csv-fy2026');
    expect(parsed.pipeline!.system).toBe('hmis');
  });

  it('differs from FY2024 only where the format does; no coded field but the timepoint rejects a row over an unlisted code', () => {
    const p24 = JSON.stringify(buildHmisPipeline(undefined, 2024));
    const p26 = JSON.stringify(buildHmisPipeline(undefined, 2026));
    expect(p26).toContain('{{Sex}}');
    expect(p26).toContain('{{HispanicLatinao}}');
    expect(p26).not.toContain('{{Woman}}');
    expect(p24).toContain('{{Woman}}');
    expect(p24).not.toContain('{{Sex}}');
    for (const fy of [2024, 2026] as const) {
      const doc = buildHmisPipeline(undefined, fy) as unknown as { sources: Array<{ name: string; fields: Record<string, { allowed?: string[] } | string> }> };
      const withAllowed = doc.sources.flatMap((s) => Object.entries(s.fields).filter(([, f]) => typeof f === 'object' && f.allowed).map(([k]) => `${s.name}.${k}`));
      expect(withAllowed).toEqual(['income.timepoint', 'health_dv.timepoint', 'employment.timepoint']);
      const enrollment = doc.sources.find((s) => s.name === 'enrollment')!;
      expect(Object.keys(enrollment.fields)).not.toContain('manager_key');
    }
  });
});

describe.skipIf(!SPEC)('HMIS value lists FY2026 match Green River\'s machine-readable FY2026 lists (../shared/data/hmis/spec)', () => {
  it('every FY2026 list caselens uses has HUD\'s FY2026 codes, each label HUD\'s wording (FY2026, or FY2024 where the code is unchanged)', () => {
    const norm = (s: string) => s.toLowerCase().replace(/[’‘]/g, "'").replace(/\s*[–—-]\s*/g, '-').replace(/\s+/g, ' ').trim();
    const read = (f: string) => new Map<string, Map<string, string>>(
      (JSON.parse(fs.readFileSync(path.join(SPEC!, f), 'utf8')) as Array<{ code: string; values: Array<{ key: number | string; description: string }> }>)
        .map((l) => [l.code, new Map(l.values.map((v) => [String(v.key), v.description]))]),
    );
    const gr26 = read('greenriver_2026_hud_lists.json');
    const gr24 = read('greenriver_2024_hud_lists.json');
    const alias: Record<string, string> = { '3.12.1': '3.12', 'V8.2': 'V8.1' };
    const fy2024Label = (id: string, code: string) => Object.values(HUD).find((l) => l.id === id || (id === '3.12' && l.id === '3.12.1') || (id === 'V2.3' && l.id === 'W2.2'))?.values[code];
    let checked = 0;
    for (const list of Object.values(HUD_FY2026)) {
      const spec = gr26.get(alias[list.id] ?? list.id);
      expect(spec, `list ${list.id} is in the FY2026 lists`).toBeDefined();
      expect(Object.keys(list.values).sort(), `codes of list ${list.id}`).toEqual([...spec!.keys()].sort());
      for (const [code, label] of Object.entries(list.values)) {
        const wordings = [spec!.get(code), gr24.get(alias[list.id] ?? list.id)?.get(code), fy2024Label(list.id, code)].filter((x): x is string => !!x).map(norm);
        expect(wordings, `${list.id} ${code} "${label}"`).toContain(norm(label));
        checked++;
      }
    }
    expect(checked).toBe(245); // FY2024's 238, less Destination 335, 336, 37, plus SSVF 10, Sex (5) and MentalHealthConsultation (4)
    // the differences the FY2026 pipeline relies on
    expect(HUD_FY2026.ssvfServices.values['10']).toBe('Healthcare Navigation');
    expect(Object.keys(HUD_FY2026.destination.values)).not.toContain('335');
    expect(gr26.get('4.21')!.get('0')).toBe('Female');
  });
});

describe.skipIf(!EVA_2026 || !EVA_2024)('HMIS CSV FY2026: Eva demo export "2026 v1" (zip)', () => {
  it('loads through the FY2026 pipeline with counts as in the raw files, figures as computed from them, and re-loads without change', async () => {
    const dir = tempDir();
    const rawDir = path.join(dir, 'raw');
    fs.mkdirSync(rawDir);
    for (const [name, bytes] of Object.entries(unzipSync(fs.readFileSync(EVA_2026!)))) if (name.endsWith('.csv')) fs.writeFileSync(path.join(rawDir, path.basename(name)), bytes);
    const db = await openStore(path.join(dir, 'eva26.duckdb'));
    try {
      const r = await load(db, EVA_2026!);
      expect(r.report.status).toBe('succeeded');
      expect(r.report.pipeline).toBe('hmis-csv-fy2026');
      expect(r.export).toMatchObject({ csvVersion: '2026 v1', fiscalYear: 2026, exportId: '1036', zipped: true });
      await expectCountsAddUp(db, r.report, expect);
      expect(r.report.totals.rejected).toBe(0);

      const n = (sql: string) => db.value<number>(sql);
      const expected = {
        clients: await n(`SELECT count(DISTINCT PersonalID) FROM ${live(rawDir, 'Client.csv')}`),
        cases: await n(`SELECT count(*) FROM ${live(rawDir, 'Enrollment.csv')}`),
        closed: await n(`SELECT count(DISTINCT x.EnrollmentID) FROM ${live(rawDir, 'Exit.csv')} x JOIN ${live(rawDir, 'Enrollment.csv')} e USING (EnrollmentID)`),
        services: await n(`SELECT count(*) FROM ${live(rawDir, 'Services.csv')}`),
        assessments: await n(`SELECT (SELECT count(*) FROM ${live(rawDir, 'IncomeBenefits.csv')}) + (SELECT count(*) FROM ${live(rawDir, 'HealthAndDV.csv')})
          + (SELECT count(*) FROM ${live(rawDir, 'EmploymentEducation.csv')}) + (SELECT count(*) FROM ${live(rawDir, 'Assessment.csv')})`),
      };
      const got = {
        clients: await n('SELECT count(*) FROM clients'),
        cases: await n('SELECT count(*) FROM cases'),
        closed: await n("SELECT count(*) FROM cases WHERE status = 'closed' AND closed_at IS NOT NULL"),
        services: await n('SELECT count(*) FROM services'),
        assessments: await n('SELECT count(*) FROM assessments'),
      };
      expect(got).toEqual(expected);
      expect(got).toEqual({ clients: 4146, cases: 4771, closed: 4295, services: 4472, assessments: 28947 });

      // gender from Sex (4.21): female, male, the reasons missing; race with the FY2026 column HispanicLatinao
      const sexLabel = (code: string | null) => (code === null ? 'not_recorded' : SEX_GENDER[code] ?? `unlisted code ${code}`);
      const rawSex = await db.all<{ sex: string | null; n: number }>(`SELECT nullif(trim(Sex), '') AS sex, count(*) AS n FROM ${live(rawDir, 'Client.csv')} GROUP BY 1`);
      const genders = Object.fromEntries((await db.all<{ gender: string; n: number }>('SELECT gender, count(*) AS n FROM clients GROUP BY 1')).map((x) => [x.gender, x.n]));
      expect(genders).toEqual(Object.fromEntries(rawSex.map((x) => [sexLabel(x.sex), x.n])));
      expect(Object.keys(genders).sort()).toEqual(['Client doesn\'t know', 'Client prefers not to answer', 'Data not collected', 'female', 'male', 'not_recorded']);
      expect(await n("SELECT count(*) FROM clients WHERE contains(race_ethnicity, 'Hispanic/Latina/e/o')")).toBe(await n(`SELECT count(*) FROM ${live(rawDir, 'Client.csv')} WHERE HispanicLatinao = '1'`));

      // closure reasons as the FY2026 Destination list labels the raw exits (the latest exit of each enrolment)
      const rawDest = await db.all<{ d: string; n: number }>(`
        SELECT d, count(*) AS n FROM (SELECT arg_max(nullif(trim(Destination), ''), ExitDate) AS d FROM ${live(rawDir, 'Exit.csv')} GROUP BY EnrollmentID) GROUP BY 1`);
      const reasons = Object.fromEntries((await db.all<{ r: string; n: number }>('SELECT closure_reason AS r, count(*) AS n FROM cases WHERE closure_reason IS NOT NULL GROUP BY 1')).map((x) => [x.r, x.n]));
      expect(reasons).toEqual(Object.fromEntries(rawDest.map((x) => [(HUD_FY2026.destination.values as Record<string, string>)[x.d] ?? `unlisted code ${x.d}`, x.n])));

      // no case manager without a mapping, and the notes say why; services keep the user who recorded them
      expect(await n('SELECT count(*) FROM cases WHERE manager_id IS NOT NULL')).toBe(0);
      expect(r.notes.some((x) => x.startsWith('4771 case(s) have no manager: HMIS CSV has no case-manager field'))).toBe(true);
      expect(await n('SELECT count(*) FROM services WHERE staff_id IS NOT NULL')).toBe(
        await n(`SELECT count(*) FROM ${live(rawDir, 'Services.csv')} s WHERE s.UserID IN (SELECT UserID FROM ${live(rawDir, 'User.csv')})`),
      );

      const before = await fingerprint(db);
      const again = await load(db, EVA_2026!);
      expect(again.report.totals).toMatchObject({ inserted: 0, updated: 0, rejected: 0 });
      expect(await fingerprint(db)).toEqual(before);
    } finally {
      db.close();
    }
  }, 120_000);

  it('FY2024 then FY2026 of the same system into one database: every PersonalID keeps its client ID', async () => {
    const dir = tempDir();
    const db = await openStore(path.join(dir, 'both.duckdb'));
    try {
      const r24 = await load(db, EVA_2024!);
      expect(r24.report.pipeline).toBe('hmis-csv');
      const ids24 = await clientIds(db);
      const cases24 = await db.value<number>('SELECT count(*) FROM cases');
      const r26 = await load(db, EVA_2026!);
      expect(r26.report.status).toBe('succeeded');
      expect(r26.report.pipeline).toBe('hmis-csv-fy2026');
      const ids26 = await clientIds(db);
      // The two demo exports hold the same 4,146 PersonalIDs: none is added, each keeps its client ID.
      expect(ids24.size).toBe(4146);
      expect(ids26).toEqual(ids24);
      expect(await db.value('SELECT count(*) FROM clients')).toBe(4146);
      expect(r26.report.sources.find((s) => s.source === 'client')).toMatchObject({ inserted: 0 });
      expect(r26.report.sources.find((s) => s.source === 'enrollment')).toMatchObject({ inserted: 0 });
      expect(await db.value('SELECT count(*) FROM cases')).toBe(cases24);
    } finally {
      db.close();
    }
  }, 120_000);
});

describe.skipIf(!MIG_IN || !MIG_OUT)('HMIS CSV FY2026: Green River\'s FY2024 → FY2026 migration pair', () => {
  it('loading the FY2024 "in" then the FY2026 "out" keeps client IDs and agrees on case types, closure reasons and relationships; gender is what the conversion left', async () => {
    const dir = tempDir();
    const db = await openStore(path.join(dir, 'mig.duckdb'));
    try {
      const r24 = await load(db, MIG_IN!);
      expect(r24.report.status).toBe('succeeded');
      expect(r24.export.fiscalYear).toBe(2024);
      const ids24 = await clientIds(db);
      const casesSql = 'SELECT case_id, client_id, program_id, case_type, closure_reason, status, closed_at, relationship_to_hoh, household_id FROM cases ORDER BY case_id';
      const cases24 = await db.all(casesSql);
      const clients24 = await db.all<{ client_id: string; gender: string; race_ethnicity: string; veteran: string }>('SELECT client_id, gender, race_ethnicity, veteran FROM clients ORDER BY 1');
      const services24 = await db.all('SELECT service_id, service_type, delivered_at FROM services ORDER BY 1');

      const r26 = await load(db, MIG_OUT!);
      expect(r26.report.status).toBe('succeeded');
      expect(r26.export).toMatchObject({ csvVersion: '2026 v1.0', fiscalYear: 2026 });
      expect(await clientIds(db)).toEqual(ids24);
      expect(ids24.size).toBe(514);
      // enrolments, exits and services did not change in the conversion: neither do their canonical rows
      expect(await db.all(casesSql)).toEqual(cases24);
      expect(r26.report.sources.find((s) => s.source === 'enrollment')).toMatchObject({ inserted: 0, updated: 0 });
      expect(await db.all('SELECT service_id, service_type, delivered_at FROM services ORDER BY 1')).toEqual(services24);
      const closures = await db.all<{ r: string; n: number }>('SELECT closure_reason AS r, count(*) AS n FROM cases GROUP BY 1 ORDER BY 1');
      expect(closures.reduce((a, x) => a + (x.r ? x.n : 0), 0)).toBe(447);

      // race and veteran status agree; gender does not: the conversion leaves Sex empty for every client (it moved the FY2024
      // gender answers to its own CustomGender.csv, which is not a HUD file), so FY2026 gives "not_recorded" where FY2024 had an answer.
      const clients26 = await db.all<{ client_id: string; gender: string; race_ethnicity: string; veteran: string }>('SELECT client_id, gender, race_ethnicity, veteran FROM clients ORDER BY 1');
      expect(clients26.map(({ gender: _g, ...c }) => c)).toEqual(clients24.map(({ gender: _g, ...c }) => c));
      expect(await db.value(`SELECT count(*) FROM ${live(MIG_OUT!, 'Client.csv')} WHERE nullif(trim(Sex), '') IS NOT NULL`)).toBe(0);
      expect(new Set(clients26.map((c) => c.gender))).toEqual(new Set(['not_recorded']));
      expect(clients24.filter((c) => c.gender === 'female' || c.gender === 'male').length).toBeGreaterThan(400);
      expect(r26.report.sources.find((s) => s.source === 'client')).toMatchObject({ inserted: 0, updated: clients24.filter((c) => c.gender !== 'not_recorded').length });
    } finally {
      db.close();
    }
  }, 120_000);

  it('an unlisted Destination (419) keeps its enrolment, closed, with the code visible; SSVF option 10 is FY2026\'s "Healthcare Navigation"', async () => {
    const dir = tempDir();
    const out = copyDir(MIG_OUT!, path.join(dir, 'out'));
    const exitRows = fs.readFileSync(path.join(out, 'Exit.csv'), 'utf8').split(/\r?\n/);
    const cols = exitRows[0]!.split(',');
    const first = exitRows[1]!.split(',');
    const enrollmentId = first[cols.indexOf('EnrollmentID')]!;
    first[cols.indexOf('Destination')] = '419';
    exitRows[1] = first.join(',');
    fs.writeFileSync(path.join(out, 'Exit.csv'), exitRows.join('\r\n'));
    const svc = fs.readFileSync(path.join(out, 'Services.csv'), 'utf8').split(/\r?\n/);
    const scols = svc[0]!.split(',');
    const s1 = svc[1]!.split(',');
    const serviceId = s1[scols.indexOf('ServicesID')]!;
    s1[scols.indexOf('RecordType')] = '144';
    s1[scols.indexOf('TypeProvided')] = '10';
    svc[1] = s1.join(',');
    fs.writeFileSync(path.join(out, 'Services.csv'), svc.join('\r\n'));
    const db = await openStore(path.join(dir, 'db.duckdb'));
    try {
      const r = await load(db, out);
      expect(r.report.status).toBe('succeeded');
      expect(r.report.totals.rejected).toBe(0);
      expect(r.report.sources.find((s) => s.source === 'exit')).toMatchObject({ read: 447, loaded: 447, rejected: 0 });
      expect(await db.one(`SELECT status, closure_reason, closed_at IS NOT NULL AS closed FROM cases WHERE case_id = 'hmis:${enrollmentId}'`)).toEqual({
        status: 'closed', closure_reason: 'unlisted code 419', closed: true,
      });
      expect(await db.value(`SELECT service_type FROM services WHERE service_id = 'hmis:${serviceId}'`)).toBe('SSVF service: Healthcare Navigation');
    } finally {
      db.close();
    }
  }, 120_000);
});

describe('HMIS CSV: case managers', () => {
  it('no manager by default; a mapping file EnrollmentID,UserID gives them (unknown users left out, with a note); a conflicting one is refused', async () => {
    const dir = tempDir();
    const db = await openStore(path.join(dir, 'db.duckdb'));
    try {
      const plain = await load(db, EXAMPLE);
      expect(await db.value('SELECT count(*) FROM cases WHERE manager_id IS NOT NULL')).toBe(0);
      expect(plain.notes).toContain(
        "5 case(s) have no manager: HMIS CSV has no case-manager field (an enrolment's UserID is only whoever last entered or updated it, so it is not used as the manager); " +
          'to assign managers, give a mapping file with columns EnrollmentID,UserID (ingest-hmis --managers FILE)',
      );
      // services keep the user who delivered or recorded them
      expect(await db.value('SELECT count(*) FROM services WHERE staff_id IS NOT NULL')).toBeGreaterThan(0);

      const managers = path.join(dir, 'case-managers.csv');
      fs.writeFileSync(managers, 'EnrollmentID,UserID\r\nE1,U2\r\nE2,U1\r\nE2,U1\r\nE3,U9\r\n');
      const r = await load(db, EXAMPLE, { managers });
      expect(r.report.status).toBe('succeeded');
      expect(await db.all('SELECT case_id, manager_id FROM cases ORDER BY 1')).toEqual([
        { case_id: 'hmis:E1', manager_id: 'hmis:U2' }, { case_id: 'hmis:E2', manager_id: 'hmis:U1' }, { case_id: 'hmis:E3', manager_id: null },
        { case_id: 'hmis:E4', manager_id: null }, { case_id: 'hmis:E5', manager_id: null },
      ]);
      expect(r.notes).toContain('case-managers.csv: 1 row(s) name a UserID that User.csv does not list (U9): those enrolments get no manager');
      expect(r.notes).toContain('3 case(s) have no manager: their enrolment is not in case-managers.csv, or the UserID given there is empty or not listed in User.csv');

      // the same through the command's option
      const out: string[] = [];
      const o: SourceCommandOptions = { db, identityKey: TEST_IDENTITY_KEY, rejectLimit: 0.05, json: true, out: (s) => out.push(s), printIngest: () => {}, root: ROOT, managers };
      await ingestHmisCommand([EXAMPLE], o);
      expect((JSON.parse(out[0]!) as { hmis: { notes: string[] } }).hmis.notes).toContain('case-managers.csv: 1 row(s) name a UserID that User.csv does not list (U9): those enrolments get no manager');

      fs.writeFileSync(managers, 'EnrollmentID,UserID\r\nE1,U2\r\nE1,U1\r\n');
      await expect(load(db, EXAMPLE, { managers })).rejects.toThrow('gives more than one manager for an enrolment (EnrollmentID E1: UserID U1, U2)');
      fs.writeFileSync(managers, 'EnrollmentID,StaffID\r\nE1,U2\r\n');
      await expect(load(db, EXAMPLE, { managers })).rejects.toThrow(/needs the columns EnrollmentID and UserID .* found EnrollmentID, StaffID/);
      await expect(load(db, EXAMPLE, { managers: path.join(dir, 'nope.csv') })).rejects.toThrow(/managers file .*nope\.csv: not found/);
    } finally {
      db.close();
    }
  }, 120_000);
});
