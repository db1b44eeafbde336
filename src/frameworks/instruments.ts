/**
 * What the instrument fields mean, as small pure functions: scoring item responses, severity
 * bands, caseness and reliable change. Kept next to the schema so every stage reads
 * `reliableChange` and `clinicalCutoff` the same way.
 */
import type { Band, Framework, Instrument } from './schema.ts';

export type ScoreResult = { ok: true; total: number } | { ok: false; reason: string };

/**
 * Total score from item responses keyed by item id. Every item must be answered with a whole
 * number in its range; otherwise the reason says which item and why (no pro-rating).
 */
export function scoreResponses(instrument: Instrument, responses: Readonly<Record<string, number | null | undefined>>): ScoreResult {
  const values: number[] = [];
  for (const item of instrument.items) {
    const v = responses[item.id];
    if (v === undefined || v === null) return { ok: false, reason: `item "${item.id}" has no response` };
    if (!Number.isInteger(v) || v < item.min || v > item.max) {
      return { ok: false, reason: `item "${item.id}" response ${v} is outside ${item.min}–${item.max}` };
    }
    values.push(v);
  }
  const known = new Set(instrument.items.map((i) => i.id));
  const extra = Object.keys(responses).find((k) => !known.has(k));
  if (extra !== undefined) return { ok: false, reason: `"${extra}" is not an item of ${instrument.id}` };
  const total =
    instrument.scoring.method === 'sum'
      ? values.reduce((a, b) => a + b, 0)
      : instrument.scoring.method === 'max'
        ? Math.max(...values)
        : Math.min(...values);
  return { ok: true, total };
}

/** The severity band a total falls in, or undefined when it is outside the instrument's range. */
export function bandFor(instrument: Instrument, score: number): Band | undefined {
  return instrument.bands.find((b) => score >= b.min && score <= b.max);
}

/**
 * Whether a score counts as a clinical case: at or above the cut-off when higher is worse,
 * at or below it when higher is better. Undefined when the instrument has no cut-off.
 */
export function isClinicalCase(instrument: Instrument, score: number): boolean | undefined {
  if (instrument.clinicalCutoff === undefined) return undefined;
  return instrument.direction === 'higher_is_worse' ? score >= instrument.clinicalCutoff : score <= instrument.clinicalCutoff;
}

export type ChangeCategory = 'reliably_improved' | 'no_reliable_change' | 'reliably_deteriorated';

export interface ChangeResult {
  /** latest - baseline, in score points. */
  change: number;
  /** The change in the "better" direction (positive = better), whatever the instrument's direction. */
  improvement: number;
  category: ChangeCategory;
  /** Only when the instrument has a clinical cut-off. */
  caseness?: {
    baseline: boolean;
    latest: boolean;
    /** Was a case, is no longer, and improved reliably ("reliable recovery"). */
    reliableRecovery: boolean;
  };
}

/** Classify baseline → latest change: a change of at least `reliableChange` points in either direction is reliable. */
export function classifyChange(instrument: Instrument, baseline: number, latest: number): ChangeResult {
  const change = latest - baseline;
  const improvement = instrument.direction === 'higher_is_worse' ? -change : change;
  const category: ChangeCategory =
    improvement >= instrument.reliableChange
      ? 'reliably_improved'
      : -improvement >= instrument.reliableChange
        ? 'reliably_deteriorated'
        : 'no_reliable_change';
  const result: ChangeResult = { change, improvement, category };
  const before = isClinicalCase(instrument, baseline);
  const after = isClinicalCase(instrument, latest);
  if (before !== undefined && after !== undefined) {
    result.caseness = { baseline: before, latest: after, reliableRecovery: before && !after && category === 'reliably_improved' };
  }
  return result;
}

/** Items whose response reaches their flag threshold (for example PHQ-9 item 9), whatever the total. */
export function flaggedItems(
  instrument: Instrument,
  responses: Readonly<Record<string, number | null | undefined>>,
): { itemId: string; value: number; reason: string }[] {
  const out: { itemId: string; value: number; reason: string }[] = [];
  for (const item of instrument.items) {
    const v = responses[item.id];
    if (item.flag && typeof v === 'number' && v >= item.flag.atOrAbove) out.push({ itemId: item.id, value: v, reason: item.flag.reason });
  }
  return out;
}

/** An instrument declared by a framework, by id. */
export function findInstrument(framework: Framework, id: string): Instrument | undefined {
  return framework.instruments.find((i) => i.id === id);
}
