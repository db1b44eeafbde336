/**
 * Rejects at the grain of the bad row, on caselens' example export: a bad exit is rejected at its own
 * line and its enrolment still loads; a file that is not UTF-8 is read in its encoding and said so;
 * a truncated file is reported as truncated; a deleted client leaves no personal data.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HmisExportError, ingestHmis, type HmisIngestResult } from '../../src/sources/index.ts';
import type { Db } from '../../src/store/index.ts';
import { tempDir, TEST_IDENTITY_KEY, withDb } from '../helpers.ts';
import { copyDir, EXAMPLE, expectCountsAddUp } from './helpers.ts';

const load = (db: Db, input: string, extra: Partial<Parameters<typeof ingestHmis>[0]> = {}): Promise<HmisIngestResult> =>
  ingestHmis({ db, input, identityKey: TEST_IDENTITY_KEY, rejectLimit: 0.5, dataQuality: false, ...extra });

function edited(dir: string, name: string, edits: Record<string, (text: string) => string | Buffer>): string {
  const out = copyDir(EXAMPLE, path.join(dir, name));
  for (const [file, fn] of Object.entries(edits)) fs.writeFileSync(path.join(out, file), fn(fs.readFileSync(path.join(out, file), 'utf8')));
  return out;
}

describe('HMIS CSV: rejects at the grain of the bad row', () => {
  it('an exit with a date that is not a date, or before its entry, is rejected at its own line in Exit.csv; the enrolment loads, open', async () => {
    const dir = tempDir();
    const bad = edited(dir, 'bad-exits', {
      // X1 closes E1 (entered 2024-01-05); X2 closes E2 (entered 2024-01-05)
      'Exit.csv': (s) => s.replace('X1,E1,101,2024-01-31,', 'X1,E1,101,2024-13-45,').replace('X2,E2,103,2024-01-31,', 'X2,E2,103,2023-12-31,'),
    });
    await withDb(path.join(dir, 'db.duckdb'), async (db) => {
      const r = await load(db, bad);
      expect(r.report.status).toBe('succeeded');
      await expectCountsAddUp(db, r.report, expect);
      const rejects = await db.all<{ source: string; file: string; line: number; field: string; value: string; code: string }>(
        'SELECT source, file, line, field, value, code FROM ingest_rejects WHERE run_id = $1 ORDER BY line', [r.report.runId]);
      expect(rejects).toEqual([
        { source: 'exit', file: 'Exit.csv', line: 2, field: 'ExitDate', value: '2024-13-45', code: 'bad_date' },
        { source: 'exit', file: 'Exit.csv', line: 3, field: 'ExitDate', value: '2023-12-31', code: 'closed_before_opened' },
      ]);
      expect(await db.all("SELECT case_id, status, closed_at FROM cases WHERE case_id IN ('hmis:E1', 'hmis:E2') ORDER BY 1")).toEqual([
        { case_id: 'hmis:E1', status: 'open', closed_at: null },
        { case_id: 'hmis:E2', status: 'open', closed_at: null },
      ]);
      // their services and assessments loaded too: nothing else was dropped with the exit
      expect(r.report.sources.find((s) => s.source === 'enrollment')!.rejected).toBe(0);
      expect(r.report.sources.find((s) => s.source === 'services')!.rejected).toBe(0);
    });
  });

  it('exit rejects name their physical line in Exit.csv after blank lines and a malformed row', async () => {
    const dir = tempDir();
    const bad = edited(dir, 'exit-lines', {
      // a blank line after the header, then X1 (line 3) malformed (an extra field), X2 (line 4) dated before its entry
      'Exit.csv': (s) => s.replace(/^(ExitID[^\n]*\n)/, '$1\r\n').replace('X1,E1,101,2024-01-31,435,', 'X1,E1,101,2024-01-31,435,extra,').replace('X2,E2,103,2024-01-31,', 'X2,E2,103,2023-12-31,'),
    });
    await withDb(path.join(dir, 'db.duckdb'), async (db) => {
      const r = await load(db, bad);
      await expectCountsAddUp(db, r.report, expect);
      expect(await db.all('SELECT file, line, code FROM ingest_rejects WHERE run_id = $1 ORDER BY line', [r.report.runId])).toEqual([
        { file: 'Exit.csv', line: 3, code: 'malformed_row' },
        { file: 'Exit.csv', line: 4, code: 'closed_before_opened' },
      ]);
    });
  });

  it('a Client.csv in Windows-1252 is read as such, said in the notes, and every person loads with the name as written', async () => {
    const dir = tempDir();
    const latin = edited(dir, 'latin1', {
      'Client.csv': (s) => Buffer.from(s.replace('101,Ana,,Lopez', '101,Ana,,López').replace('102,Ben,,Carter', '102,Benoît,,Carter'), 'latin1'),
    });
    expect(fs.readFileSync(path.join(latin, 'Client.csv')).includes(Buffer.from([0xf3]))).toBe(true);
    await withDb(path.join(dir, 'db.duckdb'), async (db) => {
      const r = await load(db, latin);
      expect(r.report.sources.find((s) => s.source === 'client')).toMatchObject({ rejected: 0 });
      expect(r.notes).toContain('Client.csv: not UTF-8 (first at line 2: byte 0xF3); read as windows-1252 and converted to UTF-8 (if names look wrong, give --encoding)');
      expect(await db.all("SELECT first_name, last_name FROM client_pii WHERE first_name IN ('Ana', 'Benoît') ORDER BY 1")).toEqual([
        { first_name: 'Ana', last_name: 'López' }, { first_name: 'Benoît', last_name: 'Carter' },
      ]);
      // --encoding utf-8 insists: the load is refused with the line, nothing changes
      await expect(load(db, latin, { encoding: 'utf-8' })).rejects.toThrow(/Client\.csv: not UTF-8 \(line 2: byte 0xF3\), though --encoding utf-8 was given/);
    });
  });

  it('a UTF-16 file (with its byte-order mark) is read as UTF-16', async () => {
    const dir = tempDir();
    const utf16 = edited(dir, 'utf16', { 'Client.csv': (s) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(s.replace('Lopez', 'López'), 'utf16le')]) });
    await withDb(path.join(dir, 'db.duckdb'), async (db) => {
      const r = await load(db, utf16);
      expect(r.notes.find((n) => n.startsWith('Client.csv'))).toMatch(/UTF-16 \(little-endian byte-order mark\); read as utf-16le/);
      expect(await db.value("SELECT last_name FROM client_pii WHERE first_name = 'Ana'")).toBe('López');
    });
  });

  it('a file cut off inside a row is reported as truncated, with its line, and nothing is loaded', async () => {
    const dir = tempDir();
    const client = fs.readFileSync(path.join(EXAMPLE, 'Client.csv'), 'utf8');
    const lines = client.split(/\r?\n/);
    // cut in the middle of the third data row (line 4)
    const cut = client.slice(0, client.indexOf(lines[3]!) + 20);
    const quoted = client.replace(/\r?\n$/, '') + '\r\n104,"Dan';
    const truncated = edited(dir, 'truncated', { 'Client.csv': () => cut });
    const openQuote = edited(dir, 'open-quote', { 'Client.csv': () => quoted });
    await withDb(path.join(dir, 'db.duckdb'), async (db) => {
      await expect(load(db, truncated)).rejects.toThrow(HmisExportError);
      await expect(load(db, truncated)).rejects.toThrow(/Client\.csv: the file ends inside a row \(line 4: its last row has \d+ of the header's 46 fields and no line end\): it is truncated/);
      await expect(load(db, openQuote)).rejects.toThrow(/Client\.csv: the file ends inside a row \(line \d+: a quoted value is still open at the end of the file\)/);
      expect(await db.value('SELECT count(*) FROM clients')).toBe(0);
    });
  });

  it('a client deleted in a later export (DateDeleted) leaves no personal data, and their enrolments and records go with them', async () => {
    const dir = tempDir();
    await withDb(path.join(dir, 'db.duckdb'), async (db) => {
      const first = await load(db, EXAMPLE);
      const deletedBefore = first.report.sources.find((s) => s.source === 'client')!.deleted;
      const ben = await db.value<string>("SELECT client_id FROM client_identities WHERE source_system = 'hmis' AND source_key = '102'");
      expect(await db.value('SELECT count(*) FROM cases WHERE client_id = $1', [ben])).toBeGreaterThan(0);
      const later = edited(dir, 'deleted', { 'Client.csv': (s) => s.replace(/^(102,.*,U1,)(,EX-2024-001)/m, '$12024-08-01 10:00:00$2') });
      const r = await load(db, later);
      expect(r.report.sources.find((s) => s.source === 'client')).toMatchObject({ deleted: deletedBefore + 1 });
      for (const t of ['clients', 'client_pii', 'client_identities', 'cases', 'assessments']) {
        expect({ t, n: await db.value(`SELECT count(*) FROM ${t} WHERE client_id = $1`, [ben]) }).toEqual({ t, n: 0 });
      }
      expect(await db.value("SELECT count(*) FROM client_pii WHERE first_name = 'Ben' OR national_id = '123456789'")).toBe(0);
    });
  });
});
