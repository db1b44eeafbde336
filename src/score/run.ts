import crypto from 'node:crypto';
import type { Framework } from '../frameworks/index.ts';
import { errorMessage } from '../errors.ts';
import { lit, markFactsStale, type Db } from '../store/index.ts';
import { costOf, NoteScoringError, type Citation, type NoteInput, type ScoreOutcome, type Scorer, type Pricing, type Tag, type Usage } from './types.ts';
import { createVerifier, type TagCheck, type Verifier } from './verify.ts';

export interface ScoreRunOptions {
  db: Db;
  scorer: Scorer;
  framework: Framework;
  concurrency?: number;
  limit?: number;
  /** stop cleanly once a run has used this many tokens (prompt + completion) */
  maxTokens?: number;
  maxCostUsd?: number;
  pricing?: Pricing;
  /** notes written to the database per transaction */
  batchSize?: number;
  progress?: (p: { done: number; total: number; failed: number; etaSeconds: number | null }) => void;
  signal?: AbortSignal;
  clock?: () => Date;
  /** reads every cited span before its tag is stored; the framework's verifier unless given */
  verifier?: Verifier;
}

export interface ScoreRunSummary {
  runId: number;
  scorer: string;
  model: string;
  promptVersion: string;
  framework: string;
  status: 'succeeded' | 'stopped' | 'failed';
  notesSelected: number;
  notesScored: number;
  notesFailed: number;
  tags: number;
  citations: { exact: number; normalized: number; fuzzy: number; position: number; rejected: number };
  tagsDropped: number;
  /** the verifier's version, and the proposed tags it dropped (their spans contradict them) or corrected */
  verifier: string;
  tagsContradicted: number;
  tagsCorrected: number;
  requests: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
  message?: string;
  failures: Array<{ noteId: string; error: string }>;
  elapsedMs: number;
}

export interface NoteRow {
  note_id: string;
  text: string;
  text_sha256: string;
  written_at: Date | null;
  note_type: string | null;
  first_name: string | null;
  last_name: string | null;
  dob: Date | null;
  phone: string | null;
  email: string | null;
  national_id: string | null;
  address: string | null;
}

interface Done {
  note: NoteRow;
  outcome?: ScoreOutcome;
  error?: string;
  usage: Usage;
  checks?: TagCheck[];
  contradicted?: number;
  corrected?: number;
}

/** Stable tag ids, so re-scoring the same note under the same configuration replaces, not duplicates. */
export function tagId(noteId: string, key: string, index: number): string {
  return `T-${crypto.createHash('sha256').update(`${noteId}\u001f${key}\u001f${index}`).digest('hex').slice(0, 20)}`;
}

/** The citation must be the note's own text at those offsets; anything else is not evidence. */
export function verifiedCitations(text: string, citations: Citation[]): { kept: Citation[]; rejected: number } {
  const kept = citations.filter((c) => Number.isInteger(c.start) && Number.isInteger(c.end) && c.start >= 0 && c.end > c.start && c.end <= text.length && text.slice(c.start, c.end) === c.quote);
  return { kept, rejected: citations.length - kept.length };
}

/** Notes that have no result yet for this configuration (or whose last attempt failed). */
export async function notesToScore(db: Db, scorer: Scorer, framework: Framework, limit?: number): Promise<NoteRow[]> {
  return db.all<NoteRow>(
    `SELECT n.note_id, n.text, n.text_sha256, n.written_at, n.note_type, p.first_name, p.last_name, p.dob, p.phone, p.email, p.national_id, p.address
     FROM notes n
     LEFT JOIN client_pii p USING (client_id)
     LEFT JOIN note_scores s ON s.note_id = n.note_id AND s.text_sha256 = n.text_sha256
       AND s.framework_id = $1 AND s.framework_version = $2 AND s.scorer = $3 AND s.model = $4 AND s.prompt_version = $5 AND s.status = 'ok'
     WHERE s.note_id IS NULL
     ORDER BY n.written_at, n.note_id
     ${limit !== undefined ? `LIMIT ${Math.max(0, Math.floor(limit))}` : ''}`,
    [framework.id, framework.version, scorer.kind, scorer.model, scorer.promptVersion],
  );
}

