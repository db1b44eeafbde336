import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOMAINS, generateSample, type SampleSummary } from '../../src/sample/index.ts';
import { readTable, type Row } from './csv-read.ts';

// The committed demo sample: 1500 clients, seed 42, default dates (2024-01-01, 22 months).
const START = '2024-01-01';
const AS_OF = '2025-10-31';
const MB5 = 5 * 1024 * 1024;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'caselens-sample-demo-'));
let summary: SampleSummary;
const t: Record<string, Row[]> = {};

beforeAll(async () => {
  summary = await generateSample({ clients: 1500, seed: 42, outDir: dir });
  for (const f of Object.keys(summary.files)) t[f] = readTable(path.join(dir, f)).rows;
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const rows = (f: string): Row[] => t[f] as Row[];
const isoDay = /^\d{4}-\d{2}-\d{2}$/;
const usDateTime = /^(\d{2})\/(\d{2})\/(\d{4}) (\d{2}):(\d{2})$/;
const byKey = (f: string, key: string): Map<string, Row> => new Map(rows(f).map((r) => [r[key] as string, r]));
const stripAccents = (s: string): string => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
const normName = (s: string): string => stripAccents(s).toLowerCase().replace(/\s+/g, ' ').trim();

/**
 * Row-level checks run over tens of thousands of rows: collect failures (first 20) instead of
 * calling expect() per row, which keeps the suite fast.
 */
function collector(): { ok: (cond: boolean, msg: string) => void; done: () => void } {
  const problems: string[] = [];
  return {
    ok: (cond, msg) => {
      if (!cond && problems.length < 20) problems.push(msg);
    },
    done: () => expect(problems).toEqual([]),
  };
}

describe('demo sample (1500 clients, seed 42)', () => {
  it('has the intended size, and every file is under 5 MB', () => {
    expect(summary.files['clients.csv']).toBe(1500);
    expect(summary.files['notes.csv']).toBe(12000);
    expect(summary.files['cases.csv']).toBeGreaterThan(1900);
    expect(summary.files['cases.csv']).toBeLessThan(2400);
    for (const f of Object.keys(summary.files)) expect(fs.statSync(path.join(dir, f)).size, f).toBeLessThan(MB5);
    const avg = rows('notes.csv').reduce((a, n) => a + (n.text as string).length, 0) / 12000;
    expect(avg).toBeGreaterThan(240);
    expect(avg).toBeLessThan(350);
  });

  it('the committed data/sample/ is what the generator writes (regenerate: npx tsx src/sample/main.ts)', () => {
    const committed = path.join(import.meta.dirname, '..', '..', 'data', 'sample');
    for (const f of Object.keys(summary.files)) {
      const a = fs.readFileSync(path.join(dir, f));
      const file = path.join(committed, f);
      expect(fs.existsSync(file), `data/sample/${f} is missing`).toBe(true);
      expect(a.equals(fs.readFileSync(file)), `data/sample/${f} is stale`).toBe(true);
    }
  });

  it('DuckDB reads back the row counts of the summary (quoting, multi-line notes)', async () => {
    const inst = await DuckDBInstance.create(':memory:');
    const con = await inst.connect();
    try {
      for (const [f, n] of Object.entries(summary.files)) {
        const p = path.join(dir, f).replace(/'/g, "''");
        const r = await con.runAndReadAll(`select count(*) c from read_csv('${p}', header=true, all_varchar=true)`);
        expect(Number(r.getRowObjectsJson()[0]?.c), f).toBe(n);
      }
      // Multi-line texts survive: DuckDB sees the same texts as our strict parser.
      const p = path.join(dir, 'notes.csv').replace(/'/g, "''");
      const r = await con.runAndReadAll(
        `select count(*) filter (where text like '%' || chr(10) || '%') ml, sum(strlen(text)) len from read_csv('${p}', header=true, all_varchar=true)`,
      );
      const o = r.getRowObjectsJson()[0] as Record<string, unknown>;
      const ours = rows('notes.csv');
      expect(Number(o.ml)).toBe(ours.filter((n) => n.text!.includes('\n')).length);
      expect(Number(o.ml)).toBeGreaterThan(100);
      expect(Number(o.len)).toBe(ours.reduce((a, n) => a + Buffer.byteLength(n.text as string), 0));
    } finally {
      con.closeSync();
      inst.closeSync();
    }
  });

  it('programmes, staff and teams', () => {
    const programs = rows('programs.csv');
    expect(programs.length).toBeGreaterThanOrEqual(5);
    expect(programs.length).toBeLessThanOrEqual(6);
    for (const p of programs) expect(['housing', 'workforce', 'behavioural_health', 'youth', 'family_support']).toContain(p.program_type);
    const staff = rows('staff.csv');
    const managers = staff.filter((s) => s.role === 'manager');
    const sups = staff.filter((s) => s.role === 'supervisor');
    expect(managers.length).toBeGreaterThanOrEqual(22);
    expect(sups.length).toBeGreaterThanOrEqual(4);
    const supKeys = new Set(sups.map((s) => s.staff_key));
    for (const m of managers) {
      expect(supKeys.has(m.supervisor_key as string)).toBe(true);
      const cap = Number(m.caseload_capacity);
      expect(cap >= 20 && cap <= 35).toBe(true);
      expect(m.team).toBe(staff.find((s) => s.staff_key === m.supervisor_key)?.team);
    }
    for (const s of sups) expect(s.supervisor_key).toBe('');
    expect(staff[0]?.staff_key).toBe('S001');
  });

  it('clients: fake identifiers, ages 16–80, unique national ids', () => {
    const { ok, done } = collector();
    const clients = rows('clients.csv');
    const ids = new Set<string>();
    for (const c of clients) {
      const where = `client ${c.client_key}`;
      ok(/^C\d{6}$/.test(c.client_key!), `${where}: key`);
      ok(isoDay.test(c.date_of_birth!), `${where}: date_of_birth ${c.date_of_birth}`);
      const [y, m, d] = (c.date_of_birth as string).split('-').map(Number) as [number, number, number];
      const age = 2024 - y - (m > 1 || (m === 1 && d > 1) ? 1 : 0);
      ok(age >= 16 && age <= 80, `${where}: age ${age}`);
      ok(['female', 'male', 'non_binary', 'not_recorded'].includes(c.gender!), `${where}: gender ${c.gender}`);
      ok(['yes', 'no', 'unknown'].includes(c.veteran!), `${where}: veteran ${c.veteran}`);
      ok(!c.phone || /^\d{3}-555-01\d{2}$/.test(c.phone), `${where}: phone ${c.phone}`);
      ok(!c.email || /^[a-z0-9.]+@example\.org$/.test(c.email), `${where}: email ${c.email}`);
      ok(c.address!.length > 10, `${where}: address`);
      if (c.national_id) {
        ok(/^9\d{2}-\d{2}-\d{4}$/.test(c.national_id), `${where}: national_id ${c.national_id}`);
        ok(!ids.has(c.national_id), `${where}: duplicate national_id`);
        ids.add(c.national_id);
      }
    }
    done();
    const names = clients.map((c) => `${c.first_name} ${c.last_name}`).join('\n');
    expect(names).toMatch(/[éëñóúíá]/);
    expect(names).toMatch(/O'Brien|D'Angelo|O'Neill/);
    expect(names).toMatch(/[A-Za-z]-[A-Z]/);
    expect(clients.some((c) => c.address!.includes(','))).toBe(true);
  });

  it('partner list: ~12% of clients, 80% existing with names written differently, truth links', () => {
    const { ok, done } = collector();
    const partner = rows('partner_clients.csv');
    const links = byKey('truth/partner_links.csv', 'partner_id');
    const clients = byKey('clients.csv', 'client_key');
    expect(partner.length).toBe(180);
    const identity = new Set(rows('clients.csv').map((c) => `${normName(c.first_name!)}|${normName(c.last_name!)}|${c.date_of_birth}`));
    let existing = 0;
    for (const p of partner) {
      const where = `partner ${p.partner_id}`;
      ok(/^R\d{5}$/.test(p.partner_id!), `${where}: key`);
      ok(/^\d{2}\/\d{2}\/\d{4}$/.test(p.birth_date!), `${where}: birth_date ${p.birth_date}`);
      const [mm, dd, yyyy] = (p.birth_date as string).split('/');
      const iso = `${yyyy}-${mm}-${dd}`;
      const link = links.get(p.partner_id as string);
      if (!link) {
        ok(false, `${where}: no truth link`);
        continue;
      }
      if (link.client_key) {
        existing++;
        const c = clients.get(link.client_key) as Row;
        ok(iso === c.date_of_birth, `${where}: DOB differs from ${c.client_key}`);
        ok(normName(p.given_name!) === normName(c.first_name!), `${where}: given name ${p.given_name} vs ${c.first_name}`);
        ok(normName(p.family_name!) === normName(c.last_name!), `${where}: family name ${p.family_name} vs ${c.last_name}`);
        ok(p.given_name !== c.first_name || p.family_name !== c.last_name, `${where}: names written identically`);
      } else {
        ok(!identity.has(`${normName(p.given_name!)}|${normName(p.family_name!)}|${iso}`), `${where}: new person matches a client`);
      }
    }
    done();
    expect(existing).toBe(144);
  });

  it('cases: keys resolve, dates ordered, status consistent, realistic mix', () => {
    const { ok, done } = collector();
    const clients = byKey('clients.csv', 'client_key');
    const programs = byKey('programs.csv', 'program_key');
    const managers = new Set(rows('staff.csv').filter((s) => s.role === 'manager').map((s) => s.staff_key));
    const reasons = ['goals_met', 'moved_away', 'disengaged', 'transferred', 'referred_elsewhere', 'other'];
    const cases = rows('cases.csv');
    let closed = 0;
    let noReason = 0;
    let noManager = 0;
    let sameDay = 0;
    let long = 0;
    for (const c of cases) {
      const where = `case ${c.case_key}`;
      ok(/^K\d{7}$/.test(c.case_key!), `${where}: key`);
      ok(clients.has(c.client_key as string), `${where}: unknown client`);
      ok(programs.has(c.program_key as string), `${where}: unknown programme`);
      ok(['intake', 'standard', 'intensive', 'aftercare'].includes(c.case_type!), `${where}: case_type ${c.case_type}`);
      ok(c.opened_on! >= START && c.opened_on! <= AS_OF, `${where}: opened_on ${c.opened_on}`);
      if (c.manager_key) ok(managers.has(c.manager_key), `${where}: manager ${c.manager_key} is not a manager`);
      else {
        noManager++;
        ok(c.status === 'open', `${where}: closed case without a manager`);
      }
      if (c.status === 'closed') {
        closed++;
        ok(c.closed_on! >= c.opened_on! && c.closed_on! <= AS_OF, `${where}: closed_on ${c.closed_on}`);
        if (c.closed_on === c.opened_on) sameDay++;
        if ((Date.parse(c.closed_on!) - Date.parse(c.opened_on!)) / 864e5 > 365) long++;
        if (!c.closure_reason) noReason++;
        else ok(reasons.includes(c.closure_reason), `${where}: closure_reason ${c.closure_reason}`);
      } else {
        ok(c.status === 'open' && c.closed_on === '' && c.closure_reason === '', `${where}: open case with closure data`);
      }
    }
    // Episodes of one client never overlap, and only the last can be open.
    const byClient = new Map<string, Row[]>();
    for (const c of cases) byClient.set(c.client_key!, [...(byClient.get(c.client_key!) ?? []), c]);
    let multi = 0;
    for (const list of byClient.values()) {
      if (list.length > 1) multi++;
      list.sort((a, b) => a.opened_on!.localeCompare(b.opened_on!));
      for (let i = 1; i < list.length; i++) {
        const prev = list[i - 1] as Row;
        ok(prev.status === 'closed' && prev.closed_on! < list[i]!.opened_on!, `case ${list[i]!.case_key}: overlaps ${prev.case_key}`);
      }
    }
    done();
    expect(closed / cases.length).toBeGreaterThan(0.5);
    expect(closed / cases.length).toBeLessThan(0.72);
    expect(noReason).toBeGreaterThan(0);
    expect(noReason / closed).toBeLessThan(0.06);
    expect(noManager).toBeGreaterThan(0);
    expect(sameDay).toBeGreaterThan(0);
    expect(long).toBeGreaterThan(0);
    expect(multi / byClient.size).toBeGreaterThan(0.18);
    expect(multi / byClient.size).toBeLessThan(0.35);
  });

  it('goals, services, follow-ups and surveys are consistent', () => {
    const { ok, done } = collector();
    const cases = byKey('cases.csv', 'case_key');
    const staff = byKey('staff.csv', 'staff_key');
    const domains = new Set<string>(DOMAINS);
    for (const g of rows('goals.csv')) {
      const where = `goal ${g.goal_key}`;
      ok(cases.has(g.case_key as string), `${where}: unknown case`);
      ok(domains.has(g.domain as string), `${where}: domain ${g.domain}`);
      ok(['active', 'achieved', 'not_achieved', 'withdrawn'].includes(g.status as string), `${where}: status ${g.status}`);
      if (g.status === 'achieved') ok(g.achieved_on! >= g.set_on! && g.achieved_on! <= AS_OF, `${where}: achieved_on ${g.achieved_on}`);
      else ok(g.achieved_on === '', `${where}: achieved_on without achievement`);
      ok(g.target_on! > g.set_on!, `${where}: target before set`);
    }
    const statusCount: Record<string, number> = {};
    for (const s of rows('services.csv')) {
      const where = `service ${s.service_key}`;
      ok(cases.has(s.case_key as string), `${where}: unknown case`);
      ok(staff.has(s.staff_key as string), `${where}: unknown staff`);
      ok(usDateTime.test(s.scheduled_at as string), `${where}: scheduled_at ${s.scheduled_at}`);
      statusCount[s.status!] = (statusCount[s.status!] ?? 0) + 1;
      const planned = Number(s.units_planned);
      const delivered = Number(s.units_delivered);
      ok(Number.isInteger(planned) && planned >= 1, `${where}: units_planned ${s.units_planned}`);
      if (s.status === 'delivered') {
        ok(usDateTime.test(s.delivered_at as string), `${where}: delivered_at ${s.delivered_at}`);
        ok(delivered >= 1 && delivered <= planned, `${where}: units_delivered ${delivered}/${planned}`);
      } else {
        ok(['no_show', 'cancelled', 'scheduled'].includes(s.status as string), `${where}: status ${s.status}`);
        ok(s.delivered_at === '' && delivered === 0, `${where}: delivery data on a ${s.status} service`);
      }
    }
    const total = rows('services.csv').length;
    expect(statusCount.delivered! / total).toBeGreaterThan(0.68);
    expect(statusCount.no_show! / total).toBeGreaterThan(0.08);
    expect(statusCount.cancelled! / total).toBeGreaterThan(0.05);
    expect(statusCount.scheduled! / total).toBeGreaterThan(0.02);
    for (const f of rows('followups.csv')) {
      ok(cases.has(f.case_key as string), `followup ${f.followup_key}: unknown case`);
      ok(['30_day', '90_day', 'post_exit'].includes(f.followup_type as string), `followup ${f.followup_key}: type`);
      ok(!f.completed_on || f.completed_on <= AS_OF, `followup ${f.followup_key}: completed in the future`);
    }
    const fu = rows('followups.csv');
    expect(fu.some((f) => f.completed_on === f.due_on)).toBe(true);
    expect(fu.some((f) => f.completed_on === '' && f.due_on! < AS_OF)).toBe(true);
    for (const s of rows('surveys.csv')) {
      const sat = Number(s.satisfaction);
      ok(cases.has(s.case_key as string), `survey ${s.survey_key}: unknown case`);
      ok(Number.isInteger(sat) && sat >= 1 && sat <= 5, `survey ${s.survey_key}: satisfaction ${s.satisfaction}`);
      ok(s.would_recommend === 'yes' || s.would_recommend === 'no', `survey ${s.survey_key}: would_recommend`);
    }
    done();
  });

  it('assessments: item scores sum to totals, ranges, baseline timing and drop-out', () => {
    const { ok, done } = collector();
    const cases = byKey('cases.csv', 'case_key');
    const domains = new Set<string>(DOMAINS);
    const baseline = new Map<string, string>();
    for (const a of rows('assessments.csv')) {
      const where = `assessment ${a.assessment_key}`;
      const c = cases.get(a.case_key as string);
      if (!c) {
        ok(false, `${where}: unknown case`);
        continue;
      }
      ok(a.client_key === c.client_key, `${where}: client does not match the case`);
      ok(['baseline', 'interim', 'exit', 'followup'].includes(a.timepoint as string), `${where}: timepoint`);
      ok(a.administered_on! >= c.opened_on! && a.administered_on! <= AS_OF, `${where}: administered_on ${a.administered_on}`);
      const total = Number(a.total_score);
      if (a.instrument === 'ssm') {
        ok(domains.has(a.domain as string), `${where}: ssm domain ${a.domain}`);
        ok(a.items === '', `${where}: ssm items`);
        ok(Number.isInteger(total) && total >= 1 && total <= 5, `${where}: ssm score ${total}`);
      } else {
        ok(a.instrument === 'phq9' || a.instrument === 'gad7', `${where}: instrument ${a.instrument}`);
        ok(a.domain === '', `${where}: domain on ${a.instrument}`);
        const items = JSON.parse(a.items as string) as number[];
        ok(items.length === (a.instrument === 'phq9' ? 9 : 7), `${where}: ${items.length} items`);
        ok(items.every((i) => Number.isInteger(i) && i >= 0 && i <= 3), `${where}: item out of range`);
        ok(items.reduce((x, y) => x + y, 0) === total, `${where}: items do not sum to ${total}`);
      }
      if (a.timepoint === 'baseline' && !baseline.has(a.case_key!)) baseline.set(a.case_key!, a.administered_on!);
    }
    done();
    const lags = [...baseline].map(([k, d]) => (Date.parse(d) - Date.parse(cases.get(k)!.opened_on!)) / 864e5);
    expect(lags.filter((l) => l <= 20).length / lags.length).toBeGreaterThan(0.85);
    expect(lags.some((l) => l > 30)).toBe(true);
    expect(baseline.size).toBeLessThan(cases.size);
    expect(baseline.size / cases.size).toBeGreaterThan(0.85);
  });

  it('notes: keys resolve, dated within the case period, authored by staff', () => {
    const { ok, done } = collector();
    const cases = byKey('cases.csv', 'case_key');
    const staff = byKey('staff.csv', 'staff_key');
    let byManager = 0;
    const notes = rows('notes.csv');
    const stamp = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
    notes.forEach((n, i) => {
      const where = `note ${n.note_key}`;
      ok(n.note_key === 'N' + String(i + 1).padStart(8, '0'), `${where}: key out of sequence`);
      const c = cases.get(n.case_key as string);
      if (!c) {
        ok(false, `${where}: unknown case`);
        return;
      }
      ok(staff.has(n.author_key as string), `${where}: unknown author`);
      if (n.author_key === c.manager_key) byManager++;
      ok(stamp.test(n.written_at as string), `${where}: written_at ${n.written_at}`);
      const day = n.written_at!.slice(0, 10);
      ok(day >= c.opened_on! && day <= (c.closed_on || AS_OF), `${where}: ${day} outside ${c.opened_on}..${c.closed_on || AS_OF}`);
      ok(['progress', 'contact', 'admin', 'assessment'].includes(n.note_type as string), `${where}: type ${n.note_type}`);
      ok(n.text!.length > 0 && !/\r|\{|\}|\[|\]|undefined|null/.test(n.text!), `${where}: bad text ${JSON.stringify(n.text)}`);
    });
    done();
    expect(byManager / notes.length).toBeGreaterThan(0.7);
    expect(byManager / notes.length).toBeLessThan(0.95);
    const all = notes.map((n) => n.text).join('\n');
    for (const ch of ['“', '’', '—', 'é', '"']) expect(all).toContain(ch);
    expect(all).toMatch(/\p{Extended_Pictographic}/u);
    expect(all).toMatch(/\bpt\b|\bPt\b/);
    expect(all).toMatch(/\bcl\b|\bCl\b/);
    expect(all).toMatch(/\bCM\b/);
    expect(all).toMatch(/\bI met\b/);
  });

  it('some notes carry the client’s first name, phone or email (for redaction)', () => {
    const cases = byKey('cases.csv', 'case_key');
    const clients = byKey('clients.csv', 'client_key');
    let name = 0;
    let phone = 0;
    let email = 0;
    for (const n of rows('notes.csv')) {
      const c = clients.get(cases.get(n.case_key!)!.client_key!) as Row;
      if (n.text!.includes(c.first_name!)) name++;
      if (c.phone && n.text!.includes(c.phone)) phone++;
      if (c.email && n.text!.includes(c.email)) email++;
    }
    expect(name).toBeGreaterThan(200);
    expect(phone).toBeGreaterThan(20);
    expect(email).toBeGreaterThan(20);
  });

  it('truth: every evidence is an exact substring of its note; coverage of domains, statuses, directions', () => {
    const { ok, done } = collector();
    const notes = byKey('notes.csv', 'note_key');
    const truth = rows('truth/notes_truth.csv');
    const domains = new Set<string>();
    const statuses = new Set<string>();
    const directions = new Set<string>();
    const cells = new Set<string>();
    for (const r of truth) {
      const n = notes.get(r.note_key as string);
      if (!n) {
        ok(false, `truth ${r.note_key}: unknown note`);
        continue;
      }
      ok(n.note_type !== 'admin', `truth ${r.note_key}: evidence on an admin note`);
      ok(r.evidence!.length > 5 && r.evidence === r.evidence!.trim(), `truth ${r.note_key}: evidence ${JSON.stringify(r.evidence)}`);
      ok(n.text!.includes(r.evidence!), `truth ${r.note_key}: ${JSON.stringify(r.evidence)} not in ${JSON.stringify(n.text)}`);
      domains.add(r.domain!);
      statuses.add(r.status!);
      directions.add(r.direction!);
      cells.add(`${r.domain}/${r.status}/${r.direction}`);
    }
    done();
    expect([...domains].sort()).toEqual([...DOMAINS].sort());
    expect([...statuses].sort()).toEqual(['current', 'historical', 'negated']);
    expect([...directions].sort()).toEqual(['concern', 'deterioration', 'improvement', 'strength']);
    expect(cells.size).toBeGreaterThanOrEqual(15 * 7 - 3);
    expect(truth.length / notes.size).toBeGreaterThan(1.2);
    // Some notes (admin, brief calls) carry no evidence at all.
    const withTruth = new Set(truth.map((r) => r.note_key));
    expect([...notes.keys()].filter((k) => !withTruth.has(k)).length).toBeGreaterThan(1000);
  });
});
