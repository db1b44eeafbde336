/**
 * Change from baseline against a hand calculation. The PHQ-9 figures below are worked out on
 * paper from five pairs; the test recomputes nothing with the KPI's own code.
 */
import jStat from 'jstat';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pairedSummary, quantile, runKpi, tCritical, welchTest, type KpiResult, type KpiRow } from '../../src/kpi/index.ts';
import { openStore, type Db } from '../../src/store/index.ts';
import { insert } from './fixture.ts';

let db: Db;

type A = [client: string, caseId: string, instrument: string, domain: string | null, day: string, score: number, id?: string];

beforeAll(async () => {
  db = await openStore(':memory:');
  await insert(db, 'programs', ['program_id', 'name'], [['x:P1', 'Counselling'], ['x:P2', 'Other']]);
  const clients = Array.from({ length: 12 }, (_, i) => `C${i + 1}`);
  await insert(db, 'clients', ['client_id', 'first_seen_at'], clients.map((c) => [c, '2024-01-01 00:00:00']));
  // one case per client opened 2024-01-01, except C10 (two episodes) and C12 (opened in November)
  const cases: Array<[string, string, string, string]> = clients
    .filter((c) => !['C10', 'C12'].includes(c))
    .map((c) => [`x:K${c}`, c, 'x:P1', '2024-01-01']);
  cases.push(['x:KC10a', 'C10', 'x:P1', '2024-01-01'], ['x:KC10b', 'C10', 'x:P1', '2024-06-01'], ['x:KC12', 'C12', 'x:P2', '2024-11-01']);
  await insert(db, 'cases', ['case_id', 'client_id', 'program_id', 'opened_at', 'status'], cases.map(([id, c, p, o]) => [id, c, p, o, 'open']));

  const rows: A[] = [
    // PHQ-9: five pairs (baseline 2024-01-02, follow-up 2024-04-01)
    ['C1', 'x:KC1', 'phq9', null, '2024-01-02', 20, 'x:A01a'],
    ['C1', 'x:KC1', 'phq9', null, '2024-01-02', 25, 'x:A01b'], // same day: the lower id is the baseline
    ['C1', 'x:KC1', 'phq9', null, '2024-02-15', 16], // interim: not the latest
    ['C1', 'x:KC1', 'phq9', null, '2024-04-01', 12],
    ['C2', 'x:KC2', 'phq9', null, '2024-01-02', 15], ['C2', 'x:KC2', 'phq9', null, '2024-04-01', 14],
    ['C3', 'x:KC3', 'phq9', null, '2024-01-02', 18], ['C3', 'x:KC3', 'phq9', null, '2024-04-01', 10],
    ['C4', 'x:KC4', 'phq9', null, '2024-01-02', 12], ['C4', 'x:KC4', 'phq9', null, '2024-04-01', 11],
    ['C5', 'x:KC5', 'phq9', null, '2024-01-02', 10], ['C5', 'x:KC5', 'phq9', null, '2024-04-01', 3],
    // baseline only (attrition)
    ['C6', 'x:KC6', 'phq9', null, '2023-12-20', 22], // 12 days before opening: inside the window
    ['C7', 'x:KC7', 'phq9', null, '2024-01-31', 8], // day 30: the window's last day
    ['C8', 'x:KC8', 'phq9', null, '2024-01-15', 14],
    // no baseline: first PHQ-9 on day 74
    ['C9', 'x:KC9', 'phq9', null, '2024-03-15', 9], ['C9', 'x:KC9', 'phq9', null, '2024-05-01', 5],
    // domain ratings: one row per domain
    ['C1', 'x:KC1', 'ssm', 'housing', '2024-01-02', 2], ['C1', 'x:KC1', 'ssm', 'housing', '2024-04-01', 4],
    ['C2', 'x:KC2', 'ssm', 'housing', '2024-01-02', 3], ['C2', 'x:KC2', 'ssm', 'housing', '2024-04-01', 3],
    ['C1', 'x:KC1', 'ssm', 'income', '2024-01-02', 1], ['C1', 'x:KC1', 'ssm', 'income', '2024-04-01', 1],
    // a numeric measure outside the framework
    ['C1', 'x:KC1', 'income', null, '2024-01-02', 1000], ['C1', 'x:KC1', 'income', null, '2024-04-01', 1500],
    ['C2', 'x:KC2', 'income', null, '2024-01-02', 800], ['C2', 'x:KC2', 'income', null, '2024-04-01', 700],
    // GAD-7: C10 has two episodes; C11 has assessments on days 0, 80, 100 and 200; C12 opened in November
    ['C10', 'x:KC10a', 'gad7', null, '2024-01-05', 15], ['C10', 'x:KC10a', 'gad7', null, '2024-03-01', 9],
    ['C10', 'x:KC10b', 'gad7', null, '2024-06-02', 12], ['C10', 'x:KC10b', 'gad7', null, '2024-08-01', 4],
    ['C11', 'x:KC11', 'gad7', null, '2024-01-01', 10], ['C11', 'x:KC11', 'gad7', null, '2024-03-21', 8],
    ['C11', 'x:KC11', 'gad7', null, '2024-04-10', 6], ['C11', 'x:KC11', 'gad7', null, '2024-07-19', 2],
    ['C12', 'x:KC12', 'gad7', null, '2024-11-02', 11],
    // C13 (a measure of its own): a first episode with a baseline and no follow-up, a second with both
    ['C13', 'x:KC13a', 'wellbeing', null, '2024-01-03', 40],
    ['C13', 'x:KC13b', 'wellbeing', null, '2024-05-02', 30], ['C13', 'x:KC13b', 'wellbeing', null, '2024-08-01', 50],
  ];
  await insert(db, 'clients', ['client_id', 'first_seen_at'], [['C13', '2024-01-01 00:00:00']]);
  await insert(db, 'cases', ['case_id', 'client_id', 'program_id', 'opened_at', 'status'], [
    ['x:KC13a', 'C13', 'x:P1', '2024-01-01', 'open'], ['x:KC13b', 'C13', 'x:P1', '2024-05-01', 'open'],
  ]);
  await insert(db, 'assessments', ['assessment_id', 'client_id', 'case_id', 'instrument_id', 'domain_id', 'administered_at', 'total_score'],
    rows.map((r, i) => [r[6] ?? `x:A${String(i + 100)}`, r[0], r[1], r[2], r[3], r[4], r[5]]));
});
afterAll(() => db.close());

