import { createHash } from 'node:crypto';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadFramework, type Framework } from '../../src/frameworks/index.ts';
import { chunkSentences } from '../../src/score/chunk.ts';
import { createLlmScorer, estimateRequest, type LlmScorerOptions } from '../../src/score/llm.ts';
import { PROMPT_VERSION, parseAnswer } from '../../src/score/prompt.ts';
import type { Sentence } from '../../src/score/segment.ts';
import { NoteScoringError, type NoteInput, type NotePii, type ScoreOutcome } from '../../src/score/types.ts';
import { lastUserMessage, messageChars, sentencesOf, startFakeOpenAI, type FakeOpenAI, type FakeScript, type RecordedRequest } from '../support/fake-openai.ts';

let framework: Framework;
beforeAll(() => {
  const loaded = loadFramework('frameworks/self-sufficiency.yaml');
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  framework = loaded.framework;
});

const servers: FakeOpenAI[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function fake(script: FakeScript): Promise<FakeOpenAI> {
  const server = await startFakeOpenAI(script);
  servers.push(server);
  return server;
}

function scorer(server: FakeOpenAI, extra: Partial<LlmScorerOptions> = {}) {
  return createLlmScorer({ framework, baseURL: server.url, apiKey: 'test-key', model: 'test-model', timeoutMs: 5_000, maxRetries: 2, ...extra });
}

function note(text: string, pii?: NotePii, noteId = 'n1', extra: Pick<NoteInput, 'writtenAt' | 'noteType'> = {}): NoteInput {
  return { noteId, text, textSha256: createHash('sha256').update(text).digest('hex'), ...(pii ? { pii } : {}), ...extra };
}

interface TagSpec {
  domain?: string;
  indicator?: string | null;
  direction?: string;
  level?: number | null;
  status?: string;
  confidence?: number;
  evidence: { sentence: number; quote: string }[];
}
function tag(spec: TagSpec) {
  return { domain: 'housing', direction: 'strength', status: 'current', confidence: 0.8, ...spec };
}
const answer = (...tags: TagSpec[]) => ({ json: { tags: tags.map(tag) } });

/** Every citation satisfies the stored-citation invariant. */
function expectExactOffsets(text: string, outcome: ScoreOutcome): void {
  for (const t of outcome.tags) {
    expect(t.citations.length).toBeGreaterThan(0);
    for (const c of t.citations) expect(text.slice(c.start, c.end)).toBe(c.quote);
  }
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected the promise to reject');
}

const LEASE_NOTE = 'Client signed a lease on a one-bedroom apartment today. She is two months behind on rent.';

describe('LLM scorer: requests and answers', () => {
  it('scores a note in one request with all domains, and verifies the quotes', async () => {
    const server = await fake([
      {
        ...answer(
          { indicator: 'housing_secure', level: 4, confidence: 0.9, evidence: [{ sentence: 1, quote: 'signed a lease on a one-bedroom apartment' }] },
          { indicator: 'housing_burden', direction: 'concern', evidence: [{ sentence: 2, quote: 'two months behind on rent' }] },
        ),
        usage: { prompt_tokens: 1200, completion_tokens: 80 },
      },
    ]);
    const s = scorer(server);
    expect(s.kind).toBe('llm');
    expect(s.model).toBe('test-model');
    expect(s.promptVersion).toBe(PROMPT_VERSION);

    const outcome = await s.scoreNote(note(LEASE_NOTE));
    expect(server.chatRequests).toHaveLength(1);
    expect(outcome.usage).toEqual({ requests: 1, promptTokens: 1200, completionTokens: 80 });
    expect(outcome.rejectedCitations).toBe(0);
    expect(outcome.droppedTags).toBe(0);
    expect(outcome.tags).toHaveLength(2);
    const [secure, burden] = outcome.tags;
    expect(secure).toMatchObject({ domainId: 'housing', indicatorId: 'housing_secure', direction: 'strength', level: 4, status: 'current', confidence: 0.9 });
    expect(secure?.citations).toEqual([
      { start: 7, end: 48, quote: 'signed a lease on a one-bedroom apartment', match: 'exact', similarity: 1 },
    ]);
    expect(burden).toMatchObject({ indicatorId: 'housing_burden', direction: 'concern' });
    expectExactOffsets(LEASE_NOTE, outcome);

    // what was sent: model, JSON schema answer format, system prompt with every domain, numbered sentences
    const body = server.chatRequests[0]?.body;
    expect(body?.model).toBe('test-model');
    expect(body?.response_format?.type).toBe('json_schema');
    expect(body?.response_format?.json_schema?.schema).toMatchObject({ type: 'object', required: ['tags'] });
    const system = body?.messages?.find((m) => m.role === 'system')?.content as string;
    for (const d of framework.domains) expect(system).toContain(`- ${d.id} (`);
    expect(system).toMatch(/improvement/);
    expect(system).toMatch(/historical/);
    const user = lastUserMessage(server.chatRequests[0] as RecordedRequest);
    expect(user).toContain('[1] Client signed a lease on a one-bedroom apartment today.');
    expect(user).toContain('[2] She is two months behind on rent.');
    expect(server.chatRequests[0]?.headers['authorization']).toBe('Bearer test-key');
  });

  it('sends exactly one request per short note', async () => {
    const server = await fake(() => answer());
    const s = scorer(server);
    for (let i = 0; i < 3; i++) await s.scoreNote(note(`${LEASE_NOTE} Visit ${i}.`, undefined, `n${i}`));
    expect(server.chatRequests).toHaveLength(3);
  });

  it('drops tags with unknown domains and counts them', async () => {
    const server = await fake([
      answer(
        { domain: 'astrology', evidence: [{ sentence: 1, quote: 'signed a lease' }] },
        { domain: 'housing', evidence: [{ sentence: 1, quote: 'signed a lease' }] },
      ),
    ]);
    const outcome = await scorer(server).scoreNote(note(LEASE_NOTE));
    expect(outcome.tags.map((t) => t.domainId)).toEqual(['housing']);
    expect(outcome.droppedTags).toBe(1);
    expect(outcome.rejectedCitations).toBe(0);
  });

  it('clamps level to the scale and confidence to 0..1; ignores unknown indicators', async () => {
    const server = await fake([
      answer(
        { level: 9, confidence: 1.7, indicator: 'no_such_indicator', evidence: [{ sentence: 1, quote: 'signed a lease' }] },
        { domain: 'income', direction: 'concern', level: -3, confidence: -0.5, evidence: [{ sentence: 2, quote: 'behind on rent' }] },
      ),
    ]);
    const outcome = await scorer(server).scoreNote(note(LEASE_NOTE));
    const [a, b] = outcome.tags;
    expect(a).toMatchObject({ level: 5, confidence: 1 });
    expect(a?.indicatorId).toBeUndefined();
    expect(b).toMatchObject({ level: 1, confidence: 0 });
  });

  it('accepts JSON wrapped in a code fence without a re-ask', async () => {
    const content = '```json\n' + JSON.stringify({ tags: [tag({ evidence: [{ sentence: 1, quote: 'signed a lease' }] })] }) + '\n```';
    const server = await fake([{ raw: content }]);
    const outcome = await scorer(server).scoreNote(note(LEASE_NOTE));
    expect(server.chatRequests).toHaveLength(1);
    expect(outcome.tags).toHaveLength(1);
  });

  it('falls back to json_object when the server rejects json_schema', async () => {
    const server = await fake([
      { status: 400, message: "response_format type 'json_schema' is not supported" },
      answer({ evidence: [{ sentence: 1, quote: 'signed a lease' }] }),
    ]);
    const outcome = await scorer(server).scoreNote(note(LEASE_NOTE));
    expect(outcome.tags).toHaveLength(1);
    expect(server.chatRequests.map((r) => r.body?.response_format?.type)).toEqual(['json_schema', 'json_object']);
  });

  it('respects an AbortSignal', async () => {
    const server = await fake([{ delayMs: 2_000, then: answer() }]);
    const controller = new AbortController();
    const pending = scorer(server).scoreNote(note(LEASE_NOTE), controller.signal);
    setTimeout(() => controller.abort(), 50);
    const err = await rejection(pending);
    expect(err).not.toBeInstanceOf(NoteScoringError);
    expect((err as Error).name).toBe('AbortError');

    const before = server.chatRequests.length;
    await expect(scorer(server).scoreNote(note(LEASE_NOTE), AbortSignal.abort())).rejects.toThrow();
    expect(server.chatRequests.length).toBe(before);
  });
});

describe('LLM scorer: retries, timeouts and unusable answers', () => {
  it('retries a 429, honouring retry-after', async () => {
    const server = await fake([{ status: 429, retryAfter: 0 }, answer({ evidence: [{ sentence: 1, quote: 'signed a lease' }] })]);
    const outcome = await scorer(server).scoreNote(note(LEASE_NOTE));
    expect(outcome.tags).toHaveLength(1);
    expect(server.chatRequests).toHaveLength(2);
    expect(server.chatRequests[1]?.headers['x-stainless-retry-count']).toBe('1');
    expect(outcome.usage.requests).toBe(1);
  });

  it('waits as long as retry-after says', async () => {
    const server = await fake([{ status: 429, retryAfter: 1 }, answer()]);
    await scorer(server).scoreNote(note(LEASE_NOTE));
    const [first, second] = server.chatRequests;
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(900);
  });

  it('retries 500s with backoff, then succeeds', async () => {
    const server = await fake([{ status: 500 }, { status: 500 }, answer({ evidence: [{ sentence: 1, quote: 'signed a lease' }] })]);
    const outcome = await scorer(server, { maxRetries: 2 }).scoreNote(note(LEASE_NOTE));
    expect(outcome.tags).toHaveLength(1);
    expect(server.chatRequests).toHaveLength(3);
  });

  it('fails the note with NoteScoringError when 500s persist', async () => {
    const server = await fake(() => ({ status: 500, retryAfterMs: 10 }));
    const err = await rejection(scorer(server, { maxRetries: 2 }).scoreNote(note(LEASE_NOTE, undefined, 'n-500')));
    expect(err).toBeInstanceOf(NoteScoringError);
    expect((err as NoteScoringError).message).toMatch(/n-500.*500.*2 retries/);
    expect((err as NoteScoringError).usage.requests).toBe(0);
    expect(server.chatRequests).toHaveLength(3);
  });

  it('fails the note after timeouts on every attempt', async () => {
    const server = await fake(() => ({ delayMs: 1_000, then: answer() }));
    const err = await rejection(scorer(server, { timeoutMs: 200, maxRetries: 1 }).scoreNote(note(LEASE_NOTE)));
    expect(err).toBeInstanceOf(NoteScoringError);
    expect((err as Error).message).toMatch(/timed out after 200 ms/);
    expect(server.chatRequests).toHaveLength(2);
  });

  it('retries a timeout and succeeds', async () => {
    const server = await fake([{ delayMs: 1_000, then: answer() }, answer({ evidence: [{ sentence: 1, quote: 'signed a lease' }] })]);
    const outcome = await scorer(server, { timeoutMs: 200, maxRetries: 1 }).scoreNote(note(LEASE_NOTE));
    expect(outcome.tags).toHaveLength(1);
    expect(server.chatRequests).toHaveLength(2);
  });

  it('re-asks once after a truncated answer and sums the usage', async () => {
    const server = await fake([
      { truncated: '{"tags": [{"domain": "housing", "direction": "stre', usage: { prompt_tokens: 1000, completion_tokens: 4096 } },
      { ...answer({ evidence: [{ sentence: 1, quote: 'signed a lease' }] }), usage: { prompt_tokens: 1100, completion_tokens: 50 } },
    ]);
    const outcome = await scorer(server).scoreNote(note(LEASE_NOTE));
    expect(outcome.tags).toHaveLength(1);
    expect(outcome.usage).toEqual({ requests: 2, promptTokens: 2100, completionTokens: 4146 });
    const messages = server.chatRequests[1]?.body?.messages ?? [];
    expect(messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(messages[2]?.content).toContain('"direction": "stre');
    expect(messages[3]?.content).toMatch(/cut off/);
  });

  it('re-asks once after malformed JSON, then fails the note with the usage so far', async () => {
    const server = await fake([
      { raw: 'Sure! Here are the tags: {tags: [oops', usage: { prompt_tokens: 10, completion_tokens: 5 } },
      { raw: '{"tags": [{"domain": "housing"}]}', usage: { prompt_tokens: 20, completion_tokens: 6 } },
    ]);
    const err = await rejection(scorer(server).scoreNote(note(LEASE_NOTE)));
    expect(err).toBeInstanceOf(NoteScoringError);
    expect((err as NoteScoringError).message).toMatch(/after a re-ask.*does not match the required format/);
    expect((err as NoteScoringError).usage).toEqual({ requests: 2, promptTokens: 30, completionTokens: 11 });
    expect(server.chatRequests).toHaveLength(2);
    expect(server.chatRequests[1]?.body?.messages?.[3]?.content).toMatch(/not valid JSON/);
  });
});

describe('LLM scorer: citations', () => {
  it('rejects a quote that is not in the note; drops a tag left without evidence', async () => {
    const server = await fake([
      answer(
        {
          evidence: [
            { sentence: 1, quote: 'signed a lease' },
            { sentence: 1, quote: 'bought a house outright' },
          ],
        },
        { domain: 'employment', evidence: [{ sentence: 2, quote: 'started a new job at the bakery' }] },
      ),
    ]);
    const outcome = await scorer(server).scoreNote(note(LEASE_NOTE));
    expect(outcome.rejectedCitations).toBe(2);
    expect(outcome.droppedTags).toBe(1);
    expect(outcome.tags).toHaveLength(1);
    expect(outcome.tags[0]?.citations.map((c) => c.quote)).toEqual(['signed a lease']);
  });

  it('aligns a quote with different whitespace and case', async () => {
    // a line break would end the sentence, and a quote across two sentences is refused
    const text = 'Client  Signed a\tLease today. All good.';
    const server = await fake([answer({ evidence: [{ sentence: 1, quote: 'client signed a lease' }] })]);
    const outcome = await scorer(server).scoreNote(note(text));
    const c = outcome.tags[0]?.citations[0];
    expect(c).toMatchObject({ start: 0, end: 22, match: 'normalized' });
    expect(text.slice(c?.start, c?.end)).toBe(c?.quote);
  });

  it('picks the occurrence of a repeated phrase in the cited sentence', async () => {
    const text = 'In March she was behind on rent. She caught up in April. Now she is behind on rent again.';
    const server = await fake([answer({ direction: 'concern', evidence: [{ sentence: 3, quote: 'behind on rent' }] })]);
    const outcome = await scorer(server).scoreNote(note(text));
    const c = outcome.tags[0]?.citations[0];
    expect(c?.start).toBe(text.lastIndexOf('behind on rent'));
    expect(text.slice(c?.start, c?.end)).toBe('behind on rent');
  });

  it('keeps offsets exact with emoji, combining marks and CRLF', async () => {
    const text = 'Visit at the caf\u0065\u0301 \u{1F600}.\r\nClient signed a lease \u{1F3E0} today!\r\nNo concerns.';
    const quote = 'signed a lease \u{1F3E0} today';
    const server = await fake((req) => {
      const n = [...sentencesOf(req)].find(([, s]) => s.includes('lease'))?.[0] ?? 0;
      return answer(
        { evidence: [{ sentence: n, quote }] },
        { domain: 'family_social', evidence: [{ sentence: 1, quote: 'caf\u0065\u0301 \u{1F600}' }] },
      );
    });
    const outcome = await scorer(server).scoreNote(note(text));
    expectExactOffsets(text, outcome);
    const housing = outcome.tags.find((t) => t.domainId === 'housing');
    expect(housing?.citations[0]).toMatchObject({ start: text.indexOf(quote), end: text.indexOf(quote) + quote.length, quote, match: 'exact' });
    const cafe = outcome.tags.find((t) => t.domainId === 'family_social')?.citations[0];
    expect(cafe?.start).toBe(text.indexOf('caf'));
    expect(cafe?.quote).toBe('caf\u0065\u0301 \u{1F600}');
  });

  it('splits a long note into chunks of whole sentences, with offsets right in later chunks', async () => {
    const sentences = Array.from({ length: 40 }, (_, i) => `Visit ${i + 1}: client reported marker-${i + 1}-ok and the usual routine with the case manager.`);
    const text = sentences.join(' ');
    const server = await fake((req) => {
      const lines = [...sentencesOf(req)];
      // cite the last sentence of every chunk, by the number the model was shown
      const [n, s] = lines[lines.length - 1] ?? [0, ''];
      const marker = /marker-\d+-ok/.exec(s)?.[0] ?? 'nothing';
      return answer({ domain: 'life_skills', evidence: [{ sentence: n, quote: marker }] });
    });
    const outcome = await scorer(server, { maxChunkChars: 1_000 }).scoreNote(note(text));
    const requests = server.chatRequests.length;
    expect(requests).toBeGreaterThan(3);
    expect(outcome.usage.requests).toBe(requests);

    // whole sentences, each sent exactly once, numbered 1..40 across the note, in order
    const shown = server.chatRequests.flatMap((r) => [...sentencesOf(r)]);
    expect(shown.map(([n]) => n)).toEqual(sentences.map((_, i) => i + 1));
    expect(shown.map(([, s]) => s)).toEqual(sentences);
    expect(lastUserMessage(server.chatRequests[1] as RecordedRequest)).toMatch(new RegExp(`part 2 of ${requests}`));

    // identical tags from several chunks merge into one tag with every citation, offsets exact
    expect(outcome.tags).toHaveLength(1);
    const citations = outcome.tags[0]?.citations ?? [];
    expect(citations).toHaveLength(requests);
    expectExactOffsets(text, outcome);
    for (const c of citations) expect(c.start).toBe(text.indexOf(c.quote));
    expect(citations[citations.length - 1]?.quote).toBe('marker-40-ok');
  });
});

describe('LLM scorer: redaction', () => {
  const pii: NotePii = { names: ['Ana', 'López'], phone: '555-0101', email: 'ana.lopez@example.org', nationalId: '123-45-6789' };
  const text =
    'Ana López called from 555-0101 and wrote from ana.lopez@example.org about her SSN 123-45-6789. Ana signed a lease today. López family doing well.';

  it('sends no personal data, yet citations point into the original text', async () => {
    const server = await fake((req) => {
      const [n, s] = [...sentencesOf(req)].find(([, x]) => x.includes('signed a lease')) ?? [0, ''];
      // quote from the redacted sentence, placeholder included ("[NAME_1] signed a lease")
      const quote = s.slice(0, s.indexOf('signed a lease') + 'signed a lease'.length);
      // a whole sentence that starts with a placeholder, and one that is only personal data
      const [m, family] = [...sentencesOf(req)].find(([, x]) => x.includes('family doing well')) ?? [0, ''];
      return answer(
        { evidence: [{ sentence: n, quote }] },
        { domain: 'family_social', evidence: [{ sentence: m, quote: family.replace(/\.$/, '') }] },
        { domain: 'legal', direction: 'concern', evidence: [{ sentence: 1, quote: '[ID_1]' }] },
      );
    });
    const outcome = await scorer(server).scoreNote(note(text, pii));

    expect(server.chatRequests).toHaveLength(1);
    const raw = server.chatRequests[0]?.rawBody ?? '';
    const decoded = JSON.stringify(server.chatRequests[0]?.body);
    for (const secret of ['López', 'L\\u00f3pez', '555-0101', 'ana.lopez@example.org', '123-45-6789']) {
      expect(raw).not.toContain(secret);
      expect(decoded).not.toContain(secret);
    }
    expect(raw).not.toMatch(/\bAna\b/);
    expect(lastUserMessage(server.chatRequests[0] as RecordedRequest)).toMatch(/\[NAME_\d+\] signed a lease/);

    expect(outcome.rejectedCitations).toBe(0);
    const cite = (domain: string) => outcome.tags.find((t) => t.domainId === domain)?.citations[0];
    expect(cite('housing')?.quote).toBe('Ana signed a lease');
    expect(cite('housing')?.start).toBe(text.indexOf('Ana signed a lease'));
    expect(cite('family_social')?.quote).toBe('López family doing well');
    expect(cite('legal')).toMatchObject({ start: text.indexOf('123-45-6789'), quote: '123-45-6789' });
    expectExactOffsets(text, outcome);
  });
});

describe('chunking and estimates', () => {
  const sentence = (index: number, start: number, text: string): Sentence => ({ index, start, end: start + text.length, text });

  it('cuts a sentence longer than a chunk at whitespace, keeping offsets', () => {
    const long = Array.from({ length: 120 }, (_, i) => `word${i}`).join(' ');
    const text = `Short one. ${long}`;
    const chunks = chunkSentences([sentence(1, 0, 'Short one.'), sentence(2, 11, long)], 300);
    expect(chunks.length).toBeGreaterThan(2);
    const all = chunks.flatMap((c) => c.sentences);
    expect(all.map((s) => s.index)).toEqual(all.map((_, i) => i + 1));
    for (const s of all) {
      expect(text.slice(s.start, s.end)).toBe(s.text);
      expect(s.text.length).toBeLessThanOrEqual(300);
      expect(s.text).toMatch(/^\S.*\S$|^\S$/);
    }
    expect(all.map((s) => s.text).join(' ')).toBe(text);
  });

  it('estimates requests and prompt tokens for a dry run', async () => {
    const one = await estimateRequest(framework, { text: LEASE_NOTE }, 6_000);
    expect(one.requests).toBe(1);
    expect(one.promptTokens).toBeGreaterThan(LEASE_NOTE.length / 4);
    expect(one.promptTokens).toBe(Math.ceil(one.promptChars / 4));
    const long = Array.from({ length: 100 }, (_, i) => `Sentence number ${i} about the client's week.`).join(' ');
    const many = await estimateRequest(framework, { text: long }, 1_000);
    expect(many.requests).toBeGreaterThan(3);
    expect(many.promptTokens).toBeGreaterThan(many.requests * one.promptTokens * 0.9);
    const dated = await estimateRequest(framework, { text: LEASE_NOTE, writtenAt: new Date('2024-03-05T10:00:00Z'), noteType: 'progress' }, 6_000);
    expect(dated.promptChars - one.promptChars).toBe('Note date: 2024-03-05\nNote type: progress\n\n'.length);
  });

  it('reads the answer strictly: partial JSON is not accepted', () => {
    expect(parseAnswer('{"tags": [').ok).toBe(false);
    expect(parseAnswer('<think>hmm</think>{"tags": []}').ok).toBe(true);
  });
});

describe('LLM scorer: what is sent, and the dry-run estimate', () => {
  const pii: NotePii = { names: ['Ana', 'López', 'Ana López'], phone: '555-0101', email: 'ana.lopez@example.org', nationalId: '123-45-6789' };
  const long = Array.from({ length: 40 }, (_, i) => `Visit ${i + 1}: client reported marker-${i + 1}-ok and the usual routine with the case manager.`).join(' ');
  /** one sentence longer than a chunk: cut into pieces */
  const runOn = Array.from({ length: 400 }, (_, i) => `word${i}`).join(' ');
  const notes: NoteInput[] = [
    note(LEASE_NOTE, undefined, 'note-short-8f31', { writtenAt: new Date('2024-03-05T10:00:00Z'), noteType: 'PN-weekly' }),
    note(long, undefined, 'note-long-77a2', { writtenAt: new Date('2023-11-20T16:45:00Z'), noteType: 'HV-quarterly' }),
    note(
      'Ana López called from 555-0101 and wrote from ana.lopez@example.org about her SSN 123-45-6789. Ana signed a lease last month. López family doing well.',
      pii, 'note-pii-19c0', { writtenAt: new Date('2024-07-01T08:00:00Z'), noteType: 'call with Ana' },
    ),
    note('Visit at the caf\u0065\u0301 \u{1F600}.\r\nClient "signed" a lease \u{1F3E0} today!\r\nNo {concerns}.', undefined, 'note-emoji-5d04'),
    note(`Intake. ${runOn}. Client denies any substance use.`, undefined, 'note-runon-c9e1', { noteType: 'IN-first' }),
  ];
  const maxChunkChars = 1_500;

  /** Scores each note in turn, keeping the requests each one sent. */
  async function sendAll(server: FakeOpenAI) {
    const s = scorer(server, { maxChunkChars });
    const sent: { note: NoteInput; requests: RecordedRequest[]; outcome: ScoreOutcome }[] = [];
    for (const n of notes) {
      const before = server.chatRequests.length;
      const outcome = await s.scoreNote(n);
      sent.push({ note: n, requests: server.chatRequests.slice(before), outcome });
    }
    return sent;
  }

  it('keeps the system message first and byte-identical; date, type and part only after it; no note id', async () => {
    const server = await fake(() => answer());
    const sent = await sendAll(server);
    const all = sent.flatMap((x) => x.requests);
    expect(all.length).toBeGreaterThan(notes.length);
    const system = all[0]?.body?.messages?.[0];
    expect(system?.role).toBe('system');
    for (const r of all) {
      const messages = r.body?.messages ?? [];
      expect(messages.map((m) => m.role)).toEqual(['system', 'user']);
      expect(messages[0]?.content).toBe(system?.content);
      // byte for byte, as received on the wire
      expect(r.rawBody).toContain(JSON.stringify(system?.content));
      for (const n of notes) expect(r.rawBody).not.toContain(n.noteId);
    }
    const systemText = system?.content as string;
    for (const v of ['Note date', 'Note type', '2024-03-05', '2023-11-20', '2024-07-01', 'PN-weekly', 'HV-quarterly', 'IN-first', 'marker-', 'lease last month']) expect(systemText).not.toContain(v);
    expect(systemText).not.toMatch(/part \d+ of \d+/);

    const users = sent.map((x) => x.requests.map((r) => lastUserMessage(r)));
    expect(users[0]?.[0]).toMatch(/^Note date: 2024-03-05\nNote type: PN-weekly\n\nCase note, one sentence per line:\n\[1\] /);
    const parts = users[1] ?? [];
    expect(parts.length).toBeGreaterThan(1);
    parts.forEach((u, i) => expect(u).toMatch(new RegExp(`^Note date: 2023-11-20\\nNote type: HV-quarterly\\n\\nCase note \\(part ${i + 1} of ${parts.length}\\), one sentence per line:\\n\\[\\d+\\] `)));
    // the type names the client: left out; the date still goes, and the text is redacted
    expect(users[2]?.[0]).toMatch(/^Note date: 2024-07-01\n\nCase note, one sentence per line:\n\[1\] \[NAME_\d+\] called from \[PHONE_1\]/);
    expect(users[3]?.[0]).toMatch(/^Case note, one sentence per line:\n\[1\] Visit at the caf/);
    expect(users[4]?.[0]).toMatch(/^Note type: IN-first\n\nCase note \(part 1 of \d+\)/);
  });

  it('estimates within 5% of the characters and tokens the server receives, per note and in total', async () => {
    const server = await fake(() => answer());
    const sent = await sendAll(server);
    let estimated = 0;
    let received = 0;
    let reported = 0;
    let estimatedTokens = 0;
    for (const { note: n, requests, outcome } of sent) {
      const e = await estimateRequest(framework, n, maxChunkChars);
      const chars = requests.reduce((a, r) => a + messageChars(r), 0);
      expect(e.requests).toBe(requests.length);
      expect(Math.abs(e.promptChars - chars) / chars).toBeLessThanOrEqual(0.05);
      // the fake server reports its own characters ÷ 4 of the messages it received as prompt_tokens
      expect(Math.abs(e.promptTokens - outcome.usage.promptTokens) / outcome.usage.promptTokens).toBeLessThanOrEqual(0.05);
      estimated += e.promptChars;
      received += chars;
      estimatedTokens += e.promptTokens;
      reported += outcome.usage.promptTokens;
    }
    expect(Math.abs(estimated - received) / received).toBeLessThanOrEqual(0.05);
    expect(Math.abs(estimatedTokens - reported) / reported).toBeLessThanOrEqual(0.05);
    // same message building, so in fact exact
    expect(estimated).toBe(received);
  });
});
