/**
 * Response formats: JSON by default; CSV and Apache Arrow IPC (stream format) on request, by
 * `?format=json|csv|arrow` or by the Accept header (`text/csv`,
 * `application/vnd.apache.arrow.stream`). Tabular endpoints say which table a CSV or Arrow
 * answer holds; the others answer JSON only.
 */
import { Bool, DateDay, Float64, Int32, Int64, List, Utf8, Field, vectorFromArray, Table, tableToIPC, type DataType, type Vector } from 'apache-arrow';
import { UsageError } from '../errors.ts';
import { isSuppressed } from '../kpi/index.ts';

export type Format = 'json' | 'csv' | 'arrow';
export const ARROW_TYPE = 'application/vnd.apache.arrow.stream';

export function negotiate(formatParam: string | undefined, accept: string | undefined): Format {
  if (formatParam !== undefined && formatParam !== '') {
    const f = formatParam.toLowerCase();
    if (f === 'json' || f === 'csv' || f === 'arrow') return f;
    throw new UsageError(`format: must be json, csv or arrow, got "${formatParam}"`);
  }
  const a = (accept ?? '').toLowerCase();
  if (a.includes('application/vnd.apache.arrow')) return 'arrow';
  if (a.includes('text/csv')) return 'csv';
  return 'json';
}

export type ColumnKind = 'text' | 'int' | 'number' | 'date' | 'bool' | 'list';

export interface TableColumn {
  name: string;
  type: ColumnKind;
}

export interface TableData {
  columns: TableColumn[];
  rows: Array<Record<string, unknown>>;
}

/** Columns from the rows themselves, when there is no declared schema. */
export function inferColumns(rows: Array<Record<string, unknown>>): TableColumn[] {
  const names: string[] = [];
  for (const r of rows) for (const k of Object.keys(r)) if (!names.includes(k)) names.push(k);
  return names.map((name) => {
    const vals = rows.map((r) => r[name]).filter((v) => v !== null && v !== undefined && !isSuppressed(v));
    const type: ColumnKind = vals.length === 0
      ? 'text'
      : vals.every((v) => typeof v === 'boolean')
        ? 'bool'
        : vals.every((v) => typeof v === 'number')
          ? (vals.every((v) => Number.isInteger(v)) ? 'int' : 'number')
          : vals.every((v) => Array.isArray(v))
            ? 'list'
            : 'text';
    return { name, type };
  });
}

function csvField(v: unknown): string {
  let s: string;
  if (isSuppressed(v)) s = 'suppressed';
  else if (v === null || v === undefined) s = '';
  else if (Array.isArray(v)) s = v.join(';');
  else if (v instanceof Date) s = v.toISOString();
  else if (typeof v === 'object') s = JSON.stringify(v);
  else s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export function toCsv(t: TableData): string {
  const lines = [t.columns.map((c) => csvField(c.name)).join(','), ...t.rows.map((r) => t.columns.map((c) => csvField(r[c.name])).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/**
 * The Arrow type of a column, from its declared type (a KPI's column schema, which docs/kpis.md
 * shows; inferColumns for the other tables): `int` → Int32 (Int64 when a value does not fit, so a
 * count is never cut short; Float64 if a value is not whole, never rounded away), `number` →
 * Float64, `date` → Date32 (days), `bool` → Bool, `list` → List<Utf8>, `text` → Utf8.
 */
function arrowType(kind: ColumnKind, values: unknown[]): DataType {
  switch (kind) {
    case 'int': {
      const ints = values.filter((v): v is number => v !== null);
      if (!ints.every((v) => Number.isInteger(v))) return new Float64();
      return ints.every((v) => v >= INT32_MIN && v <= INT32_MAX) ? new Int32() : new Int64();
    }
    case 'number':
      return new Float64();
    case 'date':
      return new DateDay();
    case 'bool':
      return new Bool();
    case 'list':
      return new List(new Field('item', new Utf8(), true));
    default:
      return new Utf8();
  }
}

/** A day (`YYYY-MM-DD`, or a Date) as the Date that Arrow stores as days since 1970-01-01. */
function toDay(v: unknown): Date | null {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v;
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(String(v));
  return m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : null;
}

function arrowValue(v: unknown, kind: ColumnKind): unknown {
  if (v === null || v === undefined || isSuppressed(v)) return null;
  switch (kind) {
    case 'int':
    case 'number':
      return typeof v === 'number' ? v : Number(v);
    case 'date':
      return toDay(v);
    case 'bool':
      return Boolean(v);
    case 'list':
      return Array.isArray(v) ? v.map(String) : [String(v)];
    default:
      return v instanceof Date ? v.toISOString() : typeof v === 'object' ? JSON.stringify(v) : String(v);
  }
}

/**
 * An Arrow IPC stream of the table. Suppressed cells are null, and each column holding any
 * gets a companion boolean column `<name>__suppressed`, so "withheld" is never read as "missing".
 */
export function toArrow(t: TableData): Uint8Array {
  const vectors: Record<string, Vector> = {};
  for (const c of t.columns) {
    const values = t.rows.map((r) => arrowValue(r[c.name], c.type));
    const type = arrowType(c.type, values);
    vectors[c.name] = vectorFromArray((type instanceof Int64 ? values.map((v) => (v === null ? null : BigInt(v as number))) : values) as never[], type);
    if (t.rows.some((r) => isSuppressed(r[c.name]))) {
      vectors[`${c.name}__suppressed`] = vectorFromArray(t.rows.map((r) => isSuppressed(r[c.name])), new Bool());
    }
  }
  return tableToIPC(new Table(vectors), 'stream');
}
