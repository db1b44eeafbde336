/**
 * Charts, drawn on the server with Observable Plot into SVG (linkedom supplies the document),
 * so pages need no client build step. Every chart has a title, axis labels, tooltips (SVG
 * `<title>` from Plot's `title` channel) and a table with the same figures beside it.
 */
import * as Plot from '@observablehq/plot';
import { parseHTML } from 'linkedom';
import type { Chart } from './schema.ts';

const { document } = parseHTML('<!doctype html><html><head></head><body></body></html>');
const DOC = document as unknown as NonNullable<Plot.PlotOptions['document']>;

export interface ColumnInfo {
  name: string;
  label: string;
  type: string;
  unit?: string | undefined;
}

export type Row = Record<string, unknown>;

export function esc(s: unknown): string {
  return String(s ?? '').replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;');
}

export function isSuppressedCell(v: unknown): v is { suppressed: true; reason: string } {
  return typeof v === 'object' && v !== null && (v as { suppressed?: unknown }).suppressed === true;
}

/** A cell for people: shares as percentages, days with one decimal, suppressed cells marked. */
export function fmt(v: unknown, col?: Pick<ColumnInfo, 'type' | 'unit'>): string {
  if (isSuppressedCell(v)) return 'suppressed';
  if (v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v))) return '–';
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  if (typeof v === 'number') {
    if (col?.unit === 'share') return `${(v * 100).toFixed(1)}%`;
    if (col?.type === 'int' || Number.isInteger(v)) return v.toLocaleString('en-US');
    if (col?.unit === 'days') return v.toFixed(1);
    return Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(2);
  }
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (Array.isArray(v)) return v.join(', ');
  return String(v);
}

/** Numbers for drawing: suppressed and missing cells are not drawn. */
function numeric(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  return null;
}

function plotHtml(options: Plot.PlotOptions): string {
  const node = Plot.plot({ document: DOC, style: { fontSize: '12px', overflow: 'visible' }, ...options }) as unknown as { outerHTML: string };
  return node.outerHTML;
}

export function dataTable(columns: ColumnInfo[], rows: Row[], opts: { caption?: string; link?: (col: string, v: unknown) => string | undefined } = {}): string {
  const head = columns.map((c) => `<th scope="col"${['int', 'number'].includes(c.type) ? ' class="num"' : ''}>${esc(c.label)}</th>`).join('');
  const body = rows
    .map((r) => `<tr>${columns.map((c) => {
      const text = esc(fmt(r[c.name], c));
      const href = opts.link?.(c.name, r[c.name]);
      const cls = [['int', 'number'].includes(c.type) ? 'num' : '', isSuppressedCell(r[c.name]) ? 'sup' : ''].filter(Boolean).join(' ');
      return `<td${cls ? ` class="${cls}"` : ''}${isSuppressedCell(r[c.name]) ? ` title="${esc((r[c.name] as { reason: string }).reason)}"` : ''}>${href ? `<a href="${esc(href)}">${text}</a>` : text}</td>`;
    }).join('')}</tr>`)
    .join('\n');
  return `<table class="data">${opts.caption ? `<caption>${esc(opts.caption)}</caption>` : ''}<thead><tr>${head}</tr></thead><tbody>\n${body || `<tr><td colspan="${columns.length}">No rows.</td></tr>`}\n</tbody></table>`;
}

function figure(id: string, title: string, svg: string, table: string, caption?: string): string {
  return `<figure class="chart" id="chart-${esc(id)}" data-chart="${esc(id)}">
<h3>${esc(title)}</h3>
${svg}
${caption ? `<figcaption>${esc(caption)}</figcaption>` : ''}
<details class="table-alt"><summary>Table of this chart</summary>
${table}
</details>
</figure>`;
}

const colInfo = (columns: ColumnInfo[], name: string | undefined): ColumnInfo => columns.find((c) => c.name === name) ?? { name: name ?? '', label: name ?? '', type: 'text' };

