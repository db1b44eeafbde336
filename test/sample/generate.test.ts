import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSample, type SampleSummary } from '../../src/sample/index.ts';
import { csvField, csvLine } from '../../src/sample/csv.ts';
import { BANK, DOMAINS } from '../../src/sample/phrases.ts';
import { CELLS, cellTemplates, compileTemplate } from '../../src/sample/notes.ts';
import { parseCsv, readTable } from './csv-read.ts';

const FILES = [
  'programs.csv', 'staff.csv', 'clients.csv', 'partner_clients.csv', 'truth/partner_links.csv', 'cases.csv', 'goals.csv',
  'services.csv', 'followups.csv', 'assessments.csv', 'surveys.csv', 'notes.csv', 'truth/notes_truth.csv',
];

const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'caselens-sample-'));
afterAll(() => fs.rmSync(tmpRoot, { recursive: true, force: true }));

function hashes(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of FILES) out[f] = createHash('sha256').update(fs.readFileSync(path.join(dir, f))).digest('hex');
  return out;
}

describe('determinism', () => {
  const dirs = { a: path.join(tmpRoot, 'a'), a2: path.join(tmpRoot, 'a2'), b: path.join(tmpRoot, 'b') };
  let sa: SampleSummary;
  let sa2: SampleSummary;
  beforeAll(async () => {
    [sa, sa2] = await Promise.all([
      generateSample({ clients: 300, seed: 7, outDir: dirs.a }),
      generateSample({ clients: 300, seed: 7, outDir: dirs.a2 }),
      generateSample({ clients: 300, seed: 8, outDir: dirs.b }),
    ]);
  });

  it('writes exactly the contracted files', () => {
    expect(Object.keys(sa.files).sort()).toEqual([...FILES].sort());
    for (const f of FILES) expect(fs.existsSync(path.join(dirs.a, f))).toBe(true);
  });

  it('same seed and options give byte-identical files', () => {
    expect(hashes(dirs.a2)).toEqual(hashes(dirs.a));
    expect(sa2).toEqual(sa);
  });

  it('a different seed gives different data', () => {
    const ha = hashes(dirs.a);
    const hb = hashes(dirs.b);
    for (const f of FILES.filter((f) => f !== 'programs.csv')) expect(hb[f], f).not.toBe(ha[f]);
  });

  it('summary counts are the data rows of each file', () => {
    for (const f of FILES) expect(readTable(path.join(dirs.a, f)).rows.length, f).toBe(sa.files[f]);
    expect(sa.files['notes.csv']).toBe(300 * 8);
  });

  it('headers are the contract', () => {
    const h = (f: string): string[] => readTable(path.join(dirs.a, f)).header;
    expect(h('programs.csv')).toEqual(['program_key', 'name', 'program_type']);
    expect(h('staff.csv')).toEqual(['staff_key', 'name', 'role', 'supervisor_key', 'team', 'caseload_capacity']);
    expect(h('clients.csv')).toEqual([
      'client_key', 'first_name', 'last_name', 'date_of_birth', 'gender', 'race_ethnicity', 'veteran', 'phone', 'email', 'address', 'national_id',
    ]);
    expect(h('partner_clients.csv')).toEqual(['partner_id', 'given_name', 'family_name', 'birth_date', 'phone']);
    expect(h('truth/partner_links.csv')).toEqual(['partner_id', 'client_key']);
    expect(h('cases.csv')).toEqual([
      'case_key', 'client_key', 'program_key', 'manager_key', 'case_type', 'opened_on', 'closed_on', 'status', 'closure_reason',
    ]);
    expect(h('goals.csv')).toEqual(['goal_key', 'case_key', 'domain', 'description', 'set_on', 'target_on', 'status', 'achieved_on']);
    expect(h('services.csv')).toEqual([
      'service_key', 'case_key', 'service_type', 'staff_key', 'scheduled_at', 'delivered_at', 'status', 'units_planned', 'units_delivered',
    ]);
    expect(h('followups.csv')).toEqual(['followup_key', 'case_key', 'followup_type', 'due_on', 'completed_on']);
    expect(h('assessments.csv')).toEqual([
      'assessment_key', 'client_key', 'case_key', 'instrument', 'domain', 'administered_on', 'timepoint', 'total_score', 'items',
    ]);
    expect(h('surveys.csv')).toEqual(['survey_key', 'case_key', 'responded_on', 'satisfaction', 'would_recommend', 'comment']);
    expect(h('notes.csv')).toEqual(['note_key', 'case_key', 'author_key', 'written_at', 'note_type', 'text']);
    expect(h('truth/notes_truth.csv')).toEqual(['note_key', 'domain', 'direction', 'status', 'evidence']);
  });
});

