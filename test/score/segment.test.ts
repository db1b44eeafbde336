import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { segmentNote, segmentSentences, type Sentence } from '../../src/score/segment.ts';

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

describe('segmentNote: narrative and structure', () => {
  const kinds = (text: string) => segmentNote(text).map((s) => `${s.structured ?? 'narrative'}: ${s.text}`);

  it('marks headings, list sections, list items under a lead-in, plans and coded terms', () => {
    const note = [
      '# Chief Complaint', '- Hunger', '', '# History of Present Illness', 'Patient reports fatigue.',
      'Patient has a history of stress (finding), social isolation (finding).', '', '# Medications',
      'sertraline 50 mg oral tablet; naltrexone 50 mg oral tablet', '', '## Plan', 'The following procedures were conducted:', '- depression screening (procedure)',
    ].join('\n');
    expect(kinds(note)).toEqual([
      'heading: # Chief Complaint',
      'list-section: - Hunger',
      'heading: # History of Present Illness',
      'narrative: Patient reports fatigue.',
      'coded-terms: Patient has a history of stress (finding), social isolation (finding).',
      'heading: # Medications',
      'list-section: sertraline 50 mg oral tablet; naltrexone 50 mg oral tablet',
      'heading: ## Plan',
      'heading: The following procedures were conducted:',
      'plan-section: - depression screening (procedure)',
    ]);
    expect(segmentNote(note)[4]!.section).toBe('history of present illness');
  });

  it('a lead-in opens a list of clinical items only for the bullets under it', () => {
    expect(kinds('Visit notes.\nThe patient was prescribed the following medications:\n- acetaminophen 325 mg\nClient says she was evicted.')).toEqual([
      'narrative: Visit notes.',
      'narrative: The patient was prescribed the following medications:',
      'list-item: - acetaminophen 325 mg',
      'narrative: Client says she was evicted.',
    ]);
  });

  it('an inline label sets the section for its own line only; narrative bullets stay narrative', () => {
    expect(kinds('Plan: call the landlord about the rent.\nAssessment: client was evicted.\nBarriers:\n- no car\n- behind on rent')).toEqual([
      'plan-section: Plan: call the landlord about the rent.',
      'narrative: Assessment: client was evicted.',
      'heading: Barriers:',
      'narrative: - no car',
      'narrative: - behind on rent',
    ]);
  });

  it('a blank line ends a list section that has had content; capital lines are headings only when they name a section', () => {
    expect(kinds('Allergies:\nNo Known Allergies.\n\nClient was evicted today.\nEVICTED TODAY\nMEDICATIONS\nlisinopril')).toEqual([
      'heading: Allergies:',
      'list-section: No Known Allergies.',
      'narrative: Client was evicted today.',
      'narrative: EVICTED TODAY',
      'heading: MEDICATIONS',
      'list-section: lisinopril',
    ]);
  });

  it('marks lines of doses, codes and check boxes as forms', () => {
    expect(kinds('[x] Housing [ ] Food [ ] Transport')).toEqual(['form: [x] Housing [ ] Food [ ] Transport']);
    expect(kinds('Dx: F32.9, Z59.0, Z56.0')).toEqual(['form: Dx: F32.9, Z59.0, Z56.0']);
  });

  it('keeps the offsets of segmentSentences', () => {
    const text = '# Plan\r\nClient housed.  Next visit Monday.';
    const a = segmentSentences(text);
    const b = segmentNote(text);
    expect(b.map(({ index, start, end, text: t }) => ({ index, start, end, text: t }))).toEqual(a);
  });
});
