/** Case-level KPIs: resolution time, caseload per manager (at a date and as a monthly series). */
import { UsageError } from '../../errors.ts';
import { clean, col, FILTER_TEXT, num, resolveBase, type BaseParams } from '../common.ts';
import { factDim, GROUP_COLUMNS, groupedSql, labelRows } from '../group.ts';
import { P } from '../params.ts';
import { queryRows } from '../query.ts';
import { caseFilters, dateInPeriod, isoDay, SqlArgs, where } from '../sql.ts';
import type { KpiDefinition, KpiRow } from '../types.ts';

const OPEN_AT = (d: string) => `c.opened_at <= ${d} AND coalesce(c.closed_at, 'infinity'::DATE) > ${d}`;

// ---------------------------------------------------------------------------------------------

export const resolutionTime: KpiDefinition<BaseParams> = {
  id: 'resolution-time',
  title: 'Case resolution time',
  summary: 'days from opening to closing of cases closed in the period: median, mean, p90, n',
  audience: ['manager', 'funder', 'evaluator'],
  definition: {
    formula: 'days = closed_at − opened_at (calendar days; a case opened and closed on the same day takes 0 days). Reported: n, median, mean and 90th percentile of days.',
    population: 'Cases whose `closed_at` falls in the period. Each episode is its own case: a client with three closed episodes contributes three durations.',
    period: 'by closing date: from ≤ closed_at ≤ to (both inclusive), and closed_at ≤ as-of. No period: every case closed by the as-of date.',
    exclusions: [
      'open cases (no `closed_at`), whatever their status says',
      'cases closed before they opened (ingest rejects these; excluded here if present)',
      FILTER_TEXT,
    ],
    ties: 'median and p90 are continuous quantiles with linear interpolation between the two nearest ranks (R type 7, Excel PERCENTILE.INC): with 4 values the median is the mean of the 2nd and 3rd.',
    missing: 'a case without `closed_at` is open and not counted. Grouped by manager, cases with no manager form the group "Unassigned".',
  },
  params: [P.from, P.to, P.asOf, P.program, P.manager, P.caseType, P.by(['program', 'manager', 'case_type'], 'program')],
  groupings: { options: ['program', 'manager', 'case_type'], default: 'program' },
  columns: [
    ...GROUP_COLUMNS,
    col('cases', 'Cases closed', 'int', 'n: cases closed in the period'),
    col('clients', 'Clients', 'int', 'distinct clients among them'),
    col('median_days', 'Median days', 'number', 'median days open', { unit: 'days' }),
    col('mean_days', 'Mean days', 'number', 'mean days open', { unit: 'days' }),
    col('p90_days', 'P90 days', 'number', '90th percentile of days open', { unit: 'days' }),
  ],
  disclosure: {
    cells: [{ name: 'cases', count: 'cases', clients: 'clients', columns: ['cases', 'clients', 'median_days', 'mean_days', 'p90_days'] }],
    lines: [],
    additiveGroups: () => true,
  },
  resolve(raw, ctx) {
    return clean(resolveBase(raw, ctx, 'program'));
  },
  usesFacts: true,
  sql(p) {
    const q = new SqlArgs();
    const dim = factDim(p.by, 'c');
    // kpi_fact_cases: the cases with dense client numbers and enum-coded groups
    const base = `  SELECT c.client_no, (c.closed_at - c.opened_at)::DOUBLE AS days, ${dim} AS _g
  FROM kpi_fact_cases c
  ${where(['c.closed_at IS NOT NULL', 'c.closed_at >= c.opened_at', `c.closed_at <= ${q.date('asOf', p.asOf)}`, ...dateInPeriod(q, 'c.closed_at', p), ...caseFilters(q, p)])}`;
    const sql = groupedSql(base, [
      'count(*) AS cases',
      'count(DISTINCT client_no) AS clients',
      'median(days) AS median_days',
      'avg(days) AS mean_days',
      'quantile_cont(days, 0.9) AS p90_days',
    ], p.by);
    return { sql, args: q.args, argNames: q.names };
  },
  async compute(ctx, p) {
    const { sql, args } = this.sql(p, ctx);
    const rows = labelRows(await queryRows(ctx.db, sql, args, 'resolution-time query failed'), p.by);
    const notes = num(rows[0]?.cases) === 0 ? ['no cases were closed in the period'] : [];
    return { rows, notes };
  },
};

