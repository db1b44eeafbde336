import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { alignQuote, DEFAULT_FUZZY_THRESHOLD } from '../../src/score/align.ts';
import { segmentSentences } from '../../src/score/segment.ts';
import type { Citation } from '../../src/score/types.ts';

const NOTE =
  'Met with client at the office. She signed the lease on a new apartment last week and said “I’m relieved.” ' +
  'Her landlord — Mr. Diaz — confirmed the move-in date. She signed the lease without help. ' +
  'Client was evicted, then stayed with her sister for three months.';

function verified(text: string, cs: Citation[] | null): Citation[] {
  expect(cs).not.toBeNull();
  for (const c of cs as Citation[]) {
    expect(c.start).toBeLessThan(c.end);
    expect(text.slice(c.start, c.end)).toBe(c.quote);
  }
  return cs as Citation[];
}

describe('alignQuote: exact and normalised', () => {
  it('finds an exact quote', () => {
    const [c] = verified(NOTE, alignQuote(NOTE, 'signed the lease on a new apartment'));
    expect(c).toMatchObject({ start: NOTE.indexOf('signed the lease on'), quote: 'signed the lease on a new apartment', match: 'exact', similarity: 1 });
  });

  it('picks the repeated phrase inside `near`, and the first without it', () => {
    const second = NOTE.indexOf('She signed the lease without');
    const sentence = { start: second, end: NOTE.indexOf('help.') + 5 };
    const [near] = verified(NOTE, alignQuote(NOTE, 'She signed the lease', { near: sentence }));
    expect(near?.start).toBe(second);
    const [first] = verified(NOTE, alignQuote(NOTE, 'She signed the lease'));
    expect(first?.start).toBe(NOTE.indexOf('She signed the lease'));
  });

  it.each([
    ['whitespace and case', 'SIGNED  the\n lease'],
    ['straight quotes', 'said "I\'m relieved."'],
    ['dashes', 'landlord - Mr. Diaz - confirmed'],
    ['surrounding quotes and spaces', '  "was evicted, then stayed"  '],
  ])('matches after normalising %s', (_what, quote) => {
    const [c] = verified(NOTE, alignQuote(NOTE, quote));
    expect(c?.match).toBe('normalized');
    expect(c?.similarity).toBe(1);
  });

  it('prefers an occurrence that is a whole word, and takes part of a word when it does not change the meaning', () => {
    const text = 'The jobs fair was full. He lost his job.';
    const [c] = verified(text, alignQuote(text, 'job'));
    expect(c?.start).toBe(text.lastIndexOf('job'));
    const [d] = verified(text, alignQuote('The jobs fair was full.', 'job'));
    expect(d).toMatchObject({ start: 4, quote: 'job', match: 'exact' });
    // but not "he" out of "She", "2" out of "12" or "employed" out of "unemployed"
    expect(alignQuote('She left. They had 12 children. Unemployed.', 'he left')).toBeNull();
    expect(alignQuote('She left. They had 12 children. Unemployed.', '2 children')).toBeNull();
    expect(alignQuote('She left. They had 12 children. Unemployed.', 'employed')).toBeNull();
  });

  it('prefers a normalised match in the cited sentence over an exact one elsewhere', () => {
    const text = 'she signed the lease. Later: She Signed The Lease again.';
    const near = { start: text.indexOf('Later'), end: text.length };
    const [c] = verified(text, alignQuote(text, 'she signed the lease', { near }));
    expect(c).toMatchObject({ quote: 'She Signed The Lease', match: 'normalized' });
  });

  it('keeps offsets exact after emoji, with combining marks and CRLF', () => {
    const text = 'Great news 😀👍🏽 today.\r\nJose\u0301 said: “the cafe\u0301 hired me” \r\n\tfor  weekends only.';
    const [a] = verified(text, alignQuote(text, 'great news 😀👍🏽 TODAY'));
    expect(a).toMatchObject({ start: 0, match: 'normalized', quote: 'Great news 😀👍🏽 today' });
    const [j] = verified(text, alignQuote(text, 'José said: "the café hired me"'));
    expect(j).toMatchObject({ start: text.indexOf('Jose'), match: 'normalized', quote: 'Jose\u0301 said: “the cafe\u0301 hired me”' });
    // across the line breaks (sentence ends): one citation per sentence, each exact
    const parts = verified(text, alignQuote(text, 'the café hired me" for weekends only'));
    expect(parts.map((c) => c.quote)).toEqual(['the cafe\u0301 hired me”', 'for  weekends only']);
    expect(parts.map((c) => c.match)).toEqual(['normalized', 'normalized']);
    const [e] = verified(text, alignQuote(text, 'today.'));
    expect(e).toMatchObject({ start: text.indexOf('today'), match: 'exact' });
    // a part of two words is too little to stand as evidence of its own
    expect(alignQuote(text, 'great news 😀👍🏽 today. José said')).toBeNull();
  });

  it('never cuts an accent off its letter in the normalised pass', () => {
    const text = 'Jose\u0301 and Jose came.';
    const [c] = verified(text, alignQuote(text, 'JOSÉ'));
    expect(c).toMatchObject({ start: 0, end: 5, match: 'normalized' });
  });
});

