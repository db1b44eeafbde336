/**
 * What the command line needs to pass KPI parameters: the option definitions (for
 * node:util parseArgs) and the mapping from flags to parameter names.
 */
import { UsageError } from '../errors.ts';
import { requireKpi } from './run.ts';
import { KPIS } from './registry.ts';

const flags = new Map<string, string>();
for (const k of KPIS) for (const p of k.params) flags.set(p.flag.replace(/^--/, ''), p.name);

/** Options to merge into the CLI's parseArgs options (all strings). */
export const KPI_CLI_OPTIONS: Record<string, { type: 'string' }> = Object.fromEntries([...flags.keys()].map((f) => [f, { type: 'string' as const }]));

/**
 * The parameters for KPI `id` from parsed CLI values: only flags that were given; a flag the
 * KPI does not take is a usage error naming the flags it does take.
 */
export function kpiParamsFromCli(id: string, values: Record<string, unknown>): Record<string, unknown> {
  const def = requireKpi(id);
  const accepted = new Map(def.params.map((p) => [p.flag.replace(/^--/, ''), p.name]));
  const out: Record<string, unknown> = {};
  for (const flag of flags.keys()) {
    const v = values[flag];
    if (v === undefined) continue;
    const param = accepted.get(flag);
    if (param === undefined) {
      throw new UsageError(`kpi ${id} does not take --${flag}; it takes ${def.params.map((p) => p.flag).join(', ')}`);
    }
    out[param] = v;
  }
  return out;
}
