import { z } from 'zod';

/**
 * The scoring contract. A Scorer turns one note into tags; every tag carries citations whose
 * offsets were verified against the note text. Models quote; caselens finds the quotes.
 */
export const directionSchema = z.enum(['strength', 'concern', 'improvement', 'deterioration']);
export type Direction = z.infer<typeof directionSchema>;
export const tagStatusSchema = z.enum(['current', 'historical', 'negated']);
export type TagStatus = z.infer<typeof tagStatusSchema>;
export const matchKindSchema = z.enum(['exact', 'normalized', 'fuzzy', 'position']);
export type MatchKind = z.infer<typeof matchKindSchema>;

/** A verified span of the note: `text.slice(start, end) === quote`, UTF-16 code units, half-open. */
export interface Citation {
  start: number;
  end: number;
  quote: string;
  match: MatchKind;
  /** 1 for exact and normalized matches; the token similarity for fuzzy ones */
  similarity: number;
}

export interface Tag {
  domainId: string;
  indicatorId?: string;
  direction: Direction;
  /** estimated level on the framework's scale, where the note supports one */
  level?: number;
  status: TagStatus;
  confidence: number;
  citations: Citation[];
}

/** Personal data of the note's client, for redaction before text leaves the machine. */
export interface NotePii {
  names: string[];
  dob?: string;
  phone?: string;
  email?: string;
  nationalId?: string;
  address?: string;
}

export interface NoteInput {
  noteId: string;
  text: string;
  textSha256: string;
  writtenAt?: Date;
  /** the programme's own kind of note ("progress", "intake", "phone call"), where it records one */
  noteType?: string;
  pii?: NotePii;
}

export interface Usage {
  requests: number;
  promptTokens: number;
  completionTokens: number;
}

/** Prices of an LLM provider, for cost reports and budgets. */
export interface Pricing {
  /** US dollars per million prompt tokens */
  inputPerMTok: number;
  /** US dollars per million completion tokens */
  outputPerMTok: number;
}

export function costOf(usage: Pick<Usage, 'promptTokens' | 'completionTokens'>, pricing: Pricing): number {
  return (usage.promptTokens * pricing.inputPerMTok + usage.completionTokens * pricing.outputPerMTok) / 1_000_000;
}

export interface ScoreOutcome {
  tags: Tag[];
  /** quotes that could not be found in the note: never stored as evidence */
  rejectedCitations: number;
  /** tags left with no verified citation, so not stored */
  droppedTags: number;
  usage: Usage;
}

export interface Scorer {
  /** 'offline' or 'llm'; stored with every tag */
  readonly kind: 'offline' | 'llm';
  readonly model: string;
  readonly promptVersion: string;
  scoreNote(note: NoteInput, signal?: AbortSignal): Promise<ScoreOutcome>;
}

/** A note that could not be scored; recorded per note, never swallowed. */
export class NoteScoringError extends Error {
  readonly usage: Usage;
  constructor(message: string, usage: Usage = { requests: 0, promptTokens: 0, completionTokens: 0 }, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'NoteScoringError';
    this.usage = usage;
  }
}
