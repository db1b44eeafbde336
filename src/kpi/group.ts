/**
 * Grouping: every grouped KPI returns a total row (`is_total`) and one row per group, from one
 * query (`GROUPING SETS ((), (g))`), so the total and the groups can never disagree.
 */
import type { Framework } from '../frameworks/index.ts';
import type { FactsInfo } from './facts.ts';
import type { SqlArgs } from './sql.ts';
import type { ColumnSpec, KpiContext, KpiRow } from './types.ts';

export interface Dimension {
  /** label source: a table with (id, name), joined after aggregation */
  labels?: { table: string; id: string; name: string };
  /** label when the value is missing */
  none: string;
  /** what one group is, for the docs */
  noun: string;
  /** the column holding it in the KPI facts */
  column: string;
}

export const DIMENSIONS: Record<string, Dimension> = {
  program: { labels: { table: 'programs', id: 'program_id', name: 'name' }, none: 'No programme', noun: 'programme', column: 'program_id' },
  manager: { labels: { table: 'staff', id: 'staff_id', name: 'name' }, none: 'Unassigned', noun: 'case manager', column: 'manager_id' },
  case_type: { none: 'No case type', noun: 'case type', column: 'case_type' },
  domain: { none: 'No domain', noun: 'framework domain', column: 'domain_id' },
  service_type: { none: 'No service type', noun: 'service type', column: 'service_type' },
  followup_type: { none: 'No follow-up type', noun: 'follow-up type', column: 'followup_type' },
};

/** The group value of a fact row (`NULL` when ungrouped). */
export function factDim(by: string, alias?: string): string {
  if (by === 'none') return 'NULL';
  const dim = DIMENSIONS[by];
  if (!dim) throw new Error(`unknown grouping ${by}`);
  return alias ? `${alias}.${dim.column}` : dim.column;
}

/** Facts info for documentation: the SQL shape with the bitmap strategy. */
export const DOC_FACTS: FactsInfo = { clients: 0, groups: {} };

export const GROUP_COLUMNS: ColumnSpec[] = [
  { name: 'group_by', label: 'Grouped by', type: 'text', description: 'the grouping dimension (`all` when ungrouped)', dimension: true },
  { name: 'group_id', label: 'Group id', type: 'text', description: 'id of the group (programme id, staff id, case type, domain…); null for the total row and for records without a value', dimension: true },
  { name: 'group', label: 'Group', type: 'text', description: 'readable name of the group; `All` for the total row', dimension: true },
  { name: 'is_total', label: 'Total row', type: 'bool', description: 'true for the row covering every group', dimension: true },
];

/**
 * Wraps a base query (which must select a column `_g`, the group value) into the grouped
 * result: total row first, then groups by label. `aggs` are "expr AS name" items.
 */
export function groupedSql(base: string, aggs: string[], by: string): string {
  if (by === 'none') {
    return `WITH base AS (\n${base}\n)\nSELECT true AS is_total, NULL::VARCHAR AS group_id, NULL::VARCHAR AS label,\n  ${aggs.join(',\n  ')}\nFROM base`;
  }
  const dim = DIMENSIONS[by];
  if (!dim) throw new Error(`unknown grouping ${by}`);
  const label = dim.labels
    ? `(SELECT ${dim.labels.name} FROM ${dim.labels.table} WHERE ${dim.labels.id} = agg.group_id)`
    : 'agg.group_id';
  return `WITH base AS (\n${base}\n),\nagg AS (\n  SELECT grouping(_g) = 1 AS is_total, _g AS group_id,\n  ${aggs.join(',\n  ')}\n  FROM base\n  GROUP BY GROUPING SETS ((), (_g))\n)\nSELECT agg.*, ${label} AS label\nFROM agg\nORDER BY is_total DESC, label NULLS LAST, group_id NULLS LAST`;
}

/** Adds the group columns to rows returned by `groupedSql`. */
export function labelRows(rows: Array<Record<string, unknown>>, by: string, framework?: Framework): KpiRow[] {
  const dim = DIMENSIONS[by];
  const domainName = (id: string) => framework?.domains.find((d) => d.id === id)?.name;
  const out = rows.map((r) => {
    const { is_total, group_id, label, ...rest } = r;
    const total = Boolean(is_total);
    const gid = (group_id ?? null) as string | null;
    let name: string;
    if (total) name = 'All';
    else if (gid === null) name = dim?.none ?? 'None';
    else name = (by === 'domain' ? domainName(gid) : undefined) ?? (label as string | null) ?? gid;
    return { group_by: total && by === 'none' ? 'all' : by, group_id: total ? null : gid, group: name, is_total: total, ...rest } as KpiRow;
  });
  if (by === 'domain') {
    // labels may come from the framework, so sort again (total first)
    out.sort((a, b) => Number(b.is_total) - Number(a.is_total) || String(a.group).localeCompare(String(b.group)));
  }
  return out;
}

