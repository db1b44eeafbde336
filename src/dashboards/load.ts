/** Loading dashboard definitions from `dashboards/`, with checks of the KPI ids and columns they name. */
import fs from 'node:fs';
import path from 'node:path';
import { readStructuredFile, zodProblems } from '../config/index.ts';
import type { Problem } from '../errors.ts';
import { dashboardSchema, type Dashboard } from './schema.ts';

export interface KpiShape {
  id: string;
  params: string[];
  columns: string[];
  detailColumns?: string[];
}

export interface LoadedDashboards {
  dashboards: Dashboard[];
  problems: Problem[];
}

/** Every `*.yaml|*.yml|*.json` in the folder, validated; sorted by `order`, then id. */
export function loadDashboards(dir: string, opts: { display?: (file: string) => string; kpis?: KpiShape[] } = {}): LoadedDashboards {
  const show = opts.display ?? ((f: string) => path.relative(process.cwd(), f) || f);
  const out: LoadedDashboards = { dashboards: [], problems: [] };
  if (!fs.existsSync(dir)) return out;
  const seen = new Map<string, string>();
  for (const f of fs.readdirSync(dir).filter((x) => /\.(ya?ml|json)$/.test(x)).sort()) {
    const file = path.join(dir, f);
    const read = readStructuredFile(file, show(file));
    if (read.problems.length) {
      out.problems.push(...read.problems);
      continue;
    }
    const parsed = dashboardSchema.safeParse(read.value);
    if (!parsed.success) {
      out.problems.push(...zodProblems(show(file), parsed.error));
      continue;
    }
    const d = parsed.data;
    if (seen.has(d.id)) {
      out.problems.push({ file: show(file), path: 'id', message: `duplicate dashboard id "${d.id}" (also in ${seen.get(d.id)})` });
      continue;
    }
    seen.set(d.id, show(file));
    const refs = opts.kpis ? checkDashboardRefs(d, opts.kpis).map((p) => ({ ...p, file: show(file) })) : [];
    out.problems.push(...refs);
    if (refs.length === 0) out.dashboards.push(d);
  }
  out.dashboards.sort((a, b) => a.order - b.order || a.id.localeCompare(b.id));
  return out;
}

/** KPI ids, parameters and columns named by a dashboard must exist. */
export function checkDashboardRefs(d: Dashboard, kpis: KpiShape[]): Problem[] {
  const problems: Problem[] = [];
  const byId = new Map(kpis.map((k) => [k.id, k]));
  const known = [...byId.keys()].join(', ');
  const kpi = (id: string, at: string) => {
    const k = byId.get(id);
    if (!k) problems.push({ file: '', path: at, message: `unknown KPI "${id}" (known: ${known})` });
    return k;
  };
  const params = (k: KpiShape | undefined, p: Record<string, unknown> | undefined, at: string) => {
    for (const name of Object.keys(p ?? {})) if (k && !k.params.includes(name)) problems.push({ file: '', path: `${at}.params.${name}`, message: `KPI ${k.id} has no parameter "${name}" (accepted: ${k.params.join(', ')})` });
  };
  const column = (k: KpiShape | undefined, name: string | undefined, at: string, details = false) => {
    if (!k || name === undefined) return;
    const cols = details ? k.detailColumns : k.columns;
    if (cols && !cols.includes(name)) problems.push({ file: '', path: at, message: `KPI ${k.id} has no ${details ? 'detail ' : ''}column "${name}"` });
  };
  d.headlines.forEach((h, i) => {
    const k = kpi(h.kpi, `headlines.${i}.kpi`);
    params(k, h.params, `headlines.${i}`);
    column(k, h.value, `headlines.${i}.value`);
    column(k, h.basis, `headlines.${i}.basis`);
  });
  d.charts.forEach((c, i) => {
    const k = kpi(c.kpi, `charts.${i}.kpi`);
    params(k, c.params, `charts.${i}`);
    const details = c.source === 'details';
    const extra = c.effectSizeInterval ? ['es_low', 'es_high'] : [];
    for (const f of ['x', 'y', 'x1', 'x2', 'fill', 'stroke'] as const) if (!extra.includes(c[f] ?? '')) column(k, c[f], `charts.${i}.${f}`, details);
    if (c.rule) column(k, c.rule.column, `charts.${i}.rule.column`, details);
    c.series?.forEach((s, j) => column(k, s.column, `charts.${i}.series.${j}.column`, details));
  });
  d.lists.forEach((l, i) => {
    if (l.kpi) params(kpi(l.kpi, `lists.${i}.kpi`), l.params, `lists.${i}`);
  });
  d.kpis.forEach((id, i) => kpi(id, `kpis.${i}`));
  return problems;
}
