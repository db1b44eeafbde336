import { createCueMatcher, createIndicatorMatcher, type CueMatch, type Framework, type IndicatorCue } from '../frameworks/index.ts';
import { segmentSentences } from './segment.ts';
import type { Citation, Direction, NoteInput, ScoreOutcome, Scorer, Tag, TagStatus } from './types.ts';

export const OFFLINE_PROMPT_VERSION = 'offline-v1';
export const OFFLINE_MODEL = 'lexicon';

type ContextKind = 'negation' | 'pseudo' | 'historical' | 'hypothetical' | 'terminator' | 'improvement' | 'deterioration';

interface Clause {
  start: number;
  end: number;
}

/** How many words before an indicator a negation still reaches ("denies any recent drug use"). */
const NEGATION_REACH_WORDS = 5;

/**
 * The offline scorer: the framework's cue phrases, read per clause with negation, past-time,
 * hypothetical and change cues. No network, deterministic, and fast. Its citations are the
 * clauses its cues matched in, so every one is exact by construction.
 */
export function createOfflineScorer(framework: Framework): Scorer {
  const indicators = createIndicatorMatcher(framework);
  const context = createCueMatcher<ContextKind>([
    ...framework.negationCues.map((cue) => ({ cue, value: 'negation' as const })),
    ...framework.pseudoNegationCues.map((cue) => ({ cue, value: 'pseudo' as const })),
    ...framework.historicalCues.map((cue) => ({ cue, value: 'historical' as const })),
    ...framework.hypotheticalCues.map((cue) => ({ cue, value: 'hypothetical' as const })),
    ...framework.scopeTerminators.map((cue) => ({ cue, value: 'terminator' as const })),
    ...framework.improvementCues.map((cue) => ({ cue, value: 'improvement' as const })),
    ...framework.deteriorationCues.map((cue) => ({ cue, value: 'deterioration' as const })),
  ]);
  const domainChange = new Map(
    framework.domains.map((d) => [
      d.id,
      createCueMatcher<'improvement' | 'deterioration'>([
        ...(d.improvementCues ?? []).map((cue) => ({ cue, value: 'improvement' as const })),
        ...(d.deteriorationCues ?? []).map((cue) => ({ cue, value: 'deterioration' as const })),
      ]),
    ]),
  );
  const domainIds = new Set(framework.domains.map((d) => d.id));

  function scoreText(text: string): Tag[] {
    const byKey = new Map<string, Tag>();
    for (const sentence of segmentSentences(text)) {
      const s = text.slice(sentence.start, sentence.end);
      const ctx = context(s);
      const hits = indicators(s);
      if (hits.length === 0) continue;
      const clauses = splitClauses(s, ctx);
      for (const hit of hits) {
        if (!domainIds.has(hit.value.domainId)) continue;
        const clause = clauses.find((c) => hit.start >= c.start && hit.start < c.end) ?? { start: 0, end: s.length };
        const inClause = ctx.filter((c) => c.start >= clause.start && c.end <= clause.end);
        if (inClause.some((c) => c.value === 'hypothetical' && c.start < hit.start)) continue;
        const status = statusOf(s, hit, inClause);
        const direction = directionOf(s, hit, inClause, domainChange.get(hit.value.domainId)!(s.slice(clause.start, clause.end)), status);
        const finalStatus: TagStatus = status === 'negated' && direction !== 'concern' ? 'current' : status;
        const finalDirection: Direction = status === 'negated' && hit.value.direction === 'strength' ? 'concern' : direction;
        const citation = clauseCitation(text, sentence.start + clause.start, sentence.start + clause.end);
        if (!citation) continue;
        const key = `${hit.value.domainId}|${finalDirection}|${finalStatus}`;
        const existing = byKey.get(key);
        if (existing) {
          if (!existing.citations.some((c) => c.start === citation.start)) existing.citations.push(citation);
          existing.confidence = Math.min(0.9, existing.confidence + 0.1);
        } else {
          byKey.set(key, {
            domainId: hit.value.domainId,
            indicatorId: hit.value.indicatorId,
            direction: finalDirection,
            status: finalStatus,
            confidence: 0.6,
            citations: [citation],
          });
        }
      }
    }
    return [...byKey.values()];
  }

  return {
    kind: 'offline',
    model: OFFLINE_MODEL,
    promptVersion: `${OFFLINE_PROMPT_VERSION}+${framework.id}@${framework.version}`,
    async scoreNote(note: NoteInput): Promise<ScoreOutcome> {
      return { tags: scoreText(note.text), rejectedCitations: 0, droppedTags: 0, usage: { requests: 0, promptTokens: 0, completionTokens: 0 } };
    },
  };
}

/** Clauses of a sentence: split at scope terminators and at " - ", " — ", ";" and ":". */
function splitClauses(s: string, ctx: CueMatch<ContextKind>[]): Clause[] {
  const cuts = new Set<number>();
  for (const c of ctx) if (c.value === 'terminator') cuts.add(c.start);
  for (const m of s.matchAll(/\s[-–—]\s|;|:\s|,\s(?=(?:and|but|so)\s)/g)) cuts.add(m.index);
  const sorted = [...cuts].filter((c) => c > 0).sort((a, b) => a - b);
  const clauses: Clause[] = [];
  let start = 0;
  for (const cut of sorted) {
    clauses.push({ start, end: cut });
    start = cut;
  }
  clauses.push({ start, end: s.length });
  return clauses;
}

function wordsBetween(s: string, from: number, to: number): number {
  return (s.slice(from, to).match(/[\p{L}\p{N}]+/gu) ?? []).length;
}

function statusOf(s: string, hit: CueMatch<IndicatorCue>, inClause: CueMatch<ContextKind>[]): TagStatus {
  const negation = inClause.find(
    (c) => c.value === 'negation' && c.end <= hit.start && wordsBetween(s, c.end, hit.start) <= NEGATION_REACH_WORDS &&
      !inClause.some((p) => p.value === 'pseudo' && p.start <= c.start && p.end >= c.end),
  );
  if (negation) return 'negated';
  if (inClause.some((c) => c.value === 'historical')) return 'historical';
  return 'current';
}

function directionOf(
  _s: string, hit: CueMatch<IndicatorCue>, inClause: CueMatch<ContextKind>[], domainChange: CueMatch<'improvement' | 'deterioration'>[], status: TagStatus,
): Direction {
  if (status !== 'current') return hit.value.direction;
  const improving = domainChange.some((c) => c.value === 'improvement') || inClause.some((c) => c.value === 'improvement');
  const worsening = domainChange.some((c) => c.value === 'deterioration') || inClause.some((c) => c.value === 'deterioration');
  if (hit.value.direction === 'strength' && improving && !worsening) return 'improvement';
  if (hit.value.direction === 'concern' && worsening && !improving) return 'deterioration';
  return hit.value.direction;
}

/** The clause as a citation, trimmed of surrounding spaces and punctuation. */
function clauseCitation(text: string, start: number, end: number): Citation | undefined {
  let a = start;
  let b = end;
  while (a < b && /[\s,;:.!?\-–—"'“”‘’()]/.test(text[a]!)) a++;
  while (b > a && /[\s,;:.!?\-–—"'“”‘’()]/.test(text[b - 1]!)) b--;
  // keep a closing bracket or quote that belongs to the clause, and never split a surrogate pair
  if (b < end && /[\uDC00-\uDFFF]/.test(text[b] ?? '')) b++;
  if (a >= b) return undefined;
  return { start: a, end: b, quote: text.slice(a, b), match: 'position', similarity: 1 };
}
