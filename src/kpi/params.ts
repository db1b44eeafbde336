/**
 * KPI parameters: one spec per parameter (zod schema, flag, description), shared by every KPI
 * that takes it, so `--from` means the same thing everywhere. Values may arrive as strings
 * (command line, query string) and are coerced.
 */
import { z } from 'zod';
import { UsageError } from '../errors.ts';
import type { Db } from '../store/index.ts';
import type { ParamSpec } from './types.ts';

function isRealDay(s: string): boolean {
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

export const isoDay = z
  .string()
  .trim()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date written YYYY-MM-DD')
  .refine(isRealDay, 'is not a real calendar date');

const id = z.string().trim().min(1, 'must not be empty');

/**
 * A number given as a number or as plain decimal text (`7`, ` 7 `, `-1.5`); anything else
 * (`0x10`, `1e3`, `Infinity`, an empty string) is refused rather than coerced, so a value means
 * exactly one thing.
 */
export function decimal(): z.ZodType<number, unknown> {
  return z.union([
    z.number(),
    z.string().trim().regex(/^[+-]?\d{1,12}(\.\d{1,12})?$/, 'must be a number written in digits').transform(Number),
  ]).pipe(z.number().finite()) as unknown as z.ZodType<number, unknown>;
}

/**
 * A choice among fixed words, in its canonical form: surrounding whitespace is dropped and case
 * is folded before the value is checked, so ` Manager` and `manager` are the same value (and get
 * the same role rules); anything else is refused.
 */
export function choice<const T extends readonly [string, ...string[]]>(values: T): z.ZodType<T[number], unknown> {
  return z.string().trim().toLowerCase().pipe(z.enum(values as unknown as [string, ...string[]])) as unknown as z.ZodType<T[number], unknown>;
}

const wholeDays = decimal().pipe(z.number().int('must be a whole number of days').min(0, 'must be 0 or more').max(3650, 'must be at most 3650'));

export const P = {
  from: { name: 'from', flag: '--from', description: 'first day of the period (inclusive); default: no lower bound', schema: isoDay.optional() },
  to: { name: 'to', flag: '--to', description: 'last day of the period (inclusive); default: no upper bound', schema: isoDay.optional() },
  asOf: {
    name: 'asOf', flag: '--as-of', description: 'the day the figures are taken at (end of that day): what is open, overdue or still pending', schema: isoDay.optional(),
    defaultText: '`to` if given, else today (UTC)',
  },
  program: { name: 'program', flag: '--program', description: 'only cases of this programme (its id, e.g. `sample:P01`, or the part after the colon when unique)', schema: id.optional() },
  manager: { name: 'manager', flag: '--manager', description: 'only cases managed by this staff member (id, or the part after the colon when unique)', schema: id.optional() },
  caseType: { name: 'caseType', flag: '--case-type', description: 'only cases of this case type', schema: id.optional() },
  domain: { name: 'domain', flag: '--domain', description: 'only this framework domain', schema: id.optional() },
  by: (options: string[], def: string): ParamSpec => ({
    name: 'by', flag: '--by', description: `grouping: ${[...options, 'none'].map((o) => `\`${o}\``).join(', ')}`,
    schema: choice(['none', ...options] as [string, ...string[]]).optional(), defaultText: `\`${def}\``,
  }),
  graceDays: { name: 'graceDays', flag: '--grace-days', description: 'days after the due date a follow-up still counts as on time', schema: wholeDays.optional(), defaultText: 'config `kpi.followups.graceDays` (7)' },
  threshold: { name: 'threshold', flag: '--threshold', description: 'a satisfaction response at or above this counts as satisfied', schema: decimal().optional(), defaultText: 'config `kpi.satisfaction.threshold` (4)' },
  capacity: { name: 'capacity', flag: '--capacity', description: 'capacity for staff without `caseload_capacity`', schema: decimal().pipe(z.number().int().min(0)).optional(), defaultText: 'config `kpi.caseload.defaultCapacity` (25)' },
  instrument: { name: 'instrument', flag: '--instrument', description: 'only this instrument (e.g. `phq9`, `gad7`, `ssm`, or any measure id in assessments)', schema: id.optional() },
  followup: { name: 'followup', flag: '--followup', description: '`latest` (the last assessment after baseline) or `horizon` (the one nearest `horizonDays` after opening)', schema: choice(['latest', 'horizon']).optional(), defaultText: 'config `kpi.change.followup` (`latest`)' },
  horizonDays: { name: 'horizonDays', flag: '--horizon-days', description: 'days after opening the follow-up should be nearest to (horizon mode)', schema: decimal().pipe(z.number().int().min(1).max(3650)).optional(), defaultText: 'config `kpi.change.horizonDays` (90)' },
  horizonToleranceDays: { name: 'horizonToleranceDays', flag: '--horizon-tolerance-days', description: 'in horizon mode, only assessments within this many days of the horizon count', schema: wholeDays.optional(), defaultText: 'config `kpi.change.horizonToleranceDays` (30)' },
  baselineBeforeDays: { name: 'baselineBeforeDays', flag: '--baseline-before-days', description: 'baseline window starts this many days before opening', schema: wholeDays.optional(), defaultText: 'config `kpi.change.baselineBeforeDays` (30)' },
  baselineAfterDays: { name: 'baselineAfterDays', flag: '--baseline-after-days', description: 'baseline window ends this many days after opening', schema: wholeDays.optional(), defaultText: 'config `kpi.change.baselineAfterDays` (30)' },
  unit: { name: 'unit', flag: '--unit', description: '`client` (one pair per client: the first episode with a baseline) or `episode` (one pair per case)', schema: choice(['client', 'episode']).optional(), defaultText: 'config `kpi.change.unit` (`client`)' },
  baselineWithinDays: { name: 'baselineWithinDays', flag: '--baseline-within-days', description: 'documentation rule: baseline assessment within this many days of opening', schema: wholeDays.optional(), defaultText: 'config `kpi.documentation.baselineWithinDays` (30)' },
  goalWithinDays: { name: 'goalWithinDays', flag: '--goal-within-days', description: 'documentation rule: a case older than this many days must have a goal', schema: wholeDays.optional(), defaultText: 'config `kpi.documentation.goalWithinDays` (30)' },
  noteAfterServiceDays: { name: 'noteAfterServiceDays', flag: '--note-after-service-days', description: 'documentation rule: a note within this many days after each delivered service', schema: wholeDays.optional(), defaultText: 'config `kpi.documentation.noteAfterServiceDays` (3)' },
  scorer: { name: 'scorer', flag: '--scorer', description: 'only tags from this scorer (`offline`, `llm`)', schema: id.optional() },
} satisfies Record<string, ParamSpec | ((...a: never[]) => ParamSpec)>;

