/**
 * The KPIs read derived facts (src/kpi/facts.ts): per-case and per-month service summaries, spans
 * of undocumented services, client numbers counted as bitmaps or hashed. These tests prove the
 * figures equal what plain SQL over the canonical tables gives, written here by hand from each
 * KPI's written definition (never with the KPI SQL builders), on the bundled sample (1,500
 * clients ingested and scored offline) for many periods and as-of dates, and again on a copy made
 * messier (walk-ins without a schedule, deliveries days after the appointment and in the next
 * month, missing units and types, tags without citations, undated goals…).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultKpiConfig, ensureFacts, findKpi, refreshFacts, runKpi, type FactsInfo, type KpiResult } from '../../src/kpi/index.ts';
import { queryRows } from '../../src/kpi/query.ts';
import { openStore, type Db } from '../../src/store/index.ts';
import { sampleDbCopy, TODAY } from '../serve/fixture.ts';

// ---------------------------------------------------------------------------------------------
// windows

interface Window {
  name: string;
  from?: string;
  to?: string;
  asOf?: string;
}

/** The period as the KPIs resolve it: as-of defaults to `to`, else today. */
interface Bounds {
  from: string | undefined;
  to: string | undefined;
  asOf: string;
}

const bounds = (w: Window): Bounds => ({ from: w.from, to: w.to, asOf: w.asOf ?? w.to ?? TODAY });

const FIXED: Window[] = [
  { name: 'whole history, as of today (a month end, bookings included)' },
  { name: 'whole history, as of mid-month among the bookings', asOf: '2025-11-15' },
  { name: 'whole history, as of a month end mid-data', asOf: '2024-09-30' },
  { name: 'whole history, as of mid-month mid-data', asOf: '2025-03-17' },
  { name: 'no start, to mid-month', to: '2024-08-15' },
  { name: 'no start, as of before to', to: '2025-11-30', asOf: '2025-11-03' },
  { name: 'a quarter aligned to months', from: '2024-04-01', to: '2024-06-30' },
  { name: 'a calendar year running into the bookings', from: '2025-01-01', to: '2025-12-31' },
  { name: 'mid-month to mid-month', from: '2024-02-14', to: '2024-11-20' },
  { name: 'a single day', from: '2025-05-07', to: '2025-05-07' },
  { name: 'as of months before the end of the period', from: '2024-06-10', to: '2025-02-20', asOf: '2024-12-05' },
  { name: 'as of mid-month, period to a month end', from: '2024-03-01', to: '2025-10-31', asOf: '2025-10-15' },
  { name: 'open-ended from mid-month', from: '2025-10-20' },
  { name: 'before any data', from: '2023-01-01', to: '2023-06-30' },
];

function fixed(name: string): Window {
  const w = FIXED.find((x) => x.name === name);
  if (!w) throw new Error(`no window ${name}`);
  return w;
}

/** mulberry32: a small seeded PRNG, so the drawn windows are the same on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

function drawn(seed: number, n: number): Window[] {
  const rnd = prng(seed);
  const start = '2023-11-15';
  const span = 800; // days: to early 2026
  const out: Window[] = [];
  for (let i = 0; i < n; i++) {
    const a = Math.floor(rnd() * span);
    const b = Math.floor(rnd() * span);
    const [lo, hi] = a <= b ? [a, b] : [b, a];
    const w: Window = { name: `drawn #${i + 1}` };
    if (rnd() < 0.8) w.from = addDays(start, lo);
    if (rnd() < 0.8) w.to = addDays(start, hi);
    // without a period, an as-of date (else it is the whole history again)
    if (rnd() < 0.5 || (w.from === undefined && w.to === undefined)) w.asOf = addDays(start, lo + Math.floor(rnd() * (span - lo)));
    out.push(w);
  }
  return out;
}

const WINDOWS: Window[] = [...FIXED, ...drawn(20_251_231, 3)];

/** The messier copy: windows that cut through months, cases and bookings, and one more drawn. */
const MESSY_WINDOWS: Window[] = [
  ...[
    'whole history, as of today (a month end, bookings included)',
    'whole history, as of mid-month among the bookings',
    'no start, as of before to',
    'mid-month to mid-month',
    'a single day',
    'as of months before the end of the period',
    'as of mid-month, period to a month end',
    'open-ended from mid-month',
  ].map(fixed),
  ...drawn(4_242, 1),
];

const describeWindow = (w: Window) => `${w.name} [${w.from ?? '…'} → ${w.to ?? '…'}, as of ${w.asOf ?? 'default'}]`;

// ---------------------------------------------------------------------------------------------
// hand-written figures over the canonical tables

const D = (day: string) => `DATE '${day}'`;

