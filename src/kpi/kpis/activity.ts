/** Activity KPIs: follow-up compliance, service utilisation, attendance, client satisfaction. */
import { clean, col, FILTER_TEXT, hidden, num, resolveBase, type BaseParams } from '../common.ts';
import { factDim, factGroupedSql, GROUP_COLUMNS, labelRows } from '../group.ts';
import { queryRows } from '../query.ts';
import { P } from '../params.ts';
import { caseFilters, dateInPeriod, SqlArgs, where } from '../sql.ts';
import type { KpiDefinition } from '../types.ts';


// ---------------------------------------------------------------------------------------------

interface FollowupParams extends BaseParams {
  graceDays: number;
}

export const followupCompliance: KpiDefinition<FollowupParams> = {
  id: 'followup-compliance',
  title: 'Follow-up compliance',
  summary: 'follow-ups completed within their grace window ÷ follow-ups due in the period whose window has closed',
  audience: ['manager', 'funder'],
  definition: {
    formula: 'rate = on_time ÷ (on_time + late + overdue)',
    numerator: 'on time: completed_at ≤ due_at + graceDays (completing before the due date counts as on time)',
    denominator:
      'follow-ups due in the period whose outcome is known at the as-of date: on time, late (completed after due_at + graceDays) or overdue (not completed and due_at + graceDays ≤ as-of)',
    population: 'Follow-ups whose `due_at` falls in the period and on or before the as-of date.',
    period: 'by due date: from ≤ due_at ≤ to, and due_at ≤ as-of.',
    exclusions: [
      'pending: not completed while the grace window is still open (due_at + graceDays > as-of); reported in `pending`, not in the rate',
      'follow-ups due after the as-of date',
      'a completion dated after the as-of date is treated as not (yet) completed',
      FILTER_TEXT,
    ],
    ties: 'the grace boundary is inclusive: completed exactly graceDays after the due date is on time. Figures are taken at the end of the as-of day, so an uncompleted follow-up whose window ends on the as-of day is overdue, and one whose window ends the day after is pending.',
    missing: 'no `completed_at` means not completed.',
  },
  params: [P.from, P.to, P.asOf, P.program, P.manager, P.caseType, P.graceDays, P.by(['program', 'manager', 'case_type', 'followup_type'], 'program')],
  groupings: { options: ['program', 'manager', 'case_type', 'followup_type'], default: 'program' },
  columns: [
    ...GROUP_COLUMNS,
    col('assessed', 'Follow-ups assessed', 'int', 'denominator: on time + late + overdue'),
    col('clients', 'Clients', 'int', 'distinct clients with an assessed follow-up'),
    col('on_time', 'On time', 'int', 'numerator'),
    col('late', 'Late', 'int', 'completed after the grace window'),
    col('overdue', 'Overdue', 'int', 'not completed, grace window over'),
    col('rate', 'Compliance', 'number', 'on_time ÷ assessed', { unit: 'share' }),
    col('pending', 'Pending', 'int', 'due, not completed, grace window still open (not in the rate)'),
    hidden('on_time_clients', 'distinct clients with an on-time follow-up'),
    hidden('late_clients', 'distinct clients with a late follow-up'),
    hidden('overdue_clients', 'distinct clients with an overdue follow-up'),
    hidden('pending_clients', 'distinct clients with a pending follow-up'),
  ],
  disclosure: {
    cells: [
      { name: 'assessed', count: 'assessed', clients: 'clients', columns: ['assessed', 'clients'] },
      { name: 'on_time', count: 'on_time', clients: 'on_time_clients', columns: ['on_time', 'rate'] },
      { name: 'late', count: 'late', clients: 'late_clients', columns: ['late'] },
      { name: 'overdue', count: 'overdue', clients: 'overdue_clients', columns: ['overdue'] },
      { name: 'pending', count: 'pending', clients: 'pending_clients', columns: ['pending'] },
    ],
    lines: [{ total: 'assessed', parts: ['on_time', 'late', 'overdue'] }],
    additiveGroups: () => true,
  },
  resolve(raw, ctx) {
    const base = resolveBase(raw, ctx, 'program');
    return clean({ ...base, graceDays: (raw.graceDays as number | undefined) ?? ctx.config.followups.graceDays });
  },
  usesFacts: true,
  sql(p, ctx) {
    const q = new SqlArgs();
    const asOf = q.date('asOf', p.asOf);
    const grace = `${q.p('graceDays', p.graceDays)}::INTEGER`;
    // a completion after the as-of date is not (yet) a completion
    const base = `  SELECT client_no, _g,
    done AND late_days <= ${grace} AS on_time,
    done AND late_days > ${grace} AS late,
    NOT done AND due_at <= ${asOf} - ${grace} AS overdue,
    NOT done AND due_at > ${asOf} - ${grace} AS pending
  FROM (
    SELECT x.client_no, ${factDim(p.by, 'x')} AS _g, x.due_at, x.late_days, coalesce(x.completed_at <= ${asOf}, false) AS done
    FROM kpi_fact_followups x
    ${where([`x.due_at <= ${asOf}`, ...dateInPeriod(q, 'x.due_at', p), ...caseFilters(q, p, 'x')])}
  )`;
    const sql = factGroupedSql(
      q,
      base,
      {
        counts: { on_time: 'on_time', late: 'late', overdue: 'overdue', pending: 'pending' },
        clients: { clients: 'NOT pending', on_time_clients: 'on_time', late_clients: 'late', overdue_clients: 'overdue', pending_clients: 'pending' },
        derived: { assessed: 'on_time + late + overdue', rate: 'on_time / nullif(on_time + late + overdue, 0)' },
      },
      p.by,
      ctx,
    );
    return { sql, args: q.args, argNames: q.names };
  },
  async compute(ctx, p) {
    const { sql, args } = this.sql(p, ctx);
    const rows = labelRows(await queryRows(ctx.db, sql, args, 'followup-compliance query failed'), p.by);
    return { rows, notes: num(rows[0]?.assessed) === 0 ? ['no follow-ups with a known outcome were due in the period'] : [] };
  },
};