// ---------------------------------------------------------------------------------------------

interface CaseloadParams extends BaseParams {
  capacity: number;
}

const CAPACITY_TEXT =
  'capacity = `staff.caseload_capacity`, or the default capacity (parameter `capacity`, config `kpi.caseload.defaultCapacity`, 25) when it is empty. A recorded 0 is a real capacity of 0 (e.g. supervisors carry no caseload), so any open case puts that person over capacity.';

const caseloadColumns = [
  col('group_id', 'Manager id', 'text', 'staff id of the case manager; null for unassigned cases and for the total row', { dimension: true }),
  col('group', 'Manager', 'text', 'name of the case manager; `Unassigned` for cases with no manager; `All` for the total row', { dimension: true }),
  col('is_total', 'Total row', 'bool', 'true for the row covering every manager', { dimension: true }),
  col('open_cases', 'Open cases', 'int', 'cases open at the end of the as-of day (within the filters)'),
  col('all_open_cases', 'All open cases', 'int', 'all cases the manager has open, whatever programme or case type: what capacity is compared with'),
  col('capacity', 'Capacity', 'int', 'caseload capacity (total row: the sum over the managers listed)'),
  col('capacity_source', 'Capacity from', 'text', '`staff` (caseload_capacity) or `default`'),
  col('utilisation', 'Utilisation', 'number', 'all_open_cases ÷ capacity (total row: over managers with a capacity)', { unit: 'share' }),
  col('over_capacity', 'Over capacity', 'bool', 'all_open_cases > capacity'),
  col('managers_over_capacity', 'Managers over capacity', 'int', 'total row only: how many managers are over capacity'),
];

