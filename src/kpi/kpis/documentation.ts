/** Documentation completeness against configurable record rules, with the failing cases listed. */
import { z } from 'zod';
import { clean, col, FILTER_TEXT, hidden, num, resolveBase, type BaseParams } from '../common.ts';
import { factDim, factGroupedSql, GROUP_COLUMNS, labelledSelect, labelRows } from '../group.ts';
import { P } from '../params.ts';
import { queryRows } from '../query.ts';
import { caseFilters, isoDay, SqlArgs, where } from '../sql.ts';
import type { ColumnSpec, KpiContext, KpiDefinition, KpiRow } from '../types.ts';

interface DocParams extends BaseParams {
  baselineWithinDays: number;
  goalWithinDays: number;
  noteAfterServiceDays: number;
  requireClosureReason: boolean;
  limit: number;
}

const RULES = ['baseline', 'goal', 'notes', 'closure'] as const;

const detailColumns: ColumnSpec[] = [
  col('case_id', 'Case', 'text', 'case id'),
  col('program_id', 'Programme', 'text', 'programme id'),
  col('manager_id', 'Manager', 'text', 'case manager (staff id); empty when unassigned'),
  col('opened_at', 'Opened', 'date', 'opening day'),
  col('closed_at', 'Closed', 'date', 'closing day, if closed'),
  col('failed', 'Failed rules', 'list', 'rules the case fails: baseline, goal, notes, closure'),
  col('services_without_note', 'Services without a note', 'int', 'delivered services with no note in the window'),
];

/**
 * The day up to which kpi_fact_doc_hist counts the settled cases, when it can answer: the
 * configured windows, no period start, a period end (if any) not before the as-of date, an as-of
 * date on or after that day, and only the client counts a page shows (disclosure control needs
 * per-rule client counts, worked out case by case).
 */
function settledPath(p: DocParams, ctx: Pick<KpiContext, 'config' | 'facts' | 'skip'>): string | undefined {
  const d = ctx.config.documentation;
  const settledBy = ctx.facts?.documentation?.settledBy;
  if (settledBy == null || p.asOf < settledBy) return undefined;
  if (p.from !== undefined || (p.to !== undefined && p.to < p.asOf)) return undefined;
  if (p.baselineWithinDays !== d.baselineWithinDays || p.goalWithinDays !== d.goalWithinDays || p.noteAfterServiceDays !== d.noteAfterServiceDays) return undefined;
  if (p.requireClosureReason !== d.requireClosureReason) return undefined;
  const hiddenWanted = documentationCompleteness.columns.some((c) => c.hidden && !ctx.skip?.has(c.name));
  return hiddenWanted ? undefined : settledBy;
}

