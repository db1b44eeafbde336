import { describe, expect, it } from 'vitest';
import { redact, spanToOriginal } from '../../src/score/redact.ts';
import { segmentSentences } from '../../src/score/segment.ts';
import { EVIDENCE_PHRASES, PLANTED_NOTES, type PlantedKind } from './redaction-planted.ts';

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** Whether `value` is in `text` as whole words (case-sensitive unless `i`). */
const hasWord = (text: string, value: string, flags = ''): boolean =>
  new RegExp(`(?<![\\p{L}\\p{N}])${escapeRe(value)}(?![\\p{L}\\p{N}])`, `u${flags}`).test(text);

describe('redaction of a planted set of case notes', () => {
  it('is a set of at least 60 notes, each with the client\'s data and other people\'s', () => {
    expect(PLANTED_NOTES.length).toBeGreaterThanOrEqual(60);
    for (const n of PLANTED_NOTES) {
      expect(n.client.length).toBeGreaterThanOrEqual(3);
      expect(n.planted.length).toBeGreaterThanOrEqual(1);
      for (const v of [...n.client, ...n.planted.map((p) => p.value)]) expect(n.text, v).toContain(v);
    }
    const kinds = new Set(PLANTED_NOTES.flatMap((n) => n.planted.map((p) => p.kind)));
    expect([...kinds].sort()).toEqual(['employer', 'name', 'nickname', 'street']);
  });

  it('redacts at least 95% of the planted third-party names, nicknames, streets and employers', () => {
    const byKind = new Map<PlantedKind, { planted: number; redacted: number }>();
    const missed: string[] = [];
    for (const n of PLANTED_NOTES) {
      const r = redact(n.text, n.pii);
      for (const p of n.planted) {
        const k = byKind.get(p.kind) ?? { planted: 0, redacted: 0 };
        k.planted++;
        if (hasWord(r.text, p.value)) missed.push(`${p.kind} "${p.value}" in: ${r.text}`);
        else k.redacted++;
        byKind.set(p.kind, k);
      }
    }
    const planted = [...byKind.values()].reduce((a, k) => a + k.planted, 0);
    const redacted = [...byKind.values()].reduce((a, k) => a + k.redacted, 0);
    const recall = redacted / planted;
    console.log(
      `third-party recall: ${redacted}/${planted} = ${(100 * recall).toFixed(1)}% (${[...byKind].map(([k, v]) => `${k} ${v.redacted}/${v.planted}`).join(', ')})` +
        (missed.length ? `\nmissed:\n  ${missed.join('\n  ')}` : ''),
    );
    expect(planted).toBeGreaterThanOrEqual(200);
    expect(recall).toBeGreaterThanOrEqual(0.95);
  });

  it('leaves none of the client\'s own fields in the redacted text', () => {
    const left: string[] = [];
    for (const n of PLANTED_NOTES) {
      const r = redact(n.text, n.pii);
      for (const v of n.client) if (hasWord(r.text, v, 'i')) left.push(`"${v}" in: ${r.text}`);
    }
    expect(left).toEqual([]);
  });

  it('maps every span back so that the original text equals the restored quote', () => {
    let spans = 0;
    for (const n of PLANTED_NOTES) {
      const r = redact(n.text, n.pii);
      const bounds = [0, r.text.length];
      for (const m of r.text.matchAll(/\[[A-Z]+(?:_\d+)?\]/g)) bounds.push(m.index, m.index + m[0].length);
      for (const m of r.text.matchAll(/[\s.,;:()]+/g)) bounds.push(m.index, m.index + m[0].length);
      const cuts = [...new Set(bounds)].sort((a, b) => a - b);
      const pairs: [number, number][] = segmentSentences(r.text).map((s) => [s.start, s.end]);
      for (let i = 0; i < cuts.length; i++) for (let j = i + 1; j < Math.min(cuts.length, i + 8); j++) pairs.push([cuts[i] as number, cuts[j] as number]);
      for (const [s, e] of pairs) {
        const quote = r.text.slice(s, e);
        const mapped = spanToOriginal(r, s, e);
        expect(n.text.slice(mapped.start, mapped.end), quote).toBe(r.restore(quote));
        // a model that echoes placeholders in lower case is understood the same
        expect(r.restore(quote.replace(/\[[A-Z]+(?:_\d+)?\]/g, (p) => p.toLowerCase()))).toBe(r.restore(quote));
        spans++;
      }
    }
    expect(spans).toBeGreaterThan(1000);
  });

  it('keeps evidence-bearing phrases word for word', () => {
    const changed: string[] = [];
    for (const phrase of EVIDENCE_PHRASES) {
      const text = /^\p{Lu}/u.test(phrase)
        ? `Met with Ana Castillo and her son Tyler at home. ${phrase}. Her sister Keisha called 555-016-2727.`
        : `Ana Castillo says she ${phrase}. Her son Tyler and her sister Keisha were there.`;
      const r = redact(text, { names: ['Ana', 'Castillo'], phone: '555-016-2727' });
      if (!r.text.includes(phrase)) changed.push(`${phrase} → ${r.text}`);
      // the same note does lose the people in it
      expect(r.text).not.toMatch(/\b(?:Ana|Castillo|Tyler|Keisha)\b/);
    }
    console.log(`evidence phrases kept: ${EVIDENCE_PHRASES.length - changed.length}/${EVIDENCE_PHRASES.length}`);
    expect(changed).toEqual([]);
  });
});
