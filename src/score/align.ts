import type { Citation } from './types.ts';

export interface AlignOptions {
  /** prefer the occurrence nearest this range of the note (e.g. the sentence the model cited) */
  near?: { start: number; end: number };
  /** minimum token similarity for a fuzzy match (0..1) */
  fuzzyThreshold?: number;
}

/**
 * Finds a quote in the note: exactly, then after normalising whitespace, quotes, dashes and
 * case, then by fuzzy token alignment. Returns verified citations (one per part of a quote
 * with ellipses) with `text.slice(start, end) === quote`, or null when it is not in the note.
 */
export function alignQuote(_text: string, _quote: string, _opts: AlignOptions = {}): Citation[] | null {
  throw new Error('not implemented yet');
}
