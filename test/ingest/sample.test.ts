import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Db } from '../../src/store/index.ts';
import { ingest, tempDir, withDb } from '../helpers.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const SAMPLE = path.join(ROOT, 'data', 'sample');

async function csvRows(file: string): Promise<number> {
  const db = await Db.open(':memory:');
  try {
    return await db.value<number>(`SELECT count(*) FROM read_csv('${path.join(SAMPLE, file)}', header = true, all_varchar = true)`);
  } finally {
    db.close();
  }
}

describe('the bundled sample through pipelines/sample.yaml', () => {
  it('loads every row of every file, and links the partner list exactly as planted', async () => {
    const dbPath = path.join(tempDir(), 'sample.duckdb');
    await withDb(dbPath, async (db) => {
      const report = await ingest(db, ROOT, path.join(ROOT, 'pipelines', 'sample.yaml'));
      expect(report.status).toBe('succeeded');
      for (const s of report.sources) {
        expect(s.read, s.source).toBe(await csvRows(path.basename(s.files[0]!)));
        expect(s.read, s.source).toBe(s.loaded + s.rejected);
      }
      expect(report.totals.rejected).toBe(0);
      // the planted truth says which partner records are existing clients
      const mismatches = await db.all(`
        SELECT t.partner_id, t.client_key AS expected, h.source_key AS got, p.rule
        FROM read_csv('${path.join(SAMPLE, 'truth', 'partner_links.csv')}', header = true, all_varchar = true) t
        JOIN client_identities p ON p.source_system = 'partner' AND p.source_key = t.partner_id
        LEFT JOIN client_identities h ON h.source_system = 'sample' AND h.client_id = p.client_id
        WHERE h.source_key IS DISTINCT FROM t.client_key
           OR (t.client_key IS NULL) <> (p.rule = 'minted')`);
      expect(mismatches).toEqual([]);
      const partner = report.sources.find((s) => s.source === 'partner_clients')!;
      expect(partner.identity!.linked + partner.identity!.minted).toBe(partner.read);
      expect(partner.identity!.linked).toBeGreaterThan(0);
      // a second run of the whole sample changes nothing
      const again = await ingest(db, ROOT, path.join(ROOT, 'pipelines', 'sample.yaml'));
      expect(again.totals).toMatchObject({ inserted: 0, updated: 0, rejected: 0, unchanged: report.totals.loaded });
    });
  });
});
