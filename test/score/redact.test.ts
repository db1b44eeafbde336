import { describe, expect, it } from 'vitest';
import { alignQuote } from '../../src/score/align.ts';
import { redact, spanToOriginal, toOriginalEnd } from '../../src/score/redact.ts';
import { segmentSentences } from '../../src/score/segment.ts';
import type { NotePii } from '../../src/score/types.ts';

const PII: NotePii = {
  names: ['José García'],
  dob: '1985-05-06',
  phone: '(555) 010-2030',
  email: 'jose.garcia@example.org',
  nationalId: '912-34-5678',
  address: '12 Maple Street, Apt 4B, Springfield',
};

const NOTE =
  'José García called from 555.010.2030 today. JOSE said Jose’s landlord raised the rent. ' +
  'Born 05/06/1985 (May 6, 1985). His email is jose.garcia@example.org and SSN 912-34-5678. ' +
  'He still lives at 12 Maple Street, Apt 4B, Springfield. García paid $1,200 in 2019 and will move in May. ' +
  'Call him at (555) 010-2030 or his sister at 555-0101.';

function assertNoPii(text: string, values: string[]): void {
  const lower = text.toLowerCase();
  for (const v of values) expect(lower.includes(v.toLowerCase()), `still contains ${v}`).toBe(false);
}

