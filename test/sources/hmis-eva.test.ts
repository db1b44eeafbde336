/**
 * HMIS CSV on a real (de-identified) export: HUD Data Lab / Eva demo, FY2024 v1.3, 24 files.
 * Every figure is checked against an independent computation over the raw CSV files.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runKpi } from '../../src/kpi/index.ts';
import { HUD, ingestHmis, parseCsv } from '../../src/sources/index.ts';
import { openStore, type Db } from '../../src/store/index.ts';
import { tempDir, TEST_IDENTITY_KEY } from '../helpers.ts';
import { expectCountsAddUp, sharedDir } from './helpers.ts';

const EVA = sharedDir('hmis/eva-demo/fy2024_v1.3');
const EVA_2026 = sharedDir('hmis/eva-demo/fy2026_v1_zip/demo.zip');

const csv = (file: string) => `read_csv(${JSON.stringify(path.join(EVA ?? '', file)).replace(/"/g, "'")}, header=true, all_varchar=true)`;

/** Content of every canonical table, as one string per table (for "nothing changed"). */
async function fingerprint(db: Db): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const t of ['programs', 'staff', 'clients', 'client_pii', 'client_identities', 'cases', 'services', 'assessments']) {
    out[t] = await db.value<string>(`SELECT count(*) || ':' || coalesce(md5(string_agg(x::VARCHAR, '|' ORDER BY x::VARCHAR)), '') FROM (SELECT t AS x FROM ${t} t)`);
  }
  return out;
}

