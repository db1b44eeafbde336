import { ChatPromptTemplate } from '@langchain/core/prompts';
import OpenAI from 'openai';
import { z } from 'zod';
import type { Framework } from '../frameworks/index.ts';
import type { Db } from '../store/index.ts';
import { alignQuote } from './align.ts';
import { redact } from './redact.ts';
import type { CaseSummary, CitedQuote } from './summary.ts';
import { NoteScoringError, type NotePii, type Usage } from './types.ts';

export const SUMMARY_PROMPT_VERSION = 'summary-v1';

const answerSchema = z.object({
  domains: z.array(z.object({
    domain: z.string(),
    sentences: z.array(z.object({
      text: z.string().min(1),
      evidence: z.array(z.object({ id: z.string(), quote: z.string().min(1) })).min(1),
    })),
  })),
});

const prompt = ChatPromptTemplate.fromMessages([
  ['system', `You write short case summaries for a supervisor in a human-services programme, from cited evidence only.
For each domain that has evidence, write one or two plain sentences: the current picture and how it has changed over time.
Every sentence must cite the evidence it rests on: give the evidence id and quote the exact words from that evidence that support it.
Do not add anything the evidence does not say. Personal details are replaced by placeholders such as [NAME_1]; keep them as they are.
Answer with JSON only: {{"domains": [{{"domain": "<domain id>", "sentences": [{{"text": "...", "evidence": [{{"id": "E1", "quote": "exact words"}}]}}]}}]}}`],
  ['user', 'Evidence for case {case_id}, oldest first:\n{evidence}'],
]);

export interface LlmSummarySentence {
  text: string;
  citations: CitedQuote[];
}

export interface LlmCaseSummary {
  caseId: string;
  model: string;
  promptVersion: string;
  domains: Array<{ domainId: string; domainName: string; sentences: LlmSummarySentence[] }>;
  /** sentences the model wrote without a citation that checks out: not shown */
  droppedSentences: number;
  /** quotes not found in the cited evidence */
  rejectedCitations: number;
  usage: Usage;
}

/**
 * A written summary by an LLM, from the case's verified evidence. The model sees the evidence
 * redacted, cites evidence ids and quotes; each quote must be found inside the cited span of its
 * note, exactly as for tags, or the citation is rejected and a sentence left without one dropped.
 */