describe('options', () => {
  it('honours notes, start and months, and reports progress up to the total', async () => {
    const dir = path.join(tmpRoot, 'opts');
    const calls: Array<[number, number]> = [];
    const s = await generateSample({ clients: 60, seed: 3, outDir: dir, notes: 123, start: '2023-03-15', months: 12 }, (d, t) =>
      calls.push([d, t]),
    );
    expect(s.files['notes.csv']).toBe(123);
    expect(calls.length).toBeGreaterThan(0);
    const last = calls[calls.length - 1] as [number, number];
    expect(last[0]).toBe(last[1]);
    for (let i = 1; i < calls.length; i++) expect((calls[i] as [number, number])[0]).toBeGreaterThanOrEqual((calls[i - 1] as [number, number])[0]);
    // Cases open within [start, as-of]; as-of = 2024-03-14.
    for (const c of readTable(path.join(dir, 'cases.csv')).rows) {
      expect(c.opened_on! >= '2023-03-15' && c.opened_on! <= '2024-03-14', c.case_key).toBe(true);
      if (c.closed_on) expect(c.closed_on <= '2024-03-14').toBe(true);
    }
    for (const n of readTable(path.join(dir, 'notes.csv')).rows) expect(n.written_at! <= '2024-03-14 23:59:59').toBe(true);
  });

  it('writes zero notes when asked to', async () => {
    const s = await generateSample({ clients: 12, seed: 1, outDir: path.join(tmpRoot, 'zero'), notes: 0 });
    expect(s.files['notes.csv']).toBe(0);
    expect(s.files['truth/notes_truth.csv']).toBe(0);
    expect(s.files['partner_clients.csv']).toBe(10); // minimum
  });

  it('rejects invalid options', async () => {
    const outDir = path.join(tmpRoot, 'bad');
    await expect(generateSample({ clients: 0, seed: 1, outDir })).rejects.toThrow(/clients/);
    await expect(generateSample({ clients: 1.5, seed: 1, outDir })).rejects.toThrow(/clients/);
    await expect(generateSample({ clients: 5, seed: Number.NaN, outDir })).rejects.toThrow(/seed/);
    await expect(generateSample({ clients: 5, seed: 1, outDir, notes: -1 })).rejects.toThrow(/notes/);
    await expect(generateSample({ clients: 5, seed: 1, outDir, start: '2024-02-30' })).rejects.toThrow(/date/);
    await expect(generateSample({ clients: 5, seed: 1, outDir, months: 0 })).rejects.toThrow(/months/);
  });
});

describe('csv writer', () => {
  it('quotes only what RFC 4180 needs (plus edge spaces) and round-trips', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('')).toBe('');
    expect(csvField(null)).toBe('');
    expect(csvField(undefined)).toBe('');
    expect(csvField(12)).toBe('12');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\r')).toBe('"cr\r"');
    expect(csvField(' padded ')).toBe('" padded "');
    expect(csvField('José “curly” — ok 🙂')).toBe('José “curly” — ok 🙂');
    const fields = ['a,b', 'say "hi"', 'x\ny', '', ' s', 'Zoë', "O'Brien"];
    expect(parseCsv(csvLine(fields))).toEqual([fields]);
  });
});

describe('phrase bank', () => {
  it('has at least 6 templates in every domain × direction × status cell', () => {
    expect(DOMAINS).toHaveLength(15);
    for (const d of DOMAINS) {
      for (const [status, direction] of CELLS) {
        expect(cellTemplates(d, status, direction).length, `${d} ${status} ${direction}`).toBeGreaterThanOrEqual(6);
      }
      expect(BANK[d].distractors.length).toBeGreaterThanOrEqual(3);
      expect(BANK[d].goals.length).toBeGreaterThanOrEqual(3);
    }
  });

  it('never files the same sentence under two cells', () => {
    const seen = new Map<string, string>();
    for (const d of DOMAINS) {
      for (const [status, direction] of CELLS) {
        for (const t of cellTemplates(d, status, direction)) {
          const where = `${d}/${status}/${direction}`;
          expect(seen.get(t.src), t.src).toBeUndefined();
          seen.set(t.src, where);
        }
      }
    }
  });

  it('rejects unknown slots and bad evidence brackets', () => {
    expect(() => compileTemplate('{S} has a {nope}')).toThrow(/unknown slot/);
    expect(() => compileTemplate('[one] and [two]')).toThrow(/brackets/);
    expect(() => compileTemplate('[unclosed')).toThrow(/brackets/);
    expect(compileTemplate('{S} [denies any substance use]').explicitEv).toBe(true);
  });
});