const AS_OF = { asOf: '2024-12-31' };

async function change(params: Record<string, unknown> = {}, opts: Parameters<typeof runKpi>[3] = {}): Promise<KpiResult> {
  return runKpi(db, 'change-from-baseline', { ...AS_OF, ...params }, { today: '2024-12-31', ...opts });
}

function measure(r: KpiResult, id: string): KpiRow {
  const row = r.rows.find((x) => x.group_id === id);
  if (!row) throw new Error(`no row ${id}: ${r.rows.map((x) => x.group_id).join(', ')}`);
  return row;
}

describe('statistics by hand', () => {
  // Five PHQ-9 pairs: baseline 20, 15, 18, 12, 10; follow-up 12, 14, 10, 11, 3.
  // changes d = −8, −1, −8, −1, −7; Σd = −25; mean −5.
  // deviations from −5: −3, 4, −3, 4, −2; squares 9 + 16 + 9 + 16 + 4 = 54; variance 54/4 = 13.5; SD √13.5 = 3.674235.
  // SE = 3.674235 / √5 = 3.674235 / 2.236068 = 1.643168. t(0.975, df 4) = 2.776 (tables: 2.7764).
  // half-width 2.776445 × 1.643168 = 4.562131 → CI −9.562131 to −0.437869.
  // d_z = −5 / 3.674235 = −1.360828.
  // baseline mean 75/5 = 15; deviations 5, 0, 3, −3, −5 → 68/4 = 17 → SD 4.123106.
  // follow-up mean 50/5 = 10; deviations 2, 4, 0, 1, −7 → 70/4 = 17.5 → SD 4.183300.
  const hand = { mean: -5, sd: 3.674235, t: 2.776, low: -9.562131, high: -0.437869, d: -1.360828 };

  it('t quantile for df = 4 is 2.776', () => {
    expect(tCritical(4)).toBeCloseTo(hand.t, 3);
  });

  it('pairedSummary agrees with the hand calculation to 3 decimals', () => {
    const s = pairedSummary([20, 15, 18, 12, 10], [12, 14, 10, 11, 3]);
    expect(s.n).toBe(5);
    expect(s.meanChange).toBeCloseTo(hand.mean, 3);
    expect(s.sdChange).toBeCloseTo(hand.sd, 3);
    expect(s.ciLow).toBeCloseTo(hand.low, 3);
    expect(s.ciHigh).toBeCloseTo(hand.high, 3);
    expect(s.effectSize).toBeCloseTo(hand.d, 3);
    expect(s.baselineSd).toBeCloseTo(4.123106, 3);
    expect(s.followupSd).toBeCloseTo(4.1833, 3);
  });

  it('quantiles interpolate between ranks (type 7)', () => {
    expect(quantile([0, 10, 30, 50], 0.5)).toBe(20);
    expect(quantile([0, 10, 30, 50], 0.9)).toBeCloseTo(44, 12);
    expect(quantile([7], 0.9)).toBe(7);
    expect(quantile([], 0.5)).toBeNull();
  });

  it('Welch test from summary statistics', () => {
    // groups: n 3, mean 14.6667, variance 49.3333 vs n 5, mean 15, variance 17.
    // se² = 49.3333/3 + 17/5 = 16.4444 + 3.4 = 19.8444; t = −0.3333/4.4547 = −0.07483;
    // df = 19.8444² / (16.4444²/2 + 3.4²/4) = 393.80 / 138.10 = 2.8516.
    const w = welchTest(44 / 3, 148 / 3, 3, 15, 17, 5)!;
    expect(w.difference).toBeCloseTo(-1 / 3, 4);
    expect(w.t).toBeCloseTo(-0.07483, 4);
    expect(w.df).toBeCloseTo(2.8516, 3);
    expect(w.p).toBeCloseTo(2 * (1 - jStat.studentt.cdf(0.07483, 2.8516)), 3);
    expect(w.p).toBeGreaterThan(0.9);
    expect(welchTest(1, 0, 1, 2, 1, 5)).toBeNull();
  });
});

