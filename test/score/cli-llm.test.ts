import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { lastUserMessage, messageChars, sentencesOf, startFakeOpenAI, type RecordedRequest } from '../support/fake-openai.ts';
import { runCli } from '../support/cli.ts';
import { CLEAN, cleanPipeline, tempDir, withDb, writeFiles, writePipeline } from '../helpers.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

const TYPES = ['contact', 'home visit', ''];

/** 60 notes over the 4 clean cases; each mentions the client's name and phone; two in three have a type. */
function manyNotes(): string {
  const lines = ['note_key,case_key,author_key,written_at,note_type,text'];
  const who: Record<string, string> = { K1: 'Ana López 555-0101', K2: 'José García 555-0102', K3: "Zoë O'Brien", K4: 'Ana López' };
  for (let i = 0; i < 60; i++) {
    const k = `K${(i % 4) + 1}`;
    lines.push(`M${i},${k},S2,2024-0${(i % 5) + 1}-1${i % 9} 10:00:00,${TYPES[i % 3]},"Met ${who[k]} today. Client signed a lease on a new apartment (visit ${i}). Denies any substance use."`);
  }
  return lines.join('\n') + '\n';
}

/** Answers each note by quoting the lease sentence it was shown. */
function answer(req: RecordedRequest) {
  const sentences = sentencesOf(req);
  const lease = [...sentences.entries()].find(([, s]) => s.includes('lease'));
  if (!lease) return { json: { tags: [] } };
  return {
    delayMs: 40,
    then: {
      json: { tags: [{ domain: 'housing', direction: 'strength', status: 'current', confidence: 0.9, evidence: [{ sentence: lease[0], quote: lease[1].replace(/\.$/, '') }] }] },
      usage: { prompt_tokens: 1000, completion_tokens: 50, total_tokens: 1050 },
    },
  };
}

describe('caselens score with an OpenAI-compatible provider', () => {
  it('redacts before sending, resumes after a kill, and a second run sends nothing', async () => {
    const fake = await startFakeOpenAI(answer);
    try {
      const dir = tempDir();
      writeFiles(dir, { ...CLEAN, 'notes.csv': manyNotes() });
      const pipeline = cleanPipeline();
      const notesSource = (pipeline.sources as { name: string; fields: Record<string, unknown> }[]).find((x) => x.name === 'notes');
      if (notesSource) notesSource.fields.note_type = 'note_type';
      writePipeline(dir, 'crm', pipeline);
      fs.writeFileSync(path.join(dir, 'caselens.config.yaml'), YAML.stringify({
        database: 'db.duckdb', identity: { keyFile: 'identity.key' }, paths: { pipelines: '.', frameworks: path.join(ROOT, 'frameworks') },
        scoring: { provider: 'openai', openai: { baseURL: fake.url, apiKey: 'test-key', model: 'fake-model', maxRetries: 0, concurrency: 2, pricing: { inputPerMTok: 0.15, outputPerMTok: 0.6 } } },
      }));
      expect((await runCli(['ingest', 'crm'], dir)).code).toBe(0);

      const dry = await runCli(['score', '--dry-run', '--json'], dir);
      const estimate = JSON.parse(dry.stdout);
      expect(estimate).toMatchObject({ notes: 60, requests: 60 });
      expect(fake.requests).toHaveLength(0);

      // kill the run once 30 answers have gone out: at least one batch of 20 is stored by then
      const killed = await runCli(['score'], dir, { killWhen: () => fake.requests.length >= 30 });
      expect(killed.signal).toBe('SIGKILL');
      const sentBeforeKill = fake.requests.length;
      const stored = await withDb(path.join(dir, 'db.duckdb'), (db) => db.value<number>("SELECT count(*) FROM note_scores WHERE status = 'ok'"));
      expect(stored).toBeGreaterThanOrEqual(20);
      expect(stored).toBeLessThan(60);

      const resumed = await runCli(['score', '--json'], dir);
      expect(resumed.code).toBe(0);
      const summary = JSON.parse(resumed.stdout);
      expect(summary).toMatchObject({ status: 'succeeded', notesSelected: 60 - stored, notesScored: 60 - stored, notesFailed: 0, requests: 60 - stored });
      expect(summary.costUsd).toBeCloseTo(((60 - stored) * (1000 * 0.15 + 50 * 0.6)) / 1e6, 9);
      expect(fake.requests.length).toBe(sentBeforeKill + 60 - stored);

      // each note's request as the server received it (a note cut off by the kill was sent again)
      const byNote = new Map<number, RecordedRequest>();
      for (const r of fake.chatRequests) byNote.set(Number(/\(visit (\d+)\)/.exec(lastUserMessage(r))?.[1]), r);
      expect([...byNote.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: 60 }, (_, i) => i));
      for (const [i, r] of byNote) {
        const header = `Note date: 2024-0${(i % 5) + 1}-1${i % 9}\n${TYPES[i % 3] ? `Note type: ${TYPES[i % 3]}\n` : ''}\nCase note, one sentence per line:\n`;
        expect(lastUserMessage(r).startsWith(header)).toBe(true);
        expect(r.body?.messages?.[0]?.content).toBe(fake.chatRequests[0]?.body?.messages?.[0]?.content);
      }
      // the dry run built the same messages: same redaction, date and type
      const sentTokens = [...byNote.values()].reduce((a, r) => a + Math.ceil(messageChars(r) / 4), 0);
      expect(Math.abs(estimate.promptTokens - sentTokens) / sentTokens).toBeLessThanOrEqual(0.05);
      expect(estimate.promptTokens).toBe(sentTokens);

      const again = await runCli(['score', '--json'], dir);
      expect(JSON.parse(again.stdout)).toMatchObject({ notesSelected: 0, requests: 0 });
      expect(fake.requests.length).toBe(sentBeforeKill + 60 - stored);

      // nothing personal left the machine, yet every stored quote is the note's own text
      for (const r of fake.requests) {
        for (const secret of ['López', 'Lopez', 'García', 'Garcia', 'José', 'Ana', "O'Brien", '555-0101', '555-0102']) expect(r.rawBody).not.toContain(secret);
      }
      await withDb(path.join(dir, 'db.duckdb'), async (db) => {
        const cites = await db.all<{ text: string; start_offset: number; end_offset: number; quote: string }>(
          'SELECT n.text, c.start_offset, c.end_offset, c.quote FROM tag_citations c JOIN notes n USING (note_id)');
        expect(cites).toHaveLength(60);
        for (const c of cites) expect(c.text.slice(c.start_offset, c.end_offset)).toBe(c.quote);
        expect(await db.value("SELECT count(*) FROM score_runs WHERE status = 'interrupted'")).toBe(1);
      });
    } finally {
      await fake.close();
    }
  }, 120_000);
});
