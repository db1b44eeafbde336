import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { alignQuote, meaningDifference, MIN_SENTENCE_PART_WORDS } from '../../src/score/align.ts';
import { segmentSentences } from '../../src/score/segment.ts';
import type { Citation } from '../../src/score/types.ts';
import { BENIGN, FLIPPED, HALLUCINATED, MERGED, NOTES, SUBSTITUTED, type Changed, type NoteName } from './quote-corpus.ts';

function noteOf(name: NoteName): string {
  return NOTES[name];
}

function exactly(text: string, cs: Citation[] | null): void {
  for (const c of cs ?? []) {
    expect(c.start).toBeLessThan(c.end);
    expect(text.slice(c.start, c.end)).toBe(c.quote);
  }
}

/** Whether a citation lies inside one sentence of the note. */
function insideOneSentence(text: string, c: Citation): boolean {
  return segmentSentences(text).some((s) => c.start >= s.start && c.end <= s.end);
}

describe('corpus sizes', () => {
  it('has the groups the issue asks for', () => {
    expect(FLIPPED.length).toBeGreaterThanOrEqual(17);
    expect(SUBSTITUTED.length).toBeGreaterThanOrEqual(20);
    expect(MERGED.length).toBeGreaterThanOrEqual(10);
    expect(HALLUCINATED.length).toBeGreaterThanOrEqual(10);
    expect(BENIGN.length).toBeGreaterThanOrEqual(20);
    expect(FLIPPED.length + SUBSTITUTED.length + MERGED.length + HALLUCINATED.length + BENIGN.length).toBeGreaterThanOrEqual(80);
  });
});

describe.each([
  ['(a) negation inserted or removed', FLIPPED],
  ['(b) words replaced with a change of meaning', SUBSTITUTED],
] as const)('%s', (_group, cases) => {
  it.each(cases.map((c) => [c.quote, c] as const))('stores nothing for %s', (_q, c) => {
    const text = noteOf(c.note);
    // the case is what it claims: its source words are in the note, and found as they are
    const control = alignQuote(text, c.from);
    expect(control).toHaveLength(1);
    expect(control?.[0]).toMatchObject({ quote: c.from, match: 'exact' });
    expect(text.includes(c.quote)).toBe(false);

    expect(alignQuote(text, c.quote)).toBeNull();
    const why = meaningDifference(c.quote, c.from);
    expect(why).toMatch(c.kind);
  });

  it('stores 0 of them, with or without the cited sentence as `near`', () => {
    let stored = 0;
    for (const c of cases) {
      const text = noteOf(c.note);
      const near = { start: text.indexOf(c.from), end: text.indexOf(c.from) + c.from.length };
      if (alignQuote(text, c.quote) !== null) stored++;
      if (alignQuote(text, c.quote, { near }) !== null) stored++;
      // a lower threshold lets the fuzzy pass find more; the meaning guard must still say no
      if (alignQuote(text, c.quote, { near, fuzzyThreshold: 0.5 }) !== null) stored++;
    }
    expect(stored).toBe(0);
  });
});

describe('(c) quotes joining sentences', () => {
  it.each(MERGED.map((c) => [c.quote, c] as const))('%s', (_q, c) => {
    const text = noteOf(c.note);
    const found = alignQuote(text, c.quote);
    exactly(text, found);
    if (c.parts === null) {
      expect(found).toBeNull();
      return;
    }
    expect(found?.map((x) => x.quote)).toEqual(c.parts);
    for (const x of found ?? []) {
      expect(insideOneSentence(text, x)).toBe(true);
      expect(x.quote.match(/[\p{L}\p{N}]+/gu)?.length).toBeGreaterThanOrEqual(MIN_SENTENCE_PART_WORDS);
    }
    // in the note's order, no overlap
    for (let i = 1; i < (found ?? []).length; i++) expect(found?.[i]?.start).toBeGreaterThanOrEqual(found?.[i - 1]?.end as number);
  });

  it('never stores one citation across a sentence boundary, for any pair of neighbouring sentences', () => {
    let citations = 0;
    for (const name of Object.keys(NOTES) as NoteName[]) {
      const text = noteOf(name);
      const sentences = segmentSentences(text);
      for (let i = 1; i < sentences.length; i++) {
        const quote = text.slice((sentences[i - 1] as { start: number }).start, (sentences[i] as { end: number }).end);
        for (const q of [quote, quote.toLowerCase(), quote.replace(/[.!?]\s+/g, ' ')]) {
          const found = alignQuote(text, q);
          exactly(text, found);
          for (const c of found ?? []) {
            citations++;
            expect(insideOneSentence(text, c)).toBe(true);
          }
        }
      }
    }
    expect(citations).toBeGreaterThan(0);
  });

  it('says why a join was rejected', () => {
    const reasons: string[] = [];
    expect(alignQuote(NOTES.health, 'a week. His blood pressure has improved', { onReject: (r) => reasons.push(r) })).toBeNull();
    expect(reasons.join('\n')).toMatch(/spans 2 sentences and the part "a week\." has 2 words, fewer than 3/);
  });
});

