/**
 * Every KPI against the hand-built fixture (test/kpi/fixture.ts). Expected figures are worked
 * out by hand in the comments, never by running the KPI's SQL another way.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runKpi, type KpiResult, type KpiRow } from '../../src/kpi/index.ts';
import { openStore, type Db } from '../../src/store/index.ts';
import { fixtureDb } from './fixture.ts';

let db: Db;
beforeAll(async () => {
  db = await fixtureDb();
});
afterAll(() => db.close());

const Q1 = { from: '2024-01-01', to: '2024-03-31' }; // the period used throughout; as-of = 2024-03-31

function run(id: string, params: Record<string, unknown> = {}, opts: Parameters<typeof runKpi>[3] = {}): Promise<KpiResult> {
  return runKpi(db, id, params, { today: '2024-12-31', ...opts });
}

function total(r: KpiResult): KpiRow {
  const t = r.rows.find((x) => x.is_total === true);
  if (!t) throw new Error(`no total row in ${r.kpi}`);
  return t;
}

function group(r: KpiResult, id: string | null, extra: (row: KpiRow) => boolean = () => true): KpiRow {
  const g = r.rows.find((x) => x.is_total !== true && x.group_id === id && extra(x));
  if (!g) throw new Error(`no group ${id} in ${r.kpi}: ${JSON.stringify(r.rows.map((x) => x.group_id))}`);
  return g;
}

describe('resolution-time', () => {
  it('median, mean, p90 and n of cases closed in the period, including a same-day case and a second episode', async () => {
    // closed in Q1: K1 10 days, K2 0 (same day), K3 30 (C1 again), K4 50; K8 closes in April.
    // sorted 0, 10, 30, 50: median (10 + 30) / 2 = 20; mean 90 / 4 = 22.5;
    // p90: h = (4 − 1)·0.9 = 2.7 → 30 + 0.7·(50 − 30) = 44. Clients: C1, C2, C3 = 3.
    const r = await run('resolution-time', { ...Q1, by: 'none' });
    expect(r.rows).toHaveLength(1);
    expect(total(r)).toMatchObject({ cases: 4, clients: 3, median_days: 20, mean_days: 22.5 });
    expect(total(r).p90_days).toBeCloseTo(44, 9);
  });

  it('by programme and by manager', async () => {
    // P1: 0, 10, 30 → median 10, mean 13.333, p90 h = 1.8 → 10 + 0.8·20 = 26; P2: 50.
    const byProgram = await run('resolution-time', Q1);
    expect(byProgram.rows.map((x) => x.group)).toEqual(['All', 'Housing First', 'Job Start']);
    expect(group(byProgram, 'x:P1')).toMatchObject({ cases: 3, clients: 2, median_days: 10 });
    expect(group(byProgram, 'x:P1').mean_days).toBeCloseTo(40 / 3, 9);
    expect(group(byProgram, 'x:P1').p90_days).toBeCloseTo(26, 9);
    expect(group(byProgram, 'x:P2')).toMatchObject({ cases: 1, median_days: 50, mean_days: 50, p90_days: 50 });
    // M1: 0, 10 → median 5, p90 h = 0.9 → 9; M2: 30, 50 → median 40, p90 30 + 0.9·20 = 48.
    const byManager = await run('resolution-time', { ...Q1, by: 'manager' });
    expect(group(byManager, 'x:M1')).toMatchObject({ cases: 2, median_days: 5, mean_days: 5 });
    expect(group(byManager, 'x:M1').p90_days).toBeCloseTo(9, 9);
    expect(group(byManager, 'x:M2').p90_days).toBeCloseTo(48, 9);
  });

  it('by case type, and filters', async () => {
    const r = await run('resolution-time', { ...Q1, by: 'case_type' });
    expect(group(r, 'intensive')).toMatchObject({ cases: 1, median_days: 30 });
    expect(group(r, 'standard')).toMatchObject({ cases: 3, median_days: 10 });
    const m1 = await run('resolution-time', { ...Q1, manager: 'M1', by: 'none' }); // M1 without the namespace
    expect(total(m1)).toMatchObject({ cases: 2, median_days: 5 });
    expect(m1.params.manager).toBe('x:M1');
  });

  it('no closed cases: n 0, statistics null, and a note', async () => {
    const r = await run('resolution-time', { from: '2024-05-01', to: '2024-05-31' });
    expect(r.rows).toHaveLength(1);
    expect(total(r)).toMatchObject({ cases: 0, clients: 0, median_days: null, mean_days: null, p90_days: null });
    expect(r.notes.join()).toMatch(/no cases were closed/);
  });

  it('the as-of date bounds the period: K8 (closed 04-15) counts only from then on', async () => {
    expect(total(await run('resolution-time', { by: 'none', asOf: '2024-04-14' })).cases).toBe(4);
    expect(total(await run('resolution-time', { by: 'none', asOf: '2024-04-15' })).cases).toBe(5);
  });
});

describe('goal-achievement', () => {
  it('achieved ÷ goals with a final status in the period, by domain', async () => {
    // Final in Q1: G1 housing achieved 01-10 (C1); G2 income not achieved, dated by K1's closing 01-11 (C1);
    // G3 housing achieved 02-20 (C1); G5 income achieved 02-01 (C3). Excluded: G4 withdrawn, G6 active,
    // G7 not achieved with no date at all, G8 achieved in April. Total 4 goals, 3 achieved = 0.75, clients C1, C3.
    const r = await run('goal-achievement', Q1);
    expect(total(r)).toMatchObject({ goals: 4, achieved: 3, rate: 0.75, clients: 2 });
    // housing: G1, G3 → 2 of 2, one client; income: G2, G5 → 1 of 2, clients C1 and C3.
    expect(group(r, 'housing')).toMatchObject({ goals: 2, achieved: 2, rate: 1, clients: 1, group: 'Housing' });
    expect(group(r, 'income')).toMatchObject({ goals: 2, achieved: 1, rate: 0.5, clients: 2 });
    expect(r.notes.join()).toMatch(/1 goal\(s\) with a final status but no date/);
  });

  it('without a period every final goal counts, undated ones too', async () => {
    // G1, G2, G3, G5, G7, G8 → 6 goals; achieved G1, G3, G5, G8 → 4/6.
    const r = await run('goal-achievement', { by: 'none' });
    expect(total(r)).toMatchObject({ goals: 6, achieved: 4 });
    expect(total(r).rate).toBeCloseTo(4 / 6, 12);
  });

  it('by programme, and a domain filter', async () => {
    const r = await run('goal-achievement', { ...Q1, by: 'program' });
    expect(group(r, 'x:P1')).toMatchObject({ goals: 3, achieved: 2 }); // G1, G2, G3
    expect(group(r, 'x:P2')).toMatchObject({ goals: 1, achieved: 1 }); // G5
    const housing = await run('goal-achievement', { ...Q1, domain: 'housing', by: 'none' });
    expect(total(housing)).toMatchObject({ goals: 2, achieved: 2 });
  });
});

describe('caseload', () => {
  it('open cases per manager at the end of the as-of day, with unassigned cases and capacity', async () => {
    // Open at the end of 03-15: K5 (no manager), K6 and K7 (M1). K3 closed 03-02, K8 opens 03-20.
    // M1: 2 open, capacity 2 → utilisation 1, not over (2 > 2 is false). M2: 0 open, capacity default 25.
    const r = await run('caseload', { asOf: '2024-03-15' });
    expect(total(r)).toMatchObject({ open_cases: 3, capacity: 27, managers_over_capacity: 0 });
    expect(group(r, 'x:M1')).toMatchObject({ open_cases: 2, capacity: 2, capacity_source: 'staff', utilisation: 1, over_capacity: false });
    expect(group(r, 'x:M2')).toMatchObject({ open_cases: 0, capacity: 25, capacity_source: 'default', over_capacity: false });
    expect(group(r, null)).toMatchObject({ group: 'Unassigned', open_cases: 1, capacity: null, over_capacity: null });
    // the supervisor carries no caseload and has none: not listed
    expect(r.rows.some((x) => x.group_id === 'x:S1')).toBe(false);
  });

  it('over capacity, a configurable default capacity, and a same-day case never open', async () => {
    // 03-31: K6, K7, K9 (opened that day) for M1 = 3 > 2; K8 for M2; K5 unassigned.
    const r = await run('caseload', { asOf: '2024-03-31', capacity: 1 });
    expect(group(r, 'x:M1')).toMatchObject({ open_cases: 3, over_capacity: true, utilisation: 1.5 });
    expect(group(r, 'x:M2')).toMatchObject({ open_cases: 1, capacity: 1, over_capacity: false });
    expect(total(r)).toMatchObject({ open_cases: 5, managers_over_capacity: 1 });
    expect(r.notes.join()).toMatch(/1 manager\(s\) over capacity/);
    // 01-05: K1 is open; K2 opened and closed that day is not.
    const jan5 = await run('caseload', { asOf: '2024-01-05' });
    expect(group(jan5, 'x:M1').open_cases).toBe(1);
  });

  it('a programme filter counts only its cases but compares all of a manager\'s cases with capacity', async () => {
    // 03-31, programme P2: K8 (M2) and K5 (unassigned). M1 has no P2 case: not listed.
    const r = await run('caseload', { asOf: '2024-03-31', program: 'P2' });
    expect(r.rows.map((x) => x.group_id)).toEqual([null, null, 'x:M2']);
    expect(group(r, 'x:M2')).toMatchObject({ open_cases: 1, all_open_cases: 1 });
    const p1 = await run('caseload', { asOf: '2024-03-31', program: 'P1', capacity: 5 });
    expect(group(p1, 'x:M1')).toMatchObject({ open_cases: 3, all_open_cases: 3, over_capacity: true });
  });
});

describe('caseload-series', () => {
  it('month-end snapshots against capacity', async () => {
    // 01-31: K4 (M2). 02-29: K3 (M2), K6 (M1); K4 closed 02-29 is not open at its end.
    // 03-31: K6, K7, K9 (M1: 3 > 2, over), K8 (M2), K5 (unassigned).
    const r = await run('caseload-series', { from: '2024-01-01', to: '2024-03-31' });
    const at = (d: string) => r.rows.filter((x) => x.month_end === d);
    expect(at('2024-01-31').map((x) => [x.group, x.open_cases])).toEqual([['All', 1], ['Max Two', 1]]);
    expect(at('2024-02-29').map((x) => [x.group, x.open_cases])).toEqual([['All', 2], ['Max Two', 1], ['Mia One', 1]]);
    expect(at('2024-03-31').map((x) => [x.group, x.open_cases, x.over_capacity])).toEqual([
      ['All', 5, null], ['Unassigned', 1, null], ['Max Two', 1, false], ['Mia One', 3, true],
    ]);
    expect(at('2024-03-31')[0]).toMatchObject({ managers_over_capacity: 1, capacity: 27 });
  });

  it('defaults to the 12 month ends up to the as-of date, and months with no open case still have a total row', async () => {
    const r = await run('caseload-series', { asOf: '2024-03-31' });
    expect(r.params).toMatchObject({ from: '2023-04-30', to: '2024-03-31' });
    const totals = r.rows.filter((x) => x.is_total === true);
    expect(totals).toHaveLength(12);
    expect(totals[0]).toMatchObject({ month_end: '2023-04-30', open_cases: 0, managers_over_capacity: 0 });
  });

  it('agrees with the as-of caseload on every month end', async () => {
    const series = await run('caseload-series', { from: '2024-01-01', to: '2024-04-30', program: 'P1' });
    for (const d of ['2024-01-31', '2024-02-29', '2024-03-31', '2024-04-30']) {
      const point = await run('caseload', { asOf: d, program: 'P1' });
      const fromSeries = series.rows.filter((x) => x.month_end === d).map((x) => [x.group_id, x.open_cases, x.all_open_cases]);
      expect(fromSeries).toEqual(point.rows.map((x) => [x.group_id, x.open_cases, x.all_open_cases]));
    }
  });
});

describe('followup-compliance', () => {
  it('on time within the grace window, the boundary inclusive, pending excluded', async () => {
    // Due in Q1 and by 03-31, grace 7: F1 early → on time; F2 done exactly due + 7 → on time;
    // F3 due + 8 → late; F4 never → overdue; F5 window ends 03-31 = as-of → overdue;
    // F8 completed 04-02, after the as-of date → overdue; F6 window ends 04-01 → pending; F7 due in April.
    // assessed 6, on time 2 → 1/3; clients C1 (F1–F3), C3 (F4), C5 (F5, F8) = 3.
    const r = await run('followup-compliance', { ...Q1, by: 'none' });
    expect(total(r)).toMatchObject({ assessed: 6, on_time: 2, late: 1, overdue: 3, pending: 1, clients: 3 });
    expect(total(r).rate).toBeCloseTo(1 / 3, 12);
  });

  it('a different grace window and as-of date', async () => {
    // grace 0: F2 (7 days late) and F3 late; F1 on time. As of 04-05 with grace 7: F6's window
    // (04-01) has closed → overdue; F8 done 04-02 = due + 32 → late; F7 not due yet.
    const g0 = await run('followup-compliance', { ...Q1, by: 'none', graceDays: '0' });
    expect(total(g0)).toMatchObject({ on_time: 1, late: 2 });
    const later = await run('followup-compliance', { ...Q1, by: 'none', asOf: '2024-04-05' });
    expect(total(later)).toMatchObject({ assessed: 7, on_time: 2, late: 2, overdue: 3, pending: 0 });
  });

  it('by programme and by follow-up type', async () => {
    const r = await run('followup-compliance', Q1);
    expect(group(r, 'x:P1')).toMatchObject({ assessed: 5, on_time: 2, late: 1, overdue: 2, pending: 1 });
    expect(group(r, 'x:P2')).toMatchObject({ assessed: 1, overdue: 1, rate: 0 });
    const byType = await run('followup-compliance', { ...Q1, by: 'followup_type' });
    expect(group(byType, '90_day')).toMatchObject({ assessed: 2, on_time: 1, overdue: 1 }); // F2, F8
  });
});

describe('service-utilisation and attendance', () => {
  it('units delivered ÷ planned for services planned in the period', async () => {
    // V1 2/2, V2 0/1 (no-show), V3 2/3, V4 0/2 (cancelled), V5 1/1, V7 0/2 → 5 / 11.
    // V6 is planned after the as-of date; V8 has no planned units. Clients C1, C3, C5, C6.
    const r = await run('service-utilisation', { ...Q1, by: 'none' });
    expect(total(r)).toMatchObject({ services: 6, units_planned: 11, units_delivered: 5, clients: 4 });
    expect(total(r).utilisation).toBeCloseTo(5 / 11, 12);
    const byType = await run('service-utilisation', { ...Q1, by: 'service_type' });
    expect(group(byType, 'case_management')).toMatchObject({ services: 3, units_planned: 4, units_delivered: 3 });
  });

  it('attendance: delivered ÷ delivered + no-shows', async () => {
    // delivered V1, V3, V5, V8; no-shows V2, V7; V4 cancelled, V6 scheduled are not appointments.
    const r = await run('attendance', { ...Q1, by: 'none' });
    expect(total(r)).toMatchObject({ appointments: 6, attended: 4, no_shows: 2, clients: 4 });
    expect(total(r).rate).toBeCloseTo(4 / 6, 12);
    const byProgram = await run('attendance', Q1);
    expect(group(byProgram, 'x:P2')).toMatchObject({ appointments: 1, attended: 1 }); // V8 on K5
  });
});

describe('satisfaction', () => {
  it('share at or above the threshold, and the mean', async () => {
    // Q1: 5, 4 (threshold: satisfied), 2, 3 → 2 of 4, mean 3.5. Q5 has no date, Q6 is in April.
    const r = await run('satisfaction', { ...Q1, by: 'none' });
    expect(total(r)).toMatchObject({ responses: 4, satisfied: 2, rate: 0.5, mean: 3.5, clients: 3 });
    const strict = await run('satisfaction', { ...Q1, by: 'none', threshold: 5 });
    expect(total(strict)).toMatchObject({ satisfied: 1, rate: 0.25 });
    // no period: Q5 (undated) and Q6 count too → 6 responses, satisfied 5, 4, 5, 5.
    const all = await run('satisfaction', { by: 'none' });
    expect(total(all)).toMatchObject({ responses: 6, satisfied: 4 });
  });
});

describe('documentation-completeness', () => {
  it('cases meeting every rule, the failing cases listed with the rules they fail', async () => {
    // All 9 cases were open in Q1. As of 03-31 (rules: baseline ±30 days, goal by day 30, note within
    // 3 days after each delivered service, closure reason):
    // K1 ok (A1 on day 2; G1; V1 → N2 on day + 3, N1 was before delivery). K2 fails baseline and goal.
    // K3 fails notes (V3 → N3 on day + 4) and closure (no reason). K4 fails baseline (A3 on day 65).
    // K5 fails baseline and goal (window ends 03-31 = as-of) and notes (V8, no note).
    // K6 ok (A4 the day before opening; G6; V5 → N4). K7, K9: windows still open → not failed.
    // K8 ok. → 5 of 9 complete.
    const r = await run('documentation-completeness', { ...Q1, by: 'none' });
    expect(total(r)).toMatchObject({ cases: 9, complete: 5, fail_baseline: 3, fail_goal: 2, fail_notes: 2, fail_closure: 1, clients: 8 });
    expect(total(r).rate).toBeCloseTo(5 / 9, 12);
    const failing = Object.fromEntries(r.details!.rows.map((x) => [x.case_id, x.failed]));
    expect(failing).toEqual({
      'x:K2': ['baseline', 'goal'],
      'x:K3': ['notes', 'closure'],
      'x:K4': ['baseline'],
      'x:K5': ['baseline', 'goal', 'notes'],
    });
    expect(r.details!.rows.find((x) => x.case_id === 'x:K5')).toMatchObject({ manager_id: null, services_without_note: 1, opened_at: '2024-03-01', closed_at: null });
  });

  it('by manager (unassigned cases included), and configurable rules', async () => {
    const r = await run('documentation-completeness', Q1);
    expect(group(r, null)).toMatchObject({ group: 'Unassigned', cases: 1, complete: 0 }); // K5
    expect(group(r, 'x:M1')).toMatchObject({ cases: 5, complete: 4 }); // K1, K2, K6, K7, K9: K2 fails
    // a 4-day note window documents V3; a 70-day baseline window accepts A3 for K4.
    const loose = await run('documentation-completeness', { ...Q1, by: 'none', noteAfterServiceDays: 4, baselineWithinDays: 70 });
    // baseline: only K2 fails (01-05 + 70 ≤ 03-31); K5's window (03-01 + 70) is still open; K4 passes.
    // notes: only K5. Complete: K1, K4, K6, K7, K8, K9 = 6 (K2 goal, K3 closure, K5 goal and notes).
    expect(total(loose)).toMatchObject({ fail_baseline: 1, fail_notes: 1, complete: 6 });
  });

  it('the failing-case list can be limited', async () => {
    const r = await run('documentation-completeness', { ...Q1, by: 'none', limit: 2 });
    expect(r.details!.rows).toHaveLength(2);
    expect(r.notes.join()).toMatch(/listing 2 of 4 failing cases/);
  });
});

describe('narrative-evidence', () => {
  it('share of active clients with cited evidence per domain; uncited, historical and out-of-period tags ignored', async () => {
    // Active in Q1: all 8 clients. housing strength: T1 (C1), T3 (C1) → 1 client; T2 has no citation,
    // T5 is historical, T7's note is in April. income: concern T4 (C5), improvement T6 (C3, cited twice).
    const r = await run('narrative-evidence', Q1);
    expect(total(r)).toMatchObject({ group: 'Any domain', active_clients: 8, clients_strength: 1, clients_concern: 1, clients_improvement: 1, clients_deterioration: 0 });
    expect(group(r, 'housing')).toMatchObject({ clients_strength: 1, share_strength: 1 / 8, clients_concern: 0, clients_improvement: 0 });
    expect(group(r, 'income')).toMatchObject({ clients_concern: 1, clients_improvement: 1, share_improvement: 1 / 8 });
    // every framework domain has a row
    expect(group(r, 'transport')).toMatchObject({ clients_strength: 0, share_strength: 0 });
    expect(r.rows.length).toBeGreaterThan(10);
  });

  it('filters: a programme limits both active clients and evidence', async () => {
    // P2 cases open in Q1: K4 (C3), K5 (C4), K8 (C7) → 3 active; evidence: T6 (C3, income improvement).
    const r = await run('narrative-evidence', { ...Q1, program: 'P2' });
    expect(total(r)).toMatchObject({ active_clients: 3, clients_improvement: 1, clients_strength: 0 });
  });

  it('empty tag tables: zeros and a note, not an error', async () => {
    const empty = await openStore(':memory:');
    try {
      const r = await runKpi(empty, 'narrative-evidence', {}, { today: '2024-12-31' });
      expect(total(r)).toMatchObject({ active_clients: 0, clients_strength: 0, share_strength: null });
      expect(r.notes.join()).toMatch(/note_tags is empty/);
    } finally {
      empty.close();
    }
  });
});

describe('empty database', () => {
  it('every KPI runs on an empty database and returns a total row or no rows', async () => {
    const empty = await openStore(':memory:');
    try {
      for (const id of ['resolution-time', 'goal-achievement', 'caseload', 'followup-compliance', 'service-utilisation', 'attendance', 'satisfaction', 'documentation-completeness']) {
        const r = await runKpi(empty, id, {}, { today: '2024-12-31' });
        expect(r.rows.filter((x) => x.is_total === true), id).toHaveLength(1);
      }
      const change = await runKpi(empty, 'change-from-baseline', {}, { today: '2024-12-31' });
      expect(change.rows).toEqual([]);
    } finally {
      empty.close();
    }
  });
});