// ---------------------------------------------------------------------------------------------

interface ServiceMeasure {
  /** `$` stands for the summary row's alias */
  count: string;
  lo: string;
  hi: string;
  /** name → expression over a summary row (per case or per month) */
  summary: Record<string, string>;
  /** the services themselves (alias d): which count, their day and its month, and their values */
  detail: { where: string; day: string; month: string; values: Record<string, string> };
}

/**
 * Base rows for the service KPIs from the KPI facts. A window's services are added up from
 * the largest summaries that lie wholly inside it: per case (split into history and bookings)
 * when the window has no start, else per calendar month; the summaries the window cuts
 * through are taken per month, and only the months it cuts through are read service by service.
 */
function serviceFactsBase(q: SqlArgs, p: BaseParams, m: ServiceMeasure): string {
  const byType = p.by === 'service_type';
  const hi = p.to !== undefined ? `least(${q.date('to', p.to)}, ${q.date('asOf', p.asOf)})` : q.date('asOf', p.asOf);
  const lo = p.from !== undefined ? q.date('from', p.from) : undefined;
  const at = (expr: string, alias: string) => expr.replaceAll('$.', `${alias}.`);
  const names = Object.keys(m.summary);
  const sums = (alias: string) => names.map((n) => `${at(m.summary[n]!, alias)} AS ${n}`).join(', ');
  const sameType = (a: string, b: string) => (byType ? ` AND ${a}.service_type IS NOT DISTINCT FROM ${b}.service_type` : '');
  // a month lies wholly inside when it starts on or after the start and ends by the end, i.e.
  // starts before the month after the end's day (a constant bound, so row groups are skipped)
  const monthsBefore = `date_trunc('month', ${hi} + 1)::DATE`;
  const monthInside = (alias: string) => `${lo ? `${alias}.month >= ${lo} AND ` : ''}${alias}.month < ${monthsBefore}`;
  const dayInside = `d.${m.detail.day} <= ${hi}${lo ? ` AND d.${m.detail.day} >= ${lo}` : ''}`;
  // a service whose month the window cuts through (whole months come from the summaries)
  const cutMonth = `NOT (${lo ? `d.${m.detail.month} >= ${lo} AND ` : ''}d.${m.detail.month} < ${monthsBefore})`;
  const detailValues = names.map((n) => `${m.detail.values[n]} AS ${n}`).join(', ');
  const filters = (alias: string) => [`${alias}.by_type = ${byType}`, ...caseFilters(q, p, alias)];
  if (lo === undefined) {
    return `  WITH sc AS (
    SELECT x.case_no, x.part, x.service_type, x.client_no, ${factDim(p.by, 'x')} AS _g, ${at(m.hi, 'x')} <= ${hi} AS whole, ${sums('x')}
    FROM kpi_fact_service_cases x
    ${where([...filters('x'), `${at(m.count, 'x')} > 0`, `${at(m.lo, 'x')} <= ${hi}`])}
  )
  SELECT client_no, _g, ${names.join(', ')} FROM sc WHERE whole
  UNION ALL
  SELECT sc.client_no, sc._g, ${sums('mo')}
  FROM kpi_fact_service_months mo
  JOIN sc ON sc.case_no = mo.case_no AND sc.part = mo.part AND NOT sc.whole${sameType('sc', 'mo')}
  WHERE mo.by_type = ${byType} AND ${at(m.count, 'mo')} > 0 AND ${monthInside('mo')}
  UNION ALL
  SELECT sc.client_no, sc._g, ${detailValues}
  FROM kpi_fact_services d
  JOIN sc ON sc.case_no = d.case_no AND sc.part = d.part AND NOT sc.whole${sameType('sc', 'd')}
  WHERE ${m.detail.where} AND ${dayInside} AND ${cutMonth}`;
  }
  return `  SELECT mo.client_no, ${factDim(p.by, 'mo')} AS _g, ${sums('mo')}
  FROM kpi_fact_service_months mo
  ${where([...filters('mo'), `${at(m.count, 'mo')} > 0`, monthInside('mo')])}
  UNION ALL
  SELECT k.client_no, ${byType ? 'd.service_type' : factDim(p.by, 'k')} AS _g, ${detailValues}
  FROM kpi_fact_services d
  JOIN kpi_fact_cases k ON k.case_no = d.case_no
  ${where([m.detail.where, dayInside, cutMonth, ...caseFilters(q, p, 'k')])}`;
}