describe('(d) hallucinated quotes', () => {
  it.each(HALLUCINATED.map((c) => [c.quote, c] as const))('finds nothing for %s', (_q, c) => {
    expect(alignQuote(noteOf(c.note), c.quote)).toBeNull();
    expect(alignQuote(noteOf(c.note), c.quote, { fuzzyThreshold: 0.5 })).toBeNull();
  });
});

describe('(e) benign variants', () => {
  it.each(BENIGN.map((c) => [`${c.what}: ${c.quote}`, c] as const))('finds %s', (_q, c) => {
    const text = noteOf(c.note);
    const found = alignQuote(text, c.quote);
    exactly(text, found);
    expect(found).toHaveLength(1);
    expect(found?.[0]?.quote).toBe(c.expect);
    expect(found?.[0]?.start).toBe(text.indexOf(c.expect));
    expect(meaningDifference(c.quote, c.expect)).toBeUndefined();
  });
});

describe('corpus figures', () => {
  it('stores 0 changed or hallucinated quotes, splits or rejects every join, finds ≥ 90% of the benign ones', () => {
    const count = (xs: { note: NoteName; quote: string }[]): number => xs.filter((c) => alignQuote(noteOf(c.note), c.quote) !== null).length;
    const benignFound = BENIGN.filter((c) => alignQuote(noteOf(c.note), c.quote)?.[0]?.quote === c.expect).length;
    const joinsAcross = MERGED.flatMap((c) => (alignQuote(noteOf(c.note), c.quote) ?? []).filter((x) => !insideOneSentence(noteOf(c.note), x))).length;
    expect({ flipped: count(FLIPPED), substituted: count(SUBSTITUTED), hallucinated: count(HALLUCINATED), joinsAcross }).toEqual({
      flipped: 0,
      substituted: 0,
      hallucinated: 0,
      joinsAcross: 0,
    });
    // 34 of 34 when written; the bar is the 90%
    expect(benignFound / BENIGN.length).toBeGreaterThanOrEqual(0.9);
  });

  it('keeps them out by meaning, not by similarity: most changed quotes are found, then rejected', () => {
    // Without the meaning guard these would be stored (20 of 23 and 31 of 36 when written, as
    // in the 15 of 17): the corpus tests the guard, not only the fuzzy threshold.
    const foundThenRejected = (xs: Changed[]): number =>
      xs.filter((c) => {
        let why: string | undefined;
        alignQuote(noteOf(c.note), c.quote, { onReject: (r) => (why = r) });
        return why !== undefined;
      }).length;
    expect(foundThenRejected(FLIPPED)).toBeGreaterThanOrEqual(17);
    expect(foundThenRejected(SUBSTITUTED)).toBeGreaterThanOrEqual(25);
  });

  it('names the reason when it rejects', () => {
    const reasons: string[] = [];
    const text = NOTES.work;
    expect(alignQuote(text, 'Client reports she is not employed part-time at the grocery store and pays rent on time', { onReject: (r) => reasons.push(r) })).toBeNull();
    expect(alignQuote(text, 'Her landlord confirmed the lease was renewed for another six months', { onReject: (r) => reasons.push(r) })).toBeNull();
    expect(reasons).toEqual([
      'fuzzy match "Client reports she is employed part-time at the grocery store and pays rent on time" rejected: negation "not" inserted',
      'fuzzy match "Her landlord confirmed the lease was renewed for another twelve months" rejected: number or date changed: "six" → "twelve"',
    ]);
  });
});

