/**
 * KPIs through the server: the same registry and `runKpi` as the command line, plus the role
 * rules (funders get suppressed, funder-facing KPIs only; managers are pinned to their own
 * caseload; supervisors to their team) and a cache per snapshot.
 */
import { listValue } from '@duckdb/node-api';
import { UsageError } from '../errors.ts';
import { findKpi, formatKpiResult, listKpis, runKpi, type KpiConfigInput, type KpiListing, type KpiResult } from '../kpi/index.ts';
import { validateParams } from '../kpi/params.ts';
import type { ParamSpec } from '../kpi/types.ts';
import type { Db } from '../store/index.ts';
import { Forbidden, NotFound, type Principal, type Scope } from './access.ts';
import { toArrow, type TableColumn } from './formats.ts';

export interface KpiServiceOptions {
  /** the `kpi` section of the config */
  kpiConfig?: KpiConfigInput;
  /** folder `kpi.framework` is relative to */
  root?: string;
  /** today's date (YYYY-MM-DD) for defaults; tests pin it */
  today?: () => string;
  cacheEntries?: number;
}

/** A KPI answer with its serialisations, made once per snapshot and kept. */
export interface KpiAnswer {
  result: KpiResult;
  json(): string;
  csv(): string;
  arrow(): Uint8Array;
}

/** Parameters a funder may set: no manager, and periods in whole months (a day-by-day difference could reveal a small cell). */
const FUNDER_PARAMS = new Set(['from', 'to', 'asOf', 'program', 'caseType', 'by', 'instrument', 'domain', 'followup', 'horizonDays', 'horizonToleranceDays', 'baselineBeforeDays', 'baselineAfterDays', 'unit', 'graceDays', 'threshold', 'scorer']);

function isFirstOfMonth(d: string): boolean {
  return /^\d{4}-\d{2}-01$/.test(d);
}

function isLastOfMonth(d: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(d);
  if (!m) return false;
  const last = new Date(Date.UTC(Number(m[1]), Number(m[2]), 0)).getUTCDate();
  return Number(m[3]) === last;
}

/** Funder periods must be whole months. */
export function checkFunderPeriod(params: Record<string, unknown>): void {
  const { from, to, asOf } = params as { from?: string; to?: string; asOf?: string };
  if (typeof from === 'string' && from !== '' && !isFirstOfMonth(from)) throw new UsageError(`from: funder reports cover whole months, so from must be the first day of a month (got ${from})`);
  if (typeof to === 'string' && to !== '' && !isLastOfMonth(to)) throw new UsageError(`to: funder reports cover whole months, so to must be the last day of a month (got ${to})`);
  if (typeof asOf === 'string' && asOf !== '' && !isLastOfMonth(asOf)) throw new UsageError(`asOf: funder reports are taken at a month end (got ${asOf})`);
}

/**
 * Parameters parsed by the KPI's schemas (src/kpi/params.ts) and written back as text in their
 * canonical form: what role rules look at, what the cache is keyed by and what runKpi gets.
 * Unknown names and values that do not parse are a 400.
 */
export function canonicalParams(kpiId: string, specs: ParamSpec[], given: Record<string, string>): Record<string, string> {
  const parsed = validateParams(kpiId, specs, given);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(parsed)) {
    if (v === undefined) continue;
    if (typeof v !== 'string' && typeof v !== 'number') throw new UsageError(`${k}: unexpected value`);
    out[k] = String(v);
  }
  return out;
}

/** Resolves a staff reference (full id, or the part after the colon) within a set of allowed ids. */
function pickStaff(value: string, allowed: Set<string>): string | undefined {
  if (allowed.has(value)) return value;
  const matches = [...allowed].filter((id) => !value.includes(':') && id.endsWith(`:${value}`));
  return matches.length === 1 ? matches[0] : undefined;
}

export class KpiService {
  private readonly cache = new Map<string, Promise<KpiAnswer>>();
  private cacheGeneration = -1;
  private readonly opts: KpiServiceOptions;

  constructor(opts: KpiServiceOptions = {}) {
    this.opts = opts;
  }

  /** KPIs this principal may run. */
  list(p: Principal): KpiListing[] {
    const all = listKpis();
    return p.role === 'funder' ? all.filter((k) => k.funderFacing) : all;
  }

