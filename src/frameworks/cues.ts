/**
 * Cue phrases: the small pattern language that framework files use for indicator cues,
 * change cues, negation cues and time cues. One definition here so the validator and any
 * scorer agree on what a cue means.
 *
 * Syntax (see frameworks/README.md):
 *  - lowercase words separated by single spaces; matching ignores case;
 *  - matched on whole words: "rent" does not match inside "parent";
 *  - a space in a cue matches any run of whitespace (including line breaks);
 *  - a hyphen matches a hyphen, whitespace or nothing ("part-time" ~ "part time" ~ "parttime");
 *  - an apostrophe matches ' or ’ ;
 *  - "#" matches exactly one digit ("in 20##" matches "in 2019");
 *  - a final "*" matches the rest of the word ("evict*" matches evicted, eviction, evicting);
 *  - "_", standing as a word of its own but not the first, matches any one word ("lost _ job"
 *    matches "lost his job", "lost her job", "lost a job").
 */

const WORD_CHAR = String.raw`[\p{L}\p{N}]`;
const ALLOWED_CHARS = /^[\p{Ll}\p{Lo}\p{Lm}\p{M}\p{N} '’\-/.&#*_]+$/u;
const DISALLOWED_CHAR = /[^\p{Ll}\p{Lo}\p{Lm}\p{M}\p{N} '’\-/.&#*_]/u;
/** What "_" matches: one word, apostrophes and inner hyphens included ("son's", "part-time"). */
const ANY_WORD = String.raw`[\p{L}\p{N}]+(?:['’\-][\p{L}\p{N}]+)*`;
const MIN_CHARS_BEFORE_WILDCARD = 3;

/** Why `cue` is not a valid cue phrase, or undefined if it is valid. */
export function cueSyntaxError(cue: string): string | undefined {
  if (cue.trim() === '') return 'cue is empty';
  if (cue !== cue.trim()) return `cue "${cue}" has leading or trailing spaces`;
  if (/\s{2,}|[^\S ]/u.test(cue)) return `cue "${cue}" must use single spaces between words`;
  if (cue !== cue.toLowerCase()) {
    return `cue "${cue}" must be lowercase (matching ignores case): write "${cue.toLowerCase()}"`;
  }
  if (!ALLOWED_CHARS.test(cue)) {
    const bad = DISALLOWED_CHAR.exec(cue)?.[0] ?? '?';
    return `cue "${cue}" contains "${bad}": cues are plain phrases of letters, digits, spaces and ' - / . &, with "#" for one digit, "_" for one word and an optional final "*"`;
  }
  if (!/[\p{L}\p{N}#]/u.test(cue)) return `cue "${cue}" has no letters or digits`;
  if (cue.includes('_')) {
    const words = cue.split(' ');
    if (words.some((w) => w.includes('_') && w !== '_')) return `cue "${cue}": "_" stands for one whole word, with spaces around it (like "lost _ job")`;
    if (words[0] === '_' || words[words.length - 1] === '_') return `cue "${cue}": "_" may not be the first or last word (a cue starts and ends with a word of its own)`;
  }
  const star = cue.indexOf('*');
  if (star !== -1) {
    if (star !== cue.length - 1) return `cue "${cue}": "*" is only allowed once, at the end of a cue`;
    const lastWord = /[\p{L}\p{N}#]*$/u.exec(cue.slice(0, -1))?.[0] ?? '';
    if (lastWord.length < MIN_CHARS_BEFORE_WILDCARD) {
      return `cue "${cue}": "*" needs at least ${MIN_CHARS_BEFORE_WILDCARD} letters before it in the same word (like "evict*")`;
    }
  }
  return undefined;
}

function escapeRegExp(ch: string): string {
  return /[.*+?^${}()|[\]\\/]/.test(ch) ? `\\${ch}` : ch;
}

/**
 * The regular expression (flags `giu`) that finds `cue` in text. Throws a TypeError when the
 * cue is not valid syntax; validate framework files first (the schema does).
 */
export function compileCue(cue: string): RegExp {
  const error = cueSyntaxError(cue);
  if (error !== undefined) throw new TypeError(error);
  const wildcard = cue.endsWith('*');
  const body = wildcard ? cue.slice(0, -1) : cue;
  let source = '';
  for (const ch of body) {
    if (ch === '_') source += ANY_WORD;
    else if (ch === ' ') source += String.raw`\s+`;
    else if (ch === '-') source += String.raw`(?:[-\u2010\u2011]|\s+)?`;
    else if (ch === "'" || ch === '’') source += "['’]";
    else if (ch === '#') source += String.raw`\p{Nd}`;
    else source += escapeRegExp(ch);
  }
  if (wildcard) source += `${WORD_CHAR}*`;
  const first = body[0] ?? '';
  const last = wildcard ? 'x' : (body[body.length - 1] ?? '');
  const startsWithWord = /[\p{L}\p{N}#]/u.test(first);
  const endsWithWord = /[\p{L}\p{N}#]/u.test(last);
  const prefix = startsWithWord ? `(?<!${WORD_CHAR})` : '';
  const suffix = endsWithWord ? `(?!${WORD_CHAR})` : '';
  return new RegExp(`${prefix}${source}${suffix}`, 'giu');
}

/** One cue found in a text. `start`/`end` are UTF-16 offsets, half-open: `text.slice(start, end) === match`. */
export interface CueMatch<T> {
  cue: string;
  start: number;
  end: number;
  match: string;
  value: T;
}

export interface CueEntry<T> {
  cue: string;
  value: T;
}

/**
 * Compile a list of cues once and return a function that finds them in a text.
 * Overlapping matches are resolved by keeping the longest (then the earliest, then the one
 * listed first), so "no longer homeless" beats "no" and "homeless*" when all three are cues.
 * Results come back in text order and never overlap.
 */
export function createCueMatcher<T>(entries: readonly CueEntry<T>[], opts: { overlapGroup?: (value: T) => string } = {}): (text: string) => CueMatch<T>[] {
  const compiled = entries.map((entry, order) => ({ ...entry, order, re: compileCue(entry.cue), key: prefilterKey(entry.cue) }));
  // Most cues cannot match most sentences: index them by a key taken from their first word, and
  // run only the regular expressions whose key occurs among the text's words.
  const always = compiled.filter((c) => c.key === undefined);
  const byKey = new Map<string, typeof compiled>();
  for (const c of compiled) if (c.key !== undefined) byKey.set(c.key, [...(byKey.get(c.key) ?? []), c]);
  return (text: string) => {
    const candidates = [...always];
    for (const key of textKeys(text)) {
      const list = byKey.get(key);
      if (list) candidates.push(...list);
    }
    const found: (CueMatch<T> & { order: number })[] = [];
    for (const entry of candidates) {
      entry.re.lastIndex = 0;
      for (const m of text.matchAll(entry.re)) {
        if (m[0].length === 0) continue;
        found.push({ cue: entry.cue, start: m.index, end: m.index + m[0].length, match: m[0], value: entry.value, order: entry.order });
      }
    }
    found.sort((a, b) => b.end - b.start - (a.end - a.start) || a.start - b.start || a.order - b.order);
    const kept: (CueMatch<T> & { order: number })[] = [];
    const group = opts.overlapGroup;
    for (const candidate of found) {
      const g = group?.(candidate.value);
      if (kept.every((k) => candidate.end <= k.start || candidate.start >= k.end || (group !== undefined && group(k.value) !== g))) kept.push(candidate);
    }
    kept.sort((a, b) => a.start - b.start || a.end - b.end);
    return kept.map(({ order: _order, ...rest }) => rest);
  };
}

const KEY_CHARS = 3;

/**
 * The key a text must contain for a cue to have a chance: the cue's first word if it is short,
 * else its first three letters (a word of the text matching the cue starts with them, even
 * with a wildcard, since "*" needs three letters before it). Undefined: always try the cue.
 */
function prefilterKey(cue: string): string | undefined {
  const first = /^[\p{L}\p{N}]+/u.exec(cue)?.[0];
  if (!first) return undefined;
  const rest = cue.slice(first.length);
  if (first.length < KEY_CHARS) {
    // a short first word followed by "#" or glued to more word characters by "-" cannot be keyed by the word
    return /^[#-]/.test(rest) ? undefined : first;
  }
  return first.slice(0, KEY_CHARS);
}

/** Lower-cased short words and the first three letters of longer words of a text. */
function textKeys(text: string): Set<string> {
  const keys = new Set<string>();
  for (const m of text.toLowerCase().matchAll(/[\p{L}\p{N}]+/gu)) {
    const w = m[0];
    keys.add(w.length < KEY_CHARS ? w : w.slice(0, KEY_CHARS));
  }
  return keys;
}

/** Convenience: find cues (plain strings) in a text, longest non-overlapping matches. */
export function matchCues(text: string, cues: readonly string[]): CueMatch<string>[] {
  return createCueMatcher(cues.map((cue) => ({ cue, value: cue })))(text);
}
