/**
 * The LLM scorer: tags a note with any OpenAI-compatible chat-completions endpoint (OpenAI,
 * Azure OpenAI v1, Ollama, vLLM, LM Studio, …) through the official `openai` SDK.
 *
 * Per note: redact personal data → split the redacted text into sentences → group whole
 * sentences into chunks → one request per chunk asking for all domains at once → validate the
 * JSON answer (re-asking once if it is unusable) → restore each quote and find it in the
 * ORIGINAL note text. The model quotes; caselens computes and verifies every offset.
 *
 * Retries (429, 408, 409, 5xx, connection errors, timeouts) with exponential backoff and
 * `retry-after` / `retry-after-ms` are done by the SDK (`maxRetries`); `timeoutMs` bounds each
 * attempt.
 */
import OpenAI from 'openai';
import type { ChatCompletion, ChatCompletionCreateParamsNonStreaming, ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import type { BaseMessage } from '@langchain/core/messages';
import type { Framework, Domain } from '../frameworks/index.ts';
import { alignQuote } from './align.ts';
import { chunkSentences, DEFAULT_MAX_CHUNK_CHARS, type Chunk } from './chunk.ts';
import {
  ANSWER_SCHEMA_NAME,
  PROMPT_VERSION,
  answerJsonSchema,
  buildMessages,
  buildRepairMessages,
  frameworkGuide,
  noteContext,
  parseAnswer,
  type Answer,
} from './prompt.ts';
import { redact, spanToOriginal, type Redacted } from './redact.ts';
import { segmentSentences } from './segment.ts';
import { costOf, NoteScoringError, type Citation, type NoteInput, type ScoreOutcome, type Scorer, type Tag, type Pricing, type Usage } from './types.ts';

export { costOf, type Pricing } from './types.ts';

export { PROMPT_VERSION } from './prompt.ts';

export const DEFAULT_TIMEOUT_MS = 120_000;
export const DEFAULT_MAX_RETRIES = 3;

/** How the answer format is requested. Servers that reject json_schema fall back automatically. */
export type ResponseFormatMode = 'json_schema' | 'json_object' | 'none';

export interface LlmScorerOptions {
  framework: Framework;
  /** e.g. http://localhost:11434/v1 (Ollama), https://<resource>.openai.azure.com/openai/v1 */
  baseURL?: string;
  apiKey?: string;
  model: string;
  /** per attempt, in ms (default 120 000) */
  timeoutMs?: number;
  /** retries per request on 408/409/429/5xx/connection errors/timeouts (default 3) */
  maxRetries?: number;
  /** largest chunk of note text per request, in characters (default 6000) */
  maxChunkChars?: number;
  /** an OpenAI client to use instead of building one (its own timeout and retries apply) */
  client?: OpenAI;
  pricing?: Pricing;
  /** sampling temperature (default 0); null to leave it to the server (some models accept only their default) */
  temperature?: number | null;
  /** default 'json_schema' */
  responseFormat?: ResponseFormatMode;
}

export interface LlmScorer extends Scorer {
  readonly kind: 'llm';
  readonly model: string;
  readonly promptVersion: string;
  /** cost of some usage under the configured pricing, or undefined when no pricing is set */
  costOf(usage: Pick<Usage, 'promptTokens' | 'completionTokens'>): number | undefined;
}

export interface RequestEstimate {
  requests: number;
  /** characters of the messages' contents, exactly as they would be sent */
  promptChars: number;
  promptTokens: number;
}

/** The parts of a note that go into its requests. */
export type EstimateInput = Pick<NoteInput, 'text' | 'writtenAt' | 'noteType' | 'pii'>;

/*
 * Tokens are characters ÷ 4, as the bench and the test server count them. Measured with the
 * o200k_base tokenizer (GPT-4o, GPT-4.1) on 300 sample notes: these messages run 4.26 characters
 * a token (4.28 in the system message, 3.8 in note text), so ÷ 4 overstates the messages with
 * their chat framing by 6.3% (6.9% at most for one note): about the answer format's JSON
 * Schema (some 230 tokens a request), which providers may count too. Erring high suits a budget.
 * Other models' tokenizers differ.
 */
const approxTokens = (chars: number) => Math.ceil(chars / 4);

const guides = new WeakMap<Framework, string>();

/**
 * Dry run: how many requests a note would take and roughly how many prompt tokens. The messages
 * are built as `scoreNote` builds them (redaction, chunking, date and type, part i of n), so
 * `promptChars` is what would be sent. Re-asks and completion tokens are not included.
 */
export async function estimateRequest(framework: Framework, note: EstimateInput, maxChunkChars: number = DEFAULT_MAX_CHUNK_CHARS): Promise<RequestEstimate> {
  let guide = guides.get(framework);
  if (guide === undefined) guides.set(framework, (guide = frameworkGuide(framework)));
  const { chunks } = prepareNote(note, maxChunkChars);
  const context = noteContext(note);
  let chars = 0;
  for (const [index, chunk] of chunks.entries()) {
    const messages = await buildMessages(framework, chunk.sentences, { index, count: chunks.length }, guide, context);
    for (const m of toOpenAIMessages(messages)) chars += typeof m.content === 'string' ? m.content.length : 0;
  }
  return { requests: chunks.length, promptChars: chars, promptTokens: approxTokens(chars) };
}

/** What leaves the machine for a note: its redacted text, in the chunks that become requests (one path for scoring and estimates). */
function prepareNote(note: Pick<NoteInput, 'text' | 'pii'>, maxChunkChars: number): { red: Redacted; chunks: Chunk[] } {
  const red = redact(note.text, note.pii ?? { names: [] });
  return { red, chunks: chunkSentences(segmentSentences(red.text), maxChunkChars) };
}

function toOpenAIMessages(messages: BaseMessage[]): ChatCompletionMessageParam[] {
  return messages.map((m): ChatCompletionMessageParam => {
    const content = typeof m.content === 'string' ? m.content : m.text;
    const type = m.getType();
    if (type === 'system') return { role: 'system', content };
    if (type === 'ai') return { role: 'assistant', content };
    if (type === 'human') return { role: 'user', content };
    throw new Error(`unexpected prompt message type "${type}"`);
  });
}

function emptyUsage(): Usage {
  return { requests: 0, promptTokens: 0, completionTokens: 0 };
}

/** A 400/422 that says the server does not support the requested response_format. */
function rejectsResponseFormat(err: unknown): boolean {
  if (!(err instanceof OpenAI.APIError)) return false;
  if (err.status !== 400 && err.status !== 422) return false;
  return /response_format|json_schema|json_object|structured/i.test(err.message);
}

function describeFailure(err: unknown, timeoutMs: number, maxRetries: number): string {
  const retries = maxRetries === 1 ? '1 retry' : `${maxRetries} retries`;
  if (err instanceof OpenAI.APIConnectionTimeoutError) return `the request timed out after ${timeoutMs} ms (with ${retries})`;
  if (err instanceof OpenAI.APIConnectionError) return `could not reach the model server (with ${retries}): ${err.message}`;
  if (err instanceof OpenAI.APIError) {
    const retried = err.status === 429 || err.status === 408 || err.status === 409 || (err.status ?? 0) >= 500;
    return `the model server answered ${err.status ?? 'an error'}${retried ? ` (with ${retries})` : ''}: ${err.message}`;
  }
  return err instanceof Error ? err.message : String(err);
}

interface Counters {
  rejectedCitations: number;
  droppedTags: number;
}

export function createLlmScorer(opts: LlmScorerOptions): LlmScorer {
  const { framework, model } = opts;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxRetries = opts.maxRetries ?? DEFAULT_MAX_RETRIES;
  const maxChunkChars = opts.maxChunkChars ?? DEFAULT_MAX_CHUNK_CHARS;
  const temperature = opts.temperature === undefined ? 0 : opts.temperature;
  const client =
    opts.client ??
    new OpenAI({
      ...(opts.baseURL !== undefined ? { baseURL: opts.baseURL } : {}),
      // Local servers (Ollama, vLLM, LM Studio) need no key, but the SDK insists on one.
      apiKey: opts.apiKey ?? process.env['OPENAI_API_KEY'] ?? (opts.baseURL !== undefined ? 'no-key' : undefined),
      timeout: timeoutMs,
      maxRetries,
    });
  const effectiveTimeout = opts.client ? opts.client.timeout : timeoutMs;
  const effectiveRetries = opts.client ? opts.client.maxRetries : maxRetries;
  let formatMode: ResponseFormatMode = opts.responseFormat ?? 'json_schema';

  const guide = frameworkGuide(framework);
  const jsonSchema = answerJsonSchema();
  const domains = new Map<string, Domain>(framework.domains.map((d) => [d.id, d]));
  const scaleValues = framework.scale.map((l) => l.value);

  function responseFormat(): Pick<ChatCompletionCreateParamsNonStreaming, 'response_format'> {
    if (formatMode === 'json_schema') {
      return { response_format: { type: 'json_schema', json_schema: { name: ANSWER_SCHEMA_NAME, schema: jsonSchema, strict: false } } };
    }
    if (formatMode === 'json_object') return { response_format: { type: 'json_object' } };
    return {};
  }

  /** One chat completion; retries are the SDK's. Falls back to a simpler response_format once per mode. */
  async function complete(messages: BaseMessage[], signal: AbortSignal | undefined): Promise<ChatCompletion> {
    for (;;) {
      const body: ChatCompletionCreateParamsNonStreaming = {
        model,
        messages: toOpenAIMessages(messages),
        ...(temperature !== null ? { temperature } : {}),
        ...responseFormat(),
      };
      try {
        return await client.chat.completions.create(body, signal ? { signal } : {});
      } catch (err) {
        if (formatMode !== 'none' && rejectsResponseFormat(err)) {
          formatMode = formatMode === 'json_schema' ? 'json_object' : 'none';
          continue;
        }
        throw err;
      }
    }
  }

  /** Asks for one chunk's tags; re-asks once when the answer is unusable. */
  async function askChunk(note: NoteInput, chunk: Chunk, part: { index: number; count: number }, usage: Usage, signal?: AbortSignal): Promise<Answer> {
    const where = part.count > 1 ? `note ${note.noteId} (part ${part.index + 1} of ${part.count})` : `note ${note.noteId}`;
    let messages = await buildMessages(framework, chunk.sentences, part, guide, noteContext(note));
    let lastProblem = '';
    for (let attempt = 0; attempt < 2; attempt++) {
      let completion: ChatCompletion;
      try {
        completion = await complete(messages, signal);
      } catch (err) {
        if (signal?.aborted) signal.throwIfAborted();
        throw new NoteScoringError(`${where}: ${describeFailure(err, effectiveTimeout, effectiveRetries)}`, { ...usage }, err);
      }
      usage.requests += 1;
      usage.promptTokens += completion.usage?.prompt_tokens ?? 0;
      usage.completionTokens += completion.usage?.completion_tokens ?? 0;

      const choice = completion.choices[0];
      const content = choice?.message?.content ?? '';
      const truncated = choice?.finish_reason === 'length';
      let problem: string;
      if (choice === undefined) problem = 'the response had no choices';
      else if (truncated) problem = 'the answer was cut off (finish_reason "length")';
      else if (choice.message.refusal) problem = `the model refused: ${choice.message.refusal}`;
      else {
        const parsed = parseAnswer(content);
        if (parsed.ok) return parsed.answer;
        problem = parsed.problem;
      }
      lastProblem = problem;
      if (attempt === 0) messages = await buildRepairMessages(messages, content, problem, truncated);
    }
    throw new NoteScoringError(`${where}: no usable answer from model ${model} after a re-ask: ${lastProblem}`, { ...usage });
  }

  function clampLevel(level: number | null | undefined): number | undefined {
    if (level === null || level === undefined || !Number.isFinite(level) || scaleValues.length === 0) return undefined;
    let best = scaleValues[0] as number;
    for (const v of scaleValues) if (Math.abs(v - level) < Math.abs(best - level)) best = v;
    return best;
  }

  /** Turns one answer into verified tags; counts what had to be rejected or dropped. */
  function toTags(note: NoteInput, red: Redacted, chunk: Chunk, answer: Answer, counters: Counters): Tag[] {
    const bySentence = new Map(chunk.sentences.map((s) => [s.index, s]));
    const chunkSpan = spanToOriginal(red, chunk.start, chunk.end);
    const tags: Tag[] = [];
    for (const t of answer.tags) {
      const domain = domains.get(t.domain.trim()) ?? domains.get(t.domain.trim().toLowerCase());
      if (domain === undefined) {
        counters.droppedTags++;
        continue;
      }
      const indicatorId = typeof t.indicator === 'string' ? t.indicator.trim() : undefined;
      const indicator = indicatorId ? domain.indicators.find((i) => i.id === indicatorId) : undefined;

      const citations: Citation[] = [];
      for (const ev of t.evidence) {
        const quote = red.restore(ev.quote).trim();
        if (quote === '') {
          counters.rejectedCitations++;
          continue;
        }
        const sentence = bySentence.get(ev.sentence);
        const near = sentence ? spanToOriginal(red, sentence.start, sentence.end) : chunkSpan;
        const found = alignQuote(note.text, quote, { near });
        // the invariant every stored citation must satisfy, checked here rather than trusted
        const verified = (found ?? []).filter((c) => c.end > c.start && note.text.slice(c.start, c.end) === c.quote);
        if (verified.length === 0) {
          counters.rejectedCitations++;
          continue;
        }
        for (const c of verified) {
          if (!citations.some((x) => x.start === c.start && x.end === c.end)) citations.push(c);
        }
      }
      if (citations.length === 0) {
        counters.droppedTags++;
        continue;
      }
      const level = clampLevel(t.level);
      tags.push({
        domainId: domain.id,
        ...(indicator ? { indicatorId: indicator.id } : {}),
        direction: t.direction,
        ...(level !== undefined ? { level } : {}),
        status: t.status,
        confidence: Number.isFinite(t.confidence) ? Math.min(1, Math.max(0, t.confidence)) : 0,
        citations: citations.sort((a, b) => a.start - b.start || a.end - b.end),
      });
    }
    return tags;
  }

  /** Tags that say the same thing (e.g. from two chunks) become one tag with all the citations. */
  function merge(tags: Tag[]): Tag[] {
    const byKey = new Map<string, Tag>();
    for (const t of tags) {
      const key = [t.domainId, t.indicatorId ?? '', t.direction, t.status, t.level ?? ''].join('\u0000');
      const seen = byKey.get(key);
      if (seen === undefined) {
        byKey.set(key, { ...t, citations: [...t.citations] });
        continue;
      }
      seen.confidence = Math.max(seen.confidence, t.confidence);
      for (const c of t.citations) {
        if (!seen.citations.some((x) => x.start === c.start && x.end === c.end)) seen.citations.push(c);
      }
      seen.citations.sort((a, b) => a.start - b.start || a.end - b.end);
    }
    return [...byKey.values()];
  }

  async function scoreNote(note: NoteInput, signal?: AbortSignal): Promise<ScoreOutcome> {
    signal?.throwIfAborted();
    const usage = emptyUsage();
    const counters: Counters = { rejectedCitations: 0, droppedTags: 0 };
    const { red, chunks } = prepareNote(note, maxChunkChars);
    const tags: Tag[] = [];
    for (const [index, chunk] of chunks.entries()) {
      signal?.throwIfAborted();
      const answer = await askChunk(note, chunk, { index, count: chunks.length }, usage, signal);
      tags.push(...toTags(note, red, chunk, answer, counters));
    }
    return { tags: merge(tags), rejectedCitations: counters.rejectedCitations, droppedTags: counters.droppedTags, usage };
  }

  return {
    kind: 'llm',
    model,
    promptVersion: PROMPT_VERSION,
    scoreNote,
    costOf: (usage) => (opts.pricing ? costOf(usage, opts.pricing) : undefined),
  };
}
