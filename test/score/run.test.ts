import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadFramework } from '../../src/frameworks/index.ts';
import { createOfflineScorer, NoteScoringError, runScoring, type NoteInput, type ScoreOutcome, type Scorer } from '../../src/score/index.ts';
import { CLEAN, cleanPipeline, ingest, tempDir, withDb, writeFiles, writePipeline } from '../helpers.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const loaded = loadFramework(path.join(ROOT, 'frameworks', 'self-sufficiency.yaml'));
if (!loaded.ok) throw new Error('framework does not load');
const framework = loaded.framework;

async function project() {
  const dir = tempDir();
  writeFiles(dir, CLEAN);
  const pipeline = writePipeline(dir, 'crm', cleanPipeline());
  return { dir, pipeline, dbPath: path.join(dir, 'db.duckdb') };
}

/** A scorer that cites the first word of each note, fails on request, and counts calls. */
function scriptedScorer(opts: { failOn?: Set<string>; tokensPerNote?: number; abortAfter?: { n: number; controller: AbortController } } = {}) {
  const calls: string[] = [];
  const scorer: Scorer = {
    kind: 'llm', model: 'scripted', promptVersion: 'test-1',
    async scoreNote(note: NoteInput): Promise<ScoreOutcome> {
      calls.push(note.noteId);
      if (opts.abortAfter && calls.length >= opts.abortAfter.n) opts.abortAfter.controller.abort();
      const usage = { requests: 1, promptTokens: opts.tokensPerNote ?? 100, completionTokens: 10 };
      if (opts.failOn?.has(note.noteId)) throw new NoteScoringError('model answered with malformed JSON twice', usage);
      const word = /[\p{L}]+/u.exec(note.text)!;
      return {
        tags: [
          { domainId: 'housing', direction: 'strength', status: 'current', confidence: 0.8, citations: [{ start: word.index, end: word.index + word[0].length, quote: word[0], match: 'exact', similarity: 1 }] },
          // a citation whose quote is not the note's text at those offsets is never stored
          { domainId: 'income', direction: 'concern', status: 'current', confidence: 0.5, citations: [{ start: 0, end: 3, quote: 'XYZ', match: 'exact', similarity: 1 }] },
        ],
        rejectedCitations: 1, droppedTags: 0, usage,
      };
    },
  };
  return { scorer, calls };
}

