/**
 * Splits a note's sentences into chunks small enough for one LLM request each. Chunks hold
 * whole sentences; a sentence longer than a chunk is cut at whitespace (or, failing that, at a
 * code-point boundary) into pieces. Offsets are never changed: every sentence or piece keeps its
 * [start, end) in the text it came from, so citations map back exactly.
 */
import type { Sentence } from './segment.ts';

export const DEFAULT_MAX_CHUNK_CHARS = 6000;
/** below this, chunks would be mostly prompt overhead */
export const MIN_CHUNK_CHARS = 200;

export interface Chunk {
  /** the sentences of this chunk, numbered 1..n across the whole note (as shown to the model) */
  sentences: Sentence[];
  /** span of the chunk in the text the sentences index */
  start: number;
  end: number;
  /** characters of the numbered lines of the chunk (sentence text plus "[n] " labels) */
  chars: number;
}

/** How one sentence is shown to the model: on one line, inner line breaks as spaces. */
export function displaySentence(text: string): string {
  return text.replace(/\s*[\r\n\u2028\u2029]+\s*/g, ' ').trim();
}

/** "[n] text" lines, one per sentence. */
export function numberedLines(sentences: readonly Sentence[]): string {
  return sentences.map((s) => `[${s.index}] ${displaySentence(s.text)}`).join('\n');
}

/** Cost of one sentence in a chunk: its text plus the "[n] " label and line break. */
function cost(s: Sentence): number {
  return s.text.length + String(s.index).length + 4;
}

/** Cuts an over-long sentence into pieces of at most `max` characters, at whitespace where possible. */
function splitLong(s: Sentence, max: number): Sentence[] {
  const pieces: Sentence[] = [];
  let from = 0;
  const text = s.text;
  while (from < text.length) {
    // skip leading whitespace of a piece
    while (from < text.length && /\s/.test(text[from] ?? '')) from++;
    if (from >= text.length) break;
    let to = Math.min(text.length, from + max);
    if (to < text.length) {
      const ws = text.lastIndexOf(' ', to);
      const nl = Math.max(text.lastIndexOf('\n', to), text.lastIndexOf('\t', to));
      const cut = Math.max(ws, nl);
      if (cut > from) to = cut;
      else {
        // no whitespace: do not cut a surrogate pair in half
        const code = text.charCodeAt(to - 1);
        if (code >= 0xd800 && code <= 0xdbff) to--;
      }
    }
    let end = to;
    while (end > from && /\s/.test(text[end - 1] ?? '')) end--;
    pieces.push({ index: 0, start: s.start + from, end: s.start + end, text: text.slice(from, end) });
    from = to;
  }
  return pieces;
}

/**
 * Groups sentences into chunks of whole sentences whose text fits in `maxChars` (a single
 * sentence longer than that is split into pieces). Sentences are renumbered 1..n across the
 * note, in order, so the numbers the model sees are unique within the note.
 */
export function chunkSentences(sentences: readonly Sentence[], maxChars: number = DEFAULT_MAX_CHUNK_CHARS): Chunk[] {
  const max = Math.max(MIN_CHUNK_CHARS, Math.floor(maxChars));
  const units: Sentence[] = [];
  for (const s of sentences) {
    if (s.text.trim() === '') continue;
    if (s.text.length + 8 > max) units.push(...splitLong(s, max - 8));
    else units.push({ ...s });
  }
  units.forEach((u, i) => (u.index = i + 1));

  const chunks: Chunk[] = [];
  let current: Sentence[] = [];
  let chars = 0;
  const flush = () => {
    const first = current[0];
    const last = current[current.length - 1];
    if (first !== undefined && last !== undefined) chunks.push({ sentences: current, start: first.start, end: last.end, chars });
    current = [];
    chars = 0;
  };
  for (const u of units) {
    const c = cost(u);
    if (current.length > 0 && chars + c > max) flush();
    current.push(u);
    chars += c;
  }
  flush();
  return chunks;
}
