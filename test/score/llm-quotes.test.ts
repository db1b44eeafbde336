import { createHash } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFramework } from '../../src/frameworks/index.ts';
import { createLlmScorer } from '../../src/score/llm.ts';
import { segmentSentences } from '../../src/score/segment.ts';
import type { ScoreOutcome } from '../../src/score/types.ts';
import { startFakeOpenAI, type FakeOpenAI } from '../support/fake-openai.ts';
import { BENIGN, FLIPPED, HALLUCINATED, MERGED, NOTES, SUBSTITUTED, type NoteName } from './quote-corpus.ts';

/*
 * The quote corpus end to end: a model (the local fake server) answers each note with one tag
 * whose evidence is a flipped, substituted, merged, hallucinated or benign quote, and the LLM
 * scorer decides what would be stored. Nothing that changes the note's meaning and nothing
 * invented may come out as a citation; every citation that does is the note's exact text and
 * stays inside one sentence.
 */

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const loaded = loadFramework(path.join(ROOT, 'frameworks', 'self-sufficiency.yaml'));
if (!loaded.ok) throw new Error('framework does not load');
const framework = loaded.framework;

let server: FakeOpenAI;
let nextQuote = '';
beforeAll(async () => {
  server = await startFakeOpenAI(() => ({
    json: { tags: [{ domain: 'housing', direction: 'concern', status: 'current', confidence: 0.8, evidence: [{ sentence: 1, quote: nextQuote }] }] },
  }));
});
afterAll(async () => {
  await server.close();
});

async function answerWith(note: NoteName, quote: string): Promise<ScoreOutcome> {
  nextQuote = quote;
  const text = NOTES[note];
  const scorer = createLlmScorer({ framework, baseURL: server.url, apiKey: 'test-key', model: 'test-model', timeoutMs: 5_000, maxRetries: 0 });
  return scorer.scoreNote({ noteId: note, text, textSha256: createHash('sha256').update(text).digest('hex') });
}

function citationsOf(outcome: ScoreOutcome) {
  return outcome.tags.flatMap((t) => t.citations);
}

describe('the quote corpus through the LLM scorer', () => {
  it('stores no citation for a quote whose meaning was changed or that is not in the note', async () => {
    const changed = [...FLIPPED, ...SUBSTITUTED].map((c) => ({ note: c.note, quote: c.quote }));
    const cases = [...changed, ...HALLUCINATED];
    let stored = 0;
    let rejected = 0;
    for (const c of cases) {
      const outcome = await answerWith(c.note, c.quote);
      stored += citationsOf(outcome).length;
      rejected += outcome.rejectedCitations;
    }
    expect(cases.length).toBeGreaterThanOrEqual(FLIPPED.length + SUBSTITUTED.length + HALLUCINATED.length);
    expect(stored).toBe(0);
    expect(rejected).toBe(cases.length);
  });

  it('stores merged quotes only as exact per-sentence citations', async () => {
    let split = 0;
    for (const c of MERGED) {
      const text = NOTES[c.note];
      const sentences = segmentSentences(text);
      const cites = citationsOf(await answerWith(c.note, c.quote));
      for (const cite of cites) {
        expect(text.slice(cite.start, cite.end)).toBe(cite.quote);
        expect(sentences.some((s) => cite.start >= s.start && cite.end <= s.end)).toBe(true);
      }
      if (c.parts === null) expect(cites).toEqual([]);
      else {
        expect(cites.map((x) => x.quote)).toEqual(c.parts);
        split++;
      }
    }
    expect(split).toBeGreaterThan(0);
  });

  it('still finds benign variants (typos, case, whitespace, articles) as the exact words of the note', async () => {
    let found = 0;
    for (const c of BENIGN) {
      const cites = citationsOf(await answerWith(c.note, c.quote));
      if (cites.length === 1 && cites[0]!.quote === c.expect) found++;
      for (const cite of cites) expect(NOTES[c.note].slice(cite.start, cite.end)).toBe(cite.quote);
    }
    expect(found / BENIGN.length).toBeGreaterThanOrEqual(0.9);
  });
});