/** What a scorer is handed for one note: its text, date, type and the client's personal data for redaction. */
export function noteInput(n: NoteRow): NoteInput {
  const names = [n.first_name, n.last_name].filter((x): x is string => Boolean(x));
  return {
    noteId: n.note_id,
    text: n.text,
    textSha256: n.text_sha256,
    ...(n.written_at ? { writtenAt: n.written_at } : {}),
    ...(n.note_type ? { noteType: n.note_type } : {}),
    pii: {
      names: names.length === 2 ? [...names, `${names[0]} ${names[1]}`] : names,
      ...(n.dob ? { dob: n.dob.toISOString().slice(0, 10) } : {}),
      ...(n.phone ? { phone: n.phone } : {}),
      ...(n.email ? { email: n.email } : {}),
      ...(n.national_id ? { nationalId: n.national_id } : {}),
      ...(n.address ? { address: n.address } : {}),
    },
  };
}

/**
 * Scores every note that has no result for this (text, framework version, scorer, model,
 * prompt version), with bounded concurrency. Results are written in small batches, so a run
 * killed half-way keeps what it finished and the next run picks up the rest.
 */
export async function runScoring(opts: ScoreRunOptions): Promise<ScoreRunSummary> {
  const { db, scorer, framework } = opts;
  const clock = opts.clock ?? (() => new Date());
  const started = Date.now();
  const concurrency = Math.max(1, opts.concurrency ?? (scorer.kind === 'offline' ? 1 : 4));
  const verifier = opts.verifier ?? createVerifier(framework);
  const batchSize = opts.batchSize ?? (scorer.kind === 'offline' ? 2000 : 20);
  // A run that never finished (killed) is marked so, once anyone looks again.
  await db.run(`UPDATE score_runs SET status = 'interrupted', message = 'the process stopped before the run finished; its finished notes were kept' WHERE status = 'running'`);
  const runId = ((await db.value<number | null>('SELECT max(run_id) FROM score_runs')) ?? 0) + 1;
  const notes = await notesToScore(db, scorer, framework, opts.limit);
  await db.run(
    `INSERT INTO score_runs (run_id, started_at, status, scorer, model, prompt_version, framework_id, framework_version, notes_selected)
     VALUES ($1, $2::TIMESTAMP, 'running', $3, $4, $5, $6, $7, $8)`,
    [runId, clock().toISOString(), scorer.kind, scorer.model, scorer.promptVersion, framework.id, framework.version, notes.length],
  );
  const summary: ScoreRunSummary = {
    runId, scorer: scorer.kind, model: scorer.model, promptVersion: scorer.promptVersion, framework: `${framework.id}@${framework.version}`,
    status: 'succeeded', notesSelected: notes.length, notesScored: 0, notesFailed: 0, tags: 0,
    citations: { exact: 0, normalized: 0, fuzzy: 0, position: 0, rejected: 0 }, tagsDropped: 0,
    verifier: verifier.version, tagsContradicted: 0, tagsCorrected: 0,
    requests: 0, promptTokens: 0, completionTokens: 0, costUsd: 0, failures: [], elapsedMs: 0,
  };
  // Notes with an earlier result for this configuration (failed, or for an older text): their
  // rows are replaced. Everything else is new, so most batches need no DELETE at all.
  const prior = new Set((await db.all<{ note_id: string }>(
    `SELECT DISTINCT note_id FROM note_scores WHERE framework_id = $1 AND framework_version = $2 AND scorer = $3 AND model = $4 AND prompt_version = $5`,
    [framework.id, framework.version, scorer.kind, scorer.model, scorer.promptVersion],
  )).map((r) => r.note_id));
  const pending: Done[] = [];
  let next = 0;
  let stopReason: string | undefined;
  let writing: Promise<void> = Promise.resolve();

  const flush = () => {
    const batch = pending.splice(0, pending.length);
    if (batch.length === 0) return writing;
    writing = writing.then(() => writeBatch(db, runId, scorer, framework, verifier.version, batch, clock, batch.some((d) => prior.has(d.note.note_id))));
    return writing;
  };

  const overBudget = (): string | undefined => {
    const tokens = summary.promptTokens + summary.completionTokens;
    if (opts.maxTokens !== undefined && tokens >= opts.maxTokens) return `token budget of ${opts.maxTokens} reached (${tokens} used)`;
    if (opts.maxCostUsd !== undefined && summary.costUsd >= opts.maxCostUsd) return `cost budget of $${opts.maxCostUsd} reached ($${summary.costUsd.toFixed(4)} used)`;
    return undefined;
  };

  const worker = async () => {
    while (!stopReason && !opts.signal?.aborted) {
      const i = next++;
      if (i >= notes.length) return;
      const note = notes[i]!;
      let done: Done;
      try {
        const outcome = await scorer.scoreNote(noteInput(note), opts.signal);
        done = { note, outcome, usage: outcome.usage };
      } catch (e) {
        const usage = e instanceof NoteScoringError ? e.usage : { requests: 0, promptTokens: 0, completionTokens: 0 };
        done = { note, error: errorMessage(e), usage };
      }
      await account(summary, done, verifier, scorer.kind, opts.pricing);
      pending.push(done);
      if (pending.length >= batchSize) await flush();
      const elapsed = (Date.now() - started) / 1000;
      const finished = summary.notesScored + summary.notesFailed;
      opts.progress?.({ done: finished, total: notes.length, failed: summary.notesFailed, etaSeconds: finished ? (elapsed / finished) * (notes.length - finished) : null });
      stopReason ??= overBudget();
    }
  };

  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(1, notes.length)) }, worker));
    await flush();
    await writing;
  } catch (e) {
    summary.status = 'failed';
    summary.message = errorMessage(e);
  }
  if (summary.status !== 'failed' && (stopReason || opts.signal?.aborted)) {
    summary.status = 'stopped';
    summary.message = stopReason ?? 'stopped on request';
  }
  summary.elapsedMs = Date.now() - started;
  const c = summary.citations;
  await db.run(
    `UPDATE score_runs SET finished_at = $2::TIMESTAMP, status = $3, notes_scored = $4, notes_failed = $5, tags = $6,
       citations_exact = $7, citations_normalized = $8, citations_fuzzy = $9, citations_rejected = $10, tags_dropped = $11,
       requests = $12, prompt_tokens = $13, completion_tokens = $14, cost_usd = $15, message = $16,
       verifier_version = $17, tags_contradicted = $18, tags_corrected = $19
     WHERE run_id = $1`,
    [runId, clock().toISOString(), summary.status, summary.notesScored, summary.notesFailed, summary.tags,
      c.exact + c.position, c.normalized, c.fuzzy, c.rejected, summary.tagsDropped,
      summary.requests, summary.promptTokens, summary.completionTokens, summary.costUsd, summary.message ?? null,
      verifier.version, summary.tagsContradicted, summary.tagsCorrected],
  );
  return summary;
}

