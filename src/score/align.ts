import type { Citation } from './types.ts';
// segment.ts imports isWhitespace from this module; the cycle is safe only while isWhitespace
// stays a (hoisted) function declaration, since segment.ts reads it when it is first loaded
import { segmentSentences, type Sentence } from './segment.ts';
import {
  areOpposites,
  BARE_CONTRACTIONS,
  CLITICS,
  DATE_WORDS,
  FREE_WORDS,
  MODALS,
  NEGATING_PREFIXES,
  NEGATING_SUFFIXES,
  NEGATORS,
  NT_STEMS,
  NUMBER_WORDS,
  PEOPLE,
  PRONOUNS,
  QUANTIFIERS,
} from './meaning-words.ts';

export interface AlignOptions {
  /** prefer the occurrence nearest this range of the note (e.g. the sentence the model cited) */
  near?: { start: number; end: number };
  /** minimum token similarity for a fuzzy match (0..1) */
  fuzzyThreshold?: number;
  /**
   * Told, when the quote is not stored although it was found, why its best occurrence was not
   * kept: a change of meaning (see `meaningDifference`) or a sentence part too short.
   */
  onReject?: (reason: string) => void;
}

/**
 * Default minimum similarity of a fuzzy match; the measure is described at `fuzzyPass` below.
 * With it: "signed the lease" ~ "signed a lease" (0.87); a typo in one word of a quote of three
 * or more words passes ("signed the lease on a new apartmnt": 0.98); one wrong or missing
 * content word in ten passes (0.90) but two do not (0.80); a quote that shares only half of its
 * words with the note is far below (~0.5); a single word must be nearly exact (≥ 0.85 by
 * characters: "apartmnt" ~ "apartment" passes, "job" ~ "jobs" does not). The similarity only
 * proposes a place: a wrong content word, a "not" or a changed number is then rejected by
 * `meaningDifference`, however similar the rest.
 */
export const DEFAULT_FUZZY_THRESHOLD = 0.85;

// ---------------------------------------------------------------------------------------------
// Normalisation with an offset map

/** A normalised string and, for each of its UTF-16 units, the original span it came from. */
export interface NormalizedText {
  norm: string;
  /** original start (UTF-16 index) of the unit of text that produced norm[i] */
  starts: Int32Array;
  /** original end (exclusive) of the unit of text that produced norm[i] */
  ends: Int32Array;
}

const CHAR_MAP: Record<string, string> = {
  '\u2018': "'", '\u2019': "'", '\u201A': "'", '\u201B': "'", '\u2032': "'", '\u02BC': "'",
  '\u201C': '"', '\u201D': '"', '\u201E': '"', '\u201F': '"', '\u2033': '"', '\u00AB': '"', '\u00BB': '"',
  '\u2010': '-', '\u2011': '-', '\u2012': '-', '\u2013': '-', '\u2014': '-', '\u2015': '-', '\u2212': '-',
  '\u2026': '...',
};
const CHAR_MAP_RE = /[\u2018\u2019\u201A\u201B\u2032\u02BC\u201C\u201D\u201E\u201F\u2033\u00AB\u00BB\u2010-\u2015\u2212\u2026]/g;
const MARK_RE = /^\p{M}/u;
const MARKS_RE = /\p{M}/gu;

