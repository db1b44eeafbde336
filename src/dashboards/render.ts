/**
 * Dashboard pages: the layout, the filter bar, headline figures with month-by-month trends,
 * charts, lists that link to cases, and KPI tables. Pages are plain HTML with server-drawn SVG;
 * the only script (/assets/app.js) adds click-to-quote on the case view.
 *
 * The renderer knows nothing about access: it asks its context for KPI results, lists and pairs,
 * and the server's context answers only what the signed-in role may see.
 */
import type { KpiResult } from '../kpi/index.ts';
import { dataTable, esc, fmt, renderChart, renderPairs, sparkline, type ColumnInfo, type PairGroup, type Row } from './charts.ts';
import type { Chart, Dashboard, Headline, List, Role } from './schema.ts';

export interface PageUser {
  name: string;
  role: Role;
  displayName: string;
  demo: boolean;
}

export interface NavItem {
  id: string;
  title: string;
  href: string;
}

export interface FilterState {
  from?: string | undefined;
  to?: string | undefined;
  program?: string | undefined;
  manager?: string | undefined;
}

export interface FilterOptions {
  programs: Array<{ id: string; name: string }>;
  managers: Array<{ id: string; name: string }>;
  /** the manager filter is fixed (a manager sees their own caseload) */
  lockedManager?: string | undefined;
  /** first and last day with data, for the default period */
  dataRange?: { first: string; last: string } | undefined;
  note?: string | undefined;
}

export type Denied = { denied: string };
export type ListData = { columns: ColumnInfo[]; rows: Row[] };

export interface DashboardContext {
  user: PageUser;
  nav: NavItem[];
  current: string;
  filters: FilterState;
  options: FilterOptions;
  /** the page's own path, for the filter form */
  path: string;
  /** KPI ids and the parameters each accepts */
  kpiParams(id: string): string[] | undefined;
  kpi(id: string, params: Record<string, string>): Promise<KpiResult | Denied>;
  list(source: 'overdue-followups', params: Record<string, string>, limit: number): Promise<ListData | Denied>;
  pairs(params: Record<string, string>): Promise<PairGroup[] | Denied | undefined>;
  caseHref(caseId: string): string | undefined;
}

const isDenied = (x: unknown): x is Denied => typeof x === 'object' && x !== null && 'denied' in x;

export function layout(opts: { title: string; user?: PageUser | undefined; nav?: NavItem[]; current?: string; body: string; bodyClass?: string }): string {
  const u = opts.user;
  const nav = (opts.nav ?? []).map((n) => `<a href="${esc(n.href)}"${n.id === opts.current ? ' aria-current="page"' : ''}>${esc(n.title)}</a>`).join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(opts.title)} · caselens</title>
