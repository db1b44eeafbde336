/** Goal (outcome) achievement rate. */
import { clean, col, FILTER_TEXT, hidden, num, resolveBase, type BaseParams } from '../common.ts';
import { factDim, factGroupedSql, GROUP_COLUMNS, labelRows } from '../group.ts';
import { queryRows } from '../query.ts';
import { P } from '../params.ts';
import { caseFilters, dateInPeriod, SqlArgs, where } from '../sql.ts';
import type { KpiDefinition } from '../types.ts';

interface GoalParams extends BaseParams {
  domain?: string | undefined;
}

export const goalAchievement: KpiDefinition<GoalParams> = {
  id: 'goal-achievement',
  title: 'Goal achievement rate',
  summary: 'goals achieved ÷ goals with a final status (achieved or not achieved) in the period, by domain',
  audience: ['funder', 'evaluator', 'manager'],
  definition: {
    formula: 'rate = achieved ÷ goals',
    numerator: 'goals whose status is an achieved status (config `kpi.goals.achievedStatuses`, default `achieved`)',
    denominator: 'goals whose status is final: achieved, or a not-achieved status (config `kpi.goals.notAchievedStatuses`, default `not_achieved`)',
    population: 'Goals of cases in scope with a final status whose final date falls in the period.',
    period:
      'by the final date: `achieved_at` for achieved goals (else the case\'s `closed_at`, else `target_at`); for goals not achieved, the case\'s `closed_at`, else the goal\'s `target_at`; the final date must not be after the as-of date. No period: every goal with a final status, dated (up to the as-of date) or not.',
    exclusions: [
      'goals still open (`active`) and withdrawn goals (any status not listed as final): a withdrawn goal is neither success nor failure',
      'with a period: goals with a final status but no date at all (counted in the notes)',
      FILTER_TEXT,
    ],
    ties: 'none: counts.',
    missing: 'a goal with no domain is grouped under "No domain".',
  },
  params: [P.from, P.to, P.asOf, P.program, P.manager, P.caseType, P.domain, P.by(['domain', 'program', 'manager', 'case_type'], 'domain')],
  groupings: { options: ['domain', 'program', 'manager', 'case_type'], default: 'domain' },
  columns: [
    ...GROUP_COLUMNS,
    col('goals', 'Goals with a final status', 'int', 'denominator'),
    col('clients', 'Clients', 'int', 'distinct clients with such goals'),
    col('achieved', 'Achieved', 'int', 'numerator'),
    col('rate', 'Achievement rate', 'number', 'achieved ÷ goals', { unit: 'share' }),
    hidden('achieved_clients', 'distinct clients with an achieved goal'),
    hidden('not_achieved_clients', 'distinct clients with a goal not achieved'),
  ],
  disclosure: {
    cells: [
      { name: 'goals', count: 'goals', clients: 'clients', columns: ['goals', 'clients'] },
      { name: 'achieved', count: 'achieved', clients: 'achieved_clients', columns: ['achieved', 'rate'] },
      { name: 'not_achieved', count: (r) => num(r.goals) - num(r.achieved), clients: 'not_achieved_clients', columns: [] },
    ],
    lines: [{ total: 'goals', parts: ['achieved', 'not_achieved'] }],
    additiveGroups: () => true,
  },
  resolve(raw, ctx) {
    const base = resolveBase(raw, ctx, 'domain');
    return clean({ ...base, domain: raw.domain as string | undefined });
  },
  usesFacts: true,
  sql(p, ctx) {
    const q = new SqlArgs();
    // kpi_fact_goals holds the goals with a final status and their final date (see facts.ts)
    const periodGiven = p.from !== undefined || p.to !== undefined;
    const conds = [
      ...dateInPeriod(q, 'x.final_at', p),
      `(x.final_at IS NULL OR x.final_at <= ${q.date('asOf', p.asOf)})`,
      ...(periodGiven ? ['x.final_at IS NOT NULL'] : []),
      ...caseFilters(q, p, 'x'),
      ...(p.domain !== undefined ? [`x.domain_id = ${q.p('domain', p.domain)}`] : []),
    ];
    const base = `  SELECT x.client_no, ${factDim(p.by, 'x')} AS _g, x.ok
  FROM kpi_fact_goals x
  ${where(conds)}`;
    const sql = factGroupedSql(
      q,
      base,
      {
        counts: { goals: 'true', achieved: 'ok' },
        clients: { clients: 'true', achieved_clients: 'ok', not_achieved_clients: 'NOT ok' },
        derived: { rate: 'achieved / nullif(goals, 0)' },
      },
      p.by,
      ctx,
    );
    return { sql, args: q.args, argNames: q.names };
  },
  async compute(ctx, p) {
    const { sql, args } = this.sql(p, ctx);
    const rows = labelRows(await queryRows(ctx.db, sql, args, 'goal-achievement query failed'), p.by, ctx.framework);
    const notes: string[] = [];
    if (p.from !== undefined || p.to !== undefined) {
      const q = new SqlArgs();
      const a = q.list('a', [...ctx.config.goals.achievedStatuses, ...ctx.config.goals.notAchievedStatuses]);
      const undated = await ctx.db.value<number>(
        `SELECT count(*) FROM goals g JOIN cases c ON c.case_id = g.case_id
         WHERE list_contains(${a}, g.status) AND g.achieved_at IS NULL AND c.closed_at IS NULL AND g.target_at IS NULL
           ${[...caseFilters(q, p), ...(p.domain !== undefined ? [`g.domain_id = ${q.p('domain', p.domain)}`] : [])].map((x) => `AND ${x}`).join(' ')}`,
        q.args,
      );
      if (undated > 0) notes.push(`${undated} goal(s) with a final status but no date were left out of the period`);
    }
    if (num(rows[0]?.goals) === 0) notes.push('no goals reached a final status in the period');
    return { rows, notes };
  },
};