/** A measure of `factGroupedSql`: summed per group, or a count of distinct clients. */
export interface FactMeasures {
  /** name → condition over a base row: the rows counted per group ('true': all of them) */
  counts?: Record<string, string>;
  /** name → numeric expression over a base row, summed per group (0 when there is nothing to add up) */
  sums?: Record<string, string>;
  /** name → condition over a base row: the distinct clients with at least one such row */
  clients: Record<string, string>;
  /** name → expression over the sums and client counts (computed after grouping) */
  derived?: Record<string, string>;
}

/** Bytes of client bitmaps one grouped query may hold before distinct clients are hashed instead. */
export const CLIENT_BITMAP_BUDGET = 4 * 2 ** 20;

/** Whether `groups` groups × `measures` distinct-client counts fit in bitmaps within the budget. */
export function useClientBitmaps(facts: FactsInfo, groups: number, measures: number): boolean {
  return groups * measures * (facts.clients / 8 + 16) <= CLIENT_BITMAP_BUDGET;
}

/**
 * Groups fact rows (which must select `client_no`, the dense client number from the KPI facts,
 * and `_g`, the group value) into a total row and one row per group, from one query.
 *
 * Distinct clients are counted with one bitmap per group and measure (`bitstring_agg` over the
 * client numbers; the total row ORs the groups' bitmaps), which costs no hashing at all, unless
 * the bitmaps would take more than CLIENT_BITMAP_BUDGET (many groups, many clients): then per
 * (group, client) rows are aggregated in two stages. Both give the same figures (tested).
 */