<link rel="stylesheet" href="/assets/app.css">
<script src="/assets/app.js" defer></script>
</head>
<body${opts.bodyClass ? ` class="${esc(opts.bodyClass)}"` : ''}>
<header class="top no-print">
<a class="brand" href="/">caselens</a>
<nav aria-label="Dashboards">${nav}</nav>
${u ? `<div class="who"><span class="user" data-role="${esc(u.role)}">${esc(u.displayName)} <span class="role">${esc(u.role)}${u.demo ? ' · demo' : ''}</span></span>
<form method="post" action="/logout"><button type="submit">Sign out</button></form></div>` : ''}
</header>
<main>
${opts.body}
</main>
</body>
</html>
`;
}

export function filterBar(def: Pick<Dashboard, 'filters'>, ctx: Pick<DashboardContext, 'filters' | 'options' | 'path' | 'user'>): string {
  const f = ctx.filters;
  const parts: string[] = [];
  if (def.filters.includes('period')) {
    parts.push(`<label>From <input type="date" name="from" value="${esc(f.from ?? '')}"></label>`);
    parts.push(`<label>To <input type="date" name="to" value="${esc(f.to ?? '')}"></label>`);
  }
  if (def.filters.includes('program')) {
    parts.push(`<label>Programme <select name="program"><option value="">All programmes</option>${ctx.options.programs.map((p) => `<option value="${esc(p.id)}"${p.id === f.program ? ' selected' : ''}>${esc(p.name)}</option>`).join('')}</select></label>`);
  }
  if (def.filters.includes('manager') && ctx.user.role !== 'funder') {
    if (ctx.options.lockedManager) {
      const m = ctx.options.managers.find((x) => x.id === ctx.options.lockedManager);
      parts.push(`<span class="locked">Manager: ${esc(m?.name ?? ctx.options.lockedManager)}</span>`);
    } else {
      parts.push(`<label>Manager <select name="manager"><option value="">${ctx.user.role === 'supervisor' ? 'All (aggregates); lists: my team' : 'All managers'}</option>${ctx.options.managers.map((m) => `<option value="${esc(m.id)}"${m.id === f.manager ? ' selected' : ''}>${esc(m.name)}</option>`).join('')}</select></label>`);
    }
  }
  if (parts.length === 0) return '';
  return `<form class="filters no-print" method="get" action="${esc(ctx.path)}">${parts.join('\n')}<button type="submit">Apply</button> <a href="${esc(ctx.path)}">Reset</a>${ctx.options.note ? `<span class="hint">${esc(ctx.options.note)}</span>` : ''}</form>`;
}

/** Page filters, as KPI parameters the KPI accepts. */
function baseParams(ctx: DashboardContext, kpiId: string, extra: Record<string, string | number | boolean> = {}): Record<string, string> | undefined {
  const accepted = ctx.kpiParams(kpiId);
  if (!accepted) return undefined;
  const f = ctx.filters;
  const out: Record<string, string> = {};
  const put = (k: string, v: string | undefined) => {
    if (v !== undefined && v !== '' && accepted.includes(k)) out[k] = v;
  };
  put('from', f.from);
  put('to', f.to);
  put('asOf', f.to);
  put('program', f.program);
  put('manager', f.manager);
  for (const [k, v] of Object.entries(extra)) if (accepted.includes(k)) out[k] = String(v);
  return out;
}

function pickRow(rows: Row[], where?: Record<string, unknown>): Row | undefined {
  if (where) return rows.find((r) => Object.entries(where).every(([k, v]) => r[k] === v));
  return rows.find((r) => r.is_total === true) ?? rows[0];
}

function filterRows(rows: Row[], where?: Record<string, unknown>): Row[] {
  return where ? rows.filter((r) => Object.entries(where).every(([k, v]) => r[k] === v)) : rows;
}

function monthsBetween(from: string, to: string, max = 12): string[] {
  const out: string[] = [];
  let y = Number(to.slice(0, 4));
  let m = Number(to.slice(5, 7));
  const fy = Number(from.slice(0, 4));
  const fm = Number(from.slice(5, 7));
  while (out.length < max && (y > fy || (y === fy && m >= fm))) {
    out.unshift(`${y}-${String(m).padStart(2, '0')}`);
    m--;
    if (m === 0) {
      m = 12;
      y--;
    }
  }
  return out;
}

function monthEnd(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
}

async function renderHeadline(h: Headline, i: number, ctx: DashboardContext): Promise<string> {
  const params = baseParams(ctx, h.kpi, h.params);
  if (!params) return `<div class="tile missing">Unknown KPI ${esc(h.kpi)}</div>`;
  const result = await ctx.kpi(h.kpi, params);
  if (isDenied(result)) return '';
  const col = result.columns.find((c) => c.name === h.value);
  const row = pickRow(result.rows as Row[], h.where);
  const value = row?.[h.value];
  const label = h.label ?? col?.label ?? h.value;
  let trend = '';
  let trendTable = '';
  const accepted = ctx.kpiParams(h.kpi) ?? [];
  if (h.trend && ctx.filters.from && ctx.filters.to && (accepted.includes('from') || accepted.includes('asOf'))) {
    const months = monthsBetween(ctx.filters.from, ctx.filters.to);
    const points = await Promise.all(months.map(async (month) => {
      const p: Record<string, string> = { ...params };
      if (accepted.includes('from')) {
        p.from = `${month}-01`;
        p.to = monthEnd(month);
      }
      if (accepted.includes('asOf')) p.asOf = monthEnd(month);
      const r = await ctx.kpi(h.kpi, p);
      const v = isDenied(r) ? null : pickRow(r.rows as Row[], h.where)?.[h.value];
      return { month, value: typeof v === 'number' ? v : null, shown: fmt(v, col) };
    }));
    trend = sparkline(label, points);
    const first = points.find((p) => p.value !== null);
    const last = [...points].reverse().find((p) => p.value !== null);
    if (first && last && first !== last) {
      const up = last.value! > first.value!;
      const good = h.better === undefined ? 'neutral' : (up === (h.better === 'higher')) ? 'good' : 'bad';
      trend += `<span class="delta ${last.value === first.value ? 'neutral' : good}">${last.value === first.value ? '→' : up ? '↑' : '↓'} from ${esc(first.shown)} (${esc(first.month)})</span>`;
    }
    trendTable = `<details class="table-alt"><summary>Month by month</summary>${dataTable(
      [{ name: 'month', label: 'Month', type: 'text' }, { name: 'shown', label, type: 'text' }],
      points.map((p) => ({ month: p.month, shown: p.shown })),
    )}</details>`;
  }
  const basis = h.basis && row ? `<span class="basis">${esc(fmt(row[h.basis], result.columns.find((c) => c.name === h.basis)))} ${esc(result.columns.find((c) => c.name === h.basis)?.label.toLowerCase() ?? h.basis)}</span>` : '';
  return `<div class="tile" id="headline-${i}" data-kpi="${esc(h.kpi)}" data-column="${esc(h.value)}" data-value="${esc(typeof value === 'number' ? String(value) : isSuppressedValue(value) ? 'suppressed' : '')}" data-params="${esc(new URLSearchParams(params).toString())}">
