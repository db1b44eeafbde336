import { createCueMatcher, createIndicatorMatcher, type CueMatch, type Framework } from '../frameworks/index.ts';
import { segmentSentences } from './segment.ts';
import type { Citation, Direction, NoteInput, ScoreOutcome, Scorer, Tag, TagStatus } from './types.ts';

export const OFFLINE_PROMPT_VERSION = 'offline-v2';
export const OFFLINE_MODEL = 'lexicon';

/** Confidence of a tag found by an indicator cue (raised by 0.1 for each further citation, up to 0.9). */
export const INDICATOR_CONFIDENCE = 0.6;
/** Confidence of a tag found only by a domain topic word and a valence or change word: filter on it to drop them. */
export const TOPIC_CONFIDENCE = 0.4;

type ContextKind = 'negation' | 'pseudo' | 'historical' | 'hypothetical' | 'terminator' | 'improvement' | 'deterioration' | 'nonEvidence';
type Change = 'improvement' | 'deterioration';
type Valence = 'adverse' | 'supportive';

interface Clause {
  start: number;
  end: number;
}

/** One piece of evidence in one clause of a sentence, before tags are merged per note. */
interface Finding {
  domainId: string;
  indicatorId?: string;
  direction: Direction;
  status: TagStatus;
  confidence: number;
  clause: Clause;
}

/** How many words before a cue a negation still reaches ("denies any recent drug use"). */
const NEGATION_REACH_WORDS = 5;
/** How many words before a change cue a negation reaches ("has not improved"). */
const CHANGE_NEGATION_REACH_WORDS = 2;

/**
 * The offline scorer: the framework's cue phrases, read per clause with negation, past-time,
 * hypothetical and change cues. No network, deterministic, and fast. Its citations are the
 * clauses its cues matched in, so every one is exact by construction.
 *
 * Two tiers:
 * - indicator cues ("evicted", "bus pass") are evidence by themselves (confidence 0.6);
 * - a domain's topic cues ("apartment", "commute") are evidence only with a valence word of the
 *   framework in the same clause ("struggling", "reliable"), a change word ("improved", "lost")
 *   or a negated problem word ("no concerns about", "is not a barrier"), and only when the
 *   sentence has no indicator cue of that domain (confidence 0.4).
 * Sentences with a non-evidence cue ("in general terms", "was not discussed") are skipped whole.
 */