/** Validates raw parameters against a KPI's specs: unknown names and bad values are usage errors. */
export function validateParams(kpiId: string, specs: ParamSpec[], raw: Record<string, unknown>): Record<string, unknown> {
  const known = new Map(specs.map((s) => [s.name, s]));
  const problems: string[] = [];
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    const spec = known.get(name);
    if (!spec) {
      problems.push(`unknown parameter "${name}" (accepted: ${specs.map((s) => s.name).join(', ')})`);
      continue;
    }
    const parsed = spec.schema.safeParse(typeof value === 'string' ? value.trim() : value);
    if (!parsed.success) {
      problems.push(`${spec.flag} ${JSON.stringify(value)}: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
    } else {
      out[name] = parsed.data;
    }
  }
  if (typeof out.from === 'string' && typeof out.to === 'string' && out.from > out.to) {
    problems.push(`--from ${out.from} is after --to ${out.to}`);
  }
  if (problems.length) throw new UsageError(`kpi ${kpiId}: ${problems[0]}`, problems.slice(1));
  return out;
}

/** Today as YYYY-MM-DD (UTC). */
export function todayIso(now = new Date()): string {
  return now.toISOString().slice(0, 10);
}

/**
 * Resolves a programme or staff reference: an exact id, else the unique id whose part after
 * the namespace colon matches (so `P01` finds `sample:P01`). Unknown or ambiguous: usage error.
 */
export async function resolveRef(db: Db, kind: 'program' | 'manager', value: string | undefined): Promise<string | undefined> {
  if (value === undefined) return undefined;
  const [table, col] = kind === 'program' ? ['programs', 'program_id'] : ['staff', 'staff_id'];
  const rows = await db.all<{ id: string }>(
    `SELECT ${col} AS id FROM ${table} WHERE ${col} = $1 OR (strpos($1, ':') = 0 AND ends_with(${col}, ':' || $1)) ORDER BY (${col} = $1) DESC, ${col} LIMIT 5`,
    [value],
    `cannot look up ${kind} ${value}`,
  );
  if (rows.length === 0) throw new UsageError(`--${kind} ${value}: no such ${kind === 'program' ? 'programme' : 'staff member'} in the database`);
  if (rows[0]!.id === value) return value;
  if (rows.length > 1) throw new UsageError(`--${kind} ${value} is ambiguous: ${rows.map((r) => r.id).join(', ')}; give the full id`);
  return rows[0]!.id;
}