const serviceGroupings = { options: ['program', 'manager', 'case_type', 'service_type'], default: 'program' };
const serviceParams = [P.from, P.to, P.asOf, P.program, P.manager, P.caseType, P.by(serviceGroupings.options, serviceGroupings.default)];

export const serviceUtilisation: KpiDefinition<BaseParams> = {
  id: 'service-utilisation',
  title: 'Service utilisation',
  summary: 'units delivered ÷ units planned, for services planned in the period',
  audience: ['manager', 'funder'],
  definition: {
    formula: 'utilisation = Σ units_delivered ÷ Σ units_planned',
    numerator: 'units delivered (an empty units_delivered counts as 0)',
    denominator: 'units planned, over every service planned in the period whatever its status (delivered, no-show, cancelled, or still marked scheduled after its date)',
    population: 'Services whose planned day — `scheduled_at`, or `delivered_at` when there is no schedule — falls in the period and on or before the as-of date.',
    period: 'by planned day: from ≤ day ≤ to, and day ≤ as-of (future appointments are not yet planned-and-due).',
    exclusions: ['services with no `units_planned`', 'services with neither a scheduled nor a delivered time', FILTER_TEXT],
    ties: 'none: sums. Utilisation can exceed 100% when more units are delivered than planned.',
    missing: 'empty units_delivered = 0 units delivered.',
  },
  params: serviceParams,
  groupings: serviceGroupings,
  columns: [
    ...GROUP_COLUMNS,
    col('services', 'Services', 'int', 'services planned in the period'),
    col('clients', 'Clients', 'int', 'distinct clients'),
    col('units_planned', 'Units planned', 'number', 'denominator'),
    col('units_delivered', 'Units delivered', 'number', 'numerator'),
    col('utilisation', 'Utilisation', 'number', 'units_delivered ÷ units_planned', { unit: 'share' }),
  ],
  disclosure: {
    cells: [{ name: 'services', count: 'services', clients: 'clients', columns: ['services', 'clients', 'units_planned', 'units_delivered', 'utilisation'] }],
    lines: [],
    additiveGroups: () => true,
  },
  resolve(raw, ctx) {
    return clean(resolveBase(raw, ctx, 'program'));
  },
  usesFacts: true,
  sql(p, ctx) {
    const q = new SqlArgs();
    const base = serviceFactsBase(q, p, {
      count: '$.u_n',
      lo: '$.u_lo',
      hi: '$.u_hi',
      summary: { n: '$.u_n', planned: '$.u_planned', delivered: '$.u_delivered' },
      detail: { where: 'd.planned IS NOT NULL', day: 'plan_day', month: 'u_month', values: { n: '1', planned: 'd.planned', delivered: 'd.delivered' } },
    });
    const sql = factGroupedSql(
      q,
      base,
      {
        sums: { services: 'n', units_planned: 'planned', units_delivered: 'delivered' },
        clients: { clients: 'true' },
        derived: { utilisation: 'units_delivered / nullif(units_planned, 0)' },
      },
      p.by,
      ctx,
    );
    return { sql, args: q.args, argNames: q.names };
  },
  async compute(ctx, p) {
    const { sql, args } = this.sql(p, ctx);
    const rows = labelRows(await queryRows(ctx.db, sql, args, 'service-utilisation query failed'), p.by);
    return { rows, notes: num(rows[0]?.services) === 0 ? ['no services were planned in the period'] : [] };
  },
};