async function account(summary: ScoreRunSummary, done: Done, verifier: Verifier, scorerKind: Scorer['kind'], pricing?: Pricing): Promise<void> {
  summary.requests += done.usage.requests;
  summary.promptTokens += done.usage.promptTokens;
  summary.completionTokens += done.usage.completionTokens;
  summary.costUsd += pricing ? costOf(done.usage, pricing) : 0;
  if (!done.outcome) {
    summary.notesFailed++;
    if (summary.failures.length < 50) summary.failures.push({ noteId: done.note.note_id, error: done.error ?? 'unknown error' });
    return;
  }
  summary.notesScored++;
  summary.citations.rejected += done.outcome.rejectedCitations;
  summary.tagsDropped += done.outcome.droppedTags;
  const kept: Tag[] = [];
  for (const tag of done.outcome.tags) {
    const { kept: citations, rejected } = verifiedCitations(done.note.text, tag.citations);
    summary.citations.rejected += rejected;
    if (citations.length === 0) {
      summary.tagsDropped++;
      continue;
    }
    for (const c of citations) summary.citations[c.match]++;
    kept.push({ ...tag, citations });
  }
  // the offline scorer's tags are the lexicon's reading of the note: the verifier need not read it again
  const verified = await verifier.verifyNote(done.note.text, kept, scorerKind === 'offline' ? done.outcome.tags : undefined);
  done.checks = verified.checks;
  done.contradicted = verified.tagsDropped;
  done.corrected = verified.tagsCorrected;
  summary.tagsContradicted += verified.tagsDropped;
  summary.tagsCorrected += verified.tagsCorrected;
  done.outcome = { ...done.outcome, tags: verified.tags };
  summary.tags += verified.tags.length;
}

