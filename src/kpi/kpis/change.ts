/**
 * Change from baseline, per instrument (and per domain for domain ratings): paired means, mean
 * change with a t interval, paired effect size, reliable-change categories, movement across the
 * clinical cut-off, and attrition (baseline without follow-up) with a Welch test.
 */
import type { Framework } from '../../frameworks/index.ts';
import { clean, col, FILTER_TEXT, hidden, num, resolveBase, type BaseParams } from '../common.ts';
import { P } from '../params.ts';
import { queryRows } from '../query.ts';
import { caseFilters, dateInPeriod, SqlArgs, where } from '../sql.ts';
import { pairedFromSummary, welchTest } from '../stats.ts';
import type { KpiConfig } from '../config.ts';
import type { KpiContext, KpiDefinition, KpiRow } from '../types.ts';
import { CHANGE_SCOPES } from '../facts.ts';

export interface ChangeParams extends BaseParams {
  instrument?: string | undefined;
  domain?: string | undefined;
  followup: 'latest' | 'horizon';
  horizonDays: number;
  horizonToleranceDays: number;
  baselineBeforeDays: number;
  baselineAfterDays: number;
  unit: 'client' | 'episode';
}

export interface MeasureRule {
  id: string;
  name: string;
  reliableChange: number;
  direction: 'higher_is_worse' | 'higher_is_better';
  clinicalCutoff?: number | undefined;
  perDomain: boolean;
  source: string;
}

