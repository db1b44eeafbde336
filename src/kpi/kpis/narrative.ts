/** Narrative evidence per domain, from note tags that carry at least one verified citation. */
import { clean, col, FILTER_TEXT, hidden, num, resolveBase, type BaseParams } from '../common.ts';
import { DOC_FACTS, GROUP_COLUMNS, useClientBitmaps } from '../group.ts';
import { P } from '../params.ts';
import { queryRows } from '../query.ts';
import { caseFilters, dateInPeriod, SqlArgs, where } from '../sql.ts';
import type { KpiDefinition, KpiRow } from '../types.ts';

interface NarrativeParams extends BaseParams {
  domain?: string | undefined;
  scorer?: string | undefined;
}

const DIRECTIONS = ['strength', 'concern', 'improvement', 'deterioration'] as const;

export const narrativeEvidence: KpiDefinition<NarrativeParams> = {
  id: 'narrative-evidence',
  title: 'Narrative evidence',
  summary: 'per domain: share of active clients with cited strength / concern / improvement / deterioration evidence in notes of the period',
  audience: ['funder', 'evaluator', 'manager'],
  definition: {
    formula: 'share_<direction> = clients with evidence of that direction in the domain ÷ active clients',
    numerator:
      'distinct active clients with at least one tag in the domain and direction, on a note of one of their cases in scope written in the period, whose status counts as evidence (config `kpi.narrative.statuses`, default `current`) and which has at least one stored citation',
    denominator: 'active clients: distinct clients with a case in scope open at some time in the period (the same for every domain)',
    population: 'Active clients; evidence from `note_tags` joined to `tag_citations` and `notes`.',
    period: 'active: opened_at ≤ min(to, as-of) and (closed_at ≥ from or still open); evidence: notes written from `from` 00:00 to the end of `to`, and not after the as-of day.',
    exclusions: [
      'tags without any citation (the evidence could not be found in the note)',
      'historical and negated mentions (statuses other than those configured)',
      'notes of cases outside the filters or not open in the period',
      FILTER_TEXT,
    ],
    ties: 'a client counts once per domain and direction however many tags or notes support it. The "Any domain" row counts clients with that direction in at least one domain.',
    missing: 'with no scored notes (empty note_tags) every share is 0 and the note says so. Tags from several scoring runs of the same note count once per client.',
  },
  params: [P.from, P.to, P.asOf, P.program, P.manager, P.caseType, P.domain, P.scorer],
  columns: [
    ...GROUP_COLUMNS,
    col('active_clients', 'Active clients', 'int', 'denominator'),
    ...DIRECTIONS.flatMap((d) => [
      col(`clients_${d}`, `Clients with ${d}`, 'int', `numerator: active clients with cited ${d} evidence`),
      col(`share_${d}`, `Share ${d}`, 'number', `clients_${d} ÷ active_clients`, { unit: 'share' }),
    ]),
    ...DIRECTIONS.map((d) => hidden(`no_${d}`, `active clients without ${d} evidence`)),
  ],
  disclosure: {
    cells: [
      { name: 'active', count: 'active_clients', clients: 'active_clients', columns: ['active_clients'] },
      ...DIRECTIONS.flatMap((d) => [
        { name: d, count: `clients_${d}`, clients: `clients_${d}`, columns: [`clients_${d}`, `share_${d}`] },
        { name: `no_${d}`, count: (r: KpiRow) => num(r.active_clients) - num(r[`clients_${d}`]), clients: `no_${d}`, columns: [] },
      ]),
    ],
    lines: DIRECTIONS.map((d) => ({ total: 'active', parts: [d, `no_${d}`] })),
    additiveGroups: () => false,
  },
  resolve(raw, ctx) {
    const base = resolveBase(raw, ctx, 'domain');
    return clean({ ...base, by: 'domain', domain: raw.domain as string | undefined, scorer: raw.scorer as string | undefined }) as NarrativeParams;
  },
  usesFacts: true,
  sql(p, ctx) {
    const q = new SqlArgs();
    const asOf = q.date('asOf', p.asOf);
    const active = (a: string) => [
      `${a}.opened_at <= ${asOf}`,
      ...(p.to !== undefined ? [`${a}.opened_at <= ${q.date('to', p.to)}`] : []),
      ...(p.from !== undefined ? [`coalesce(${a}.closed_at, 'infinity'::DATE) >= ${q.date('from', p.from)}`] : []),
      ...caseFilters(q, p, a),
    ];
    // kpi_fact_evidence: one row per case, domain, direction, scorer and day with a cited tag
    // whose status counts as evidence
    const evidence = [
      ...active('e'),
      ...dateInPeriod(q, 'e.day', p),
      `e.day <= ${asOf}`,
      ...(p.domain !== undefined ? [`e.domain_id = ${q.p('domain', p.domain)}`] : []),
      ...(p.scorer !== undefined ? [`e.scorer = ${q.p('scorer', p.scorer)}`] : []),
    ];
    const facts = ctx.facts ?? DOC_FACTS;
    const pivot = (src: string) => DIRECTIONS.map((d) => `coalesce(max(${src}) FILTER (WHERE direction = '${d}'), 0)::INTEGER AS clients_${d}`).join(',\n    ');
    // one bitmap per domain and direction, and per direction for "any domain"
    const perDomain =
      useClientBitmaps(facts, (facts.groups.domain ?? 20) * DIRECTIONS.length + DIRECTIONS.length, 1)
        ? // distinct clients per domain and direction as client bitmaps; "any domain" ORs them
          `ev AS (
  SELECT e.domain_id, e.direction, bitstring_agg(e.client_no, 1, ${q.p('clients', Math.max(1, facts.clients))}) AS b
  FROM kpi_fact_evidence e
  ${where(evidence)}
  GROUP BY e.domain_id, e.direction
),
counted AS (
  SELECT false AS is_total, domain_id, direction, bit_count(b) AS n FROM ev
  UNION ALL
  SELECT true, NULL, direction, bit_count(bit_or(b)) FROM ev GROUP BY direction
)`
        : `ev AS (
  SELECT DISTINCT e.domain_id, e.direction, e.client_no
  FROM kpi_fact_evidence e
  ${where(evidence)}
),
counted AS (
  SELECT false AS is_total, domain_id, direction, count(*) AS n FROM ev GROUP BY domain_id, direction
  UNION ALL
  SELECT true, NULL, direction, count(DISTINCT client_no) FROM ev GROUP BY direction
)`;
    const sql = `WITH ${perDomain},
per AS (
  SELECT is_total, domain_id,
    ${pivot('n')}
  FROM counted
  GROUP BY is_total, domain_id
),
denominator AS (SELECT count(DISTINCT x.client_no) AS active_clients FROM kpi_fact_cases x ${where(active('x'))})
-- the denominator row comes back even when no evidence does (then is_total is null)
SELECT per.is_total, per.domain_id::VARCHAR AS group_id, d.active_clients,
  ${DIRECTIONS.map((x) => `per.clients_${x}, per.clients_${x} / nullif(d.active_clients, 0) AS share_${x}`).join(',\n  ')}
FROM denominator d LEFT JOIN per ON true
ORDER BY is_total DESC, group_id`;
    return { sql, args: q.args, argNames: q.names };
  },
  async compute(ctx, p) {
    const { sql, args } = this.sql(p, ctx);
    const raw = await queryRows(ctx.db, sql, args, 'narrative-evidence query failed');
    const active = num(raw[0]?.active_clients);
    const found = new Map(raw.filter((r) => r.is_total === false).map((r) => [r.group_id as string, r]));
    // every framework domain gets a row, evidence or not
    const ids = new Set<string>([...(p.domain !== undefined ? [p.domain] : (ctx.framework?.domains.map((d) => d.id) ?? [])), ...found.keys()]);
    const name = (id: string) => ctx.framework?.domains.find((d) => d.id === id)?.name ?? id;
    const zero = (): Record<string, unknown> => Object.fromEntries(DIRECTIONS.flatMap((d) => [[`clients_${d}`, 0], [`share_${d}`, active > 0 ? 0 : null]]));
    const total = raw.find((r) => r.is_total === true);
    const pick = (r: Record<string, unknown> | undefined) =>
      r ? Object.fromEntries(DIRECTIONS.flatMap((d) => [[`clients_${d}`, num(r[`clients_${d}`])], [`share_${d}`, r[`share_${d}`] ?? null]])) : zero();
    const rows: KpiRow[] = [
      { group_by: 'domain', group_id: null, group: 'Any domain', is_total: true, active_clients: active, ...pick(total) } as KpiRow,
      ...[...ids]
        .sort((a, b) => name(a).localeCompare(name(b)))
        .map((id) => ({ group_by: 'domain', group_id: id, group: name(id), is_total: false, active_clients: active, ...pick(found.get(id)) }) as KpiRow),
    ];
    // disclosure needs the complement counts; they are derivable, never shown
    for (const r of rows) for (const d of DIRECTIONS) r[`no_${d}`] = active - num(r[`clients_${d}`]);
    const notes: string[] = [];
    const tags = await ctx.db.value<number>('SELECT count(*) FROM note_tags');
    if (tags === 0) notes.push('no notes have been scored yet (note_tags is empty): run the scorer first');
    if (active === 0) notes.push('no clients were active in the period');
    return { rows, notes };
  },
};