/** Date-typed columns become Date values so Plot uses a time scale. */
function typed(rows: Row[], columns: ColumnInfo[]): Row[] {
  const dates = columns.filter((c) => c.type === 'date').map((c) => c.name);
  if (dates.length === 0) return rows;
  return rows.map((r) => {
    const out = { ...r };
    for (const d of dates) if (typeof out[d] === 'string') out[d] = new Date(`${out[d]}T00:00:00Z`);
    return out;
  });
}

export interface ChartInput {
  id: string;
  spec: Chart;
  columns: ColumnInfo[];
  rows: Row[];
}

/** Row label with attrition: "PHQ-9 (n=412, 37 lost)". */
function attritionLabel(r: Row): string {
  const n = fmt(r.paired);
  const lost = fmt(r.baseline_only);
  return `${String(r.group ?? r.group_id ?? '')} (n=${n}, ${lost} lost)`;
}

/** One chart of KPI rows, as a figure with SVG, caption and table. */
export function renderChart({ id, spec, columns, rows: raw }: ChartInput): string {
  const rows = typed(raw, columns);
  const tip = (cols: Array<string | undefined>) => (d: Row) =>
    cols.filter((c): c is string => Boolean(c)).map((c) => `${colInfo(columns, c).label}: ${fmt(d[c], colInfo(columns, c))}`).join('\n');
  const yName = spec.attrition ? '__label' : spec.y;
  const data: Row[] = spec.attrition ? rows.map((r) => ({ ...r, __label: attritionLabel(r) })) : rows;
  const labelCol = spec.y ?? 'group';
  const xInfo = colInfo(columns, spec.x);
  const yInfo = colInfo(columns, spec.y);
  const percentX = xInfo.unit === 'share';
  const percentY = yInfo.unit === 'share';
  const marks: Plot.Markish[] = [];
  const tableCols: ColumnInfo[] = [];
  const add = (...names: Array<string | undefined>) => {
    for (const n of names) if (n && !tableCols.some((c) => c.name === n)) tableCols.push(colInfo(columns, n));
  };
  const opts: Plot.PlotOptions = { marginLeft: 60, width: 880 };
  // room for the longest row label on horizontal charts (≈ 6.6 px per character at 12 px)
  const labelMargin = Math.min(380, Math.max(110, Math.max(0, ...data.map((d) => String(d[yName ?? ''] ?? '').length)) * 6.6 + 16));
  const num = (name: string | undefined) => (d: Row) => (name ? numeric(d[name]) : null);
  const tooltipCols = [labelCol !== spec.y ? labelCol : undefined, spec.y, spec.x, spec.x1, spec.x2, spec.fill, spec.stroke, spec.rule?.column, ...(spec.attrition ? ['paired', 'baseline_only'] : [])];

  switch (spec.mark) {
    case 'barX': {
      const h = Math.max(120, data.length * 22 + 60);
      Object.assign(opts, { height: h, marginLeft: labelMargin, x: { label: spec.xLabel ?? xInfo.label, grid: true, percent: percentX }, y: { label: spec.yLabel ?? null, domain: data.map((d) => String(d[yName!])) } });
      marks.push(Plot.barX(data, { x: num(spec.x), y: (d: Row) => String(d[yName!]), fill: spec.fill ?? '#2f5d8a', title: tip(tooltipCols) }));
      if (spec.rule) marks.push(Plot.tickX(data, { x: num(spec.rule.column), y: (d: Row) => String(d[yName!]), stroke: '#b5473a', strokeWidth: 2, title: tip([labelCol, spec.rule.column]) }));
      marks.push(Plot.ruleX([0]));
      add(labelCol, spec.x, spec.rule?.column, spec.fill);
      break;
    }
    case 'barY': {
      Object.assign(opts, { height: 320, x: { label: spec.xLabel ?? xInfo.label, tickRotate: data.length > 8 ? -30 : 0 }, y: { label: spec.yLabel ?? yInfo.label, grid: true, percent: percentY }, marginBottom: data.length > 8 ? 70 : 40 });
      marks.push(Plot.barY(data, { x: (d: Row) => (d[spec.x!] instanceof Date ? d[spec.x!] : String(d[spec.x!])), y: num(spec.y), fill: spec.fill ?? '#2f5d8a', title: tip(tooltipCols) }));
      if (spec.rule) marks.push(Plot.tickY(data, { x: (d: Row) => String(d[spec.x!]), y: num(spec.rule.column), stroke: '#b5473a', strokeWidth: 2 }));
      marks.push(Plot.ruleY([0]));
      add(spec.x, spec.y, spec.rule?.column, spec.fill);
      break;
    }
    case 'line':
    case 'areaY':
    case 'dot': {
      const series = spec.stroke ?? spec.fill;
      Object.assign(opts, { height: 300, x: { label: spec.xLabel ?? xInfo.label }, y: { label: spec.yLabel ?? yInfo.label, grid: true, zero: true, percent: percentY } });
      const z = series ? (d: Row) => String(d[series] ?? '') : undefined;
      if (spec.mark === 'areaY') marks.push(Plot.areaY(data, { x: spec.x, y: num(spec.y), fill: series ? z : '#2f5d8a', fillOpacity: 0.3, ...(z ? { z } : {}) }));
      if (spec.mark !== 'dot') marks.push(Plot.line(data, { x: spec.x, y: num(spec.y), stroke: series ? z : '#2f5d8a', strokeWidth: 2, ...(z ? { z } : {}) }));
      marks.push(Plot.dot(data, { x: spec.x, y: num(spec.y), fill: series ? z : '#2f5d8a', r: 3, title: tip(tooltipCols) }));
      if (spec.rule) {
        marks.push(Plot.line(data, { x: spec.x, y: num(spec.rule.column), stroke: '#b5473a', strokeDasharray: '5 4', strokeWidth: 1.5, ...(z ? { z } : {}) }));
        marks.push(Plot.dot(data, { x: spec.x, y: num(spec.rule.column), r: 2, fill: '#b5473a', title: tip([spec.x, spec.rule.column]) }));
        marks.push(Plot.text(data.slice(-1), { x: spec.x, y: num(spec.rule.column), text: () => spec.rule!.label, dy: -8, textAnchor: 'end', fill: '#b5473a' }));
      }
      if (series && new Set(data.map((d) => d[series])).size > 1) Object.assign(opts, { color: { legend: true } });
      add(spec.x, series, spec.y, spec.rule?.column);
      break;
    }
    case 'ruleY':
      Object.assign(opts, { height: 200, y: { label: spec.yLabel ?? yInfo.label, grid: true } });
      marks.push(Plot.ruleY(data, { y: num(spec.y), title: tip(tooltipCols) }));
      add(spec.y);
      break;
    case 'cell':
      Object.assign(opts, { height: Math.max(160, new Set(data.map((d) => d[spec.y!])).size * 24 + 60), marginLeft: labelMargin, color: { legend: true, scheme: 'blues' }, x: { label: spec.xLabel ?? xInfo.label }, y: { label: spec.yLabel ?? null } });
      marks.push(Plot.cell(data, { x: (d: Row) => String(d[spec.x!]), y: (d: Row) => String(d[spec.y!]), fill: num(spec.fill), title: tip(tooltipCols) }));
      add(spec.y, spec.x, spec.fill);
      break;
    case 'interval': {
      const h = Math.max(120, data.length * 24 + 60);
      Object.assign(opts, { height: h, marginLeft: labelMargin, x: { label: spec.xLabel ?? xInfo.label, grid: true }, y: { label: spec.yLabel ?? null, domain: data.map((d) => String(d[yName!])) } });
      marks.push(Plot.ruleX([0], { stroke: '#888' }));
      marks.push(Plot.ruleY(data, { y: (d: Row) => String(d[yName!]), x1: num(spec.x1), x2: num(spec.x2), stroke: '#2f5d8a', strokeWidth: 2 }));
      marks.push(Plot.dot(data, { y: (d: Row) => String(d[yName!]), x: num(spec.x), fill: '#2f5d8a', r: 4, title: tip(tooltipCols) }));
      add(labelCol, spec.x, spec.x1, spec.x2);
      break;
    }
    case 'stackX': {
      const series = spec.series!;
      const long = data.flatMap((d) => series.map((s) => ({ label: String(d[yName!]), series: s.label, value: numeric(d[s.column]), raw: d[s.column], col: s.column, row: d })));
      const h = Math.max(120, data.length * 24 + 80);
      Object.assign(opts, {
        height: h, marginLeft: labelMargin,
        x: { label: spec.xLabel ?? 'Share', percent: series.every((s) => colInfo(columns, s.column).unit === 'share'), grid: true },
        y: { label: spec.yLabel ?? null, domain: data.map((d) => String(d[yName!])) },
        color: { legend: true, domain: series.map((s) => s.label), range: series.map((s, i) => s.color ?? ['#3a7d44', '#b9c0ca', '#b5473a', '#2f5d8a'][i % 4]!) },
      });
      marks.push(Plot.barX(long, { x: 'value', y: 'label', fill: 'series', title: (d: { label: string; series: string; raw: unknown; col: string }) => `${d.label}\n${d.series}: ${fmt(d.raw, colInfo(columns, d.col))}` }));
      marks.push(Plot.ruleX([0]));
      add(labelCol, ...series.map((s) => s.column), ...(spec.attrition ? ['paired', 'baseline_only'] : []));
      break;
    }
    case 'pairs':
      throw new Error('pairs charts are drawn by renderPairs');
  }
  if (spec.attrition) add('paired', 'baseline_only');
  const svg = plotHtml({ ...opts, marks, ariaLabel: spec.title, ariaDescription: spec.caption ?? spec.title } as Plot.PlotOptions);
  const caption = [spec.caption, spec.attrition ? 'n = units with a baseline and a follow-up; lost = units with a baseline but no follow-up (attrition).' : undefined].filter(Boolean).join(' ');
  return figure(id, spec.title, svg, dataTable(tableCols, raw), caption || undefined);
}

