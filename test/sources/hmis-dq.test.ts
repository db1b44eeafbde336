/**
 * The HMIS data-quality report (src/sources/hmis-dq.ts, `caselens dq`): problems planted in a copy
 * of data/hmis-example are each counted exactly; an absent file is "not checked"; no personal data
 * reaches the data_quality table; and on the Eva demo export, figures match counts computed here
 * independently over the raw CSV files.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { hmisDataQuality, type DqRow } from '../../src/sources/hmis-dq.ts';
import { extractZip, ingestHmis } from '../../src/sources/index.ts';
import { Db, lit, openStore } from '../../src/store/index.ts';
import { tempDir, TEST_IDENTITY_KEY } from '../helpers.ts';
import { runCli } from '../support/cli.ts';
import { copyDir, EXAMPLE, ROOT, sharedDir } from './helpers.ts';

const EVA = sharedDir('hmis/eva-demo/fy2024_v1.3');
const EVA_2026 = sharedDir('hmis/eva-demo/fy2026_v1_zip/demo.zip');

/** Edits a CSV of the example export (no quoted values there; lines end in CRLF). */
function editCsv(dir: string, file: string, edit: (rows: string[][], header: string[]) => string[][]): void {
  const p = path.join(dir, file);
  const [header, ...rows] = fs.readFileSync(p, 'utf8').split(/\r?\n/).filter((l) => l !== '').map((l) => l.split(','));
  fs.writeFileSync(p, [header!, ...edit(rows, header!)].map((r) => r.join(',')).join('\r\n') + '\r\n');
}

const set = (header: string[], row: string[], values: Record<string, string>): string[] => {
  const out = [...row];
  for (const [k, v] of Object.entries(values)) {
    const i = header.indexOf(k);
    if (i < 0) throw new Error(`no column ${k}`);
    out[i] = v;
  }
  return out;
};

/**
 * data/hmis-example with these problems planted (export end date 2024-06-30):
 * - exit X5 of enrolment E5 (entry 2024-04-10) dated 2024-04-01: exit before entry; E5's income
 *   record I7 (2024-04-10, at entry) then lies after its exit;
 * - exit X2's Destination 419: not in HUD's list;
 * - client 102's DOB empty;
 * - service S6 of E1 on 2024-02-10, after E1's exit on 2024-01-31;
 * - enrolment E7 of client 104 in the emergency shelter (project 10, type 0) from 2023-05-27,
 *   without an exit: open 400 days at 2024-06-30 (ES expects 90);
 * - enrolment E8 repeating E1 (client 101, project 10, 2024-01-05), exited with E1 (X8): a
 *   duplicate entry, and two overlapping shelter stays (E1 and E8).
 */
function plantedExport(): string {
  const dir = copyDir(EXAMPLE, path.join(tempDir('caselens-dq-'), 'export'));
  editCsv(dir, 'Exit.csv', (rows, h) => {
    const x1 = rows.find((r) => r[0] === 'X1')!;
    return [
      ...rows.map((r) => (r[0] === 'X2' ? set(h, r, { Destination: '419' }) : r)),
      set(h, x1, { ExitID: 'X5', EnrollmentID: 'E5', PersonalID: '104', ExitDate: '2024-04-01', Destination: '410', DestinationSubsidyType: '' }),
      set(h, x1, { ExitID: 'X8', EnrollmentID: 'E8' }),
    ];
  });
  editCsv(dir, 'Client.csv', (rows, h) => rows.map((r) => (r[0] === '102' ? set(h, r, { DOB: '' }) : r)));
  editCsv(dir, 'Services.csv', (rows, h) => [...rows, set(h, rows.find((r) => r[0] === 'S2')!, { ServicesID: 'S6', DateProvided: '2024-02-10' })]);
  editCsv(dir, 'Enrollment.csv', (rows, h) => {
    const e1 = rows.find((r) => r[0] === 'E1')!;
    return [
      ...rows,
      set(h, e1, { EnrollmentID: 'E7', PersonalID: '104', HouseholdID: 'HH7', EntryDate: '2023-05-27' }),
      set(h, e1, { EnrollmentID: 'E8', HouseholdID: 'HH8' }),
    ];
  });
  return dir;
}

const find = (rows: DqRow[], file: string, field: string, check: string): DqRow => {
  const r = rows.find((x) => x.file === file && x.field === field && x.check === check);
  if (!r) throw new Error(`no check ${file} ${field} ${check}`);
  return r;
};

/** Every row with a problem: "file field check" → count (the planted problems and nothing else). */
const problems = (rows: DqRow[]) => Object.fromEntries(rows.filter((r) => (r.problems ?? 0) > 0).map((r) => [`${r.file} ${r.field} ${r.check}`, r.problems]));

