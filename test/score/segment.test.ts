import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { segmentSentences, type Sentence } from '../../src/score/segment.ts';

const texts = (s: string): string[] => segmentSentences(s).map((x) => x.text);

function checkShape(text: string, sentences: Sentence[]): void {
  sentences.forEach((s, k) => {
    expect(s.index).toBe(k + 1);
    expect(s.start).toBeLessThan(s.end);
    expect(text.slice(s.start, s.end)).toBe(s.text);
    expect(s.text).toMatch(/^\S/u);
    expect(s.text).toMatch(/\S$/u);
    if (k > 0) expect(s.start).toBeGreaterThanOrEqual((sentences[k - 1] as Sentence).end);
  });
}

describe('segmentSentences', () => {
  it('splits on . ! ? with offsets and 1-based indexes', () => {
    const text = '  Client is doing well! Is she working? Yes. ';
    const s = segmentSentences(text);
    checkShape(text, s);
    expect(s.map((x) => x.text)).toEqual(['Client is doing well!', 'Is she working?', 'Yes.']);
    expect(s[0]).toMatchObject({ index: 1, start: 2, end: 23 });
  });

  it('does not split after titles and abbreviations', () => {
    expect(texts('Met Mr. Smith, Mrs. Jones, Ms. Lee and Dr. Patel at St. Mary\'s. Next visit Monday.')).toEqual([
      "Met Mr. Smith, Mrs. Jones, Ms. Lee and Dr. Patel at St. Mary's.",
      'Next visit Monday.',
    ]);
    expect(texts('Needs help, e.g. with forms, i.e. the lease vs. the voucher. Done.')).toHaveLength(2);
    expect(texts('Waited approx. two hours for the appt. w/ her worker. Left.')).toEqual([
      'Waited approx. two hours for the appt. w/ her worker.',
      'Left.',
    ]);
    expect(texts('Met at 9 a.m. on Tuesday, left at 5 p.m. and went home. Good day.')).toHaveLength(2);
    expect(texts('Brought food, clothes, etc. for the kids. Thanked CM.')).toHaveLength(2);
  });

  it('ends a sentence after an abbreviation that can end one when a capital follows', () => {
    expect(texts('Missed the appt. Will reschedule.')).toEqual(['Missed the appt.', 'Will reschedule.']);
    expect(texts('Arrived at 10 a.m. Client was calm.')).toEqual(['Arrived at 10 a.m.', 'Client was calm.']);
    expect(texts('Lives on Maple St. She likes it. Saw Dr. Lee.')).toEqual(['Lives on Maple St.', 'She likes it.', 'Saw Dr. Lee.']);
  });

  it('keeps initials, decimals and times together', () => {
    expect(texts('J. Smith and A.B. Jones attended. Paid $3.50 at 10.30 today. Score 4.5 of 5.')).toEqual([
      'J. Smith and A.B. Jones attended.',
      'Paid $3.50 at 10.30 today.',
      'Score 4.5 of 5.',
    ]);
  });

  it('keeps closing quotes and brackets with their sentence', () => {
    expect(texts('She said "I feel fine." Then left. (See plan.) Done.')).toEqual(['She said "I feel fine."', 'Then left.', '(See plan.)', 'Done.']);
    expect(texts('He said “no way.” She agreed.')).toEqual(['He said “no way.”', 'She agreed.']);
  });

  it('handles ellipses: a capital after one starts a new sentence', () => {
    expect(texts('She paused... then said yes. Hmm… Not sure.')).toEqual(['She paused... then said yes.', 'Hmm…', 'Not sure.']);
  });

  it('treats line breaks (LF, CRLF, CR) as boundaries and keeps bullets', () => {
    const text = 'Plan:\r\n- call landlord\r\n- apply for SNAP\n\n1. Follow up Monday. Bring ID\rDone';
    const s = segmentSentences(text);
    checkShape(text, s);
    expect(s.map((x) => x.text)).toEqual(['Plan:', '- call landlord', '- apply for SNAP', '1. Follow up Monday.', 'Bring ID', 'Done']);
  });

  it('keeps emoji and non-Latin text, with UTF-16 offsets', () => {
    const text = 'Great job 👍🏽! Client 😀 happy. Café visit… then home 🏠. Done';
    const s = segmentSentences(text);
    checkShape(text, s);
    expect(s.map((x) => x.text)).toEqual(['Great job 👍🏽!', 'Client 😀 happy.', 'Café visit… then home 🏠.', 'Done']);
    expect(s[2]?.start).toBe(text.indexOf('Café'));
  });

  it('returns nothing for empty or blank text, and one sentence without a terminator', () => {
    expect(segmentSentences('')).toEqual([]);
    expect(segmentSentences(' \r\n\t ')).toEqual([]);
    expect(segmentSentences('no terminator here')).toEqual([{ index: 1, start: 0, end: 18, text: 'no terminator here' }]);
  });

  it('covers every non-whitespace character exactly once (property)', () => {
    const units = [
      ...'abcXYZ019'.split(''), 'Mr', 'Dr', 'e.g', 'a.m', 'etc', 'J', 'St', '3.5', '10.30',
      ' ', ' ', '  ', '\n', '\r\n', '\r', '\t', '\u00a0', '.', '.', '!', '?', '...', '…', '"', '”', ')', '(', '-', '•',
      'é', 'e\u0301', '😀', '👍🏽',
    ];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...units), { maxLength: 80 }).map((u) => u.join('')), (text) => {
        const sentences = segmentSentences(text);
        checkShape(text, sentences);
        const owner = new Int32Array(text.length).fill(-1);
        for (const s of sentences) {
          for (let k = s.start; k < s.end; k++) {
            expect(owner[k]).toBe(-1);
            owner[k] = s.index;
          }
        }
        for (let k = 0; k < text.length; k++) {
          if (!/\s/u.test(text[k] as string)) expect(owner[k]).not.toBe(-1);
        }
      }),
      { numRuns: 500 },
    );
  });
});