<a class="label" href="/api/kpis/${esc(h.kpi)}?${esc(new URLSearchParams(params).toString())}" title="${esc(result.summary)}">${esc(label)}</a>
<span class="value">${esc(fmt(value, col))}</span>${basis}
${trend}${trendTable}
</div>`;
}

function isSuppressedValue(v: unknown): boolean {
  return typeof v === 'object' && v !== null && (v as { suppressed?: boolean }).suppressed === true;
}

/** Cohen's d_z interval: SE ≈ √(1/n + d²/(2n)), times the t critical value (normal approximation for the SE). */
function withEffectSizeInterval(rows: Row[]): Row[] {
  return rows.map((r) => {
    const d = r.effect_size;
    const n = r.paired;
    if (typeof d !== 'number' || typeof n !== 'number' || n < 3) return { ...r, es_low: null, es_high: null };
    const se = Math.sqrt(1 / n + (d * d) / (2 * n));
    const z = n > 30 ? 1.96 : 2.05;
    return { ...r, es_low: d - z * se, es_high: d + z * se };
  });
}

const ES_COLUMNS: ColumnInfo[] = [
  { name: 'es_low', label: 'd 95% CI low', type: 'number' },
  { name: 'es_high', label: 'd 95% CI high', type: 'number' },
];

async function renderChartBlock(chart: Chart, i: number, ctx: DashboardContext): Promise<string> {
  if (chart.hideFor.includes(ctx.user.role)) return '';
  const id = chart.id ?? `${chart.kpi}-${i}`;
  const params = baseParams(ctx, chart.kpi, chart.params);
  if (!params) return `<p class="error">Unknown KPI ${esc(chart.kpi)}</p>`;
  if (chart.mark === 'pairs') {
    const [pairs, result] = await Promise.all([ctx.pairs(params), ctx.kpi(chart.kpi, params)]);
    if (isDenied(pairs) || isDenied(result)) return '';
    if (pairs === undefined) return `<p class="note">Per-client paired values are not available from this KPI.</p>`;
    return renderPairs(id, chart, pairs);
  }
  const result = await ctx.kpi(chart.kpi, params);
  if (isDenied(result)) return '';
  let rows = filterRows((chart.source === 'details' ? result.details?.rows ?? [] : result.rows) as Row[], chart.where);
  let columns: ColumnInfo[] = chart.source === 'details' ? result.details?.columns ?? [] : result.columns;
  if (chart.effectSizeInterval) {
    rows = withEffectSizeInterval(rows);
    columns = [...columns, ...ES_COLUMNS];
  }
  const note = result.suppression ? `Small cells suppressed (fewer than ${result.suppression.k} clients): ${result.suppression.primary + result.suppression.secondary} figure(s) withheld.` : undefined;
  const spec = note ? { ...chart, caption: [chart.caption, note].filter(Boolean).join(' ') } : chart;
  if (chart.effectSizeInterval) {
    spec.caption = [spec.caption, 'Interval for d: d ± t·√(1/n + d²/2n) (large-sample approximation).'].filter(Boolean).join(' ');
  }
  return renderChart({ id, spec, columns, rows });
}

async function renderList(list: List, i: number, ctx: DashboardContext): Promise<string> {
  let data: ListData | Denied;
  if (list.source === 'overdue-followups') {
    const params: Record<string, string> = {};
    if (ctx.filters.to) params.asOf = ctx.filters.to;
    if (ctx.filters.program) params.program = ctx.filters.program;
    if (ctx.filters.manager) params.manager = ctx.filters.manager;
    data = await ctx.list('overdue-followups', params, list.limit);
  } else {
    const params = baseParams(ctx, list.kpi!, list.params);
    if (!params) return `<p class="error">Unknown KPI ${esc(list.kpi)}</p>`;
    const r = await ctx.kpi(list.kpi!, params);
    data = isDenied(r) ? r : r.details ? { columns: r.details.columns, rows: r.details.rows as Row[] } : { columns: [], rows: [] };
  }
  if (isDenied(data)) return '';
  const columns = list.columns ? list.columns.map((n) => data.columns.find((c) => c.name === n) ?? { name: n, label: n, type: 'text' }) : data.columns;
  const shown = data.rows.slice(0, list.limit);
  const more = data.rows.length > shown.length ? ` (first ${shown.length} of ${data.rows.length})` : ` (${data.rows.length})`;
  const link = list.link;
  return `<section class="list" id="list-${i}" data-list="${esc(list.source)}${list.kpi ? `:${esc(list.kpi)}` : ''}" data-count="${data.rows.length}">
