/**
 * KPI facts: derived tables the heavy KPIs read instead of the canonical tables.
 *
 * The canonical tables are keyed by text (`sample:K0001`, `CL-…`); grouping millions of rows by
 * text keys and joining them to their case was most of the cost of a KPI. The facts carry each
 * record's case attributes with it, number clients and cases densely, store grouping columns as
 * ENUMs (integer-speed grouping, text on output), and keep per-case summaries so a KPI over a
 * long period adds up one row per case instead of a dozen services.
 *
 * Facts are rebuilt whole, in one transaction, from the canonical tables: never edited in
 * place, so they cannot drift from what they summarise. They hold nothing that a KPI parameter
 * chooses (periods, as-of dates, windows, filters): those stay in each KPI's SQL. They do hold
 * the status lists, baseline instruments and note window of the `kpi` config, recorded (with
 * the facts' own definitions) as a hash: a different config or caselens version rebuilds them.
 *
 * When they are stale: every writer of a source table marks them (`markFactsStale`) in its own
 * transaction, and the source tables' exact row counts are compared as well, for writers that
 * do not (an update behind caselens' back, with no mark and no change in counts, is not seen).
 * `ensureFacts` rebuilds stale facts before a KPI reads them; the CLI rebuilds them right after
 * an ingest or a scoring run, and the server on each new snapshot, so nobody waits on a page.
 */
import { createHash } from 'node:crypto';
import { CaselensError, exitCodes } from '../errors.ts';
import { lit, type Db } from '../store/index.ts';
import type { KpiConfig } from './config.ts';

export { markFactsStale } from '../store/index.ts';

/** Tables the facts are built from. */
export const FACT_SOURCES = ['cases', 'goals', 'followups', 'services', 'surveys', 'notes', 'note_tags', 'tag_citations', 'assessments'] as const;

/** Enum types: grouping columns of the facts. Built from the values present. */
const ENUMS: Array<{ name: string; values: string }> = [
  { name: 'kpi_program', values: 'SELECT program_id FROM cases' },
  { name: 'kpi_staff', values: 'SELECT manager_id FROM cases' },
  { name: 'kpi_case_type', values: 'SELECT case_type FROM cases' },
  { name: 'kpi_domain', values: 'SELECT domain_id FROM goals UNION SELECT domain_id FROM note_tags' },
  { name: 'kpi_service_type', values: 'SELECT service_type FROM services' },
  { name: 'kpi_followup_type', values: 'SELECT followup_type FROM followups' },
  { name: 'kpi_direction', values: 'SELECT direction FROM note_tags' },
  { name: 'kpi_scorer', values: 'SELECT scorer FROM note_tags' },
];

/** Grouping dimensions and the enum holding their values (for group counts). */
const GROUP_ENUMS: Record<string, string> = {
  program: 'kpi_program',
  manager: 'kpi_staff',
  case_type: 'kpi_case_type',
  domain: 'kpi_domain',
  service_type: 'kpi_service_type',
  followup_type: 'kpi_followup_type',
};

/** The fact tables, for docs/kpis.md: what a row is, so the KPI SQL there can be read. */
export const FACT_TABLES: Array<[string, string]> = [
  ['kpi_fact_clients', 'every client with a case or a survey, numbered 1…n (`client_no`)'],
  ['kpi_fact_cases', 'a case: `case_no`, `client_no`, programme, manager and case type (enums), opening and closing days'],
  ['kpi_fact_goals', 'a goal with a final status: achieved or not (`ok`) and the day it became final (`final_at`)'],
  ['kpi_fact_followups', 'a follow-up with its case attributes and its lateness (`late_days`: completed − due)'],
  ['kpi_fact_services', 'a service: planned day (`plan_day`), day attended or missed (`out_day`), units, attended / no-show per config'],
  ['kpi_fact_service_cases', 'the services of a case (or of a case and service type), split into history and bookings: sums and their first and last day'],
  ['kpi_fact_service_months', 'the same sums per calendar month of the planned day (utilisation) or of the day attended or missed (attendance)'],
  ['kpi_fact_surveys', 'a survey response with a score, its respondent and case attributes'],
  ['kpi_fact_doc_late', 'per case, its delivered services without a note on their own day, with the days to the first later note (`lag`)'],
  ['kpi_fact_doc_cases', 'a case with the documentation facts: nearest baseline assessment to opening, first goal, span of undocumented services'],
  ['kpi_fact_doc_hist', 'the cases whose rules are settled by the last opening day (`settled_at`), counted (`n`) by the rules they fail (`s_fail_*`) and by programme, manager and case type (`grain` all) or by one of them (`grain` program, manager, case_type; none), with whether they are their client\'s only case in the group'],
  ['kpi_fact_doc_list', 'a case as the failing-case listing shows it, in the listing\'s order (`list_order`)'],
  ['kpi_fact_assessments', 'a scored assessment with its case attributes, opening day and a tie-break order (`ord`)'],
  ['kpi_fact_evidence', 'a case, domain, direction, scorer and day with a cited note tag whose status counts as evidence'],
  [
    'kpi_fact_change_episodes',
    'a case and measure (instrument and domain, `dk`) with its baseline and follow-up (latest; nearest the horizon, `hz_follow`) for the configured windows, and, for the client\'s first-episode rule, the opening day of the client\'s previous episode that rules this one out (`lo`) and of the next one with a baseline (`hi`), over all cases and within the same programme, manager and case type',
  ],
  ['kpi_fact_change_hist', 'the episodes counted by mode, measure, opening month, months of `lo` and `hi`, baseline and follow-up score (`n`)'],
];