export function factGroupedSql(
  q: SqlArgs,
  base: string,
  m: FactMeasures,
  by: string,
  /** the KPI's context: facts sizes (documentation falls back to DOC_FACTS) and hidden columns to skip */
  ctx: Pick<KpiContext, 'facts' | 'skip'>,
  opts: {
    /** a base column: true when the row is the only one of its (group, client) pair in the whole facts */
    singleColumn?: string | undefined;
  } = {},
): string {
  const facts = ctx.facts ?? DOC_FACTS;
  const dim = by === 'none' ? undefined : DIMENSIONS[by];
  if (by !== 'none' && !dim) throw new Error(`unknown grouping ${by}`);
  // counts and sums are kept as DOUBLE between the stages: DuckDB adds integers up in 128 bits,
  // several times slower, and every figure here is far below 2^53
  const sums: Array<[string, string]> = [
    ...Object.entries(m.counts ?? {}).map(([n, cond]): [string, string] => [n, cond === 'true' ? '1.0' : `(${cond})::DOUBLE`]),
    ...Object.entries(m.sums ?? {}).map(([n, e]): [string, string] => [n, `(${e})::DOUBLE`]),
  ];
  const isCount = new Set(Object.keys(m.counts ?? {}));
  // counts leave as INTEGER: a BIGINT arrives in JS as a BigInt, which costs far more to read
  const out = (n: string, e: string) => (isCount.has(n) ? `(${e})::INTEGER` : e);
  const clients = Object.entries(m.clients).filter(([name]) => !ctx.skip?.has(name));
  const groups = by === 'none' ? 1 : (facts.groups[by] ?? 1_000) + 1;
  const strategy = useClientBitmaps(facts, groups, clients.length) ? 'bitmap' : 'hash';
  const filter = (cond: string) => (cond === 'true' ? '' : ` FILTER (WHERE ${cond})`);
  let agg: string;
  if (strategy === 'bitmap') {
    // bitstring_agg needs the range of its values; client numbers run 1…clients
    const range = `1, ${q.p('clients', Math.max(1, facts.clients))}`;
    const perGroup = [
      ...sums.map(([name, e]) => `sum(${e}) AS ${name}`),
      ...clients.map(([name, cond]) => `bitstring_agg(client_no, ${range})${filter(cond)} AS ${name}`),
    ];
    const groupRows = `SELECT false AS is_total, _g AS group_id,
    ${[...sums.map(([n]) => `${out(n, `coalesce(${n}, 0)`)} AS ${n}`), ...clients.map(([n]) => `coalesce(bit_count(${n}), 0)::INTEGER AS ${n}`)].join(',\n    ')}
  FROM g`;
    const totalRow = `SELECT true AS is_total, NULL AS group_id,
    ${[...sums.map(([n]) => `${out(n, `coalesce(sum(${n}), 0)`)} AS ${n}`), ...clients.map(([n]) => `coalesce(bit_count(bit_or(${n})), 0)::INTEGER AS ${n}`)].join(',\n    ')}
  FROM g`;
    agg = `g AS (
  SELECT _g,
    ${perGroup.join(',\n    ')}
  FROM base
  GROUP BY _g
),
agg AS (
  ${by === 'none' ? totalRow : `${groupRows}\n  UNION ALL\n  ${totalRow}`}
)`;
  } else {
    // sums straight per group; distinct clients from one row per (group, client) and one per client
    const flags = clients.map(([name, cond]) => (cond === 'true' ? `true AS ${name}` : `bool_or(${cond}) AS ${name}`));
    const counted = clients.map(([n]) => `count(*) FILTER (WHERE ${n}) AS ${n}`);
    const perGroup = `g AS (
  SELECT _g,
    ${[...sums.map(([n, e]) => `sum(${e}) AS ${n}`), 'count(*) AS _rows'].join(',\n    ')}
  FROM base
  GROUP BY _g
),
gc AS (
  SELECT _g, ${counted.length ? counted.join(', ') : 'NULL AS _none'}
  FROM (${
    opts.singleColumn
      ? // rows that are their (group, client) pair's only row in the facts need no hashing
        `SELECT _g, client_no${clients.length ? `, ${clients.map(([n, cond]) => `${cond} AS ${n}`).join(', ')}` : ''} FROM base WHERE ${opts.singleColumn}
    UNION ALL
    SELECT _g, client_no${flags.length ? `, ${flags.join(', ')}` : ''} FROM base WHERE NOT ${opts.singleColumn} GROUP BY _g, client_no`
      : `SELECT _g, client_no${flags.length ? `, ${flags.join(', ')}` : ''} FROM base GROUP BY _g, client_no`
  })
  GROUP BY _g
),
tc AS (
  -- one group: client bitmaps cost next to nothing here
  SELECT ${clients.length ? clients.map(([n, cond]) => `coalesce(bit_count(bitstring_agg(client_no, 1, ${q.p('clients', Math.max(1, facts.clients))})${filter(cond)}), 0) AS ${n}`).join(', ') : 'NULL AS _none'}
  FROM base
)`;
    const cols = (total: boolean) =>
      [...sums.map(([n]) => `${out(n, total ? `coalesce(sum(${n}), 0)` : `coalesce(${n}, 0)`)} AS ${n}`), ...clients.map(([n]) => `${total ? `any_value(tc.${n})` : `coalesce(gc.${n}, 0)`}::INTEGER AS ${n}`)];
    agg = `${perGroup},
agg AS (
  ${by === 'none' ? '' : `SELECT false AS is_total, g._g AS group_id,
    ${cols(false).join(',\n    ')}
  FROM g LEFT JOIN gc ON gc._g IS NOT DISTINCT FROM g._g
  UNION ALL
  `}SELECT true AS is_total, NULL AS group_id,
    ${cols(true).join(',\n    ')}
  FROM tc LEFT JOIN g ON true
)`;
  }
  return `WITH base AS (
${base}
),
${agg}
${labelledSelect(by, m.derived)}`;
}

/**
 * The final SELECT over a CTE `agg` (is_total, group_id, the figures): group ids as text,
 * `derived` columns computed from the figures, the groups' labels, total row first.
 */
export function labelledSelect(by: string, derived: Record<string, string> = {}): string {
  const dim = by === 'none' ? undefined : DIMENSIONS[by];
  const extra = Object.entries(derived).map(([n, e]) => `, ${e} AS ${n}`).join('');
  // labels joined (ids are unique), not looked up per row: a correlated lookup costs a delim join
  const label = dim?.labels ? `lbl.${dim.labels.name}` : 'agg.group_id';
  const labelJoin = dim?.labels ? `\nLEFT JOIN ${dim.labels.table} lbl ON lbl.${dim.labels.id} = agg.group_id::VARCHAR` : '';
  return `SELECT agg.* REPLACE (agg.group_id::VARCHAR AS group_id)${extra}, ${label}::VARCHAR AS label
FROM agg${labelJoin}
ORDER BY is_total DESC, label NULLS LAST, group_id NULLS LAST`;
}
