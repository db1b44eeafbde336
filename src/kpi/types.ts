import type { z } from 'zod';
import type { Framework } from '../frameworks/index.ts';
import type { Db } from '../store/index.ts';
import type { KpiConfig } from './config.ts';
import type { FactsInfo } from './facts.ts';

export type Audience = 'evaluator' | 'funder' | 'manager';

/** Column types of a KPI result; `date` is an ISO day string (YYYY-MM-DD). */
export type ColumnType = 'text' | 'int' | 'number' | 'date' | 'bool' | 'list';

export interface ColumnSpec {
  name: string;
  label: string;
  type: ColumnType;
  description: string;
  /** present in rows for disclosure control, dropped from what is returned */
  hidden?: boolean;
  /** a grouping column: never suppressed */
  dimension?: boolean;
  unit?: string;
}

/** A cell withheld by disclosure control: never a number, never silently zero. */
export interface SuppressedCell {
  value: null;
  suppressed: true;
  reason: string;
}

export type CellValue = string | number | boolean | null | string[] | SuppressedCell;
export type KpiRow = Record<string, CellValue>;

export function isSuppressed(v: unknown): v is SuppressedCell {
  return typeof v === 'object' && v !== null && (v as { suppressed?: unknown }).suppressed === true;
}

/** The written definition: what an evaluator needs to recompute the figure by hand. */
export interface WrittenDefinition {
  formula: string;
  numerator?: string;
  denominator?: string;
  population: string;
  period: string;
  exclusions: string[];
  ties: string;
  missing: string;
  notes?: string[];
}

export interface ParamSpec {
  name: string;
  /** the command-line flag the lead wires (kebab-case) */
  flag: string;
  description: string;
  schema: z.ZodType;
  /** how the default is chosen, for the docs */
  defaultText?: string;
}

/** A table cell that disclosure control reasons about: an additive count resting on some clients. */
export interface DisclosureCellSpec {
  name: string;
  /** column holding the additive count (units: cases, goals, responses, clients…), or a function of the row */
  count: string | ((row: KpiRow) => number);
  /** column holding the number of distinct clients the cell rests on */
  clients: string;
  /** published columns withheld when this cell is suppressed; [] for a cell that is never shown but derivable */
  columns: string[];
}

export interface DisclosureSpec {
  cells: DisclosureCellSpec[];
  /** within one row: total = sum of parts (names of cells) */
  lines: Array<{ total: string; parts: string[] }>;
  /** whether the groups of this grouping partition the units, so the total row is the sum of the group rows */
  additiveGroups: (groupBy: string) => boolean;
}

export interface KpiDetails {
  title: string;
  columns: ColumnSpec[];
  rows: KpiRow[];
}

export interface KpiResult {
  kpi: string;
  title: string;
  summary: string;
  /** parameters after validation, with every default filled in */
  params: Record<string, unknown>;
  columns: ColumnSpec[];
  rows: KpiRow[];
  /** record-level listing for managers (e.g. failing cases); never part of funder output */
  details?: KpiDetails;
  notes: string[];
  suppression?: { k: number; primary: number; secondary: number; rule: string };
  elapsedMs: number;
}

export interface KpiContext {
  db: Db;
  config: KpiConfig;
  framework: Framework | undefined;
  /** default as-of date (YYYY-MM-DD) */
  today: string;
  /** sizes of the KPI facts, for KPIs that read them (`usesFacts`) */
  facts?: FactsInfo;
  /** hidden columns nobody will see (no disclosure control asked for): need not be computed */
  skip?: ReadonlySet<string>;
}

export interface ComputeOutput {
  rows: KpiRow[];
  details?: KpiDetails;
  notes?: string[];
}

/** The one definition of a KPI: SQL, written definition, parameters and output schema. */
export interface KpiDefinition<P extends Record<string, unknown> = Record<string, unknown>> {
  id: string;
  title: string;
  /** one line, shown by `caselens kpi` */
  summary: string;
  audience: Audience[];
  definition: WrittenDefinition;
  params: ParamSpec[];
  columns: ColumnSpec[];
  /** grouping dimensions offered through the `by` parameter */
  groupings?: { options: string[]; default: string };
  disclosure?: DisclosureSpec;
  /** fills defaults (from config) after validation; programme and manager are already resolved to ids */
  resolve(raw: Record<string, unknown>, ctx: Pick<KpiContext, 'config' | 'today'>): P;
  /** the main SQL and its parameters, used both to run and to document the KPI */
  /** reads the KPI facts (src/kpi/facts.ts), which runKpi brings up to date first */
  usesFacts?: boolean;
  sql(params: P, ctx: Pick<KpiContext, 'config' | 'framework' | 'facts' | 'skip'>): { sql: string; args: unknown[]; argNames: string[] };
  compute(ctx: KpiContext, params: P): Promise<ComputeOutput>;
}
