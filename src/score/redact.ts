import { normalizeWithMap, type NormalizedText } from './align.ts';
import { findThirdParty } from './third-party.ts';
import type { NotePii } from './types.ts';

export interface Redacted {
  /** the text with personal data replaced by placeholders such as [NAME_1], [PHONE_1], [STREET_1] */
  text: string;
  /** maps an offset in the redacted text back to the original text */
  toOriginal(offset: number): number;
  /** puts the original values back into a string quoted from the redacted text (placeholders in any case: "[name_1]", "[ Name_1 ]") */
  restore(s: string): string;
  /** how many values of each kind were replaced */
  counts: Record<string, number>;
}

/*
 * What is replaced, before text leaves the machine:
 * - the client's names (pii.names; each word of a full name too), case-, accent- and
 *   whitespace-insensitively, as whole words ("Ana's" → "[NAME_1]'s");
 * - the date of birth in ISO, numeric (M/D/Y and D/M/Y, 4- or 2-digit year) and written forms
 *   ("May 6, 1985", "6th of May 1985");
 * - pii.phone, pii.nationalId (digits, any separators), pii.email and pii.address (case-,
 *   accent- and punctuation-insensitive; the street line alone too);
 * - by pattern, for anyone: phone numbers ((555) 010-2030, 555-010-2030, 555.010.2030,
 *   +1 555 010 2030, +44 20 7946 0958, 555-0101), e-mail addresses, SSN-like ids (123-45-6789)
 *   and street addresses (12 Maple Street, Apt 4B);
 * - other people's data (third-party.ts): names of children, relatives, landlords, workers…
 *   and nicknames ([NAME_n], like the client's: the model sees people apart, not who is who),
 *   street names without a number ([STREET_n]) and named employers ([EMPLOYER_n]).
 * Overlaps go to the longer match. Placeholders are numbered per kind in order of first
 * appearance; one value (same digits, same folded name…) always gets the same placeholder.
 *
 * Offsets: `toOriginal(o)` maps an offset of the redacted text to the original: outside a
 * placeholder it shifts; at or inside a placeholder it gives the start of the replaced value
 * (right for a span's start). For a span's end use `spanToOriginal(r, s, e)` (or
 * `toOriginalEnd`): an end inside a placeholder, or at its end, maps to the end of the replaced
 * value. A span [s, e) of the redacted text therefore maps to the smallest span of the original
 * that covers it; a placeholder is never split.
 */

export type PiiKind = 'name' | 'phone' | 'email' | 'id' | 'dob' | 'address' | 'street' | 'employer';

const PLACEHOLDER_PREFIX: Record<PiiKind, string> = {
  name: 'NAME', phone: 'PHONE', email: 'EMAIL', id: 'ID', dob: 'DOB', address: 'ADDRESS', street: 'STREET', employer: 'EMPLOYER',
};
/** Among overlapping matches of the same length, the more specific kind wins. */
const PRIORITY: Record<PiiKind, number> = { email: 8, id: 7, dob: 6, phone: 5, address: 4, street: 3, employer: 2, name: 1 };

interface Hit {
  start: number;
  end: number;
  kind: PiiKind;
  /** canonical value: equal values share a placeholder */
  key: string;
}

interface Replacement {
  /** in the redacted text */
  rs: number;
  re: number;
  /** in the original text */
  os: number;
  oe: number;
}

interface Mapping {
  reps: Replacement[];
  originalLength: number;
}

const mappings = new WeakMap<Redacted, Mapping>();

/** A placeholder as a model may echo it: any case, stray spaces, "-" or a space for "_". */
const PLACEHOLDER_RE = /\[[ \t]*(?:(NAME|PHONE|EMAIL|ID|ADDRESS|STREET|EMPLOYER)[ \t]*[_ \t-]?[ \t]*(\d{1,6})|DOB)[ \t]*\]/gi;

// ---------------------------------------------------------------------------------------------
// Patterns

