/**
 * The LLM scorer's prompt and answer format. Anything here that changes what the model is asked
 * or how its answer is read must bump PROMPT_VERSION: scores are cached per prompt version.
 *
 * Messages are built with @langchain/core's ChatPromptTemplate; the answer format is one zod
 * schema, sent to the provider as JSON Schema (`z.toJSONSchema`) and used to validate the answer.
 */
import { ChatPromptTemplate, MessagesPlaceholder } from '@langchain/core/prompts';
import type { BaseMessage } from '@langchain/core/messages';
import { parseJsonMarkdown } from '@langchain/core/output_parsers';
import { z } from 'zod';
import type { Framework } from '../frameworks/index.ts';
import { directionSchema, tagStatusSchema, type NoteInput } from './types.ts';
import { numberedLines } from './chunk.ts';
import { redact } from './redact.ts';
import type { Sentence } from './segment.ts';

// v2: the note's date and type in the user message; part i of n explained once in the system
// message; the quoting rules spelled out (one sentence per quote, every word kept)
export const PROMPT_VERSION = 'llm-v2';

// ---------------------------------------------------------------------------------------------
// answer format

const lower = (v: unknown) => (typeof v === 'string' ? v.trim().toLowerCase() : v);
/** local models often send numbers as strings; accept "3" for 3 */
const num = (v: unknown) => (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : v);

export const answerEvidenceSchema = z.object({
  sentence: z.preprocess(num, z.int().min(1)).describe('the number in square brackets of the sentence quoted'),
  quote: z.string().describe('exact words copied from that sentence'),
});

export const answerTagSchema = z.object({
  domain: z.string().describe('a domain id from the list'),
  indicator: z.string().nullish().describe("one of the domain's indicator ids, if one fits"),
  direction: z.preprocess(lower, directionSchema),
  level: z.preprocess(num, z.number().nullish()).describe('level on the scale, only if the note clearly supports one'),
  status: z.preprocess(lower, tagStatusSchema),
  confidence: z.preprocess(num, z.number()).describe('0 to 1'),
  evidence: z.array(answerEvidenceSchema).min(1),
});

export const answerSchema = z.object({ tags: z.array(answerTagSchema) });
export type Answer = z.infer<typeof answerSchema>;
export type AnswerTag = z.infer<typeof answerTagSchema>;

export const ANSWER_SCHEMA_NAME = 'note_tags';

/** The answer format as JSON Schema, for `response_format: { type: 'json_schema' }`. */
export function answerJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(answerSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  delete schema['$schema'];
  return schema;
}

export type ParsedAnswer = { ok: true; answer: Answer } | { ok: false; problem: string };

/**
 * Reads the model's content: tolerates a ```json fence, <think> blocks and prose around one JSON
 * object; then validates it against the answer schema.
 */