/** `expr` (a DATE) in the period and not after the as-of date. */
function inPeriod(expr: string, b: Bounds): string {
  return [b.from !== undefined ? `${expr} >= ${D(b.from)}` : '', b.to !== undefined ? `${expr} <= ${D(b.to)}` : '', `${expr} <= ${D(b.asOf)}`]
    .filter(Boolean)
    .join(' AND ');
}

/** Grouping expressions over the canonical tables (c = cases, s = services, g = goals, f = followups). */
const DIM: Record<string, string> = {
  program: 'c.program_id',
  manager: 'c.manager_id',
  case_type: 'c.case_type',
  service_type: 's.service_type',
  domain: 'g.domain_id',
  followup_type: 'f.followup_type',
};

type Figures = Record<string, number>;
type Table = Map<string, Figures>;

const TOTAL = 'total';
const groupKey = (id: unknown) => `group ${JSON.stringify(id ?? null)}`;

interface RawMeasures {
  /** name → condition: rows counted */
  counts?: Record<string, string>;
  /** name → expression: summed */
  sums?: Record<string, string>;
  /** name → condition: distinct client_id with such a row */
  clients?: Record<string, string>;
}

/** The total and per-group figures of base rows selecting `grp` and `client_id`. */
async function tabulate(db: Db, base: string, m: RawMeasures): Promise<Table> {
  const aggs = [
    ...Object.entries(m.counts ?? {}).map(([n, c]) => `count(*) FILTER (WHERE ${c}) AS ${n}`),
    ...Object.entries(m.sums ?? {}).map(([n, e]) => `coalesce(sum(${e}), 0)::DOUBLE AS ${n}`),
    ...Object.entries(m.clients ?? {}).map(([n, c]) => `count(DISTINCT client_id) FILTER (WHERE ${c}) AS ${n}`),
  ].join(', ');
  // the grand total comes even from no rows at all
  const rows = await db.all<Record<string, unknown>>(`SELECT grouping(grp) = 1 AS is_total, grp, ${aggs} FROM (${base}) b GROUP BY GROUPING SETS ((), (grp))`);
  const out: Table = new Map();
  for (const r of rows) {
    const key = r.is_total === true ? TOTAL : groupKey(r.grp);
    out.set(key, Object.fromEntries(Object.entries(r).filter(([k]) => k !== 'grp' && k !== 'is_total').map(([k, v]) => [k, Number(v)])));
  }
  if (!out.has(TOTAL)) throw new Error('no total row');
  return out;
}

/** service-utilisation: services with units planned whose planned day is in the period. */
function rawUtilisation(db: Db, b: Bounds, by: string): Promise<Table> {
  return tabulate(
    db,
    `SELECT ${DIM[by]} AS grp, c.client_id, s.units_planned AS planned, coalesce(s.units_delivered, 0) AS delivered
     FROM services s JOIN cases c ON c.case_id = s.case_id
     WHERE s.units_planned IS NOT NULL AND ${inPeriod('coalesce(s.scheduled_at, s.delivered_at)::DATE', b)}`,
    { counts: { services: 'true' }, sums: { units_planned: 'planned', units_delivered: 'delivered' }, clients: { clients: 'true' } },
  );
}

/** attendance: delivered and no-show services whose day (delivered, else scheduled) is in the period. */
function rawAttendance(db: Db, b: Bounds, by: string): Promise<Table> {
  return tabulate(
    db,
    `SELECT ${DIM[by]} AS grp, c.client_id, s.status = 'delivered' AS ok, s.status = 'no_show' AS missed
     FROM services s JOIN cases c ON c.case_id = s.case_id
     WHERE s.status IN ('delivered', 'no_show') AND ${inPeriod('coalesce(s.delivered_at, s.scheduled_at)::DATE', b)}`,
    { counts: { attended: 'ok', no_shows: 'missed' }, clients: { clients: 'true', attended_clients: 'ok', no_show_clients: 'missed' } },
  );
}

/** goal-achievement: goals with a final status whose final date is in the period. */
function rawGoals(db: Db, b: Bounds, by: string): Promise<Table> {
  const periodGiven = b.from !== undefined || b.to !== undefined;
  const finalAt = `CASE WHEN g.status = 'achieved' THEN coalesce(g.achieved_at, c.closed_at, g.target_at) ELSE coalesce(c.closed_at, g.target_at) END`;
  return tabulate(
    db,
    `SELECT grp, client_id, ok FROM (
       SELECT ${DIM[by]} AS grp, c.client_id, g.status = 'achieved' AS ok, ${finalAt} AS final_at
       FROM goals g JOIN cases c ON c.case_id = g.case_id
       WHERE g.status IN ('achieved', 'not_achieved'))
     WHERE ${periodGiven ? `final_at IS NOT NULL AND ${inPeriod('final_at', b)}` : `(final_at IS NULL OR final_at <= ${D(b.asOf)})`}`,
    { counts: { goals: 'true', achieved: 'ok' }, clients: { clients: 'true', achieved_clients: 'ok', not_achieved_clients: 'NOT ok' } },
  );
}

