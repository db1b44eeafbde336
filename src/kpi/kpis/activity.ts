/** Activity KPIs: follow-up compliance, service utilisation, attendance, client satisfaction. */
import { clean, col, FILTER_TEXT, hidden, num, resolveBase, type BaseParams } from '../common.ts';
import { clientGroupedSql, DIMENSIONS, ensureTotal, GROUP_COLUMNS, labelRows, perCaseBase } from '../group.ts';
import { queryRows } from '../query.ts';
import { P } from '../params.ts';
import { caseFilters, dateInPeriod, SqlArgs, where } from '../sql.ts';
import type { KpiDefinition } from '../types.ts';

const dimExpr = (by: string) => (by === 'none' ? 'NULL' : DIMENSIONS[by]!.expr);

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
  sql(p) {
    const q = new SqlArgs();
    const asOf = q.date('asOf', p.asOf);
    const grace = q.p('graceDays', p.graceDays);
    const outcome = `CASE
          WHEN f.completed_at <= ${asOf} AND f.completed_at <= f.due_at + ${grace}::INTEGER THEN 'on_time'
          WHEN f.completed_at <= ${asOf} THEN 'late'
          WHEN f.due_at + ${grace}::INTEGER <= ${asOf} THEN 'overdue'
          ELSE 'pending'
        END`;
    const outcomes = ['on_time', 'late', 'overdue', 'pending'];
    // two follow-ups per case on average: joining them straight to their case is cheaper than
    // aggregating per case first (which pays for services, a dozen per case)
    const base = `  SELECT c.client_id, ${dimExpr(p.by)} AS _g, ${outcome} AS outcome
  FROM followups f JOIN cases c ON c.case_id = f.case_id
  ${where([`f.due_at <= ${asOf}`, ...dateInPeriod(q, 'f.due_at', p), ...caseFilters(q, p)])}`;
    const assessed = 'n_on_time + n_late + n_overdue';
    const sql = clientGroupedSql(
      base,
      outcomes.map((o) => `count(*) FILTER (WHERE outcome = '${o}') AS n_${o}`),
      [
        `coalesce(sum(${assessed}), 0) AS assessed`,
        `count(*) FILTER (WHERE ${assessed} > 0) AS clients`,
        ...outcomes.map((o) => `coalesce(sum(n_${o}), 0) AS ${o}`),
        `sum(n_on_time) / nullif(sum(${assessed}), 0) AS rate`,
        ...outcomes.map((o) => `count(*) FILTER (WHERE n_${o} > 0) AS ${o}_clients`),
      ],
      p.by,
    );
    return { sql, args: q.args, argNames: q.names };
  },
  async compute(ctx, p) {
    const { sql, args } = this.sql(p, ctx);
    const rows = labelRows(ensureTotal(await queryRows(ctx.db, sql, args, 'followup-compliance query failed'), this.columns), p.by);
    return { rows, notes: num(rows[0]?.assessed) === 0 ? ['no follow-ups with a known outcome were due in the period'] : [] };
  },
};