describe('redact', () => {
  const r = redact(NOTE, PII);

  it('removes every given personal value', () => {
    assertNoPii(r.text, [
      'José', 'Jose', 'García', 'Garcia', '1985-05-06', '05/06/1985', 'May 6, 1985', '555.010.2030', '(555) 010-2030',
      'jose.garcia@example.org', '912-34-5678', '12 Maple Street', 'Apt 4B', '555-0101',
    ]);
  });

  it('uses consistent placeholders and counts replacements per kind', () => {
    // "José García" as a full name, then "JOSE", "Jose’s", "García" as parts of it
    expect(r.text).toMatch(/^\[NAME_1\] called from \[PHONE_1\] today\. \[NAME_2\] said \[NAME_2\]’s landlord/);
    expect(r.text).toContain('Born [DOB] ([DOB]).');
    expect(r.text).toContain('His email is [EMAIL_1] and SSN [ID_1].');
    expect(r.text).toContain('lives at [ADDRESS_1]. [NAME_3] paid $1,200 in 2019 and will move in May.');
    // the same number in another format gets the same placeholder; another number a new one
    expect(r.text).toContain('Call him at [PHONE_1] or his sister at [PHONE_2].');
    expect(r.counts).toEqual({ name: 4, phone: 3, email: 1, id: 1, dob: 2, address: 1 });
  });

  it('restores placeholders to the original values', () => {
    expect(r.restore('[NAME_1] called from [PHONE_1]')).toBe('José García called from 555.010.2030');
    expect(r.restore('[NAME_3] paid $1,200 [UNKNOWN_1]')).toBe('García paid $1,200 [UNKNOWN_1]');
    // a quote from the redacted note, restored, is found in the original
    const quote = r.restore('[NAME_2] said [NAME_2]’s landlord raised the rent');
    const [c] = alignQuote(NOTE, quote) ?? [];
    expect(c?.quote).toBe('JOSE said Jose’s landlord raised the rent');
  });

  it('maps the span of a sentence after a placeholder back to the original', () => {
    const sentences = segmentSentences(r.text);
    const s = sentences.find((x) => x.text.startsWith('Born'));
    expect(s).toBeDefined();
    const span = spanToOriginal(r, s?.start as number, s?.end as number);
    expect(NOTE.slice(span.start, span.end)).toBe('Born 05/06/1985 (May 6, 1985).');
    expect(r.toOriginal(s?.start as number)).toBe(span.start);
    // a sentence that starts and ends with placeholders
    const first = sentences[0];
    const fs = spanToOriginal(r, first?.start as number, first?.end as number);
    expect(NOTE.slice(fs.start, fs.end)).toBe('José García called from 555.010.2030 today.');
    // a span ending inside a placeholder covers the whole replaced value
    const ph = r.text.indexOf('[PHONE_1]');
    expect(toOriginalEnd(r, ph + 3)).toBe(NOTE.indexOf(' today'));
    expect(r.toOriginal(ph + 3)).toBe(NOTE.indexOf('555.010.2030'));
    expect(r.toOriginal(0)).toBe(0);
    expect(r.toOriginal(r.text.length)).toBe(NOTE.length);
  });

  it('matches names case- and accent-insensitively, as whole words, with possessives', () => {
    const x = redact('ANA met Ána and ana’s kid; Ana\'s mum. Banana, Anastasia and Mañana stay.', { names: ['Ana'] });
    expect(x.text).toBe('[NAME_1] met [NAME_1] and [NAME_1]’s kid; [NAME_1]\'s mum. Banana, Anastasia and Mañana stay.');
    const y = redact('Jose Garcia-Lopez and Mr Garcia spoke.', { names: ['José García-López'] });
    expect(y.text).toBe('[NAME_1] and Mr [NAME_2] spoke.');
  });

  it('does not redact months, years or amounts, nor names that were not given', () => {
    const text = 'In May 2019 she paid $1,200 and $35.50; rent is 1,200/month; seen 3 times in 2020-2021. Her case no. is 2024-00123.';
    const x = redact(text, { names: ['Ana'] });
    expect(x.text).toBe(text);
    expect(redact('May called on May 3.', { names: ['May'] }).text).toBe('[NAME_1] called on [NAME_1] 3.');
  });

  it('finds phone numbers in common formats', () => {
    const phones = ['(555) 010-2030', '555-010-2030', '555.010.2030', '+1 555 010 2030', '1-555-010-2030', '+44 20 7946 0958', '555-0101', '212-555-0147'];
    for (const p of phones) {
      const x = redact(`Call ${p} today.`, { names: [] });
      expect(x.text, p).toBe('Call [PHONE_1] today.');
    }
    expect(redact('Numbers 555-010-2030 and (555) 010-2030 and 555-0101.', { names: [] }).text).toBe(
      'Numbers [PHONE_1] and [PHONE_1] and [PHONE_2].',
    );
  });

  it('finds e-mails, SSN-like ids and street addresses', () => {
    const x = redact(
      'Mail a.b+c@mail.example.com or Ana.Lee@example.org. SSN 123-45-6789. Moved to 45 Oak Avenue, Unit 3 from 7 North Pine St. Also 1200 5th Ave. Then 9 Lake Road #12.',
      { names: [] },
    );
    expect(x.text).toBe(
      'Mail [EMAIL_1] or [EMAIL_2]. SSN [ID_1]. Moved to [ADDRESS_1] from [ADDRESS_2]. Also [ADDRESS_3]. Then [ADDRESS_4].',
    );
    expect(x.counts).toMatchObject({ email: 2, id: 1, address: 4, phone: 0 });
  });

  it('finds written forms of the date of birth only', () => {
    const text = 'DOB 1985-05-06, 5/6/1985, 05/06/85, May 6, 1985, 6 May 1985, 6th of May, 1985, Sept 9, 1985. Seen 06/07/1985.';
    const x = redact(text, { names: [], dob: '1985-05-06' });
    expect(x.text).toBe('DOB [DOB], [DOB], [DOB], [DOB], [DOB], [DOB], Sept 9, 1985. Seen 06/07/1985.');
    expect(x.counts.dob).toBe(6);
  });

  it('matches the given phone, id and address despite punctuation and spacing', () => {
    const x = redact('Phone 555 010 2030; id 912 34 5678; lives at 12  maple street, apt 4b, springfield.', PII);
    assertNoPii(x.text, ['555 010 2030', '912 34 5678', '12  maple street']);
    expect(x.text).toBe('Phone [PHONE_1]; id [ID_1]; lives at [ADDRESS_1].');
  });

  it('leaves a note without personal data unchanged, with an identity mapping', () => {
    const text = 'Client attended the workshop. Progress noted.';
    const x = redact(text);
    expect(x.text).toBe(text);
    expect(x.toOriginal(10)).toBe(10);
    expect(x.restore(text)).toBe(text);
    expect(Object.values(x.counts).every((n) => n === 0)).toBe(true);
  });
});