describe.skipIf(!EVA)('HMIS CSV: Eva demo export FY2024 v1.3 (../shared/data/hmis/eva-demo)', () => {
  it('loads with every row accounted for, counts as in the files, figures as computed from the raw CSV, and re-loads without change', async () => {
    const dir = tempDir();
    const db = await openStore(path.join(dir, 'eva.duckdb'));
    try {
      const r = await ingestHmis({ db, input: EVA!, identityKey: TEST_IDENTITY_KEY, rejectLimit: 0.05, dataQuality: false });
      expect(r.report.status).toBe('succeeded');
      expect(r.export).toMatchObject({ csvVersion: '2024 v1.3', fiscalYear: 2024, exportId: '1036', hashStatus: '4' });
      await expectCountsAddUp(db, r.report, expect);

      // Every source read exactly the data rows of its file.
      const rowsIn = (file: string) => parseCsv(fs.readFileSync(path.join(EVA!, file), 'utf8')).length - 1;
      const read = Object.fromEntries(r.report.sources.map((s) => [s.source, s.read]));
      expect(read).toEqual({
        project: rowsIn('Project.csv'), user: rowsIn('User.csv'), client: rowsIn('Client.csv'), enrollment: rowsIn('Enrollment.csv'), exit: rowsIn('Exit.csv'),
        services: rowsIn('Services.csv'), income: rowsIn('IncomeBenefits.csv'), health_dv: rowsIn('HealthAndDV.csv'), employment: rowsIn('EmploymentEducation.csv'),
        ce_assessment: rowsIn('Assessment.csv'),
      });
      // The figures HUD's files give: 4,146 clients, 4,771 enrolments, 4,295 exits.
      expect(read.client).toBe(4146);
      expect(await db.value('SELECT count(*) FROM clients')).toBe(4146);
      expect(await db.value("SELECT count(*) FROM client_identities WHERE source_system = 'hmis'")).toBe(4146);
      expect(await db.value('SELECT count(*) FROM cases')).toBe(4771);
      expect(await db.value("SELECT count(*) FROM cases WHERE status = 'closed' AND closed_at IS NOT NULL")).toBe(4295);
      expect(r.report.sources.find((s) => s.source === 'exit')).toMatchObject({ read: 4295, loaded: 4295, rejected: 0 });
      // No rejects: the 18 bed nights (RecordType 200) with TypeProvided 2, which HUD's list 4.14 does not have, load with the code visible.
      expect(await db.value('SELECT count(*) FROM ingest_rejects')).toBe(0);
      expect(await db.value("SELECT count(*) FROM services WHERE service_type = 'Bed night: unlisted code 2'")).toBe(18);
      // Hashed names: the name rule is off, and the load says so.
      expect(r.notes.some((n) => /hashed \(HashStatus 4/.test(n))).toBe(true);

      // Median case length per project type: the resolution-time KPI against the raw files.
      const raw = await db.all<{ type: string; n: number; median: number }>(`
        SELECT p.ProjectType AS type, count(*) AS n, median(x.ExitDate::DATE - e.EntryDate::DATE) AS median
        FROM ${csv('Enrollment.csv')} e JOIN ${csv('Exit.csv')} x USING (EnrollmentID) JOIN ${csv('Project.csv')} p USING (ProjectID)
        GROUP BY 1`);
      const kpi = await runKpi(db, 'resolution-time', { by: 'case_type' }, { framework: null });
      const got = Object.fromEntries(kpi.rows.filter((row) => !row.is_total).map((row) => [row.group, { n: row.cases, median: row.median_days }]));
      expect(got).toEqual(Object.fromEntries(raw.map((x) => [HUD.projectType.values[x.type], { n: x.n, median: x.median }])));
      expect(Object.keys(got).length).toBeGreaterThanOrEqual(7);

      // Income at entry and at exit, per enrolment, exactly as in IncomeBenefits.csv (DataCollectionStage 1 and 3).
      const rawIncome = `SELECT EnrollmentID, DataCollectionStage AS stage,
          CASE WHEN nullif(TotalMonthlyIncome, '') IS NOT NULL THEN TotalMonthlyIncome::DOUBLE WHEN IncomeFromAnySource = '0' THEN 0 END AS v, InformationDate::DATE AS d, IncomeBenefitsID AS id
        FROM ${csv('IncomeBenefits.csv')} WHERE DateDeleted IS NULL`;
      const pairs = `SELECT b.EnrollmentID, b.v AS entry, x.v AS exit FROM (${rawIncome}) b JOIN (${rawIncome}) x USING (EnrollmentID) WHERE b.stage = '1' AND x.stage = '3' AND b.v IS NOT NULL AND x.v IS NOT NULL`;
      const loadedPairs = `SELECT substr(b.case_id, 6) AS EnrollmentID, b.total_score AS entry, x.total_score AS exit FROM assessments b JOIN assessments x USING (case_id)
        WHERE b.instrument_id = 'hmis_income' AND x.instrument_id = 'hmis_income' AND b.timepoint = 'baseline' AND x.timepoint = 'exit' AND b.total_score IS NOT NULL AND x.total_score IS NOT NULL`;
      const nPairs = await db.value<number>(`SELECT count(*) FROM (${pairs})`);
      expect(nPairs).toBeGreaterThan(2500);
      expect(await db.value(`SELECT count(*) FROM ((${pairs}) EXCEPT ALL (${loadedPairs}))`)).toBe(0);
      expect(await db.value(`SELECT count(*) FROM ((${loadedPairs}) EXCEPT ALL (${pairs}))`)).toBe(0);

      // …and through the change-from-baseline KPI (per enrolment), against the same definition over the raw files:
      // baseline = first income record within 30 days of entry, follow-up = the last one after it.
      const change = await runKpi(db, 'change-from-baseline', { instrument: 'hmis_income', unit: 'episode', asOf: '2030-01-01' }, {
        framework: null, config: { change: { measures: { hmis_income: { reliableChange: 100, direction: 'higher_is_better' } } } },
      });
      const expected = await db.one<{ paired: number; base: number; follow: number; change: number; baseline_only: number }>(`
        WITH i AS (${rawIncome}),
        a AS (SELECT i.*, e.EntryDate::DATE AS entry, 'hmis:hmis_income:' || i.id AS aid FROM i JOIN ${csv('Enrollment.csv')} e USING (EnrollmentID) WHERE i.v IS NOT NULL),
        ep AS (
          SELECT EnrollmentID, min(d) FILTER (WHERE d BETWEEN entry - 30 AND entry + 30) AS base_at,
                 arg_min(v, (d, aid)) FILTER (WHERE d BETWEEN entry - 30 AND entry + 30) AS base, max(d) AS last_at, arg_max(v, (d, aid)) AS last
          FROM a GROUP BY 1)
        SELECT count(*) FILTER (WHERE last_at > base_at) AS paired, avg(base) FILTER (WHERE last_at > base_at) AS base,
               avg(last) FILTER (WHERE last_at > base_at) AS follow, avg(last - base) FILTER (WHERE last_at > base_at) AS change,
               count(*) FILTER (WHERE base IS NOT NULL AND NOT last_at > base_at) AS baseline_only
        FROM ep`);
      const row = change.rows[0]!;
      expect(row.paired).toBe(expected!.paired);
      expect(row.baseline_only).toBe(expected!.baseline_only);
      expect(row.baseline_mean as number).toBeCloseTo(expected!.base, 6);
      expect(row.followup_mean as number).toBeCloseTo(expected!.follow, 6);
      expect(row.mean_change as number).toBeCloseTo(expected!.change, 6);
      expect(expected!.paired).toBeGreaterThan(2500);

      // Re-loading the same export changes nothing.
      const before = await fingerprint(db);
      const again = await ingestHmis({ db, input: EVA!, identityKey: TEST_IDENTITY_KEY, rejectLimit: 0.05, dataQuality: false });
      expect(again.report.totals).toMatchObject({ inserted: 0, updated: 0, rejected: 0 });
      expect(await fingerprint(db)).toEqual(before);
    } finally {
      db.close();
    }
  });

  it.skipIf(!EVA_2026)('loads the FY2026 export (zip) of the same system through the FY2026 pipeline (details: hmis-fy2026.test.ts)', async () => {
    const db = await openStore(':memory:');
    try {
      const r = await ingestHmis({ db, input: EVA_2026!, identityKey: TEST_IDENTITY_KEY, rejectLimit: 0.05, dataQuality: false });
      expect(r.report.status).toBe('succeeded');
      expect(r.export).toMatchObject({ csvVersion: '2026 v1', fiscalYear: 2026, exportId: '1036' });
      expect(r.report.pipeline).toBe('hmis-csv-fy2026');
      expect(await db.value('SELECT count(*) FROM clients')).toBeGreaterThan(4000);
    } finally {
      db.close();
    }
  });
});
