import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ingest, tempDir, withDb, writeFiles, writePipeline } from '../helpers.ts';

describe('pipeline extensions for real-world exports', () => {
  it('joins a second file by key (latest row wins), computes fields with SQL expressions, and honours deletions', async () => {
    const dir = tempDir();
    writeFiles(dir, {
      'Client.csv': 'PersonalID,FirstName,Woman,Man,DateDeleted\n1,Ana,1,0,\n2,Bo,0,1,\n3,Cy,0,0,2024-01-01\n',
      'Enrollment.csv': 'EnrollmentID,PersonalID,EntryDate,DateDeleted\nE1,1,2024-01-01,\nE2,2,2024-02-01,\nE3,1,2024-03-01,2024-04-01\n',
      'Exit.csv': 'ExitID,EnrollmentID,ExitDate,Destination,DateDeleted\nX1,E1,2024-01-20,435,\nX2,E1,2024-02-10,116,\nX3,E2,2024-03-01,1,2024-03-02\n',
    });
    const pipeline = writePipeline(dir, 'hmis', {
      system: 'hmis',
      sources: [
        {
          name: 'client', table: 'clients', path: 'Client.csv', deleteWhen: '{{DateDeleted}} IS NOT NULL',
          fields: { client_key: 'PersonalID', first_name: 'FirstName', gender: { expr: "CASE WHEN {{Woman}} = '1' THEN 'woman' WHEN {{Man}} = '1' THEN 'man' END" } },
        },
        {
          name: 'enrollment', table: 'cases', path: 'Enrollment.csv', deleteWhen: '{{DateDeleted}} IS NOT NULL',
          join: [{ path: 'Exit.csv', on: 'EnrollmentID', prefix: 'exit_', where: '{{DateDeleted}} IS NULL', latest: 'ExitDate' }],
          fields: {
            case_key: 'EnrollmentID', client_key: 'PersonalID', opened_at: 'EntryDate', closed_at: 'exit_ExitDate',
            closure_reason: { from: 'exit_Destination', map: { '435': 'rental_by_client_with_subsidy', '116': 'place_not_meant_for_habitation', '1': 'emergency_shelter' } },
          },
        },
      ],
    });
    await withDb(path.join(dir, 'db.duckdb'), async (db) => {
      const report = await ingest(db, dir, pipeline);
      const by = Object.fromEntries(report.sources.map((s) => [s.source, s]));
      expect(by.client).toMatchObject({ read: 3, loaded: 2, deleted: 1, rejected: 0 });
      expect(by.enrollment).toMatchObject({ read: 3, loaded: 2, deleted: 1, rejected: 0 });
      for (const s of report.sources) expect(s.read).toBe(s.loaded + s.deleted + s.rejected);
      expect(await db.all('SELECT p.first_name, c.gender FROM clients c JOIN client_pii p USING (client_id) ORDER BY 1')).toEqual([
        { first_name: 'Ana', gender: 'woman' }, { first_name: 'Bo', gender: 'man' },
      ]);
      const cases = await db.all<{ case_id: string; closed_at: Date | null; status: string; closure_reason: string | null }>('SELECT case_id, closed_at, status, closure_reason FROM cases ORDER BY case_id');
      expect(cases.map((c) => [c.case_id, c.closed_at?.toISOString().slice(0, 10) ?? null, c.status, c.closure_reason])).toEqual([
        // two exits for E1: the latest one counts
        ['hmis:E1', '2024-02-10', 'closed', 'place_not_meant_for_habitation'],
        // E2's only exit was deleted: still open
        ['hmis:E2', null, 'open', null],
      ]);
      // a later export deletes E2: its case goes
      writeFiles(dir, { 'Enrollment.csv': 'EnrollmentID,PersonalID,EntryDate,DateDeleted\nE1,1,2024-01-01,\nE2,2,2024-02-01,2024-05-01\n' });
      const again = await ingest(db, dir, pipeline);
      expect(again.sources.find((s) => s.source === 'enrollment')).toMatchObject({ read: 2, loaded: 1, deleted: 1, unchanged: 1 });
      expect(await db.value('SELECT count(*) FROM cases')).toBe(1);
    });
  });
});
