import { beforeAll, describe, expect, it } from 'vitest';
import { loadFramework, type Framework } from '../../src/frameworks/index.ts';
import { buildMessages, noteContext, PROMPT_VERSION, SYSTEM_TEMPLATE } from '../../src/score/prompt.ts';
import type { Sentence } from '../../src/score/segment.ts';

let framework: Framework;
beforeAll(() => {
  const loaded = loadFramework('frameworks/self-sufficiency.yaml');
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  framework = loaded.framework;
});

const sentence = (index: number, text: string): Sentence => ({ index, start: 0, end: text.length, text });
const text = (content: unknown) => (typeof content === 'string' ? content : JSON.stringify(content));

describe('note context: date and type', () => {
  it('gives the calendar day the note was written and its type', () => {
    expect(noteContext({ writtenAt: new Date('2024-03-05T23:30:00Z'), noteType: 'progress' })).toEqual({ date: '2024-03-05', type: 'progress' });
    expect(noteContext({ noteType: '  home\n visit ' })).toEqual({ type: 'home visit' });
    expect(noteContext({ writtenAt: new Date('2024-11-30T00:00:00Z') })).toEqual({ date: '2024-11-30' });
  });

  it('leaves out what is unknown or unusable', () => {
    expect(noteContext({})).toEqual({});
    expect(noteContext({ writtenAt: new Date('not a date'), noteType: '   ' })).toEqual({});
    expect(noteContext({ noteType: 'x'.repeat(61) })).toEqual({});
  });

  it('never sends personal data in the type', () => {
    const pii = { names: ['Ana', 'López'], phone: '555-0101' };
    expect(noteContext({ noteType: 'call with Ana', pii })).toEqual({});
    expect(noteContext({ noteType: 'call to 555-0101', pii })).toEqual({});
    // phone numbers are redacted for anyone, even without the client's own data
    expect(noteContext({ noteType: 'voicemail from (555) 010-2030' })).toEqual({});
    expect(noteContext({ noteType: 'intake', pii })).toEqual({ type: 'intake' });
  });
});

describe('scoring messages', () => {
  it('keep the system message identical for every note and part; the note goes after it', async () => {
    const a = await buildMessages(framework, [sentence(1, 'Client signed a lease.')], { index: 0, count: 1 }, undefined, { date: '2024-03-05', type: 'PN-weekly' });
    const b = await buildMessages(framework, [sentence(7, 'Her cousin Zeb moved out last month.')], { index: 1, count: 3 }, undefined, { date: '2023-12-01', type: 'IN-first' });
    const c = await buildMessages(framework, [sentence(1, 'No concerns.')], { index: 0, count: 1 });
    expect(a.map((m) => m.getType())).toEqual(['system', 'human']);
    expect(text(b[0]?.content)).toBe(text(a[0]?.content));
    expect(text(c[0]?.content)).toBe(text(a[0]?.content));

    const system = text(a[0]?.content);
    for (const v of ['Note date', 'Note type', '2024-03-05', '2023-12-01', 'PN-weekly', 'IN-first', 'part 2 of 3', 'Client signed a lease.', 'cousin Zeb']) expect(system).not.toContain(v);
    expect(system).toContain(framework.version);

    expect(text(a[1]?.content)).toBe('Note date: 2024-03-05\nNote type: PN-weekly\n\nCase note, one sentence per line:\n[1] Client signed a lease.');
    expect(text(b[1]?.content)).toBe('Note date: 2023-12-01\nNote type: IN-first\n\nCase note (part 2 of 3), one sentence per line:\n[7] Her cousin Zeb moved out last month.');
    expect(text(c[1]?.content)).toBe('Case note, one sentence per line:\n[1] No concerns.');
  });

  it('tell the model to quote one sentence verbatim, keeping every word', () => {
    expect(SYSTEM_TEMPLATE).toMatch(/A quote comes from one sentence only\. Never join words from two sentences/);
    expect(SYSTEM_TEMPLATE).toMatch(/verbatim/);
    expect(SYSTEM_TEMPLATE).toMatch(/Never add, drop or change a word: keep "not"/);
    expect(SYSTEM_TEMPLATE).toMatch(/Read time words against the note's date/);
  });

  it('has a prompt version of its own, so results of the earlier prompt are not reused', () => {
    expect(PROMPT_VERSION).not.toBe('llm-v1');
  });
});