describe('change-from-baseline KPI', () => {
  it('PHQ-9: paired means, mean change with 95% CI, d, reliable change, cut-off, attrition — to 3 decimals', async () => {
    const r = await change();
    const phq = measure(r, 'phq9');
    expect(phq).toMatchObject({ paired: 5, clients: 5, direction: 'higher_is_worse', reliable_change: 6, clinical_cutoff: 10 });
    expect(phq.baseline_mean).toBeCloseTo(15, 3);
    expect(phq.baseline_sd).toBeCloseTo(4.123106, 3);
    expect(phq.followup_mean).toBeCloseTo(10, 3);
    expect(phq.followup_sd).toBeCloseTo(4.1833, 3);
    expect(phq.mean_change).toBeCloseTo(-5, 3);
    expect(phq.sd_change).toBeCloseTo(3.674235, 3);
    expect(phq.ci_low).toBeCloseTo(-9.562131, 3);
    expect(phq.ci_high).toBeCloseTo(-0.437869, 3);
    expect(phq.effect_size).toBeCloseTo(-1.360828, 3);
    // improvement = −change = 8, 1, 8, 1, 7; threshold 6 → improved 3 (60%), no change 2 (40%), worse 0.
    expect(phq).toMatchObject({ improved: 3, unchanged: 2, deteriorated: 0, improved_pct: 0.6, unchanged_pct: 0.4, deteriorated_pct: 0 });
    // cut-off 10 (≥ 10 is a case): all five baselines; at follow-up only C5 (3) is below → 1 of 5.
    expect(phq).toMatchObject({ above_cutoff: 5, moved_below: 1, moved_below_pct: 0.2 });
    // attrition: C6 22, C7 8, C8 14 → mean 14.6667 vs completers 15: difference −0.3333 (Welch p ≈ 0.945).
    expect(phq.baseline_only).toBe(3);
    expect(phq.baseline_only_mean).toBeCloseTo(14.6667, 3);
    expect(phq.attrition_difference).toBeCloseTo(-0.3333, 3);
    expect(phq.attrition_p).toBeCloseTo(2 * (1 - jStat.studentt.cdf(0.07483, 2.8516)), 3);
    // C9's first PHQ-9 was on day 74: assessments but no baseline
    expect(phq.no_baseline).toBe(1);
  });

  it('domain ratings give one row per domain; direction higher is better', async () => {
    const r = await change({ instrument: 'ssm' });
    expect(r.rows.map((x) => x.group_id)).toEqual(['ssm:housing', 'ssm:income']);
    // housing: C1 2 → 4 (+2, improved), C2 3 → 3 (no change)
    expect(measure(r, 'ssm:housing')).toMatchObject({ paired: 2, mean_change: 1, improved: 1, unchanged: 1, deteriorated: 0, above_cutoff: null, domain_id: 'housing', group: 'Housing (SSM)' });
    expect(measure(r, 'ssm:income')).toMatchObject({ paired: 1, mean_change: 0, sd_change: null, ci_low: null, effect_size: null });
  });

  it('a measure without a threshold gets statistics but no categories; config adds one', async () => {
    const r = await change({ instrument: 'income' });
    expect(measure(r, 'income')).toMatchObject({ paired: 2, mean_change: 200, improved: null, unchanged: null, direction: null });
    expect(r.notes.join()).toMatch(/no reliable-change threshold for income/);
    const configured = await change({ instrument: 'income' }, { config: { change: { measures: { income: { reliableChange: 200, direction: 'higher_is_better' } } } } });
    // C1 +500 → improved; C2 −100 → no reliable change
    expect(measure(configured, 'income')).toMatchObject({ improved: 1, unchanged: 1, deteriorated: 0, direction: 'higher_is_better' });
  });

  it('a client with several episodes counts once by default, once per episode on request', async () => {
    // GAD-7 latest: C10 first episode 15 → 9 (−6), C11 10 → 2 (−8), C12 baseline only.
    const byClient = measure(await change({ instrument: 'gad7' }), 'gad7');
    expect(byClient).toMatchObject({ paired: 2, mean_change: -7, baseline_only: 1, improved: 2 });
    expect(byClient.sd_change).toBeCloseTo(Math.SQRT2, 9);
    // cut-off 8: C10 15 → 9 still a case; C11 10 → 2 moved below.
    expect(byClient).toMatchObject({ above_cutoff: 2, moved_below: 1 });
    // per episode: C10's second episode 12 → 4 (−8) too → −6, −8, −8: mean −7.333, one client twice.
    const byEpisode = measure(await change({ instrument: 'gad7', unit: 'episode' }), 'gad7');
    expect(byEpisode).toMatchObject({ paired: 3, clients: 2 });
    expect(byEpisode.mean_change).toBeCloseTo(-22 / 3, 9);
  });

  it('the client\'s unit is their first episode with a baseline, whole: its follow-up, not a later episode\'s', async () => {
    // C13's first episode (baseline 40) has no follow-up: one baseline-only unit, nothing paired,
    // although the second episode has a pair (30 → 50). Per episode: that pair, and the first as attrition.
    for (const extra of [{}, { baselineBeforeDays: 31 }]) {
      const byClient = measure(await change({ instrument: 'wellbeing', ...extra }), 'wellbeing');
      expect(byClient).toMatchObject({ paired: 0, baseline_only: 1, baseline_only_mean: 40, no_baseline: 0 });
      const byEpisode = measure(await change({ instrument: 'wellbeing', unit: 'episode', ...extra }), 'wellbeing');
      expect(byEpisode).toMatchObject({ paired: 1, mean_change: 20, baseline_only: 1, baseline_only_mean: 40, clients: 1 });
    }
  });

  it('horizon mode: the assessment nearest the horizon, earlier on a tie; not yet due is not attrition', async () => {
    // horizon 90 ± 30 days after opening: C10 → day 60 (9); C11 → day 80 (8) and day 100 (6) are
    // both 10 days away: the earlier wins → changes −6 and −2. C12 opened 11-01: window open at 12-31.
    const r = measure(await change({ instrument: 'gad7', followup: 'horizon', horizonDays: 90, horizonToleranceDays: 30 }), 'gad7');
    expect(r).toMatchObject({ paired: 2, mean_change: -4, not_yet_due: 1, baseline_only: 0 });
    // tolerance 5: no assessment within 85–95 days → no pairs; both are attrition (windows closed)
    const narrow = measure(await change({ instrument: 'gad7', followup: 'horizon', horizonToleranceDays: 5 }), 'gad7');
    expect(narrow).toMatchObject({ paired: 0, baseline_only: 2, not_yet_due: 1, mean_change: null });
  });

  it('a period picks a cohort by opening date, followed up to today unless an as-of date is given', async () => {
    // January 2024 cohort: C10 (first episode, 15 → 9 on 03-01) and C11 (10 → 2 on 07-19)
    const cohort = { instrument: 'gad7', from: '2024-01-01', to: '2024-01-31' };
    const toDate = await runKpi(db, 'change-from-baseline', cohort, { today: '2024-12-31' });
    expect(toDate.params).toMatchObject({ asOf: '2024-12-31' });
    expect(measure(toDate, 'gad7')).toMatchObject({ paired: 2, mean_change: -7, baseline_only: 0 });
    // as they stood at the end of January: baselines only
    expect(measure(await change({ ...cohort, asOf: '2024-01-31' }), 'gad7')).toMatchObject({ paired: 0, baseline_only: 2 });
  });

  it('period, programme and baseline window', async () => {
    // only cases opened in November (C12): one baseline, no follow-up
    const nov = measure(await change({ instrument: 'gad7', from: '2024-11-01', to: '2024-11-30' }), 'gad7');
    expect(nov).toMatchObject({ paired: 0, baseline_only: 1 });
    expect(measure(await change({ instrument: 'gad7', program: 'P2' }), 'gad7')).toMatchObject({ baseline_only: 1, paired: 0 });
    // a narrower window (10 days after opening) drops C7 (day 30) and C8 (day 14) from the baselines
    const narrow = measure(await change({ instrument: 'phq9', baselineAfterDays: 10 }), 'phq9');
    expect(narrow).toMatchObject({ paired: 5, baseline_only: 1, no_baseline: 3 });
    // as of 03-31 the April follow-ups have not happened: only C1 has one (the interim, 20 → 16);
    // the other seven baselines are baseline-only
    expect(measure(await change({ instrument: 'phq9', asOf: '2024-03-31' }), 'phq9')).toMatchObject({ paired: 1, mean_change: -4, baseline_only: 7 });
  });
});