describe('alignQuote: fuzzy', () => {
  it('accepts small edits with a similarity at or above the threshold', () => {
    for (const quote of ['signed a lease on a new apartment', 'she signed the lease on a new apartmnt', 'Client was evicted then stayed with her sister']) {
      const [c] = verified(NOTE, alignQuote(NOTE, quote));
      expect(c?.match).toBe('fuzzy');
      expect(c?.similarity).toBeGreaterThanOrEqual(DEFAULT_FUZZY_THRESHOLD);
      expect(c?.similarity).toBeLessThanOrEqual(1);
    }
    const [c] = verified(NOTE, alignQuote(NOTE, 'signed a lease on a new apartment'));
    expect(c?.quote).toBe('signed the lease on a new apartment');
  });

  it('rejects a quote that shares only half of its words', () => {
    expect(alignQuote(NOTE, 'signed the lease for a new car at the dealership')).toBeNull();
    expect(alignQuote(NOTE, 'client was evicted by the housing authority in march')).toBeNull();
  });

  it('rejects a quote that is not in the note', () => {
    expect(alignQuote(NOTE, 'reports relapse after six months sober')).toBeNull();
  });

  it('honours a stricter threshold', () => {
    expect(alignQuote(NOTE, 'signed a lease on a new apartment', { fuzzyThreshold: 0.99 })).toBeNull();
  });

  it('rejects empty, whitespace-only and punctuation-only quotes', () => {
    for (const q of ['', '   ', '\r\n\t', '...', '“ ” — !']) expect(alignQuote(NOTE, q)).toBeNull();
  });
});

describe('alignQuote: ellipses', () => {
  it('aligns each part of a quote with an ellipsis, in order', () => {
    for (const q of ['She signed the lease ... said “I’m relieved', 'She signed the lease … said “I’m relieved', 'She signed the lease [...] said "I\'m relieved']) {
      const cs = verified(NOTE, alignQuote(NOTE, q));
      expect(cs).toHaveLength(2);
      expect(cs[0]?.quote).toBe('She signed the lease');
      expect(cs[1]?.start).toBeGreaterThanOrEqual(cs[0]?.end as number);
    }
  });

  it('fails when any part is missing, and keeps a note’s own ellipsis whole', () => {
    expect(alignQuote(NOTE, 'She signed the lease ... bought a car')).toBeNull();
    const text = 'She paused... then said yes.';
    const cs = verified(text, alignQuote(text, 'She paused... then said yes'));
    expect(cs).toHaveLength(1);
    expect(cs[0]?.match).toBe('exact');
  });
});

// ---------------------------------------------------------------------------------------------
// Properties

