import { compileCue, cueSyntaxError, indicatorCueEntries, type CueEntry, type CueMatch, type Framework, type IndicatorCue } from '../frameworks/index.ts';
import { segmentNote, type StructureReason } from './segment.ts';
import type { Citation, Direction, NoteInput, ScoreOutcome, Scorer, Tag, TagStatus } from './types.ts';

export const OFFLINE_PROMPT_VERSION = 'offline-v3';
export const OFFLINE_MODEL = 'lexicon';

/** Confidence of a tag found by an indicator cue (raised by 0.1 for each further citation, up to 0.9). */
export const INDICATOR_CONFIDENCE = 0.6;
/** Confidence of a tag found by a weak (presence) indicator cue such as "her husband" or "two children". */
export const WEAK_CONFIDENCE = 0.5;
/** Confidence of a tag found only by a domain topic word and a valence or change word: filter on it to drop them. */
export const TOPIC_CONFIDENCE = 0.4;

/** How many words after a negation it still reaches ("denies any recent drug use"). */
const NEGATION_REACH_WORDS = 5;
/** How many words before a change cue a negation reaches ("has not improved"). */
const CHANGE_NEGATION_REACH_WORDS = 2;
/** How many domains one part of a sentence may speak for: a list of eight conditions is not eight findings. */
const MAX_DOMAINS_PER_SEGMENT = 2;
/** How many words may stand between a screening or test name and the cue it names ("screening for domestic abuse"). */
const MENTION_REACH_WORDS = 2;
/** How many words may stand between a presence word ("her husband") and a problem or strength word about it ("has been very supportive"). */
const WEAK_REACH_WORDS = 4;
/** How far after a problem or strength word a topic word may stand and still be what it is about ("struggle navigating unfamiliar public transit"). */
const FORWARD_REACH_WORDS = 5;
/** How far before a strength cue a problem word may stand and still govern it ("difficult to maintain steady employment"). */
const PROBLEM_REACH_WORDS = 3;

type ContextKind = 'negation' | 'pseudo' | 'historical' | 'current' | 'hypothetical' | 'terminator' | 'link' | 'nonEvidence';
type Change = 'improvement' | 'gain' | 'deterioration';
type Valence = 'adverse' | 'supportive';
type Person = { kind: 'other' } | { kind: 'relative'; domainId: string; ownerOnly: boolean };

/** Every cue list of the framework, matched in one pass over a sentence's words. */
type Cue =
  | { k: 'indicator'; v: IndicatorCue }
  | { k: 'topic'; domainId: string }
  | { k: 'valence'; v: Valence }
  | { k: 'context'; v: ContextKind }
  | { k: 'change'; v: Change }
  | { k: 'domainChange'; domainId: string; v: Change }
  | { k: 'person'; v: Person }
  | { k: 'pseudo' }
  | { k: 'mention' }
  | { k: 'worry' };

interface Span {
  start: number;
  end: number;
}

/** How a tag was found: by an indicator cue, a weak (presence) indicator cue, or a topic word with valence, negation or change words. */
export type Tier = 'indicator' | 'weak' | 'topic';

/** One piece of evidence in one part of a sentence, before tags are merged per note. */
interface Finding {
  domainId: string;
  indicatorId?: string;
  direction: Direction;
  status: TagStatus;
  confidence: number;
  tier: Tier;
  /** where the deciding cue starts, in the sentence */
  anchor: number;
  /** the cited span, in the sentence: the part of the clause the cue is in, widened to the context cues that decided */
  cite: Span;
  cues: string[];
  context: string[];
}

/** A cue that was found but is not evidence, and why. */
interface Skip {
  domainId: string;
  cue: string;
  span: Span;
  reason: string;
}

/** One cited finding behind a tag, and what decided it. */
export interface ExplainedFinding {
  domainId: string;
  indicatorId?: string;
  direction: Direction;
  status: TagStatus;
  tier: Tier;
  /** the cue phrases that found it, as written in the framework */
  cues: string[];
  /** the context that decided direction and status: negation, absence, history, change, valence, experiencer… */
  context: string[];
  /** the citation */
  start: number;
  end: number;
  quote: string;
}

export interface NoteExplanation {
  /** the tags the scorer stores for the text */
  tags: Tag[];
  /** every finding behind the tags, one per citation */
  findings: ExplainedFinding[];
  /** cues found but not read as evidence: another person, a plan, a screening name, the domain cap… */
  skipped: Array<{ domainId: string; cue: string; start: number; end: number; quote: string; reason: string }>;
  /** sentences that are not narrative (headings, lists, coded terms), and why */
  structured: Array<{ start: number; end: number; quote: string; reason: StructureReason }>;
}

type ExplainSink = Omit<NoteExplanation, 'tags'>;

interface Lexicon {
  cues: WordCueMatcher<Cue>;
  domainIds: Set<string>;
  household: Set<string>;
  /** domains that relatives count for: their topic words name the people and groups around the client ("church", "charity") */
  social: Set<string>;
}

/**
 * The offline scorer: the framework's cue phrases read clause by clause, the way a careful case
 * worker reads a note. No network, deterministic, and fast. Its citations are spans of the note
 * its cues matched in, so every one is exact by construction; `explain` says which cue and which
 * context decided each tag.
 *
 * - Structure first: headings, medication, problem and procedure lists, plans and coded terms
 *   ("Stress (finding)") are not narrative and are not read (see segmentNote).
 * - Three tiers (see "Topic tier" in frameworks/README.md): indicator cues ("evicted", "bus pass")
 *   are evidence by themselves; weak indicator cues ("her husband", "two children") only when the
 *   sentence has no indicator cue of their domain; topic words ("apartment", "commute") only with
 *   a valence word ("struggling", "reliable"), a negation or a change word.
 * - Negation has a scope: it reaches forward a few words within its clause (scope terminators such
 *   as "but", "which", "who" and punctuation end clauses). What it reaches decides what it means: a
 *   denied problem is a negated concern ("denies drug use", "no concerns about housing"); a missing
 *   resource is a current concern ("no current income or food", "does not have a car"); a problem
 *   avoided while doing something is a strength ("without missing a shift").
 * - Experiencer: a clause about someone outside the household ("her neighbour was evicted", "some
 *   patients") is not evidence; one about a relative counts for household domains ("her sister
 *   watches the kids"), and a relative's difficulty in a domain about the client's own
 *   circumstances counts for the relative's domain instead ("her son was arrested" is parenting).
 * - A cue next to a screening or test name is named, not found ("depression screening"); a cue
 *   inside a longer phrase that means something else is not read ("animal shelter").
 * - Each part of a sentence between commas speaks for at most two domains.
 */
export function createOfflineScorer(framework: Framework): Scorer {
  const lexicon = lexiconOf(framework);
  return {
    kind: 'offline',
    model: OFFLINE_MODEL,
    promptVersion: `${OFFLINE_PROMPT_VERSION}+${framework.id}@${framework.version}`,
    async scoreNote(note: NoteInput): Promise<ScoreOutcome> {
      return { tags: scoreText(lexicon, note.text), rejectedCitations: 0, droppedTags: 0, usage: { requests: 0, promptTokens: 0, completionTokens: 0 } };
    },
  };
}

/**
 * Why the offline scorer tags a text the way it does: the tags it would store, every finding behind
 * them with the cues and context that decided it, the cues it found but did not read as evidence
 * (and why), and the sentences it skipped as structure.
 */
export function explain(framework: Framework, text: string): NoteExplanation {
  const sink: ExplainSink = { findings: [], skipped: [], structured: [] };
  const tags = scoreText(lexiconOf(framework), text, sink);
  return { tags, ...sink };
}

const lexicons = new WeakMap<Framework, Lexicon>();