export const attendance: KpiDefinition<BaseParams> = {
  id: 'attendance',
  title: 'Attendance',
  summary: 'appointments attended ÷ (attended + no-shows), in the period',
  audience: ['manager', 'funder'],
  definition: {
    formula: 'attendance = attended ÷ (attended + no_shows)',
    numerator: 'services with a delivered status (config `kpi.services.deliveredStatuses`, default `delivered`)',
    denominator: 'delivered services plus no-shows (config `kpi.services.noShowStatuses`, default `no_show`)',
    population: 'Delivered and no-show services whose day — `delivered_at`, else `scheduled_at` — falls in the period and on or before the as-of date.',
    period: 'by that day: from ≤ day ≤ to, and day ≤ as-of.',
    exclusions: ['cancelled services and services still scheduled (any other status)', 'services with neither time', FILTER_TEXT],
    ties: 'none: counts.',
    missing: 'a service whose status is neither delivered nor no-show is not an appointment outcome and is left out.',
  },
  params: serviceParams,
  groupings: serviceGroupings,
  columns: [
    ...GROUP_COLUMNS,
    col('appointments', 'Appointments', 'int', 'denominator: attended + no-shows'),
    col('clients', 'Clients', 'int', 'distinct clients'),
    col('attended', 'Attended', 'int', 'numerator'),
    col('no_shows', 'No-shows', 'int', 'no-shows'),
    col('rate', 'Attendance', 'number', 'attended ÷ appointments', { unit: 'share' }),
    hidden('attended_clients', 'distinct clients who attended at least once'),
    hidden('no_show_clients', 'distinct clients with at least one no-show'),
  ],
  disclosure: {
    cells: [
      { name: 'appointments', count: 'appointments', clients: 'clients', columns: ['appointments', 'clients'] },
      { name: 'attended', count: 'attended', clients: 'attended_clients', columns: ['attended', 'rate'] },
      { name: 'no_shows', count: 'no_shows', clients: 'no_show_clients', columns: ['no_shows'] },
    ],
    lines: [{ total: 'appointments', parts: ['attended', 'no_shows'] }],
    additiveGroups: () => true,
  },
  resolve(raw, ctx) {
    return clean(resolveBase(raw, ctx, 'program'));
  },
  usesFacts: true,
  sql(p, ctx) {
    const q = new SqlArgs();
    // attended / no_show per the config's status lists, baked into the facts
    const base = serviceFactsBase(q, p, {
      count: '($.a_ok + $.a_no)',
      lo: '$.a_lo',
      hi: '$.a_hi',
      summary: { ok: '$.a_ok', no: '$.a_no' },
      detail: { where: '(d.attended OR d.no_show)', day: 'out_day', month: 'a_month', values: { ok: 'd.attended::INTEGER', no: '(NOT d.attended)::INTEGER' } },
    });
    const sql = factGroupedSql(
      q,
      base,
      {
        sums: { attended: 'ok', no_shows: 'no' },
        clients: { clients: 'true', attended_clients: 'ok > 0', no_show_clients: 'no > 0' },
        derived: { appointments: 'attended + no_shows', rate: 'attended / nullif(attended + no_shows, 0)' },
      },
      p.by,
      ctx,
    );
    return { sql, args: q.args, argNames: q.names };
  },
  async compute(ctx, p) {
    const { sql, args } = this.sql(p, ctx);
    const rows = labelRows(await queryRows(ctx.db, sql, args, 'attendance query failed'), p.by);
    return { rows, notes: num(rows[0]?.appointments) === 0 ? ['no attended or missed appointments in the period'] : [] };
  },
};

