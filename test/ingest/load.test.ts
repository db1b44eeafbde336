import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLEAN, cleanPipeline, ingest, snapshot, tableCounts, tempDir, withDb, writeFiles, writePipeline } from '../helpers.ts';

function project() {
  const dir = tempDir();
  writeFiles(dir, CLEAN);
  const pipeline = writePipeline(dir, 'crm', cleanPipeline());
  return { dir, pipeline, dbPath: path.join(dir, 'db.duckdb') };
}

describe('loading a clean export', () => {
  it('loads every row and every count adds up: read = loaded + rejected', async () => {
    const { dir, pipeline, dbPath } = project();
    await withDb(dbPath, async (db) => {
      const report = await ingest(db, dir, pipeline);
      expect(report.status).toBe('succeeded');
      for (const s of report.sources) {
        expect(s.read, s.source).toBe(s.loaded + s.rejected);
        expect(s.rejected, `${s.source}: ${JSON.stringify(s.rejectsByCode)}`).toBe(0);
      }
      // data rows per file, counted independently of the loader
      for (const s of report.sources) {
        const file = (CLEAN as Record<string, string>)[`${s.source}.csv`]!;
        const records = s.source === 'notes' ? 3 : file.trim().split('\n').length - 1;
        expect(s.read, s.source).toBe(records);
      }
      expect(await tableCounts(db)).toEqual({
        programs: 2, staff: 3, clients: 3, client_pii: 3, client_identities: 3, cases: 4, goals: 2, services: 2, followups: 2, assessments: 2, surveys: 1, notes: 3,
      });
    });
  });

  it('types values, namespaces keys, derives status and keeps note text exactly as written', async () => {
    const { dir, pipeline, dbPath } = project();
    await withDb(dbPath, async (db) => {
      await ingest(db, dir, pipeline);
      const cases = await db.all<{ case_id: string; status: string; opened_at: Date; manager_id: string | null }>(
        'SELECT case_id, status, opened_at, manager_id FROM cases ORDER BY case_id');
      expect(cases.map((c) => [c.case_id, c.status, c.manager_id])).toEqual([
        ['crm:K1', 'closed', 'crm:S2'], ['crm:K2', 'open', 'crm:S2'], ['crm:K3', 'closed', 'crm:S3'], ['crm:K4', 'open', null],
      ]);
      const note = await db.one<{ text: string; text_sha256: string; client_id: string }>("SELECT text, text_sha256, client_id FROM notes WHERE note_id = 'crm:N1'");
      expect(note!.text).toBe('Client signed a lease.\nMoved in on Friday 🎉');
      const { createHash } = await import('node:crypto');
      expect(note!.text_sha256).toBe(createHash('sha256').update(note!.text).digest('hex'));
      const k1Client = await db.value<string>("SELECT client_id FROM cases WHERE case_id = 'crm:K1'");
      expect(note!.client_id).toBe(k1Client);
      expect(await db.value("SELECT text FROM notes WHERE note_id = 'crm:N3'")).toBe('Closed same day, client moved to "another" county.');
      const svc = await db.one<{ scheduled_at: Date; units_planned: number }>("SELECT scheduled_at, units_planned FROM services WHERE service_id = 'crm:V1'");
      expect(svc!.scheduled_at.toISOString()).toBe('2024-01-05T10:00:00.000Z');
      // assessment A2 has no client key: its client comes from the case
      expect(await db.value("SELECT client_id FROM assessments WHERE assessment_id = 'crm:A2'")).toBe(k1Client);
      expect(await db.value("SELECT items::VARCHAR FROM assessments WHERE assessment_id = 'crm:A1'")).toBe('[2,2,2,2,2,1,1,1,1]');
      expect(await db.value("SELECT would_recommend FROM surveys")).toBe(true);
      // personal data only in client_pii
      const clientCols = (await db.all<{ column_name: string }>("SELECT column_name FROM information_schema.columns WHERE table_name = 'clients'")).map((c) => c.column_name);
      expect(clientCols).not.toContain('first_name');
      expect(await db.value("SELECT count(*) FROM client_pii WHERE first_name = 'Zoë' AND last_name = 'O''Brien'")).toBe(1);
      expect(await db.value("SELECT birth_year FROM clients c JOIN client_pii p USING (client_id) WHERE p.first_name = 'Ana'")).toBe(1990);
    });
  });

  it('is idempotent: a second run changes nothing, keeps every ID and adds no duplicates', async () => {
    const { dir, pipeline, dbPath } = project();
    await withDb(dbPath, async (db) => {
      const first = await ingest(db, dir, pipeline);
      const before = await snapshot(db);
      const second = await ingest(db, dir, pipeline);
      expect(second.totals.read).toBe(first.totals.read);
      expect(second.totals.inserted).toBe(0);
      expect(second.totals.updated).toBe(0);
      expect(second.totals.unchanged).toBe(first.totals.loaded);
      expect(await snapshot(db)).toBe(before);
      expect(await db.value('SELECT count(*) FROM ingest_runs')).toBe(2);
    });
  });

  it('a changed source row updates its record and nothing else', async () => {
    const { dir, pipeline, dbPath } = project();
    await withDb(dbPath, async (db) => {
      await ingest(db, dir, pipeline);
      const idsBefore = await db.all('SELECT * FROM client_identities ORDER BY ALL');
      writeFiles(dir, {
        'cases.csv': CLEAN['cases.csv'].replace('K2,C2,P1,S2,2024-03-01,,', 'K2,C2,P1,S3,2024-03-01,2024-04-15,goals_met'),
        'clients.csv': CLEAN['clients.csv'].replace('555-0102', '555-0199'),
      });
      const report = await ingest(db, dir, pipeline);
      const bySource = Object.fromEntries(report.sources.map((s) => [s.source, s]));
      expect(bySource.cases).toMatchObject({ inserted: 0, updated: 1, unchanged: 3 });
      expect(bySource.clients).toMatchObject({ inserted: 0, updated: 1, unchanged: 2 });
      expect(bySource.notes).toMatchObject({ inserted: 0, updated: 0, unchanged: 3 });
      const k2 = await db.one<{ status: string; manager_id: string; closure_reason: string }>("SELECT status, manager_id, closure_reason FROM cases WHERE case_id = 'crm:K2'");
      expect(k2).toEqual({ status: 'closed', manager_id: 'crm:S3', closure_reason: 'goals_met' });
      expect(await db.value("SELECT phone FROM client_pii WHERE phone LIKE '555-01%9'")).toBe('555-0199');
      expect(await db.all('SELECT * FROM client_identities ORDER BY ALL')).toEqual(idsBefore);
    });
  });

  it('mints the same client IDs after the database is deleted and rebuilt', async () => {
    const { dir, pipeline, dbPath } = project();
    const ids = async () => withDb(dbPath, async (db) => {
      await ingest(db, dir, pipeline);
      return db.all("SELECT source_key, client_id, rule FROM client_identities ORDER BY source_key");
    });
    const first = await ids();
    expect(first).toHaveLength(3);
    for (const r of first as Array<{ client_id: string }>) expect(r.client_id).toMatch(/^CL-[0-9A-F]{16}$/);
    fs.rmSync(dbPath);
    fs.rmSync(`${dbPath}.wal`, { force: true });
    expect(await ids()).toEqual(first);
  });

  it('never derives the client ID from the source key or personal data without the key', async () => {
    const { dir, pipeline, dbPath } = project();
    await withDb(dbPath, async (db) => {
      await ingest(db, dir, pipeline);
      const rows = await db.all<{ client_id: string; source_key: string }>('SELECT client_id, source_key FROM client_identities');
      const { createHash } = await import('node:crypto');
      for (const r of rows) {
        expect(r.client_id).not.toContain(r.source_key);
        // an unkeyed hash of the source key does not give the ID
        const unkeyed = createHash('sha256').update(`crm\u001f${r.source_key}`).digest('hex').slice(0, 16).toUpperCase();
        expect(r.client_id).not.toBe(`CL-${unkeyed}`);
      }
    });
  });
});
