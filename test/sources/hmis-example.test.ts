/**
 * HMIS CSV on caselens' own example export (data/hmis-example): mapping decisions, idempotence,
 * zips, and the oddities of real exports (BOM, dd-mm-yy, quoted line breaks, mixed line endings,
 * missing files), and versions that are refused.
 */
import fs from 'node:fs';
import path from 'node:path';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { runKpi } from '../../src/kpi/index.ts';
import { parsePipelineFile } from '../../src/ingest/index.ts';
import { HMIS_PIPELINE_FILE, HmisExportError, hmisPipelineYaml, ingestHmis, UnsupportedHmisVersionError, type HmisIngestResult } from '../../src/sources/index.ts';
import type { Db } from '../../src/store/index.ts';
import { snapshot, tempDir, TEST_IDENTITY_KEY, withDb } from '../helpers.ts';
import { copyDir, EXAMPLE, expectCountsAddUp, ROOT } from './helpers.ts';

const load = (db: Db, input: string, extra: Partial<Parameters<typeof ingestHmis>[0]> = {}): Promise<HmisIngestResult> =>
  ingestHmis({ db, input, identityKey: TEST_IDENTITY_KEY, rejectLimit: 0.05, dataQuality: false, ...extra });

const bySource = (r: HmisIngestResult) => Object.fromEntries(r.report.sources.map((s) => [s.source, s]));

function zipFolder(dir: string, prefix: string): Uint8Array {
  const entries: Record<string, Uint8Array> = {};
  for (const f of fs.readdirSync(dir)) if (f.endsWith('.csv')) entries[`${prefix}${f}`] = fs.readFileSync(path.join(dir, f));
  return zipSync(entries);
}

describe('HMIS CSV: the ready pipeline', () => {
  it('pipelines/hmis-csv.yaml is what src/sources/hmis-pipeline.ts builds, and validates without any environment', () => {
    expect(fs.readFileSync(path.join(ROOT, HMIS_PIPELINE_FILE), 'utf8')).toBe(hmisPipelineYaml());
    const parsed = parsePipelineFile(path.join(ROOT, HMIS_PIPELINE_FILE), { baseDir: ROOT, env: {} });
    expect(parsed.problems).toEqual([]);
    expect(parsed.pipeline!.sources.map((s) => `${s.name}→${s.table}`)).toEqual([
      'project→programs', 'user→staff', 'client→clients', 'enrollment→cases', 'services→services',
      'income→assessments', 'health_dv→assessments', 'employment→assessments', 'ce_assessment→assessments',
    ]);
  });
});