/** followup-compliance: follow-ups due in the period, by outcome at the end of the as-of day (grace 7 days). */
function rawFollowups(db: Db, b: Bounds, by: string): Promise<Table> {
  const asOf = D(b.asOf);
  return tabulate(
    db,
    `SELECT ${DIM[by]} AS grp, c.client_id,
       CASE WHEN f.completed_at <= ${asOf} AND f.completed_at <= f.due_at + 7 THEN 'on_time'
            WHEN f.completed_at <= ${asOf} THEN 'late'
            WHEN f.due_at + 7 <= ${asOf} THEN 'overdue'
            ELSE 'pending' END AS outcome
     FROM followups f JOIN cases c ON c.case_id = f.case_id
     WHERE ${inPeriod('f.due_at', b)}`,
    {
      counts: { on_time: "outcome = 'on_time'", late: "outcome = 'late'", overdue: "outcome = 'overdue'", pending: "outcome = 'pending'" },
      clients: {
        clients: "outcome <> 'pending'",
        on_time_clients: "outcome = 'on_time'",
        late_clients: "outcome = 'late'",
        overdue_clients: "outcome = 'overdue'",
        pending_clients: "outcome = 'pending'",
      },
    },
  );
}

const RULES = ['baseline', 'goal', 'notes', 'closure'] as const;

/** documentation-completeness, one row per case in scope with its rules (30 / 30 / 3 days, closure reason required). */
function rawDocCasesSql(b: Bounds): string {
  const asOf = D(b.asOf);
  const lastOpen = b.to !== undefined ? `least(${D(b.to)}, ${asOf})` : asOf;
  return `WITH scope AS (
      SELECT * FROM cases c
      WHERE c.opened_at <= ${lastOpen} ${b.from !== undefined ? `AND (c.closed_at IS NULL OR c.closed_at >= ${D(b.from)})` : ''}),
    checked_services AS (
      SELECT s.case_id, s.delivered_at FROM services s
      WHERE s.status = 'delivered' AND s.delivered_at IS NOT NULL AND s.delivered_at::DATE + 3 <= ${asOf}
        ${b.from !== undefined ? `AND s.delivered_at::DATE >= ${D(b.from)}` : ''}
        ${b.to !== undefined ? `AND s.delivered_at::DATE <= ${D(b.to)}` : ''}),
    undocumented AS (
      SELECT v.case_id, count(*) AS n FROM checked_services v
      WHERE NOT EXISTS (SELECT 1 FROM notes n WHERE n.case_id = v.case_id AND n.written_at >= v.delivered_at AND n.written_at < v.delivered_at::DATE + 4)
      GROUP BY v.case_id)
    SELECT c.case_id, c.client_id, c.program_id, c.manager_id, c.case_type,
      c.opened_at + 30 <= ${asOf} AND NOT EXISTS (
        SELECT 1 FROM assessments a
        WHERE a.case_id = c.case_id AND a.administered_at BETWEEN c.opened_at - 30 AND c.opened_at + 30 AND a.administered_at <= ${asOf}) AS fail_baseline,
      c.opened_at + 30 <= ${asOf} AND NOT EXISTS (
        SELECT 1 FROM goals g WHERE g.case_id = c.case_id AND (g.set_at IS NULL OR g.set_at <= ${asOf})) AS fail_goal,
      coalesce(u.n, 0) > 0 AS fail_notes,
      coalesce(u.n, 0)::INTEGER AS services_without_note,
      c.closed_at IS NOT NULL AND c.closed_at <= ${asOf} AND nullif(trim(c.closure_reason), '') IS NULL AS fail_closure
    FROM scope c LEFT JOIN undocumented u ON u.case_id = c.case_id`;
}

interface DocCase {
  case_id: string;
  client_id: string;
  program_id: string | null;
  manager_id: string | null;
  case_type: string | null;
  fail_baseline: boolean;
  fail_goal: boolean;
  fail_notes: boolean;
  fail_closure: boolean;
  services_without_note: number;
}

const CASE_COLUMN: Record<string, 'program_id' | 'manager_id' | 'case_type'> = { program: 'program_id', manager: 'manager_id', case_type: 'case_type' };

const failed = (c: DocCase) => RULES.filter((r) => c[`fail_${r}`] === true);