const PHONE_RE = new RegExp(
  [
    // international: +CC then groups, 8–15 digits in all (checked below)
    String.raw`\+\d{1,3}(?:[ .-]?(?:\(\d{1,4}\)|\d{1,5})){1,5}`,
    // US style, optional leading 1
    String.raw`(?:1[ .-]?)?(?:\(\d{3}\)[ ]?|\d{3}[ .-])\d{3}[ .-]\d{4}`,
    // short local numbers as in our synthetic data: 555-0101
    String.raw`\d{3}[.-]\d{4}`,
  ].map((p) => `(?<![\\w+\\-/.,$])(?:${p})(?![\\w]|[-/]\\d|[.,]\\d)`).join('|'),
  'g',
);
const EMAIL_RE = /(?<![\p{L}\p{N}._%+-])[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+/gu;
const SSN_RE = /(?<![\w-])\d{3}([- ])\d{2}\1\d{4}(?![\w]|-\d)/g;

const SUFFIXES = [
  'Street', 'St', 'Avenue', 'Ave', 'Road', 'Rd', 'Boulevard', 'Blvd', 'Lane', 'Ln', 'Drive', 'Dr', 'Court', 'Ct',
  'Way', 'Place', 'Pl', 'Terrace', 'Ter', 'Circle', 'Cir', 'Parkway', 'Pkwy', 'Highway', 'Hwy', 'Square', 'Sq', 'Trail', 'Trl',
];
const SUFFIX_ALT = SUFFIXES.flatMap((s) => [s, s.toLowerCase(), s.toUpperCase()])
  .filter((s, i, a) => a.indexOf(s) === i)
  .sort((a, b) => b.length - a.length)
  .join('|');
// a street name: capitalised words or ordinals ("5th"), one to three of them
const STREET_WORD = String.raw`(?:\d{1,3}(?:st|nd|rd|th)|\p{Lu}[\p{L}'’-]*\.?)`;
const UNIT = String.raw`(?:\.?,?[ \t]*(?:Apt|Apartment|Unit|Suite|Ste|APT|apt|unit|#)\.?[ \t]*#?[ \t]*[A-Za-z0-9-]{1,6}(?![\p{L}\p{N}]))?`;
const ADDRESS_RE = new RegExp(
  String.raw`(?<![\p{L}\p{N}])\d{1,6}[A-Za-z]?(?:[ \t]+${STREET_WORD}){1,3}[ \t]+(?:${SUFFIX_ALT})(?![\p{L}\p{N}])${UNIT}`,
  'gu',
);

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

function escapeRe(s: string): string {
  // no escape for '-': outside a class it is literal, and `\-` is an error with the u flag
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** All forms of one date of birth, or undefined if `dob` is not YYYY-MM-DD. */
function dobRegex(dob: string): RegExp | undefined {
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2})/.exec(dob.trim());
  if (!m) return undefined;
  const [y, mo, d] = [m[1] as string, Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return undefined;
  const yy = y.slice(2);
  const M = `0?${mo}`;
  const D = `0?${d}`;
  const Y = `(?:${y}|${yy})`;
  const name = MONTHS[mo - 1] as string;
  const month = `(?:${name}|${name.slice(0, 3)}${name.length > 4 ? `|${name.slice(0, 4)}` : ''})\\.?`;
  const day = `${D}(?:st|nd|rd|th)?`;
  const forms = [
    `${y}[-/.]${M}[-/.]${D}`,
    `${M}([-/.])${D}\\1${Y}`,
    `${D}([-/.])${M}\\2${Y}`,
    `${month}[ \\t]+${day},?[ \\t]+${y}`,
    `${day}[ \\t]+(?:of[ \\t]+)?${month},?[ \\t]+${y}`,
  ];
  return new RegExp(`(?<![\\p{L}\\p{N}])(?:${forms.join('|')})(?![\\p{L}\\p{N}])`, 'giu');
}

/** A regex for a number given with any separators (phone, national id). */
function digitsRegex(digits: string): RegExp {
  return new RegExp(`(?<![\\p{L}\\p{N}])${[...digits].join('[\\s().+-]{0,3}')}(?![\\p{L}\\p{N}])`, 'gu');
}

const fold = (s: string): string => normalizeWithMap(s, true).norm.trim();
const digitsOf = (s: string): string => s.replace(/\D/g, '');

function phoneKey(s: string): string {
  const d = digitsOf(s);
  return d.length === 11 && d.startsWith('1') ? d.slice(1) : d;
}

/** Name particles that are not redacted on their own when they come from a full name. */
const PARTICLES = new Set(['de', 'del', 'della', 'la', 'le', 'da', 'di', 'do', 'dos', 'das', 'du', 'van', 'von', 'der', 'den', 'ter', 'y', 'e', 'bin', 'al', 'el', 'st', 'jr', 'sr', 'ii', 'iii']);

/** The name forms to look for, folded: each full name, and each of its words and hyphen parts. */
function nameForms(names: string[]): string[] {
  const forms = new Set<string>();
  for (const raw of names) {
    const full = fold(raw);
    if ((full.match(/[\p{L}\p{N}]/gu) ?? []).length < 2) continue;
    forms.add(full);
    for (const w of full.split(/[\s]+/)) {
      for (const part of [w, ...(w.includes('-') ? w.split('-') : [])]) {
        const p = part.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '');
        if (p.length >= 2 && !PARTICLES.has(p)) forms.add(p);
      }
    }
  }
  return [...forms].sort((a, b) => b.length - a.length);
}