/** The scopes the client's first-episode rule is worked out in: over all cases, or within one filter. */
export const CHANGE_SCOPES: Array<{ suffix: string; column?: string; param: 'program' | 'manager' | 'caseType' | undefined }> = [
  { suffix: '', param: undefined },
  { suffix: '_program', column: 'program_id', param: 'program' },
  { suffix: '_manager', column: 'manager_id', param: 'manager' },
  { suffix: '_case_type', column: 'case_type', param: 'caseType' },
];

/** What KPI SQL needs to know about the facts. */
export interface FactsInfo {
  /** the highest client_no (clients are numbered 1…clients) */
  clients: number;
  /** distinct values per grouping dimension */
  groups: Record<string, number>;
  /** for documentation-completeness: cases settled by this day are counted in kpi_fact_doc_hist */
  documentation?: {
    settledBy: string | null;
    /** distinct clients with a case: every one is in scope as of settledBy or later */
    caseClients: number;
  };
  /** for change-from-baseline: what its episode facts assume */
  change?: {
    /** the last assessment day on record: the facts hold for any as-of date on or after it */
    assessedUntil: string | null;
    /** instruments with a domain on some assessment (the facts key episodes by instrument and domain) */
    domainInstruments: string[];
  };
}

/** The case attributes every fact row carries (alias k = kpi_fact_cases). */
const CASE_ATTRS = 'k.case_no, k.client_no, k.program_id, k.manager_id, k.case_type';

/** The per-case service sums and spans (over kpi_fact_services). */
const SERVICE_SUMS = `count(*) FILTER (WHERE planned IS NOT NULL AND plan_day IS NOT NULL) AS u_n,
           sum(planned) FILTER (WHERE plan_day IS NOT NULL) AS u_planned, sum(delivered) FILTER (WHERE plan_day IS NOT NULL) AS u_delivered,
           min(plan_day) FILTER (WHERE planned IS NOT NULL) AS u_lo, max(plan_day) FILTER (WHERE planned IS NOT NULL) AS u_hi,
           count(*) FILTER (WHERE attended AND out_day IS NOT NULL) AS a_ok, count(*) FILTER (WHERE no_show AND NOT attended AND out_day IS NOT NULL) AS a_no,
           min(out_day) FILTER (WHERE attended OR no_show) AS a_lo, max(out_day) FILTER (WHERE attended OR no_show) AS a_hi`;

function textList(values: string[]): string {
  return values.length ? `[${values.map(lit).join(', ')}]::VARCHAR[]` : '[]::VARCHAR[]';
}

/** The parts of the KPI config the facts depend on. */
function bakedConfig(config: KpiConfig) {
  return {
    achieved: config.goals.achievedStatuses,
    notAchieved: config.goals.notAchievedStatuses,
    delivered: config.services.deliveredStatuses,
    noShow: config.services.noShowStatuses,
    baselineInstruments: config.documentation.baselineInstruments,
    noteDays: config.documentation.noteAfterServiceDays,
    baselineDays: config.documentation.baselineWithinDays,
    goalDays: config.documentation.goalWithinDays,
    closureReason: config.documentation.requireClosureReason,
    evidence: config.narrative.statuses,
    change: {
      before: config.change.baselineBeforeDays,
      after: config.change.baselineAfterDays,
      horizon: config.change.horizonDays,
      tolerance: config.change.horizonToleranceDays,
    },
  };
}

