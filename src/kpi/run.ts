/** Running a KPI: validate parameters, compute, optionally suppress, shape the result. */
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.ts';
import { loadFramework, type Framework } from '../frameworks/index.ts';
import type { Db } from '../store/index.ts';
import { defaultKpiConfig, kpiConfigSchema, type KpiConfig, type KpiConfigInput } from './config.ts';
import { resolveRef, todayIso, validateParams } from './params.ts';
import { ensureFacts } from './facts.ts';
import { findKpi, KPIS } from './registry.ts';
import { suppressResult } from './suppress.ts';
import type { KpiContext, KpiDefinition, KpiResult } from './types.ts';

export const PROJECT_ROOT = path.resolve(import.meta.dirname, '..', '..');

export interface RunKpiOptions {
  /** the `kpi` section of the config (parsed or raw); defaults apply to what is missing */
  config?: KpiConfig | KpiConfigInput;
  /** the framework giving instrument thresholds and domain names; else loaded from config `kpi.framework` */
  framework?: Framework | null;
  /** folder that `kpi.framework` is relative to (default: the project root) */
  root?: string;
  /** funder output: apply disclosure control (true = config k) */
  suppress?: boolean | { k?: number };
  /** keep columns used only for disclosure control (tests, audits) */
  includeHidden?: boolean;
  /** today's date for defaults (YYYY-MM-DD); tests pin it */
  today?: string;
}

const frameworkCache = new Map<string, { stamp: string; framework?: Framework; problem?: string }>();

function frameworkFor(opts: RunKpiOptions, config: KpiConfig): { framework: Framework | undefined; problem?: string } {
  if (opts.framework !== undefined) return { framework: opts.framework ?? undefined };
  const file = path.resolve(opts.root ?? PROJECT_ROOT, config.framework);
  let stamp = 'missing';
  try {
    const st = fs.statSync(file);
    stamp = `${st.mtimeMs}:${st.size}`;
  } catch {
    // loadFramework reports it
  }
  let entry = frameworkCache.get(file);
  if (!entry || entry.stamp !== stamp) {
    const loaded = loadFramework(file);
    entry = loaded.ok
      ? { stamp, framework: loaded.framework }
      : { stamp, problem: `framework ${file} could not be loaded, so instruments have no reliable-change thresholds and domains no names (${loaded.problems[0]?.message ?? 'invalid'})` };
    frameworkCache.set(file, entry);
  }
  return entry.problem !== undefined ? { framework: entry.framework, problem: entry.problem } : { framework: entry.framework };
}

export function resolveKpiConfig(config: KpiConfig | KpiConfigInput | undefined): KpiConfig {
  return config === undefined ? defaultKpiConfig() : kpiConfigSchema.parse(config);
}

export function requireKpi(id: string): KpiDefinition {
  const def = findKpi(id);
  if (!def) throw new UsageError(`unknown KPI "${id}"; known: ${KPIS.map((k) => k.id).join(', ')}`);
  return def;
}

/** One KPI, the same way for the command line, the API, dashboards and reports. */
export async function runKpi(db: Db, id: string, params: Record<string, unknown> = {}, opts: RunKpiOptions = {}): Promise<KpiResult> {
  const started = performance.now();
  const def = requireKpi(id);
  const config = resolveKpiConfig(opts.config);
  const { framework, problem } = frameworkFor(opts, config);
  const ctx: KpiContext = { db, config, framework, today: opts.today ?? todayIso() };
  if (def.usesFacts) ctx.facts = (await ensureFacts(db, config)).info;
  // columns kept only for disclosure control cost a distinct count each: skip them when unused
  if (!opts.suppress && !opts.includeHidden) ctx.skip = new Set(def.columns.filter((c) => c.hidden).map((c) => c.name));
  const valid = validateParams(def.id, def.params, params);
  if (typeof valid.program === 'string') valid.program = await resolveRef(db, 'program', valid.program);
  if (typeof valid.manager === 'string') valid.manager = await resolveRef(db, 'manager', valid.manager);
  const resolved = def.resolve(valid, ctx);
  const out = await def.compute(ctx, resolved as never);
  let result: KpiResult = {
    kpi: def.id,
    title: def.title,
    summary: def.summary,
    params: resolved,
    columns: def.columns,
    rows: out.rows,
    ...(out.details ? { details: out.details } : {}),
    notes: [...(problem ? [problem] : []), ...(out.notes ?? [])],
    elapsedMs: 0,
  };
  if (opts.suppress) {
    if (!def.disclosure) throw new UsageError(`KPI ${def.id} is not funder-facing (it has no disclosure rules) and cannot be suppressed`);
    const k = typeof opts.suppress === 'object' && opts.suppress.k !== undefined ? opts.suppress.k : config.k;
    result = suppressResult(result, def.disclosure, k);
    delete result.details;
  }
  if (!opts.includeHidden) {
    const hidden = def.columns.filter((c) => c.hidden).map((c) => c.name);
    result.columns = def.columns.filter((c) => !c.hidden);
    if (hidden.length) {
      for (const r of result.rows) for (const h of hidden) if (h in r) delete r[h]; // (a delete turns the object into a slow dictionary)
    }
  }
  result.elapsedMs = Math.round((performance.now() - started) * 10) / 10;
  return result;
}

export interface KpiListing {
  id: string;
  title: string;
  summary: string;
  audience: string[];
  params: Array<{ name: string; flag: string; description: string }>;
  funderFacing: boolean;
}

/** Every KPI with its one-line definition. */
export function listKpis(): KpiListing[] {
  return KPIS.map((k) => ({
    id: k.id,
    title: k.title,
    summary: k.summary,
    audience: [...k.audience],
    params: k.params.map((p) => ({ name: p.name, flag: p.flag, description: p.description })),
    funderFacing: k.disclosure !== undefined,
  }));
}