/** Finds a folded needle in the folded text as whole words; hits in original offsets. */
function findFolded(f: NormalizedText, needles: string[], onHit: (start: number, end: number, folded: string) => void): void {
  if (needles.length === 0) return;
  const alt = needles.map(escapeRe).join('|');
  const re = new RegExp(`(?<![\\p{L}\\p{N}])(?:${alt})(?![\\p{L}\\p{N}])`, 'gu');
  for (const m of f.norm.matchAll(re)) {
    const s = m.index;
    const e = s + m[0].length;
    if (e <= s) continue;
    onHit(f.starts[s] as number, f.ends[e - 1] as number, m[0]);
  }
}

/** A pattern of the words of `value` with any non-word characters between them, on folded text. */
function wordsPattern(value: string): string | undefined {
  const words = fold(value).match(/[\p{L}\p{N}]+/gu);
  return words ? words.map(escapeRe).join('[^\\p{L}\\p{N}]{1,4}') : undefined;
}

function findWords(f: NormalizedText, value: string, onHit: (start: number, end: number) => void): void {
  const p = wordsPattern(value);
  if (!p) return;
  const re = new RegExp(`(?<![\\p{L}\\p{N}])${p}(?![\\p{L}\\p{N}])`, 'gu');
  for (const m of f.norm.matchAll(re)) {
    if (m[0].length === 0) continue;
    onHit(f.starts[m.index] as number, f.ends[m.index + m[0].length - 1] as number);
  }
}

// ---------------------------------------------------------------------------------------------

function collectHits(text: string, pii: NotePii): Hit[] {
  const hits: Hit[] = [];
  const add = (start: number, end: number, kind: PiiKind, key: string): void => {
    if (end > start) hits.push({ start, end, kind, key });
  };
  const folded = normalizeWithMap(text, true);

  // the client's own data
  findFolded(folded, nameForms(pii.names ?? []), (s, e, f) => add(s, e, 'name', f));
  if (pii.dob) {
    const re = dobRegex(pii.dob);
    if (re) for (const m of text.matchAll(re)) add(m.index, m.index + m[0].length, 'dob', 'dob');
  }
  if (pii.phone) {
    const d = digitsOf(pii.phone);
    const variants = d.length >= 7 ? [d, ...(d.length === 11 && d.startsWith('1') ? [d.slice(1)] : [])] : [];
    for (const v of variants) for (const m of text.matchAll(digitsRegex(v))) add(m.index, m.index + m[0].length, 'phone', phoneKey(m[0]));
    if (variants.length === 0) findWords(folded, pii.phone, (s, e) => add(s, e, 'phone', phoneKey(pii.phone as string)));
  }
  if (pii.nationalId) {
    const d = digitsOf(pii.nationalId);
    const key = pii.nationalId.replace(/[^\p{L}\p{N}]/gu, '').toUpperCase();
    if (d.length >= 4 && d.length === key.length) {
      for (const m of text.matchAll(digitsRegex(d))) add(m.index, m.index + m[0].length, 'id', key);
    } else {
      findWords(folded, pii.nationalId, (s, e) => add(s, e, 'id', key));
    }
  }
  if (pii.email) {
    const needle = fold(pii.email);
    for (let k = folded.norm.indexOf(needle); needle && k >= 0; k = folded.norm.indexOf(needle, k + 1)) {
      add(folded.starts[k] as number, folded.ends[k + needle.length - 1] as number, 'email', needle);
    }
  }
  if (pii.address) {
    const key = (fold(pii.address).match(/[\p{L}\p{N}]+/gu) ?? []).join(' ');
    findWords(folded, pii.address, (s, e) => add(s, e, 'address', key));
    // the street line alone ("12 Maple Street" of "12 Maple Street, Apt 4B, Springfield")
    const street = pii.address.split(',')[0] ?? '';
    if (street !== pii.address && /\d/.test(street) && /\p{L}/u.test(street)) {
      findWords(folded, street, (s, e) => add(s, e, 'address', key));
    }
  }

  // anyone's, by pattern
  for (const m of text.matchAll(EMAIL_RE)) add(m.index, m.index + m[0].length, 'email', m[0].toLowerCase());
  for (const m of text.matchAll(SSN_RE)) add(m.index, m.index + m[0].length, 'id', digitsOf(m[0]));
  for (const m of text.matchAll(PHONE_RE)) {
    const digits = digitsOf(m[0]).length;
    if (m[0].startsWith('+') && (digits < 8 || digits > 15)) continue;
    add(m.index, m.index + m[0].length, 'phone', phoneKey(m[0]));
  }
  for (const m of text.matchAll(ADDRESS_RE)) {
    add(m.index, m.index + m[0].length, 'address', (fold(m[0]).match(/[\p{L}\p{N}]+/gu) ?? []).join(' '));
  }

  // other people's
  for (const h of findThirdParty(text)) add(h.start, h.end, h.kind, h.key ?? fold(text.slice(h.start, h.end)));
  return hits;
}