/**
 * What the facts were built from besides the data: the config they bake in and their own
 * definitions, so facts written by another version of caselens are rebuilt, not misread.
 */
export function factsConfigHash(config: KpiConfig): string {
  return createHash('sha256').update(JSON.stringify([ENUMS, factQueries(config)])).digest('hex').slice(0, 16);
}

/** The fact tables, in build order, as (name, SELECT). */
function factQueries(config: KpiConfig): Array<[string, string]> {
  const b = bakedConfig(config);
  const achieved = textList(b.achieved);
  const final = textList([...b.achieved, ...b.notAchieved]);
  const delivered = textList(b.delivered);
  const noShow = textList(b.noShow);
  const instruments = b.baselineInstruments.length ? `AND list_contains(${textList(b.baselineInstruments)}, a.instrument_id)` : '';
  return [
    [
      // every client a KPI counts, numbered 1…n: distinct clients are counted on these numbers
      'kpi_fact_clients',
      `SELECT client_id, (row_number() OVER (ORDER BY client_id))::INTEGER AS client_no
       FROM (SELECT client_id FROM cases UNION SELECT client_id FROM surveys)
       ORDER BY client_no`,
    ],
    [
      // one row per case; client_no and case_no are dense integers for fast grouping
      'kpi_fact_cases',
      `SELECT (row_number() OVER (ORDER BY c.case_id))::INTEGER AS case_no, c.case_id,
         n.client_no, c.client_id,
         c.program_id::kpi_program AS program_id, c.manager_id::kpi_staff AS manager_id, c.case_type::kpi_case_type AS case_type,
         c.opened_at, c.closed_at, c.closure_reason,
         -- a case's place by opening day, then id (which episode of a client comes first)
         (row_number() OVER (ORDER BY c.opened_at, c.case_id))::INTEGER AS case_order
       FROM cases c JOIN kpi_fact_clients n ON n.client_id = c.client_id
       ORDER BY client_no, case_no`,
    ],
    [
      // goals with a final status (config goals.*Statuses) and the day they became final
      'kpi_fact_goals',
      `SELECT ${CASE_ATTRS}, g.domain_id::kpi_domain AS domain_id, list_contains(${achieved}, g.status) AS ok,
         CASE WHEN list_contains(${achieved}, g.status) THEN coalesce(g.achieved_at, k.closed_at, g.target_at)
              ELSE coalesce(k.closed_at, g.target_at) END AS final_at
       FROM goals g JOIN kpi_fact_cases k ON k.case_id = g.case_id
       WHERE list_contains(${final}, g.status)
       ORDER BY k.client_no`,
    ],
    [
      'kpi_fact_followups',
      // late_days: completion day minus due day (on time within a grace of N days: late_days ≤ N)
      `SELECT ${CASE_ATTRS}, f.followup_type::kpi_followup_type AS followup_type, f.due_at, f.completed_at, (f.completed_at - f.due_at)::INTEGER AS late_days
       FROM followups f JOIN kpi_fact_cases k ON k.case_id = f.case_id
       ORDER BY k.client_no`,
    ],
    [
      // every service, ordered by planned day so a period reads only its own row groups:
      // planned = units planned (null: not in utilisation), attended / no_show per config.
      // part 1 = planned after the last delivery on record (bookings), 0 = the history before
      'kpi_fact_services',
      `WITH last AS (SELECT max(delivered_at)::DATE AS day FROM services)
       SELECT k.case_no, s.service_type::kpi_service_type AS service_type,
         coalesce(s.scheduled_at, s.delivered_at)::DATE AS plan_day, coalesce(s.delivered_at, s.scheduled_at)::DATE AS out_day,
         s.units_planned AS planned, CASE WHEN s.units_planned IS NOT NULL THEN coalesce(s.units_delivered, 0) END AS delivered,
         list_contains(${delivered}, s.status) AS attended, list_contains(${noShow}, s.status) AS no_show,
         coalesce(coalesce(s.scheduled_at, s.delivered_at)::DATE > last.day, false) AS part,
         date_trunc('month', coalesce(s.scheduled_at, s.delivered_at))::DATE AS u_month,
         date_trunc('month', coalesce(s.delivered_at, s.scheduled_at))::DATE AS a_month
       FROM services s JOIN kpi_fact_cases k ON k.case_id = s.case_id, last
       ORDER BY plan_day`,
    ],
    [
      // per case and part, and per case, service type and part (by_type): the sums and the
      // first and last day they cover, so a KPI takes a part whole when its days all lie in the
      // period. Splitting history from bookings keeps open cases whole as of the latest data.
      'kpi_fact_service_cases',
      `WITH x AS (
         SELECT case_no, part, service_type, grouping(service_type) = 0 AS by_type, ${SERVICE_SUMS}
         FROM kpi_fact_services
         GROUP BY GROUPING SETS ((case_no, part), (case_no, part, service_type)))
       SELECT ${CASE_ATTRS}, x.* EXCLUDE (case_no)
       FROM x JOIN kpi_fact_cases k ON k.case_no = x.case_no
       ORDER BY x.by_type, k.client_no`,
    ],
    [
      // the same sums per case, part, [service type] and calendar month — of the planned day for
      // utilisation (u_*), of the day attended or missed for attendance (a_*) — so a period
      // adds up its whole months from here and reads only the months it cuts through service by
      // service
      'kpi_fact_service_months',
      `WITH by_month AS (
         SELECT case_no, part, service_type, u_month AS month,
           count(*) FILTER (WHERE planned IS NOT NULL) AS u_n, sum(planned) AS u_planned, sum(delivered) AS u_delivered, 0 AS a_ok, 0 AS a_no
         FROM kpi_fact_services WHERE u_month IS NOT NULL GROUP BY ALL
         UNION ALL
         SELECT case_no, part, service_type, a_month AS month, 0, NULL, NULL,
           count(*) FILTER (WHERE attended), count(*) FILTER (WHERE no_show AND NOT attended)
         FROM kpi_fact_services WHERE a_month IS NOT NULL AND (attended OR no_show) GROUP BY ALL),
       x AS (
         SELECT case_no, part, service_type, grouping(service_type) = 0 AS by_type, month,
           -- sums of counts are HUGEINT, which is slow to add up again: back to integers
           sum(u_n)::INTEGER AS u_n, sum(u_planned) AS u_planned, sum(u_delivered) AS u_delivered, sum(a_ok)::INTEGER AS a_ok, sum(a_no)::INTEGER AS a_no
         FROM by_month
         GROUP BY GROUPING SETS ((case_no, part, month), (case_no, part, service_type, month)))
       SELECT ${CASE_ATTRS}, x.* EXCLUDE (case_no)
       FROM x JOIN kpi_fact_cases k ON k.case_no = x.case_no
       ORDER BY x.by_type, x.month, k.client_no`,
    ],
    [
      // survey responses with a score; the client is the respondent (usually the case's client)
      'kpi_fact_surveys',
      `SELECT n.client_no, k.case_no, k.program_id, k.manager_id, k.case_type, v.responded_at, v.satisfaction
       FROM surveys v JOIN kpi_fact_cases k ON k.case_id = v.case_id JOIN kpi_fact_clients n ON n.client_id = v.client_id
       WHERE v.satisfaction IS NOT NULL
       ORDER BY n.client_no`,
    ],
    [
      // documentation: per case, the delivered services (config services.deliveredStatuses) not
      // documented on their own day, with their lag: the days from the delivery to the first
      // note on the case written at or after it (null: none). A service is documented within N
      // days when lag ≤ N. Also their first and last day and the longest lag (null counts as
      // 1e6 days), so a case whose undocumented services all fall in a period is decided
      // without reading its list.
      'kpi_fact_doc_late',
      `WITH d AS (
         SELECT s.case_id, s.delivered_at FROM services s
         WHERE list_contains(${delivered}, s.status) AND s.delivered_at IS NOT NULL),
       n AS (SELECT case_id, written_at FROM notes),
       lag AS (
         SELECT d.case_id, d.delivered_at::DATE AS day, (n.written_at::DATE - d.delivered_at::DATE)::INTEGER AS lag
         FROM d ASOF LEFT JOIN n ON n.case_id = d.case_id AND n.written_at >= d.delivered_at)
       SELECT k.case_no, min(day) AS late_lo, max(day) AS late_hi, max(coalesce(lag, 1000000)) AS late_max_lag,
         -- first and last day of a service left without a note for longer than the configured N
         min(day) FILTER (WHERE coalesce(lag > ${b.noteDays}, true)) AS fail_lo,
         max(day) FILTER (WHERE coalesce(lag > ${b.noteDays}, true)) AS fail_hi,
         list({'day': day, 'lag': lag} ORDER BY day) AS late_services
       FROM lag JOIN kpi_fact_cases k ON k.case_id = lag.case_id
       WHERE lag IS NULL OR lag >= 1
       GROUP BY k.case_no
       ORDER BY k.case_no`,
    ],
    [
      // documentation, one row per case: the nearest baseline assessment to opening (config
      // documentation.baselineInstruments), the first goal, and the span of the undocumented
      // services, and of those failing the configured note window N (their lists stay in
      // kpi_fact_doc_late)
      'kpi_fact_doc_cases',
      `WITH gap AS (
         SELECT a.case_id, min(abs(a.administered_at - k.opened_at)) AS baseline_gap
         FROM assessments a JOIN kpi_fact_cases k ON k.case_id = a.case_id
         WHERE true ${instruments}
         GROUP BY a.case_id),
       goal AS (SELECT case_id, min(coalesce(set_at, '-infinity'::DATE)) AS first_goal_at FROM goals GROUP BY case_id)
       SELECT ${CASE_ATTRS}, k.case_id, k.opened_at, k.closed_at, nullif(trim(k.closure_reason), '') IS NULL AS no_reason,
         gap.baseline_gap, goal.first_goal_at, late.late_lo, late.late_hi, late.late_max_lag, late.fail_lo, late.fail_hi,
         -- the failing-case listing's order: manager (enum order is the ids' order), opening, id
         (row_number() OVER (ORDER BY k.manager_id NULLS FIRST, k.opened_at, k.case_id))::INTEGER AS list_order,
         -- the client's only case under this programme / manager / case type: counts as one distinct
         -- client of the group without hashing (see factGroupedSql)
         count(*) OVER (PARTITION BY k.program_id, k.client_no) = 1 AS single_program,
         count(*) OVER (PARTITION BY k.manager_id, k.client_no) = 1 AS single_manager,
         count(*) OVER (PARTITION BY k.case_type, k.client_no) = 1 AS single_case_type,
         -- with the configured windows and no period: the day from which the case's rules no
         -- longer change with the as-of date, and how they come out from then on
         greatest(k.opened_at + ${b.baselineDays}, k.opened_at + ${b.goalDays}, nullif(goal.first_goal_at, '-infinity'::DATE),
           ${b.closureReason ? 'k.closed_at, ' : ''}late.fail_lo + ${b.noteDays}) AS settled_at,
         gap.baseline_gap IS NULL OR gap.baseline_gap > ${b.baselineDays} AS s_fail_baseline,
         goal.first_goal_at IS NULL AS s_fail_goal,
         late.fail_lo IS NOT NULL AS s_fail_notes,
         ${b.closureReason ? "k.closed_at IS NOT NULL AND nullif(trim(k.closure_reason), '') IS NULL" : 'false'} AS s_fail_closure,
         s_fail_baseline OR s_fail_goal OR s_fail_notes OR s_fail_closure AS s_failing
       FROM kpi_fact_cases k
       LEFT JOIN gap ON gap.case_id = k.case_id
       LEFT JOIN goal ON goal.case_id = k.case_id
       LEFT JOIN kpi_fact_doc_late late ON late.case_no = k.case_no
       ORDER BY k.client_no`,
    ],
    [
      // the settled cases (settled_at up to the last opening day, kept in the facts info), counted
      // by everything a view without a period groups or filters on: such a view adds these up and
      // reads only the cases opened lately one by one
      // (grain 'all' keeps every dimension, for filters; 'program', 'manager', 'case_type' and
      // 'none' keep only what a view without filters grouped that way reads)
      'kpi_fact_doc_hist',
      `SELECT CASE WHEN grouping(program_id, manager_id, case_type) = 0 THEN 'all' WHEN grouping(manager_id) = 0 THEN 'manager'
           WHEN grouping(program_id) = 0 THEN 'program' WHEN grouping(case_type) = 0 THEN 'case_type' ELSE 'none' END AS grain,
         program_id, manager_id, case_type, s_fail_baseline, s_fail_goal, s_fail_notes, s_fail_closure,
         single_program, single_manager, single_case_type, count(*)::DOUBLE AS n
       FROM kpi_fact_doc_cases
       WHERE settled_at <= (SELECT max(opened_at) FROM kpi_fact_cases)
       GROUP BY GROUPING SETS (
         (program_id, manager_id, case_type, s_fail_baseline, s_fail_goal, s_fail_notes, s_fail_closure, single_program, single_manager, single_case_type),
         (manager_id, s_fail_baseline, s_fail_goal, s_fail_notes, s_fail_closure, single_manager),
         (program_id, s_fail_baseline, s_fail_goal, s_fail_notes, s_fail_closure, single_program),
         (case_type, s_fail_baseline, s_fail_goal, s_fail_notes, s_fail_closure, single_case_type),
         (s_fail_baseline, s_fail_goal, s_fail_notes, s_fail_closure))
       ORDER BY grain, manager_id`,
    ],
    [
      // the failing-case listing of documentation-completeness, in its order (list_order), so
      // that the first few hundred listed cases are read without reading the rest
      'kpi_fact_doc_list',
      // s_fail_rank: how many settled failing cases (see kpi_fact_doc_hist) come up to this one
      // (ranked apart, so the window does not carry the lists of services)
      `WITH ranked AS (
         SELECT d.case_no, (sum((d.s_failing AND d.settled_at <= last.day)::INTEGER) OVER (ORDER BY d.list_order ROWS UNBOUNDED PRECEDING))::INTEGER AS s_fail_rank
         FROM kpi_fact_doc_cases d, (SELECT max(opened_at) AS day FROM kpi_fact_cases) last)
       SELECT d.list_order, d.case_no, d.case_id, d.program_id, d.manager_id, d.case_type, d.opened_at, d.closed_at, l.late_services,
         d.no_reason, d.baseline_gap, d.first_goal_at, d.fail_lo, d.settled_at, d.s_fail_baseline, d.s_fail_goal, d.s_fail_notes, d.s_fail_closure, d.s_failing,
         r.s_fail_rank
       FROM kpi_fact_doc_cases d JOIN ranked r ON r.case_no = d.case_no LEFT JOIN kpi_fact_doc_late l ON l.case_no = d.case_no
       ORDER BY d.list_order`,
    ],
    [
      // scored assessments of cases, with the case's opening day and order; ord orders them
      // by (administered_at, assessment_id), the tie-break of baseline and follow-up
      'kpi_fact_assessments',
      `SELECT ${CASE_ATTRS}, k.opened_at, k.case_order, a.instrument_id, a.domain_id, a.administered_at,
         (row_number() OVER (ORDER BY a.administered_at, a.assessment_id))::INTEGER AS ord, a.total_score
       FROM assessments a JOIN kpi_fact_cases k ON k.case_id = a.case_id
       WHERE a.total_score IS NOT NULL
       ORDER BY k.case_no, a.instrument_id, a.administered_at`,
    ],
    [
      // narrative evidence: one row per case, domain, direction, scorer and day with a cited
      // tag whose status counts as evidence (config narrative.statuses)
      'kpi_fact_evidence',
      `SELECT DISTINCT ${CASE_ATTRS}, k.opened_at, k.closed_at, t.domain_id::kpi_domain AS domain_id, t.direction::kpi_direction AS direction,
         t.scorer::kpi_scorer AS scorer, n.written_at::DATE AS day
       FROM note_tags t
       JOIN notes n ON n.note_id = t.note_id
       JOIN kpi_fact_cases k ON k.case_id = n.case_id
       WHERE list_contains(${textList(b.evidence)}, t.status) AND t.tag_id IN (SELECT tag_id FROM tag_citations)
       ORDER BY day`,
    ],
    [
      // change from baseline, for the configured windows and an as-of date after the last
      // assessment: one row per case and measure (instrument, domain) with its baseline (the
      // first assessment in the window around opening), its latest follow-up and the one nearest
      // the horizon. For the client's-first-episode rule, per scope (all cases; within a
      // programme, manager, case type): lo = the opening day of the previous episode of the
      // client and measure with a baseline (for an episode with one) or of any previous episode
      // (for one without); hi = of the next episode with a baseline (for one without). An
      // episode is the client's unit in a period [from, to] when it lies in it, lo < from and hi
      // > to: the rule becomes a test on the row itself.
      'kpi_fact_change_episodes',
      `WITH e AS (
         SELECT case_no, instrument_id, coalesce(domain_id, '') AS dk,
           any_value(client_no) AS client_no, any_value(program_id) AS program_id, any_value(manager_id) AS manager_id,
           any_value(case_type) AS case_type, any_value(opened_at) AS opened_at, any_value(case_order) AS case_order,
           min(administered_at) FILTER (WHERE administered_at BETWEEN opened_at - ${b.change.before} AND opened_at + ${b.change.after}) AS base_at,
           arg_min(total_score, ord) FILTER (WHERE administered_at BETWEEN opened_at - ${b.change.before} AND opened_at + ${b.change.after}) AS base,
           max(administered_at) AS last_at, arg_max(total_score, ord) AS last
         FROM kpi_fact_assessments
         GROUP BY case_no, instrument_id, dk),
       hz AS (
         -- nearest the horizon, the earlier on equal distance: one BIGINT key (distance, ord)
         SELECT x.case_no, x.instrument_id, coalesce(x.domain_id, '') AS dk,
           arg_min(x.total_score, abs(x.administered_at - (x.opened_at + ${b.change.horizon}))::BIGINT * 4294967296 + x.ord) AS hz_follow
         FROM kpi_fact_assessments x JOIN e ON e.case_no = x.case_no AND e.instrument_id = x.instrument_id AND e.dk = coalesce(x.domain_id, '')
         WHERE x.administered_at > e.base_at AND abs(x.administered_at - (x.opened_at + ${b.change.horizon})) <= ${b.change.tolerance}
         GROUP BY ALL)
       SELECT e.client_no, e.program_id, e.manager_id, e.case_type, e.opened_at, e.instrument_id, e.dk, e.base,
         CASE WHEN e.last_at > e.base_at THEN e.last END AS follow, hz.hz_follow,
         ${CHANGE_SCOPES.map(({ suffix: s }) => `CASE WHEN e.base IS NOT NULL THEN max(e.opened_at) FILTER (WHERE e.base IS NOT NULL) OVER prev${s} ELSE max(e.opened_at) OVER prev${s} END AS lo${s},
         CASE WHEN e.base IS NULL THEN min(e.opened_at) FILTER (WHERE e.base IS NOT NULL) OVER next${s} END AS hi${s}`).join(',\n         ')}
       FROM e LEFT JOIN hz ON hz.case_no = e.case_no AND hz.instrument_id = e.instrument_id AND hz.dk = e.dk
       WINDOW ${CHANGE_SCOPES.map(({ suffix: s, column }) => {
         const partition = `PARTITION BY e.client_no, e.instrument_id, e.dk${column ? `, e.${column}` : ''} ORDER BY e.case_order`;
         return `prev${s} AS (${partition} ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), next${s} AS (${partition} ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING)`;
       }).join(',\n         ')}
       ORDER BY e.opened_at`,
    ],
    [
      // the episodes (over all cases) counted by everything a period decides on, so a view
      // without filters adds up a few thousand counts instead of a million episodes; follow =
      // the latest follow-up (horizon = false) or the one nearest the horizon (horizon = true)
      'kpi_fact_change_hist',
      `SELECT horizon, instrument_id, dk, date_trunc('month', opened_at)::DATE AS month,
         date_trunc('month', lo)::DATE AS lo_month, date_trunc('month', hi)::DATE AS hi_month, base, follow, count(*)::DOUBLE AS n
       FROM (SELECT false AS horizon, instrument_id, dk, opened_at, lo, hi, base, follow FROM kpi_fact_change_episodes
             UNION ALL
             SELECT true, instrument_id, dk, opened_at, lo, hi, base, hz_follow FROM kpi_fact_change_episodes)
       GROUP BY ALL
       ORDER BY horizon, month`,
    ],
  ];
}