export interface Pair {
  group: string;
  base: number;
  follow: number;
}

export interface PairGroup {
  group: string;
  paired: number;
  lost: number;
  pairs: Pair[];
}

function quartiles(xs: number[]): { q1: number; median: number; q3: number } {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => {
    const h = (s.length - 1) * p;
    const lo = Math.floor(h);
    return s[lo]! + (h - lo) * ((s[Math.min(lo + 1, s.length - 1)] ?? s[lo]!) - s[lo]!);
  };
  return { q1: q(0.25), median: q(0.5), q3: q(0.75) };
}

/**
 * Paired baseline and follow-up distributions, one small chart per measure: box plots of the
 * two timepoints and a line per pair (up to `maxLinks`, a fixed subset) joining a client's
 * baseline to their follow-up. Attrition is printed with each measure.
 */
export function renderPairs(id: string, spec: Chart, groups: PairGroup[], maxLinks = 150): string {
  const panels: string[] = [];
  const tableRows: Row[] = [];
  for (const g of groups) {
    if (g.pairs.length === 0) continue;
    const long = g.pairs.flatMap((p) => [{ t: 'Baseline', v: p.base }, { t: 'Follow-up', v: p.follow }]);
    const step = Math.max(1, Math.ceil(g.pairs.length / maxLinks));
    const links = g.pairs.filter((_, i) => i % step === 0);
    const b = quartiles(g.pairs.map((p) => p.base));
    const f = quartiles(g.pairs.map((p) => p.follow));
    const meanB = g.pairs.reduce((a, p) => a + p.base, 0) / g.pairs.length;
    const meanF = g.pairs.reduce((a, p) => a + p.follow, 0) / g.pairs.length;
    const svg = plotHtml({
      width: 340, height: 150, marginLeft: 70, marginTop: 10,
      x: { label: spec.xLabel ?? 'Score', grid: true },
      y: { label: null, domain: ['Baseline', 'Follow-up'] },
      ariaLabel: `${g.group}: baseline and follow-up scores`,
      marks: [
        Plot.link(links, { x1: 'base', y1: () => 'Baseline', x2: 'follow', y2: () => 'Follow-up', stroke: '#2f5d8a', strokeOpacity: 0.12 }),
        Plot.boxX(long, { x: 'v', y: 't', fill: '#dfe7f0', stroke: '#2f5d8a' }),
        Plot.dot([{ t: 'Baseline', v: meanB, q: b }, { t: 'Follow-up', v: meanF, q: f }], {
          x: 'v', y: 't', fill: '#b5473a', r: 3.5,
          title: (d: { t: string; v: number; q: { q1: number; median: number; q3: number } }) => `${g.group}, ${d.t}\nmean ${d.v.toFixed(2)}\nmedian ${d.q.median.toFixed(2)} (IQR ${d.q.q1.toFixed(2)}–${d.q.q3.toFixed(2)})\nn = ${g.paired}`,
        }),
      ],
    } as Plot.PlotOptions);
    const share = g.paired + g.lost > 0 ? ` (${((g.lost / (g.paired + g.lost)) * 100).toFixed(0)}%)` : '';
    panels.push(`<div class="panel"><h4>${esc(g.group)}</h4><p class="attrition">n = ${g.paired} paired · ${g.lost} with a baseline but no follow-up${share}</p>${svg}</div>`);
    tableRows.push({ group: g.group, paired: g.paired, lost: g.lost, base_median: b.median, base_iqr: `${b.q1.toFixed(1)}–${b.q3.toFixed(1)}`, follow_median: f.median, follow_iqr: `${f.q1.toFixed(1)}–${f.q3.toFixed(1)}`, base_mean: meanB, follow_mean: meanF });
  }
  const cols: ColumnInfo[] = [
    { name: 'group', label: 'Measure', type: 'text' }, { name: 'paired', label: 'Paired n', type: 'int' }, { name: 'lost', label: 'Baseline only (lost)', type: 'int' },
    { name: 'base_mean', label: 'Baseline mean', type: 'number' }, { name: 'base_median', label: 'Baseline median', type: 'number' }, { name: 'base_iqr', label: 'Baseline IQR', type: 'text' },
    { name: 'follow_mean', label: 'Follow-up mean', type: 'number' }, { name: 'follow_median', label: 'Follow-up median', type: 'number' }, { name: 'follow_iqr', label: 'Follow-up IQR', type: 'text' },
  ];
  const body = panels.length ? `<div class="panels">${panels.join('\n')}</div>` : '<p class="empty">No paired assessments in this period.</p>';
  return figure(id, spec.title, body, dataTable(cols, tableRows), spec.caption ?? 'Boxes: quartiles of baseline and follow-up scores of the same clients; red dot: mean; lines join each client\'s baseline to their follow-up (a fixed subset when there are many).');
}

/** A small month-by-month line for a headline figure. */
export function sparkline(label: string, points: Array<{ month: string; value: number | null; shown: string }>): string {
  const data = points.filter((p) => p.value !== null).map((p) => ({ ...p, date: new Date(`${p.month}-01T00:00:00Z`) }));
  if (data.length < 2) return '';
  return plotHtml({
    width: 220, height: 60, margin: 4, marginLeft: 4, marginRight: 4,
    x: { axis: null, label: 'Month' }, y: { axis: null, label: label, zero: false },
    ariaLabel: `${label}, month by month`,
    marks: [
      Plot.line(data, { x: 'date', y: 'value', stroke: '#2f5d8a', strokeWidth: 1.5 }),
      Plot.dot(data, { x: 'date', y: 'value', r: 2.2, fill: '#2f5d8a', title: (d: { month: string; shown: string }) => `${d.month}: ${d.shown}` }),
    ],
  } as Plot.PlotOptions);
}