  /**
   * Checks and pins parameters for the role; returns what is passed to runKpi. Every value is
   * first parsed to its canonical form (trimmed, case folded where the value is a fixed word,
   * numbers and dates checked) by the KPI's own parameter schemas, and every role decision is
   * made on that parsed value, never on the text as it arrived: ` manager` is `manager`.
   */
  scopeParams(id: string, scope: Scope, raw: Record<string, string | undefined>): { params: Record<string, string>; suppress: boolean } {
    const def = findKpi(id);
    if (!def) throw new NotFound(`unknown KPI "${id}"; known: ${listKpis().map((k) => k.id).join(', ')}`);
    const given: Record<string, string> = {};
    for (const [k, v] of Object.entries(raw)) if (v !== undefined && v.trim() !== '') given[k] = v;
    if (scope.role === 'funder') {
      if (!def.disclosure) throw new Forbidden(`KPI ${id} is not part of funder reporting (it has no disclosure control)`);
      for (const k of Object.keys(given)) {
        if (!FUNDER_PARAMS.has(k)) throw new Forbidden(`${k}: funders cannot filter or group by this parameter`);
      }
    }
    const params = canonicalParams(def.id, def.params, given);
    if (scope.role === 'funder') {
      if (params.by === 'manager') throw new Forbidden('by: funders cannot group by case manager');
      checkFunderPeriod(params);
      return { params, suppress: true };
    }
    if (scope.role === 'manager' || scope.role === 'supervisor') {
      const allowed = scope.managers!;
      if (params.manager !== undefined) {
        const picked = pickStaff(params.manager, allowed);
        if (!picked) throw new Forbidden(`manager: ${params.manager} is not ${scope.role === 'manager' ? 'you' : 'in your team'}`);
        params.manager = picked;
      } else if (scope.role === 'manager') {
        params.manager = [...allowed][0]!;
      }
    }
    return { params, suppress: false };
  }

  /**
   * Runs (or takes from the cache) one KPI for a principal's scope. Results depend only on the
   * parameters and on suppression, so roles share them; record-level details are then cut to
   * the scope (a cached answer per scope only when that cut applies).
   */
  async run(db: Db, generation: number, scope: Scope, id: string, raw: Record<string, string | undefined>): Promise<KpiAnswer> {
    const { params, suppress } = this.scopeParams(id, scope, raw);
    if (generation !== this.cacheGeneration) {
      this.cache.clear();
      this.cacheGeneration = generation;
    }
    const base = `${suppress ? 'S' : 'F'}|${id}|${JSON.stringify(Object.entries(params).sort())}|${this.opts.today?.() ?? new Date().toISOString().slice(0, 10)}`;
    const cut = !suppress && scope.managers !== null;
    const key = cut ? `${scope.key}|${base}` : base;
    const hit = this.cache.get(key);
    if (hit) {
      this.cache.delete(key);
      this.cache.set(key, hit);
      return hit;
    }
    const answer = cut
      ? this.run(db, generation, { ...scope, role: 'admin', managers: null, key: 'all' }, id, params).then((all) => this.cutToScope(db, scope, all.result))
      : this.compute(db, id, params, suppress);
    const max = this.opts.cacheEntries ?? 1000;
    if (max > 0) {
      this.cache.set(key, answer);
      answer.catch(() => this.cache.delete(key));
      while (this.cache.size > max) this.cache.delete(this.cache.keys().next().value!);
    }
    return answer;
  }

  private async compute(db: Db, id: string, params: Record<string, string>, suppress: boolean): Promise<KpiAnswer> {
    const result = await runKpi(db, id, params, {
      ...(this.opts.kpiConfig ? { config: this.opts.kpiConfig } : {}),
      ...(this.opts.root ? { root: this.opts.root } : {}),
      ...(this.opts.today ? { today: this.opts.today() } : {}),
      suppress,
    });
    if (suppress) delete result.details;
    return answerOf(result);
  }

  private async cutToScope(db: Db, scope: Scope, all: KpiResult): Promise<KpiAnswer> {
    if (!all.details) return answerOf(all);
    return answerOf({ ...all, details: { ...all.details, rows: (await detailsInScope(db, scope, all.details.rows)) as typeof all.details.rows } });
  }
}

function answerOf(result: KpiResult): KpiAnswer {
  let json: string | undefined;
  let csv: string | undefined;
  let arrow: Uint8Array | undefined;
  return {
    result,
    json: () => (json ??= JSON.stringify(result)),
    csv: () => (csv ??= formatKpiResult(result, 'csv')),
    arrow: () => (arrow ??= toArrow({ columns: result.columns.filter((c) => !c.hidden).map((c): TableColumn => ({ name: c.name, type: c.type })), rows: result.rows })),
  };
}

/** Record-level KPI details restricted to the cases the scope may see. */
async function detailsInScope(db: Db, scope: Scope, rows: Array<Record<string, unknown>>): Promise<Array<Record<string, unknown>>> {
  const allowed = scope.managers!;
  if (rows.length === 0) return rows;
  if ('manager_id' in rows[0]!) return rows.filter((r) => typeof r.manager_id === 'string' && allowed.has(r.manager_id));
  if ('case_id' in rows[0]!) {
    const visible = new Set(
      (await db.all<{ case_id: string }>(`SELECT case_id FROM cases WHERE list_contains($1::VARCHAR[], manager_id)`, [listValue([...allowed])])).map((r) => r.case_id),
    );
    return rows.filter((r) => typeof r.case_id === 'string' && visible.has(r.case_id));
  }
  return [];
}