// ---------------------------------------------------------------------------------------------

describe('meaningDifference', () => {
  it.each([
    ['she is employed', 'she is unemployed', /negation changed: "employed" → "unemployed"/],
    ['the client is homeless', 'the client is home', /negation changed: "homeless" → "home"/],
    ['she can pay', 'she cannot pay', /negation "not" removed/],
    ['she does pay', "she doesn't pay", /negation "not" removed/],
    ['she does pay', 'she doesnt pay', /negation "not" removed/],
    ['attended without her son', 'attended with her son', /negation changed: "without" → "with"/],
    ['moved into a shelter', 'moved out of a shelter', /opposite/],
    ['hours increased', 'hours decreased', /opposite changed: "increased" → "decreased"/],
    ['he gained weight', 'he lost weight', /opposite changed: "gained" → "lost"/],
    ['he found a job', 'he lost a job', /opposite changed: "found" → "lost"/],
    ['she started drinking', 'she stopped drinking', /opposite changed: "started" → "stopped"/],
    ['paid $1,200 in rent', 'paid $1,500 in rent', /number or date changed: "1,200" → "1,500"/],
    ['on 3/4', 'on 4/3', /number or date/],
    ['the landlord paid the client', 'the client paid the landlord', /person changed: "landlord" → "client"/],
    ['Maria went', 'She said Mario went', /person/],
    ['rent paid on time', 'paid rent on time', /word order changed: "rent paid" → "paid rent"/],
    ['she will attend', 'she might attend', /modal changed: "will" → "might"/],
    ['she always attends', 'she sometimes attends', /quantifier|opposite/],
    ['she is now employed', 'she is not employed', /negation changed: "now" → "not"/],
    ['he was hired', 'he was fired', /opposite changed: "hired" → "fired"/],
    ['moved in with her aunt', 'moved in with her ant', /person/],
    ['signed the lease at court', 'signed the lease at count', /word changed/],
    ['she is not able to work', 'she is notable to work', /negation/],
  ])('%j against %j: %s', (quote, span, reason) => {
    expect(meaningDifference(quote, span)).toMatch(reason);
  });

  it.each([
    ['same words, other case and spacing', 'Signed  THE lease', 'signed the lease'],
    ['typo: transposition', 'she recieved the letter', 'she received the letter'],
    ['typo: letter added', 'moved to a new appartment', 'moved to a new apartment'],
    ['typo: vowel for vowel', 'kept a seperate account', 'kept a separate account'],
    ['article', 'signed a lease', 'signed the lease'],
    ['preposition dropped', 'waiting for housing', 'waiting housing'],
    ['possessive', "client's rent", 'client rent'],
    ['contraction', "she doesn't drink", 'she does not drink'],
    ["I'm", "I'm relieved", 'I am relieved'],
    ['accents', 'José called', 'Jose called'],
    ['curly apostrophe', 'she isn’t drinking', "she isn't drinking"],
    ['punctuation', 'evicted, then stayed', 'evicted then stayed'],
  ])('%s: no difference', (_what, quote, span) => {
    expect(meaningDifference(quote, span)).toBeUndefined();
  });
});