/** Same set as JavaScript's `\s`. */
export function isWhitespace(c: number): boolean {
  if (c <= 32) return c === 32 || (c >= 9 && c <= 13);
  if (c < 160) return false;
  return c === 160 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 ||
    c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

function isCombiningAt(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  if (c < 0x300) return false;
  const cp = s.codePointAt(i) as number;
  return MARK_RE.test(String.fromCodePoint(cp));
}

const foldMemo = [new Map<string, string>(), new Map<string, string>()];

/**
 * Normalises one cluster (a code point and its combining marks): NFC, curly quotes and dashes
 * to ASCII, the ellipsis character to "...", case folded (upper then lower, so "ß" and "SS"
 * agree); with `stripAccents`, diacritics removed too.
 */
function foldCluster(s: string, stripAccents: boolean): string {
  const memo = foldMemo[stripAccents ? 1 : 0] as Map<string, string>;
  const hit = memo.get(s);
  if (hit !== undefined) return hit;
  let t = s.normalize('NFC').replace(CHAR_MAP_RE, (ch) => CHAR_MAP[ch] ?? ch);
  t = t.toUpperCase().toLowerCase();
  if (stripAccents) t = t.normalize('NFD').replace(MARKS_RE, '');
  t = t.normalize('NFC');
  if (memo.size > 50_000) memo.clear();
  memo.set(s, t);
  return t;
}

/**
 * Normalises text for matching and keeps, for every unit of the result, the original span it
 * came from. Built cluster by cluster (a code point plus following combining marks), so a span
 * mapped back never splits a surrogate pair or a base letter from its accents. Every whitespace
 * run (incl. CR LF, tabs, NBSP) becomes one space.
 */
export function normalizeWithMap(text: string, stripAccents = false): NormalizedText {
  const n = text.length;
  const parts: string[] = [];
  let starts = new Int32Array(n + 16);
  let ends = new Int32Array(n + 16);
  let k = 0;
  let i = 0;
  let buf = '';
  const emit = (s: string, start: number, end: number): void => {
    buf += s;
    if (k + s.length > starts.length) {
      const size = Math.max(starts.length * 2, k + s.length);
      const grownStarts = new Int32Array(size);
      const grownEnds = new Int32Array(size);
      grownStarts.set(starts);
      grownEnds.set(ends);
      starts = grownStarts;
      ends = grownEnds;
    }
    for (let x = 0; x < s.length; x++) {
      starts[k] = start;
      ends[k] = end;
      k++;
    }
    if (buf.length > 4096) {
      parts.push(buf);
      buf = '';
    }
  };
  while (i < n) {
    const c = text.charCodeAt(i);
    if (isWhitespace(c)) {
      const start = i;
      while (i < n && isWhitespace(text.charCodeAt(i))) i++;
      emit(' ', start, i);
      continue;
    }
    if (c < 128) {
      // ASCII fast path (an ASCII letter may still carry combining marks)
      if (i + 1 >= n || !isCombiningAt(text, i + 1)) {
        emit(c >= 65 && c <= 90 ? String.fromCharCode(c + 32) : text[i] as string, i, i + 1);
        i++;
        continue;
      }
    }
    const start = i;
    i += c >= 0xd800 && c <= 0xdbff && i + 1 < n && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00 ? 2 : 1;
    while (i < n && isCombiningAt(text, i)) i += (text.codePointAt(i) as number) > 0xffff ? 2 : 1;
    emit(foldCluster(text.slice(start, i), stripAccents), start, i);
  }
  parts.push(buf);
  return { norm: parts.join(''), starts: starts.subarray(0, k), ends: ends.subarray(0, k) };
}

/** The normalised form of a quote: as for the note, with surrounding spaces removed. */
function normalizeQuote(quote: string): string {
  return normalizeWithMap(quote).norm.trim();
}

// ---------------------------------------------------------------------------------------------
// Tokens

interface Token {
  start: number;
  end: number;
  /** accent-stripped, case-folded form */
  key: string;
  weight: number;
}

const TOKEN_RE = /[\p{L}\p{N}][\p{L}\p{N}\p{M}]*/gu;
const HAS_ALNUM_RE = /[\p{L}\p{N}]/u;

/** Function words weigh less in the fuzzy measure: a changed article should not sink a quote. */
const STOPWORDS = new Set([
  'a', 'an', 'the', 'of', 'to', 'in', 'on', 'at', 'for', 'with', 'by', 'from', 'and', 'or', 'but', 'as',
  'is', 'was', 'were', 'be', 'been', 'are', 'am', 'has', 'had', 'have', 'that', 'this', 'it', 'its',
  'her', 'his', 'she', 'he', 'they', 'their', 'them', 'him', 'i', 'we', 'my', 'our', 'me', 'you', 'your',
  's', 't', 'so', 'then', 'about', 'into', 'up', 'out',
]);
const STOPWORD_WEIGHT = 0.3;

const keyMemo = new Map<string, string>();
function tokenKey(raw: string): string {
  let k = keyMemo.get(raw);
  if (k === undefined) {
    k = normalizeWithMap(raw, true).norm;
    if (keyMemo.size > 50_000) keyMemo.clear();
    keyMemo.set(raw, k);
  }
  return k;
}

function tokenize(text: string, from = 0): Token[] {
  const out: Token[] = [];
  TOKEN_RE.lastIndex = from;
  for (let m = TOKEN_RE.exec(text); m !== null; m = TOKEN_RE.exec(text)) {
    const key = tokenKey(m[0]);
    out.push({ start: m.index, end: m.index + m[0].length, key, weight: STOPWORDS.has(key) ? STOPWORD_WEIGHT : 1 });
  }
  return out;
}

// One-entry caches: a scorer aligns several quotes against the same note in a row.
let normCache: { text: string; value: NormalizedText } | undefined;
let tokenCache: { text: string; value: Token[] } | undefined;
function noteNorm(text: string): NormalizedText {
  if (normCache?.text !== text) normCache = { text, value: normalizeWithMap(text) };
  return normCache.value;
}
function noteTokens(text: string): Token[] {
  if (tokenCache?.text !== text) tokenCache = { text, value: tokenize(text) };
  return tokenCache.value;
}
let pairCache: { text: string; value: Map<string, number[]> } | undefined;
/** Two neighbouring note words joined ("child" + "care"): where each such key ends, by note word index. */
function notePairs(text: string): Map<string, number[]> {
  if (pairCache?.text !== text) {
    const t = noteTokens(text);
    const value = new Map<string, number[]>();
    for (let k = 1; k < t.length; k++) {
      const key = (t[k - 1] as Token).key + (t[k] as Token).key;
      const at = value.get(key);
      if (at) at.push(k);
      else value.set(key, [k]);
    }
    pairCache = { text, value };
  }
  return pairCache.value;
}

let rowA = new Int32Array(64);
let rowB = new Int32Array(64);
let rowC = new Int32Array(64);

/**
 * Optimal string alignment distance (Levenshtein plus adjacent transpositions), or any value
 * above `limit` as soon as the distance is known to exceed it.
 */
function osaDistance(a: string, b: string, limit: number): number {
  const la = a.length;
  const lb = b.length;
  if (rowA.length <= lb) {
    rowA = new Int32Array(lb * 2 + 1);
    rowB = new Int32Array(lb * 2 + 1);
    rowC = new Int32Array(lb * 2 + 1);
  }
  let prev2 = rowA;
  let prev = rowB;
  let cur = rowC;
  for (let j = 0; j <= lb; j++) prev[j] = j;
  let prevRowMin = 0;
  for (let i = 1; i <= la; i++) {
    cur[0] = i;
    let rowMin = i;
    const ai = a.charCodeAt(i - 1);
    for (let j = 1; j <= lb; j++) {
      const bj = b.charCodeAt(j - 1);
      let v = Math.min((prev[j] as number) + 1, (cur[j - 1] as number) + 1, (prev[j - 1] as number) + (ai === bj ? 0 : 1));
      if (i > 1 && j > 1 && ai === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === bj) v = Math.min(v, (prev2[j - 2] as number) + 1);
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    // every later cell is ≥ min(this row's minimum, the previous row's minimum + 1)
    if (rowMin > limit && prevRowMin >= limit) return limit + 1;
    prevRowMin = rowMin;
    const t = prev2;
    prev2 = prev;
    prev = cur;
    cur = t;
  }
  return prev[lb] as number;
}

/** Similarity of two words counted by the fuzzy measure: 1 − OSA/maxLen when ≥ 0.75, else 0. */
function charSimilarity(a: string, b: string): number {
  if (a === b) return 1;
  const max = Math.max(a.length, b.length);
  if (Math.abs(a.length - b.length) > 0.25 * max) return 0;
  const s = 1 - osaDistance(a, b, Math.floor(0.25 * max)) / max;
  return s >= 0.75 ? s : 0;
}

// ---------------------------------------------------------------------------------------------
// Meaning: what a normalised or fuzzy match may differ in

/** A word as the meaning guard sees it: "doesn't" is two of them, "does" and "not". */
interface MeaningToken {
  key: string;
  /** as shown in a reason: the original spelling, or the expanded word ("not" from "n't") */
  shown: string;
  /** capitalised inside a sentence (or after a title): a name, so it must match exactly */
  name: boolean;
}

/** Numbers stay whole with their separators ("3.5", "10:30", "1,200", "2024-03-05", "3rd"). */
const MEANING_TOKEN_RE = /\p{N}+(?:[.,:/-]\p{N}+)*[\p{L}\p{M}]*|[\p{L}\p{N}][\p{L}\p{N}\p{M}]*(?:['\u2019\u02BC][\p{L}\p{M}]+)*/gu;
const NUMERIC_RE = /\p{N}/u;
const UPPER_START_RE = /^\p{Lu}/u;
const SENTENCE_GAP_RE = /[.!?:;\n\r\u2028\u2029]/;
const TITLES = new Set(['mr', 'mrs', 'ms', 'mx', 'dr']);
const NT_RE = /^(.+)n't$/;
const CLITIC_RE = /^(.+)'([a-z]+)$/;

function meaningTokens(text: string): MeaningToken[] {
  // dashes and apostrophes as the normalised pass sees them ("1–2" = "1-2"), case kept for names
  const s = text.replace(CHAR_MAP_RE, (ch) => CHAR_MAP[ch] ?? ch);
  const out: MeaningToken[] = [];
  let prevEnd = -1;
  let prevKey = '';
  MEANING_TOKEN_RE.lastIndex = 0;
  for (let m = MEANING_TOKEN_RE.exec(s); m !== null; m = MEANING_TOKEN_RE.exec(s)) {
    const raw = m[0];
    const key = tokenKey(raw);
    // a capital after the start of a sentence is a name (or an acronym); "Mr. Diaz" is one too
    const sentenceStart = prevEnd < 0 || (SENTENCE_GAP_RE.test(s.slice(prevEnd, m.index)) && !TITLES.has(prevKey));
    const name = !sentenceStart && UPPER_START_RE.test(raw);
    prevEnd = m.index + raw.length;
    prevKey = key;
    const push = (k: string, shown = k): void => {
      out.push({ key: k, shown, name });
    };
    if (NUMERIC_RE.test(key)) {
      push(key, raw);
      continue;
    }
    const nt = NT_RE.exec(key);
    if (nt) {
      const stem = nt[1] as string;
      push(NT_STEMS.get(stem) ?? stem);
      push('not');
      continue;
    }
    const clitic = CLITIC_RE.exec(key);
    const expanded = clitic ? CLITICS.get(clitic[2] as string) : undefined;
    if (clitic && expanded !== undefined) {
      push(clitic[1] as string);
      push(expanded);
      continue;
    }
    const bare = BARE_CONTRACTIONS.get(key);
    if (bare) {
      for (const k of bare) push(k);
      continue;
    }
    push(key, raw);
  }
  return out;
}

type MeaningKind = 'negation' | 'number or date' | 'opposite' | 'person' | 'modal' | 'quantifier' | 'word order' | 'word';
const KIND_RANK: Record<MeaningKind, number> = {
  negation: 0, 'number or date': 1, opposite: 2, person: 3, modal: 4, quantifier: 5, 'word order': 6, word: 7,
};

function isPersonWord(key: string): boolean {
  return PRONOUNS.has(key) || PEOPLE.has(key) || (key.length > 3 && key.endsWith('s') && PEOPLE.has(key.slice(0, -1)));
}

/** The class of a word that carries meaning on its own, or undefined for an ordinary word. */
function wordClass(t: MeaningToken): MeaningKind | undefined {
  const k = t.key;
  if (NEGATORS.has(k)) return 'negation';
  // "May" inside a sentence is the month, "may" the modal
  if (MODALS.has(k) && !(t.name && DATE_WORDS.has(k))) return 'modal';
  if (NUMERIC_RE.test(k) || NUMBER_WORDS.has(k) || DATE_WORDS.has(k)) return 'number or date';
  if (t.name || isPersonWord(k)) return 'person';
  if (QUANTIFIERS.has(k)) return 'quantifier';
  return undefined;
}

/** "employed"/"unemployed", "home"/"homeless", "hopeful"/"hopeless". */
function negatedForms(a: string, b: string): boolean {
  const [short, long] = a.length <= b.length ? [a, b] : [b, a];
  if (short.length < 2) return false;
  for (const p of NEGATING_PREFIXES) if (long.length === short.length + p.length && long.startsWith(p) && long.endsWith(short)) return true;
  for (const x of NEGATING_SUFFIXES) {
    if (!long.endsWith(x)) continue;
    const stem = long.slice(0, -x.length);
    if (stem.length >= 2 && (short === stem || short === `${stem}ful` || short === `${stem}fully`)) return true;
  }
  return false;
}

const VOWELS = new Set(['a', 'e', 'i', 'o', 'u', 'y']);

/**
 * Whether two different words are the same word misspelt. Without a dictionary this has to be
 * narrow, since one letter turns many words into others ("hired"/"fired", "court"/"count",
 * "medication"/"meditation"): same first letter (or its first two swapped); one edit, or two in
 * words of nine letters or more; an edit is a letter added or dropped (words of four letters or
 * more: "job"/"jobs" is not a typo), two neighbours swapped ("recieved", "teh"), or, in words of
 * six letters or more, one vowel for another ("seperate", "definately").
 */
function isTypo(a: string, b: string): boolean {
  if (!/^\p{L}+$/u.test(a) || !/^\p{L}+$/u.test(b)) return false;
  const la = a.length;
  const lb = b.length;
  const max = Math.max(la, lb);
  const min = Math.min(la, lb);
  if (min < 3 || Math.abs(la - lb) > 2) return false;
  if (a[0] !== b[0] && !(a[0] === b[1] && a[1] === b[0])) return false;
  const limit = max >= 9 ? 2 : 1;
  const vowelSub = max >= 6 ? 1 : limit + 1;
  const indel = min >= 4 ? 1 : limit + 1;
  // weighted optimal string alignment distance over the edits allowed above
  const w = lb + 1;
  const d = new Float64Array((la + 1) * w);
  for (let i = 0; i <= la; i++) d[i * w] = i * indel;
  for (let j = 0; j <= lb; j++) d[j] = j * indel;
  for (let i = 1; i <= la; i++) {
    for (let j = 1; j <= lb; j++) {
      const x = a[i - 1] as string;
      const y = b[j - 1] as string;
      const sub = x === y ? 0 : VOWELS.has(x) && VOWELS.has(y) ? vowelSub : limit + 1;
      let v = Math.min((d[(i - 1) * w + j] as number) + indel, (d[i * w + j - 1] as number) + indel, (d[(i - 1) * w + j - 1] as number) + sub);
      if (i > 1 && j > 1 && x === b[j - 2] && a[i - 2] === y && x !== y) v = Math.min(v, (d[(i - 2) * w + j - 2] as number) + 1);
      d[i * w + j] = v;
    }
  }
  return (d[la * w + lb] as number) <= limit;
}

const substitutionMemo = new Map<string, MeaningKind | null>();

/** Why the quote's word `q` in place of the note's word `s` changes the meaning, or undefined if it does not. */
function substitutionKind(q: MeaningToken, s: MeaningToken): MeaningKind | undefined {
  if (q.key === s.key) return undefined;
  const memoKey = `${q.name ? 'N' : 'w'}${s.name ? 'N' : 'w'}${q.key}\u0000${s.key}`;
  const hit = substitutionMemo.get(memoKey);
  if (hit !== undefined) return hit ?? undefined;
  const kind = judgeSubstitution(q, s);
  if (substitutionMemo.size > 50_000) substitutionMemo.clear();
  substitutionMemo.set(memoKey, kind ?? null);
  return kind;
}

function judgeSubstitution(q: MeaningToken, s: MeaningToken): MeaningKind | undefined {
  const cq = wordClass(q);
  const cs = wordClass(s);
  if (cq === 'negation' || cs === 'negation' || negatedForms(q.key, s.key)) return 'negation';
  if (cq === 'number or date' || cs === 'number or date') return 'number or date';
  if (cq === 'person' || cs === 'person') return 'person';
  if (areOpposites(q.key, s.key)) return 'opposite';
  if (cq !== undefined || cs !== undefined) return cq ?? cs;
  if (FREE_WORDS.has(q.key) && FREE_WORDS.has(s.key)) return undefined;
  if (CLITIC_FORMS.get(q.key)?.has(s.key) === true || CLITIC_FORMS.get(s.key)?.has(q.key) === true) return undefined;
  if (isTypo(q.key, s.key)) return undefined;
  return 'word';
}

/** What the ambiguous clitics stand for: "he's" is "he is" or "he has", "she'd" "she had" or "she would". */
const CLITIC_FORMS = new Map([["'s", new Set(['is', 'has'])], ["'d", new Set(['had', 'would'])]]);

interface MeaningOp {
  kind: MeaningKind;
  text: string;
}

/**
 * Two words that may be written as one ("child care"/"childcare", "full time"/"fulltime"):
 * neither is a negation, number, modal or quantifier ("not able"/"notable", "a lot"/"alot").
 */
function joinable(a: MeaningToken, b: MeaningToken): boolean {
  const ok = (k: MeaningKind | undefined): boolean => k === undefined || k === 'person';
  return ok(wordClass(a)) && ok(wordClass(b));
}

const FORGIVEN = 1;
const MEANINGFUL = 1_000_000;

/**
 * The cheapest word alignment of quote and span, counting first the differences that change
 * meaning and then the forgiven ones; returns the differences that change meaning, in order.
 */
function meaningOps(q: MeaningToken[], s: MeaningToken[]): MeaningOp[] {
  const m = q.length;
  const n = s.length;
  if (m === n && q.every((t, i) => t.key === (s[i] as MeaningToken).key)) return [];
  const w = n + 1;
  const cost = new Float64Array((m + 1) * w);
  // 1 sub/match, 2 quote word not in the note, 3 note word not in the quote, 4 swap of two
  // neighbours, 5 two quote words written as one in the note ("child care"/"childcare"), 6 the reverse
  const move = new Uint8Array((m + 1) * w);
  const indel = (t: MeaningToken): number => (FREE_WORDS.has(t.key) && !t.name ? FORGIVEN : MEANINGFUL);
  for (let i = 1; i <= m; i++) {
    cost[i * w] = (cost[(i - 1) * w] as number) + indel(q[i - 1] as MeaningToken);
    move[i * w] = 2;
  }
  for (let j = 1; j <= n; j++) {
    cost[j] = (cost[j - 1] as number) + indel(s[j - 1] as MeaningToken);
    move[j] = 3;
  }
  for (let i = 1; i <= m; i++) {
    const qi = q[i - 1] as MeaningToken;
    for (let j = 1; j <= n; j++) {
      const sj = s[j - 1] as MeaningToken;
      let best = (cost[(i - 1) * w + j - 1] as number) + (qi.key === sj.key ? 0 : substitutionKind(qi, sj) === undefined ? FORGIVEN : MEANINGFUL);
      let mv = 1;
      const del = (cost[(i - 1) * w + j] as number) + indel(qi);
      if (del < best) {
        best = del;
        mv = 2;
      }
      const ins = (cost[i * w + j - 1] as number) + indel(sj);
      if (ins < best) {
        best = ins;
        mv = 3;
      }
      if (i > 1 && j > 1 && qi.key !== sj.key && qi.key === (s[j - 2] as MeaningToken).key && (q[i - 2] as MeaningToken).key === sj.key) {
        const swap = (cost[(i - 2) * w + j - 2] as number) + MEANINGFUL;
        if (swap < best) {
          best = swap;
          mv = 4;
        }
      }
      if (i > 1 && (q[i - 2] as MeaningToken).key + qi.key === sj.key && joinable(q[i - 2] as MeaningToken, qi)) {
        const joined = (cost[(i - 2) * w + j - 1] as number) + FORGIVEN;
        if (joined < best) {
          best = joined;
          mv = 5;
        }
      }
      if (j > 1 && (s[j - 2] as MeaningToken).key + sj.key === qi.key && joinable(s[j - 2] as MeaningToken, sj)) {
        const joined = (cost[(i - 1) * w + j - 2] as number) + FORGIVEN;
        if (joined < best) {
          best = joined;
          mv = 6;
        }
      }
      cost[i * w + j] = best;
      move[i * w + j] = mv;
    }
  }
  const ops: MeaningOp[] = [];
  let i = m;
  let j = n;
  while (i > 0 || j > 0) {
    const mv = move[i * w + j];
    if (mv === 1) {
      const qi = q[i - 1] as MeaningToken;
      const sj = s[j - 1] as MeaningToken;
      const kind = substitutionKind(qi, sj);
      if (kind) ops.push({ kind, text: `${kind} changed: "${qi.shown}" → "${sj.shown}"` });
      i--;
      j--;
    } else if (mv === 2) {
      const qi = q[i - 1] as MeaningToken;
      if (indel(qi) !== FORGIVEN) ops.push({ kind: wordClass(qi) ?? 'word', text: `${wordClass(qi) ?? 'word'} "${qi.shown}" inserted` });
      i--;
    } else if (mv === 3) {
      const sj = s[j - 1] as MeaningToken;
      if (indel(sj) !== FORGIVEN) ops.push({ kind: wordClass(sj) ?? 'word', text: `${wordClass(sj) ?? 'word'} "${sj.shown}" removed` });
      j--;
    } else if (mv === 5) {
      i -= 2;
      j--;
    } else if (mv === 6) {
      i--;
      j -= 2;
    } else {
      const a = q[i - 2] as MeaningToken;
      const b = q[i - 1] as MeaningToken;
      const kinds = [wordClass(a), wordClass(b)].filter((k): k is MeaningKind => k !== undefined);
      const kind = kinds.sort((x, y) => KIND_RANK[x] - KIND_RANK[y])[0] ?? 'word order';
      ops.push({ kind, text: `${kind === 'word order' ? 'word order' : `${kind} word order`} changed: "${a.shown} ${b.shown}" → "${b.shown} ${a.shown}"` });
      i -= 2;
      j -= 2;
    }
  }
  return ops.reverse();
}

function describe(ops: MeaningOp[]): string | undefined {
  if (ops.length === 0) return undefined;
  let first = ops[0] as MeaningOp;
  for (const op of ops) if (KIND_RANK[op.kind] < KIND_RANK[first.kind]) first = op;
  return ops.length === 1 ? first.text : `${first.text} (and ${ops.length - 1} more difference${ops.length > 2 ? 's' : ''})`;
}

/**
 * Why a span of the note does not say what the model's quote says, or undefined when the two
 * differ only in what carries no meaning: whitespace, case, accents, quote and dash styles,
 * punctuation, contractions ("doesn't" = "does not"), typos (see `isTypo`) and the function
 * words of FREE_WORDS (articles, "and", "that", "of", "to", "at", "in", "on", "for", "'s").
 *
 * Anything else is a difference in meaning: a negation ("not", "never", "denies", "without",
 * "n't", "un-"/"in-"/"dis-"… and "-less" forms), a number or date (digits, number words,
 * months, weekdays, "today", "weeks"…), a pair of opposites ("improved"/"worsened"), who is
 * spoken of (pronouns, "son", "landlord", "client", capitalised names), a modal ("can",
 * "should"…), a quantifier ("all", "more", "always"…), two words swapped, or any other word
 * added, dropped or replaced. The reason names the most serious difference: "inserted" means in
 * the quote but not in the note, "removed" in the note but not in the quote, and
 * `changed: "a" → "b"` that the quote says a where the note says b.
 */
export function meaningDifference(quote: string, noteSpan: string): string | undefined {
  return describe(meaningOps(meaningTokens(quote), meaningTokens(noteSpan)));
}

const WORD_CHAR_RE = /[\p{L}\p{N}\p{M}]/u;
const NT_AFTER_RE = /^n?['\u2019\u02BC]t(?![\p{L}\p{N}])/u;

function wordCharAt(text: string, i: number): boolean {
  return i >= 0 && i < text.length && WORD_CHAR_RE.test(text[i] as string);
}

/**
 * Why a span that cuts a word in two says something else than the whole word, or undefined.
 * The exact and normalised passes may match part of a word, and the part can mean the
 * opposite of the word ("employed" in "unemployed", "home" in "homeless", "can" in "cannot",
 * "does" in "doesn't"), another person ("he" in "She") or another number ("2" in "12"). A part
 * that differs only as another word would ("job" in "jobs") is left to the ranking, which
 * prefers whole words.
 */
function cutWordReason(text: string, span: Span): string | undefined {
  const { start, end } = span;
  if (end > start && wordCharAt(text, end - 1)) {
    const rest = text.slice(end);
    if (NT_AFTER_RE.test(rest) && (rest[0] === 'n' || rest[0] === 'N' || /n$/i.test(text.slice(start, end)))) {
      return 'negation "n\'t" cut off the end of the match';
    }
  }
  const cutStart = wordCharAt(text, start - 1) && wordCharAt(text, start);
  const cutEnd = wordCharAt(text, end - 1) && wordCharAt(text, end);
  if (!cutStart && !cutEnd) return undefined;
  const check = (from: number, to: number): string | undefined => {
    let b = from;
    while (wordCharAt(text, b - 1)) b--;
    let e = to;
    while (wordCharAt(text, e)) e++;
    const part = text.slice(from, to);
    const whole = text.slice(b, e);
    const ops = meaningOps(meaningTokens(part), meaningTokens(whole)).filter((op) => op.kind !== 'word');
    return ops.length > 0 ? `${describe(ops) as string}: the match cuts the word "${whole}"` : undefined;
  };
  // the first and the last word of the span, each with the part of it inside the span
  let firstEnd = start;
  while (firstEnd < end && wordCharAt(text, firstEnd)) firstEnd++;
  let lastStart = end;
  while (lastStart > start && wordCharAt(text, lastStart - 1)) lastStart--;
  return (cutStart ? check(start, firstEnd) : undefined) ?? (cutEnd ? check(lastStart, end) : undefined);
}

// ---------------------------------------------------------------------------------------------
// Sentences: one citation never spans two

/** A part of a quote split at a sentence boundary must have at least this many words. */
export const MIN_SENTENCE_PART_WORDS = 3;

let sentenceCache: { text: string; value: Sentence[] } | undefined;
function noteSentences(text: string): Sentence[] {
  if (sentenceCache?.text !== text) sentenceCache = { text, value: segmentSentences(text) };
  return sentenceCache.value;
}

function countWords(s: string): number {
  TOKEN_RE.lastIndex = 0;
  let k = 0;
  while (TOKEN_RE.exec(s) !== null) k++;
  return k;
}

/** The span cut at the note's sentence boundaries, or why it cannot be. */
function sentenceParts(text: string, span: Span): Span[] | string {
  const sentences = noteSentences(text);
  // first sentence ending after the span starts
  let lo = 0;
  let hi = sentences.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sentences[mid] as Sentence).end <= span.start) lo = mid + 1;
    else hi = mid;
  }
  const parts: Span[] = [];
  for (let k = lo; k < sentences.length && (sentences[k] as Sentence).start < span.end; k++) {
    const s = sentences[k] as Sentence;
    const part = { start: Math.max(span.start, s.start), end: Math.min(span.end, s.end) };
    if (part.end > part.start && HAS_ALNUM_RE.test(text.slice(part.start, part.end))) parts.push(part);
  }
  if (parts.length <= 1) return [span];
  for (const p of parts) {
    const words = countWords(text.slice(p.start, p.end));
    if (words < MIN_SENTENCE_PART_WORDS) {
      return `spans ${parts.length} sentences and the part "${text.slice(p.start, p.end)}" has ${words} word${words === 1 ? '' : 's'}, fewer than ${MIN_SENTENCE_PART_WORDS}`;
    }
  }
  return parts;
}

// ---------------------------------------------------------------------------------------------
// Choosing among occurrences

interface Span {
  start: number;
  end: number;
}

function splitsSurrogate(text: string, i: number): boolean {
  return i > 0 && i < text.length && (text.charCodeAt(i) & 0xfc00) === 0xdc00 && (text.charCodeAt(i - 1) & 0xfc00) === 0xd800;
}

/** Position relative to `near`, smaller is better: inside it, overlapping it, outside; then distance from it. */
function nearKey(span: Span, near: Span | undefined): [number, number] {
  if (!near) return [0, 0];
  const cls = span.start >= near.start && span.end <= near.end ? 0 : span.start < near.end && span.end > near.start ? 1 : 2;
  return [cls, Math.abs(span.start - near.start) + Math.abs(span.end - near.end)];
}

/**
 * Occurrences best first: by position relative to `near`, then whole words before parts of
 * words, then distance from `near`, then not cutting accents off, then the first.
 */
function rankSpans(text: string, spans: Span[], near: Span | undefined): Span[] {
  const keyed = spans.map((s) => {
    const [cls, dist] = nearKey(s, near);
    // whole words before parts of words; a letter is cut from its accents only when nothing else fits
    const cutsWord = cutsWordAt(text, s.start) || cutsWordAt(text, s.end) ? 1 : 0;
    const cutsCluster = isCombiningAt(text, s.start) || (s.end < text.length && isCombiningAt(text, s.end)) ? 1 : 0;
    return { s, key: [cls, cutsWord, dist, cutsCluster, s.start] };
  });
  keyed.sort((a, b) => (lexLess(a.key, b.key) ? -1 : lexLess(b.key, a.key) ? 1 : 0));
  return keyed.map((k) => k.s);
}

const ALNUM_RE = /[\p{L}\p{N}\p{M}]/u;

/** Whether offset i lies inside a word (alphanumerics on both sides of it). */
function cutsWordAt(text: string, i: number): boolean {
  if (i <= 0 || i >= text.length) return false;
  const before = text.charCodeAt(i - 1);
  const prev = (before & 0xfc00) === 0xdc00 && i >= 2 ? text.slice(i - 2, i) : text[i - 1] as string;
  const next = String.fromCodePoint(text.codePointAt(i) as number);
  return ALNUM_RE.test(prev) && ALNUM_RE.test(next);
}

function lexLess(a: number[], b: number[]): boolean {
  for (let i = 0; i < a.length; i++) {
    if ((a[i] as number) !== (b[i] as number)) return (a[i] as number) < (b[i] as number);
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// The three passes

function exactSpans(text: string, quote: string, from: number): Span[] {
  const spans: Span[] = [];
  if (quote === '') return spans;
  for (let k = text.indexOf(quote, from); k >= 0; k = text.indexOf(quote, k + 1)) {
    const end = k + quote.length;
    if (!splitsSurrogate(text, k) && !splitsSurrogate(text, end)) spans.push({ start: k, end });
  }
  return spans;
}

function normalizedSpans(text: string, nq: string, from: number): Span[] {
  const spans: Span[] = [];
  if (nq === '') return spans;
  const { norm, starts, ends } = noteNorm(text);
  for (let k = norm.indexOf(nq); k >= 0; k = norm.indexOf(nq, k + 1)) {
    const start = starts[k] as number;
    const end = ends[k + nq.length - 1] as number;
    if (start >= from && end > start) spans.push({ start, end });
  }
  return spans;
}

/** How many fuzzy windows are checked for meaning, best first, before the quote is given up. */
const MAX_FUZZY_CANDIDATES = 16;

/**
 * Fuzzy token alignment. Both texts are cut into words (/[\p{L}\p{N}]+/ plus combining marks),
 * compared accent- and case-insensitively. A word weighs 1, a function word (the, a, of, she…)
 * 0.3. The cost of aligning the quote with a window of note words is a weighted edit distance
 * over words: leaving out or adding a word costs its weight, putting one word for another
 * costs max(weights) × (1 − charSim), where charSim = 1 − OSA distance / longer length when that
 * is ≥ 0.75 (a typo such as "apartmnt"/"apartment", "lease"/"leases") and 0 otherwise.
 *
 *   similarity = 1 − cost / max(weight of the quote, weight of the window)
 *
 * Returns the windows (the best one ending at each note word, any start at or after `from`)
 * with a similarity at or above the threshold, best first: highest similarity, then nearest
 * `near`, then the first. The similarity only finds candidates; whether one may stand for the
 * quote is decided by `meaningDifference`. O(quote words × note words).
 */
function fuzzyPass(text: string, quote: string, from: number, near: Span | undefined, threshold: number): { span: Span; similarity: number }[] {
  const q = tokenize(quote);
  if (q.length === 0) return [];
  const all = noteTokens(text);
  let first = 0;
  while (first < all.length && (all[first] as Token).start < from) first++;
  const t = first === 0 ? all : all.slice(first);
  const n = t.length;
  const m = q.length;
  if (n === 0) return [];

  // word-vs-word costs, computed once per distinct note word
  const ids = new Map<string, number>();
  const tid = new Int32Array(n);
  for (let j = 0; j < n; j++) {
    const key = (t[j] as Token).key;
    let id = ids.get(key);
    if (id === undefined) {
      id = ids.size;
      ids.set(key, id);
    }
    tid[j] = id;
  }
  const keys = [...ids.keys()];
  const subCost: Float64Array[] = q.map((qt) => {
    const row = new Float64Array(keys.length);
    for (let u = 0; u < keys.length; u++) {
      const key = keys[u] as string;
      const w = Math.max(qt.weight, STOPWORDS.has(key) ? STOPWORD_WEIGHT : 1);
      row[u] = w * (1 - charSimilarity(qt.key, key));
    }
    return row;
  });

  const wq = q.reduce((s, x) => s + x.weight, 0);
  const prefix = new Float64Array(n + 1);
  for (let j = 0; j < n; j++) prefix[j + 1] = (prefix[j] as number) + (t[j] as Token).weight;

  // a compound written as one word on one side and two on the other ("child care"/"childcare",
  // "full-time"/"fulltime") aligns at no cost: the id of each pair of quote words joined, and
  // for each note word the quote words equal to it joined with the note word before it
  const qJoin = new Int32Array(m + 1).fill(-1);
  for (let i = 2; i <= m; i++) qJoin[i] = ids.get((q[i - 2] as Token).key + (q[i - 1] as Token).key) ?? -1;
  const pairs = notePairs(text);
  const joinAt = new Map<number, number[]>(); // note position j → quote positions i
  q.forEach((x, i) => {
    for (const k of pairs.get(x.key) ?? []) {
      const j = k - first + 1;
      if (j < 2) continue;
      const at = joinAt.get(j);
      if (at) at.push(i + 1);
      else joinAt.set(j, [i + 1]);
    }
  });

  // D[i] for the current note position j: min cost of aligning q[0..i) with t[s..j), free s
  let prev2D = new Float64Array(m + 1);
  let prev2S = new Int32Array(m + 1);
  let prevD = new Float64Array(m + 1);
  let prevS = new Int32Array(m + 1);
  let curD = new Float64Array(m + 1);
  let curS = new Int32Array(m + 1);
  for (let i = 1; i <= m; i++) {
    prevD[i] = (prevD[i - 1] as number) + (q[i - 1] as Token).weight;
    prevS[i] = 0;
  }
  const EPS = 1e-9;
  const found: { span: Span; similarity: number; key: number[] }[] = [];
  for (let j = 1; j <= n; j++) {
    const tj = t[j - 1] as Token;
    const id = tid[j - 1] as number;
    curD[0] = 0;
    curS[0] = j;
    for (let i = 1; i <= m; i++) {
      let d = (prevD[i - 1] as number) + ((subCost[i - 1] as Float64Array)[id] as number);
      let s = i === 1 ? j - 1 : (prevS[i - 1] as number);
      const del = (curD[i - 1] as number) + (q[i - 1] as Token).weight;
      if (del < d - EPS) {
        d = del;
        s = curS[i - 1] as number;
      }
      const ins = (prevD[i] as number) + tj.weight;
      if (ins < d - EPS) {
        d = ins;
        s = prevS[i] as number;
      }
      if (i >= 2 && qJoin[i] === id && (prevD[i - 2] as number) < d - EPS) {
        d = prevD[i - 2] as number;
        s = i === 2 ? j - 1 : (prevS[i - 2] as number);
      }
      curD[i] = d;
      curS[i] = s;
    }
    for (const i of joinAt.size > 0 ? (joinAt.get(j) ?? []) : []) {
      if ((prev2D[i - 1] as number) < (curD[i] as number) - EPS) {
        curD[i] = prev2D[i - 1] as number;
        curS[i] = i === 1 ? j - 2 : (prev2S[i - 1] as number);
        // later cells of this row may now be cheaper
        for (let k = i + 1; k <= m; k++) {
          const del = (curD[k - 1] as number) + (q[k - 1] as Token).weight;
          if (del < (curD[k] as number) - EPS) {
            curD[k] = del;
            curS[k] = curS[k - 1] as number;
          }
        }
      }
    }
    const s = curS[m] as number;
    if (s < j) {
      const ww = (prefix[j] as number) - (prefix[s] as number);
      const sim = 1 - (curD[m] as number) / Math.max(wq, ww);
      if (sim > 0 && sim >= threshold - EPS) {
        const span = { start: (t[s] as Token).start, end: tj.end };
        const [cls, dist] = nearKey(span, near);
        found.push({ span, similarity: Math.min(1, sim), key: [cls, dist, span.start] });
      }
    }
    [prev2D, prevD, curD] = [prevD, curD, prev2D];
    [prev2S, prevS, curS] = [prevS, curS, prev2S];
  }
  found.sort((a, b) => {
    if (Math.abs(a.similarity - b.similarity) > EPS) return b.similarity - a.similarity;
    return lexLess(a.key, b.key) ? -1 : lexLess(b.key, a.key) ? 1 : 0;
  });
  return found;
}

// ---------------------------------------------------------------------------------------------

const ELLIPSIS_SPLIT_RE = /\s*(?:\[\s*(?:\.{3,}|…)\s*\]|\(\s*(?:\.{3,}|…)\s*\)|\.{3,}|…)\s*/u;
const ELLIPSIS_SPLIT_ALL_RE = new RegExp(ELLIPSIS_SPLIT_RE.source, 'gu');
const EDGE_PUNCT_RE = /^[\s\p{P}]+|[\s\p{P}]+$/gu;

function citation(text: string, span: Span, match: Citation['match'], similarity: number): Citation {
  return { start: span.start, end: span.end, quote: text.slice(span.start, span.end), match, similarity };
}

/** An occurrence that may stand for the quote, as citations (one per sentence it covers). */
interface Accepted {
  span: Span;
  citations: Citation[];
}

interface Ctx {
  text: string;
  near: Span | undefined;
  threshold: number;
  /** why the best occurrence found so far was not kept */
  rejected: string | undefined;
  /** occurrences not kept, for the quote being aligned */
  rejectedSpans: Span[];
}

/**
 * Whether a span found for `quote` may be stored as its citation: it must not cut a negation
 * off a word, must (unless it is the quote itself) say what the quote says, and is cut at
 * sentence boundaries into parts of a few words each.
 */
function accept(ctx: Ctx, quoteTokens: (() => MeaningToken[]) | undefined, span: Span, match: Citation['match'], similarity: number): Accepted | undefined {
  const { text } = ctx;
  // A worse alignment of a place already rejected (a window padded with a word, or cut
  // shorter) must not win where the best one did not.
  if (ctx.rejectedSpans.some((r) => r.start < span.end && span.start < r.end)) return undefined;
  const found = text.slice(span.start, span.end);
  let reason = cutWordReason(text, span);
  if (reason === undefined && quoteTokens !== undefined) reason = describe(meaningOps(quoteTokens(), meaningTokens(found)));
  const parts = reason === undefined ? sentenceParts(text, span) : reason;
  if (typeof parts === 'string') {
    ctx.rejected ??= `${match} match "${found}" rejected: ${parts}`;
    ctx.rejectedSpans.push(span);
    return undefined;
  }
  return { span, citations: parts.map((p) => citation(text, p, match, similarity)) };
}

function firstAccepted(ctx: Ctx, spans: Span[], quoteTokens: (() => MeaningToken[]) | undefined, match: Citation['match']): Accepted | undefined {
  if (spans.length === 0) return undefined;
  for (const span of spans.length === 1 ? spans : rankSpans(ctx.text, spans, ctx.near)) {
    const a = accept(ctx, quoteTokens, span, match, 1);
    if (a) return a;
  }
  return undefined;
}

/** Aligns one quote (no ellipsis handling) at or after `from`. */
function alignOne(ctx: Ctx, quote: string, from: number, fuzzy: boolean): Citation[] | undefined {
  const { text, near } = ctx;
  ctx.rejectedSpans = [];
  const trimmed = quote.trim();
  const exact = firstAccepted(ctx, exactSpans(text, quote, from), undefined, 'exact') ??
    (trimmed !== quote ? firstAccepted(ctx, exactSpans(text, trimmed, from), undefined, 'exact') : undefined);
  const nq = normalizeQuote(quote);
  let tokens: MeaningToken[] | undefined;
  const qTokens = (): MeaningToken[] => (tokens ??= meaningTokens(quote));
  if (exact) {
    // An exact match wins, unless `near` points elsewhere: when a normalised match lies in the
    // cited range and the exact one does not (or the normalised one is the cited range itself),
    // the model meant the normalised one.
    const [ec, ed] = nearKey(exact.span, near);
    if (near && (ec > 0 || ed > 0)) {
      const norm = firstAccepted(ctx, normalizedSpans(text, nq, from), qTokens, 'normalized');
      if (norm) {
        const [nc, nd] = nearKey(norm.span, near);
        if (nc < ec || (nc === ec && nd === 0)) return norm.citations;
      }
    }
    return exact.citations;
  }
  const norm = firstAccepted(ctx, normalizedSpans(text, nq, from), qTokens, 'normalized');
  if (norm) return norm.citations;
  const bare = nq.replace(EDGE_PUNCT_RE, '');
  if (bare !== nq && HAS_ALNUM_RE.test(bare)) {
    const b = firstAccepted(ctx, normalizedSpans(text, bare, from), qTokens, 'normalized');
    if (b) return b.citations;
  }
  if (!fuzzy) return undefined;
  const candidates = fuzzyPass(text, quote, from, near, ctx.threshold);
  for (const f of candidates.slice(0, MAX_FUZZY_CANDIDATES)) {
    const a = accept(ctx, qTokens, f.span, 'fuzzy', f.similarity);
    if (a) return a.citations;
  }
  return undefined;
}

function alignParts(ctx: Ctx, parts: string[]): Citation[] | null {
  const out: Citation[] = [];
  let from = 0;
  for (const part of parts) {
    const cs = alignOne(ctx, part, from, true);
    if (!cs) return null;
    out.push(...cs);
    from = (cs[cs.length - 1] as Citation).end;
  }
  return out;
}

/**
 * Finds a quote in the note: exactly, then after normalising whitespace, quotes, dashes and
 * case, then by fuzzy token alignment. A normalised or fuzzy match is kept only when it says
 * what the quote says (`meaningDifference`); a match that runs over several sentences becomes
 * one citation per sentence, or is rejected when a part would have fewer than
 * MIN_SENTENCE_PART_WORDS words. Returns verified citations (one per part of a quote with
 * ellipses, and per sentence) with `text.slice(start, end) === quote`, or null when the quote
 * is not in the note.
 */
export function alignQuote(text: string, quote: string, opts: AlignOptions = {}): Citation[] | null {
  if (!HAS_ALNUM_RE.test(quote)) return null; // empty, whitespace or punctuation only
  const ctx: Ctx = { text, near: opts.near, threshold: opts.fuzzyThreshold ?? DEFAULT_FUZZY_THRESHOLD, rejected: undefined, rejectedSpans: [] };
  const hasEllipsis = ELLIPSIS_SPLIT_RE.test(quote);
  // the whole quote first: a note may itself contain "..."
  let result: Citation[] | null = alignOne(ctx, quote, 0, !hasEllipsis) ?? null;
  if (!result && hasEllipsis) {
    const parts = quote.split(ELLIPSIS_SPLIT_ALL_RE).filter((p) => HAS_ALNUM_RE.test(p));
    if (parts.length === 0) return null;
    result = alignParts(ctx, parts);
    // the parts nearest `near` may not come in order; then take the first occurrences in order
    if (!result && ctx.near) result = alignParts({ ...ctx, near: undefined }, parts);
  }
  if (!result) {
    if (ctx.rejected !== undefined) opts.onReject?.(ctx.rejected);
    return null;
  }
  // the contract, checked rather than trusted
  return result.every((c) => c.start < c.end && text.slice(c.start, c.end) === c.quote) ? result : null;
}
