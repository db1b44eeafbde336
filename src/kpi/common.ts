/** Pieces shared by the KPI definitions. */
import type { ColumnSpec, ColumnType, KpiContext } from './types.ts';

export function col(name: string, label: string, type: ColumnType, description: string, extra: Partial<ColumnSpec> = {}): ColumnSpec {
  return { name, label, type, description, ...extra };
}

export const hidden = (name: string, description: string): ColumnSpec => col(name, name, 'int', description, { hidden: true });

export interface BaseParams {
  [key: string]: unknown;
  from?: string | undefined;
  to?: string | undefined;
  asOf: string;
  program?: string | undefined;
  manager?: string | undefined;
  caseType?: string | undefined;
  by: string;
}

/** Period, as-of date, filters (programme and manager already resolved to ids by runKpi) and grouping. */
export function resolveBase(raw: Record<string, unknown>, ctx: Pick<KpiContext, 'today'>, defaultBy = 'none'): BaseParams {
  const s = (k: string) => (typeof raw[k] === 'string' ? (raw[k] as string) : undefined);
  const to = s('to');
  return {
    from: s('from'),
    to,
    asOf: s('asOf') ?? to ?? ctx.today,
    program: s('program'),
    manager: s('manager'),
    caseType: s('caseType'),
    by: s('by') ?? defaultBy,
  };
}

/** Drops undefined values so resolved parameters print cleanly. */
export function clean<T extends Record<string, unknown>>(p: T): T {
  return Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined)) as T;
}

export const num = (v: unknown): number => (typeof v === 'number' ? v : v == null ? 0 : Number(v));

/** Standard words for the written definitions. */
export const FILTER_TEXT = 'Filters `program`, `manager` and `caseType` apply to the case the record belongs to.';