/** The cases of a window, read once for every grouping and the listing. */
const docCases = new WeakMap<Db, Map<string, Promise<DocCase[]>>>();

function rawDocCases(db: Db, b: Bounds): Promise<DocCase[]> {
  const cache = docCases.get(db) ?? new Map<string, Promise<DocCase[]>>();
  docCases.set(db, cache);
  const key = JSON.stringify(b);
  if (!cache.has(key)) cache.set(key, db.all<DocCase>(rawDocCasesSql(b)));
  return cache.get(key)!;
}

/** Counts and distinct clients of cases, in total and per group, added up here. */
async function rawDocumentation(db: Db, b: Bounds, by: string): Promise<Table> {
  const cases = await rawDocCases(db, b);
  const column = CASE_COLUMN[by]!;
  const figures = (rows: DocCase[]): Figures => {
    const count = (p: (c: DocCase) => boolean) => rows.filter(p).length;
    const clients = (p: (c: DocCase) => boolean) => new Set(rows.filter(p).map((c) => c.client_id)).size;
    const complete = (c: DocCase) => failed(c).length === 0;
    return {
      cases: rows.length,
      complete: count(complete),
      clients: clients(() => true),
      complete_clients: clients(complete),
      incomplete_clients: clients((c) => !complete(c)),
      ...Object.fromEntries(
        RULES.flatMap((r) => [
          [`fail_${r}`, count((c) => c[`fail_${r}`] === true)],
          [`fail_${r}_clients`, clients((c) => c[`fail_${r}`] === true)],
          [`pass_${r}_clients`, clients((c) => c[`fail_${r}`] !== true)],
        ]),
      ),
    };
  };
  const groups = new Map<string, DocCase[]>();
  for (const c of cases) {
    const key = groupKey(c[column]);
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  return new Map([[TOTAL, figures(cases)], ...[...groups].map(([k, rows]): [string, Figures] => [k, figures(rows)])]);
}

const DIRECTIONS = ['strength', 'concern', 'improvement', 'deterioration'] as const;

interface Narrative {
  active: number;
  /** 'total' or a domain id → direction → distinct clients */
  clients: Map<string, Record<string, number>>;
}

/** narrative-evidence: active clients, and those with cited current evidence per domain and direction. */
async function rawNarrative(db: Db, b: Bounds): Promise<Narrative> {
  const asOf = D(b.asOf);
  const active = `SELECT case_id, client_id FROM cases
    WHERE opened_at <= ${asOf} ${b.to !== undefined ? `AND opened_at <= ${D(b.to)}` : ''}
      ${b.from !== undefined ? `AND (closed_at IS NULL OR closed_at >= ${D(b.from)})` : ''}`;
  const evidence = `SELECT t.domain_id, t.direction, a.client_id
    FROM note_tags t JOIN notes n ON n.note_id = t.note_id JOIN (${active}) a ON a.case_id = n.case_id
    WHERE t.status = 'current' AND EXISTS (SELECT 1 FROM tag_citations tc WHERE tc.tag_id = t.tag_id)
      ${b.from !== undefined ? `AND n.written_at >= ${D(b.from)}` : ''}
      ${b.to !== undefined ? `AND n.written_at < ${D(b.to)} + 1` : ''}
      AND n.written_at < ${asOf} + 1`;
  const n = Number(await db.value(`SELECT count(DISTINCT client_id) FROM (${active})`));
  const counted = await db.all<{ any_domain: boolean; domain_id: string; direction: string; n: number }>(
    `SELECT grouping(domain_id) = 1 AS any_domain, domain_id, direction, count(DISTINCT client_id) AS n
     FROM (${evidence}) GROUP BY GROUPING SETS ((domain_id, direction), (direction))`,
  );
  const clients = new Map<string, Record<string, number>>();
  for (const r of counted) {
    const key = r.any_domain ? TOTAL : r.domain_id;
    const row = clients.get(key) ?? Object.fromEntries(DIRECTIONS.map((d) => [d, 0]));
    row[r.direction] = Number(r.n);
    clients.set(key, row);
  }
  return { active: n, clients };
}

// ---------------------------------------------------------------------------------------------
// comparing

type Ratio = [name: string, numerator: (f: Figures) => number, denominator: (f: Figures) => number];

interface Spec {
  kpi: string;
  raw: (db: Db, b: Bounds, by: string) => Promise<Table>;
  /** figures compared exactly */
  ints: string[];
  /** figures compared to 9 decimals */
  reals?: string[];
  ratios: Ratio[];
}

const f = (name: string) => (x: Figures) => x[name]!;

const SPECS: Record<string, Spec> = {
  'service-utilisation': {
    kpi: 'service-utilisation',
    raw: rawUtilisation,
    ints: ['services', 'clients'],
    reals: ['units_planned', 'units_delivered'],
    ratios: [['utilisation', f('units_delivered'), f('units_planned')]],
  },
  attendance: {
    kpi: 'attendance',
    raw: rawAttendance,
    ints: ['attended', 'no_shows', 'clients', 'attended_clients', 'no_show_clients'],
    ratios: [['rate', f('attended'), (x) => x.attended! + x.no_shows!]],
  },
  'goal-achievement': {
    kpi: 'goal-achievement',
    raw: rawGoals,
    ints: ['goals', 'achieved', 'clients', 'achieved_clients', 'not_achieved_clients'],
    ratios: [['rate', f('achieved'), f('goals')]],
  },
  'followup-compliance': {
    kpi: 'followup-compliance',
    raw: rawFollowups,
    ints: ['on_time', 'late', 'overdue', 'pending', 'clients', 'on_time_clients', 'late_clients', 'overdue_clients', 'pending_clients'],
    ratios: [['rate', f('on_time'), (x) => x.on_time! + x.late! + x.overdue!]],
  },
  'documentation-completeness': {
    kpi: 'documentation-completeness',
    raw: rawDocumentation,
    ints: [
      'cases', 'complete', 'clients', 'complete_clients', 'incomplete_clients',
      ...RULES.flatMap((r) => [`fail_${r}`, `fail_${r}_clients`, `pass_${r}_clients`]),
    ],
    ratios: [['rate', f('complete'), f('cases')]],
  },
};

/** Rows of a KPI result (or of its raw query) by total / group id. */
function byGroup(rows: Array<Record<string, unknown>>): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  for (const r of rows) {
    const key = r.is_total === true ? TOTAL : groupKey(r.group_id);
    expect(out.has(key), `duplicate row ${key}`).toBe(false);
    out.set(key, r);
  }
  return out;
}

