import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadFramework } from '../../src/frameworks/index.ts';
import { createOfflineScorer, runScoring, summarizeCase } from '../../src/score/index.ts';
import { summarizeCaseWithLlm } from '../../src/score/summary-llm.ts';
import { lastUserMessage, startFakeOpenAI } from '../support/fake-openai.ts';
import { CLEAN, cleanPipeline, ingest, tempDir, withDb, writeFiles, writePipeline } from '../helpers.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const loaded = loadFramework(path.join(ROOT, 'frameworks', 'self-sufficiency.yaml'));
if (!loaded.ok) throw new Error('framework does not load');
const framework = loaded.framework;

const NOTES = [
  'note_key,case_key,author_key,written_at,text',
  'N1,K2,S2,2024-03-02 09:00:00,José was evicted last month and is couch surfing with a cousin. Call him on 555-0102.',
  'N2,K2,S2,2024-04-02 09:00:00,Update: José signed a lease on a one-bedroom apartment today.',
  'N3,K2,S2,2024-05-02 09:00:00,Denies any substance use.',
].join('\n') + '\n';

async function scored() {
  const dir = tempDir();
  writeFiles(dir, { ...CLEAN, 'notes.csv': NOTES });
  const pipeline = writePipeline(dir, 'crm', cleanPipeline());
  return { dir, pipeline, dbPath: path.join(dir, 'db.duckdb') };
}

describe('case summaries for supervisors', () => {
  it('gives per domain the picture and trend, every statement tied to quotes from dated notes', async () => {
    const { dir, pipeline, dbPath } = await scored();
    await withDb(dbPath, async (db) => {
      await ingest(db, dir, pipeline);
      const scorer = createOfflineScorer(framework);
      await runScoring({ db, scorer, framework });
      const s = (await summarizeCase(db, 'crm:K2', framework, scorer))!;
      expect(s).toMatchObject({ caseId: 'crm:K2', notes: 3, scoredNotes: 3 });
      const housing = s.domains.find((d) => d.domainId === 'housing')!;
      expect(housing.trend).toBe('improving');
      expect(housing.picture).toMatch(/^Housing: latest evidence \(2024-04-02\) shows an? (improvement|strength); improving since 2024-03-02\.$/);
      const texts = await db.all<{ note_id: string; text: string }>("SELECT note_id, text FROM notes WHERE case_id = 'crm:K2'");
      for (const d of s.domains) for (const st of d.statements) for (const c of st.citations) {
        expect(texts.find((t) => t.note_id === c.noteId)!.text.slice(c.start, c.end)).toBe(c.quote);
      }
      expect(s.domains.find((d) => d.domainId === 'substance_use')!.statements[0]!.status).toBe('negated');
      expect(await summarizeCase(db, 'crm:NOPE', framework, scorer)).toBeUndefined();
    });
  });

  it('an LLM summary keeps only sentences whose quotes are found inside the evidence they cite', async () => {
    const { dir, pipeline, dbPath } = await scored();
    const fake = await startFakeOpenAI((req) => {
      const user = lastUserMessage(req);
      const idOf = (word: string) => /\[(E\d+)\][^\n]*/.exec(user.split('\n').filter((l) => l.includes(word)).join('\n'))?.[1] ?? 'E0';
      return {
      json: {
        domains: [
          { domain: 'housing', sentences: [
            { text: '[NAME_1] lost his housing but has now signed a lease.', evidence: [{ id: idOf('evicted'), quote: 'was evicted' }, { id: idOf('lease'), quote: 'SIGNED a  lease' }] },
            { text: 'He owns a house.', evidence: [{ id: idOf('evicted'), quote: 'owns a house' }] },
            { text: 'Made up.', evidence: [{ id: 'E99', quote: 'anything' }] },
          ] },
          { domain: 'astrology', sentences: [{ text: 'Stars align.', evidence: [{ id: 'E1', quote: 'evicted' }] }] },
        ],
      },
      };
    });
    try {
      await withDb(dbPath, async (db) => {
        await ingest(db, dir, pipeline);
        const scorer = createOfflineScorer(framework);
        await runScoring({ db, scorer, framework });
        const s = (await summarizeCase(db, 'crm:K2', framework, scorer))!;
        const r = await summarizeCaseWithLlm(db, s, framework, { baseURL: fake.url, apiKey: 'k', model: 'fake', maxRetries: 0 });
        expect(r.droppedSentences).toBe(3);
        expect(r.rejectedCitations).toBe(2);
        expect(r.domains).toHaveLength(1);
        const sentence = r.domains[0]!.sentences[0]!;
        expect(sentence.text).toBe('José lost his housing but has now signed a lease.');
        expect(sentence.citations.map((c) => c.quote)).toEqual(['was evicted', 'signed a lease']);
        const body = fake.requests[0]!.rawBody;
        expect(body).not.toContain('José');
        expect(body).not.toContain('555-0102');
      });
    } finally {
      await fake.close();
    }
  });
});
