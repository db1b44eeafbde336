/**
 * Per-pair baseline and follow-up values for the Outcomes page's distributions. The pairing
 * rules (baseline window, follow-up choice, unit) belong to the change-from-baseline KPI, so
 * this selects from that KPI's own units (`changeUnits`), counted by (baseline, follow-up).
 * No identifiers leave this function.
 */
import path from 'node:path';
import type { PairGroup } from '../dashboards/index.ts';
import { loadFramework, type Framework } from '../frameworks/index.ts';
import { changeUnits, ensureFacts, inlineArgs, kpiConfigSchema, measureRules, SqlArgs, type ChangeParams, type KpiConfig, type KpiConfigInput, type KpiResult } from '../kpi/index.ts';
import type { Db } from '../store/index.ts';
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
  const config = kpiConfigSchema.parse(opts.kpiConfig ?? {});
  const framework = frameworkFor(config, opts.root);
  const facts = (await ensureFacts(db, config)).info;
  const q = new SqlArgs();
  const { ctes } = changeUnits(result.params as ChangeParams, { config, facts }, q, measureRules(framework, config));
  const pairsSql = `WITH ${ctes}
SELECT instrument_id, dk, base::DOUBLE AS base, follow::DOUBLE AS follow, sum(n)::INTEGER AS n
FROM units
WHERE base IS NOT NULL AND follow IS NOT NULL
GROUP BY ALL
ORDER BY instrument_id, dk, base, follow`;
  const counted = await db.all<{ instrument_id: string; dk: string; base: number; follow: number; n: number }>(inlineArgs(pairsSql, q.args), undefined, 'change-from-baseline pairs query failed');
  const rows = counted.flatMap((p) => Array.from({ length: p.n }, () => p));
  const groups: PairGroup[] = [];
  for (const r of result.rows) {
    const id = String(r.group_id ?? '');
    const [instrument, domain = ''] = id.split(':');
    const pairs = rows.filter((p) => p.instrument_id === instrument && p.dk === domain).map((p) => ({ group: String(r.group), base: p.base, follow: p.follow }));
    groups.push({ group: String(r.group), paired: typeof r.paired === 'number' ? r.paired : pairs.length, lost: typeof r.baseline_only === 'number' ? r.baseline_only : 0, pairs });
  }
  return groups;
}