describe('HMIS CSV: the example export', () => {
  it('maps every file as documented and accounts for every row', async () => {
    const dir = tempDir();
    await withDb(path.join(dir, 'db.duckdb'), async (db) => {
      const r = await load(db, EXAMPLE);
      expect(r.report.status).toBe('succeeded');
      await expectCountsAddUp(db, r.report, expect);
      const s = bySource(r);
      expect(s.client).toMatchObject({ read: 5, loaded: 4, deleted: 1, rejected: 0 });
      expect(s.enrollment).toMatchObject({ read: 6, loaded: 5, deleted: 1, rejected: 0 });
      expect(s.exit).toMatchObject({ read: 3, loaded: 3, rejected: 0 });
      expect(r.export).toMatchObject({ csvVersion: '2024 v1.3', fiscalYear: 2024, exportId: 'EX-2024-001', hashStatus: '1', zipped: false });
      expect(r.missingFiles).toEqual([]);
      expect(r.notLoaded.map((f) => f.file)).toContain('Funder.csv');

      expect(await db.all('SELECT program_id, name, program_type FROM programs ORDER BY 1')).toEqual([
        { program_id: 'hmis:10', name: 'Harbor Emergency Shelter (Harbor Housing Alliance)', program_type: 'Emergency Shelter - Entry Exit' },
        { program_id: 'hmis:11', name: 'Harbor Rapid Re-Housing (Harbor Housing Alliance)', program_type: 'PH - Rapid Re-Housing' },
        { program_id: 'hmis:20', name: 'Northside Case Management (Northside Family Services)', program_type: 'Services Only' },
      ]);
      expect(await db.all('SELECT staff_id, name, role FROM staff ORDER BY 1')).toEqual([
        { staff_id: 'hmis:U1', name: 'Dana Reyes', role: 'worker' }, { staff_id: 'hmis:U2', name: 'Sam Okafor', role: 'worker' },
      ]);
      const cases = await db.all<Record<string, unknown>>(`
        SELECT i.source_key AS person, c.case_id, c.program_id, c.manager_id, c.case_type, strftime(c.opened_at, '%Y-%m-%d') AS opened,
               strftime(c.closed_at, '%Y-%m-%d') AS closed, c.status, c.closure_reason, c.household_id, c.relationship_to_hoh
        FROM cases c JOIN client_identities i USING (client_id) ORDER BY c.case_id`);
      expect(cases).toEqual([
        { person: '101', case_id: 'hmis:E1', program_id: 'hmis:10', manager_id: null, case_type: 'Emergency Shelter - Entry Exit', opened: '2024-01-05', closed: '2024-01-31', status: 'closed', closure_reason: 'Rental by client, with ongoing housing subsidy', household_id: 'HH1', relationship_to_hoh: 'Self (head of household)' },
        { person: '103', case_id: 'hmis:E2', program_id: 'hmis:10', manager_id: null, case_type: 'Emergency Shelter - Entry Exit', opened: '2024-01-05', closed: '2024-01-31', status: 'closed', closure_reason: 'Rental by client, with ongoing housing subsidy', household_id: 'HH1', relationship_to_hoh: "Head of household's child" },
        { person: '101', case_id: 'hmis:E3', program_id: 'hmis:11', manager_id: null, case_type: 'PH - Rapid Re-Housing', opened: '2024-02-01', closed: null, status: 'open', closure_reason: null, household_id: 'HH2', relationship_to_hoh: 'Self (head of household)' },
        { person: '102', case_id: 'hmis:E4', program_id: 'hmis:11', manager_id: null, case_type: 'PH - Rapid Re-Housing', opened: '2024-03-01', closed: '2024-06-28', status: 'closed', closure_reason: 'Rental by client, no ongoing housing subsidy', household_id: 'HH3', relationship_to_hoh: 'Self (head of household)' },
        { person: '104', case_id: 'hmis:E5', program_id: 'hmis:20', manager_id: null, case_type: 'Services Only', opened: '2024-04-10', closed: null, status: 'open', closure_reason: null, household_id: 'HH4', relationship_to_hoh: 'Self (head of household)' },
      ]);
      expect(await db.all(`SELECT i.source_key AS person, c.gender, c.race_ethnicity, c.veteran, c.birth_year, p.first_name, p.last_name, strftime(p.dob, '%Y-%m-%d') AS dob, p.national_id
        FROM clients c JOIN client_pii p USING (client_id) JOIN client_identities i USING (client_id) ORDER BY 1`)).toEqual([
        { person: '101', gender: 'female', race_ethnicity: 'Hispanic/Latina/e/o; White', veteran: 'no', birth_year: 1990, first_name: 'Ana', last_name: 'Lopez', dob: '1990-01-02', national_id: null },
        { person: '102', gender: 'male', race_ethnicity: 'Black, African American, or African', veteran: 'yes', birth_year: 1985, first_name: 'Ben', last_name: 'Carter', dob: '1985-05-06', national_id: '123456789' },
        { person: '103', gender: 'male', race_ethnicity: 'Hispanic/Latina/e/o; White', veteran: 'unknown', birth_year: 2015, first_name: 'Cy', last_name: 'Lopez', dob: '2015-04-01', national_id: null },
        { person: '104', gender: 'non_binary', race_ethnicity: 'Asian or Asian American', veteran: 'no', birth_year: 1978, first_name: 'Dee', last_name: 'Nguyen', dob: '1978-09-09', national_id: null },
      ]);
      expect(await db.all('SELECT service_id, service_type, staff_id, status FROM services ORDER BY 1')).toEqual([
        { service_id: 'hmis:S1', service_type: 'Bed night', staff_id: 'hmis:U1', status: 'delivered' },
        { service_id: 'hmis:S2', service_type: 'Bed night', staff_id: 'hmis:U1', status: 'delivered' },
        { service_id: 'hmis:S3', service_type: 'Bed night', staff_id: 'hmis:U1', status: 'delivered' },
        { service_id: 'hmis:S4', service_type: 'SSVF service: Case management services', staff_id: 'hmis:U2', status: 'delivered' },
        { service_id: 'hmis:S5', service_type: 'SSVF financial assistance: Rental assistance', staff_id: 'hmis:U2', status: 'delivered' },
      ]);
      expect(await db.all(`SELECT assessment_id, case_id, timepoint, total_score FROM assessments WHERE instrument_id = 'hmis_income' ORDER BY 1`)).toEqual([
        { assessment_id: 'hmis:hmis_income:I1', case_id: 'hmis:E1', timepoint: 'baseline', total_score: 0 },
        { assessment_id: 'hmis:hmis_income:I2', case_id: 'hmis:E1', timepoint: 'exit', total_score: 0 },
        { assessment_id: 'hmis:hmis_income:I3', case_id: 'hmis:E3', timepoint: 'baseline', total_score: 0 },
        { assessment_id: 'hmis:hmis_income:I4', case_id: 'hmis:E3', timepoint: 'interim', total_score: 650 },
        { assessment_id: 'hmis:hmis_income:I5', case_id: 'hmis:E4', timepoint: 'baseline', total_score: 900 },
        { assessment_id: 'hmis:hmis_income:I6', case_id: 'hmis:E4', timepoint: 'exit', total_score: 1300 },
        { assessment_id: 'hmis:hmis_income:I7', case_id: 'hmis:E5', timepoint: 'baseline', total_score: 500 },
      ]);
      const items = JSON.parse(await db.value<string>(`SELECT items::VARCHAR FROM assessments WHERE assessment_id = 'hmis:hmis_income:I6'`));
      expect(items).toMatchObject({
        stage: 'Project exit', income_from_any_source: 'Yes', total_monthly_income: 1300,
        income_sources: [{ source: 'Earned income', amount: 400 }, { source: 'Social Security Disability Insurance (SSDI)', amount: 900 }],
        insurance: ['Medicaid'],
      });
      expect(await db.all(`SELECT instrument_id, count(*) AS n FROM assessments GROUP BY 1 ORDER BY 1`)).toEqual([
        { instrument_id: 'hmis_ce_assessment', n: 1 }, { instrument_id: 'hmis_employment', n: 2 }, { instrument_id: 'hmis_health_dv', n: 2 }, { instrument_id: 'hmis_income', n: 7 },
      ]);
      const ce = JSON.parse(await db.value<string>(`SELECT items::VARCHAR FROM assessments WHERE instrument_id = 'hmis_ce_assessment'`));
      expect(ce).toEqual({ location: 'Northside office', type: 'In Person', level: 'Housing Needs Assessment', prioritization_status: 'Placed on prioritization list' });

      // Income at entry → latest, through the change-from-baseline KPI.
      const kpi = await runKpi(db, 'change-from-baseline', { instrument: 'hmis_income', asOf: '2024-12-31' }, {
        framework: null, config: { change: { measures: { hmis_income: { reliableChange: 100, direction: 'higher_is_better' } } } },
      });
      expect(kpi.rows).toHaveLength(1);
      // client 101: first episode E1 (0 → 0); client 102: E4 (900 → 1300); client 104: baseline only
      expect(kpi.rows[0]).toMatchObject({ instrument_id: 'hmis_income', paired: 2, baseline_mean: 450, followup_mean: 650, mean_change: 200, baseline_only: 1, improved: 1, unchanged: 1 });
    });
  });

  it('re-loading the same export changes nothing; a zip (with a folder inside) loads the same as the folder', async () => {
    const dir = tempDir();
    const zip = path.join(dir, 'export.zip');
    fs.writeFileSync(zip, zipFolder(EXAMPLE, 'HMIS export 2024-07-01/'));
    const fromFolder = await withDb(path.join(dir, 'a.duckdb'), async (db) => {
      await load(db, EXAMPLE);
      return snapshot(db);
    });
    await withDb(path.join(dir, 'b.duckdb'), async (db) => {
      const r = await load(db, zip);
      expect(r.export.zipped).toBe(true);
      expect(await snapshot(db)).toBe(fromFolder);
      const again = await load(db, zip);
      expect(again.report.totals).toMatchObject({ inserted: 0, updated: 0, rejected: 0 });
      expect(again.report.totals.unchanged).toBe(r.report.totals.loaded);
      expect(await snapshot(db)).toBe(fromFolder);
    });
  });

  it('reads what real exports do: BOM, LF or CRLF, dd-mm-yy and mm/dd/yyyy dates, quoted line breaks, mixed line endings, missing files', async () => {
    const dir = tempDir();
    const messy = copyDir(EXAMPLE, path.join(dir, 'messy'));
    const edit = (file: string, fn: (s: string) => string) => fs.writeFileSync(path.join(messy, file), fn(fs.readFileSync(path.join(messy, file), 'utf8')));
    edit('Client.csv', (s) => '\uFEFF' + s.replace(/\r\n/g, '\n'));
    edit('Enrollment.csv', (s) => s.replace('E1,101,10,2024-01-05', 'E1,101,10,05-01-24').replace('E4,102,11,2024-03-01', 'E4,102,11,03/01/2024'));
    edit('Project.csv', (s) => s.replace('Harbor Emergency Shelter', '"Harbor Emergency\r\nShelter"'));
    // Exit.csv: header line ends in LF, the rows in CRLF
    edit('Exit.csv', (s) => s.replace('\r\n', '\n'));
    fs.rmSync(path.join(messy, 'Services.csv'));
    fs.writeFileSync(path.join(messy, 'HealthAndDV.csv'), '');
    await withDb(path.join(dir, 'db.duckdb'), async (db) => {
      const r = await load(db, messy);
      expect(r.report.status).toBe('succeeded');
      await expectCountsAddUp(db, r.report, expect);
      expect(r.report.totals.rejected).toBe(0);
      expect(r.missingFiles).toEqual(['HealthAndDV.csv', 'Services.csv']);
      expect(r.notes).toEqual(expect.arrayContaining([
        'HealthAndDV.csv: empty (0 bytes); nothing loaded from it, and records it would have fed are unchanged',
        'Services.csv: not in the export; nothing loaded from it, and records it would have fed are unchanged',
        expect.stringMatching(/^Exit\.csv: mixed line endings \(3 line\(s\) end in CRLF, first at line 2; 1 in LF, first at line 1\): read from a copy with LF endings/),
      ]));
      expect(bySource(r).services).toBeUndefined();
      expect(await db.value('SELECT count(*) FROM services')).toBe(0);
      expect(await db.all(`SELECT case_id, strftime(opened_at, '%Y-%m-%d') AS opened FROM cases WHERE case_id IN ('hmis:E1', 'hmis:E4') ORDER BY 1`)).toEqual([
        { case_id: 'hmis:E1', opened: '2024-01-05' }, { case_id: 'hmis:E4', opened: '2024-03-01' },
      ]);
      expect(await db.value(`SELECT name FROM programs WHERE program_id = 'hmis:10'`)).toBe('Harbor Emergency\r\nShelter (Harbor Housing Alliance)');
      expect(await db.value(`SELECT count(*) FROM clients`)).toBe(4);
      expect(await db.value(`SELECT count(*) FROM cases WHERE status = 'closed'`)).toBe(3);
    });
  });

  it('keeps a code outside HUD\'s list visible as "unlisted code" and loads the row, and points bad exits at their line', async () => {
    const dir = tempDir();
    const bad = copyDir(EXAMPLE, path.join(dir, 'bad'));
    const edit = (file: string, fn: (s: string) => string) => fs.writeFileSync(path.join(bad, file), fn(fs.readFileSync(path.join(bad, file), 'utf8')));
    edit('Enrollment.csv', (s) => s.replace('HH4,1,', 'HH4,7,')); // RelationshipToHoH 7 is not on HUD's list 3.15.1
    edit('Exit.csv', (s) => s + 'X9,E404,999,2024-05-05,410,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,2024-07-01 09:00:00,2024-07-01 09:00:00,U1,,EX-2024-001\r\n');
    await withDb(path.join(dir, 'db.duckdb'), async (db) => {
      const r = await load(db, bad, { rejectLimit: 0.5 });
      await expectCountsAddUp(db, r.report, expect);
      const rejects = await db.all<Record<string, unknown>>('SELECT source, file, line, field, value, code, reason FROM ingest_rejects ORDER BY source, line');
      // the enrolment with RelationshipToHoH 7 loads (and so do its assessments); only the exit of an unknown enrolment is rejected
      expect(rejects).toEqual([
        expect.objectContaining({ source: 'exit', file: 'Exit.csv', line: 5, field: 'EnrollmentID', value: 'E404', code: 'unknown_reference' }),
      ]);
      expect(rejects[0]!.reason).toMatch(/exit for enrolment "E404", which is not among the loaded enrolments/);
      expect(await db.value("SELECT relationship_to_hoh FROM cases WHERE case_id = 'hmis:E5'")).toBe('unlisted code 7');
    });
  });

  it('refuses other CSV versions before loading anything, and says which versions it reads', async () => {
    const dir = tempDir();
    const v2022 = copyDir(EXAMPLE, path.join(dir, 'fy2022'));
    fs.writeFileSync(path.join(v2022, 'Export.csv'), fs.readFileSync(path.join(v2022, 'Export.csv'), 'utf8').replace('2024 v1.3', '2022 v1.2'));
    fs.rmSync(path.join(v2022, 'Client.csv'));
    const mismatch = copyDir(EXAMPLE, path.join(dir, 'mismatch'));
    fs.writeFileSync(path.join(mismatch, 'Client.csv'), 'PersonalID,FirstName,Sex\r\n1,A,0\r\n');
    const notExport = path.join(dir, 'empty');
    fs.mkdirSync(notExport);
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'hello');
    await withDb(path.join(dir, 'db.duckdb'), async (db) => {
      await expect(load(db, v2022)).rejects.toThrow(UnsupportedHmisVersionError);
      await expect(load(db, v2022)).rejects.toThrow(/HMIS CSV FY2022 \("2022 v1\.2"\) is not supported: caselens reads the FY2026 \(CSVVersion "2026 v1" … "2026 v1\.x"\) and FY2024 \("2024 v1" … "2024 v1\.x"\) formats/);
      await expect(load(db, mismatch)).rejects.toThrow(/CSVVersion says "2024 v1\.3" but Client\.csv has the FY2026 columns \(Sex\)/);
      await expect(load(db, notExport)).rejects.toThrow(HmisExportError);
      await expect(load(db, notExport)).rejects.toThrow(/no Export\.csv found/);
      await expect(load(db, path.join(dir, 'notes.txt'))).rejects.toThrow(/neither a folder nor a zip file/);
      await expect(load(db, path.join(dir, 'nowhere'))).rejects.toThrow(/not found/);
      expect(await db.value('SELECT count(*) FROM ingest_runs')).toBe(0);
    });
  });
});