function expectAgree(label: string, spec: Spec, rows: Array<Record<string, unknown>>, expected: Table): void {
  const actual = byGroup(rows);
  expect([...actual.keys()].sort(), `${label}: rows`).toEqual([...expected.keys()].sort());
  for (const [key, want] of expected) {
    const got = actual.get(key)!;
    const where = `${label}, ${key}`;
    for (const c of spec.ints) expect(got[c], `${where}: ${c}`).toBe(want[c]);
    for (const c of spec.reals ?? []) {
      expect(typeof got[c], `${where}: ${c}`).toBe('number');
      expect(got[c] as number, `${where}: ${c}`).toBeCloseTo(want[c]!, 9);
    }
    for (const [c, num, den] of spec.ratios) {
      if (den(want) === 0) expect(got[c], `${where}: ${c}`).toBeNull();
      else expect(got[c] as number, `${where}: ${c}`).toBeCloseTo(num(want) / den(want), 9);
    }
  }
}

const CONFIG = defaultKpiConfig();

function run(db: Db, id: string, params: Record<string, unknown>): Promise<KpiResult> {
  return runKpi(db, id, params, { today: TODAY, includeHidden: true, config: CONFIG });
}

const windowParams = (w: Window) => Object.fromEntries(Object.entries({ from: w.from, to: w.to, asOf: w.asOf }).filter(([, v]) => v !== undefined));

/** What each window checks: KPI → groupings (the default first). */
const GROUPINGS: Array<[string, string[]]> = [
  ['service-utilisation', ['program', 'service_type']],
  ['attendance', ['program', 'service_type']],
  ['goal-achievement', ['domain', 'manager']],
  ['followup-compliance', ['program', 'followup_type']],
  ['documentation-completeness', ['manager', 'program']],
];

/**
 * Narrative rows against the hand-written figures. The KPI lists every framework domain (zeros
 * where there is no evidence); its SQL alone (`exactRows`) only the domains with evidence.
 */
