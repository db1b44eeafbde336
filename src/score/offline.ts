import { compileCue, cueSyntaxError, indicatorCueEntries, type CueEntry, type CueMatch, type Framework } from '../frameworks/index.ts';
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
 * Two tiers (see "Topic tier" in frameworks/README.md):
 * - indicator cues ("evicted", "bus pass") are evidence by themselves (confidence 0.6);
 * - a domain's topic cues ("apartment", "commute") are evidence only with a valence word of the
 *   framework in the same clause ("struggling", "reliable", "has no"), a denied problem word
 *   ("no concerns about", "is not a barrier") or a change word ("approved", "lost"), and only
 *   when the sentence has no indicator cue of that domain (confidence 0.4, no indicator id).
 * Sentences with a non-evidence cue ("in general terms", "was not discussed") are skipped whole,
 * and so are clauses whose subject is someone outside the household ("Her neighbour was evicted").
 */
export function createOfflineScorer(framework: Framework): Scorer {
  // Same cue semantics as createCueMatcher (compileCue; longest, then earliest, then first-listed match
  // wins), but indexed by the word a match must start at, so each sentence is tokenised once and
  // only the few cues that can start at each word are tried.
  const indicators = createWordCueMatcher(indicatorCueEntries(framework), (v) => v.domainId);
  const topics = createWordCueMatcher(framework.domains.flatMap((d) => (d.topicCues ?? []).map((cue) => ({ cue, value: d.id }))), (v) => v);
  const valence = createWordCueMatcher<Valence>([
    ...(framework.adverseCues ?? []).map((cue) => ({ cue, value: 'adverse' as const })),
    ...(framework.supportiveCues ?? []).map((cue) => ({ cue, value: 'supportive' as const })),
  ]);
  const context = createWordCueMatcher<ContextKind>([
    ...framework.negationCues.map((cue) => ({ cue, value: 'negation' as const })),
    ...framework.pseudoNegationCues.map((cue) => ({ cue, value: 'pseudo' as const })),
    ...framework.historicalCues.map((cue) => ({ cue, value: 'historical' as const })),
    ...framework.hypotheticalCues.map((cue) => ({ cue, value: 'hypothetical' as const })),
    ...framework.scopeTerminators.map((cue) => ({ cue, value: 'terminator' as const })),
    ...(framework.nonEvidenceCues ?? []).map((cue) => ({ cue, value: 'nonEvidence' as const })),
    ...framework.improvementCues.map((cue) => ({ cue, value: 'improvement' as const })),
    ...framework.deteriorationCues.map((cue) => ({ cue, value: 'deterioration' as const })),
  ]);
  const domainChange = createWordCueMatcher<{ domainId: string; change: Change }>(
    framework.domains.flatMap((d) => [
      ...(d.improvementCues ?? []).map((cue) => ({ cue, value: { domainId: d.id, change: 'improvement' as const } })),
      ...(d.deteriorationCues ?? []).map((cue) => ({ cue, value: { domainId: d.id, change: 'deterioration' as const } })),
    ]),
    (v) => v.domainId,
  );
  const otherPeople = createWordCueMatcher((framework.otherPersonCues ?? []).map((cue) => ({ cue, value: 'other' as const })));
  const domainIds = new Set(framework.domains.map((d) => d.id));

  function scoreSentence(s: string, out: Finding[]): void {
    const words = wordsOf(s);
    const allHits = indicators(s, words).filter((h) => domainIds.has(h.value.domainId));
    const allTopics = topics(s, words).filter((t) => domainIds.has(t.value));
    if (allHits.length === 0 && allTopics.length === 0) return;
    const ctx = context(s, words);
    if (ctx.some((c) => c.value === 'nonEvidence')) return;
    const clauses = splitClauses(s, ctx);
    // "Her neighbour was evicted", "Client's roommate bought a car": clauses about someone else are not evidence.
    const others = otherPeople(s, words);
    const aboutOther = others.length === 0 ? [] : clauses.filter((c) => others.some((o) => o.start >= c.start && o.start < c.end && SUBJECT_PREFIX.test(s.slice(c.start, o.start))));
    const notAbout = (at: number) => aboutOther.some((c) => at >= c.start && at < c.end);
    // A cue inside a longer cue of another domain is read as part of it: "unemployment benefits" is
    // income, not employment; "ex-partner" is safety, not also family. A topic word inside an
    // indicator cue is not a topic mention ("no working heat").
    const inside = (a: { start: number; end: number }, b: { start: number; end: number }) => b.start <= a.start && a.end <= b.end && b.end - b.start > a.end - a.start;
    const hits = allHits.filter((h) => !notAbout(h.start) && !allHits.some((o) => o.value.domainId !== h.value.domainId && inside(h, o)) && !allTopics.some((t) => t.value !== h.value.domainId && inside(h, t)));
    const topicHits = allTopics.filter((t) => !notAbout(t.start) && !hits.some((h) => h.start < t.end && t.start < h.end) && !allTopics.some((o) => o.value !== t.value && inside(t, o)));
    const clauseOf = (at: number) => clauses.find((c) => at >= c.start && at < c.end) ?? { start: 0, end: s.length };
    const pseudo = ctx.filter((c) => c.value === 'pseudo');
    // Negation words inside an indicator cue belong to it ("not sleeping", "no income"): they negate nothing else.
    const negations = ctx.filter(
      (c) => c.value === 'negation' &&
        !pseudo.some((p) => p.start <= c.start && p.end >= c.end) &&
        !hits.some((h) => h.start < c.end && c.start < h.end),
    );
    const negatedAt = (c: Clause, start: number, reach: number) =>
      negations.some((n) => n.start >= c.start && n.end <= start && wordsBetween(s, n.end, start) <= reach);
    const changes = domainChange(s, words);
    const changeIn = (domainId: string, c: Clause, skip?: { start: number; end: number; direction: Direction }, keep: (m: { start: number; end: number }) => boolean = () => true) => {
      const local = changes.filter((m) => m.value.domainId === domainId && m.start >= c.start && m.end <= c.end).map((m) => ({ ...m, value: m.value.change }));
      // Domain change cues are more specific than the framework's: use them when there are any.
      const found = local.length > 0 ? local : ctx.filter((m): m is CueMatch<Change> => (m.value === 'improvement' || m.value === 'deterioration') && m.start >= c.start && m.end <= c.end);
      const kept = found.filter((m) => {
        if (!keep(m)) return false;
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
    const valenceHits = valence(s, words);
    for (const clause of clauses) {
      // In a clause with an indicator cue, valence words are about that cue's domain.
      const clauseHits = hits.filter((h) => h.start >= clause.start && h.start < clause.end);
      const here = topicHits.filter((t) => t.start >= clause.start && t.start < clause.end && !covered.has(t.value));
      if (here.length === 0) continue;
      const inClause = ctx.filter((c) => c.start >= clause.start && c.end <= clause.end);
      if (inClause.some((c) => c.value === 'hypothetical')) continue;
      const domains = [...new Set(here.map((t) => t.value))];
      const tally = new Map(domains.map((d) => [d, { concern: 0, positive: 0, denied: 0 }]));
      const valenceHere = valenceHits.filter((v) => v.start >= clause.start && v.end <= clause.end && !pseudo.some((p) => p.start <= v.start && v.end <= p.end));
      // "no concerns about", "is not a barrier": the problem word is denied
      const negatedValence = (v: CueMatch<Valence>) =>
        negatedAt(clause, v.start, NEGATION_REACH_WORDS) || negations.some((n) => n.start <= v.start && n.end >= v.end && n.end - n.start > v.end - v.start);
      const negates = (n: { start: number; end: number }, v: CueMatch<Valence>) =>
        (n.end <= v.start && wordsBetween(s, n.end, v.start) <= NEGATION_REACH_WORDS) || (n.start <= v.start && n.end >= v.end && n.end - n.start > v.end - v.start);
      // a valence or change word nearer to an indicator cue than to any topic word is about the indicator's domain
      const attachedToTopic = (v: { start: number; end: number }) => clauseHits.length === 0 || distance(v, clauseHits) >= distance(v, here);
      for (const v of valenceHere) {
        if (!attachedToTopic(v)) continue;
        // "no", "does not have" mark an absence, unless they deny another valence word ("no trouble", "does not have any debt")
        if (v.value === 'adverse' && negations.some((n) => n.start < v.end && v.start < n.end && valenceHere.some((w) => w.start >= v.end && negates(n, w)))) continue;
        const negated = negatedValence(v);
        // a valence word that is itself a topic word ("debt", "abuse") is about that topic's domain only
        const own = here.find((t) => t.start < v.end && v.start < t.end);
        for (const domainId of own ? [own.value] : domains) {
          const t = tally.get(domainId)!;
          if (v.value === 'adverse') {
            if (negated) t.denied++;
            else t.concern++;
          } else if (negated) t.concern++;
          else t.positive++;
        }
      }
      const historical = inClause.some((c) => c.value === 'historical');
      for (const domainId of domains) {
        const { concern, positive, denied } = tally.get(domainId)!;
        const change = changeIn(domainId, clause, undefined, attachedToTopic);
        let status: TagStatus = historical ? 'historical' : 'current';
        let direction: Direction;
        if (concern > positive) direction = 'concern';
        else if (positive > concern) direction = 'strength';
        else if (concern > 0) direction = 'concern'; // mixed: the problem is what a case worker needs to see ("difficulty finding reliable rides")
        else if (denied > 0) {
          direction = 'concern';
          status = 'negated';
        } else if (change.improving !== change.worsening) direction = change.improving ? 'improvement' : 'deterioration';
        else continue; // a topic without a direction is not evidence
        if (status === 'current') direction = changed(direction, change);
        out.push({ domainId, direction, status, confidence: TOPIC_CONFIDENCE, clause });
      }
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

/** What may come before a person in a clause for the person to be its subject: "", "Her ", "The client's ", "but his ". */
const SUBJECT_PREFIX = /^[\s\p{P}]*(?:(?:and|but|so|while|whereas|although|though|because)\s+)?(?:(?:her|his|their|my|our|your|the|a|an|one)\s+)?(?:[\p{L}\p{N}]+['’]s\s+)?$/iu;

/** Characters between a span and the nearest of `list`. */
function distance(a: { start: number; end: number }, list: { start: number; end: number }[]): number {
  let best = Infinity;
  for (const b of list) best = Math.min(best, a.start >= b.end ? a.start - b.end : b.start >= a.end ? b.start - a.end : 0);
  return best;
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

// ---------------------------------------------------------------------------------------------
// cue matching, indexed by word

/** A word of a text (a run of letters and digits): where it is, lower-cased, and whether only whitespace separates it from the word before. */
interface Word {
  start: number;
  end: number;
  word: string;
  /** the first three characters, or "" for a shorter word */
  prefix: string;
  spaceBefore: boolean;
}

const PREFIX_CHARS = 3;
const WORD_RE = /[\p{L}\p{N}]+/gu;
const SPACE_RE = /\s+/uy;

function wordsOf(text: string): Word[] {
  const out: Word[] = [];
  let prevEnd = -1;
  WORD_RE.lastIndex = 0;
  for (let m = WORD_RE.exec(text); m !== null; m = WORD_RE.exec(text)) {
    const word = m[0].toLowerCase();
    let spaceBefore = false;
    if (prevEnd >= 0) {
      SPACE_RE.lastIndex = prevEnd;
      spaceBefore = SPACE_RE.test(text) && SPACE_RE.lastIndex === m.index;
    }
    const end = m.index + m[0].length;
    out.push({ start: m.index, end, word, prefix: word.length >= PREFIX_CHARS ? word.slice(0, PREFIX_CHARS) : '', spaceBefore });
    prevEnd = end;
  }
  return out;
}

/**
 * Where a cue can start: at a word equal to its first word (`word`), at a word beginning with the
 * first three characters of its first word when that word ends in "*" or is joined by "-" or "#" to
 * more characters (`prefix`), or, when neither applies, anywhere (`undefined`).
 */
function cueStart(cue: string): { word: string } | { prefix: string } | undefined {
  const first = /^[\p{L}\p{N}]+/u.exec(cue)?.[0];
  if (!first) return undefined;
  const next = cue.charAt(first.length);
  if (next === '*' || next === '-' || next === '#') return first.length >= PREFIX_CHARS ? { prefix: first.slice(0, PREFIX_CHARS) } : undefined;
  return { word: first };
}

/** Cues of plain words separated by single spaces, with an optional final "*", are compared word by word, without a regular expression. */
const PLAIN_CUE = /^[\p{L}\p{N}]+(?: [\p{L}\p{N}]+)*\*?$/u;

type WordCueMatcher<T> = (text: string, words?: Word[]) => CueMatch<T>[];

/**
 * Finds cues in a text with the same meaning as createCueMatcher in src/frameworks/cues.ts (the
 * matches of compileCue; overlapping matches resolved by keeping the longest, then the earliest,
 * then the one listed first, within one overlap group when `group` is given), but faster: a cue
 * that starts with a letter or digit can only match at the start of a word, so it is tried only at
 * the words it can start with (see cueStart); plain cues are compared word by word, the others
 * with their regular expression anchored there.
 */
export function createWordCueMatcher<T>(entries: readonly CueEntry<T>[], group?: (value: T) => string): WordCueMatcher<T> {
  interface Compiled {
    cue: string;
    value: T;
    order: number;
    group: string;
    /** plain cues: the words, the last one a prefix when `wildcard` */
    words?: string[];
    wildcard: boolean;
    re?: RegExp;
  }
  const byWord = new Map<string, Compiled[]>();
  const byPrefix = new Map<string, Compiled[]>();
  const always: Compiled[] = [];
  const add = (map: Map<string, Compiled[]>, key: string, c: Compiled) => {
    const list = map.get(key);
    if (list) list.push(c);
    else map.set(key, [c]);
  };
  entries.forEach((entry, order) => {
    const error = cueSyntaxError(entry.cue);
    if (error !== undefined) throw new TypeError(error);
    const at = cueStart(entry.cue);
    const wildcard = entry.cue.endsWith('*');
    const c: Compiled = { cue: entry.cue, value: entry.value, order, group: group ? group(entry.value) : '', wildcard };
    if (at !== undefined && PLAIN_CUE.test(entry.cue)) c.words = (wildcard ? entry.cue.slice(0, -1) : entry.cue).split(' ');
    else c.re = new RegExp(compileCue(entry.cue).source, at === undefined ? 'giu' : 'iuy');
    if (at === undefined) always.push(c);
    else if ('word' in at) add(byWord, at.word, c);
    else add(byPrefix, at.prefix, c);
  });
  return (text: string, words: Word[] = wordsOf(text)) => {
    const found: (CueMatch<T> & { order: number; group: string })[] = [];
    const tryAt = (list: Compiled[] | undefined, i: number) => {
      if (list === undefined) return;
      const start = words[i]!.start;
      for (const c of list) {
        let end = -1;
        if (c.words !== undefined) {
          const n = c.words.length;
          if (i + n > words.length) continue;
          let ok = true;
          for (let k = 0; k < n && ok; k++) {
            const w = words[i + k]!;
            const want = c.words[k]!;
            ok = (k === 0 || w.spaceBefore) && (k === n - 1 && c.wildcard ? w.word.startsWith(want) : w.word === want);
          }
          if (ok) end = words[i + n - 1]!.end;
        } else {
          const re = c.re!;
          re.lastIndex = start;
          const m = re.exec(text);
          if (m !== null && m[0].length > 0) end = start + m[0].length;
        }
        if (end > start) found.push({ cue: c.cue, start, end, match: text.slice(start, end), value: c.value, order: c.order, group: c.group });
      }
    };
    for (let i = 0; i < words.length; i++) {
      const w = words[i]!;
      tryAt(byWord.get(w.word), i);
      if (w.prefix !== '') tryAt(byPrefix.get(w.prefix), i);
    }
    for (const c of always) {
      const re = c.re!;
      re.lastIndex = 0;
      for (let m = re.exec(text); m !== null; m = re.exec(text)) {
        if (m[0].length === 0) {
          re.lastIndex++;
          continue;
        }
        found.push({ cue: c.cue, start: m.index, end: m.index + m[0].length, match: m[0], value: c.value, order: c.order, group: c.group });
      }
    }
    if (found.length === 0) return [];
    found.sort((a, b) => b.end - b.start - (a.end - a.start) || a.start - b.start || a.order - b.order);
    const kept: typeof found = [];
    for (const f of found) {
      if (kept.every((k) => f.end <= k.start || f.start >= k.end || k.group !== f.group)) kept.push(f);
    }
    kept.sort((a, b) => a.start - b.start || a.end - b.end);
    return kept.map((k) => ({ cue: k.cue, start: k.start, end: k.end, match: k.match, value: k.value }));
  };
}