const UNITS = [
  ...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'.split(''),
  ...'abcdefghijklmnopqrstuvwxyz'.split(''), // letters more often
  ' ', ' ', ' ', '  ', '\t', '\r\n', '\n', '\u00a0',
  'é', 'e\u0301', 'ñ', 'n\u0303', 'ü', 'u\u0308', 'Å', 'ß', 'ç',
  '😀', '👍🏽', '👨‍👩‍👧',
  '“', '”', '‘', '’', '"', "'", '-', '–', '—', '.', ',', '!', '?', '…', '(', ')',
];
const noteArb = fc.array(fc.constantFrom(...UNITS), { minLength: 1, maxLength: 60 }).map((u) => u.join(''));
const LETTER = /\p{L}/u;
const WS = /\s/;

/** Offsets that do not split a surrogate pair. */
function codePointBoundaries(text: string): number[] {
  const out: number[] = [];
  for (let i = 0; i <= text.length; i++) {
    if (i > 0 && i < text.length && (text.charCodeAt(i) & 0xfc00) === 0xdc00 && (text.charCodeAt(i - 1) & 0xfc00) === 0xd800) continue;
    out.push(i);
  }
  return out;
}

const WORD_UNIT = /[\p{L}\p{N}\p{M}]/u;

/**
 * Offsets that split neither a surrogate pair nor a word (letters, digits, marks on both
 * sides): a match may cut a word only where the cut part does not change the meaning, which
 * random text cannot promise ("he" out of "she", "2" out of "12").
 */
function wordBoundaries(text: string): number[] {
  return codePointBoundaries(text).filter((i) => !(WORD_UNIT.test(text[i - 1] ?? '') && WORD_UNIT.test(text[i] ?? '')));
}

/** Offsets that split no surrogate pair, no word and no letter from its combining marks. */
function clusterBoundaries(text: string): number[] {
  return wordBoundaries(text).filter((i) => i === text.length || !/^\p{M}/u.test(String.fromCodePoint(text.codePointAt(i) as number)));
}

