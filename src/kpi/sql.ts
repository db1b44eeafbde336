/**
 * Small helpers for building parameterised KPI SQL. Values never go into the text the KPIs
 * build; the read path (`inlineArgs` in query.ts) writes the validated values in as quoted
 * literals at execution, because DuckDB re-plans parameterised statements on every run.
 */
import { listValue, type DuckDBValue } from '@duckdb/node-api';

export class SqlArgs {
  readonly args: DuckDBValue[] = [];
  readonly names: string[] = [];
  private readonly byName = new Map<string, string>();

  /** A placeholder for `value`; the same name always gives the same placeholder. */
  p(name: string, value: DuckDBValue): string {
    const known = this.byName.get(name);
    if (known) return known;
    this.args.push(value);
    this.names.push(name);
    const ph = `$${this.args.length}`;
    this.byName.set(name, ph);
    return ph;
  }

  date(name: string, value: string): string {
    return `${this.p(name, value)}::DATE`;
  }

  /** A list of text values, as a VARCHAR[] (use with `list_contains(…, x)`). */
  list(name: string, values: string[]): string {
    // DuckDB cannot type an empty list parameter
    return values.length === 0 ? '[]::VARCHAR[]' : `${this.p(name, listValue(values))}::VARCHAR[]`;
  }
}

/** The common case filters (programme, manager, case type) on a cases alias. */
export function caseFilters(q: SqlArgs, p: { program?: string | undefined; manager?: string | undefined; caseType?: string | undefined }, alias = 'c'): string[] {
  const out: string[] = [];
  if (p.program !== undefined) out.push(`${alias}.program_id = ${q.p('program', p.program)}`);
  if (p.manager !== undefined) out.push(`${alias}.manager_id = ${q.p('manager', p.manager)}`);
  if (p.caseType !== undefined) out.push(`${alias}.case_type = ${q.p('caseType', p.caseType)}`);
  return out;
}

/** `expr` (a DATE) lies in [from, to], either end optional. */
export function dateInPeriod(q: SqlArgs, expr: string, p: { from?: string | undefined; to?: string | undefined }): string[] {
  const out: string[] = [];
  if (p.from !== undefined) out.push(`${expr} >= ${q.date('from', p.from)}`);
  if (p.to !== undefined) out.push(`${expr} <= ${q.date('to', p.to)}`);
  return out;
}

export function where(conds: string[]): string {
  return conds.length ? `WHERE ${conds.join('\n    AND ')}` : '';
}

export function and(conds: string[]): string {
  return conds.length ? conds.map((c) => `AND ${c}`).join(' ') : '';
}

/** ISO day string of a date column. */
export function isoDay(expr: string): string {
  return `strftime(${expr}, '%Y-%m-%d')`;
}