function expectNarrative(label: string, all: Array<Record<string, unknown>>, want: Narrative, exactRows: boolean): void {
  // the query's own rows: with no evidence at all it still returns the denominator, on a row
  // that is neither a group nor the total (is_total null)
  for (const r of all.filter((x) => x.is_total === null)) expect(r.active_clients, `${label}: narrative denominator`).toBe(want.active);
  const rows = all.filter((x) => x.is_total !== null);
  const got = byGroup(rows);
  const wantKeys = [...want.clients.keys()].map((k) => (k === TOTAL ? TOTAL : groupKey(k))).sort();
  if (exactRows) {
    expect([...got.keys()].sort(), `${label}: narrative rows`).toEqual(wantKeys);
  } else {
    for (const k of wantKeys) expect(got.has(k), `${label}: narrative row ${k}`).toBe(true);
    expect(got.has(TOTAL), `${label}: narrative total row`).toBe(true);
  }
  for (const [key, row] of got) {
    const clients = want.clients.get(key === TOTAL ? TOTAL : (row.group_id as string));
    expect(row.active_clients, `${label}: narrative ${key} active_clients`).toBe(want.active);
    for (const d of DIRECTIONS) {
      const n = clients?.[d] ?? 0;
      expect(row[`clients_${d}`], `${label}: narrative ${key} clients_${d}`).toBe(n);
      if (want.active === 0) expect(row[`share_${d}`], `${label}: narrative ${key} share_${d}`).toBeNull();
      else expect(row[`share_${d}`] as number, `${label}: narrative ${key} share_${d}`).toBeCloseTo(n / want.active, 9);
    }
  }
}

/** Totals of every window, to make sure the comparisons were not all of empty figures. */
type Totals = Record<string, number>;

async function checkWindow(db: Db, w: Window, totals: Totals): Promise<void> {
  const b = bounds(w);
  const label = describeWindow(w);
  for (const [id, bys] of GROUPINGS) {
    const spec = SPECS[id]!;
    for (const by of bys) {
      // documentation lists every failing case once (checked below), none in its other grouping
      const listing = id === 'documentation-completeness' ? { limit: by === 'manager' ? 1_000_000 : 0 } : {};
      const result = await run(db, id, { ...windowParams(w), by, ...listing });
      const expected = await spec.raw(db, b, by);
      expectAgree(`${id} by ${by}, ${label}`, spec, result.rows, expected);
      const first = spec.ints[0]!;
      totals[id] = (totals[id] ?? 0) + expected.get(TOTAL)![first]!;
      if (id === 'documentation-completeness' && by === 'manager') {
        // the failing cases listed, with their rules and undocumented services
        const failing = new Map((await rawDocCases(db, b)).filter((c) => failed(c).length > 0).map((c) => [c.case_id, c]));
        const listed = result.details?.rows ?? [];
        expect(listed.length, `${label}: failing cases listed`).toBe(failing.size);
        expect(new Set(listed.map((r) => r.case_id)).size, `${label}: failing cases listed once`).toBe(listed.length);
        expect(listed.length, `${label}: failing = cases − complete`).toBe(expected.get(TOTAL)!.cases! - expected.get(TOTAL)!.complete!);
        for (const row of listed) {
          const want = failing.get(String(row.case_id));
          expect(want, `${label}: ${String(row.case_id)} is not failing by hand`).toBeDefined();
          expect(row.failed, `${label}: ${String(row.case_id)} rules`).toEqual(failed(want!));
          expect(row.services_without_note, `${label}: ${String(row.case_id)} services_without_note`).toBe(want!.services_without_note);
          totals.services_without_note = (totals.services_without_note ?? 0) + want!.services_without_note;
        }
      }
    }
  }
  // narrative evidence: active clients, and clients per domain and direction
  const narrative = await run(db, 'narrative-evidence', windowParams(w));
  const want = await rawNarrative(db, b);
  expectNarrative(label, narrative.rows, want, false);
  totals['narrative-evidence'] = (totals['narrative-evidence'] ?? 0) + want.active;
  totals.evidence = (totals.evidence ?? 0) + DIRECTIONS.reduce((s, d) => s + (want.clients.get(TOTAL)?.[d] ?? 0), 0);
}

function expectTotalsNotEmpty(totals: Totals): void {
  for (const k of [...GROUPINGS.map(([id]) => id), 'narrative-evidence', 'evidence', 'services_without_note']) {
    expect(totals[k] ?? 0, `every window of ${k} was empty`).toBeGreaterThan(0);
  }
}

// ---------------------------------------------------------------------------------------------

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'caselens-facts-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

async function openCopy(name: string): Promise<Db> {
  const into = path.join(dir, name);
  fs.mkdirSync(into);
  return openStore(await sampleDbCopy(into));
}