export function createOfflineScorer(framework: Framework): Scorer {
  const indicators = createIndicatorMatcher(framework);
  const topics = createCueMatcher(
    framework.domains.flatMap((d) => (d.topicCues ?? []).map((cue) => ({ cue, value: d.id }))),
    { overlapGroup: (v) => v },
  );
  const valence = createCueMatcher<Valence>([
    ...(framework.adverseCues ?? []).map((cue) => ({ cue, value: 'adverse' as const })),
    ...(framework.supportiveCues ?? []).map((cue) => ({ cue, value: 'supportive' as const })),
  ]);
  const context = createCueMatcher<ContextKind>([
    ...framework.negationCues.map((cue) => ({ cue, value: 'negation' as const })),
    ...framework.pseudoNegationCues.map((cue) => ({ cue, value: 'pseudo' as const })),
    ...framework.historicalCues.map((cue) => ({ cue, value: 'historical' as const })),
    ...framework.hypotheticalCues.map((cue) => ({ cue, value: 'hypothetical' as const })),
    ...framework.scopeTerminators.map((cue) => ({ cue, value: 'terminator' as const })),
    ...(framework.nonEvidenceCues ?? []).map((cue) => ({ cue, value: 'nonEvidence' as const })),
    ...framework.improvementCues.map((cue) => ({ cue, value: 'improvement' as const })),
    ...framework.deteriorationCues.map((cue) => ({ cue, value: 'deterioration' as const })),
  ]);
  const domainChange = new Map(
    framework.domains.map((d) => [
      d.id,
      createCueMatcher<Change>([
        ...(d.improvementCues ?? []).map((cue) => ({ cue, value: 'improvement' as const })),
        ...(d.deteriorationCues ?? []).map((cue) => ({ cue, value: 'deterioration' as const })),
      ]),
    ]),
  );
  const domainIds = new Set(framework.domains.map((d) => d.id));

  function scoreSentence(s: string, out: Finding[]): void {
    const hits = indicators(s).filter((h) => domainIds.has(h.value.domainId));
    const topicHits = topics(s);
    if (hits.length === 0 && topicHits.length === 0) return;
    const ctx = context(s);
    if (ctx.some((c) => c.value === 'nonEvidence')) return;
    const clauses = splitClauses(s, ctx);
    const clauseOf = (at: number) => clauses.find((c) => at >= c.start && at < c.end) ?? { start: 0, end: s.length };
    // Negation words inside an indicator cue belong to it ("not sleeping", "no income"): they negate nothing else.
    const negations = ctx.filter(
      (c) => c.value === 'negation' &&
        !ctx.some((p) => p.value === 'pseudo' && p.start <= c.start && p.end >= c.end) &&
        !hits.some((h) => h.start < c.end && c.start < h.end),
    );
    const negatedAt = (c: Clause, start: number, reach: number) =>
      negations.some((n) => n.start >= c.start && n.end <= start && wordsBetween(s, n.end, start) <= reach);
    const changeIn = (domainId: string, c: Clause, skip?: { start: number; end: number; direction: Direction }) => {
      const text = s.slice(c.start, c.end);
      const local = domainChange.get(domainId)!(text).map((m) => ({ ...m, start: m.start + c.start, end: m.end + c.start }));
      // Domain change cues are more specific than the framework's: use them when there are any.
      const found = local.length > 0 ? local : ctx.filter((m): m is CueMatch<Change> => (m.value === 'improvement' || m.value === 'deterioration') && m.start >= c.start && m.end <= c.end);
      const kept = found.filter((m) => {
        if (negatedAt(c, m.start, CHANGE_NEGATION_REACH_WORDS)) return false;
        // a change cue inside the indicator cue counts only when it agrees with it ("moved into", not "daycare closed")
        if (skip && m.start < skip.end && skip.start < m.end) return (m.value === 'improvement') === (skip.direction === 'strength');
        return true;
      });
      return { improving: kept.some((m) => m.value === 'improvement'), worsening: kept.some((m) => m.value === 'deterioration') };
    };

    const covered = new Set<string>();
    for (const hit of hits) {
      covered.add(hit.value.domainId);
      const clause = clauseOf(hit.start);
      const inClause = ctx.filter((c) => c.start >= clause.start && c.end <= clause.end);
      if (inClause.some((c) => c.value === 'hypothetical' && c.start < hit.start)) continue;
      const base = hit.value.direction;
      let status: TagStatus = negatedAt(clause, hit.start, NEGATION_REACH_WORDS) ? 'negated' : inClause.some((c) => c.value === 'historical') ? 'historical' : 'current';
      let direction: Direction = base;
      if (status === 'negated' && base === 'strength') {
        // "no reliable car": the absence of a strength is a current concern
        status = 'current';
        direction = 'concern';
      } else if (status === 'current') {
        direction = changed(base, changeIn(hit.value.domainId, clause, { start: hit.start, end: hit.end, direction: base }));
      }
      out.push({ domainId: hit.value.domainId, indicatorId: hit.value.indicatorId, direction, status, confidence: INDICATOR_CONFIDENCE, clause });
    }

    if (topicHits.length === 0) return;
    const valenceHits = valence(s);
    const done = new Set<string>();
    for (const topic of topicHits) {
      const domainId = topic.value;
      if (covered.has(domainId) || !domainIds.has(domainId)) continue;
      const clause = clauseOf(topic.start);
      const key = `${domainId}|${clause.start}`;
      if (done.has(key)) continue;
      done.add(key);
      const inClause = ctx.filter((c) => c.start >= clause.start && c.end <= clause.end);
      if (inClause.some((c) => c.value === 'hypothetical')) continue;
      let concern = 0;
      let positive = 0;
      let denied = 0;
      for (const v of valenceHits) {
        if (v.start < clause.start || v.end > clause.end) continue;
        // "no concerns about", "is not a barrier": the problem word is denied
        const negated = negatedAt(clause, v.start, NEGATION_REACH_WORDS) || negations.some((n) => n.start <= v.start && n.end >= v.end);
        if (v.value === 'adverse') {
          if (negated) denied++;
          else concern++;
        } else if (negated) concern++;
        else positive++;
      }
      const change = changeIn(domainId, clause);
      let status: TagStatus = inClause.some((c) => c.value === 'historical') ? 'historical' : 'current';
      let direction: Direction;
      if (concern > positive) direction = 'concern';
      else if (positive > concern) direction = 'strength';
      else if (concern > 0) continue; // mixed: leave it to a reader
      else if (denied > 0) {
        direction = 'concern';
        status = 'negated';
      } else if (change.improving !== change.worsening) direction = change.improving ? 'improvement' : 'deterioration';
      else continue; // a topic without a direction is not evidence
      if (status === 'current') direction = changed(direction, change);
      out.push({ domainId, direction, status, confidence: TOPIC_CONFIDENCE, clause });
    }
  }

  function scoreText(text: string): Tag[] {
    const byKey = new Map<string, Tag>();
    for (const sentence of segmentSentences(text)) {
      const findings: Finding[] = [];
      scoreSentence(text.slice(sentence.start, sentence.end), findings);
      for (const f of findings) {
        const citation = clauseCitation(text, sentence.start + f.clause.start, sentence.start + f.clause.end);
        if (!citation) continue;
        const key = `${f.domainId}|${f.direction}|${f.status}`;
        const existing = byKey.get(key);
        if (existing) {
          if (!existing.citations.some((c) => c.start === citation.start)) {
            existing.citations.push(citation);
            existing.confidence = Math.min(0.9, Math.max(existing.confidence, f.confidence) + 0.1);
          }
          if (existing.indicatorId === undefined && f.indicatorId !== undefined) existing.indicatorId = f.indicatorId;
        } else {
          byKey.set(key, {
            domainId: f.domainId,
            ...(f.indicatorId !== undefined ? { indicatorId: f.indicatorId } : {}),
            direction: f.direction,
            status: f.status,
            confidence: f.confidence,
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

/** A current strength or concern next to a change word becomes an improvement or deterioration. */
function changed(direction: Direction, change: { improving: boolean; worsening: boolean }): Direction {
  if (change.improving && !change.worsening) return 'improvement';
  if (change.worsening && !change.improving) return 'deterioration';
  return direction;
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