export async function summarizeCaseWithLlm(
  db: Db, summary: CaseSummary, framework: Framework,
  opts: { client?: OpenAI; baseURL?: string; apiKey?: string; model: string; timeoutMs?: number; maxRetries?: number },
): Promise<LlmCaseSummary> {
  const client = opts.client ?? new OpenAI({
    ...(opts.baseURL ? { baseURL: opts.baseURL } : {}), apiKey: opts.apiKey ?? 'no-key', timeout: opts.timeoutMs ?? 120_000, maxRetries: opts.maxRetries ?? 3,
  });
  const pii = await db.one<{ first_name: string | null; last_name: string | null; dob: Date | null; phone: string | null; email: string | null; national_id: string | null; address: string | null }>(
    'SELECT first_name, last_name, dob, phone, email, national_id, address FROM client_pii WHERE client_id = $1', [summary.clientId]);
  const names = [pii?.first_name, pii?.last_name].filter((x): x is string => Boolean(x));
  const notePii: NotePii = {
    names: names.length === 2 ? [...names, names.join(' ')] : names,
    ...(pii?.dob ? { dob: pii.dob.toISOString().slice(0, 10) } : {}), ...(pii?.phone ? { phone: pii.phone } : {}),
    ...(pii?.email ? { email: pii.email } : {}), ...(pii?.national_id ? { nationalId: pii.national_id } : {}), ...(pii?.address ? { address: pii.address } : {}),
  };
  // Number every cited quote; the model sees only these, redacted.
  const evidence = new Map<string, { domainId: string; cite: CitedQuote }>();
  const lines: string[] = [];
  for (const d of summary.domains) {
    for (const st of d.statements) {
      for (const c of st.citations) {
        const id = `E${evidence.size + 1}`;
        evidence.set(id, { domainId: d.domainId, cite: c });
        lines.push(`[${id}] ${c.writtenAt.toISOString().slice(0, 10)} · domain ${d.domainId} · ${st.status} ${st.direction}: "${c.quote.replace(/\s+/g, ' ')}"`);
      }
    }
  }
  // Redacted as one text, so a placeholder means the same person or number in every line.
  const redacted = redact(lines.join('\n'), notePii);
  const usage: Usage = { requests: 0, promptTokens: 0, completionTokens: 0 };
  const empty: LlmCaseSummary = { caseId: summary.caseId, model: opts.model, promptVersion: SUMMARY_PROMPT_VERSION, domains: [], droppedSentences: 0, rejectedCitations: 0, usage };
  if (lines.length === 0) return empty;
  const messages = (await prompt.formatMessages({ case_id: summary.caseId, evidence: redacted.text })).map((m) => ({
    role: m._getType() === 'system' ? ('system' as const) : ('user' as const),
    content: String(m.content),
  }));
  let answer: z.infer<typeof answerSchema> | undefined;
  let problem = '';
  const convo: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [...messages];
  for (let attempt = 0; attempt < 2 && !answer; attempt++) {
    let completion;
    try {
      completion = await client.chat.completions.create({ model: opts.model, messages: convo, temperature: 0, response_format: { type: 'json_object' } });
    } catch (e) {
      throw new NoteScoringError(`case summary for ${summary.caseId}: ${(e as Error).message}`, usage, e);
    }
    usage.requests++;
    usage.promptTokens += completion.usage?.prompt_tokens ?? 0;
    usage.completionTokens += completion.usage?.completion_tokens ?? 0;
    const content = completion.choices[0]?.message?.content ?? '';
    try {
      const parsed = answerSchema.safeParse(JSON.parse(content.replace(/^```(?:json)?\s*|\s*```$/g, '')));
      if (parsed.success && completion.choices[0]?.finish_reason !== 'length') answer = parsed.data;
      else problem = parsed.success ? 'the answer was cut off' : parsed.error.issues[0]?.message ?? 'wrong shape';
    } catch (e) {
      problem = `not JSON (${(e as Error).message})`;
    }
    if (!answer) convo.push({ role: 'assistant', content }, { role: 'user', content: `That answer could not be used: ${problem}. Answer again with the JSON object only.` });
  }
  if (!answer) throw new NoteScoringError(`case summary for ${summary.caseId}: no usable answer after a re-ask: ${problem}`, usage);

  const result: LlmCaseSummary = { ...empty, usage };
  const noteText = new Map<string, string>();
  for (const d of answer.domains) {
    const domain = framework.domains.find((x) => x.id === d.domain);
    if (!domain) {
      result.droppedSentences += d.sentences.length;
      continue;
    }
    const sentences: LlmSummarySentence[] = [];
    for (const s of d.sentences) {
      const citations: CitedQuote[] = [];
      for (const ev of s.evidence) {
        const e = evidence.get(ev.id.replace(/[[\]]/g, ''));
        if (!e) {
          result.rejectedCitations++;
          continue;
        }
        if (!noteText.has(e.cite.noteId)) noteText.set(e.cite.noteId, (await db.value<string>('SELECT text FROM notes WHERE note_id = $1', [e.cite.noteId])) ?? '');
        const text = noteText.get(e.cite.noteId)!;
        const found = alignQuote(text, redacted.restore(ev.quote), { near: { start: e.cite.start, end: e.cite.end } });
        // the quote must lie inside the evidence it cites, not elsewhere in the note
        const inside = found?.filter((c) => c.start >= e.cite.start && c.end <= e.cite.end) ?? [];
        if (inside.length === 0) {
          result.rejectedCitations++;
          continue;
        }
        for (const c of inside) citations.push({ noteId: e.cite.noteId, writtenAt: e.cite.writtenAt, start: c.start, end: c.end, quote: c.quote });
      }
      if (citations.length === 0) result.droppedSentences++;
      else sentences.push({ text: redacted.restore(s.text), citations });
    }
    if (sentences.length) result.domains.push({ domainId: domain.id, domainName: domain.name, sentences });
  }
  return result;
}