describe('KPIs from the facts agree with hand-written SQL over the canonical tables (the sample)', () => {
  let db: Db;
  let info: FactsInfo;
  const totals: Totals = {};
  beforeAll(async () => {
    db = await openCopy('sample');
    info = (await ensureFacts(db, CONFIG)).info;
  });
  afterAll(() => db?.close());

  it('the sample spans the windows: cases from 2024, bookings to the end of 2025', async () => {
    const span = await db.all<Record<string, unknown>>(
      `SELECT (SELECT strftime(min(opened_at), '%Y-%m') FROM cases) AS first_case, (SELECT strftime(max(scheduled_at), '%Y-%m') FROM services) AS last_booking`,
    );
    expect(span[0]).toMatchObject({ first_case: '2024-01', last_booking: '2025-12' });
    expect(info.clients).toBe(1500);
  });

  for (const w of WINDOWS) {
    it(describeWindow(w), async () => {
      await checkWindow(db, w, totals);
    });
  }

  it('the comparisons were not of empty figures', () => {
    expectTotalsNotEmpty(totals);
  });

  it('before any data every figure is zero and each total row is still there', async () => {
    const w = fixed('before any data');
    for (const [id] of GROUPINGS) {
      const r = await run(db, id, windowParams(w));
      expect(r.rows, id).toHaveLength(1);
      expect(r.rows[0]!.is_total, id).toBe(true);
      expect(r.rows[0]![SPECS[id]!.ints[0]!], id).toBe(0);
    }
  });

  it('the monthly caseload series (spread from per-manager lists) agrees with the as-of caseload at every month end', async () => {
    const series = await runKpi(db, 'caseload-series', { from: '2024-01-01', to: '2025-12-31' }, { today: TODAY, config: CONFIG });
    const months = [...new Set(series.rows.map((r) => r.month_end as string))];
    expect(months).toHaveLength(24);
    for (const d of months) {
      const point = await runKpi(db, 'caseload', { asOf: d }, { today: TODAY, config: CONFIG });
      const pick = (r: Record<string, unknown>) => [r.group_id, r.open_cases, r.all_open_cases, r.capacity, r.over_capacity];
      const fromSeries = series.rows.filter((r) => r.month_end === d && r.is_total === false).map(pick);
      const expected = point.rows.filter((r) => r.is_total === false && Number(r.all_open_cases) > 0).map(pick);
      expect(fromSeries, d).toEqual(expected);
    }
    expect(series.rows.length).toBeGreaterThan(24 * 10);
  });

  it('hashing distinct clients gives the figures of the client bitmaps, and both the hand-written ones', async () => {
    const many: FactsInfo = {
      clients: info.clients,
      groups: { program: 1e9, manager: 1e9, case_type: 1e9, domain: 1e9, service_type: 1e9, followup_type: 1e9 },
    };
    const windows = ['whole history, as of mid-month among the bookings', 'mid-month to mid-month', 'as of months before the end of the period', 'before any data'].map(fixed);
    for (const w of windows) {
      for (const [id, bys] of GROUPINGS) {
        const def = findKpi(id)!;
        const spec = SPECS[id]!;
        for (const by of [...new Set([...bys, 'manager'])].filter((x) => def.groupings?.options.includes(x))) {
          const params = def.resolve({ ...windowParams(w), by }, { config: CONFIG, today: TODAY });
          const bitmap = def.sql(params, { config: CONFIG, framework: undefined, facts: info });
          const hashed = def.sql(params, { config: CONFIG, framework: undefined, facts: many });
          // per group: client bitmaps, or one row per (group, client); the total row uses a bitmap either way
          expect(bitmap.sql).toContain('bitstring_agg');
          expect(bitmap.sql).not.toContain('GROUP BY _g, client_no');
          expect(hashed.sql).toContain('GROUP BY _g, client_no');
          const label = `${id} by ${by}, ${describeWindow(w)}`;
          const [a, h, expected] = await Promise.all([
            queryRows(db, bitmap.sql, bitmap.args, label),
            queryRows(db, hashed.sql, hashed.args, label),
            spec.raw(db, bounds(w), by),
          ]);
          const grouped = (rows: Array<Record<string, unknown>>) => rows.filter((r) => r.is_case === undefined || r.is_case === false);
          expectAgree(`${label} (bitmaps)`, spec, grouped(a), expected);
          expectAgree(`${label} (hashed)`, spec, grouped(h), expected);
          // the failing cases listed by documentation do not depend on the strategy
          const cases = (rows: Array<Record<string, unknown>>) => rows.filter((r) => r.is_case === true).map((r) => r.detail);
          expect(cases(h), label).toEqual(cases(a));
        }
      }
      // narrative evidence chooses between bitmaps and hashing the same way
      const def = findKpi('narrative-evidence')!;
      const params = def.resolve(windowParams(w), { config: CONFIG, today: TODAY });
      const bitmap = def.sql(params, { config: CONFIG, framework: undefined, facts: info });
      const hashed = def.sql(params, { config: CONFIG, framework: undefined, facts: many });
      expect(bitmap.sql).toContain('bitstring_agg');
      expect(hashed.sql).not.toContain('bitstring_agg');
      const label = `narrative-evidence, ${describeWindow(w)}`;
      const want = await rawNarrative(db, bounds(w));
      expectNarrative(`${label} (bitmaps)`, await queryRows(db, bitmap.sql, bitmap.args, label), want, true);
      expectNarrative(`${label} (hashed)`, await queryRows(db, hashed.sql, hashed.args, label), want, true);
    }
  });
});