function lexiconOf(framework: Framework): Lexicon {
  const cached = lexicons.get(framework);
  if (cached) return cached;
  const entries: CueEntry<Cue>[] = [
    ...indicatorCueEntries(framework).map((e) => ({ cue: e.cue, value: { k: 'indicator' as const, v: e.value } })),
    ...framework.domains.flatMap((d) => (d.topicCues ?? []).map((cue) => ({ cue, value: { k: 'topic' as const, domainId: d.id } }))),
    ...(framework.adverseCues ?? []).map((cue) => ({ cue, value: { k: 'valence' as const, v: 'adverse' as const } })),
    ...(framework.supportiveCues ?? []).map((cue) => ({ cue, value: { k: 'valence' as const, v: 'supportive' as const } })),
    ...contextEntries(framework),
    // change words are matched on their own: "lost" is a change word and may sit inside a negation ("not lost")
    ...framework.improvementCues.map((cue) => ({ cue, value: { k: 'change' as const, v: 'improvement' as const } })),
    ...(framework.gainCues ?? []).map((cue) => ({ cue, value: { k: 'change' as const, v: 'gain' as const } })),
    ...framework.deteriorationCues.map((cue) => ({ cue, value: { k: 'change' as const, v: 'deterioration' as const } })),
    ...framework.domains.flatMap((d) => [
      ...(d.improvementCues ?? []).map((cue) => ({ cue, value: { k: 'domainChange' as const, domainId: d.id, v: 'improvement' as const } })),
      ...(d.deteriorationCues ?? []).map((cue) => ({ cue, value: { k: 'domainChange' as const, domainId: d.id, v: 'deterioration' as const } })),
    ]),
    ...(framework.otherPersonCues ?? []).map((cue) => ({ cue, value: { k: 'person' as const, v: { kind: 'other' as const } } })),
    ...(framework.relatives ?? []).flatMap((r) =>
      r.cues.map((cue) => ({ cue, value: { k: 'person' as const, v: { kind: 'relative' as const, domainId: r.domain, ownerOnly: r.ownerOnly ?? false } } })),
    ),
    ...(framework.pseudoCues ?? []).map((cue) => ({ cue, value: { k: 'pseudo' as const } })),
    ...(framework.mentionCues ?? []).map((cue) => ({ cue, value: { k: 'mention' as const } })),
    ...(framework.worryCues ?? []).map((cue) => ({ cue, value: { k: 'worry' as const } })),
  ];
  // Each list resolves its own overlaps (longest match wins), as if matched on its own; indicator,
  // topic and domain change cues within their domain.
  const group = (c: Cue): string =>
    c.k === 'indicator' ? `i:${c.v.domainId}` : c.k === 'topic' ? `t:${c.domainId}` : c.k === 'domainChange' ? `d:${c.domainId}` : c.k;
  const lexicon: Lexicon = {
    cues: createWordCueMatcher(entries, group),
    domainIds: new Set(framework.domains.map((d) => d.id)),
    household: new Set(framework.domains.filter((d) => d.scope === 'household').map((d) => d.id)),
    social: new Set((framework.relatives ?? []).map((r) => r.domain)),
  };
  lexicons.set(framework, lexicon);
  return lexicon;
}

function contextEntries(framework: Framework): CueEntry<Cue>[] {
  const lists: Array<[ContextKind, readonly string[] | undefined]> = [
    ['negation', framework.negationCues],
    ['pseudo', framework.pseudoNegationCues],
    ['historical', framework.historicalCues],
    ['current', framework.currentCues],
    ['hypothetical', framework.hypotheticalCues],
    ['terminator', framework.scopeTerminators],
    ['link', framework.linkCues],
    ['nonEvidence', framework.nonEvidenceCues],
  ];
  return lists.flatMap(([v, cues]) => (cues ?? []).map((cue) => ({ cue, value: { k: 'context' as const, v } })));
}