async function writeBatch(db: Db, runId: number, scorer: Scorer, framework: Framework, verifierVersion: string, batch: Done[], clock: () => Date, replaces: boolean): Promise<void> {
  const key = [framework.id, framework.version, scorer.kind, scorer.model, scorer.promptVersion];
  await db.transaction(async () => {
    const ids = batch.map((d) => d.note.note_id);
    await markFactsStale(db);
    if (replaces) await deletePrevious(db, ids, key);
    const now = clock().toISOString().replace('T', ' ').replace('Z', '');
    const scores = await db.connection.createAppender('note_scores');
    const tags = await db.connection.createAppender('note_tags');
    const cites = await db.connection.createAppender('tag_citations');
    const checks = await db.connection.createAppender('tag_checks');
    const text = (a: typeof scores, v: string | null | undefined) => (v == null ? a.appendNull() : a.appendVarchar(v));
    for (const d of batch) {
      const n = d.note;
      text(scores, n.note_id); text(scores, n.text_sha256);
      for (const k of key) text(scores, k);
      scores.appendInteger(runId);
      text(scores, d.outcome ? 'ok' : 'failed');
      text(scores, d.error);
      scores.appendInteger(d.outcome?.tags.length ?? 0);
      scores.appendInteger(d.outcome?.rejectedCitations ?? 0);
      scores.appendInteger(d.usage.requests);
      scores.appendInteger(d.usage.promptTokens);
      scores.appendInteger(d.usage.completionTokens);
      text(scores, now);
      scores.appendInteger(d.contradicted ?? 0);
      scores.appendInteger(d.corrected ?? 0);
      scores.endRow();
      for (const k of d.checks ?? []) {
        text(checks, n.note_id); text(checks, n.text_sha256);
        for (const v of key) text(checks, v);
        checks.appendInteger(runId);
        text(checks, verifierVersion);
        text(checks, k.domainId); text(checks, k.direction); text(checks, k.status); text(checks, k.action);
        text(checks, k.newDirection); text(checks, k.newStatus); text(checks, k.reason);
        checks.appendInteger(k.start); checks.appendInteger(k.end);
        text(checks, k.quote);
        text(checks, now);
        checks.endRow();
      }
      (d.outcome?.tags ?? []).forEach((t, i) => {
        const id = tagId(n.note_id, `${n.text_sha256}|${key.join('|')}`, i);
        text(tags, id); text(tags, n.note_id); text(tags, n.text_sha256);
        tags.appendInteger(runId);
        for (const k of key) text(tags, k);
        text(tags, t.domainId); text(tags, t.indicatorId); text(tags, t.direction);
        if (t.level === undefined) tags.appendNull(); else tags.appendInteger(t.level);
        text(tags, t.status);
        tags.appendDouble(t.confidence);
        tags.endRow();
        for (const c of t.citations) {
          text(cites, id); text(cites, n.note_id);
          cites.appendInteger(c.start); cites.appendInteger(c.end);
          text(cites, c.quote); text(cites, c.match);
          cites.appendDouble(c.similarity);
          cites.endRow();
        }
      });
    }
    scores.closeSync();
    tags.closeSync();
    cites.closeSync();
    checks.closeSync();
  });
}

/** Removes this configuration's earlier result for these notes (a failed attempt, or a changed text). */
async function deletePrevious(db: Db, ids: string[], key: string[]): Promise<void> {
  await db.run(`CREATE OR REPLACE TEMP TABLE _batch_notes AS SELECT * FROM (VALUES ${ids.map((id) => `(${lit(id)})`).join(', ')}) v(note_id)`);
  await db.run(
    `DELETE FROM tag_citations WHERE tag_id IN (SELECT tag_id FROM note_tags WHERE note_id IN (SELECT note_id FROM _batch_notes)
       AND framework_id = $1 AND framework_version = $2 AND scorer = $3 AND model = $4 AND prompt_version = $5)`, key);
  await db.run(`DELETE FROM tag_checks WHERE note_id IN (SELECT note_id FROM _batch_notes) AND framework_id = $1 AND framework_version = $2 AND scorer = $3 AND model = $4 AND prompt_version = $5`, key);
  await db.run(`DELETE FROM note_tags WHERE note_id IN (SELECT note_id FROM _batch_notes) AND framework_id = $1 AND framework_version = $2 AND scorer = $3 AND model = $4 AND prompt_version = $5`, key);
  await db.run(`DELETE FROM note_scores WHERE note_id IN (SELECT note_id FROM _batch_notes) AND framework_id = $1 AND framework_version = $2 AND scorer = $3 AND model = $4 AND prompt_version = $5`, key);
}
