import type { Citation } from './types.ts';

export interface AlignOptions {
  /** prefer the occurrence nearest this range of the note (e.g. the sentence the model cited) */
  near?: { start: number; end: number };
  /** minimum token similarity for a fuzzy match (0..1) */
  fuzzyThreshold?: number;
}

/**
 * Default minimum similarity of a fuzzy match; the measure is described at `fuzzyPass` below.
 * With it: "signed the lease" ~ "signed a lease" (0.87); a typo in one word of a quote of three
 * or more words passes ("signed the lease on a new apartmnt": 0.98); one wrong or missing
 * content word in ten passes (0.90) but two do not (0.80); a quote that shares only half of its
 * words with the note is far below (~0.5); a single word must be nearly exact (≥ 0.85 by
 * characters: "apartmnt" ~ "apartment" passes, "job" ~ "jobs" does not).
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
 * The best of several occurrences: by position relative to `near`, then whole words before
 * parts of words, then distance from `near`, then not cutting accents off, then the first.
 */
function pickBest(text: string, spans: Span[], near: Span | undefined): Span | undefined {
  let best: Span | undefined;
  let bestKey: number[] = [];
  for (const s of spans) {
    const [cls, dist] = nearKey(s, near);
    // whole words before parts of words; a letter is cut from its accents only when nothing else fits
    const cutsWord = cutsWordAt(text, s.start) || cutsWordAt(text, s.end) ? 1 : 0;
    const cutsCluster = isCombiningAt(text, s.start) || (s.end < text.length && isCombiningAt(text, s.end)) ? 1 : 0;
    const key = [cls, cutsWord, dist, cutsCluster, s.start];
    if (best === undefined || lexLess(key, bestKey)) {
      best = s;
      bestKey = key;
    }
  }
  return best;
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

function exactPass(text: string, quote: string, from: number, near: Span | undefined): Span | undefined {
  if (quote === '') return undefined;
  const spans: Span[] = [];
  for (let k = text.indexOf(quote, from); k >= 0; k = text.indexOf(quote, k + 1)) {
    const end = k + quote.length;
    if (!splitsSurrogate(text, k) && !splitsSurrogate(text, end)) spans.push({ start: k, end });
  }
  return pickBest(text, spans, near);
}

function normalizedPass(text: string, nq: string, from: number, near: Span | undefined): Span | undefined {
  if (nq === '') return undefined;
  const { norm, starts, ends } = noteNorm(text);
  const spans: Span[] = [];
  for (let k = norm.indexOf(nq); k >= 0; k = norm.indexOf(nq, k + 1)) {
    const start = starts[k] as number;
    const end = ends[k + nq.length - 1] as number;
    if (start >= from && end > start) spans.push({ start, end });
  }
  return pickBest(text, spans, near);
}

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
 * The window (any run of note words at or after `from`) with the highest similarity wins; ties
 * go to the window nearest `near`, then to the first. O(quote words × note words).
 */
function fuzzyPass(text: string, quote: string, from: number, near: Span | undefined, threshold: number): { span: Span; similarity: number } | undefined {
  const q = tokenize(quote);
  if (q.length === 0) return undefined;
  const all = noteTokens(text);
  let first = 0;
  while (first < all.length && (all[first] as Token).start < from) first++;
  const t = first === 0 ? all : all.slice(first);
  const n = t.length;
  const m = q.length;
  if (n === 0) return undefined;

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

  // D[i] for the current note position j: min cost of aligning q[0..i) with t[s..j), free s
  let prevD = new Float64Array(m + 1);
  let prevS = new Int32Array(m + 1);
  let curD = new Float64Array(m + 1);
  let curS = new Int32Array(m + 1);
  for (let i = 1; i <= m; i++) {
    prevD[i] = (prevD[i - 1] as number) + (q[i - 1] as Token).weight;
    prevS[i] = 0;
  }
  const EPS = 1e-9;
  let best: { span: Span; similarity: number } | undefined;
  let bestKey: number[] = [];
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
      curD[i] = d;
      curS[i] = s;
    }
    const s = curS[m] as number;
    if (s < j) {
      const ww = (prefix[j] as number) - (prefix[s] as number);
      const sim = 1 - (curD[m] as number) / Math.max(wq, ww);
      if (sim > 0 && sim >= threshold - EPS) {
        const span = { start: (t[s] as Token).start, end: tj.end };
        const [cls, dist] = nearKey(span, near);
        const key = [-sim, cls, dist, span.start];
        if (best === undefined || (sim > best.similarity + EPS) || (Math.abs(sim - best.similarity) <= EPS && lexLess(key.slice(1), bestKey.slice(1)))) {
          best = { span, similarity: Math.min(1, sim) };
          bestKey = key;
        }
      }
    }
    [prevD, curD] = [curD, prevD];
    [prevS, curS] = [curS, prevS];
  }
  return best;
}

