/** Documentation completeness against configurable record rules, with the failing cases listed. */
import { z } from 'zod';
import { clean, col, FILTER_TEXT, hidden, num, resolveBase, type BaseParams } from '../common.ts';
import { DIMENSIONS, GROUP_COLUMNS, labelRows } from '../group.ts';
import { P } from '../params.ts';
import { queryRows } from '../query.ts';
import { caseFilters, isoDay, SqlArgs, where } from '../sql.ts';
import type { ColumnSpec, KpiDefinition, KpiRow } from '../types.ts';

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
  sql(p, ctx) {
    const q = new SqlArgs();
    const asOf = q.date('asOf', p.asOf);
    const nb = `${q.p('baselineWithinDays', p.baselineWithinDays)}::INTEGER`;
    const ng = `${q.p('goalWithinDays', p.goalWithinDays)}::INTEGER`;
    const nn = `${q.p('noteAfterServiceDays', p.noteAfterServiceDays)}::INTEGER`;
    const delivered = q.list('deliveredStatuses', ctx.config.services.deliveredStatuses);
    const instruments = ctx.config.documentation.baselineInstruments;
    const instrumentCond = instruments.length ? `AND list_contains(${q.list('baselineInstruments', instruments)}, a.instrument_id)` : '';
    const dim = p.by === 'none' ? 'NULL' : DIMENSIONS[p.by]!.expr;
    const lastOpen = p.to !== undefined ? `least(${q.date('to', p.to)}, ${asOf})` : asOf;
    const filters = caseFilters(q, p);
    const scopeConds = [`c.opened_at <= ${lastOpen}`, ...(p.from !== undefined ? [`coalesce(c.closed_at, 'infinity'::DATE) >= ${q.date('from', p.from)}`] : []), ...filters];
    // Goals, notes and services of cases outside the scope drop out at the final join to the
    // scope; pre-filtering them only pays when a filter makes the scope small.
    const inScope = (col: string) => (filters.length ? [`${col} IN (SELECT case_id FROM scope)`] : []);
    const svcConds = [
      `list_contains(${delivered}, s.status)`,
      's.delivered_at IS NOT NULL',
      `s.delivered_at::DATE + ${nn} <= ${asOf}`,
      ...(p.from !== undefined ? [`s.delivered_at >= ${q.date('from', p.from)}`] : []),
      ...(p.to !== undefined ? [`s.delivered_at < ${q.date('to', p.to)} + 1`] : []),
    ];
    const closure = p.requireClosureReason
      ? `c.closed_at IS NOT NULL AND c.closed_at <= ${asOf} AND nullif(trim(c.closure_reason), '') IS NULL`
      : 'false';
    const label = p.by !== 'none' && DIMENSIONS[p.by]!.labels
      ? `(SELECT ${DIMENSIONS[p.by]!.labels!.name} FROM ${DIMENSIONS[p.by]!.labels!.table} WHERE ${DIMENSIONS[p.by]!.labels!.id} = _g)`
      : '_g';
    const sql = `WITH scope AS (
  SELECT c.case_id, c.client_id, c.program_id, c.manager_id, c.opened_at, c.closed_at, ${dim} AS _g,
         ${closure} AS fail_closure
  FROM cases c
  ${where(scopeConds)}
),
baseline_ok AS (
  SELECT DISTINCT a.case_id
  FROM assessments a JOIN scope s ON s.case_id = a.case_id
  WHERE a.administered_at BETWEEN s.opened_at - ${nb} AND s.opened_at + ${nb} AND a.administered_at <= ${asOf} ${instrumentCond}
),
goal_ok AS (
  SELECT DISTINCT g.case_id FROM goals g
  ${where([...inScope('g.case_id'), `(g.set_at IS NULL OR g.set_at <= ${asOf})`])}
),
note_days AS (
  -- one row per case and day with a note, and the last note time that day
  SELECT n.case_id, n.written_at::DATE AS day, max(n.written_at) AS last_at
  FROM notes n
  ${where(inScope('n.case_id'))}
  GROUP BY n.case_id, n.written_at::DATE
),
svc_missing AS (
  -- a delivered service is documented when some note on its case is written at or after the
  -- delivery and on or before the delivery day + N: a note day in [day, day + N] whose last
  -- note is not before the delivery time
  SELECT s.case_id, count(*) AS missing
  FROM services s
  LEFT JOIN note_days d
    ON d.case_id = s.case_id AND d.day >= s.delivered_at::DATE AND d.day <= s.delivered_at::DATE + ${nn} AND d.last_at >= s.delivered_at
  ${where([...svcConds, ...inScope('s.case_id'), 'd.case_id IS NULL'])}
  GROUP BY s.case_id
),
checked AS MATERIALIZED (
  SELECT s.*,
         b.case_id IS NULL AND s.opened_at + ${nb} <= ${asOf} AS fail_baseline,
         g.case_id IS NULL AND s.opened_at + ${ng} <= ${asOf} AS fail_goal,
         coalesce(m.missing, 0) > 0 AS fail_notes,
         coalesce(m.missing, 0) AS services_without_note
  FROM scope s
  LEFT JOIN baseline_ok b ON b.case_id = s.case_id
  LEFT JOIN goal_ok g ON g.case_id = s.case_id
  LEFT JOIN svc_missing m ON m.case_id = s.case_id
),
pc AS (
  SELECT ${p.by === 'none' ? 'true AS is_total, NULL AS _g' : 'grouping(_g) = 1 AS is_total, _g'}, client_id,
    count(*) AS n,
    count(*) FILTER (WHERE NOT (fail_baseline OR fail_goal OR fail_notes OR fail_closure)) AS n_complete,
    ${RULES.map((r) => `count(*) FILTER (WHERE fail_${r}) AS n_fail_${r}`).join(',\n    ')}
  FROM checked
  GROUP BY ${p.by === 'none' ? 'client_id' : 'GROUPING SETS ((client_id), (_g, client_id))'}
),
agg AS (
  SELECT is_total, _g,
    coalesce(sum(n), 0)::INTEGER AS cases,
    count(*)::INTEGER AS clients,
    coalesce(sum(n_complete), 0)::INTEGER AS complete,
    sum(n_complete) / nullif(sum(n), 0) AS rate,
    (count(*) FILTER (WHERE n_complete > 0))::INTEGER AS complete_clients,
    (count(*) FILTER (WHERE n_complete < n))::INTEGER AS incomplete_clients,
    ${RULES.map((r) => `coalesce(sum(n_fail_${r}), 0)::INTEGER AS fail_${r}, (count(*) FILTER (WHERE n_fail_${r} > 0))::INTEGER AS fail_${r}_clients, (count(*) FILTER (WHERE n_fail_${r} < n))::INTEGER AS pass_${r}_clients`).join(',\n    ')}
  FROM pc
  GROUP BY is_total, _g
  UNION ALL
  SELECT true, NULL, 0, 0, 0, NULL, 0, 0, ${RULES.map(() => '0, 0, 0').join(', ')}
  WHERE NOT EXISTS (SELECT 1 FROM pc)
)
SELECT 'row' AS kind, agg.* EXCLUDE (_g), _g AS group_id, ${label} AS label, NULL AS detail FROM agg
UNION ALL BY NAME
SELECT 'case' AS kind, {
    'case_id': case_id, 'program_id': program_id, 'manager_id': manager_id,
    'opened_at': ${isoDay('opened_at')}, 'closed_at': ${isoDay('closed_at')},
    'failed': list_filter(['baseline', 'goal', 'notes', 'closure'], (r, i) -> [fail_baseline, fail_goal, fail_notes, fail_closure][i]),
    'services_without_note': services_without_note
  } AS detail
FROM (
  SELECT * FROM checked
  WHERE fail_baseline OR fail_goal OR fail_notes OR fail_closure
  ORDER BY manager_id NULLS FIRST, opened_at, case_id
  LIMIT ${q.p('limit', p.limit)}
)`;
    return { sql, args: q.args, argNames: q.names };
  },
  async compute(ctx, p) {
    const { sql, args } = this.sql(p, ctx);
    const all = await queryRows(ctx.db, sql, args, 'documentation-completeness query failed');
    const grouped = all.filter((r) => r.kind === 'row').map(({ kind: _k, detail: _d, ...r }) => r);
    grouped.sort((a, b) => Number(b.is_total) - Number(a.is_total) || String(a.label ?? '~').localeCompare(String(b.label ?? '~')) || String(a.group_id ?? '').localeCompare(String(b.group_id ?? '')));
    const rows = labelRows(grouped, p.by);
    const failing = all.filter((r) => r.kind === 'case').map((r) => r.detail as KpiRow);
    const total = rows[0];
    const nFailing = num(total?.cases) - num(total?.complete);
    const notes: string[] = [];
    if (num(total?.cases) === 0) notes.push('no cases were open in the period');
    if (nFailing > failing.length) notes.push(`listing ${failing.length} of ${nFailing} failing cases (raise --limit, or filter by --manager)`);
    return { rows, details: { title: 'Failing cases', columns: detailColumns, rows: failing }, notes };
  },
};
