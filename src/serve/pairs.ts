/**
 * Per-pair baseline and follow-up values for the Outcomes page's distributions. The pairing
 * rules (baseline window, follow-up choice, unit) belong to the change-from-baseline KPI, so
 * this reuses that KPI's own SQL: its CTE chain up to the `picked` units, with the final
 * aggregation replaced by a plain select of the pairs. No identifiers leave this function.
 * If the KPI's SQL no longer has that shape, the page falls back to the KPI's summary figures.
 */
import path from 'node:path';
import type { PairGroup } from '../dashboards/index.ts';
import { loadFramework, type Framework } from '../frameworks/index.ts';
import { ensureFacts, findKpi, kpiConfigSchema, type KpiConfig, type KpiConfigInput, type KpiResult } from '../kpi/index.ts';
import type { Db } from '../store/index.ts';

const FINAL_SELECT = /\nSELECT u\.instrument_id,/;

const frameworks = new Map<string, Framework | undefined>();

function frameworkFor(config: KpiConfig, root: string): Framework | undefined {
  const file = path.resolve(root, config.framework);
  if (!frameworks.has(file)) {
    const loaded = loadFramework(file);
    frameworks.set(file, loaded.ok ? loaded.framework : undefined);
  }
  return frameworks.get(file);
}

/**
 * `result` is the KPI result for the same parameters (already scoped by role); it gives the
 * resolved parameters and the row labels, paired n and attrition.
 */
export async function changePairs(db: Db, result: KpiResult, opts: { kpiConfig?: KpiConfigInput; root: string; today: string }): Promise<PairGroup[] | undefined> {
  const def = findKpi('change-from-baseline');
  if (!def) return undefined;
  const config = kpiConfigSchema.parse(opts.kpiConfig ?? {});
  const framework = frameworkFor(config, opts.root);
  const facts = (await ensureFacts(db, config)).info;
  const { sql, args } = def.sql(result.params as never, { config, framework, facts });
  const m = FINAL_SELECT.exec(sql);
  if (!m || !sql.includes('picked AS')) return undefined;
  const pairsSql = `${sql.slice(0, m.index)}
SELECT u.instrument_id, u.dk, u.base::DOUBLE AS base, u.follow::DOUBLE AS follow
FROM picked u
WHERE u.base IS NOT NULL AND u.follow IS NOT NULL
ORDER BY u.instrument_id, u.dk, u.base, u.follow`;
  const rows = await db.all<{ instrument_id: string; dk: string; base: number; follow: number }>(pairsSql, args as never, 'change-from-baseline pairs query failed');
  const groups: PairGroup[] = [];
  for (const r of result.rows) {
    const id = String(r.group_id ?? '');
    const [instrument, domain = ''] = id.split(':');
    const pairs = rows.filter((p) => p.instrument_id === instrument && p.dk === domain).map((p) => ({ group: String(r.group), base: p.base, follow: p.follow }));
    groups.push({ group: String(r.group), paired: typeof r.paired === 'number' ? r.paired : pairs.length, lost: typeof r.baseline_only === 'number' ? r.baseline_only : 0, pairs });
  }
  return groups;
}
