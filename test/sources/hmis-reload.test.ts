/**
 * Re-loads that never quietly make data wrong: a file missing from a later export changes nothing it
 * would have fed (absence is not deletion), on caselens' example export and on the Eva demo export.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HMIS_FILES_READ } from '../../src/sources/hmis-pipeline.ts';
import { ingestHmis, type HmisIngestResult } from '../../src/sources/index.ts';
import type { Db } from '../../src/store/index.ts';
import { tempDir, TEST_IDENTITY_KEY, withDb } from '../helpers.ts';
import { copyDir, EXAMPLE, sharedDir } from './helpers.ts';

const EVA = sharedDir('hmis/eva-demo/fy2024_v1.3');

const load = (db: Db, input: string): Promise<HmisIngestResult> => ingestHmis({ db, input, identityKey: TEST_IDENTITY_KEY, rejectLimit: 0.05, dataQuality: false });

/** Every row of every canonical table, one string per table. */
export async function canonicalContent(db: Db): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const t of ['programs', 'staff', 'clients', 'client_pii', 'client_identities', 'cases', 'services', 'assessments']) {
    out[t] = await db.value<string>(`SELECT count(*) || ':' || coalesce(md5(string_agg(x::VARCHAR, '|' ORDER BY x::VARCHAR)), '') FROM (SELECT t AS x FROM ${t} t)`);
  }
  return out;
}

describe('HMIS CSV: a file missing from a re-export changes nothing it would have fed', () => {
  it('removing each file the loader reads, in turn, from the example export and re-loading leaves every canonical table as it was', async () => {
    const dir = tempDir();
    await withDb(path.join(dir, 'h.duckdb'), async (db) => {
      expect((await load(db, EXAMPLE)).report.status).toBe('succeeded');
      const before = await canonicalContent(db);
      expect(await db.value<number>('SELECT count(*) FROM cases WHERE closed_at IS NOT NULL')).toBeGreaterThan(0);
      expect(await db.value<number>('SELECT count(*) FROM cases WHERE manager_id IS NOT NULL OR case_type IS NOT NULL')).toBeGreaterThan(0);
      for (const file of HMIS_FILES_READ) {
        const partial = copyDir(EXAMPLE, path.join(dir, `without-${file}`));
        fs.rmSync(path.join(partial, `${file}.csv`));
        const r = await load(db, partial);
        expect({ file, status: r.report.status }).toEqual({ file, status: 'succeeded' });
        expect(r.missingFiles).toContain(`${file}.csv`);
        expect({ file, content: await canonicalContent(db) }).toEqual({ file, content: before });
      }
    });
  });

  it('says which fields were left as they were', async () => {
    const dir = tempDir();
    await withDb(path.join(dir, 'h.duckdb'), async (db) => {
      await load(db, EXAMPLE);
      const partial = copyDir(EXAMPLE, path.join(dir, 'no-exit'));
      fs.rmSync(path.join(partial, 'Exit.csv'));
      const r = await load(db, partial);
      expect(r.notes.find((n) => n.startsWith('Exit.csv'))).toBe(
        'Exit.csv: not in the export; nothing loaded from it, and what it feeds was left as it was (cases.closed_at, cases.closure_reason)',
      );
    });
  });

  it('rows present in the re-export still change: an edited entry date is applied while the missing Exit.csv keeps every closure', async () => {
    const dir = tempDir();
    await withDb(path.join(dir, 'h.duckdb'), async (db) => {
      await load(db, EXAMPLE);
      const closures = await db.all('SELECT case_id, closed_at, closure_reason, status FROM cases ORDER BY case_id');
      const partial = copyDir(EXAMPLE, path.join(dir, 'edited'));
      fs.rmSync(path.join(partial, 'Exit.csv'));
      const enrol = path.join(partial, 'Enrollment.csv');
      fs.writeFileSync(enrol, fs.readFileSync(enrol, 'utf8').replace('E1,101,10,2024-01-05', 'E1,101,10,2024-01-04'));
      const r = await load(db, partial);
      expect(r.report.sources.find((s) => s.source === 'enrollment')!.updated).toBe(1);
      expect(await db.value('SELECT opened_at::VARCHAR FROM cases WHERE case_id = $1', ['hmis:E1'])).toBe('2024-01-04');
      expect(await db.all('SELECT case_id, closed_at, closure_reason, status FROM cases ORDER BY case_id')).toEqual(closures);
    });
  });

  it.skipIf(!EVA)('Eva demo export: without Exit.csv, Project.csv or User.csv the closures, case types and staff stay as loaded', async () => {
    const dir = tempDir();
    await withDb(path.join(dir, 'eva.duckdb'), async (db) => {
      await load(db, EVA!);
      const closed = await db.value<number>('SELECT count(*) FROM cases WHERE closed_at IS NOT NULL');
      // independent of the loader: enrolments with a non-deleted exit in the raw files
      const raw = (f: string) => `read_csv('${path.join(EVA!, f)}', header=true, all_varchar=true)`;
      const expected = await db.value<number>(`SELECT count(DISTINCT x.EnrollmentID) FROM ${raw('Exit.csv')} x JOIN ${raw('Enrollment.csv')} e USING (EnrollmentID) WHERE x.DateDeleted IS NULL AND e.DateDeleted IS NULL`);
      expect(closed).toBe(expected);
      const before = await canonicalContent(db);
      // one re-export lacking all three (each file alone is removed in turn on the example export above)
      const partial = copyDir(EVA!, path.join(dir, 'without-exit-project-user'));
      for (const file of ['Exit', 'Project', 'User']) fs.rmSync(path.join(partial, `${file}.csv`));
      const r = await load(db, partial);
      expect(r.report.status).toBe('succeeded');
      expect(r.missingFiles).toEqual(['Exit.csv', 'Project.csv', 'User.csv']);
      expect(await canonicalContent(db)).toEqual(before);
    });
  });
});