/**
 * Row counts of the source tables. Exact counts: DuckDB's estimated sizes keep counting deleted
 * rows (and differ in a copy), so they would miss a delete and see changes that are not there.
 */
async function sourceSizes(db: Db): Promise<string> {
  const row = await db.one<Record<string, number>>(`SELECT ${FACT_SOURCES.map((t) => `(SELECT count(*) FROM ${t}) AS ${t}`).join(', ')}`);
  return FACT_SOURCES.map((t) => `${t}=${row?.[t] ?? 0}`).join(',');
}

/** What `ensureFacts` already checked on this connection: skips the check until something is written. */
const checked = new WeakMap<Db, { writes: number; hash: string; info: FactsInfo }>();

export interface FactsRefresh {
  rebuilt: boolean;
  ms: number;
  reason?: string;
  info: FactsInfo;
}

/** Rebuilds every fact table from the canonical tables, in one transaction. */
export async function refreshFacts(db: Db, config: KpiConfig, reason = 'requested'): Promise<FactsRefresh> {
  const started = performance.now();
  const hash = factsConfigHash(config);
  let info: FactsInfo | undefined;
  await db.transaction(async () => {
    const queries = factQueries(config);
    for (const [table] of [...queries].reverse()) await db.run(`DROP TABLE IF EXISTS ${table}`);
    for (const e of [...ENUMS].reverse()) await db.run(`DROP TYPE IF EXISTS ${e.name}`);
    for (const e of ENUMS) {
      const values = `SELECT DISTINCT v FROM (${e.values}) t(v) WHERE v IS NOT NULL ORDER BY v`;
      // DuckDB cannot sort or compare an enum without values; '' stands in when there are none
      const empty = (await db.value<number>(`SELECT count(*) FROM (${values})`)) === 0;
      await db.run(`CREATE TYPE ${e.name} AS ENUM (${empty ? "''" : values})`, undefined, `could not build KPI facts (${e.name})`);
    }
    for (const [table, sql] of queries) await db.run(`CREATE TABLE ${table} AS ${sql}`, undefined, `could not build KPI facts (${table})`);
    const groups: Record<string, number> = {};
    for (const [dim, type] of Object.entries(GROUP_ENUMS)) groups[dim] = await db.value<number>(`SELECT len(enum_range(NULL::${type}))`);
    info = {
      clients: (await db.value<number | null>('SELECT max(client_no) FROM kpi_fact_clients')) ?? 0,
      groups,
      documentation: {
        settledBy: await db.value<string | null>("SELECT strftime(max(opened_at), '%Y-%m-%d') FROM kpi_fact_cases"),
        caseClients: await db.value<number>('SELECT count(DISTINCT client_no)::INTEGER FROM kpi_fact_cases'),
      },
      change: {
        assessedUntil: await db.value<string | null>("SELECT strftime(max(administered_at), '%Y-%m-%d') FROM kpi_fact_assessments"),
        domainInstruments: (await db.all<{ id: string }>('SELECT DISTINCT instrument_id AS id FROM kpi_fact_assessments WHERE domain_id IS NOT NULL ORDER BY id')).map((r) => r.id),
      },
    };
    const ms = Math.round(performance.now() - started);
    await db.run(
      'UPDATE kpi_facts_state SET stale = false, built_at = now()::TIMESTAMP, config_hash = $1, source_sizes = $2, build_ms = $3, meta = $4 WHERE id = 1',
      [hash, await sourceSizes(db), ms, JSON.stringify(info)],
    );
  });
  checked.set(db, { writes: db.writes, hash, info: info! });
  return { rebuilt: true, ms: Math.round(performance.now() - started), reason, info: info! };
}