<h3>${esc(list.title)}${esc(more)}</h3>
${dataTable(columns, shown, { link: (col, v) => (link && col === link && typeof v === 'string' ? ctx.caseHref(v) : undefined) })}
</section>`;
}

async function renderKpiTable(id: string, ctx: DashboardContext): Promise<string> {
  const params = baseParams(ctx, id);
  if (!params) return '';
  const r = await ctx.kpi(id, params);
  if (isDenied(r)) return '';
  const cols = r.columns.filter((c) => !['group_by', 'group_id', 'is_total'].includes(c.name));
  const api = `/api/kpis/${id}?${new URLSearchParams(params).toString()}`;
  return `<section class="kpi-table" data-kpi="${esc(id)}">
<h3>${esc(r.title)}</h3>
<p class="summary">${esc(r.summary)}. <a href="${esc(api)}">JSON</a> · <a href="${esc(`${api}&format=csv`)}">CSV</a> · <a href="${esc(`${api}&format=arrow`)}">Arrow</a></p>
${dataTable(cols, r.rows as Row[])}
${r.notes.map((n) => `<p class="note">${esc(n)}</p>`).join('')}
</section>`;
}

/** A `kind: kpis` dashboard page. */
export async function renderDashboard(def: Dashboard, ctx: DashboardContext): Promise<string> {
  return layout({ title: def.title, user: ctx.user, nav: ctx.nav, current: ctx.current, body: await renderDashboardBody(def, ctx), bodyClass: `dashboard d-${def.id}` });
}

/** The page's content without the header (it depends on the scope, not on who is signed in: cacheable per scope). */
export async function renderDashboardBody(def: Dashboard, ctx: DashboardContext): Promise<string> {
  const [headlines, charts, lists, tables] = await Promise.all([
    Promise.all(def.headlines.map((h, i) => renderHeadline(h, i, ctx))),
    Promise.all(def.charts.map((c, i) => renderChartBlock(c, i, ctx))),
    Promise.all(def.lists.map((l, i) => renderList(l, i, ctx))),
    Promise.all(def.kpis.map((k) => renderKpiTable(k, ctx))),
  ]);
  const period = ctx.filters.from || ctx.filters.to ? `${ctx.filters.from ?? '…'} to ${ctx.filters.to ?? '…'}` : 'all records';
  const body = `<h1>${esc(def.title)}</h1>
${def.description ? `<p class="lede">${esc(def.description)}</p>` : ''}
${filterBar(def, ctx)}
<p class="period">Period: ${esc(period)}${ctx.filters.to ? ` · figures at the end of ${esc(ctx.filters.to)}` : ''}${ctx.user.role === 'funder' ? ' · aggregate, suppressed figures only' : ''}</p>
${headlines.some(Boolean) ? `<section class="tiles">${headlines.join('\n')}</section>` : ''}
${charts.filter(Boolean).join('\n')}
${lists.filter(Boolean).join('\n')}
${tables.filter(Boolean).join('\n')}`;
  return body;
}
