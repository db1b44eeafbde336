/** KPI results as a terminal table, JSON or CSV. */
import { UsageError } from '../errors.ts';
import type { KpiListing } from './run.ts';
import type { ColumnSpec, KpiResult, KpiRow } from './types.ts';
import { isSuppressed } from './types.ts';

export type KpiFormat = 'table' | 'json' | 'csv';

const PRIMARY_MARK = '*';
const SECONDARY_MARK = '**';

function textCell(v: unknown, c: ColumnSpec): string {
  if (isSuppressed(v)) return v.reason.startsWith('fewer than') ? PRIMARY_MARK : SECONDARY_MARK;
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) return v.join(', ');
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (typeof v === 'number') {
    if (c.unit === 'share') return `${(v * 100).toFixed(1)}%`;
    if (c.type === 'int' || Number.isInteger(v)) return v.toLocaleString('en-US');
    if (c.unit === 'days') return v.toFixed(1);
    return Math.abs(v) < 0.001 && v !== 0 ? v.toExponential(2) : v.toFixed(3);
  }
  return String(v);
}

function textTable(columns: ColumnSpec[], rows: KpiRow[]): string {
  if (rows.length === 0) return '(no rows)';
  const head = columns.map((c) => c.label);
  const body = rows.map((r) => columns.map((c) => textCell(r[c.name], c)));
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const right = columns.map((c) => ['int', 'number'].includes(c.type));
  const line = (vals: string[]) => vals.map((v, i) => (right[i] ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

function csvField(v: unknown): string {
  let s: string;
  if (isSuppressed(v)) s = 'suppressed';
  else if (v === null || v === undefined) s = '';
  else if (Array.isArray(v)) s = v.join(';');
  else s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

function paramsLine(params: Record<string, unknown>): string {
  return Object.entries(params)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${v}`)
    .join('  ');
}

/** Renders a KPI result. `table` is for people; `json` is the whole result; `csv` is the main rows. */
export function formatKpiResult(result: KpiResult, format: KpiFormat = 'table'): string {
  switch (format) {
    case 'json':
      return JSON.stringify(result, null, 2);
    case 'csv': {
      const cols = result.columns.filter((c) => !c.hidden);
      const lines = [cols.map((c) => csvField(c.name)).join(','), ...result.rows.map((r) => cols.map((c) => csvField(r[c.name])).join(','))];
      return `${lines.join('\n')}\n`;
    }
    case 'table': {
      const cols = result.columns.filter((c) => !c.hidden && !['group_by', 'group_id', 'is_total'].includes(c.name));
      const parts = [`${result.title}: ${result.summary}`, paramsLine(result.params), '', textTable(cols, result.rows)];
      if (result.suppression) {
        parts.push('', `${PRIMARY_MARK} suppressed: fewer than ${result.suppression.k} clients   ${SECONDARY_MARK} withheld so a suppressed figure cannot be worked out from totals`);
      }
      for (const n of result.notes) parts.push(`note: ${n}`);
      if (result.details) {
        parts.push('', `${result.details.title} (${result.details.rows.length}):`, textTable(result.details.columns, result.details.rows));
      }
      return parts.join('\n');
    }
    default:
      throw new UsageError(`--format must be table, json or csv, got "${String(format)}"`);
  }
}

/** `caselens kpi` with no id: every KPI and its one-line definition. */
export function formatKpiList(list: KpiListing[], format: KpiFormat = 'table'): string {
  if (format === 'json') return JSON.stringify(list, null, 2);
  if (format === 'csv') return `${['id,title,summary,funder_facing', ...list.map((k) => [k.id, k.title, k.summary, String(k.funderFacing)].map(csvField).join(','))].join('\n')}\n`;
  const width = Math.max(...list.map((k) => k.id.length));
  return [
    ...list.map((k) => `${k.id.padEnd(width)}  ${k.summary}${k.funderFacing ? '' : ' (internal)'}`),
    '',
    'caselens kpi <id> [--from D --to D --as-of D --program P --manager M --case-type T --by G] [--format table|json|csv]',
    'Definitions, parameters and SQL: docs/kpis.md',
  ].join('\n');
}