// ---------------------------------------------------------------------------------------------

const ELLIPSIS_SPLIT_RE = /\s*(?:\[\s*(?:\.{3,}|…)\s*\]|\(\s*(?:\.{3,}|…)\s*\)|\.{3,}|…)\s*/u;
const ELLIPSIS_SPLIT_ALL_RE = new RegExp(ELLIPSIS_SPLIT_RE.source, 'gu');
const EDGE_PUNCT_RE = /^[\s\p{P}]+|[\s\p{P}]+$/gu;

function citation(text: string, span: Span, match: Citation['match'], similarity: number): Citation {
  return { start: span.start, end: span.end, quote: text.slice(span.start, span.end), match, similarity };
}

/** Aligns one quote (no ellipsis handling) at or after `from`. */
function alignOne(text: string, quote: string, from: number, near: Span | undefined, threshold: number, fuzzy: boolean): Citation | undefined {
  const trimmed = quote.trim();
  const exact = exactPass(text, quote, from, near) ?? (trimmed !== quote ? exactPass(text, trimmed, from, near) : undefined);
  const nq = normalizeQuote(quote);
  if (exact) {
    // An exact match wins, unless `near` points elsewhere: when a normalised match lies in the
    // cited range and the exact one does not (or the normalised one is the cited range itself),
    // the model meant the normalised one.
    const [ec, ed] = nearKey(exact, near);
    if (near && (ec > 0 || ed > 0)) {
      const norm = normalizedPass(text, nq, from, near);
      if (norm) {
        const [nc, nd] = nearKey(norm, near);
        if (nc < ec || (nc === ec && nd === 0)) return citation(text, norm, 'normalized', 1);
      }
    }
    return citation(text, exact, 'exact', 1);
  }
  let span = normalizedPass(text, nq, from, near);
  if (span) return citation(text, span, 'normalized', 1);
  const bare = nq.replace(EDGE_PUNCT_RE, '');
  if (bare !== nq && HAS_ALNUM_RE.test(bare)) {
    span = normalizedPass(text, bare, from, near);
    if (span) return citation(text, span, 'normalized', 1);
  }
  if (!fuzzy) return undefined;
  const f = fuzzyPass(text, quote, from, near, threshold);
  return f ? citation(text, f.span, 'fuzzy', f.similarity) : undefined;
}

function alignParts(text: string, parts: string[], near: Span | undefined, threshold: number): Citation[] | null {
  const out: Citation[] = [];
  let from = 0;
  for (const part of parts) {
    const c = alignOne(text, part, from, near, threshold, true);
    if (!c) return null;
    out.push(c);
    from = c.end;
  }
  return out;
}

/**
 * Finds a quote in the note: exactly, then after normalising whitespace, quotes, dashes and
 * case, then by fuzzy token alignment. Returns verified citations (one per part of a quote
 * with ellipses) with `text.slice(start, end) === quote`, or null when it is not in the note.
 */
export function alignQuote(text: string, quote: string, opts: AlignOptions = {}): Citation[] | null {
  if (!HAS_ALNUM_RE.test(quote)) return null; // empty, whitespace or punctuation only
  const threshold = opts.fuzzyThreshold ?? DEFAULT_FUZZY_THRESHOLD;
  const near = opts.near;
  const hasEllipsis = ELLIPSIS_SPLIT_RE.test(quote);
  // the whole quote first: a note may itself contain "..."
  const whole = alignOne(text, quote, 0, near, threshold, !hasEllipsis);
  let result: Citation[] | null = whole ? [whole] : null;
  if (!result && hasEllipsis) {
    const parts = quote.split(ELLIPSIS_SPLIT_ALL_RE).filter((p) => HAS_ALNUM_RE.test(p));
    if (parts.length === 0) return null;
    result = alignParts(text, parts, near, threshold);
    // the parts nearest `near` may not come in order; then take the first occurrences in order
    if (!result && near) result = alignParts(text, parts, undefined, threshold);
  }
  if (!result) return null;
  // the contract, checked rather than trusted
  return result.every((c) => c.start < c.end && text.slice(c.start, c.end) === c.quote) ? result : null;
}