describe('HMIS data quality (caselens dq)', () => {
  it('counts each planted problem exactly, with example ids, and stores the report', async () => {
    const exportDir = plantedExport();
    const db = await openStore(path.join(tempDir(), 'dq.duckdb'));
    try {
      // the unchanged example has one known gap only: client 103's veteran status is 99
      const clean = await hmisDataQuality(db, EXAMPLE, { runId: 1, system: 'hmis' });
      expect(problems(clean.rows)).toEqual({ 'Client.csv VeteranStatus missing': 1 });

      const { rows, summary } = await hmisDataQuality(db, exportDir, { runId: 2, system: 'hmis' });
      expect(problems(rows)).toEqual({
        'Exit.csv ExitDate exit_before_entry': 1,
        'Exit.csv Destination unlisted': 1,
        'Client.csv DOB missing': 1,
        'Client.csv VeteranStatus missing': 1,
        'Services.csv DateProvided service_after_exit': 1,
        'Enrollment.csv EntryDate long_stay': 1,
        'Enrollment.csv PersonalID / ProjectID / EntryDate duplicate_enrollment': 1,
        'Enrollment.csv EntryDate / Exit.ExitDate overlapping_stays': 2,
        'IncomeBenefits.csv InformationDate information_date_outside_enrollment': 1,
      });
      expect(find(rows, 'Exit.csv', 'ExitDate', 'exit_before_entry')).toMatchObject({ severity: 'error', idField: 'ExitID', exampleIds: ['X5'], rowsChecked: 5 });
      const dest = find(rows, 'Exit.csv', 'Destination', 'unlisted');
      expect(dest).toMatchObject({ severity: 'error', exampleIds: ['X2'] });
      expect(dest.message).toMatch(/seen: 419 \(1\)/);
      expect(find(rows, 'Client.csv', 'DOB', 'missing')).toMatchObject({ severity: 'error', idField: 'PersonalID', exampleIds: ['102'], rowsChecked: 4 });
      expect(find(rows, 'Services.csv', 'DateProvided', 'service_after_exit')).toMatchObject({ exampleIds: ['S6'] });
      const long = find(rows, 'Enrollment.csv', 'EntryDate', 'long_stay');
      expect(long).toMatchObject({ severity: 'warning', exampleIds: ['E7'] });
      expect(long.message).toContain('as of 2024-06-30 (the export end date)');
      expect(find(rows, 'Enrollment.csv', 'PersonalID / ProjectID / EntryDate', 'duplicate_enrollment').exampleIds).toEqual(['E8']);
      expect(find(rows, 'Enrollment.csv', 'EntryDate / Exit.ExitDate', 'overlapping_stays').exampleIds).toEqual(['E1', 'E8']);
      expect(find(rows, 'IncomeBenefits.csv', 'InformationDate', 'information_date_outside_enrollment').exampleIds).toEqual(['I7']);
      expect(find(rows, 'Enrollment.csv', '*', 'rows')).toMatchObject({ rowsChecked: 7, message: '7 row(s) checked; 1 marked deleted (DateDeleted), not checked' });
      // errors: exit before entry, Destination 419, DOB, service after exit, duplicate entry
      expect(summary).toEqual({ runId: 2, errors: 5, warnings: 5, checksWithErrors: 5, checksWithWarnings: 4, notChecked: 0 });

      // stored: one row per (run, file, field, check), replaced on a re-run
      const stored = await db.value<number>('SELECT count(*) FROM data_quality WHERE run_id = 2');
      expect(stored).toBe(rows.length);
      await hmisDataQuality(db, exportDir, { runId: 2, system: 'hmis' });
      expect(await db.value<number>('SELECT count(*) FROM data_quality WHERE run_id = 2')).toBe(rows.length);
      expect(await db.value<number>('SELECT count(*) FROM (SELECT run_id, file, field, check_id FROM data_quality GROUP BY ALL HAVING count(*) > 1)')).toBe(0);

      // long-stay limits can be changed: with ES at 500 days E7 is no longer a long stayer
      const relaxed = await hmisDataQuality(db, exportDir, { runId: 3, system: 'hmis', longStayDays: { '0': 500 } });
      expect(find(relaxed.rows, 'Enrollment.csv', 'EntryDate', 'long_stay').problems).toBe(0);
    } finally {
      db.close();
    }
  });

  it('reports the checks of an absent file as not checked', async () => {
    const exportDir = plantedExport();
    fs.rmSync(path.join(exportDir, 'Services.csv'));
    const db = await openStore(path.join(tempDir(), 'dq.duckdb'));
    try {
      const { rows, summary } = await hmisDataQuality(db, exportDir, { runId: 1, system: 'hmis' });
      const services = rows.filter((r) => r.file === 'Services.csv');
      expect(services.length).toBeGreaterThan(5);
      for (const r of services) {
        expect(r).toMatchObject({ status: 'not_checked', problems: null, rowsChecked: null });
        expect(r.message).toMatch(/^not checked: file absent/);
      }
      expect(find(rows, 'Services.csv', 'DateProvided', 'service_after_exit').message).toMatch(/^not checked: file absent \(Services\.csv\)/);
      expect(summary.notChecked).toBe(services.length);
      // the other files are still checked
      expect(find(rows, 'Exit.csv', 'ExitDate', 'exit_before_entry')).toMatchObject({ status: 'checked', problems: 1 });
    } finally {
      db.close();
    }
  });

  it('keeps no personal data: no name, SSN or date of birth appears anywhere in data_quality', async () => {
    const exportDir = plantedExport();
    // give every client a full set of personal data, and one a garbled Destination-like value
    editCsv(exportDir, 'Client.csv', (rows, h) => rows.map((r, i) => set(h, r, { SSN: `98765432${i}`, MiddleName: `Middlename${i}` })));
    editCsv(exportDir, 'Exit.csv', (rows, h) => rows.map((r) => (r[0] === 'X4' ? set(h, r, { Destination: 'Carter' }) : r)));
    const db = await openStore(path.join(tempDir(), 'dq.duckdb'));
    try {
      await hmisDataQuality(db, exportDir, { runId: 1, system: 'hmis' });
      const dump = (await db.all<{ t: string }>('SELECT CAST(d AS VARCHAR) AS t FROM data_quality d')).map((r) => r.t).join('\n');
      expect(dump).toContain('Destination');
      const personal = (await db.all<Record<string, string | null>>(
        `SELECT FirstName, MiddleName, LastName, SSN, DOB FROM read_csv(${lit(path.join(exportDir, 'Client.csv'))}, header=true, all_varchar=true)`,
      )).flatMap((r) => Object.values(r)).filter((x): x is string => Boolean(x));
      expect(personal.length).toBeGreaterThan(15);
      const tokens = new Set(dump.split(/[^A-Za-z0-9-]+/));
      for (const value of personal) {
        expect(tokens.has(value), value).toBe(false);
        if (value.length > 5) expect(dump.includes(value), value).toBe(false);
      }
    } finally {
      db.close();
    }
  });

  it('runs after ingest-hmis, and `caselens dq --json` prints the latest report', async () => {
    const exportDir = plantedExport();
    const dbPath = path.join(tempDir(), 'dq.duckdb');
    const db = await openStore(dbPath);
    let runId: number;
    try {
      const r = await ingestHmis({ db, input: exportDir, identityKey: TEST_IDENTITY_KEY, rejectLimit: 1 });
      expect(r.report.status).toBe('succeeded');
      runId = r.report.runId;
      expect(r.dataQuality).toMatchObject({ runId, errors: 5, warnings: 5 });
      expect(r.notes.some((n) => n.startsWith('data quality: 5 error(s)'))).toBe(true);
    } finally {
      db.close();
    }
    const json = await runCli(['dq', '--json', '--db', dbPath], ROOT);
    expect(json.code, json.stderr).toBe(0);
    const doc = JSON.parse(json.stdout);
    expect(doc).toMatchObject({ runId, system: 'hmis', pipeline: 'hmis-csv', summary: { errors: 5, warnings: 5 } });
    expect(doc.rows.find((x: DqRow) => x.check === 'exit_before_entry')).toMatchObject({ file: 'Exit.csv', problems: 1, exampleIds: ['X5'] });

    const text = await runCli(['dq', '--db', dbPath, '--run', String(runId)], ROOT);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^Exit\.csv: 5 row\(s\) checked$/m);
    expect(text.stdout).toMatch(/^ExitDate\s+exit_before_entry\s+error\s+1 of 5\s+ExitID X5\s*$/m);
    expect(text.stdout.trim().split('\n').at(-1)).toBe(`data quality of run ${runId} (hmis): 5 error(s) in 5 check(s), 5 warning(s) in 4 check(s)`);

    const none = await runCli(['dq', '--db', dbPath, '--run', String(runId + 100)], ROOT);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/has no data-quality report/);
  });

  describe.skipIf(!EVA)('on the Eva demo export (FY2024 v1.3)', () => {
    it('matches counts computed independently over the raw CSV files', async () => {
      const db = await Db.open(':memory:');
      const store = await openStore(path.join(tempDir(), 'eva-dq.duckdb'));
      try {
        const { rows } = await hmisDataQuality(store, EVA!, { runId: 1, system: 'hmis' });
        const csv = (file: string) => `(SELECT * FROM read_csv(${lit(path.join(EVA!, file))}, header=true, all_varchar=true) WHERE DateDeleted IS NULL)`;
        const count = (sql: string) => db.value<number>(sql);

        const exitsBeforeEntry = await count(`SELECT count(*) FROM ${csv('Exit.csv')} x JOIN ${csv('Enrollment.csv')} e ON e.EnrollmentID = x.EnrollmentID
          WHERE TRY_CAST(x.ExitDate AS DATE) < TRY_CAST(e.EntryDate AS DATE)`);
        expect(find(rows, 'Exit.csv', 'ExitDate', 'exit_before_entry').problems).toBe(exitsBeforeEntry);
        const exits = await count(`SELECT count(*) FROM ${csv('Exit.csv')} x JOIN ${csv('Enrollment.csv')} e ON e.EnrollmentID = x.EnrollmentID`);
        expect(find(rows, 'Exit.csv', 'ExitDate', 'exit_before_entry').rowsChecked).toBe(exits);

        const veteranMissing = await count(`SELECT count(*) FROM ${csv('Client.csv')} WHERE VeteranStatus IS NULL OR VeteranStatus IN ('8', '9', '99')`);
        expect(veteranMissing).toBeGreaterThan(0);
        expect(find(rows, 'Client.csv', 'VeteranStatus', 'missing').problems).toBe(veteranMissing);

        const destinationMissing = await count(`SELECT count(*) FROM ${csv('Exit.csv')} WHERE Destination IS NULL OR Destination IN ('8', '9', '99')`);
        expect(destinationMissing).toBeGreaterThan(0);
        expect(find(rows, 'Exit.csv', 'Destination', 'missing').problems).toBe(destinationMissing);

        const duplicates = await count(`SELECT count(*) - count(DISTINCT (PersonalID, ProjectID, TRY_CAST(EntryDate AS DATE))) FROM ${csv('Enrollment.csv')}`);
        expect(duplicates).toBeGreaterThan(0);
        expect(find(rows, 'Enrollment.csv', 'PersonalID / ProjectID / EntryDate', 'duplicate_enrollment').problems).toBe(duplicates);

        const servicesAfterExit = await count(`SELECT count(*) FROM ${csv('Services.csv')} s
          JOIN (SELECT EnrollmentID, max(TRY_CAST(ExitDate AS DATE)) AS exit FROM ${csv('Exit.csv')} GROUP BY 1) x ON x.EnrollmentID = s.EnrollmentID
          WHERE TRY_CAST(s.DateProvided AS DATE) > x.exit`);
        expect(find(rows, 'Services.csv', 'DateProvided', 'service_after_exit').problems).toBe(servicesAfterExit);

        const clients = await count(`SELECT count(*) FROM ${csv('Client.csv')}`);
        expect(find(rows, 'Client.csv', '*', 'rows').rowsChecked).toBe(clients);
        expect(rows.filter((r) => r.status === 'not_checked')).toEqual([]);
      } finally {
        store.close();
        db.close();
      }
    }, 60_000);
  });

  describe.skipIf(!EVA_2026)('on the Eva demo export in the FY2026 format', () => {
    it('checks Client.Sex (FY2026) instead of the gender columns', async () => {
      const dir = tempDir('caselens-dq-2026-');
      await extractZip(EVA_2026!, dir, (name) => /\.csv$/i.test(name));
      const exportDir = path.dirname(fs.readdirSync(dir, { recursive: true }).map((f) => path.join(dir, String(f))).find((f) => path.basename(f) === 'Client.csv')!);
      const store = await openStore(path.join(tempDir(), 'eva-dq.duckdb'));
      try {
        const { rows } = await hmisDataQuality(store, exportDir, { runId: 1, system: 'hmis' });
        expect(rows.some((r) => r.field.startsWith('Gender'))).toBe(false);
        const sexMissing = await store.value<number>(`SELECT count(*) FROM read_csv(${lit(path.join(exportDir, 'Client.csv'))}, header=true, all_varchar=true)
          WHERE DateDeleted IS NULL AND (Sex IS NULL OR Sex IN ('8', '9', '99'))`);
        expect(sexMissing).toBeGreaterThan(0);
        expect(find(rows, 'Client.csv', 'Sex', 'missing')).toMatchObject({ status: 'checked', problems: sexMissing });
        expect(rows.filter((r) => r.status === 'not_checked')).toEqual([]);
      } finally {
        store.close();
      }
    }, 60_000);
  });
});