export const caseload: KpiDefinition<CaseloadParams> = {
  id: 'caseload',
  title: 'Caseload per manager',
  summary: 'open cases per case manager at the end of the as-of day, against capacity, with over-capacity flags',
  audience: ['manager'],
  definition: {
    formula: 'open_cases = number of cases with opened_at ≤ as-of < closed_at (no closed_at = still open); utilisation = all_open_cases ÷ capacity; over capacity when all_open_cases > capacity.',
    population: 'Cases open at the end of the as-of day; one row per case manager (staff whose role is `manager` or whose capacity is above 0, and anyone else with open cases), plus "Unassigned" for open cases with no manager, plus the total.',
    period: 'a single day: the as-of date (`--as-of`, else `--to`, else today). A case opened and closed on the same day is never open at the end of a day.',
    exclusions: [
      'cases closed on or before the as-of day; cases opened after it',
      'with `program` or `caseType`, `open_cases` counts only matching cases and only managers with such cases are listed, but capacity is compared with all their open cases (`all_open_cases`)',
    ],
    ties: 'none: counts.',
    missing: `open cases with no manager are counted under "Unassigned", which has no capacity. ${CAPACITY_TEXT}`,
  },
  params: [P.asOf, P.program, P.manager, P.caseType, P.capacity],
  columns: caseloadColumns,
  resolve(raw, ctx) {
    const base = resolveBase(raw, ctx, 'manager');
    return clean({ ...base, from: undefined, to: undefined, capacity: (raw.capacity as number | undefined) ?? ctx.config.caseload.defaultCapacity });
  },
  usesFacts: true,
  sql(p) {
    const q = new SqlArgs();
    const asOf = q.date('asOf', p.asOf);
    const filters = caseFilters(q, { program: p.program, caseType: p.caseType });
    const filtered = filters.length > 0;
    const onlyManager = p.manager !== undefined ? `WHERE id IS NOT DISTINCT FROM ${q.p('manager', p.manager)}` : '';
    const cap = q.p('capacity', p.capacity);
    const sql = `WITH open_all AS (
  SELECT c.manager_id::VARCHAR AS manager_id, count(*) AS n${filtered ? `, count(*) FILTER (WHERE ${filters.join(' AND ')}) AS n_scope` : ''}
  FROM kpi_fact_cases c
  WHERE ${OPEN_AT(asOf)}
  GROUP BY c.manager_id
),
people AS (
  SELECT coalesce(o.manager_id, s.staff_id) AS id, s.name, s.caseload_capacity,
         coalesce(o.n, 0) AS all_open, coalesce(${filtered ? 'o.n_scope' : 'o.n'}, 0) AS open_scope
  FROM open_all o
  FULL JOIN (SELECT staff_id, name, caseload_capacity FROM staff WHERE role = 'manager' OR caseload_capacity > 0) s ON s.staff_id = o.manager_id
),
rows AS (
  SELECT id, name, open_scope::INTEGER AS open_scope, all_open::INTEGER AS all_open,
         CASE WHEN id IS NULL THEN NULL ELSE coalesce(caseload_capacity, ${cap}) END AS capacity,
         CASE WHEN id IS NULL THEN NULL WHEN caseload_capacity IS NULL THEN 'default' ELSE 'staff' END AS capacity_source
  FROM people ${onlyManager}
)
-- the total row is the sum of these rows (added in compute)
SELECT id AS group_id, CASE WHEN id IS NULL THEN 'Unassigned' ELSE coalesce(name, id) END AS "group", false AS is_total,
       open_scope AS open_cases, all_open AS all_open_cases, capacity, capacity_source,
       all_open / nullif(capacity, 0) AS utilisation, all_open > capacity AS over_capacity, NULL::INTEGER AS managers_over_capacity
FROM rows ${filtered ? 'WHERE open_scope > 0' : ''}
ORDER BY "group", group_id`;
    return { sql, args: q.args, argNames: q.names };
  },
  async compute(ctx, p) {
    const { sql, args } = this.sql(p, ctx);
    const managers = (await queryRows(ctx.db, sql, args, 'caseload query failed')) as KpiRow[];
    // "Unassigned" first, then by name
    const unassigned = managers.findIndex((r) => r.group_id === null);
    if (unassigned > 0) managers.unshift(...managers.splice(unassigned, 1));
    // total row: sums over the rows listed; utilisation over the rows that have a capacity
    let open = 0;
    let all = 0;
    let capacity = 0;
    let withCapacity = 0;
    let over = 0;
    let anyCapacity = false;
    for (const r of managers) {
      open += num(r.open_cases);
      all += num(r.all_open_cases);
      if (typeof r.capacity === 'number') {
        anyCapacity = true;
        capacity += r.capacity;
        withCapacity += num(r.all_open_cases);
      }
      if (r.over_capacity === true) over++;
    }
    const total: KpiRow = {
      group_id: null, group: 'All', is_total: true, open_cases: open, all_open_cases: all, capacity: anyCapacity ? capacity : null, capacity_source: null,
      utilisation: capacity > 0 ? withCapacity / capacity : null, over_capacity: null, managers_over_capacity: over,
    };
    const rows = [total, ...managers];
    return { rows, notes: over > 0 ? [`${over} manager(s) over capacity on ${p.asOf}`] : [] };
  },
};

// ---------------------------------------------------------------------------------------------

