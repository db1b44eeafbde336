/**
 * bench/score: offline scoring throughput on 100,000 notes, against the floor of reading the
 * same note texts out of DuckDB in the same run; and, for the LLM path against a local fake
 * OpenAI-compatible server, requests and prompt tokens per note.
 */
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { loadFramework } from '../src/frameworks/index.ts';
import { runPipeline } from '../src/ingest/index.ts';
import { loadPipeline } from '../src/ingest/pipeline.ts';
import { generateSample } from '../src/sample/index.ts';
import { createLlmScorer } from '../src/score/llm.ts';
import { createOfflineScorer, runScoring, verifyStoredTags } from '../src/score/index.ts';
import { openStore, type Db } from '../src/store/index.ts';
import { sentencesOf, startFakeOpenAI } from '../test/support/fake-openai.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const OUT = path.join(ROOT, 'bench', 'out');

async function buildDb(notes: number): Promise<string> {
  const dataDir = path.join(OUT, `score-data-${notes}`);
  const dbPath = path.join(OUT, `score-${notes}.duckdb`);
  if (!fs.existsSync(path.join(dataDir, '.complete'))) {
    await generateSample({ clients: Math.round(notes / 7.7), notes, seed: 11, outDir: dataDir });
    fs.writeFileSync(path.join(dataDir, '.complete'), 'ok\n');
  }
  for (const f of [dbPath, `${dbPath}.wal`]) fs.rmSync(f, { force: true });
  const doc = YAML.parse(fs.readFileSync(path.join(ROOT, 'pipelines', 'sample.yaml'), 'utf8'));
  doc.id = 'bench-score';
  doc.sources = doc.sources
    .filter((s: { name: string }) => ['programs', 'staff', 'clients', 'cases', 'notes'].includes(s.name))
    .map((s: { path: string }) => ({ ...s, path: path.join(dataDir, path.basename(s.path)) }));
  const file = path.join(OUT, 'bench-score.yaml');
  fs.writeFileSync(file, YAML.stringify(doc));
  const db = await openStore(dbPath);
  await runPipeline({ db, pipeline: loadPipeline(file, { baseDir: ROOT }), identityKey: 'be'.repeat(32), rejectLimit: 0.05 });
  db.close();
  return dbPath;
}

async function resetScores(db: Db) {
  for (const t of ['tag_checks', 'tag_citations', 'note_tags', 'note_scores', 'score_runs']) await db.run(`DELETE FROM ${t}`);
}

export async function benchScore(opts: { notes: number; llmNotes: number }) {
  fs.mkdirSync(OUT, { recursive: true });
  const loaded = loadFramework(path.join(ROOT, 'frameworks', 'self-sufficiency.yaml'));
  if (!loaded.ok) throw new Error('framework does not load');
  const framework = loaded.framework;
  const dbPath = await buildDb(opts.notes);
  const db = await openStore(dbPath);
  try {
    // Reference floor: read every note text and its client's personal data out of DuckDB.
    let t = performance.now();
    const rows = await db.all<{ text: string }>('SELECT n.note_id, n.text, p.first_name, p.last_name FROM notes n LEFT JOIN client_pii p USING (client_id)');
    const readMs = performance.now() - t;
    const notes = rows.length;
    await resetScores(db);
    t = performance.now();
    const offline = await runScoring({ db, scorer: createOfflineScorer(framework), framework });
    const offlineMs = performance.now() - t;
    // the same run with a verifier that lets everything through: what reading every cited span costs
    await resetScores(db);
    t = performance.now();
    await runScoring({ db, scorer: createOfflineScorer(framework), framework, verifier: { version: 'none', verifyNote: async (_text, tags) => ({ tags: [...tags], checks: [], tagsDropped: 0, tagsCorrected: 0 }) } });
    const unverifiedMs = performance.now() - t;
    // caselens verify over what that run stored (reports only: nothing to change, since nothing was verified)
    t = performance.now();
    const stored = await verifyStoredTags(db, framework);
    const verifyStoredMs = performance.now() - t;

    // LLM path: a local fake server that answers at once, quoting one sentence per note.
    const fake = await startFakeOpenAI((req) => {
      const first = [...sentencesOf(req).entries()][0];
      return {
        json: { tags: first ? [{ domain: 'housing', direction: 'concern', status: 'current', confidence: 0.5, evidence: [{ sentence: first[0], quote: first[1] }] }] : [] },
        usage: { prompt_tokens: Math.round(req.rawBody.length / 4), completion_tokens: 40 },
      };
    });
    let llm;
    try {
      await resetScores(db);
      const scorer = createLlmScorer({ framework, baseURL: fake.url, apiKey: 'bench', model: 'fake', maxRetries: 0 });
      t = performance.now();
      llm = await runScoring({ db, scorer, framework, limit: opts.llmNotes, concurrency: 8 });
      llm = { ...llm, ms: performance.now() - t, bodyChars: fake.requests.reduce((a, r) => a + r.rawBody.length, 0) };
    } finally {
      await fake.close();
    }
    const result = {
      date: new Date().toISOString(),
      notes,
      readMs: Math.round(readMs),
      offlineMs: Math.round(offlineMs),
      offlineNotesPerSec: Math.round(offline.notesScored / (offlineMs / 1000)),
      offlineVsReadRatio: +(readMs / offlineMs).toFixed(3),
      offlineTags: offline.tags,
      offlineWithoutVerifierNotesPerSec: Math.round(offline.notesScored / (unverifiedMs / 1000)),
      verifier: { version: offline.verifier, tagsContradicted: offline.tagsContradicted, tagsCorrected: offline.tagsCorrected },
      verifyStored: { tagsChecked: stored.tagsChecked, wouldDrop: stored.tagsContradicted, wouldCorrect: stored.tagsCorrected, ms: Math.round(verifyStoredMs), tagsPerSec: Math.round(stored.tagsChecked / (verifyStoredMs / 1000)) },
      offlineCitationsExact: offline.citations.position,
      llm: {
        notes: llm.notesScored,
        requests: llm.requests,
        requestsPerNote: +(llm.requests / llm.notesScored).toFixed(3),
        promptTokensPerNote: Math.round(llm.promptTokens / llm.notesScored),
        completionTokensPerNote: Math.round(llm.completionTokens / llm.notesScored),
        notesPerSecAgainstInstantServer: Math.round(llm.notesScored / (llm.ms / 1000)),
      },
    };
    fs.writeFileSync(path.join(OUT, 'score.json'), JSON.stringify(result, null, 2));
    return result;
  } finally {
    db.close();
  }
}
