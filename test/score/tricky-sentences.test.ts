import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadFramework } from '../../src/frameworks/index.ts';
import { createOfflineScorer, explain } from '../../src/score/offline.ts';
import { createVerifier } from '../../src/score/verify.ts';
import { TRICKY_SENTENCES } from './tricky-sentences.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const loaded = loadFramework(path.join(ROOT, 'frameworks', 'self-sufficiency.yaml'));
if (!loaded.ok) throw new Error(`framework does not load: ${JSON.stringify(loaded.problems)}`);
const framework = loaded.framework;
const scorer = createOfflineScorer(framework);
const verifier = createVerifier(framework);

/** The share of cases the offline scorer must read exactly as a careful case worker would. */
const REQUIRED_PASS_RATE = 0.95;

describe('tricky sentences: the offline scorer reads like a careful case worker', () => {
  it('has a corpus of at least 100 hand-written cases, each with a distinct text', () => {
    expect(TRICKY_SENTENCES.length).toBeGreaterThanOrEqual(100);
    expect(new Set(TRICKY_SENTENCES.map((c) => c.text)).size).toBe(TRICKY_SENTENCES.length);
    for (const c of TRICKY_SENTENCES) for (const tag of c.expect) expect(tag, c.text).toMatch(/^[a-z_]+ (?:strength|concern|improvement|deterioration)\/(?:current|historical|negated)$/);
  });

  it(`passes at least ${REQUIRED_PASS_RATE * 100}% of the cases (failures are printed)`, async () => {
    const failures: string[] = [];
    for (const c of TRICKY_SENTENCES) {
      // as stored: the scorer's tags after the verifier has read their spans
      const proposed = (await scorer.scoreNote({ noteId: 'tricky', text: c.text, textSha256: '' })).tags;
      const { tags } = await verifier.verifyNote(c.text, proposed, proposed);
      for (const t of tags) for (const cite of t.citations) expect(c.text.slice(cite.start, cite.end)).toBe(cite.quote);
      const got = [...new Set(tags.map((t) => `${t.domainId} ${t.direction}/${t.status}`))].sort();
      const want = [...c.expect].sort();
      if (JSON.stringify(got) !== JSON.stringify(want)) {
        const why = explain(framework, c.text).findings.map((f) => `${f.domainId} ${f.direction}/${f.status} ← ${f.cues.join('+')} [${f.context.join('; ')}]`);
        failures.push(`[${c.group}] ${JSON.stringify(c.text)}\n    expected ${JSON.stringify(want)}\n    got      ${JSON.stringify(got)}${why.length ? `\n    because  ${why.join('\n             ')}` : ''}`);
      }
    }
    const rate = 1 - failures.length / TRICKY_SENTENCES.length;
    if (failures.length > 0) console.log(`tricky sentences: ${TRICKY_SENTENCES.length - failures.length}/${TRICKY_SENTENCES.length} pass (${(rate * 100).toFixed(1)}%)\n${failures.join('\n')}`);
    expect(rate).toBeGreaterThanOrEqual(REQUIRED_PASS_RATE);
  });
});