export function parseAnswer(content: string): ParsedAnswer {
  const text = content.replace(/<think>[\s\S]*?<\/think>/gi, '').trim();
  if (text === '') return { ok: false, problem: 'the answer was empty' };
  let data: unknown;
  try {
    data = parseJsonMarkdown(text, JSON.parse);
  } catch {
    const first = text.indexOf('{');
    const last = text.lastIndexOf('}');
    try {
      if (first < 0 || last <= first) throw new Error('no JSON object');
      data = JSON.parse(text.slice(first, last + 1));
    } catch (err) {
      return { ok: false, problem: `the answer is not valid JSON (${(err as Error).message})` };
    }
  }
  const result = answerSchema.safeParse(data);
  if (!result.success) {
    const issues = result.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.length > 0 ? i.path.join('.') : '(root)'}: ${i.message}`)
      .join('; ');
    return { ok: false, problem: `the answer does not match the required format (${issues})` };
  }
  return { ok: true, answer: result.data };
}

// ---------------------------------------------------------------------------------------------
// framework guide

const MAX_CUES_SHOWN = 5;

/** The domains, their indicators with cue phrases and one example each, as prompt text. */
export function frameworkGuide(framework: Framework): string {
  const lines: string[] = [];
  for (const d of framework.domains) {
    lines.push(`- ${d.id} (${d.name}): ${d.description}`);
    for (const ind of d.indicators) {
      const cues = ind.cues
        .slice(0, MAX_CUES_SHOWN)
        .map((c) => `"${c.replace(/\*/g, '…').replace(/#/g, '0')}"`)
        .join(', ');
      const example = ind.examples[0] !== undefined ? ` Example: "${ind.examples[0]}"` : '';
      lines.push(`    - ${ind.id} [${ind.direction}]: ${ind.description} Cues: ${cues}.${example}`);
    }
  }
  return lines.join('\n');
}

export function scaleText(framework: Framework): string {
  return framework.scale.map((l) => `${l.value} = ${l.label}`).join(', ');
}

const OUTPUT_EXAMPLE = JSON.stringify({
  tags: [
    {
      domain: 'housing',
      indicator: 'housing_secure',
      direction: 'strength',
      level: 4,
      status: 'current',
      confidence: 0.9,
      evidence: [{ sentence: 2, quote: 'signed a lease on a one-bedroom apartment' }],
    },
  ],
});

// Templates use f-string syntax: {name} is a variable, {{ and }} are literal braces.
export const SYSTEM_TEMPLATE = `You tag case notes from a human-services programme against the outcome framework "{framework_name}".
You read the numbered sentences of one case note (or one part of a long note) and report every piece of evidence about the client's situation in the domains listed below. Look at all domains at once.

For each finding give:
- domain: one of the domain ids below, exactly as written.
- indicator: one of that domain's indicator ids, if one fits; otherwise leave it out.
- direction: "strength" (a resource or a good state), "concern" (a problem, need or risk), "improvement" (the note says things got better), "deterioration" (the note says things got worse).
- level: only when the note clearly supports it, the client's level in that domain on the scale {scale}.
- status: "current" (true now), "historical" (true in the past but not now, e.g. "history of", "used to", "no longer"), "negated" (the note says it is not the case, e.g. "denies", "no signs of").
- confidence: how sure you are, from 0 to 1.
- evidence: one or more {{"sentence": n, "quote": "..."}}, where n is the number in square brackets of the sentence and quote copies the words from that sentence that show the finding: a short phrase or clause, verbatim.

Quoting rules:
- A quote comes from one sentence only. Never join words from two sentences in one quote; to cite two sentences, give two evidence items.
- Copy the words verbatim, character for character, in the note's own spelling and order. Never add, drop or change a word: keep "not", "no", "never", "denies" and every other word exactly where the note has them, so that a quote never says more, less or the opposite of the note. A quote is one continuous stretch of the sentence: never skip words with "...".
- Copy placeholders such as [NAME_1] or [PHONE_1] exactly as written.
- Never paraphrase, summarise or correct a quote, and never give character positions.

Before the sentences, the message may give the note's date and type. Read time words against the note's date, not today's: "last month" is the month before the note was written, and something that ended before that date is historical.
A long note is sent in parts, and the message says which part it is; sentence numbers run across the whole note. Report only what the sentences you are given show.

Only report what the note states about the client or their household. Plans, goals, referrals and topics that were only discussed are not evidence of the client's situation. If nothing applies, answer {{"tags": []}}.

Answer with one JSON object and nothing else, in this form:
{output_example}

Domains (id (name): description), each with its indicators [direction]:
{domains}`;

// Everything that varies per note or chunk is here, after the system message: providers'
// prompt caches (OpenAI, Azure, vLLM prefix caching) reuse only an identical leading prefix.
export const USER_TEMPLATE = `{context}Case note{part}, one sentence per line:
{sentences}`;

export const CORRECTION_TEMPLATE = `That answer could not be used: {problem}. Answer again with the complete JSON object only, in the required form{shorter}.`;

export const scoringPrompt = ChatPromptTemplate.fromMessages([
  ['system', SYSTEM_TEMPLATE],
  ['human', USER_TEMPLATE],
]);

export const repairPrompt = ChatPromptTemplate.fromMessages([
  new MessagesPlaceholder('conversation'),
  ['ai', '{answer}'],
  ['human', CORRECTION_TEMPLATE],
]);

/** What the model is told about a note besides its sentences; each field only when known. */
export interface NoteContext {
  /** calendar day the note was written, YYYY-MM-DD */
  date?: string;
  /** the programme's kind of note ("progress", "intake", …) */
  type?: string;
}

/** a type is a label; anything longer is free text that does not belong in the prompt */
const MAX_NOTE_TYPE_CHARS = 60;

/**
 * The note's date and type for the user message. The note id never leaves the machine, and a
 * type that redaction would change (a name or phone number typed into it) is left out rather
 * than sent with placeholders numbered apart from the note text's.
 */
export function noteContext(note: Pick<NoteInput, 'writtenAt' | 'noteType' | 'pii'>): NoteContext {
  const out: NoteContext = {};
  const at = note.writtenAt;
  // the same UTC day run.ts uses for dates read from DuckDB (stored wall-clock time, no zone)
  if (at instanceof Date && Number.isFinite(at.getTime())) out.date = at.toISOString().slice(0, 10);
  const type = note.noteType?.replace(/\s+/g, ' ').trim();
  if (type && type.length <= MAX_NOTE_TYPE_CHARS && redact(type, note.pii ?? { names: [] }).text === type) out.type = type;
  return out;
}

function contextLines(context: NoteContext): string {
  const lines: string[] = [];
  if (context.date !== undefined) lines.push(`Note date: ${context.date}`);
  if (context.type !== undefined) lines.push(`Note type: ${context.type}`);
  return lines.length > 0 ? `${lines.join('\n')}\n\n` : '';
}

/**
 * Messages asking the model to tag one chunk of a (redacted) note. The system message depends
 * only on the framework version, so it is byte-identical for every note and chunk; everything
 * else goes in the user message after it.
 */
export async function buildMessages(
  framework: Framework,
  sentences: readonly Sentence[],
  part: { index: number; count: number },
  guide: string = frameworkGuide(framework),
  context: NoteContext = {},
): Promise<BaseMessage[]> {
  return scoringPrompt.formatMessages({
    framework_name: `${framework.name} (${framework.id} ${framework.version})`,
    scale: scaleText(framework),
    output_example: OUTPUT_EXAMPLE,
    domains: guide,
    context: contextLines(context),
    part: part.count > 1 ? ` (part ${part.index + 1} of ${part.count})` : '',
    sentences: numberedLines(sentences),
  });
}

/** Longest bad answer echoed back in a correction request. */
const MAX_ECHOED_ANSWER = 4000;

/** The conversation plus the model's unusable answer and a request to answer again. */
export async function buildRepairMessages(
  conversation: BaseMessage[],
  badAnswer: string,
  problem: string,
  truncated: boolean,
): Promise<BaseMessage[]> {
  const answer = badAnswer.length > MAX_ECHOED_ANSWER ? `${badAnswer.slice(0, MAX_ECHOED_ANSWER)}…` : badAnswer;
  return repairPrompt.formatMessages({
    conversation,
    answer: answer === '' ? '(empty)' : answer,
    problem,
    shorter: truncated ? ', shorter: fewer tags and short quotes' : '',
  });
}
