import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { IngestFailedError } from '../../src/ingest/index.ts';
import { CLEAN, cleanPipeline, ingest, snapshot, tempDir, withDb, writeFiles, writePipeline } from '../helpers.ts';

interface Reject { source: string; file: string; line: number; field: string | null; value: string | null; code: string; reason: string }

/** Loads CLEAN with some files replaced; returns the rejects of the run. */
async function loadWith(files: Record<string, string | Buffer>, pipelineOverrides: Record<string, unknown> = {}) {
  const dir = tempDir();
  writeFiles(dir, { ...CLEAN, ...files });
  const pipeline = writePipeline(dir, 'crm', cleanPipeline(pipelineOverrides));
  return withDb(path.join(dir, 'db.duckdb'), async (db) => {
    const report = await ingest(db, dir, pipeline, { rejectLimit: 1 });
    const rejects = await db.all<Reject>('SELECT source, file, line, field, value, code, reason FROM ingest_rejects ORDER BY source, line');
    for (const s of report.sources) expect(s.read, s.source).toBe(s.loaded + s.rejected);
    return { report, rejects };
  });
}

describe('bad input: every rejected row says file, line, field, value and why', () => {
  it('wrong type', async () => {
    const { rejects: all } = await loadWith({ 'staff.csv': CLEAN['staff.csv'].replace('S2,Maya Manager,manager,S1,25', 'S2,Maya Manager,manager,S1,twenty') });
    const rejects = all.filter((r) => r.source === 'staff');
    // rows that point at the rejected staff member are rejected too, each with its own reason
    expect(all.filter((r) => r.source === 'cases').map((r) => r.code)).toEqual(['unknown_reference', 'unknown_reference']);
    expect(rejects).toEqual([expect.objectContaining({ file: 'staff.csv', line: 3, field: 'capacity', value: 'twenty', code: 'bad_type' })]);
    expect(rejects[0]!.reason).toMatch(/not a whole number for caseload_capacity \(column "capacity"\)/);
  });

  it('a decimal where a whole number is expected is not rounded silently', async () => {
    const { rejects } = await loadWith({ 'staff.csv': CLEAN['staff.csv'].replace('S1,25', 'S1,2.5') });
    expect(rejects.filter((r) => r.source === 'staff')).toEqual([expect.objectContaining({ line: 3, value: '2.5', code: 'bad_type' })]);
  });

  it('a whole number too large for its column rejects that row only, with its line (the load goes on)', async () => {
    const { report, rejects } = await loadWith({ 'staff.csv': CLEAN['staff.csv'].replace('S1,25', 'S1,99999999999') });
    expect(report.status).toBe('succeeded');
    expect(rejects.filter((r) => r.source === 'staff')).toEqual([expect.objectContaining({ file: 'staff.csv', line: 3, field: 'capacity', value: '99999999999', code: 'bad_type' })]);
    expect(rejects.find((r) => r.source === 'staff')!.reason).toMatch(/whole number out of range for caseload_capacity/);
  });

  it('unparseable date, naming the expected format', async () => {
    const { rejects: all } = await loadWith({ 'cases.csv': CLEAN['cases.csv'].replace('K2,C2,P1,S2,2024-03-01', 'K2,C2,P1,S2,03/01/2024') });
    const rejects = all.filter((r) => r.source === 'cases');
    expect(rejects).toEqual([expect.objectContaining({ source: 'cases', file: 'cases.csv', line: 3, field: 'opened', value: '03/01/2024', code: 'bad_date' })]);
    expect(rejects[0]!.reason).toContain('expected YYYY-MM-DD');
  });

  it('a date in a declared format that does not match it', async () => {
    const { rejects } = await loadWith({ 'services.csv': CLEAN['services.csv'].replace('03/05/2024 09:00', '2024-03-05 09:00') });
    expect(rejects).toEqual([expect.objectContaining({ source: 'services', line: 3, field: 'scheduled', code: 'bad_date' })]);
    expect(rejects[0]!.reason).toContain('%m/%d/%Y %H:%M');
  });

  it('closed before opened', async () => {
    const { rejects } = await loadWith({ 'cases.csv': CLEAN['cases.csv'].replace('2024-01-01,2024-02-01', '2024-01-01,2023-12-01') });
    // K1 is rejected, so everything that hangs off K1 is rejected too, each with its own reason
    const caseReject = rejects.find((r) => r.source === 'cases')!;
    expect(caseReject).toMatchObject({ file: 'cases.csv', line: 2, field: 'closed', value: '2023-12-01', code: 'closed_before_opened' });
    expect(caseReject.reason).toBe('case closed (2023-12-01) before it opened (2024-01-01): check both dates');
    expect(rejects.filter((r) => r.source === 'notes')).toEqual([expect.objectContaining({ line: 2, code: 'unknown_reference', value: 'K1' })]);
  });

  it('unknown case for a note, on the line an editor shows (after a note with a line break)', async () => {
    const { rejects } = await loadWith({ 'notes.csv': CLEAN['notes.csv'] + 'N4,K404,S2,2024-03-02 09:00:00,Orphan note\n' });
    expect(rejects).toEqual([expect.objectContaining({ source: 'notes', file: 'notes.csv', line: 6, field: 'case_key', value: 'K404', code: 'unknown_reference' })]);
    expect(rejects[0]!.reason).toMatch(/^unknown case "K404" for case_key: no case with this key from system "crm"; load the case first/);
  });

  it('duplicate key within a load: the first row is loaded, the later one rejected pointing at it', async () => {
    const { report, rejects } = await loadWith({ 'goals.csv': CLEAN['goals.csv'] + 'G1,K2,income,2024-03-02,active,\n' });
    expect(rejects).toEqual([expect.objectContaining({ source: 'goals', line: 4, field: 'goal_key', value: 'G1', code: 'duplicate_key' })]);
    expect(rejects[0]!.reason).toContain('an earlier row (goals.csv, line 2) has the same key');
    expect(report.sources.find((s) => s.source === 'goals')).toMatchObject({ read: 3, loaded: 2, rejected: 1 });
  });

  it('value outside the allowed list', async () => {
    const { rejects } = await loadWith({ 'goals.csv': CLEAN['goals.csv'].replace('active', 'in_progress') });
    expect(rejects).toEqual([expect.objectContaining({ source: 'goals', line: 3, field: 'status', value: 'in_progress', code: 'not_allowed' })]);
    expect(rejects[0]!.reason).toContain('expected one of active, achieved, not_achieved, withdrawn');
  });

  it('a value map translates source codes before the allowed-list check', async () => {
    const pipeline = cleanPipeline();
    const sources = pipeline.sources as Array<Record<string, unknown>>;
    const goals = sources.find((s) => s.name === 'goals')!;
    goals.fields = { ...(goals.fields as object), status: { from: 'status', map: { 'In Progress': 'active', DONE: 'achieved' } } };
    const { rejects, report } = await loadWith({ 'goals.csv': CLEAN['goals.csv'].replace('achieved,2024', 'done,2024').replace('active', 'in progress') }, { sources });
    expect(rejects).toEqual([]);
    expect(report.sources.find((s) => s.source === 'goals')!.loaded).toBe(2);
  });

  it('missing required field', async () => {
    const { rejects: all } = await loadWith({ 'cases.csv': CLEAN['cases.csv'].replace('K2,C2,P1,S2,2024-03-01', 'K2,C2,P1,S2,') });
    const rejects = all.filter((r) => r.source === 'cases');
    expect(rejects).toEqual([expect.objectContaining({ source: 'cases', line: 3, field: 'opened', code: 'missing_required' })]);
    expect(rejects[0]!.reason).toBe('required field opened_at (column "opened") is empty: fill it in');
  });

  it('encoding problem (bytes that are not UTF-8) with the line that has them', async () => {
    const bad = Buffer.concat([Buffer.from('note_key,case_key,author_key,written_at,text\nN1,K1,S2,2024-01-05 10:00:00,fine\nN2,K2,S2,2024-03-02 09:00:00,caf'), Buffer.from([0xe9]), Buffer.from('\nN3,K3,S3,2024-05-01 15:30:00,ok\n')]);
    const { rejects, report } = await loadWith({ 'notes.csv': bad });
    expect(rejects).toEqual([expect.objectContaining({ source: 'notes', line: 3, code: 'encoding' })]);
    expect(rejects[0]!.reason).toMatch(/UTF-8/);
    expect(report.sources.find((s) => s.source === 'notes')).toMatchObject({ read: 3, loaded: 2, rejected: 1 });
  });

  it('duplicate keys and reader-refused rows after multi-line notes get physical line numbers', async () => {
    const notes = CLEAN['notes.csv'] + 'N1,K2,S2,2024-03-02 09:00:00,"dup\nof N1"\nN5,K2,S2,2024-03-02 09:00:00,too,many\n';
    const { rejects } = await loadWith({ 'notes.csv': notes });
    // header 1; N1 lines 2-3; N2 4; N3 5; duplicate N1 6-7; N5 8
    expect(rejects.map((r) => [r.line, r.code])).toEqual([[6, 'duplicate_key'], [8, 'malformed_row']]);
    expect(rejects[0]!.reason).toContain('an earlier row (notes.csv, line 2)');
  });

  it('a row with too many columns, and the lines after it are still numbered right', async () => {
    const { rejects } = await loadWith({ 'followups.csv': 'followup_key,case_key,due_on,completed_on\nF1,K1,2024-03-01,2024-03-02,extra\nF2,K3,2024-06-01,\nF3,K404,2024-06-01,\n' });
    expect(rejects.map((r) => [r.line, r.code])).toEqual([[2, 'malformed_row'], [4, 'unknown_reference']]);
  });

  it('physical line numbers after blank lines, a rejected record with line breaks, CRLF endings and a BOM', async () => {
    // followups: header (1), F1 (2), blank (3, 4), F2 bad date (5), F3 malformed over lines 6-7, blank (8), F4 unknown case (9)
    const lf = 'followup_key,case_key,due_on,completed_on\nF1,K1,2024-03-01,2024-03-02\n\n\nF2,K3,not-a-date,\nF3,"K\n1",2024-06-01,,extra\n\nF4,K404,2024-06-01,\n';
    for (const text of [lf, '\uFEFF' + lf.replace(/\n/g, '\r\n')]) {
      const { rejects } = await loadWith({ 'followups.csv': text });
      expect(rejects.filter((r) => r.source === 'followups').map((r) => [r.line, r.code])).toEqual([[5, 'bad_date'], [6, 'malformed_row'], [9, 'unknown_reference']]);
    }
    // and a long file: the bad row sits after 1,000 rows and 3 blank lines, at line 1,005
    const rows = Array.from({ length: 1000 }, (_, i) => `FX${i},K1,2024-03-01,`);
    const { rejects } = await loadWith({ 'followups.csv': ['followup_key,case_key,due_on,completed_on', ...rows, '', '', '', 'FBAD,K404,2024-06-01,'].join('\n') + '\n' });
    expect(rejects.filter((r) => r.source === 'followups').map((r) => [r.line, r.code])).toEqual([[1005, 'unknown_reference']]);
  });

  it('a missing column is a clear, file-level error and loads nothing', async () => {
    const dir = tempDir();
    writeFiles(dir, { ...CLEAN, 'cases.csv': CLEAN['cases.csv'].replace('opened,', 'open_date,') });
    const pipeline = writePipeline(dir, 'crm', cleanPipeline());
    await withDb(path.join(dir, 'db.duckdb'), async (db) => {
      const err = await ingest(db, dir, pipeline).catch((e) => e);
      expect(err).toBeInstanceOf(IngestFailedError);
      expect(err.message).toMatch(/cases\.csv: missing column "opened" named in the pipeline's fields; the file's first line has 7 column\(s\), 6 of them named in the pipeline; does the file start with a header row naming its columns\?/);
      expect(await db.value('SELECT count(*) FROM clients')).toBe(0);
      expect(await db.value("SELECT status FROM ingest_runs")).toBe('failed');
    });
  });

  it('a file without a header row: the message names no value from the file (its first line is a client\'s data), and a near-miss name is suggested', async () => {
    const dir = tempDir();
    const noHeader = CLEAN['clients.csv'].split('\n').slice(1).join('\n');
    writeFiles(dir, { ...CLEAN, 'clients.csv': noHeader });
    const pipeline = writePipeline(dir, 'crm', cleanPipeline());
    await withDb(path.join(dir, 'db.duckdb'), async (db) => {
      const err = await ingest(db, dir, pipeline).catch((e) => e);
      expect(err).toBeInstanceOf(IngestFailedError);
      expect(err.message).toMatch(/clients\.csv: missing columns "client_key", "first_name", .* the file's first line has 6 column\(s\), 0 of them named in the pipeline; does the file start with a header row/);
      const stored = await db.value<string>('SELECT message FROM ingest_runs');
      for (const value of ['Ana', 'López', '1990-01-02', '555-0101', 'C1']) {
        expect(err.message).not.toContain(value);
        expect(stored).not.toContain(value);
      }
    });
    writeFiles(dir, { ...CLEAN, 'clients.csv': CLEAN['clients.csv'].replace('first_name', 'First Name') });
    await withDb(path.join(dir, 'db2.duckdb'), async (db) => {
      const err = await ingest(db, dir, pipeline).catch((e) => e);
      expect(err.message).toMatch(/missing column "first_name" .*; did you mean "First Name" for "first_name"\?/);
    });
  });
});

describe('reject limit and unreadable files: one transaction per job', () => {
  it('a job over its reject limit loads nothing, exits with the reasons, and records a failed run', async () => {
    const dir = tempDir();
    writeFiles(dir, CLEAN);
    const pipeline = writePipeline(dir, 'crm', cleanPipeline());
    await withDb(path.join(dir, 'db.duckdb'), async (db) => {
      await ingest(db, dir, pipeline);
      const before = await snapshot(db);
      // 3 of 4 cases bad: far over 5%
      writeFiles(dir, { 'cases.csv': CLEAN['cases.csv'].replace(/2024-0(3|5|6)-01/g, 'soon').replace('P2,S3', 'P2,S3') });
      const err = await ingest(db, dir, pipeline).catch((e) => e);
      expect(err).toBeInstanceOf(IngestFailedError);
      expect(err.exitCode).toBe(4);
      expect(err.report.message).toMatch(/rows rejected \(\d+\.\d%\), over the limit of 5\.0%/);
      expect(err.report.rejectSample.length).toBeGreaterThan(0);
      expect(await snapshot(db)).toBe(before);
      const run = await db.one<{ status: string; rows_rejected: number }>('SELECT status, rows_rejected FROM ingest_runs ORDER BY run_id DESC LIMIT 1');
      expect(run!.status).toBe('failed');
      // the reasons are kept for the failed run, so the user can fix them
      expect(await db.value("SELECT count(*) FROM ingest_rejects r JOIN ingest_runs u USING (run_id) WHERE u.status = 'failed' AND code = 'bad_date'")).toBe(3);
    });
  });

  it('an unreadable file fails the whole job and leaves the database as it was', async () => {
    const dir = tempDir();
    writeFiles(dir, CLEAN);
    const pipeline = writePipeline(dir, 'crm', cleanPipeline());
    await withDb(path.join(dir, 'db.duckdb'), async (db) => {
      await ingest(db, dir, pipeline);
      const before = await snapshot(db);
      writeFiles(dir, { 'clients.csv': CLEAN['clients.csv'] + 'C4,New,Person,1999-09-09,male,\n', 'notes.csv': '' });
      const err = await ingest(db, dir, pipeline).catch((e) => e);
      expect(err).toBeInstanceOf(IngestFailedError);
      expect(err.message).toMatch(/notes\.csv: file is empty/);
      expect(await snapshot(db)).toBe(before);
    });
  });

  it('mixed line endings get a specific message', async () => {
    const dir = tempDir();
    writeFiles(dir, { ...CLEAN, 'surveys.csv': 'survey_key,case_key,responded_on,satisfaction,recommend\nQ1,K1,2024-02-01,5,yes\r\nQ2,K2,2024-02-01,4,no\n' });
    const pipeline = writePipeline(dir, 'crm', cleanPipeline());
    await withDb(path.join(dir, 'db.duckdb'), async (db) => {
      const err = await ingest(db, dir, pipeline).catch((e) => e);
      expect(err).toBeInstanceOf(IngestFailedError);
      expect(err.message).toMatch(/surveys\.csv: .*mixed line endings/);
    });
  });
});