export const documentationCompleteness: KpiDefinition<DocParams> = {
  id: 'documentation-completeness',
  title: 'Documentation completeness',
  summary: 'cases meeting every record rule (baseline assessment, a goal, notes after services, closure reason) ÷ cases; failing cases listed',
  audience: ['manager', 'funder'],
  definition: {
    formula: 'rate = complete ÷ cases, where a case is complete when it fails none of the rules below',
    numerator: 'cases failing no rule (a rule whose window is still open is not failed)',
    denominator: 'cases open at any time in the period and opened on or before the as-of date',
    population:
      'Cases with opened_at ≤ min(to, as-of) and (closed_at ≥ from or still open). Rules, evaluated at the end of the as-of day: ' +
      '(baseline) an assessment on the case administered within `baselineWithinDays` (30) days either side of opening — failed only once opened_at + baselineWithinDays ≤ as-of; ' +
      '(goal) at least one goal on the case — failed only once opened_at + goalWithinDays (30) ≤ as-of; ' +
      '(notes) for every delivered service in the period, a note on the case written at or after the delivery time and no later than `noteAfterServiceDays` (3) calendar days after the delivery day — a service whose window is still open (delivery day + days > as-of) is not checked; ' +
      '(closure) a case closed on or before the as-of date has a non-empty closure reason (config `kpi.documentation.requireClosureReason`).',
    period: 'cases open at some time in [from, to]; for the notes rule, services delivered in [from, to].',
    exclusions: [
      'assessments and goals dated after the as-of date do not count',
      'config `kpi.documentation.baselineInstruments` limits which instruments count as a baseline (default: any)',
      FILTER_TEXT,
    ],
    ties: 'window ends are inclusive: an assessment exactly baselineWithinDays after opening counts; a note written on delivery day + noteAfterServiceDays counts.',
    missing: 'a goal with no `set_at` counts as set. Cases with no manager are listed with an empty manager and grouped under "Unassigned".',
  },
  params: [
    P.from, P.to, P.asOf, P.program, P.manager, P.caseType, P.baselineWithinDays, P.goalWithinDays, P.noteAfterServiceDays,
    P.by(['manager', 'program', 'case_type'], 'manager'),
    { name: 'limit', flag: '--limit', description: 'how many failing cases to list', schema: z.coerce.number().int().min(0).max(1_000_000).optional(), defaultText: '500' },
  ],
  groupings: { options: ['manager', 'program', 'case_type'], default: 'manager' },
  columns: [
    ...GROUP_COLUMNS,
    col('cases', 'Cases', 'int', 'denominator'),
    col('clients', 'Clients', 'int', 'distinct clients'),
    col('complete', 'Complete', 'int', 'numerator: cases failing no rule'),
    col('rate', 'Completeness', 'number', 'complete ÷ cases', { unit: 'share' }),
    col('fail_baseline', 'No baseline', 'int', 'cases failing the baseline rule'),
    col('fail_goal', 'No goal', 'int', 'cases failing the goal rule'),
    col('fail_notes', 'Missing notes', 'int', 'cases with a delivered service lacking a note'),
    col('fail_closure', 'No closure reason', 'int', 'closed cases without a closure reason'),
    hidden('complete_clients', 'distinct clients with a complete case'),
    hidden('incomplete_clients', 'distinct clients with an incomplete case'),
    ...RULES.map((r) => hidden(`fail_${r}_clients`, `distinct clients failing the ${r} rule`)),
    ...RULES.map((r) => hidden(`pass_${r}_clients`, `distinct clients with a case not failing the ${r} rule`)),
  ],
  disclosure: {
    cells: [
      { name: 'cases', count: 'cases', clients: 'clients', columns: ['cases', 'clients'] },
      { name: 'complete', count: 'complete', clients: 'complete_clients', columns: ['complete', 'rate'] },
      { name: 'incomplete', count: (r) => num(r.cases) - num(r.complete), clients: 'incomplete_clients', columns: [] },
      ...RULES.flatMap((r) => [
        { name: `fail_${r}`, count: `fail_${r}`, clients: `fail_${r}_clients`, columns: [`fail_${r}`] },
        { name: `pass_${r}`, count: (row: KpiRow) => num(row.cases) - num(row[`fail_${r}`]), clients: `pass_${r}_clients`, columns: [] },
      ]),
    ],
    lines: [{ total: 'cases', parts: ['complete', 'incomplete'] }, ...RULES.map((r) => ({ total: 'cases', parts: [`fail_${r}`, `pass_${r}`] }))],
    additiveGroups: () => true,
  },
  resolve(raw, ctx) {
    const base = resolveBase(raw, ctx, 'manager');
    const d = ctx.config.documentation;
    return clean({
      ...base,
      baselineWithinDays: (raw.baselineWithinDays as number | undefined) ?? d.baselineWithinDays,
      goalWithinDays: (raw.goalWithinDays as number | undefined) ?? d.goalWithinDays,
      noteAfterServiceDays: (raw.noteAfterServiceDays as number | undefined) ?? d.noteAfterServiceDays,
      requireClosureReason: d.requireClosureReason,
      limit: (raw.limit as number | undefined) ?? 500,
    });
  },
  usesFacts: true,
  sql(p, ctx) {
    const q = new SqlArgs();
    const asOf = q.date('asOf', p.asOf);
    const nb = `${q.p('baselineWithinDays', p.baselineWithinDays)}::INTEGER`;
    const ng = `${q.p('goalWithinDays', p.goalWithinDays)}::INTEGER`;
    const nn = `${q.p('noteAfterServiceDays', p.noteAfterServiceDays)}::INTEGER`;
    const lastOpen = p.to !== undefined ? `least(${q.date('to', p.to)}, ${asOf})` : asOf;
    const scopeConds = [
      `x.opened_at <= ${lastOpen}`,
      ...(p.from !== undefined ? [`coalesce(x.closed_at, 'infinity'::DATE) >= ${q.date('from', p.from)}`] : []),
      ...caseFilters(q, p, 'x'),
    ];
    // delivered services count from the start of the period to the day whose note window (N
    // days) has closed by the as-of date, and to the end of the period
    const lateHi = p.to !== undefined ? `least(${q.date('to', p.to)}, ${asOf} - ${nn})` : `${asOf} - ${nn}`;
    const lateLo = p.from !== undefined ? q.date('from', p.from) : undefined;
    const lateInWindow = (a: string, lo: string, hi: string) => `${a}.${hi} <= ${lateHi}${lateLo ? ` AND ${a}.${lo} >= ${lateLo}` : ''}`;
    // undocumented services in the window, counted from the case's own list
    const missing = `len(list_filter(late_services, v -> v.day <= ${lateHi}${lateLo ? ` AND v.day >= ${lateLo}` : ''} AND (v.lag IS NULL OR v.lag > ${nn})))`;
    const closure = p.requireClosureReason ? `coalesce(x.closed_at <= ${asOf} AND x.no_reason, false)` : 'false';
    // Whether a delivered service in the window lacks its note, decided from the case's row when
    // it can be (null: read the case's list of undocumented services). With the configured N the
    // facts know the first and last day of a failing service: the first one in the window decides,
    // or the last one when the first is before the window (only a case with failing services
    // on both sides of the window has its list read).
    // With another N, the case is decided when none or all of its undocumented services lie in
    // the window (then the longest lag decides).
    const notesDecided =
      p.noteAfterServiceDays === ctx.config.documentation.noteAfterServiceDays
        ? lateLo === undefined
          ? `coalesce(x.fail_lo <= ${lateHi}, false)`
          : `CASE WHEN x.fail_lo IS NULL THEN false WHEN x.fail_lo >= ${lateLo} THEN x.fail_lo <= ${lateHi} WHEN x.fail_hi < ${lateLo} THEN false WHEN x.fail_hi <= ${lateHi} THEN true END`
        : `CASE WHEN NOT coalesce(x.late_lo <= ${lateHi}${lateLo ? ` AND x.late_hi >= ${lateLo}` : ''}, false) THEN false
         WHEN ${lateInWindow('x', 'late_lo', 'late_hi')} THEN x.late_max_lag > ${nn} END`;
    const failBaseline = `(x.baseline_gap IS NULL OR x.baseline_gap > ${nb}) AND x.opened_at <= ${asOf} - ${nb}`;
    const failGoal = `(x.first_goal_at IS NULL OR x.first_goal_at > ${asOf}) AND x.opened_at <= ${asOf} - ${ng}`;
    const single = p.by === 'none' ? 'false' : `x.single_${p.by}`;
    const limit = q.p('limit', p.limit);
    const tail = (grouped: string, listed: string) => `grouped AS (
${grouped}
),
listed AS (
${listed}
),
listed_order AS (
  -- what is shown of the listed cases, read for them alone (kpi_fact_doc_list is in list order)
  SELECT l.case_no, l.list_order AS ord, d.case_id, d.program_id, d.manager_id, d.opened_at, d.closed_at, d.late_services
  FROM listed l
  JOIN kpi_fact_doc_list d ON d.list_order = l.list_order
)
-- (a flag, not a text column: every text value costs a decode on the way to JS)
SELECT false AS is_case, grouped.*, NULL AS detail FROM grouped
UNION ALL BY NAME
SELECT true AS is_case, to_json({
    'case_id': o.case_id, 'program_id': o.program_id::VARCHAR, 'manager_id': o.manager_id::VARCHAR,
    'opened_at': ${isoDay('o.opened_at')}, 'closed_at': ${isoDay('o.closed_at')},
    'failed': list_filter(['baseline', 'goal', 'notes', 'closure'], (r, i) -> [c.fail_baseline, c.fail_goal, c.fail_notes, c.fail_closure][i]),
    'services_without_note': CASE WHEN c.fail_notes THEN ${missing.replaceAll('late_services', 'o.late_services')} ELSE 0 END
  })::VARCHAR AS detail, o.ord
FROM listed c JOIN listed_order o ON o.case_no = c.case_no
ORDER BY is_case, ord`;
    const settledBy = settledPath(p, ctx);
    if (settledBy !== undefined) {
      // Cases settled by the last opening day come counted from kpi_fact_doc_hist; those opened
      // since, one by one. Distinct clients: a case that is its client's only one in the group
      // is one client; the others are counted on their client numbers.
      const settled = q.date('settledBy', settledBy);
      const filters = (a: string) => caseFilters(q, p, a);
      const dim = (a: string) => factDim(p.by, a);
      const figures = RULES.map((r) => `fail_${r}`);
      const failing = figures.join(' OR ');
      const byCase = (flag: string, exact: string) => `CASE WHEN x.settled_at <= ${settled} THEN x.s_${flag} ELSE ${exact} END AS ${flag}`;
      const groupRows = `SELECT false AS is_total, c._g AS group_id, c.cases::INTEGER AS cases, c.complete::INTEGER AS complete,
    ${figures.map((f) => `c.${f}::INTEGER AS ${f}`).join(', ')}, (c.single_clients + coalesce(s.clients, 0))::INTEGER AS clients
  FROM counted c LEFT JOIN several s ON s._g IS NOT DISTINCT FROM c._g`;
      const totalRow = `SELECT true AS is_total, NULL AS group_id, coalesce(sum(c.cases), 0)::INTEGER AS cases, coalesce(sum(c.complete), 0)::INTEGER AS complete,
    ${figures.map((f) => `coalesce(sum(c.${f}), 0)::INTEGER AS ${f}`).join(', ')}, any_value(e.clients)::INTEGER AS clients
  FROM everyone e LEFT JOIN counted c ON true`;
      const grouped = `WITH units AS (
  SELECT ${dim('h')} AS _g, ${p.by === 'none' ? 'false' : `h.single_${p.by}`} AS _single,
    h.s_fail_baseline AS fail_baseline, h.s_fail_goal AS fail_goal, h.s_fail_notes AS fail_notes, h.s_fail_closure AS fail_closure, h.n
  FROM kpi_fact_doc_hist h
  ${where([`h.grain = ${q.p('grain', filters('h').length ? 'all' : p.by)}`, ...filters('h')])}
  UNION ALL
  SELECT ${dim('x')}, ${single}, ${failBaseline}, ${failGoal}, ${notesDecided}, ${closure}, 1.0
  FROM kpi_fact_doc_cases x
  ${where([`x.settled_at > ${settled}`, `x.opened_at <= ${asOf}`, ...filters('x')])}
),
counted AS (
  SELECT _g, sum(n) AS cases, sum(CASE WHEN ${failing} THEN 0 ELSE n END) AS complete,
    ${figures.map((f) => `sum(CASE WHEN ${f} THEN n ELSE 0 END) AS ${f}`).join(', ')},
    sum(CASE WHEN _single THEN n ELSE 0 END) AS single_clients
  FROM units
  GROUP BY _g
),
several AS (
  SELECT _g, count(*) AS clients
  FROM (SELECT ${dim('x')} AS _g, x.client_no FROM kpi_fact_doc_cases x ${where([`NOT ${single}`, `x.opened_at <= ${asOf}`, ...filters('x')])} GROUP BY ALL)
  GROUP BY _g
),
everyone AS (
  ${filters('x').length === 0
    ? // every case is in scope: every client with a case
      `SELECT ${q.p('caseClients', ctx.facts?.documentation?.caseClients ?? 0)}::INTEGER AS clients`
    : `SELECT coalesce(bit_count(bitstring_agg(x.client_no, 1, ${q.p('clients', Math.max(1, ctx.facts?.clients ?? 1))})), 0) AS clients
  FROM kpi_fact_doc_cases x
  ${where([`x.opened_at <= ${asOf}`, ...filters('x')])}`}
),
agg AS (
  ${p.by === 'none' ? totalRow : `${groupRows}\n  UNION ALL\n  ${totalRow}`}
)
${labelledSelect(p.by, { rate: 'complete / nullif(cases, 0)' })}`;
      // the listing, from its own table (in list order): whether a case fails is one column for
      // the settled ones; without filters, only the first `limit` settled failing cases
      // (s_fail_rank) can be listed, with the recent cases
      const listed = `  SELECT x.case_no, x.list_order,
    ${byCase('fail_baseline', failBaseline)}, ${byCase('fail_goal', failGoal)},
    ${byCase('fail_notes', notesDecided)}, ${byCase('fail_closure', closure)}
  FROM kpi_fact_doc_list x
  ${where([
    `x.opened_at <= ${asOf}`,
    ...filters('x'),
    ...(filters('x').length === 0 ? [`(x.s_fail_rank <= ${limit} OR x.settled_at > ${settled})`] : []),
    `CASE WHEN x.settled_at <= ${settled} THEN x.s_failing ELSE ${[failBaseline, failGoal, notesDecided, closure].map((e) => `(${e})`).join(' OR ')} END`,
  ])}
  -- list_order: by manager, opening day, case id (kpi_fact_doc_cases)
  ORDER BY x.list_order
  LIMIT ${limit}`;
      return { sql: `WITH ${tail(grouped, listed)}`, args: q.args, argNames: q.names };
    }
    const sql = `WITH scope AS (
  SELECT x.case_no, x.client_no, x.list_order, ${factDim(p.by, 'x')} AS _g,
    ${single} AS _single,
    ${failBaseline} AS fail_baseline,
    ${failGoal} AS fail_goal,
    ${closure} AS fail_closure,
    ${notesDecided} AS notes_decided
  FROM kpi_fact_doc_cases x
  ${where(scopeConds)}
),
some_missing AS (
  SELECT z.case_no, ${missing} AS missing
  FROM kpi_fact_doc_late z
  WHERE z.case_no IN (SELECT case_no FROM scope WHERE notes_decided IS NULL)
),
checked AS (
  SELECT s.*,
    coalesce(s.notes_decided, m.missing > 0, false) AS fail_notes,
    NOT (s.fail_baseline OR s.fail_goal OR s.fail_closure OR fail_notes) AS complete
  FROM scope s LEFT JOIN some_missing m ON m.case_no = s.case_no
),
${tail(
  factGroupedSql(
    q,
    '  SELECT * FROM checked',
    {
      counts: { cases: 'true', complete: 'complete', ...Object.fromEntries(RULES.map((r) => [`fail_${r}`, `fail_${r}`])) },
      clients: {
        clients: 'true',
        complete_clients: 'complete',
        incomplete_clients: 'NOT complete',
        ...Object.fromEntries(RULES.flatMap((r) => [[`fail_${r}_clients`, `fail_${r}`], [`pass_${r}_clients`, `NOT fail_${r}`]])),
      },
      derived: { rate: 'complete / nullif(cases, 0)' },
    },
    p.by,
    ctx,
    { singleColumn: '_single' },
  ),
  `  SELECT * FROM checked
  WHERE NOT complete
  -- list_order: by manager, opening day, case id (kpi_fact_doc_cases)
  ORDER BY list_order
  LIMIT ${limit}`,
)}`;
    return { sql, args: q.args, argNames: q.names };
  },
  async compute(ctx, p) {
    const { sql, args } = this.sql(p, ctx);
    const all = await queryRows(ctx.db, sql, args, 'documentation-completeness query failed');
    const grouped = all.filter((r) => r.is_case === false).map(({ is_case: _k, detail: _d, ord: _o, ...r }) => r);
    grouped.sort((a, b) => Number(b.is_total) - Number(a.is_total) || String(a.label ?? '~').localeCompare(String(b.label ?? '~')) || String(a.group_id ?? '').localeCompare(String(b.group_id ?? '')));
    const rows = labelRows(grouped, p.by);
    const failing = all.filter((r) => r.is_case === true).sort((a, b) => num(a.ord) - num(b.ord)).map((r) => JSON.parse(r.detail as string) as KpiRow); // JSON text: far cheaper to read than a STRUCT
    const total = rows[0];
    const nFailing = num(total?.cases) - num(total?.complete);
    const notes: string[] = [];
    if (num(total?.cases) === 0) notes.push('no cases were open in the period');
    if (nFailing > failing.length) notes.push(`listing ${failing.length} of ${nFailing} failing cases (raise --limit, or filter by --manager)`);
    return { rows, details: { title: 'Failing cases', columns: detailColumns, rows: failing }, notes };
  },
};