describe('meaning at the edges of an exact or normalised match', () => {
  it('does not cut a negating prefix or ending off a word', () => {
    const text = 'Client is unemployed since May. The family is homeless. She cannot pay. He doesn\u2019t drink.';
    expect(alignQuote(text, 'employed since May')).toBeNull();
    expect(alignQuote(text, 'The family is home')).toBeNull();
    expect(alignQuote(text, 'She can')).toBeNull();
    expect(alignQuote(text, 'He does')).toBeNull();
    expect(alignQuote(text, 'He doesn')).toBeNull();
    // whole words are still found
    expect(alignQuote(text, 'Client is unemployed')?.[0]).toMatchObject({ quote: 'Client is unemployed', match: 'exact' });
    expect(alignQuote(text, 'family is HOMELESS')?.[0]).toMatchObject({ quote: 'family is homeless', match: 'normalized' });
  });

  it('takes another occurrence when the first one would cut a negation off', () => {
    const text = 'Client was unable to pay in March. By May she was able to pay.';
    const [c] = alignQuote(text, 'able to pay') ?? [];
    expect(c).toMatchObject({ start: text.lastIndexOf('able to pay'), match: 'exact' });
  });
});

// ---------------------------------------------------------------------------------------------
// Properties over the corpus notes

/** Every sentence of the notes with at least five words and no negation in it. */
const SENTENCES = (Object.keys(NOTES) as NoteName[]).flatMap((name) =>
  segmentSentences(NOTES[name])
    .filter((s) => s.text.split(/\s+/).length >= 5 && !/\b(?:not|no|never|denies|unable)\b|n't/i.test(s.text))
    .map((s) => ({ name, text: s.text.replace(/[.!?]$/, '') })),
);

describe('properties', () => {
  it('a negation put before any word of a sentence is never stored', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SENTENCES), fc.nat(), fc.constantFrom('not', 'never', 'no', "didn't", 'without'), (s, k, neg) => {
        const words = s.text.split(' ');
        const at = k % words.length;
        const quote = [...words.slice(0, at), neg, ...words.slice(at)].join(' ');
        expect(alignQuote(NOTES[s.name], quote, { fuzzyThreshold: 0.5 })).toBeNull();
      }),
      { numRuns: 300 },
    );
  });

  it('a number or a person changed in a sentence is never stored', () => {
    const SWAP: Record<string, string> = {
      she: 'he', he: 'she', her: 'his', his: 'her', him: 'her', son: 'daughter', mother: 'father', partner: 'brother',
      landlord: 'neighbour', sister: 'cousin', client: 'patient', two: 'four', three: 'five', six: 'nine', twelve: 'ten',
      '30': '40', '12': '13', '$420': '$42', '$150': '$115', March: 'April', Monday: 'Tuesday', Sunday: 'Monday', February: 'January',
    };
    const candidates = SENTENCES.filter((s) => s.text.split(' ').some((w) => w.toLowerCase() in SWAP || w in SWAP));
    fc.assert(
      fc.property(fc.constantFrom(...candidates), fc.nat(), (s, k) => {
        const words = s.text.split(' ');
        const at = words.map((w, i) => (w.toLowerCase() in SWAP || w in SWAP ? i : -1)).filter((i) => i >= 0);
        const i = at[k % at.length] as number;
        const w = words[i] as string;
        const out = [...words];
        out[i] = SWAP[w] ?? (SWAP[w.toLowerCase()] as string);
        expect(alignQuote(NOTES[s.name], out.join(' '), { fuzzyThreshold: 0.5 })).toBeNull();
      }),
      { numRuns: 300 },
    );
  });

  it('an article dropped from a sentence of eight words or more is still found, at the sentence', () => {
    const long = SENTENCES.filter((s) => s.text.split(' ').length >= 8 && /\b(?:the|a|an)\b/.test(s.text));
    fc.assert(
      fc.property(fc.constantFrom(...long), fc.nat(), (s, k) => {
        const words = s.text.split(' ');
        const at = words.map((w, i) => (/^(?:the|a|an)$/i.test(w) ? i : -1)).filter((i) => i >= 0);
        const i = at[k % at.length] as number;
        const quote = [...words.slice(0, i), ...words.slice(i + 1)].join(' ');
        const text = NOTES[s.name];
        const found = alignQuote(text, quote);
        expect(found).toHaveLength(1);
        // a leading article dropped leaves the rest of the sentence, found as it is
        const expected = i === 0 ? words.slice(1).join(' ') : s.text;
        expect(found?.[0]).toMatchObject({ start: text.indexOf(expected), quote: expected });
      }),
      { numRuns: 200 },
    );
  });
});