// ---------------------------------------------------------------------------------------------

interface SatisfactionParams extends BaseParams {
  threshold: number;
}

export const satisfaction: KpiDefinition<SatisfactionParams> = {
  id: 'satisfaction',
  title: 'Client satisfaction',
  summary: 'share of survey responses at or above the satisfaction threshold, and the mean score',
  audience: ['funder', 'manager', 'evaluator'],
  definition: {
    formula: 'rate = satisfied ÷ responses; mean = Σ satisfaction ÷ responses',
    numerator: 'responses with satisfaction ≥ threshold (parameter `threshold`, config `kpi.satisfaction.threshold`, default 4 on a 1–5 scale)',
    denominator: 'responses with a satisfaction score',
    population: 'Survey responses whose `responded_at` falls in the period; every response counts (a client answering twice counts twice).',
    period: 'by response date: from ≤ responded_at ≤ to, and responded_at ≤ as-of. Without a period, undated responses count too.',
    exclusions: ['responses with no satisfaction score', 'with a period: responses with no date', FILTER_TEXT],
    ties: 'a response exactly at the threshold is satisfied.',
    missing: 'no score: not a response for this KPI.',
  },
  params: [P.from, P.to, P.asOf, P.program, P.manager, P.caseType, P.threshold, P.by(['program', 'manager', 'case_type'], 'program')],
  groupings: { options: ['program', 'manager', 'case_type'], default: 'program' },
  columns: [
    ...GROUP_COLUMNS,
    col('responses', 'Responses', 'int', 'denominator'),
    col('clients', 'Clients', 'int', 'distinct clients who responded'),
    col('satisfied', 'Satisfied', 'int', 'numerator'),
    col('rate', 'Satisfaction rate', 'number', 'satisfied ÷ responses', { unit: 'share' }),
    col('mean', 'Mean score', 'number', 'mean satisfaction score'),
    hidden('satisfied_clients', 'distinct clients with a satisfied response'),
    hidden('unsatisfied_clients', 'distinct clients with a response below the threshold'),
  ],
  disclosure: {
    cells: [
      { name: 'responses', count: 'responses', clients: 'clients', columns: ['responses', 'clients', 'mean'] },
      { name: 'satisfied', count: 'satisfied', clients: 'satisfied_clients', columns: ['satisfied', 'rate'] },
      { name: 'unsatisfied', count: (r) => num(r.responses) - num(r.satisfied), clients: 'unsatisfied_clients', columns: [] },
    ],
    lines: [{ total: 'responses', parts: ['satisfied', 'unsatisfied'] }],
    additiveGroups: () => true,
  },
  resolve(raw, ctx) {
    const base = resolveBase(raw, ctx, 'program');
    return clean({ ...base, threshold: (raw.threshold as number | undefined) ?? ctx.config.satisfaction.threshold });
  },
  usesFacts: true,
  sql(p, ctx) {
    const q = new SqlArgs();
    const thr = q.p('threshold', p.threshold);
    const base = `  SELECT v.client_no, ${factDim(p.by, 'v')} AS _g, v.satisfaction, v.satisfaction >= ${thr}::DOUBLE AS ok
  FROM kpi_fact_surveys v
  ${where([`(v.responded_at IS NULL OR v.responded_at <= ${q.date('asOf', p.asOf)})`, ...dateInPeriod(q, 'v.responded_at', p), ...caseFilters(q, p, 'v')])}`;
    const sql = factGroupedSql(
      q,
      base,
      {
        counts: { responses: 'true', satisfied: 'ok' },
        sums: { score_total: 'satisfaction' },
        clients: { clients: 'true', satisfied_clients: 'ok', unsatisfied_clients: 'NOT ok' },
        derived: { rate: 'satisfied / nullif(responses, 0)', mean: 'score_total / nullif(responses, 0)' },
      },
      p.by,
      ctx,
    );
    return { sql, args: q.args, argNames: q.names };
  },
  async compute(ctx, p) {
    const { sql, args } = this.sql(p, ctx);
    const rows = labelRows(await queryRows(ctx.db, sql, args, 'satisfaction query failed'), p.by);
    for (const r of rows) delete r.score_total;
    return { rows, notes: num(rows[0]?.responses) === 0 ? ['no survey responses in the period'] : [] };
  },
};