/** Whether the facts are current for this config: their description, or why they need rebuilding. */
export async function factsStatus(db: Db, config: KpiConfig): Promise<{ reason: string } | { info: FactsInfo }> {
  return statusFor(db, factsConfigHash(config));
}

async function statusFor(db: Db, hash: string): Promise<{ reason: string } | { info: FactsInfo }> {
  const state = await db.one<{ stale: boolean; config_hash: string | null; source_sizes: string | null; meta: string | null }>(
    'SELECT stale, config_hash, source_sizes, meta FROM kpi_facts_state WHERE id = 1',
  );
  if (!state || state.config_hash === null || state.meta === null) return { reason: 'never built' };
  if (state.stale) return { reason: 'source tables changed' };
  if (state.config_hash !== hash) return { reason: 'KPI settings or the facts definitions changed' };
  if (state.source_sizes !== (await sourceSizes(db))) return { reason: 'source tables changed outside caselens' };
  return { info: JSON.parse(state.meta) as FactsInfo };
}

/**
 * Makes sure the facts match the canonical tables and this config, rebuilding them if not.
 * A read-only database with stale facts cannot be answered from them: that is an error with
 * the command that fixes it, never a stale figure.
 */
export async function ensureFacts(db: Db, config: KpiConfig): Promise<FactsRefresh> {
  const hash = factsConfigHash(config);
  const seen = checked.get(db);
  if (seen && seen.writes === db.writes && seen.hash === hash) return { rebuilt: false, ms: 0, info: seen.info };
  const status = await statusFor(db, hash);
  if ('info' in status) {
    checked.set(db, { writes: db.writes, hash, info: status.info });
    return { rebuilt: false, ms: 0, info: status.info };
  }
  const { reason } = status;
  if (db.readOnly) {
    throw new CaselensError(`the KPI facts in ${db.path} are out of date (${reason}) and the database is open read-only: run \`caselens facts refresh --db ${db.path}\``, {
      exitCode: exitCodes.database,
      status: 503,
    });
  }
  return refreshFacts(db, config, reason);
}