/** Longest first (then the more specific kind, then the earlier); a hit overlapping a kept one is dropped. */
function resolveOverlaps(hits: Hit[]): Hit[] {
  const sorted = [...hits].sort((a, b) => (b.end - b.start) - (a.end - a.start) || PRIORITY[b.kind] - PRIORITY[a.kind] || a.start - b.start);
  const kept: Hit[] = [];
  for (const h of sorted) {
    if (!kept.some((k) => h.start < k.end && k.start < h.end)) kept.push(h);
  }
  return kept.sort((a, b) => a.start - b.start);
}

export function redact(text: string, pii: NotePii = { names: [] }): Redacted {
  const hits = resolveOverlaps(collectHits(text, pii));
  const counts: Record<string, number> = { name: 0, phone: 0, email: 0, id: 0, dob: 0, address: 0, street: 0, employer: 0 };
  const placeholderOf = new Map<string, string>();
  const originalOf = new Map<string, string>();
  const next: Record<PiiKind, number> = { name: 0, phone: 0, email: 0, id: 0, dob: 0, address: 0, street: 0, employer: 0 };
  const reps: Replacement[] = [];
  let out = '';
  let pos = 0;
  for (const h of hits) {
    const id = `${h.kind}\u0000${h.key}`;
    let ph = placeholderOf.get(id);
    if (ph === undefined) {
      ph = h.kind === 'dob' ? '[DOB]' : `[${PLACEHOLDER_PREFIX[h.kind]}_${++next[h.kind]}]`;
      placeholderOf.set(id, ph);
      if (!originalOf.has(ph)) originalOf.set(ph, text.slice(h.start, h.end));
    }
    out += text.slice(pos, h.start);
    const rs = out.length;
    out += ph;
    reps.push({ rs, re: out.length, os: h.start, oe: h.end });
    pos = h.end;
    counts[h.kind] = (counts[h.kind] ?? 0) + 1;
  }
  out += text.slice(pos);

  const mapping: Mapping = { reps, originalLength: text.length };
  const result: Redacted = {
    text: out,
    toOriginal: (offset) => mapStart(mapping, offset),
    restore: (s) => s.replace(PLACEHOLDER_RE, (p, kind?: string, n?: string) => originalOf.get(kind ? `[${kind.toUpperCase()}_${Number(n)}]` : '[DOB]') ?? p),
    counts,
  };
  mappings.set(result, mapping);
  return result;
}

/** Index of the last replacement whose redacted start is ≤ offset (or < offset when `strict`), -1 if none. */
function lastRepBefore(reps: Replacement[], offset: number, strict: boolean): number {
  let lo = 0;
  let hi = reps.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const rs = (reps[mid] as Replacement).rs;
    if (strict ? rs < offset : rs <= offset) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

function clamp(x: number, max: number): number {
  return Math.max(0, Math.min(max, x));
}

function mapStart(m: Mapping, offset: number): number {
  const k = lastRepBefore(m.reps, offset, false);
  if (k < 0) return clamp(offset, m.originalLength);
  const r = m.reps[k] as Replacement;
  return clamp(offset < r.re ? r.os : r.oe + (offset - r.re), m.originalLength);
}

function mapEnd(m: Mapping, offset: number): number {
  const k = lastRepBefore(m.reps, offset, true);
  if (k < 0) return clamp(offset, m.originalLength);
  const r = m.reps[k] as Replacement;
  return clamp(offset <= r.re ? r.oe : r.oe + (offset - r.re), m.originalLength);
}

/** Maps the end of a span of the redacted text: inside or at the end of a placeholder → end of the replaced value. */
export function toOriginalEnd(r: Redacted, offset: number): number {
  const m = mappings.get(r);
  return m ? mapEnd(m, offset) : r.toOriginal(offset);
}

/** Maps a span [start, end) of the redacted text to the smallest span of the original text covering it. */
export function spanToOriginal(r: Redacted, start: number, end: number): { start: number; end: number } {
  const s = r.toOriginal(start);
  const e = end <= start ? s : toOriginalEnd(r, end);
  return { start: s, end: Math.max(s, e) };
}