describe('… and on a messier copy of the sample', () => {
  let db: Db;
  const totals: Totals = {};
  beforeAll(async () => {
    db = await openCopy('messy');
    const bucket = (id: string, salt: string) => `(hash(${id} || '${salt}') % 100)`;
    const mess = [
      // delivered days after the appointment (often in the next month), and walk-ins with no schedule
      `UPDATE services SET delivered_at = delivered_at + INTERVAL 5 DAY + INTERVAL 3 HOUR WHERE status = 'delivered' AND ${bucket('service_id', 'late')} < 8`,
      `UPDATE services SET delivered_at = scheduled_at + INTERVAL 2 DAY WHERE status = 'no_show' AND ${bucket('service_id', 'ns')} < 5`,
      `UPDATE services SET scheduled_at = NULL WHERE status = 'delivered' AND ${bucket('service_id', 'walk')} < 4`,
      `UPDATE services SET scheduled_at = NULL, delivered_at = NULL WHERE status = 'cancelled' AND ${bucket('service_id', 'none')} < 10`,
      // missing and fractional units, missing types
      `UPDATE services SET units_planned = NULL WHERE ${bucket('service_id', 'up')} < 4`,
      `UPDATE services SET units_delivered = NULL WHERE ${bucket('service_id', 'ud')} < 4`,
      `UPDATE services SET units_delivered = units_delivered * 0.75 + 0.25, units_planned = units_planned + 0.5 WHERE ${bucket('service_id', 'frac')} < 6`,
      `UPDATE services SET service_type = NULL WHERE ${bucket('service_id', 'type')} < 2`,
      // notes written later, tags whose citation was lost
      `UPDATE notes SET written_at = written_at + INTERVAL 2 DAY + INTERVAL 7 HOUR WHERE ${bucket('note_id', 'late')} < 10`,
      `DELETE FROM tag_citations WHERE ${bucket('tag_id', 'cite')} < 10`,
      // goals: achieved without a date, never set, not achieved without a target, no domain
      `UPDATE goals SET achieved_at = NULL WHERE status = 'achieved' AND ${bucket('goal_id', 'ach')} < 10`,
      `UPDATE goals SET set_at = NULL WHERE ${bucket('goal_id', 'set')} < 5`,
      `UPDATE goals SET target_at = NULL WHERE ${bucket('goal_id', 'tgt')} < 8`,
      `UPDATE goals SET domain_id = NULL WHERE ${bucket('goal_id', 'dom')} < 3`,
      // cases: blank closure reasons, no programme, no case type; follow-ups without a type
      `UPDATE cases SET closure_reason = '  ' WHERE closed_at IS NOT NULL AND ${bucket('case_id', 'why')} < 5`,
      `UPDATE cases SET program_id = NULL WHERE ${bucket('case_id', 'prog')} < 2`,
      `UPDATE cases SET case_type = NULL WHERE ${bucket('case_id', 'type')} < 2`,
      `UPDATE followups SET followup_type = NULL WHERE ${bucket('followup_id', 'type')} < 3`,
    ];
    await db.transaction(async () => {
      for (const sql of mess) await db.run(sql);
    });
    const refreshed = await refreshFacts(db, CONFIG, 'test');
    expect(refreshed.rebuilt).toBe(true);
  });
  afterAll(() => db?.close());

  it('the copy has the mess it should', async () => {
    const counts = await db.all<Record<string, unknown>>(`SELECT
      (SELECT count(*) FROM services WHERE scheduled_at IS NULL AND delivered_at IS NOT NULL) AS walk_ins,
      (SELECT count(*) FROM services WHERE date_trunc('month', scheduled_at) <> date_trunc('month', delivered_at)) AS next_month,
      (SELECT count(*) FROM note_tags WHERE tag_id NOT IN (SELECT tag_id FROM tag_citations)) AS uncited,
      (SELECT count(*) FROM goals g JOIN cases c USING (case_id) WHERE g.status = 'not_achieved' AND c.closed_at IS NULL AND g.target_at IS NULL) AS undated`);
    for (const [k, v] of Object.entries(counts[0]!)) expect(Number(v), k).toBeGreaterThan(0);
  });

  for (const w of MESSY_WINDOWS) {
    it(describeWindow(w), async () => {
      await checkWindow(db, w, totals);
    });
  }

  it('the comparisons were not of empty figures', () => {
    expectTotalsNotEmpty(totals);
  });
});