describe('scoring runs', () => {
  it('the offline scorer tags the sample notes with exact citations, and a second run scores nothing', async () => {
    const { dir, pipeline, dbPath } = await project();
    await withDb(dbPath, async (db) => {
      await ingest(db, dir, pipeline);
      const scorer = createOfflineScorer(framework);
      const first = await runScoring({ db, scorer, framework });
      expect(first).toMatchObject({ status: 'succeeded', notesSelected: 3, notesScored: 3, notesFailed: 0 });
      const tags = await db.all<{ note_id: string; domain_id: string; direction: string; status: string; quote: string; start_offset: number; end_offset: number; text: string }>(`
        SELECT t.note_id, t.domain_id, t.direction, t.status, c.quote, c.start_offset, c.end_offset, n.text
        FROM note_tags t JOIN tag_citations c USING (tag_id) JOIN notes n ON n.note_id = t.note_id ORDER BY t.note_id, t.domain_id`);
      expect(tags.some((t) => t.note_id === 'crm:N1' && t.domain_id === 'housing' && ['strength', 'improvement'].includes(t.direction))).toBe(true);
      expect(tags.some((t) => t.note_id === 'crm:N2' && t.domain_id === 'substance_use' && t.status === 'negated')).toBe(true);
      for (const t of tags) expect(t.text.slice(t.start_offset, t.end_offset)).toBe(t.quote);
      expect(await db.value("SELECT scorer || '/' || model FROM note_tags LIMIT 1")).toBe('offline/lexicon');
      const second = await runScoring({ db, scorer, framework });
      expect(second).toMatchObject({ notesSelected: 0, notesScored: 0 });
      expect(await db.value('SELECT count(*) FROM note_scores')).toBe(3);
    });
  });

  it('stores only verified citations, records failures per note, and retries only what failed or changed', async () => {
    const { dir, pipeline, dbPath } = await project();
    await withDb(dbPath, async (db) => {
      await ingest(db, dir, pipeline);
      const a = scriptedScorer({ failOn: new Set(['crm:N2']) });
      const first = await runScoring({ db, scorer: a.scorer, framework, concurrency: 2 });
      expect(first).toMatchObject({ notesScored: 2, notesFailed: 1, tags: 2, tagsDropped: 2 });
      expect(first.citations).toMatchObject({ exact: 2, rejected: 4 });
      expect(first.failures).toEqual([{ noteId: 'crm:N2', error: 'model answered with malformed JSON twice' }]);
      expect(await db.one("SELECT status, error FROM note_scores WHERE note_id = 'crm:N2'")).toEqual({ status: 'failed', error: 'model answered with malformed JSON twice' });
      expect(await db.value("SELECT count(*) FROM note_tags WHERE domain_id = 'income'")).toBe(0);
      // next run: only the failed note is sent
      const b = scriptedScorer();
      await runScoring({ db, scorer: b.scorer, framework });
      expect(b.calls).toEqual(['crm:N2']);
      // a changed note text is scored again; the others are not
      writeFiles(dir, { 'notes.csv': CLEAN['notes.csv'].replace('Denies any substance use.', 'Relapsed over the weekend.') });
      await ingest(db, dir, pipeline);
      const c = scriptedScorer();
      await runScoring({ db, scorer: c.scorer, framework });
      expect(c.calls).toEqual(['crm:N2']);
      // its result now belongs to the new text
      expect(await db.value("SELECT s.text_sha256 = n.text_sha256 FROM note_scores s JOIN notes n USING (note_id) WHERE note_id = 'crm:N2'")).toBe(true);
    });
  });

  it('a run stopped half-way keeps what it finished, and the next run does the rest', async () => {
    const { dir, pipeline, dbPath } = await project();
    await withDb(dbPath, async (db) => {
      await ingest(db, dir, pipeline);
      const controller = new AbortController();
      const a = scriptedScorer({ abortAfter: { n: 2, controller } });
      const first = await runScoring({ db, scorer: a.scorer, framework, batchSize: 1, signal: controller.signal });
      expect(first.status).toBe('stopped');
      expect(first.notesScored).toBe(2);
      expect(await db.value("SELECT count(*) FROM note_scores WHERE status = 'ok'")).toBe(2);
      const b = scriptedScorer();
      const second = await runScoring({ db, scorer: b.scorer, framework });
      expect(b.calls).toHaveLength(1);
      expect(second).toMatchObject({ status: 'succeeded', notesScored: 1 });
    });
  });

  it('stops cleanly at the token budget and says so', async () => {
    const { dir, pipeline, dbPath } = await project();
    await withDb(dbPath, async (db) => {
      await ingest(db, dir, pipeline);
      const a = scriptedScorer({ tokensPerNote: 1000 });
      // one at a time: requests already in flight when the budget runs out are allowed to finish
      const r = await runScoring({ db, scorer: a.scorer, framework, concurrency: 1, maxTokens: 1500, pricing: { inputPerMTok: 1, outputPerMTok: 2 } });
      expect(r.status).toBe('stopped');
      expect(r.message).toMatch(/token budget of 1500 reached \(2020 used\)/);
      expect(r.notesScored).toBe(2);
      expect(r.costUsd).toBeCloseTo((2000 * 1 + 20 * 2) / 1e6, 9);
      expect(await db.one('SELECT status, prompt_tokens, completion_tokens FROM score_runs')).toEqual({ status: 'stopped', prompt_tokens: 2000, completion_tokens: 20 });
    });
  });
});