/** Whether a span ending at j would cut the "'t" of a "n't" off its word. */
function cutsNt(text: string, j: number): boolean {
  return /^['’]t(?![\p{L}\p{N}])/u.test(text.slice(j)) && /n$/i.test(text.slice(0, j));
}

/** The note's sentences that [i, j) overlaps with letters or digits. */
function sentencesOver(text: string, i: number, j: number): number {
  return segmentSentences(text).filter((s) => s.start < j && s.end > i && /[\p{L}\p{N}]/u.test(text.slice(Math.max(i, s.start), Math.min(j, s.end)))).length;
}

/** A quote over several sentences is stored per sentence, inside the quoted span, in order; or not at all. */
function checkSplit(text: string, cs: Citation[] | null, i: number, j: number): void {
  if (cs === null) return;
  expect(cs.length).toBeGreaterThan(1);
  for (const [k, c] of cs.entries()) {
    expect(c.start).toBeGreaterThanOrEqual(i);
    expect(c.end).toBeLessThanOrEqual(j);
    // whitespace the quote began with may lie between sentences; its words lie in one
    expect(sentencesOver(text, c.start, c.end)).toBe(1);
    if (k > 0) expect(c.start).toBeGreaterThanOrEqual((cs[k - 1] as Citation).end);
  }
}

function pickSpan(bounds: number[], a: number, b: number): [number, number] {
  const x = bounds[a % bounds.length] as number;
  const y = bounds[b % bounds.length] as number;
  return x <= y ? [x, y] : [y, x];
}

const SWAPS: Record<string, string[]> = {
  "'": ['‘', '’'], '‘': ["'"], '’': ["'"], '"': ['“', '”'], '“': ['"'], '”': ['"'],
  '-': ['–', '—'], '–': ['-'], '—': ['-'],
};
const SPACES = [' ', '  ', '\t', '\n', '\r\n', '\u00a0 '];

/** Perturbs a quote within its normalised class: case, whitespace, quote and dash styles, NFC/NFD. */
function perturb(s: string, seed: number[]): string {
  let k = 0;
  const r = (): number => (seed.length === 0 ? 0 : (seed[k++ % seed.length] as number));
  let out = '';
  const cps = Array.from(s);
  for (let i = 0; i < cps.length; i++) {
    const ch = cps[i] as string;
    if (WS.test(ch)) {
      while (i + 1 < cps.length && WS.test(cps[i + 1] as string)) i++;
      out += SPACES[r() % SPACES.length];
      continue;
    }
    const swaps = SWAPS[ch];
    const x = r() % 4;
    if (swaps && x > 0) out += swaps[x % swaps.length];
    else if (x === 1) out += ch.toUpperCase();
    else if (x === 2) out += ch.toLowerCase();
    else out += ch;
  }
  const form = r() % 3;
  return form === 0 ? out : out.normalize(form === 1 ? 'NFC' : 'NFD');
}

function checkInvariant(text: string, cs: Citation[] | null): void {
  for (const c of cs ?? []) {
    expect(c.start).toBeLessThan(c.end);
    expect(text.slice(c.start, c.end)).toBe(c.quote);
    expect(c.similarity).toBeGreaterThan(0);
    expect(c.similarity).toBeLessThanOrEqual(1);
  }
}

describe('alignQuote: properties', () => {
  it('finds any exact substring of one sentence, at [i, j) when near is [i, j); splits or rejects one over several', () => {
    fc.assert(
      fc.property(noteArb, fc.nat(), fc.nat(), (text, a, b) => {
        const [i, j] = pickSpan(wordBoundaries(text), a, b);
        const sub = text.slice(i, j);
        fc.pre(LETTER.test(sub) && !cutsNt(text, j));
        const plain = alignQuote(text, sub);
        checkInvariant(text, plain);
        const near = alignQuote(text, sub, { near: { start: i, end: j } });
        checkInvariant(text, near);
        if (sentencesOver(text, i, j) > 1) {
          checkSplit(text, near, i, j);
          return;
        }
        // another occurrence may lie over a sentence end, and come back split
        expect(plain).not.toBeNull();
        if (plain?.length === 1) expect(plain[0]?.quote).toBe(sub);
        expect(near).toHaveLength(1);
        expect(near?.[0]).toMatchObject({ start: i, end: j, match: 'exact' });
      }),
      { numRuns: 300 },
    );
  });

  it('finds a substring of one sentence perturbed within the normalised class, at its original span', () => {
    fc.assert(
      fc.property(noteArb, fc.nat(), fc.nat(), fc.array(fc.nat(), { minLength: 1, maxLength: 16 }), (text, a, b, seed) => {
        let [i, j] = pickSpan(clusterBoundaries(text), a, b);
        while (i < j && WS.test(text[i] as string)) i++;
        while (j > i && WS.test(text[j - 1] as string)) j--;
        const sub = text.slice(i, j);
        fc.pre(LETTER.test(sub));
        fc.pre(!cutsNt(text, j));
        const quote = perturb(sub, seed);
        const cs = alignQuote(text, quote, { near: { start: i, end: j } });
        checkInvariant(text, cs);
        if (sentencesOver(text, i, j) > 1) {
          checkSplit(text, cs, i, j);
          return;
        }
        expect(cs).toHaveLength(1);
        expect(cs?.[0]?.quote).toBe(sub);
        expect(cs?.[0]).toMatchObject({ start: i, end: j });
      }),
      { numRuns: 300 },
    );
  });

  it('only ever returns citations with text.slice(start, end) === quote', () => {
    fc.assert(
      fc.property(noteArb, noteArb, fc.option(fc.tuple(fc.nat(80), fc.nat(80))), fc.double({ min: 0.3, max: 1, noNaN: true }), (text, quote, nearPair, threshold) => {
        const near = nearPair ? { start: Math.min(...nearPair), end: Math.max(...nearPair) } : undefined;
        checkInvariant(text, alignQuote(text, quote, { near, fuzzyThreshold: threshold }));
        // a quote built from pieces of the note, with an ellipsis in between
        const mid = Math.floor(text.length / 2);
        checkInvariant(text, alignQuote(text, `${text.slice(0, mid)} ... ${text.slice(mid)}`, { near }));
      }),
      { numRuns: 300 },
    );
  });
});