function scoreText(lexicon: Lexicon, text: string, sink?: ExplainSink): Tag[] {
  const byKey = new Map<string, Tag>();
  for (const sentence of segmentNote(text)) {
    if (sentence.structured) {
      sink?.structured.push({ start: sentence.start, end: sentence.end, quote: sentence.text, reason: sentence.structured });
      continue;
    }
    const findings: Finding[] = [];
    const skipped: Skip[] | undefined = sink ? [] : undefined;
    scoreSentence(lexicon, sentence.text, findings, skipped);
    if (sink && skipped) {
      for (const x of skipped) {
        const start = sentence.start + x.span.start;
        const end = sentence.start + x.span.end;
        sink.skipped.push({ domainId: x.domainId, cue: x.cue, start, end, quote: text.slice(start, end), reason: x.reason });
      }
    }
    for (const f of findings) {
      const citation = clauseCitation(text, sentence.start + f.cite.start, sentence.start + f.cite.end);
      if (!citation) continue;
      sink?.findings.push({
        domainId: f.domainId,
        ...(f.indicatorId !== undefined ? { indicatorId: f.indicatorId } : {}),
        direction: f.direction, status: f.status, tier: f.tier, cues: f.cues, context: f.context,
        start: citation.start, end: citation.end, quote: citation.quote,
      });
      const key = `${f.domainId}|${f.direction}|${f.status}`;
      const existing = byKey.get(key);
      if (existing) {
        if (!existing.citations.some((c) => c.start === citation.start && c.end === citation.end)) {
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

// ---------------------------------------------------------------------------------------------
// one sentence

/** A sentence with its cues, clauses and the parts between commas. */
interface Sent {
  s: string;
  words: Word[];
  lexicon: Lexicon;
  skipped: Skip[] | undefined;
  hits: CueMatch<IndicatorCue>[];
  topics: CueMatch<string>[];
  valence: CueMatch<Valence>[];
  context: CueMatch<ContextKind>[];
  negations: CueMatch<ContextKind>[];
  /** negations that open a concern cue ("no family", "no car"): they still deny a strength after the cue ("no family or friends nearby for emotional support") */
  absences: CueMatch<ContextKind>[];
  changes: CueMatch<Change>[];
  domainChanges: Array<CueMatch<Change> & { domainId: string }>;
  persons: CueMatch<Person>[];
  mentions: CueMatch<null>[];
  worries: Span[];
  pseudo: Span[];
  /** clauses: the reach of negation, time and plan cues (split at scope terminators and link words) */
  clauses: Span[];
  /** wider clauses, split at scope terminators but not at link words: the reach of problem and strength words */
  spans: Span[];
  /** parts of clauses between commas: what a finding cites, and what the domain cap counts */
  segments: Span[];
}

function scoreSentence(lexicon: Lexicon, s: string, out: Finding[], skipped: Skip[] | undefined): void {
  const words = wordsOf(s);
  const all = lexicon.cues(s, words);
  const st: Sent = {
    s, words, lexicon, skipped, hits: [], topics: [], valence: [], context: [], negations: [], absences: [], changes: [], domainChanges: [], persons: [], mentions: [], worries: [], pseudo: [], clauses: [], spans: [], segments: [],
  };
  for (const m of all) {
    const c = m.value;
    if (c.k === 'indicator') {
      if (lexicon.domainIds.has(c.v.domainId)) st.hits.push({ ...m, value: c.v });
    } else if (c.k === 'topic') {
      if (lexicon.domainIds.has(c.domainId)) st.topics.push({ ...m, value: c.domainId });
    } else if (c.k === 'valence') st.valence.push({ ...m, value: c.v });
    else if (c.k === 'context') st.context.push({ ...m, value: c.v });
    else if (c.k === 'change') st.changes.push({ ...m, value: c.v });
    else if (c.k === 'domainChange') st.domainChanges.push({ ...m, value: c.v, domainId: c.domainId });
    else if (c.k === 'person') st.persons.push({ ...m, value: c.v });
    else if (c.k === 'pseudo') st.pseudo.push(m);
    else if (c.k === 'worry') st.worries.push(m);
    else st.mentions.push({ ...m, value: null });
  }
  if (st.pseudo.length > 0) {
    st.hits = st.hits.filter((h) => notPseudo(st, h));
    st.topics = st.topics.filter((h) => notPseudo(st, h));
    st.valence = st.valence.filter((h) => notPseudo(st, h));
    st.changes = st.changes.filter((h) => notPseudo(st, h));
  }
  if (st.hits.length === 0 && st.topics.length === 0) return;
  const nonEvidence = st.context.find((c) => c.value === 'nonEvidence');
  if (nonEvidence) {
    if (skipped) {
      for (const h of st.hits) skip(st, h.value.domainId, h, `the sentence is not evidence about the client ("${nonEvidence.match}")`);
      for (const t of st.topics) skip(st, t.value, t, `the sentence is not evidence about the client ("${nonEvidence.match}")`);
    }
    return;
  }
  // a function word inside a compound is no function word: "after-school", "non-stop"
  st.context = st.context.filter((c) => !inCompound(s, c));
  st.clauses = splitClauses(s, st.context, true);
  st.spans = splitClauses(s, st.context, false);
  st.segments = splitSegments(s, st.clauses);

  // A cue inside a longer cue of another domain is read as part of it: "unemployment benefits" is
  // income, not employment; "ex-partner" is safety, not also family. A topic word inside an
  // indicator cue is not a topic mention ("no working heat").
  const allHits = st.hits;
  const allTopics = st.topics;
  st.hits = allHits.filter((h) => !allHits.some((o) => o.value.domainId !== h.value.domainId && inside(h, o)) && !allTopics.some((t) => t.value !== h.value.domainId && inside(h, t)));
  st.topics = allTopics.filter((t) => !st.hits.some((h) => h.start < t.end && t.start < h.end) && !allTopics.some((o) => o.value !== t.value && inside(t, o)));
  // Negation words inside an indicator cue belong to it ("not sleeping", "no income"): they negate nothing else.
  const pseudoNeg = st.context.filter((c) => c.value === 'pseudo');
  st.negations = st.context.filter(
    (c) => c.value === 'negation' && notPseudo(st, c) && !pseudoNeg.some((p) => p.start <= c.start && p.end >= c.end) && !st.hits.some((h) => h.start < c.end && c.start < h.end),
  );
  if (pseudoNeg.length > 0) st.valence = st.valence.filter((v) => !pseudoNeg.some((p) => p.start <= v.start && v.end <= p.end));
  st.absences = st.context.filter((c) => c.value === 'negation' && st.hits.some((h) => h.start === c.start && h.end > c.end && h.value.direction === 'concern'));

  const findings: Finding[] = [];
  const covered = readIndicators(st, findings);
  readTopics(st, findings, covered);
  capDomains(st, findings, out);
}

/**
 * Tier 1: indicator cues, each evidence on its own, read with negation, history, change and
 * experiencer. Returns the domains whose cues gave findings: the other tiers leave those alone.
 */
function readIndicators(st: Sent, findings: Finding[]): Set<string> {
  const covered = new Set<string>();
  for (const hit of st.hits) {
    if (hit.value.weak) continue;
    const { domainId, direction: base } = hit.value;
    const clause = spanAt(st.clauses, hit.start);
    const mention = mentionOf(st, hit);
    if (mention) {
      skip(st, domainId, hit, `named in a screening or test ("${mention.match}"), not found`);
      continue;
    }
    const hyp = st.context.find((c) => c.value === 'hypothetical' && within(c, clause) && c.start < hit.start);
    if (hyp) {
      skip(st, domainId, hit, `hypothetical or planned ("${hyp.match}")`);
      continue;
    }
    const context: string[] = [];
    const extra: Span[] = [];
    let status: TagStatus = 'current';
    let direction: Direction = base;
    const neg =
      negationOf(st, clause, hit.start, NEGATION_REACH_WORDS) ??
      (base === 'strength' ? absenceOf(st, clause, hit.start) : deniedProblemBefore(st, clause, hit.start));
    const past = neg ? undefined : historicalOf(st, hit.start);
    if (neg && base === 'strength') {
      // "no reliable car": the absence of a strength is a current concern
      direction = 'concern';
      context.push(`absence: "${neg.match}" before a strength`);
      extra.push(neg);
    } else if (neg && isManner(st.s, neg)) {
      // "completed treatment without a relapse": a problem avoided is a strength
      direction = 'strength';
      context.push(`avoided: "${neg.match}" before a problem`);
      extra.push(neg);
    } else if (neg) {
      status = 'negated';
      context.push(`negation: "${neg.match}"`);
      extra.push(neg);
    } else if (past) {
      status = 'historical';
      context.push(`historical: "${past.match}"`);
      extra.push(past);
    } else if (base === 'strength') {
      // "difficult to maintain steady employment", "struggling to keep stable housing": a problem word
      // governing a strength makes it a concern
      const problem = problemBefore(st, clause, hit.start);
      if (problem) {
        direction = 'concern';
        context.push(`problem word before a strength: "${problem.match}"`);
        extra.push(problem);
      }
    }
    if (status === 'current' && !hit.value.background) {
      const found = changeIn(st, domainId, clause, hit.start, { start: hit.start, end: hit.end, direction: base });
      const next = changed(direction, found);
      if (next !== direction) {
        context.push(`change: ${found.map((f) => `"${f.match}"`).join(', ')}`);
        direction = next;
      } else if (direction === 'concern' && found.some((f) => f.value === 'gain')) {
        context.push(`gaining a crisis resource is not a change for the better: ${found.map((f) => `"${f.match}"`).join(', ')}`);
      }
    }
    const who = attribute(st, domainId, direction, experiencerOf(st, hit), hit);
    if (!who) continue;
    if (who.note) context.push(who.note);
    covered.add(domainId);
    covered.add(`${domainId}@${spanAt(st.spans, hit.start).start}`);
    findings.push({
      domainId: who.domainId,
      ...(who.domainId === domainId ? { indicatorId: hit.value.indicatorId } : {}),
      direction, status, confidence: INDICATOR_CONFIDENCE, tier: 'indicator', anchor: hit.start,
      cite: citeFor(st, hit.start, extra), cues: [hit.cue], context,
    });
  }
  return covered;
}

interface Target extends Span {
  domainId: string;
  cue: string;
  weak?: IndicatorCue;
}

/** One operator of a clause: a negation (N), a problem word (P) or a strength word (S). */
interface Op {
  kind: 'N' | 'P' | 'S';
  m: CueMatch<unknown>;
  /** a problem word that is an absence ("has no", "does not have"): it denies a problem word after it, or is a problem itself */
  absence?: boolean;
  used?: boolean;
  /** for P: the negation that denies it */
  denied?: CueMatch<unknown>;
  /** for S: the negation that negates it */
  negatedBy?: CueMatch<unknown>;
}

interface Tally {
  concern: number;
  positive: number;
  denied: number;
  why: string[];
  extra: Span[];
}

/** Tiers 2 and 3: weak indicator cues and topic words of domains without an indicator cue in the sentence, read with valence, negation and change words. */
function readTopics(st: Sent, findings: Finding[], covered: Set<string>): void {
  const targets: Target[] = [];
  for (const h of st.hits) if (h.value.weak && !covered.has(h.value.domainId)) targets.push({ domainId: h.value.domainId, start: h.start, end: h.end, cue: h.cue, weak: h.value });
  // topic words are left to an indicator cue of their domain in the same clause ("moved into an apartment
  // but is experiencing issues with pests" has a housing problem after the "but")
  for (const t of st.topics) if (!covered.has(`${t.value}@${spanAt(st.spans, t.start).start}`) && !isClientAsParent(st, t)) targets.push({ domainId: t.value, start: t.start, end: t.end, cue: t.cue });
  if (targets.length === 0) return;
  // Problem and strength words reach across link words ("because", "which"), so topics are read per
  // wider span; negations, plans and time cues keep to their own clause.
  for (const span of st.spans) {
    const here: Target[] = [];
    for (const t of targets) {
      if (t.start < span.start || t.start >= span.end) continue;
      const mention = mentionOf(st, t);
      if (mention) {
        skip(st, t.domainId, { ...t, match: st.s.slice(t.start, t.end), value: null }, `named in a screening or test ("${mention.match}"), not found`);
        continue;
      }
      // a plan anywhere in its clause makes a topic word hypothetical; a presence word only when the plan comes first
      const clause = spanAt(st.clauses, t.start);
      const hyp = st.context.find((c) => c.value === 'hypothetical' && within(c, clause) && (!t.weak || c.start < t.start));
      if (hyp) skip(st, t.domainId, { ...t, match: st.s.slice(t.start, t.end), value: null }, `hypothetical or planned ("${hyp.match}")`);
      else here.push(t);
    }
    if (here.length === 0) continue;
    const clauseHits = st.hits.filter((h) => !h.value.weak && h.start >= span.start && h.start < span.end);
    const ops = operatorsOf(st, span);
    const tally = new Map<string, Tally>();
    // Negations (and absence words such as "has no") first: what each one reaches decides what it means.
    for (const op of ops) {
      if (op.kind !== 'N' && !op.absence) continue;
      let reachEnd = reachFrom(st.words, op.m.end, NEGATION_REACH_WORDS, spanAt(st.clauses, op.m.start).end);
      // a negation that reaches an indicator cue first is that cue's ("without stable housing she cannot keep a job")
      const firstCue = clauseHits.find((h) => h.start >= op.m.end && h.start < reachEnd);
      if (firstCue) reachEnd = firstCue.start;
      // "has no one available for assistance": a topic word that shares a word with the absence is what is missing
      if (op.absence) {
        for (const t of here) {
          if (!t.weak && t.start > op.m.start && t.start < op.m.end) addTally(tally, t.domainId, 'concern', `absence: "${op.m.match}" in "${st.s.slice(t.start, t.end)}"`, op.m);
        }
      }
      const problems = ops.filter((o) => o.kind === 'P' && !o.absence && !o.denied && o.m.start >= op.m.end && o.m.start < reachEnd);
      const strengths = ops.filter((o) => o.kind === 'S' && !o.negatedBy && o.m.start >= op.m.end && o.m.start < reachEnd);
      if (problems.length > 0) {
        for (const p of problems) p.denied = op.m;
        op.used = true;
      } else if (strengths.length > 0) {
        for (const x of strengths) x.negatedBy = op.m;
        op.used = true;
      } else if (!op.used) {
        // (a negation that named the problem it denies, "no concerns about housing", marks no absence)
        const reached = here.filter((t) => (t.start >= op.m.end && t.start < reachEnd) || (t.start < op.m.end && op.m.start < t.end));
        for (const t of reached) {
          // "no current income or food", "does not have a car": a missing resource is a current concern;
          // a missing difficulty ("has no children" to care for) is a denied one
          const what = st.s.slice(t.start, t.end);
          // "denies", "negative for" deny a problem; they never say a resource is missing ("denies drug use")
          if (t.weak?.direction === 'concern' || DENIAL.test(op.m.match)) addTally(tally, t.domainId, 'denied', `denied: "${op.m.match}" before "${what}"`, op.m);
          else addTally(tally, t.domainId, 'concern', `absence: "${op.m.match}" before "${what}"`, op.m);
        }
        if (reached.length > 0) op.used = true;
      }
    }
    if (st.absences.length > 0) {
      for (const op of ops) if (op.kind === 'S' && !op.negatedBy) op.negatedBy = absenceOf(st, spanAt(st.clauses, op.m.start), op.m.start);
    }
    for (const op of ops) {
      if (op.kind === 'N' || (op.absence && op.used)) continue;
      const v = op.m;
      // A word is about the topic words of its own clause ("limited availability of rideshare") before
      // those across a link word; and a word nearer to an indicator cue than to any topic word is about
      // the indicator's domain.
      // Within a clause a problem or strength word is about what follows it if anything does ("limited
      // rideshare options", "struggle navigating public transit"), else about what came before
      // ("transportation is unreliable").
      const clause = spanAt(st.clauses, v.start);
      const sameClause = here.filter((t) => within(t, clause));
      // across a link word a problem word reaches forward only: "struggles to get to work because the bus route changed"
      const pool = sameClause.length > 0 ? sameClause : here.filter((t) => t.start >= v.end);
      if (pool.length === 0) continue;
      const rivals = sameClause.length > 0 ? clauseHits.filter((h) => within(h, clause)) : clauseHits;
      // a valence word that is itself a topic word ("debt", "abuse") is about that topic's domain only
      const own = here.find((t) => t.start < v.end && v.start < t.end);
      let chosen: Target[];
      // "Neighbors help take care of the garden", "Parents assist financially", "Local charity donates funds": a
      // strength word after a person or community group that is the subject of the clause is their support for the client
      const supporter = op.kind === 'S' && !own ? sameClause.find((t) => t.start < v.start && !t.weak && (isPersonWord(st, t) || st.lexicon.social.has(t.domainId)) && SUBJECT_PREFIX.test(st.s.slice(spanAt(st.segments, t.start).start, t.start))) : undefined;
      if (own) chosen = [own];
      else if (supporter) chosen = [supporter];
      else {
        const after = pool.filter((t) => t.start >= v.end && wordsBetween(st.words, v.end, t.start) <= FORWARD_REACH_WORDS);
        const forward = sameClause.length > 0 && after.length > 0;
        let side = forward ? after : pool;
        // topic words take a valence word before presence words do ("managed childcare for three kids on his own")
        if (side.some((t) => !t.weak)) side = side.filter((t) => !t.weak);
        // an indicator cue nearer than the topic words (on the side they are on) has the word: "CPS was involved"
        const sideRivals = forward ? rivals.filter((h) => h.start >= v.end) : rivals;
        if (sideRivals.length > 0 && distance(v, sideRivals) < distance(v, side)) continue;
        chosen = nearest(v, side);
      }
      // A presence word ("her husband", "two children") takes only the words right around it, in its
      // own part of the clause; and when it is the subject, its problem words are what the person
      // says or suffers ("husband expressed concern over worsening symptoms"), not a problem between
      // them and the client (those are indicator cues: "conflict with", "abusive").
      chosen = chosen.filter(
        (t) =>
          !t.weak ||
          (spanAt(st.segments, t.start) === spanAt(st.segments, v.start) &&
            wordsBetween(st.words, Math.min(t.end, v.end), Math.max(t.start, v.start)) <= WEAK_REACH_WORDS &&
            !(op.kind === 'P' && t.start < v.start && SUBJECT_PREFIX.test(st.s.slice(spanAt(st.segments, t.start).start, t.start)))),
      );
      const domains = new Set(chosen.map((t) => t.domainId));
      // "her husband expressed concern about her symptoms": a relative's worry shows they care; it is no problem of the relationship
      const worrier = op.kind === 'P' && st.worries.some((w) => w.start <= v.start && v.end <= w.end) ? experiencerOf(st, v) : undefined;
      if (worrier?.value.kind === 'relative') domains.delete(worrier.value.domainId);
      for (const d of domains) {
        if (op.kind === 'P') {
          if (op.denied && isManner(st.s, op.denied)) addTally(tally, d, 'positive', `avoided: "${op.denied.match}" before "${v.match}"`, op.denied);
          else if (op.denied) addTally(tally, d, 'denied', `denied: "${op.denied.match}" before "${v.match}"`, op.denied);
          else addTally(tally, d, 'concern', `problem word "${v.match}"`, v);
        } else if (op.negatedBy) addTally(tally, d, 'concern', `negated strength: "${op.negatedBy.match}" before "${v.match}"`, op.negatedBy);
        else addTally(tally, d, 'positive', `strength word "${v.match}"`, v);
      }
    }
    const domains = [...new Set(here.map((t) => t.domainId))];
    for (const domainId of domains) {
      const mine = here.filter((t) => t.domainId === domainId);
      const weakTarget = mine.find((t) => t.weak);
      const weak = weakTarget?.weak;
      const t = tally.get(domainId) ?? { concern: 0, positive: 0, denied: 0, why: [], extra: [] };
      const anchor = mine[0]!;
      const past = historicalOf(st, anchor.start);
      let status: TagStatus = past ? 'historical' : 'current';
      const context = [...t.why];
      const extra = [...t.extra];
      if (past) {
        context.push(`historical: "${past.match}"`);
        extra.push(past);
      }
      // presence words change only with their domain's own change words ("broke up"), not with any ("worsening symptoms")
      const found = changeIn(st, domainId, spanAt(st.clauses, anchor.start), anchor.start, undefined, clauseHits.length === 0 ? undefined : here, clauseHits, mine.every((x) => x.weak));
      let direction: Direction;
      if (t.concern > t.positive) direction = 'concern';
      else if (t.positive > t.concern) direction = 'strength';
      else if (t.concern > 0) direction = 'concern'; // mixed: the problem is what a case worker needs to see ("difficulty finding reliable rides")
      else if (t.denied > 0) {
        direction = 'concern';
        status = 'negated';
      } else if (
        found.length > 0 && changed('strength', found) !== 'strength' &&
        !mine.every((x) => st.persons.some((p) => p.start < x.end && x.start < p.end)) &&
        found.some((m) => nearest(m, here).some((x) => x.domainId === domainId))
      ) {
        // (a person word such as "daughter" does not change with any change word: "her daughter started at the after-school program")
        // no valence: a change word alone gives the direction ("childcare subsidy approved")
        direction = changed('strength', found) === 'improvement' ? 'strength' : 'concern';
      } else if (weak) {
        direction = weak.direction;
        context.push(`presence: "${weakTarget!.cue}"`);
      } else {
        for (const x of mine) skip(st, domainId, { ...x, match: st.s.slice(x.start, x.end), value: null }, 'a topic word without a valence, negation or change word');
        continue;
      }
      if (status === 'current' && !weak?.background) {
        const next = changed(direction, found);
        if (next !== direction) context.push(`change: ${found.map((f) => `"${f.match}"`).join(', ')}`);
        direction = next;
      }
      const who = attribute(st, domainId, direction, experiencerOf(st, anchor), { ...anchor, match: st.s.slice(anchor.start, anchor.end), value: null });
      if (!who) continue;
      if (who.note) context.push(who.note);
      const agrees = weak !== undefined && status !== 'negated' && (weak.direction === 'strength') === (direction === 'strength' || direction === 'improvement');
      findings.push({
        domainId: who.domainId,
        ...(weak && agrees && who.domainId === domainId ? { indicatorId: weak.indicatorId } : {}),
        direction, status,
        confidence: weak ? WEAK_CONFIDENCE : TOPIC_CONFIDENCE,
        tier: weak ? 'weak' : 'topic',
        anchor: anchor.start,
        cite: citeFor(st, anchor.start, extra),
        cues: [...new Set(mine.map((x) => x.cue))],
        context,
      });
    }
  }
}

/**
 * Negations, problem words and strength words of a clause, in order. A valence word longer than a
 * negation it contains is the valence word ("has no" is an absence, "without problems" a
 * strength); a negation longer than a problem word it contains denies it ("no concerns about");
 * otherwise the negation stands ("no", "lack of" are both).
 */
function operatorsOf(st: Sent, clause: Span): Op[] {
  const neg = st.negations.filter((n) => within(n, clause));
  // a valence word inside an indicator cue is part of it ("job loss", "no working heat")
  const vals = st.valence.filter((v) => within(v, clause) && !st.hits.some((h) => !h.value.weak && h.start <= v.start && v.end <= h.end));
  const ops: Op[] = [];
  const swallowed = new Set<CueMatch<unknown>>();
  for (const v of vals) {
    const overlapping = neg.filter((n) => n.start < v.end && v.start < n.end);
    const container = overlapping.find((n) => n.end - n.start > v.end - v.start);
    if (container && v.value === 'adverse' && v.start > container.start) {
      // the negation still reaches past it: "not at risk of losing her apartment"
      ops.push({ kind: 'P', m: v, denied: container });
      continue;
    }
    if (overlapping.some((n) => n.end - n.start >= v.end - v.start)) continue;
    for (const n of overlapping) swallowed.add(n);
    ops.push({ kind: v.value === 'adverse' ? 'P' : 'S', m: v, absence: overlapping.length > 0 && v.value === 'adverse' });
  }
  for (const n of neg) if (!swallowed.has(n)) ops.push({ kind: 'N', m: n, used: ops.some((o) => o.denied === n) });
  ops.sort((a, b) => a.m.start - b.m.start);
  return ops;
}

function addTally(tally: Map<string, Tally>, domainId: string, key: 'concern' | 'positive' | 'denied', why: string, extra: Span): void {
  let t = tally.get(domainId);
  if (!t) tally.set(domainId, (t = { concern: 0, positive: 0, denied: 0, why: [], extra: [] }));
  t[key]++;
  t.why.push(why);
  t.extra.push(extra);
}

/** One part of a sentence speaks for at most two domains: keep the strongest evidence (indicator, then weak, then topic; then the earliest). */
function capDomains(st: Sent, all: Finding[], out: Finding[]): void {
  // presence words are evidence only when nothing else in the sentence speaks to their domain, and a
  // presence alone is no strength in a clause about a problem ("her husband is abusive")
  const strong = new Set(all.filter((f) => f.tier !== 'weak').map((f) => f.domainId));
  const troubled = all.filter((f) => f.tier !== 'weak' && (f.direction === 'concern' || f.direction === 'deterioration') && f.status === 'current').map((f) => spanAt(st.clauses, f.anchor));
  const findings = all.filter(
    (f) => f.tier !== 'weak' || (!strong.has(f.domainId) && !(f.direction === 'strength' && f.context.every((c) => c.startsWith('presence')) && troubled.includes(spanAt(st.clauses, f.anchor)))),
  );
  if (findings.length <= MAX_DOMAINS_PER_SEGMENT) {
    out.push(...findings);
    return;
  }
  const rank: Record<Tier, number> = { indicator: 0, weak: 1, topic: 2 };
  for (const seg of st.segments) {
    const list = findings.filter((f) => f.anchor >= seg.start && f.anchor < seg.end);
    const domains = [...new Set(list.map((f) => f.domainId))];
    if (domains.length <= MAX_DOMAINS_PER_SEGMENT) {
      out.push(...list);
      continue;
    }
    const best = (d: string) => list.filter((f) => f.domainId === d).reduce((a, f) => Math.min(a, rank[f.tier] * 100000 + f.anchor), Infinity);
    const keep = new Set(domains.sort((a, b) => best(a) - best(b)).slice(0, MAX_DOMAINS_PER_SEGMENT));
    for (const f of list) {
      if (keep.has(f.domainId)) out.push(f);
      else st.skipped?.push({ domainId: f.domainId, cue: f.cues[0] ?? '', span: { start: f.anchor, end: f.anchor + (f.cues[0]?.length ?? 0) }, reason: `more than ${MAX_DOMAINS_PER_SEGMENT} domains in one part of a sentence: a list, not evidence for each` });
    }
  }
}

// ---------------------------------------------------------------------------------------------
// context helpers

function skip(st: Sent, domainId: string, m: CueMatch<unknown>, reason: string): void {
  st.skipped?.push({ domainId, cue: m.cue, span: { start: m.start, end: m.end }, reason });
}

function within(m: Span, c: Span): boolean {
  return m.start >= c.start && m.end <= c.end;
}

function inside(a: Span, b: Span): boolean {
  return b.start <= a.start && a.end <= b.end && b.end - b.start > a.end - a.start;
}

function notPseudo(st: Sent, m: Span): boolean {
  for (const p of st.pseudo) if (p.start <= m.start && m.end <= p.end) return false;
  return true;
}

/** The span of `spans` (clauses or segments) that holds `at`. */
function spanAt(spans: Span[], at: number): Span {
  for (const c of spans) if (at >= c.start && at < c.end) return c;
  return spans[spans.length - 1]!;
}

/** The negation that reaches a cue: in its clause, before it, within reach. */
/**
 * A denied problem word that governs a concern cue after it: in "no significant concerns with mental
 * health or substance use" the negation reaches "concerns", and "concerns" reaches what they are about.
 */
function deniedProblemBefore(st: Sent, clause: Span, at: number): CueMatch<ContextKind> | undefined {
  for (const v of st.valence) {
    if (v.value !== 'adverse' || v.start < clause.start || v.end > at || wordsBetween(st.words, v.end, at) > NEGATION_REACH_WORDS) continue;
    const n = negationOf(st, clause, v.start, NEGATION_REACH_WORDS) ?? st.negations.find((x) => x.start <= v.start && v.end <= x.end && within(x, clause));
    if (n && !isManner(st.s, n)) return n;
  }
  return undefined;
}

/** A problem word just before a cue (within three words, in its clause, not part of another cue and not denied). */
function problemBefore(st: Sent, clause: Span, at: number): CueMatch<Valence> | undefined {
  for (const v of st.valence) {
    if (v.value !== 'adverse' || v.start < clause.start || v.end > at || wordsBetween(st.words, v.end, at) > PROBLEM_REACH_WORDS) continue;
    if (st.hits.some((h) => h.start <= v.start && v.end <= h.end)) continue;
    if (negationOf(st, clause, v.start, NEGATION_REACH_WORDS) || st.negations.some((n) => n.start < v.end && v.start < n.end)) continue;
    return v;
  }
  return undefined;
}

/** A negation opening a concern cue that reaches a strength after it: "no family or friends nearby for emotional support". */
function absenceOf(st: Sent, clause: Span, at: number): CueMatch<ContextKind> | undefined {
  let found: CueMatch<ContextKind> | undefined;
  for (const n of st.absences) if (n.start >= clause.start && n.end <= at && wordsBetween(st.words, n.end, at) <= NEGATION_REACH_WORDS) found = n;
  return found;
}

/** Where a new clause starts inside a sentence: a comma or "and"/"but" followed by a verb ("denies SI, lost her job"; "denies drug use and reports drinking"). */
const NEW_CLAUSE = /(?:,|\b(?:and|but|though|although)\b)\s+(?:(?:she|he|they|client|patient|pt|also|now|still|recently)\s+)*(?:reports?|reported|endorses?|endorsed|admits?|admitted|states?|stated|says|said|describes?|notes?|is|are|was|were|has|have|had|lost|owes|needs?|needed|feels?|felt|got|gets|lives?|lived|became|becomes|started|stopped|drinks?|drank|uses?|used|smokes?|went|goes|missed|misses|works?|worked|can(?:not|'t)?|could|does|did|doesn't|didn't|appears?|seems?)\b/giu;

/**
 * Whether a new clause opens between `from` and `at` (its verb may be the first word at `at`):
 * a negation does not reach into it ("Denies SI/HI, states she is behind on rent" is a current
 * housing concern).
 */
export function opensClause(text: string, from: number, at: number): boolean {
  if (at <= from) return false;
  const re = new RegExp(NEW_CLAUSE.source, 'giu');
  const window = text.slice(from, Math.min(text.length, at + 20));
  for (let m = re.exec(window); m !== null; m = re.exec(window)) if (m.index < at - from) return true;
  return false;
}

function negationOf(st: Sent, clause: Span, at: number, reach: number): CueMatch<ContextKind> | undefined {
  let found: CueMatch<ContextKind> | undefined;
  for (const n of st.negations) if (n.start >= clause.start && n.end <= at && wordsBetween(st.words, n.end, at) <= reach && !opensClause(st.s, n.end, at)) found = n;
  return found;
}

/** The historical cue that puts a cue in the past, unless a "now" word in the cue's own part of the clause brings it back. */
function historicalOf(st: Sent, at: number): CueMatch<ContextKind> | undefined {
  const clause = spanAt(st.clauses, at);
  // "no income since she lost her job last year": a time cue after since/because/until dates that clause, not what came before
  const past = st.context.filter((c) => c.value === 'historical' && within(c, clause) && !(c.start > at && /\b(?:since|because|until|till)\b/iu.test(st.s.slice(at, c.start))));
  if (past.length === 0) return undefined;
  const seg = spanAt(st.segments, at);
  const pastHere = past.find((c) => within(c, seg));
  if (pastHere) return pastHere;
  if (st.context.some((c) => c.value === 'current' && within(c, seg))) return undefined;
  // a time cue in another part of the clause reaches this one only when it stands on its own there
  // ("In 2019, she was evicted"), not when it belongs to a finding of its own ("History of alcohol use, sober since 2020")
  return past.find((c) => {
    const other = spanAt(st.segments, c.start);
    return !st.hits.some((h) => within(h, other)) && !st.topics.some((t) => within(t, other));
  });
}

/**
 * Change words of a domain in a clause. Domain change cues are more specific than the framework's:
 * they are used when there are any. A negated change word is no change ("has not improved"), and a
 * change word inside an indicator cue counts only when it agrees with it ("moved into", not
 * "daycare closed"). With `topics` and `hits`, a change word nearer to an indicator cue than to the
 * topic words is the indicator's.
 */
function changeIn(st: Sent, domainId: string, clause: Span, at: number, cue?: Span & { direction: Direction }, topics?: Span[], hits?: Span[], ownOnly = false): CueMatch<Change>[] {
  let found: CueMatch<Change>[] = st.domainChanges.filter((m) => m.domainId === domainId && within(m, clause));
  if (found.length === 0 && !ownOnly) {
    // A generic change word counts only in the cue's own comma-part ("client deteriorating, housing
    // secure" is no housing change), and a change word inside another domain's change phrase is that
    // domain's ("found" in "found an apartment").
    const part = spanAt(st.segments, at);
    found = st.changes.filter((m) => within(m, part) && !st.domainChanges.some((d) => d.domainId !== domainId && inside(m, d)));
  }
  if (found.length === 0) return found;
  return found.filter((m) => {
    if (topics && hits && hits.length > 0 && distance(m, hits) < distance(m, topics)) return false;
    if (negationOf(st, clause, m.start, CHANGE_NEGATION_REACH_WORDS)) return false;
    if (cue && m.start < cue.end && cue.start < m.end) return (m.value !== 'deterioration') === (cue.direction === 'strength');
    return true;
  });
}

/** A screening or test name next to a cue: "depression screening", "screening for domestic abuse", "assessment of substance use". */
function mentionOf(st: Sent, m: Span): CueMatch<null> | undefined {
  for (const x of st.mentions) {
    if (x.end <= m.start && wordsBetween(st.words, x.end, m.start) <= MENTION_REACH_WORDS) return x;
    if (x.start >= m.end && wordsBetween(st.words, m.end, x.start) === 0) return x;
    if (x.start <= m.start && m.end <= x.end) return x;
  }
  return undefined;
}

/** Whose circumstances a cue is about: undefined for the client, else the person. */
function experiencerOf(st: Sent, m: Span): CueMatch<Person> | undefined {
  if (st.persons.length === 0) return undefined;
  const s = st.s;
  for (const p of st.persons) {
    if (!personCounts(s, p)) continue;
    // "her son's drinking", "the husband's job": the cue belongs to its owner
    if (p.end <= m.start && POSSESSED.test(s.slice(p.end, m.start))) return p;
    // "homeless individuals", "victims of domestic violence": a cue that describes a group of others
    // ("help from others" names the helpers, not who is helped)
    if (p.value.kind === 'other' && p.start >= m.end && GROUP_AFTER.test(s.slice(m.end, p.start)) && !/\b(?:from|by|with|to|for)$/iu.test(s.slice(m.start, m.end))) return p;
  }
  // the subject of the part of the clause the cue is in: "Her son is unemployed", "Some patients report…"
  const clause = spanAt(st.clauses, m.start);
  // a relative clause is about the person it follows: "she has a son who is unemployed"
  if (RELATIVE_PRONOUN.test(s.slice(clause.start, m.start)) && !REPORTING.test(s.slice(clause.start, m.start))) {
    const before = s.slice(0, clause.start).trimEnd().replace(/,$/u, '');
    for (const p of st.persons) if (p.end === before.length && personCounts(s, p)) return p;
  }
  for (const p of st.persons) {
    if (p.start >= m.start || p.start < clause.start || !personCounts(s, p)) continue;
    const seg = spanAt(st.segments, p.start);
    if (!SUBJECT_PREFIX.test(s.slice(seg.start, p.start))) continue;
    const between = s.slice(p.end, m.start);
    // "her husband reported that she…": what a relative reports is about the client
    if (CLIENT_WORD.test(between) || (p.value.kind === 'relative' && REPORTING.test(between))) continue;
    return p;
  }
  return undefined;
}

/** Whether a topic or presence word names a person: a relative, a friend, a neighbour, a partner. */
function isPersonWord(st: Sent, t: Span): boolean {
  return st.persons.some((p) => p.start < t.end && t.start < p.end);
}

/** "Father attended the appointment alone": a parent word with no owner as the subject of its clause is the client, not a relative. */
function isClientAsParent(st: Sent, t: Span): boolean {
  const p = st.persons.find((x) => x.start === t.start && x.end === t.end);
  // ("Parents assist financially" are the client's parents: only one parent can be the client)
  if (!p || p.value.kind !== 'relative' || !p.value.ownerOnly || /s$/iu.test(p.match) || personCounts(st.s, p)) return false;
  return SUBJECT_PREFIX.test(st.s.slice(spanAt(st.segments, p.start).start, p.start));
}

/** A relative that needs an owner ("her mother") counts only with one: a bare "Mother" is often the client. */
function personCounts(s: string, p: CueMatch<Person>): boolean {
  return p.value.kind === 'other' || !p.value.ownerOnly || OWNER_BEFORE.test(s.slice(Math.max(0, p.start - 40), p.start));
}

/**
 * A finding about another person: dropped for someone outside the household; kept for a relative
 * in household domains (and the relative's own domain); moved to the relative's domain when it is a
 * difficulty in a domain about the client's own circumstances ("her son was arrested" is parenting);
 * else dropped.
 */
function attribute(st: Sent, domainId: string, direction: Direction, person: CueMatch<Person> | undefined, m: CueMatch<unknown>): { domainId: string; note?: string } | undefined {
  if (person === undefined) return { domainId };
  // "her neighbour drives her to treatment", "co-workers donated leave so the patient could…": an act toward the client is evidence about the client
  const clause = spanAt(st.clauses, person.start);
  if (person.end <= m.start && CLIENT_OBJECT.test(st.s.slice(person.end, clause.end))) return { domainId, note: `"${person.match}" acting toward the client` };
  if (person.value.kind === 'other') {
    skip(st, domainId, m, `about another person ("${person.match}")`);
    return undefined;
  }
  if (st.lexicon.household.has(domainId) || domainId === person.value.domainId) return { domainId, note: `experiencer: "${person.match}", a relative (household domain)` };
  if (direction === 'concern' || direction === 'deterioration') {
    return { domainId: person.value.domainId, note: `experiencer: "${person.match}": a relative's ${domainId} difficulty, read as ${person.value.domainId}` };
  }
  skip(st, domainId, m, `about a relative ("${person.match}"), not the client's own ${domainId}`);
  return undefined;
}

/** The part of the clause a cue is in, widened to the context cues that decided it (so the citation shows them). */
function citeFor(st: Sent, at: number, extra: Span[]): Span {
  const seg = spanAt(st.segments, at);
  const clause = spanAt(st.clauses, at);
  let { start, end } = seg;
  for (const x of extra) {
    if (!within(x, clause)) continue;
    if (x.start < start) start = x.start;
    if (x.end > end) end = x.end;
  }
  return { start, end };
}

/** What may come before a person in a clause for the person to be its subject: "", "Her ", "The client's ", "but his ", "Some ". */
const SUBJECT_PREFIX =
  /^[\s\p{P}]*(?:(?:and|but|so|while|whereas|although|though|because|also)\s+)?(?:(?:her|his|their|my|our|your|the|a|an|one|this|that|these|those|many|some|several|most|all|other|few|a few|certain|a number of(?: my| our)?|one of (?:her|his|their|the))\s+)?(?:[\p{L}\p{N}.]+['’]s\s+)?(?:(?:older|younger|oldest|youngest|eldest|adult|teenage|new|former|late|elderly|childhood|close|best|old|longtime|long-time|lifelong|local|\d+[- ]year[- ]old|[\p{L}]+-year-old)\s+)?$/iu;
/** The client as the object of someone else's act: "drives her to", "helps him", "so that the patient can". */
const CLIENT_OBJECT = /\b(?:client|patient|pt|participant|him|them|(?:the|her|his|their) (?:family|household)|her(?=\s+(?:to|with|for|out|up|off|a|an|the|some|money|rides?|groceries|meals?|food|appointments?)\b|\s*[.,;!?]|\s*$))\b/iu;
/** Words that bring the client back as the subject between a person and a cue ("her sister says the client is…"). */
const CLIENT_WORD = /\b(?:client|patient|pt|participant|cl)\b/iu;
/** A reporting verb between a relative and a cue: what they report is about the client. */
const REPORTING = /\b(?:report(?:s|ed)?|sa(?:ys|id)|state[sd]?|told|tells|mention(?:s|ed)|share[sd]|express(?:es|ed|ing)|note[sd]|explain(?:s|ed)|voice[sd]|raise[sd])\b/iu;
/** A possessive determiner just before a person: "her mother", "client's dad". */
const OWNER_BEFORE = /(?:^|[^\p{L}])(?:her|his|their|my|our|[\p{L}]+['’]s)\s+(?:(?:older|younger|elderly|adult|late|step)\s*)?$/iu;
/** Between an owner and what they own: "'s ", "'s new ", "’s part-time ". */
const POSSESSED = /^['’]s?\s+(?:[\p{L}\p{N}-]+\s+){0,2}$/u;
/** A clause that starts with a relative pronoun: "who is unemployed", "whose job". */
const RELATIVE_PRONOUN = /^\s*(?:who|whose|whom)\b/iu;
/** Between a cue and a group of other people it describes: "homeless individuals", "victims of". */
const GROUP_AFTER = /^\s*(?:of\s+)?$/u;

/** Negations that can only deny a problem, never mark a missing resource. */
const DENIAL = /^(?:den(?:y|ies|ied|ying)|negative for|free (?:of|from)|ruled out|rules out|absence of|no (?:evidence|signs?|history|reports?) of)\b/iu;

/** Whether a match is part of a hyphenated compound ("after-school", "non-stop"). */
function inCompound(s: string, m: Span): boolean {
  return (s.charCodeAt(m.end) === 45 && /[\p{L}\p{N}]/u.test(s.charAt(m.end + 1))) || (s.charCodeAt(m.start - 1) === 45 && /[\p{L}\p{N}]/u.test(s.charAt(m.start - 2)));
}

/** "without missing a shift", "not skipping meals": a problem avoided while doing something, not a denial. */
function isManner(s: string, neg: Span): boolean {
  const word = s.slice(neg.start, neg.end).toLowerCase();
  if (word === 'without' || word === 'w/o') return true;
  return word === 'not' && /^\s+[\p{L}]+ing\b/u.test(s.slice(neg.end));
}

/** The offset where a negation's reach ends: after `reach` words, or at the clause end. */
function reachFrom(words: Word[], from: number, reach: number, clauseEnd: number): number {
  let n = 0;
  for (let i = firstWordAt(words, from); i < words.length; i++) {
    const w = words[i]!;
    if (w.start >= clauseEnd) break;
    n++;
    if (n === reach + 1) return w.start;
  }
  return clauseEnd;
}

/** Index of the first word starting at or after `at`. */
function firstWordAt(words: Word[], at: number): number {
  let lo = 0;
  let hi = words.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (words[mid]!.start < at) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** How many words lie wholly between two offsets. */
function wordsBetween(words: Word[], from: number, to: number): number {
  if (to <= from) return 0;
  let n = 0;
  for (let i = firstWordAt(words, from); i < words.length && words[i]!.end <= to; i++) n++;
  return n;
}

/** Characters between a span and the nearest of `list`. */
function distance(a: Span, list: Span[]): number {
  let best = Infinity;
  for (const b of list) best = Math.min(best, gap(a, b));
  return best;
}

function gap(a: Span, b: Span): number {
  return a.start >= b.end ? a.start - b.end : b.start >= a.end ? b.start - a.end : 0;
}

/** The items of `list` nearest to `a` (all of them on a tie). */
function nearest<T extends Span>(a: Span, list: T[]): T[] {
  const d = distance(a, list);
  return list.filter((b) => gap(a, b) === d);
}

/**
 * A current strength or concern next to a change word becomes an improvement or deterioration. A
 * gain ("found", "enrolled") improves a strength but leaves a concern as it is: finding shelter or
 * a food bank is still a crisis.
 */
function changed(direction: Direction, found: CueMatch<Change>[]): Direction {
  let improving = false;
  let worsening = false;
  for (const m of found) {
    if (m.value === 'deterioration') worsening = true;
    else if (m.value === 'improvement' || direction !== 'concern') improving = true;
  }
  if (improving && !worsening) return 'improvement';
  if (worsening && !improving) return 'deterioration';
  return direction;
}

/** Time words that can open an adjunct ("when using", "while waiting") rather than a clause. */
const ADJUNCT = /^(?:when|while|after|before)$/iu;

const CLAUSE_BREAK = /\s[-–—]\s|;|:\s|,\s(?=(?:and|but|so|then)\s)|\s\(|\)\s/g;

/** Clauses of a sentence: split at scope terminators (and link words when `links`), at " - ", " — ", ";", ":", brackets and ", and" / ", but". */
function splitClauses(s: string, ctx: CueMatch<ContextKind>[], links: boolean): Span[] {
  const cuts: number[] = [];
  for (const c of ctx) {
    if (c.value === 'link' ? !links : c.value !== 'terminator') continue;
    // "frustration with long wait times when using public transit": a time word before an -ing verb
    // opens no clause of its own (it has no subject), it says when what comes before happens
    if (c.value === 'terminator' && ADJUNCT.test(c.match) && /^\s+\p{L}+ing\b/u.test(s.slice(c.end))) continue;
    cuts.push(c.start);
  }
  CLAUSE_BREAK.lastIndex = 0;
  for (let m = CLAUSE_BREAK.exec(s); m !== null; m = CLAUSE_BREAK.exec(s)) cuts.push(m.index);
  return cut(s, cuts);
}

/** Parts of a sentence between commas (and inside each clause): the unit one finding cites and the domain cap counts. */
function splitSegments(s: string, clauses: Span[]): Span[] {
  const cuts = clauses.map((c) => c.start);
  for (let i = s.indexOf(', '); i !== -1; i = s.indexOf(', ', i + 1)) cuts.push(i);
  return cut(s, cuts);
}

function cut(s: string, cuts: number[]): Span[] {
  const sorted = [...new Set(cuts)].filter((c) => c > 0).sort((a, b) => a - b);
  const out: Span[] = [];
  let start = 0;
  for (const c of sorted) {
    out.push({ start, end: c });
    start = c;
  }
  out.push({ start, end: s.length });
  return out;
}

/** The span as a citation, trimmed of surrounding spaces and punctuation. */
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
  /** for a word of digits only, "#" once per digit (the key of cues that start with "#"), else "" */
  shape: string;
}

const PREFIX_CHARS = 3;
const WORD_RE = /[\p{L}\p{N}]+/gu;
const SPACE_RE = /\s+/uy;
const DIGITS_RE = /^\p{Nd}+$/u;

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
    const shape = DIGITS_RE.test(word) ? '#'.repeat(word.length) : '';
    out.push({ start: m.index, end, word, prefix: word.length >= PREFIX_CHARS ? word.slice(0, PREFIX_CHARS) : '', spaceBefore, shape });
    prevEnd = end;
  }
  return out;
}

/**
 * Where a cue can start: at a word equal to its first word (`words`), or at a word beginning with
 * the first three characters of its first word when that word ends in "*" or is joined by "-" or
 * "#" to more characters (`prefixes`). A short first word joined by "-" can start a match as a word
 * of its own ("ex wife") or as the start of a longer one ("exwife"); a first word of "#" only is a
 * number of that many digits. Undefined: anywhere.
 */
function cueStart(cue: string): { words: string[]; prefixes: string[] } | undefined {
  // "#" stands for one digit: such a word is looked up by its shape ("##"), see wordsOf
  const digits = /^#+(?= |$)/u.exec(cue)?.[0];
  if (digits !== undefined) return { words: [digits], prefixes: [] };
  const first = /^[\p{L}\p{N}]+/u.exec(cue)?.[0];
  if (!first) return undefined;
  const next = cue.charAt(first.length);
  if (next === '*' || next === '#') return first.length >= PREFIX_CHARS ? { words: [], prefixes: [first.slice(0, PREFIX_CHARS)] } : undefined;
  if (next === '-') {
    if (first.length >= PREFIX_CHARS) return { words: [], prefixes: [first.slice(0, PREFIX_CHARS)] };
    const joined = /^[\p{L}\p{N}]+/u.exec(cue.slice(first.length + 1))?.[0] ?? '';
    const prefix = (first + joined).slice(0, PREFIX_CHARS);
    return prefix.length === PREFIX_CHARS ? { words: [first], prefixes: [prefix] } : undefined;
  }
  return { words: [first], prefixes: [] };
}

/** Cues of plain words separated by single spaces, with an optional final "*", are compared word by word, without a regular expression. */
const PLAIN_CUE = /^[\p{L}\p{N}]+(?: [\p{L}\p{N}]+)*\*?$/u;

type WordCueMatcher<T> = (text: string, words?: Word[]) => CueMatch<T>[];

interface CompiledCue<T> {
  cue: string;
  value: T;
  order: number;
  group: string;
  /** plain cues: the words, the last one a prefix when `wildcard` */
  words?: string[];
  wildcard: boolean;
  re?: RegExp;
}

type Found<T> = CueMatch<T> & { order: number; group: string };

/** Tries each cue of `list` at word `i`; matches go to `found`. */
function tryCuesAt<T>(list: CompiledCue<T>[] | undefined, i: number, words: Word[], text: string, found: Found<T>[]): void {
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
}

/**
 * Finds cues in a text with the same meaning as createCueMatcher in src/frameworks/cues.ts (the
 * matches of compileCue; overlapping matches resolved by keeping the longest, then the earliest,
 * then the one listed first, within one overlap group when `group` is given), but faster: a cue
 * that starts with a letter or digit can only match at the start of a word, so it is tried only at
 * the words it can start with (see cueStart); plain cues are compared word by word, the others
 * with their regular expression anchored there.
 */
export function createWordCueMatcher<T>(entries: readonly CueEntry<T>[], group?: (value: T) => string): WordCueMatcher<T> {
  const byWord = new Map<string, CompiledCue<T>[]>();
  const byPrefix = new Map<string, CompiledCue<T>[]>();
  const always: CompiledCue<T>[] = [];
  entries.forEach((entry, order) => {
    const error = cueSyntaxError(entry.cue);
    if (error !== undefined) throw new TypeError(error);
    const at = cueStart(entry.cue);
    const wildcard = entry.cue.endsWith('*');
    const c: CompiledCue<T> = { cue: entry.cue, value: entry.value, order, group: group ? group(entry.value) : '', wildcard };
    if (at !== undefined && PLAIN_CUE.test(entry.cue)) c.words = (wildcard ? entry.cue.slice(0, -1) : entry.cue).split(' ');
    else c.re = new RegExp(compileCue(entry.cue).source, at === undefined ? 'giu' : 'iuy');
    if (at === undefined) {
      always.push(c);
      return;
    }
    const add = (map: Map<string, CompiledCue<T>[]>, key: string) => {
      const list = map.get(key);
      if (list) list.push(c);
      else map.set(key, [c]);
    };
    for (const w of at.words) add(byWord, w);
    for (const p of at.prefixes) add(byPrefix, p);
  });
  return (text: string, words: Word[] = wordsOf(text)) => {
    const found: Found<T>[] = [];
    for (let i = 0; i < words.length; i++) {
      const w = words[i]!;
      tryCuesAt(byWord.get(w.word), i, words, text, found);
      if (w.prefix !== '') tryCuesAt(byPrefix.get(w.prefix), i, words, text, found);
      if (w.shape !== '') tryCuesAt(byWord.get(w.shape), i, words, text, found);
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
    const kept: Found<T>[] = [];
    for (const f of found) {
      let free = true;
      for (const k of kept) {
        if (k.group === f.group && f.end > k.start && f.start < k.end) {
          free = false;
          break;
        }
      }
      if (free) kept.push(f);
    }
    kept.sort((a, b) => a.start - b.start || a.end - b.end);
    return kept.map((k) => ({ cue: k.cue, start: k.start, end: k.end, match: k.match, value: k.value }));
  };
}
