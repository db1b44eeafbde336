import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  bandFor,
  classifyChange,
  findInstrument,
  flaggedItems,
  isClinicalCase,
  loadFramework,
  scoreResponses,
  type Instrument,
} from '../../src/frameworks/index.ts';

const file = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'frameworks', 'self-sufficiency.yaml');
const result = loadFramework(file);
if (!result.ok) throw new Error(`shipped framework invalid: ${JSON.stringify(result.problems)}`);
const fw = result.framework;
function inst(id: string): Instrument {
  const i = findInstrument(fw, id);
  if (!i) throw new Error(id);
  return i;
}
const phq9 = inst('phq9');
const gad7 = inst('gad7');
const ssm = inst('ssm');

const answers = (instrument: Instrument, values: number[]) => Object.fromEntries(instrument.items.map((item, i) => [item.id, values[i]]));

describe('scoring', () => {
  it('sums PHQ-9 items', () => {
    expect(scoreResponses(phq9, answers(phq9, [1, 2, 3, 0, 1, 2, 3, 0, 0]))).toEqual({ ok: true, total: 12 });
  });

  it('refuses missing, out-of-range and unknown items', () => {
    expect(scoreResponses(phq9, answers(phq9, [1, 1, 1, 1, 1, 1, 1, 1]))).toEqual({ ok: false, reason: 'item "self_harm_thoughts" has no response' });
    expect(scoreResponses(gad7, answers(gad7, [1, 1, 1, 1, 1, 1, 4]))).toEqual({ ok: false, reason: 'item "afraid" response 4 is outside 0–3' });
    expect(scoreResponses(ssm, { rating: 3, extra: 1 })).toEqual({ ok: false, reason: '"extra" is not an item of ssm' });
  });

  it('bands at every boundary', () => {
    expect([0, 4, 5, 9, 10, 14, 15, 19, 20, 27].map((s) => bandFor(phq9, s)?.label)).toEqual([
      'minimal',
      'minimal',
      'mild',
      'mild',
      'moderate',
      'moderate',
      'moderately severe',
      'moderately severe',
      'severe',
      'severe',
    ]);
    expect([4, 5, 9, 10, 14, 15, 21].map((s) => bandFor(gad7, s)?.label)).toEqual(['minimal', 'mild', 'mild', 'moderate', 'moderate', 'severe', 'severe']);
    expect(bandFor(gad7, 22)).toBeUndefined();
  });

  it('caseness at or above the cut-off; none for SSM', () => {
    expect([isClinicalCase(phq9, 9), isClinicalCase(phq9, 10)]).toEqual([false, true]);
    expect([isClinicalCase(gad7, 7), isClinicalCase(gad7, 8)]).toEqual([false, true]);
    expect(isClinicalCase(ssm, 1)).toBeUndefined();
  });

  it('flags PHQ-9 item 9 whatever the total', () => {
    const responses = answers(phq9, [0, 0, 0, 0, 0, 0, 0, 0, 1]);
    expect(flaggedItems(phq9, responses).map((f) => f.itemId)).toEqual(['self_harm_thoughts']);
    expect(flaggedItems(phq9, answers(phq9, [3, 3, 3, 3, 3, 3, 3, 3, 0]))).toEqual([]);
  });
});

describe('reliable change', () => {
  it('PHQ-9: a drop of 6 is reliable improvement, 5 is not', () => {
    expect(classifyChange(phq9, 16, 10).category).toBe('reliably_improved');
    expect(classifyChange(phq9, 16, 11).category).toBe('no_reliable_change');
    expect(classifyChange(phq9, 4, 10).category).toBe('reliably_deteriorated');
  });

  it('PHQ-9: reliable recovery needs caseness at baseline, none at the end, and reliable improvement', () => {
    expect(classifyChange(phq9, 15, 8).caseness).toEqual({ baseline: true, latest: false, reliableRecovery: true });
    expect(classifyChange(phq9, 12, 8).caseness).toEqual({ baseline: true, latest: false, reliableRecovery: false });
  });

  it('GAD-7 threshold is 4 points', () => {
    expect(classifyChange(gad7, 12, 8)).toMatchObject({ change: -4, improvement: 4, category: 'reliably_improved' });
    expect(classifyChange(gad7, 12, 9).category).toBe('no_reliable_change');
  });

  it('SSM: higher is better, one level is reliable, no caseness', () => {
    expect(classifyChange(ssm, 2, 3)).toEqual({ change: 1, improvement: 1, category: 'reliably_improved' });
    expect(classifyChange(ssm, 3, 2).category).toBe('reliably_deteriorated');
    expect(classifyChange(ssm, 3, 3).category).toBe('no_reliable_change');
  });
});