export const caseloadSeries: KpiDefinition<CaseloadParams & { from: string; to: string }> = {
  id: 'caseload-series',
  title: 'Caseload per manager, monthly',
  summary: 'open cases per case manager at each month end over a date range, against capacity',
  audience: ['manager'],
  definition: {
    formula: 'for each month end d: open_cases = cases with opened_at ≤ d < closed_at (no closed_at = still open); over capacity when the manager\'s open cases (all programmes) > capacity.',
    population: 'Snapshots on the last day of each month, from the month of `from` to the month of `to`. One row per (month, manager with at least one open case), plus one total row per month.',
    period: '`to` defaults to the as-of date (today); `from` defaults to 11 months before `to`, giving 12 month ends. The last snapshot is the month end even when `to` is earlier in that month.',
    exclusions: ['managers with no open case at a month end have no row for that month', 'with `program` or `caseType`, `open_cases` counts only matching cases; over-capacity still uses all the manager\'s open cases'],
    ties: 'none: counts.',
    missing: `open cases with no manager are counted under "Unassigned" (no capacity). ${CAPACITY_TEXT}`,
  },
  params: [P.from, P.to, P.asOf, P.program, P.manager, P.caseType, P.capacity],
  columns: [
    col('month_end', 'Month end', 'date', 'the snapshot day (last day of the month)', { dimension: true }),
    ...caseloadColumns.filter((c) => !['capacity_source', 'utilisation'].includes(c.name)),
  ],
  resolve(raw, ctx) {
    const base = resolveBase(raw, ctx, 'manager');
    const to = base.to ?? base.asOf;
    const from = base.from ?? addMonths(to, -11);
    if (from > to) throw new UsageError(`kpi caseload-series: --from ${from} is after --to ${to}`);
    return clean({ ...base, from, to, capacity: (raw.capacity as number | undefined) ?? ctx.config.caseload.defaultCapacity });
  },
  sql(p) {
    const q = new SqlArgs();
    const filters = caseFilters(q, { program: p.program, caseType: p.caseType });
    const filtered = filters.length > 0;
    const cap = q.p('capacity', p.capacity);
    const mgr = p.manager !== undefined ? `AND c.manager_id = ${q.p('manager', p.manager)}` : '';
    const scope = filtered ? filters.join(' AND ') : 'true';
    // Open at month end d  <=>  opened_at <= d < closed_at. Instead of joining every case to every
    // month (a range join of cases x months), count openings and closings per manager in the
    // first snapshot on or after them and take running sums: open(d) = openings <= d - closings <= d.
    // A case closed before it opened is treated as closed the day it opened (never open).
    const sql = `WITH months AS (
  SELECT last_day(m)::DATE AS d, (row_number() OVER (ORDER BY m) - 1)::INTEGER AS i
  FROM range(date_trunc('month', ${q.date('from', p.from)}), date_trunc('month', ${q.date('to', p.to)}) + INTERVAL 1 MONTH, INTERVAL 1 MONTH) r(m)
),
bounds AS (SELECT min(d) AS first_d, max(d) AS last_d FROM months),
ev AS (
  SELECT coalesce(c.manager_id, '') AS mk, greatest(last_day(c.opened_at), b.first_d) AS d, 1 AS delta, ${scope} AS sc
  FROM cases c, bounds b
  WHERE c.opened_at <= b.last_d ${mgr}
  UNION ALL
  SELECT coalesce(c.manager_id, ''), greatest(last_day(greatest(c.closed_at, c.opened_at)), b.first_d), -1, ${scope}
  FROM cases c, bounds b
  WHERE c.closed_at IS NOT NULL AND greatest(c.closed_at, c.opened_at) <= b.last_d ${mgr}
),
net AS (
  SELECT mk, d, sum(delta) AS n, coalesce(sum(delta) FILTER (WHERE sc), 0) AS n_scope
  FROM ev GROUP BY mk, d
),
running AS (
  SELECT g.mk, g.d,
         sum(coalesce(net.n, 0)) OVER w AS all_open,
         sum(coalesce(net.n_scope, 0)) OVER w AS open_scope
  FROM (SELECT k.mk, m.d FROM (SELECT DISTINCT mk FROM net) k, months m) g
  LEFT JOIN net ON net.mk = g.mk AND net.d = g.d
  WINDOW w AS (PARTITION BY g.mk ORDER BY g.d ROWS UNBOUNDED PRECEDING)
),
rows AS (
  SELECT r.d, nullif(r.mk, '') AS manager_id, s.name, r.open_scope::INTEGER AS open_scope, r.all_open::INTEGER AS all_open,
         CASE WHEN r.mk = '' THEN NULL ELSE coalesce(s.caseload_capacity, ${cap}) END AS capacity
  FROM running r LEFT JOIN staff s ON s.staff_id = r.mk
  WHERE r.${filtered ? 'open_scope' : 'all_open'} > 0
),
series AS (
  SELECT m.i, NULL AS month_end, r.manager_id AS group_id, CASE WHEN r.manager_id IS NULL THEN 'Unassigned' ELSE coalesce(r.name, r.manager_id) END AS "group", false AS is_total,
         r.open_scope AS open_cases, r.all_open AS all_open_cases, r.capacity, r.all_open > r.capacity AS over_capacity, NULL::INTEGER AS managers_over_capacity
  FROM rows r JOIN months m ON m.d = r.d
  UNION ALL
  SELECT m.i, ${isoDay('m.d')}, NULL, 'All', true, coalesce(sum(open_scope), 0)::INTEGER, coalesce(sum(all_open), 0)::INTEGER, sum(capacity)::INTEGER, NULL, (count(*) FILTER (WHERE all_open > capacity))::INTEGER
  FROM months m LEFT JOIN rows r ON r.d = m.d
  GROUP BY m.i, m.d
)
-- one row per group with its months as one JSON list of [month i, open cases, all open cases,
-- capacity, over capacity (1/0), managers over capacity]: tens of thousands of (month, manager)
-- rows would each carry their texts to JS, which costs more than the query. Month i is the i-th
-- month end (the total row lists their days). compute() spreads them into one row per month.
SELECT group_id, "group", is_total,
  CASE WHEN is_total THEN to_json(list([i::VARCHAR, month_end]))::VARCHAR END AS month_ends,
  to_json(list([i, open_cases, all_open_cases, capacity, over_capacity::INTEGER, managers_over_capacity]))::VARCHAR AS months
FROM series
GROUP BY group_id, "group", is_total
ORDER BY is_total DESC, group_id IS NOT NULL, "group", group_id`;
    return { sql, args: q.args, argNames: q.names };
  },
  async compute(ctx, p) {
    const { sql, args } = this.sql(p, ctx);
    const groups = await queryRows(ctx.db, sql, args, 'caseload-series query failed');
    const total = groups.find((g) => g.is_total === true);
    const monthEnds: string[] = [];
    for (const [i, day] of JSON.parse((total?.month_ends as string | undefined) ?? '[]') as Array<[string, string]>) monthEnds[Number(i)] = day;
    // per month, the groups in the query's order (total, unassigned, managers by name)
    const byMonth: KpiRow[][] = monthEnds.map(() => []);
    for (const g of groups) {
      const groupId = g.group_id as string | null;
      const group = g.group as string;
      const isTotal = g.is_total as boolean;
      for (const [i, open, all, capacity, over, managersOver] of JSON.parse(g.months as string) as Array<Array<number | null>>) {
        // one literal per row: far cheaper than adding its properties one by one
        byMonth[i!]!.push({
          month_end: monthEnds[i!]!, group_id: groupId, group, is_total: isTotal,
          open_cases: open!, all_open_cases: all!, capacity: capacity ?? null, over_capacity: over === null || over === undefined ? null : over === 1, managers_over_capacity: managersOver ?? null,
        });
      }
    }
    return { rows: byMonth.flat() };
  },
};

/** Adds months to an ISO day, clamping to the month's length. */
export function addMonths(day: string, months: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const first = new Date(Date.UTC(y, m - 1 + months, 1));
  const last = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  first.setUTCDate(Math.min(d, last));
  return first.toISOString().slice(0, 10);
}