// ---------------------------------------------------------------------------------------------

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
    col('units_planned', 'Units planned', 'number', 'denominator', { additive: true }),
    col('units_delivered', 'Units delivered', 'number', 'numerator', { additive: true }),
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
  sql(p) {
    const q = new SqlArgs();
    const day = 'coalesce(s.scheduled_at, s.delivered_at)::DATE';
    const base = perCaseBase(
      p.by,
      {
        from: 'services s',
        alias: 's',
        where: ['s.units_planned IS NOT NULL', `${day} <= ${q.date('asOf', p.asOf)}`, ...dateInPeriod(q, day, p)],
        aggs: ['count(*) AS c_n', 'sum(s.units_planned) AS c_planned', 'sum(coalesce(s.units_delivered, 0)) AS c_delivered'],
      },
      caseFilters(q, p),
    );
    const sql = clientGroupedSql(
      base,
      ['sum(c_n) AS n', 'sum(c_planned) AS planned', 'sum(c_delivered) AS delivered'],
      [
        'coalesce(sum(n), 0) AS services',
        'count(*) AS clients',
        'coalesce(sum(planned), 0) AS units_planned',
        'coalesce(sum(delivered), 0) AS units_delivered',
        'sum(delivered) / nullif(sum(planned), 0) AS utilisation',
      ],
      p.by,
    );
    return { sql, args: q.args, argNames: q.names };
  },
  async compute(ctx, p) {
    const { sql, args } = this.sql(p, ctx);
    const rows = labelRows(ensureTotal(await queryRows(ctx.db, sql, args, 'service-utilisation query failed'), this.columns), p.by);
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
  sql(p, ctx) {
    const q = new SqlArgs();
    const delivered = q.list('deliveredStatuses', ctx.config.services.deliveredStatuses);
    const noShow = q.list('noShowStatuses', ctx.config.services.noShowStatuses);
    const day = 'coalesce(s.delivered_at, s.scheduled_at)::DATE';
    const base = perCaseBase(
      p.by,
      {
        from: 'services s',
        alias: 's',
        where: [`(list_contains(${delivered}, s.status) OR list_contains(${noShow}, s.status))`, `${day} <= ${q.date('asOf', p.asOf)}`, ...dateInPeriod(q, day, p)],
        aggs: [`count(*) FILTER (WHERE list_contains(${delivered}, s.status)) AS c_ok`, `count(*) FILTER (WHERE NOT list_contains(${delivered}, s.status)) AS c_no`],
      },
      caseFilters(q, p),
    );
    const sql = clientGroupedSql(
      base,
      ['sum(c_ok) AS n_ok', 'sum(c_no) AS n_no'],
      [
        'coalesce(sum(n_ok + n_no), 0) AS appointments',
        'count(*) AS clients',
        'coalesce(sum(n_ok), 0) AS attended',
        'coalesce(sum(n_no), 0) AS no_shows',
        'sum(n_ok) / nullif(sum(n_ok + n_no), 0) AS rate',
        'count(*) FILTER (WHERE n_ok > 0) AS attended_clients',
        'count(*) FILTER (WHERE n_no > 0) AS no_show_clients',
      ],
      p.by,
    );
    return { sql, args: q.args, argNames: q.names };
  },
  async compute(ctx, p) {
    const { sql, args } = this.sql(p, ctx);
    const rows = labelRows(ensureTotal(await queryRows(ctx.db, sql, args, 'attendance query failed'), this.columns), p.by);
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
  sql(p) {
    const q = new SqlArgs();
    const thr = q.p('threshold', p.threshold);
    const base = `  SELECT v.client_id, ${dimExpr(p.by)} AS _g, v.satisfaction, v.satisfaction >= ${thr}::DOUBLE AS ok
  FROM surveys v JOIN cases c ON c.case_id = v.case_id
  ${where(['v.satisfaction IS NOT NULL', `(v.responded_at IS NULL OR v.responded_at <= ${q.date('asOf', p.asOf)})`, ...dateInPeriod(q, 'v.responded_at', p), ...caseFilters(q, p)])}`;
    const sql = clientGroupedSql(
      base,
      ['count(*) FILTER (WHERE ok) AS n_ok', 'count(*) FILTER (WHERE NOT ok) AS n_no', 'sum(satisfaction) AS total'],
      [
        'coalesce(sum(n_ok + n_no), 0) AS responses',
        'count(*) AS clients',
        'coalesce(sum(n_ok), 0) AS satisfied',
        'sum(n_ok) / nullif(sum(n_ok + n_no), 0) AS rate',
        'sum(total) / nullif(sum(n_ok + n_no), 0) AS mean',
        'count(*) FILTER (WHERE n_ok > 0) AS satisfied_clients',
        'count(*) FILTER (WHERE n_no > 0) AS unsatisfied_clients',
      ],
      p.by,
    );
    return { sql, args: q.args, argNames: q.names };
  },
  async compute(ctx, p) {
    const { sql, args } = this.sql(p, ctx);
    const rows = labelRows(ensureTotal(await queryRows(ctx.db, sql, args, 'satisfaction query failed'), this.columns), p.by);
    return { rows, notes: num(rows[0]?.responses) === 0 ? ['no survey responses in the period'] : [] };
  },
};
