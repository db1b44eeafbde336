export interface Sentence {
  /** 1-based, as shown to the model */
  index: number;
  start: number;
  end: number;
  text: string;
}

/** Splits a note into sentences with [start, end) offsets into the original text. */
export function segmentSentences(_text: string): Sentence[] {
  throw new Error('not implemented yet');
}