/** Thresholds and direction for each measure: framework instruments first, then config `kpi.change.measures`. */
export function measureRules(framework: Framework | undefined, config: KpiConfig): MeasureRule[] {
  const out = new Map<string, MeasureRule>();
  for (const i of framework?.instruments ?? []) {
    out.set(i.id, {
      id: i.id, name: i.name.replace(/\s*\(.*$/, ''), reliableChange: i.reliableChange, direction: i.direction, clinicalCutoff: i.clinicalCutoff,
      perDomain: i.administeredPer === 'domain', source: `framework ${framework!.id} ${framework!.version}`,
    });
  }
  for (const [id, m] of Object.entries(config.change.measures)) {
    out.set(id, { id, name: id, reliableChange: m.reliableChange, direction: m.direction, clinicalCutoff: m.clinicalCutoff, perDomain: false, source: 'config kpi.change.measures' });
  }
  return [...out.values()];
}

const SUMMARY_COLUMNS = [
  'paired', 'clients', 'baseline_mean', 'baseline_sd', 'followup_mean', 'followup_sd', 'mean_change', 'sd_change', 'ci_low', 'ci_high', 'effect_size',
];

/** Each unit's flags against its measure's thresholds (t), worked out once. */
const scoredFrom = (units: string) => `
  SELECT u.*, t.rc, t.cutoff,
    u.follow IS NOT NULL AND u.base IS NOT NULL AS paired,
    t.sgn * (u.follow - u.base) AS imp,
    CASE WHEN t.sgn < 0 THEN u.base >= t.cutoff ELSE u.base <= t.cutoff END AS base_case,
    CASE WHEN t.sgn < 0 THEN u.follow >= t.cutoff ELSE u.follow <= t.cutoff END AS follow_case,
    u.base IS NOT NULL AND u.follow IS NULL AND NOT u.not_due AS base_only
  FROM ${units} u LEFT JOIN thresholds t ON t.instrument_id = u.instrument_id
`;

/** A count from the weighted sums (null when no unit qualified). */
const count = (n: string) => `coalesce(${n}, 0)::BIGINT`;
const mean = (x: string, n: string) => `s_${x} / nullif(${n}, 0)`;
/**
 * Sample variance from the sums: (Σx² − (Σx)²/n) / (n − 1), for n ≥ 2. The sums are Kahan sums;
 * a centred sum of squares below 1e-12 of the raw one is rounding, not spread, and counts as 0.
 */
const variance = (x: string, n: string) =>
  `CASE WHEN ${n} >= 2 THEN (CASE WHEN ss_${x} - s_${x} * s_${x} / ${n} <= 1e-12 * ss_${x} THEN 0 ELSE ss_${x} - s_${x} * s_${x} / ${n} END) / (${n} - 1) END`;

const monthStart = (day: string) => `${day.slice(0, 8)}01`;
const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
const nextMonth = (day: string) => {
  const d = new Date(`${monthStart(day)}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + 1);
  return d.toISOString().slice(0, 10);
};

/**
 * Which facts can answer these parameters, if any. The episode facts hold for the configured
 * windows and an as-of date on or after the last assessment; they key a measure by instrument
 * and domain, which is the KPI's key unless a measure without per-domain ratings has domains.
 * The client's-first-episode rule is baked in per single filter, not for combinations.
 */
function factsPath(p: ChangeParams, ctx: Pick<KpiContext, 'config' | 'facts'>, rules: MeasureRule[]): 'histogram' | 'episodes' | undefined {
  const f = ctx.facts?.change;
  const c = ctx.config.change;
  if (!f) return undefined;
  if (p.baselineBeforeDays !== c.baselineBeforeDays || p.baselineAfterDays !== c.baselineAfterDays) return undefined;
  if (p.followup === 'horizon' && (p.horizonDays !== c.horizonDays || p.horizonToleranceDays !== c.horizonToleranceDays)) return undefined;
  if (f.assessedUntil !== null && p.asOf < f.assessedUntil) return undefined;
  const byInstrumentOnly = new Set(rules.filter((r) => !r.perDomain).map((r) => r.id));
  if (f.domainInstruments.some((i) => byInstrumentOnly.has(i))) return undefined;
  if (p.unit === 'episode') return 'episodes';
  const filters = CHANGE_SCOPES.filter((s) => s.param !== undefined && p[s.param] !== undefined).length;
  return filters === 0 ? 'histogram' : filters === 1 ? 'episodes' : undefined;
}

/**
 * The units of change-from-baseline as CTEs ending in `units(instrument_id, dk, client_id, base,
 * follow, not_due, n)`: a unit (or, from the histogram, n equal units) with its baseline and
 * follow-up scores. From the episode facts when they answer the parameters (see factsPath),
 * else worked out from the scored assessments. `dk` is the domain for domain ratings, else ''.
 */
export function changeUnits(p: ChangeParams, ctx: Pick<KpiContext, 'config' | 'facts'>, q: SqlArgs, rules: MeasureRule[]): { ctes: string; path: 'histogram' | 'episodes' | 'assessments' } {
  const path = factsPath(p, ctx, rules);
  // placeholders are made where used: an unused one is an error
  const asOf = () => q.date('asOf', p.asOf);
  const horizon = p.followup === 'horizon';
  const h = () => `${q.p('horizonDays', p.horizonDays)}::INTEGER`;
  const tol = () => `${q.p('horizonToleranceDays', p.horizonToleranceDays)}::INTEGER`;
  const measureFilters = (alias: string) => [
    ...(p.instrument !== undefined ? [`${alias}.instrument_id = ${q.p('instrument', p.instrument)}`] : []),
    ...(p.domain !== undefined ? [`${alias}.${alias === 'x' ? 'domain_id' : 'dk'} = ${q.p('domain', p.domain)}`] : []),
  ];
  if (path) {
    // a period [from, to'] with to' = the earlier of `to` and the as-of date
    const last = p.to !== undefined && p.to < p.asOf ? p.to : p.asOf;
    const toEff = () => q.date('periodEnd', last);
    const from = p.from === undefined ? undefined : () => q.date('from', p.from!);
    const scope = CHANGE_SCOPES.find((s) => s.param !== undefined && p[s.param] !== undefined) ?? CHANGE_SCOPES[0]!;
    const x = scope.suffix;
    const notDue = () => horizon ? `e.hz_follow IS NULL AND e.base IS NOT NULL AND e.opened_at > ${asOf()} - ${h()} - ${tol()}` : 'false';
    const episodes = (extra: string[]) => `SELECT e.instrument_id, e.dk, e.client_no AS client_id, e.base, e.${horizon ? 'hz_follow' : 'follow'} AS follow, ${notDue()} AS not_due, 1::DOUBLE AS n
  FROM kpi_fact_change_episodes e
  ${where([
    `e.opened_at <= ${toEff()}`,
    ...(from ? [`e.opened_at >= ${from()}`] : []),
    ...caseFilters(q, p, 'e'),
    ...measureFilters('e'),
    // the client's unit: no earlier episode in the period rules it out, and (without a baseline) no later one with a baseline
    ...(p.unit === 'client' ? [from ? `(e.lo${x} IS NULL OR e.lo${x} < ${from()})` : `e.lo${x} IS NULL`, `(e.hi${x} IS NULL OR e.hi${x} > ${toEff()})`] : []),
    ...extra,
  ])}`;
    if (path === 'episodes') return { path, ctes: `units AS (\n  ${episodes([])}\n)` };
    // Whole months of the period whose units are decided by the months of lo and hi come from
    // the histogram; the rest episode by episode, in disjoint parts that each read a range of
    // the episodes (which are in opening order): the days of the months the period cuts (and
    // of the months whose horizon windows are still open at the as-of date), and in the whole
    // months, the episodes whose lo falls in the month `from` cuts, or whose hi in the month
    // the period ends in.
    const wholeFrom = p.from === undefined ? undefined : p.from === monthStart(p.from) ? p.from : nextMonth(p.from);
    let wholeTo = addDays(last, 1) === nextMonth(last) ? nextMonth(last) : monthStart(last);
    if (horizon) {
      const settled = monthStart(addDays(p.asOf, 1 - p.horizonDays - p.horizonToleranceDays));
      if (settled < wholeTo) wholeTo = settled;
    }
    if (wholeFrom !== undefined && wholeFrom >= wholeTo) return { path, ctes: `units AS (\n  ${episodes([])}\n)` };
    const wf = wholeFrom === undefined ? undefined : q.date('wholeFrom', wholeFrom);
    const wt = q.date('wholeTo', wholeTo);
    const fromMonth = p.from === undefined ? undefined : q.date('fromMonth', monthStart(p.from));
    const afterMonth = q.date('afterPeriodMonth', nextMonth(last));
    const inWhole = [...(wf ? [`e.opened_at >= ${wf}`] : []), `e.opened_at < ${wt}`];
    const parts = [
      `SELECT e.instrument_id, e.dk, NULL::INTEGER AS client_id, e.base, e.follow, false AS not_due, e.n
  FROM kpi_fact_change_hist e
  ${where([
    `e.horizon = ${horizon}`,
    ...(wf ? [`e.month >= ${wf}`] : []),
    `e.month < ${wt}`,
    fromMonth ? `(e.lo_month IS NULL OR e.lo_month < ${fromMonth})` : 'e.lo_month IS NULL',
    `(e.hi_month IS NULL OR e.hi_month >= ${afterMonth})`,
    ...measureFilters('e'),
  ])}`,
      ...(wf && wholeFrom !== p.from ? [episodes([`e.opened_at < ${wf}`])] : []),
      ...(wholeTo <= last ? [episodes([`e.opened_at >= ${wt}`])] : []),
      ...(fromMonth && wholeFrom !== p.from ? [episodes([...inWhole, `e.lo >= ${fromMonth}`])] : []),
      ...(nextMonth(last) !== addDays(last, 1)
        ? [episodes([...inWhole, `e.hi < ${afterMonth}`, ...(fromMonth ? [`(e.lo IS NULL OR e.lo < ${fromMonth})`] : [])])]
        : []),
    ];
    return { path, ctes: `units AS (\n  ${parts.join('\n  UNION ALL\n  ')}\n)` };
  }
  // from the scored assessments (kpi_fact_assessments, with the case's opening day and order)
  const before = `${q.p('baselineBeforeDays', p.baselineBeforeDays)}::INTEGER`;
  const after = `${q.p('baselineAfterDays', p.baselineAfterDays)}::INTEGER`;
  const perDomain = q.list('perDomainInstruments', rules.filter((r) => r.perDomain).map((r) => r.id));
  const known = q.list('knownInstruments', rules.map((r) => r.id));
  const aConds = [
    `x.opened_at <= ${asOf()}`,
    ...dateInPeriod(q, 'x.opened_at', p),
    ...caseFilters(q, p, 'x'),
    `x.administered_at <= ${asOf()}`,
    ...measureFilters('x'),
  ];
  const inWindow = `administered_at BETWEEN opened_at - ${before} AND opened_at + ${after}`;
  const followupCte = horizon
    ? `fu AS (
  SELECT a.case_id, a.instrument_id, a.dk,
         arg_min(a.total_score, (abs(a.administered_at - (a.opened_at + ${h()})), a.ord)) AS follow
  FROM a JOIN ep ON ep.case_id = a.case_id AND ep.instrument_id = a.instrument_id AND ep.dk = a.dk
  WHERE a.administered_at > ep.base_at AND abs(a.administered_at - (a.opened_at + ${h()})) <= ${tol()}
  GROUP BY a.case_id, a.instrument_id, a.dk
),
eps AS (
  SELECT ep.*, fu.follow,
         fu.follow IS NULL AND ep.base IS NOT NULL AND ep.opened_at + ${h()} + ${tol()} > ${asOf()} AS not_due
  FROM ep LEFT JOIN fu ON fu.case_id = ep.case_id AND fu.instrument_id = ep.instrument_id AND fu.dk = ep.dk
)`
    : `eps AS (
  SELECT *, CASE WHEN last_at > base_at THEN last END AS follow, false AS not_due
  FROM ep
)`;
  // one unit per client and measure: the first episode (by opening day, then case id) with a baseline
  // (arg_min over one BIGINT key is far cheaper than over a struct: the key puts episodes with a
  // baseline first, then orders them by the rank of (opened_at, case_id) among the cases in scope)
  const units = p.unit === 'client'
    ? `units AS (
  SELECT instrument_id, dk, client_id,
         arg_min_null(base, k) AS base, arg_min_null(follow, k) AS follow, arg_min_null(not_due, k) AS not_due, 1::DOUBLE AS n
  FROM (SELECT *, (base IS NULL)::BIGINT * 1099511627776 + case_rank AS k FROM eps)
  GROUP BY client_id, instrument_id, dk
)`
    : 'units AS (SELECT instrument_id, dk, client_id, base, follow, not_due, 1::DOUBLE AS n FROM eps)';
  return {
    path: 'assessments',
    ctes: `a AS (
  SELECT x.case_no AS case_id, x.client_no AS client_id, x.opened_at, x.case_order AS case_rank, x.instrument_id,
         CASE WHEN list_contains(${perDomain}, x.instrument_id) OR NOT list_contains(${known}, x.instrument_id) THEN coalesce(x.domain_id, '') ELSE '' END AS dk,
         x.administered_at, x.ord, x.total_score
  FROM kpi_fact_assessments x
  ${where(aConds)}
),
ep AS (
  SELECT case_id, instrument_id, dk, any_value(client_id) AS client_id, any_value(opened_at) AS opened_at${p.unit === 'client' ? ', any_value(case_rank) AS case_rank' : ''},
         min(administered_at) FILTER (WHERE ${inWindow}) AS base_at,
         arg_min(total_score, ord) FILTER (WHERE ${inWindow}) AS base${horizon ? '' : `,
         max(administered_at) AS last_at,
         arg_max(total_score, ord) AS last`}
  FROM a
  GROUP BY case_id, instrument_id, dk
),
${followupCte},
${units}`,
  };
}

export const changeFromBaseline: KpiDefinition<ChangeParams> = {
  id: 'change-from-baseline',
  title: 'Change from baseline',
  summary: 'per instrument and domain: paired baseline → follow-up means, mean change with 95% CI, effect size, reliable change, cut-off crossings, attrition',
  audience: ['evaluator', 'funder'],
  definition: {
    formula:
      'per unit, change = follow-up − baseline. Mean change ± t(0.975, n−1) · SD(change)/√n is the 95% confidence interval (Student t, df = n − 1). ' +
      'Effect size is Cohen\'s d for paired data, d_z = mean change ÷ SD of the changes (sample SDs, divisor n − 1). ' +
      'Reliable change: improvement = −change when higher is worse, +change when higher is better; reliably improved when improvement ≥ the instrument\'s threshold, reliably deteriorated when improvement ≤ −threshold, otherwise no reliable change ' +
      '(thresholds and direction from the framework: phq9 6 points, gad7 4, ssm 1 level; other measures from config `kpi.change.measures`). ' +
      'Cut-off: of the pairs at or past the clinical cut-off at baseline (≥ cut-off when higher is worse), the share not past it at follow-up. ' +
      'Attrition: units with a baseline but no follow-up; their baseline mean minus the completers\' baseline mean, with Welch\'s unequal-variance t-test (two-sided p).',
    population:
      'Cases opened in the period (and on or before the as-of date) within the filters, and their assessments with a total score administered on or before the as-of date. ' +
      'Baseline: the first assessment of the measure on the case from `baselineBeforeDays` (30) before to `baselineAfterDays` (30) after opening. ' +
      'Follow-up: `latest` mode — the last assessment of the measure on the case dated after the baseline day; `horizon` mode — the one nearest opening + `horizonDays` (90), within ± `horizonToleranceDays` (30), dated after the baseline day. ' +
      'Unit: `client` (default) — each client counts once per measure, using their first episode (by opening date) that has a baseline; `episode` — every case counts.',
    period:
      'by case opening date: from ≤ opened_at ≤ to picks the cohort. Its assessments count up to the as-of date, which defaults to today, not to the end of the period: ' +
      'a cohort\'s outcomes are followed up to date (cut at the period\'s end, most of a period\'s late entrants would have no follow-up yet). Give `asOf` for the figures as they stood on a day.',
    exclusions: [
      'assessments not linked to a case, or without a total score',
      'units with assessments but no baseline in the window (reported as `no_baseline`, not paired)',
      'horizon mode: units whose follow-up window has not closed by the as-of date are `not_yet_due`, not attrition',
      FILTER_TEXT,
    ],
    ties:
      'two assessments on the same day: the baseline is the one with the lowest assessment id, the latest follow-up the one with the highest. Horizon mode: equal distance from the horizon — the earlier one. A change exactly equal to the threshold is reliable.',
    missing:
      'a measure with no threshold (not in the framework or config) gets paired statistics but no reliable-change categories or cut-off figures. SD, CI and the Welch test need at least 2 values per group; d needs a non-zero SD of change.',
    notes: [
      'Domain ratings (instruments administered per domain, e.g. ssm) give one row per domain; other measures one row each.',
      'The SQL shown pairs the scored assessments. With the configured windows and an as-of date on or after the last assessment (the usual question), the same units are read from the episode facts (`kpi_fact_change_episodes`, counted in `kpi_fact_change_hist`), where each episode carries the opening days that decide whether it is its client\'s unit in a period; `test/kpi/change-facts.test.ts` checks both give the same figures.',
      'Means and SDs are computed from sums (Σx, Σx², Kahan-summed): SD = √((Σx² − (Σx)²/n) ÷ (n − 1)).',
    ],
  },
  params: [
    P.from, P.to, P.asOf, P.program, P.manager, P.caseType, P.instrument, P.domain, P.followup, P.horizonDays, P.horizonToleranceDays,
    P.baselineBeforeDays, P.baselineAfterDays, P.unit,
  ],
  columns: [
    col('group_by', 'Grouped by', 'text', 'always `measure`', { dimension: true }),
    col('group_id', 'Measure id', 'text', 'instrument id, with `:domain` for domain ratings', { dimension: true }),
    col('group', 'Measure', 'text', 'readable name', { dimension: true }),
    col('is_total', 'Total row', 'bool', 'always false: different measures are not added up', { dimension: true }),
    col('instrument_id', 'Instrument', 'text', 'instrument or measure id', { dimension: true }),
    col('domain_id', 'Domain', 'text', 'domain, for domain ratings', { dimension: true }),
    col('direction', 'Direction', 'text', '`higher_is_worse` or `higher_is_better`; null when unknown', { dimension: true }),
    col('reliable_change', 'Reliable change', 'number', 'threshold in score points', { dimension: true }),
    col('clinical_cutoff', 'Clinical cut-off', 'number', 'caseness cut-off, if any', { dimension: true }),
    col('paired', 'Paired n', 'int', 'units with a baseline and a follow-up'),
    col('clients', 'Clients', 'int', 'distinct clients among them'),
    col('baseline_mean', 'Baseline mean', 'number', 'mean baseline score of the pairs'),
    col('baseline_sd', 'Baseline SD', 'number', 'sample SD'),
    col('followup_mean', 'Follow-up mean', 'number', 'mean follow-up score of the pairs'),
    col('followup_sd', 'Follow-up SD', 'number', 'sample SD'),
    col('mean_change', 'Mean change', 'number', 'mean of follow-up − baseline'),
    col('sd_change', 'SD of change', 'number', 'sample SD of the changes'),
    col('ci_low', '95% CI low', 'number', 'mean change − t·SE'),
    col('ci_high', '95% CI high', 'number', 'mean change + t·SE'),
    col('effect_size', 'Effect size d', 'number', 'Cohen\'s d for paired data: mean change ÷ SD of change (sign as the change)'),
    col('improved', 'Reliably improved', 'int', 'pairs improving by at least the threshold'),
    col('improved_pct', '% improved', 'number', 'improved ÷ paired', { unit: 'share' }),
    col('unchanged', 'No reliable change', 'int', 'pairs changing less than the threshold'),
    col('unchanged_pct', '% no reliable change', 'number', 'unchanged ÷ paired', { unit: 'share' }),
    col('deteriorated', 'Reliably deteriorated', 'int', 'pairs worsening by at least the threshold'),
    col('deteriorated_pct', '% deteriorated', 'number', 'deteriorated ÷ paired', { unit: 'share' }),
    col('above_cutoff', 'Past cut-off at baseline', 'int', 'pairs at or past the clinical cut-off at baseline'),
    col('moved_below', 'Moved below cut-off', 'int', 'of those, pairs no longer past it at follow-up'),
    col('moved_below_pct', '% moved below cut-off', 'number', 'moved_below ÷ above_cutoff', { unit: 'share' }),
    col('baseline_only', 'Baseline only', 'int', 'attrition: a baseline but no follow-up'),
    col('baseline_only_mean', 'Baseline mean (no follow-up)', 'number', 'mean baseline of the units without follow-up'),
    col('attrition_difference', 'Baseline difference', 'number', 'baseline_only_mean − baseline_mean (non-completers − completers)'),
    col('attrition_p', 'Welch p', 'number', 'two-sided p of Welch\'s t-test of that difference'),
    col('not_yet_due', 'Not yet due', 'int', 'horizon mode: baseline, follow-up window still open'),
    col('no_baseline', 'No baseline', 'int', 'units with assessments but none in the baseline window'),
    hidden('improved_clients', ''), hidden('unchanged_clients', ''), hidden('deteriorated_clients', ''),
    hidden('above_clients', ''), hidden('not_above_clients', ''), hidden('moved_clients', ''), hidden('stayed_clients', ''),
    hidden('baseline_only_clients', ''), hidden('not_yet_due_clients', ''), hidden('no_baseline_clients', ''),
  ],
  disclosure: {
    cells: [
      { name: 'paired', count: 'paired', clients: 'clients', columns: SUMMARY_COLUMNS },
      { name: 'improved', count: 'improved', clients: 'improved_clients', columns: ['improved', 'improved_pct'] },
      { name: 'unchanged', count: 'unchanged', clients: 'unchanged_clients', columns: ['unchanged', 'unchanged_pct'] },
      { name: 'deteriorated', count: 'deteriorated', clients: 'deteriorated_clients', columns: ['deteriorated', 'deteriorated_pct'] },
      { name: 'above', count: 'above_cutoff', clients: 'above_clients', columns: ['above_cutoff'] },
      { name: 'not_above', count: (r) => (r.above_cutoff == null ? NaN : num(r.paired) - num(r.above_cutoff)), clients: 'not_above_clients', columns: [] },
      { name: 'moved', count: 'moved_below', clients: 'moved_clients', columns: ['moved_below', 'moved_below_pct'] },
      { name: 'stayed', count: (r) => (r.moved_below == null ? NaN : num(r.above_cutoff) - num(r.moved_below)), clients: 'stayed_clients', columns: [] },
      { name: 'baseline_only', count: 'baseline_only', clients: 'baseline_only_clients', columns: ['baseline_only', 'baseline_only_mean', 'attrition_difference', 'attrition_p'] },
      { name: 'not_yet_due', count: 'not_yet_due', clients: 'not_yet_due_clients', columns: ['not_yet_due'] },
      { name: 'no_baseline', count: 'no_baseline', clients: 'no_baseline_clients', columns: ['no_baseline'] },
    ],
    lines: [
      { total: 'paired', parts: ['improved', 'unchanged', 'deteriorated'] },
      { total: 'paired', parts: ['above', 'not_above'] },
      { total: 'above', parts: ['moved', 'stayed'] },
    ],
    additiveGroups: () => false,
  },
  resolve(raw, ctx) {
    // the period picks a cohort by opening date; its follow-ups run to today unless asOf is given
    const base = { ...resolveBase(raw, ctx, 'none'), asOf: typeof raw.asOf === 'string' ? raw.asOf : ctx.today };
    const c = ctx.config.change;
    const pick = <T>(k: string, d: T): T => (raw[k] as T | undefined) ?? d;
    return clean({
      ...base,
      by: 'measure',
      instrument: raw.instrument as string | undefined,
      domain: raw.domain as string | undefined,
      followup: pick('followup', c.followup),
      horizonDays: pick('horizonDays', c.horizonDays),
      horizonToleranceDays: pick('horizonToleranceDays', c.horizonToleranceDays),
      baselineBeforeDays: pick('baselineBeforeDays', c.baselineBeforeDays),
      baselineAfterDays: pick('baselineAfterDays', c.baselineAfterDays),
      unit: pick('unit', c.unit),
    });
  },
  usesFacts: true,
  sql(p, ctx) {
    const q = new SqlArgs();
    const rules = measureRules(ctx.framework, ctx.config);
    const thresholds = rules.length
      ? `VALUES ${rules.map((r, i) => `(${q.p(`rule${i}.id`, r.id)}, ${q.p(`rule${i}.reliableChange`, r.reliableChange)}::DOUBLE, ${r.direction === 'higher_is_worse' ? -1 : 1}, ${q.p(`rule${i}.clinicalCutoff`, r.clinicalCutoff ?? null)}::DOUBLE)`).join(', ')}`
      : 'SELECT NULL::VARCHAR, NULL::DOUBLE, NULL::INTEGER, NULL::DOUBLE WHERE false';
    const units = changeUnits(p, ctx, q, rules);
    // each unit's flags, worked out once (scored), then counted: what each count counts
    const flags: Array<[string, string]> = [
      ['improved', 'paired AND imp >= rc'],
      ['unchanged', 'paired AND imp > -rc AND imp < rc'],
      ['deteriorated', 'paired AND imp <= -rc'],
      ['above', 'paired AND base_case'],
      ['not_above', 'paired AND NOT base_case'],
      ['moved', 'paired AND base_case AND NOT follow_case'],
      ['stayed', 'paired AND base_case AND follow_case'],
    ];
    // the client counts for disclosure control (skipped when nobody asks for them); in client
    // mode each unit is a client
    const clientConds: Array<[string, string]> = [
      ['clients', 'paired'],
      ...flags.map(([n, c]): [string, string] => [`${n}_clients`, c]),
      ['baseline_only_clients', 'base_only'],
      ['not_yet_due_clients', 'not_due'],
      ['no_baseline_clients', 'base IS NULL'],
    ].filter(([name]) => !ctx.skip?.has(name!)) as Array<[string, string]>;
    const clientCounts = p.unit === 'client'
      ? [
          `${count('n_paired')} AS clients`,
          ...flags.map(([n]) => `${count(`n_${n}`)} AS ${n}_clients`),
          `${count('n_only')} AS baseline_only_clients`, `${count('n_not_due')} AS not_yet_due_clients`, `${count('n_no_base')} AS no_baseline_clients`,
        ]
      : clientConds.map(([name]) => `coalesce(cl.${name}, 0) AS ${name}`);
    // per episode: a client is counted once per figure (a distinct count, or for many figures a
    // pass per client)
    const perClient = p.unit === 'client'
      ? ''
      : clientConds.length === 1
        ? `,
client_counts AS (
  SELECT instrument_id, dk, count(DISTINCT client_id) FILTER (WHERE ${clientConds[0]![1]}) AS ${clientConds[0]![0]}
  FROM unit_flags
  GROUP BY instrument_id, dk
)`
        : `,
per_client AS (
  SELECT client_id, instrument_id, dk,
    ${clientConds.map(([name, cond]) => `coalesce(bool_or(${cond}), false) AS ${name}`).join(',\n    ')}
  FROM unit_flags
  GROUP BY client_id, instrument_id, dk
),
client_counts AS (
  SELECT instrument_id, dk,
    ${clientConds.map(([name]) => `count(*) FILTER (WHERE ${name}) AS ${name}`).join(',\n    ')}
  FROM per_client
  GROUP BY instrument_id, dk
)`;
    const byRule = (n: string, rule: 'rc' | 'cutoff') => `CASE WHEN ${rule} IS NULL THEN NULL ELSE ${count(`n_${n}`)} END`;
    // sums of n-weighted values: the units come one by one or as counts of equal (base, follow)
    // (sums of CASE, not FILTERed sums: the same figures, a good deal faster in DuckDB)
    const total = (cond: string) => `sum(CASE WHEN ${cond} THEN n ELSE 0 END)`;
    const sums = (name: string, x: string, cond: string) =>
      `fsum(CASE WHEN ${cond} THEN n * ${x} ELSE 0 END) AS s_${name}, fsum(CASE WHEN ${cond} THEN n * ${x} * ${x} ELSE 0 END) AS ss_${name}`;
    const sql = `WITH thresholds(instrument_id, rc, sgn, cutoff) AS (${thresholds}),
${units.ctes},
${p.unit === 'client' ? '' : `unit_flags AS (${scoredFrom('units')}),\n`}weighted AS (
  -- equal units counted once: many share a (baseline, follow-up) pair
  SELECT instrument_id, dk, base, follow, not_due, sum(n) AS n FROM units GROUP BY ALL
),
scored AS (${scoredFrom('weighted')})${perClient},
counted AS (
  SELECT instrument_id, dk, any_value(rc) AS rc, any_value(cutoff) AS cutoff,
    ${total('paired')} AS n_paired,
    ${sums('b', 'base', 'paired')}, ${sums('f', 'follow', 'paired')}, ${sums('c', '(follow - base)', 'paired')},
    ${flags.map(([n, c]) => `${total(c)} AS n_${n}`).join(',\n    ')},
    ${total('base_only')} AS n_only, ${sums('o', 'base', 'base_only')},
    ${total('not_due')} AS n_not_due,
    ${total('base IS NULL')} AS n_no_base
  FROM scored
  GROUP BY instrument_id, dk
)
SELECT u.instrument_id, nullif(u.dk, '') AS domain_id, u.dk, u.rc, u.cutoff,
  ${count('n_paired')} AS paired,
  ${mean('b', 'n_paired')} AS baseline_mean, sqrt(${variance('b', 'n_paired')}) AS baseline_sd,
  ${mean('f', 'n_paired')} AS followup_mean, sqrt(${variance('f', 'n_paired')}) AS followup_sd,
  ${mean('c', 'n_paired')} AS mean_change, sqrt(${variance('c', 'n_paired')}) AS sd_change,
  ${variance('b', 'n_paired')} AS completer_var,
  ${byRule('improved', 'rc')} AS improved,
  ${byRule('unchanged', 'rc')} AS unchanged,
  ${byRule('deteriorated', 'rc')} AS deteriorated,
  ${byRule('above', 'cutoff')} AS above_cutoff,
  ${byRule('moved', 'cutoff')} AS moved_below,
  ${count('n_only')} AS baseline_only, ${mean('o', 'n_only')} AS baseline_only_mean, ${variance('o', 'n_only')} AS baseline_only_var,
  ${count('n_not_due')} AS not_yet_due, ${count('n_no_base')} AS no_baseline,
  ${clientCounts.join(',\n  ')}
FROM counted u${p.unit === 'client' ? '' : '\nLEFT JOIN client_counts cl ON cl.instrument_id = u.instrument_id AND cl.dk = u.dk'}
ORDER BY u.instrument_id, u.dk`;
    return { sql, args: q.args, argNames: q.names };
  },
  async compute(ctx, p) {
    const { sql, args } = this.sql(p, ctx);
    const raw = await queryRows(ctx.db, sql, args, 'change-from-baseline query failed');
    const rules = new Map(measureRules(ctx.framework, ctx.config).map((r) => [r.id, r]));
    const domainName = (id: string) => ctx.framework?.domains.find((d) => d.id === id)?.name ?? id;
    const rows: KpiRow[] = raw.map((r) => {
      const instrument = r.instrument_id as string;
      const domain = (r.domain_id ?? null) as string | null;
      const rule = rules.get(instrument);
      const n = num(r.paired);
      const s = pairedFromSummary({
        n,
        baselineMean: (r.baseline_mean as number | null) ?? null,
        baselineSd: (r.baseline_sd as number | null) ?? null,
        followupMean: (r.followup_mean as number | null) ?? null,
        followupSd: (r.followup_sd as number | null) ?? null,
        meanChange: (r.mean_change as number | null) ?? null,
        sdChange: (r.sd_change as number | null) ?? null,
      });
      const nOnly = num(r.baseline_only);
      const welch =
        n >= 2 && nOnly >= 2 && r.baseline_only_mean != null && r.baseline_mean != null
          ? welchTest(r.baseline_only_mean as number, num(r.baseline_only_var), nOnly, r.baseline_mean as number, num(r.completer_var), n)
          : null;
      const share = (x: unknown, of: number) => (x == null || of === 0 ? null : num(x) / of);
      const above = r.above_cutoff == null ? null : num(r.above_cutoff);
      return {
        group_by: 'measure',
        group_id: domain ? `${instrument}:${domain}` : instrument,
        group: domain ? `${domainName(domain)} (${rule?.perDomain ? instrument.toUpperCase() : (rule?.name ?? instrument)})` : (rule?.name ?? instrument),
        is_total: false,
        instrument_id: instrument,
        domain_id: domain,
        direction: rule?.direction ?? null,
        reliable_change: rule?.reliableChange ?? null,
        clinical_cutoff: rule?.clinicalCutoff ?? null,
        paired: n,
        clients: num(r.clients),
        baseline_mean: s.baselineMean,
        baseline_sd: s.baselineSd,
        followup_mean: s.followupMean,
        followup_sd: s.followupSd,
        mean_change: s.meanChange,
        sd_change: s.sdChange,
        ci_low: s.ciLow,
        ci_high: s.ciHigh,
        effect_size: s.effectSize,
        improved: (r.improved ?? null) as number | null,
        improved_pct: share(r.improved, n),
        unchanged: (r.unchanged ?? null) as number | null,
        unchanged_pct: share(r.unchanged, n),
        deteriorated: (r.deteriorated ?? null) as number | null,
        deteriorated_pct: share(r.deteriorated, n),
        above_cutoff: above,
        moved_below: (r.moved_below ?? null) as number | null,
        moved_below_pct: above === null ? null : share(r.moved_below, above),
        baseline_only: nOnly,
        baseline_only_mean: (r.baseline_only_mean ?? null) as number | null,
        attrition_difference: welch?.difference ?? (r.baseline_only_mean != null && r.baseline_mean != null ? num(r.baseline_only_mean) - num(r.baseline_mean) : null),
        attrition_p: welch?.p ?? null,
        not_yet_due: num(r.not_yet_due),
        no_baseline: num(r.no_baseline),
        improved_clients: num(r.improved_clients),
        unchanged_clients: num(r.unchanged_clients),
        deteriorated_clients: num(r.deteriorated_clients),
        above_clients: num(r.above_clients),
        not_above_clients: num(r.not_above_clients),
        moved_clients: num(r.moved_clients),
        stayed_clients: num(r.stayed_clients),
        baseline_only_clients: num(r.baseline_only_clients),
        not_yet_due_clients: num(r.not_yet_due_clients),
        no_baseline_clients: num(r.no_baseline_clients),
      } satisfies KpiRow;
    });
    // whole-client measures first, then domain ratings by domain name
    rows.sort((a, b) => Number(a.domain_id !== null) - Number(b.domain_id !== null) || String(a.group).localeCompare(String(b.group)));
    const notes: string[] = [];
    if (rows.length === 0) notes.push('no assessments with a total score on cases in scope');
    const noRule = rows.filter((r) => r.direction === null).map((r) => r.instrument_id);
    if (noRule.length) notes.push(`no reliable-change threshold for ${[...new Set(noRule)].join(', ')}: add it to config kpi.change.measures for categories`);
    return { rows, notes };
  },
};
