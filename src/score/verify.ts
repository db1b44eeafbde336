import { indicatorCueEntries, type Framework } from '../frameworks/index.ts';
import { createOfflineScorer, createWordCueMatcher, opensClause } from './offline.ts';
import { segmentSentences, type Sentence } from './segment.ts';
import type { Citation, Direction, Tag, TagStatus } from './types.ts';

/**
 * The verifier: an independent reading of every cited span before its tag is stored, whichever
 * scorer proposed it. A citation that is exact can still say the opposite of its tag ("denies
 * drug use" cited for a current substance-use concern), be about someone else ("her son lost his
 * job"), be a plan rather than a fact ("hopes to find work"), or be a list of codes rather than
 * narrative. The verifier knows context the way ConText does (negation with scope, historical,
 * hypothetical, experiencer) and reads polarity with the framework's own lexicon. Each citation
 * gets a verdict; a tag keeps the citations that support it, a status the span gets wrong is
 * corrected, and a tag left with none is dropped. Every drop and correction is returned with its
 * reason so the run can count and record it: nothing disappears silently.
 *
 * Bump VERIFIER_VERSION whenever a rule changes: it is stored with every run and every check.
 */
export const VERIFIER_VERSION = 'verify-v1';

export type CheckAction = 'dropped' | 'corrected';

/** One decision the verifier took about one citation of one proposed tag. */
export interface TagCheck {
  domainId: string;
  direction: Direction;
  status: TagStatus;
  action: CheckAction;
  /** for a correction: what the citation supports instead */
  newDirection?: Direction;
  newStatus?: TagStatus;
  reason: string;
  start: number;
  end: number;
  quote: string;
}

export interface VerifiedTags {
  tags: Tag[];
  checks: TagCheck[];
  /** proposed tags left with no supporting citation */
  tagsDropped: number;
  /** proposed tags whose status or direction was changed for at least one citation */
  tagsCorrected: number;
}

export interface Verifier {
  readonly version: string;
  /**
   * Checks every citation of every tag against the note it was cited from. `reading` is the
   * framework lexicon's own tags for the note, when the caller has them already (the offline
   * scorer's output): the verifier reads the note with it once otherwise.
   */
  verifyNote(text: string, tags: readonly Tag[], reading?: readonly Tag[]): Promise<VerifiedTags>;
}

type Polarity = 'positive' | 'concern';
const polarityOf = (d: Direction): Polarity => (d === 'strength' || d === 'improvement' ? 'positive' : 'concern');

/**
 * Domains about the client's own circumstances: a clause whose subject is another person ("her
 * son lost his job", "mother has a drinking problem") is not evidence for them. For the others,
 * what relatives and friends do is the evidence ("her sister drives her to work", "his partner
 * hits him"), so another person as subject is expected there.
 */
const OWN_STATE_DOMAINS = new Set(['housing', 'income', 'employment', 'education', 'legal', 'health_care', 'life_skills', 'mental_health', 'substance_use']);

/** People in the client's life who are not the client: family and social relations, written out because the framework lists only non-family others. */
const RELATION_WORDS = [
  'son', 'sons', 'daughter', 'daughters', 'child', 'children', 'kid', 'kids', 'baby', 'toddler', 'infant', 'teen', 'teenager',
  'mother', 'mom', 'mum', 'father', 'dad', 'parent', 'parents', 'stepfather', 'stepmother', 'stepson', 'stepdaughter',
  'brother', 'brothers', 'sister', 'sisters', 'sibling', 'siblings', 'grandmother', 'grandma', 'grandfather', 'grandpa', 'grandparent', 'grandparents',
  'grandson', 'granddaughter', 'grandchild', 'grandchildren', 'aunt', 'uncle', 'cousin', 'cousins', 'niece', 'nephew',
  'husband', 'wife', 'spouse', 'partner', 'boyfriend', 'girlfriend', 'fiance', 'fiancee', 'ex', 'ex-husband', 'ex-wife', 'ex-partner',
  'friend', 'friends', 'family member', 'relative', 'relatives', 'in-laws', 'mother-in-law', 'father-in-law',
];

/** Words that put the client back into a clause whose subject is someone else ("her mother kicked her out", "his brother drives him"). */
const CLIENT_REFERENCE = /\b(?:client|patient|participant|him|them|she|he|they|the family|the household|her(?=\s+(?:out|off|up|to|with|for|in|into|a|an|the|some|money|rides?|home|back|again)\b|\s*[.,;!?]|\s*$))\b/iu;

/**
 * What stands before a person for the clause to be about that person rather than the client:
 * someone's relation ("her son", "the client's mother", "Carlos's brother", "the neighbor").
 * A bare "Mother reports…" opening a clinical note is usually the patient or the informant
 * speaking, so a determiner is required.
 */
const SUBJECT_PREFIX = /^[\s\p{P}]*(?:(?:and|but|so|while|whereas|although|though|because|also)\s+)?(?:her|his|their|my|our|your|the|(?:the\s+)?(?:client|patient|participant)['’]s|\p{Lu}[\p{L}-]*['’]s)\s+(?:(?:older|younger|oldest|youngest|eldest|adult|teenage|new|former|late|\d+[- ]year[- ]old)\s+)?$/iu;

/** Others acting for the client are evidence about the client's support ("her parents help with rent", "his sister drives him"). */
const HELPING = /\b(?:help(?:s|ed|ing)?|assist(?:s|ed|ing)?|support(?:s|ed|ing)?|provid(?:es?|ed|ing)|offer(?:s|ed|ing)?|giv(?:es?|ing)|gave|pa(?:ys?|id)|cover(?:s|ed|ing)?|brought|bring(?:s|ing)?|driv(?:es?|ing)|drove|watch(?:es|ed|ing)?|care[sd]? for|caring for|lend(?:s|ing)?|lent|cook(?:s|ed|ing)?|accompan(?:y|ies|ied))\b/iu;

/** Negation cues that can only deny a problem, never mark a missing resource. */
const DENIAL = /^(?:den(?:y|ies|ied|ying)|negative for|free (?:of|from)|ruled out|rules out|absence of|no (?:evidence|signs?) of)\b/iu;

/** Hedges: the finding may be so. Not "appears" or "seems", which case workers use for what they observed. */
const UNCERTAIN = /\b(?:possibl[ey]|probabl[ey]|perhaps|maybe|may have|might have|could be|suspected|suspect(?:s|ed)? that|unclear (?:if|whether)|not sure (?:if|whether)|unconfirmed|reportedly|allegedly|questionable|r\/o|rule out)\b/giu;
/** The most an uncertain citation's tag is trusted (offline tags start at 0.4 to 0.6). */
const UNCERTAIN_MAX_CONFIDENCE = 0.3;

/** Words saying the clause is about now, which outweigh a historical cue in the same clause ("previously homeless, now housed"). */
const NOW_CUE = /\b(?:now|currently|presently|at present|today|this week|this month|still|again|no longer|anymore|any more)\b/iu;

/**
 * Structured text, not narrative: SNOMED-style semantic tags ("Hunger (finding)"), or a run of
 * short comma- or semicolon-separated items with no verb-like word (a problem, medication or
 * screening list).
 */
const SEMANTIC_TAG = /\((?:finding|disorder|procedure|situation|observable entity|regime\/therapy|qualifier value|morphologic abnormality|event|person|social concept|record artifact|assessment scale)\)/iu;
const LIST_ITEM_MAX_WORDS = 5;
const LIST_MIN_ITEMS = 4;
const NARRATIVE_WORD = /\b(?:is|are|was|were|has|have|had|reports?|reported|states?|stated|says?|said|feels?|felt|lives?|lived|works?|worked|needs?|needed|got|gets|lost|moved|went|came|cannot|can't|could|did|does|will|would|client|patient|she|he|they|i|we)\b/iu;

export function isStructuredText(sentence: string): boolean {
  if (SEMANTIC_TAG.test(sentence)) return true;
  const body = sentence.replace(/^[^:]{1,40}:\s*/u, '');
  const items = body.split(/[,;]\s*|\s+\|\s+/u).map((s) => s.trim()).filter((s) => s.length > 0);
  if (items.length < LIST_MIN_ITEMS) return false;
  const short = items.filter((s) => (s.match(/[\p{L}\p{N}]+/gu) ?? []).length <= LIST_ITEM_MAX_WORDS).length;
  return short === items.length && !NARRATIVE_WORD.test(body);
}

interface Clause {
  start: number;
  end: number;
}

interface Reading {
  domainId: string;
  polarity: Polarity;
  status: TagStatus;
  start: number;
  end: number;
}

interface SentenceContext {
  sentence: Sentence;
  clauses: Clause[];
  structured: boolean;
  /** the offline lexicon's reading of the note, in this sentence: per domain, polarity and status, with the clause it came from (note offsets) */
  readings: Reading[];
  /** the framework's words for each domain (indicator, topic and change cues), with note offsets */
  evidence: Array<{ domainId: string; start: number; end: number }>;
  /** context cues with note offsets */
  cues: Array<{ kind: 'negation' | 'pseudo' | 'historical' | 'hypothetical' | 'terminator' | 'other'; start: number; end: number; text: string }>;
}

/** The readings overlapping a sentence; `sorted` is ordered by start, so a long note is not scanned once per sentence. */
function readingsIn(sorted: readonly Reading[], sentence: Sentence): Reading[] {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]!.start < sentence.end) lo = mid + 1;
    else hi = mid;
  }
  // readings starting before the sentence's end; those that also end after its start overlap it
  const out: Reading[] = [];
  for (let i = lo - 1; i >= 0; i--) {
    const r = sorted[i]!;
    if (r.end > sentence.start) out.push(r);
    else if (sentence.start - r.start > MAX_READING_SPAN) break;
  }
  return out.reverse();
}

/** A reading is one clause part of one sentence, far shorter than this, so the backward scan can stop here. */
const MAX_READING_SPAN = 2_000;

/** The verdict on one citation of a tag: supported as is, supported with another status, or not supported (with why). */
function checkCitation(ctx: SentenceContext, tag: Tag, c: Citation): { ok: true; status: TagStatus; direction: Direction; uncertain?: string; why?: string } | { ok: false; why: string } {
  if (ctx.structured) return { ok: false, why: 'structured text (a list or coded entry), not narrative' };
  const s = ctx.sentence.text;
  const at = (x: number) => x - ctx.sentence.start;
  const clauseOf = (x: number) => ctx.clauses.find((cl) => x >= cl.start && x < cl.end) ?? ctx.clauses[ctx.clauses.length - 1]!;
  // Where the domain is spoken of inside the citation: the framework's own words for it. A
  // model may cite a span in other words; then the whole span is the evidence, and a cue must
  // stand in its first third to govern it.
  const words = ctx.evidence.filter((e) => e.domainId === tag.domainId && e.start >= c.start && e.end <= c.end);
  const evidence = words.length > 0 ? words : [{ start: c.start, end: c.start + Math.max(1, Math.floor((c.end - c.start) / 3)) }];
  /** A trigger before the evidence governs it when they share a clause and no comma, "and" or terminator stands between (ConText's forward scope). */
  const governs = (t: { start: number; end: number }, e: { start: number; end: number }, loose = false) => {
    if (t.end > e.end || clauseOf(t.start) !== clauseOf(e.start)) return false;
    if (t.start >= e.start) return true; // the trigger is inside the evidence ("denies drug use" quoted whole)
    const between = s.slice(at(t.end), at(e.start));
    // loose: across a list ("denies drug, alcohol or tobacco use"), but not into a new clause ("denies SI, lost her job")
    return loose ? !/[;:]/u.test(between) && !opensClause(s, at(t.end), at(e.start)) : !/[,;:]|\s(?:and|but|so|then|while|whereas)\s/iu.test(between);
  };
  const triggers = (kind: SentenceContext['cues'][number]['kind']) => ctx.cues.filter((x) => x.kind === kind);
  const allGoverned = (ts: Array<{ start: number; end: number }>, loose = false) => evidence.every((e) => ts.some((t) => governs(t, e, loose)));

  // experiencer: the evidence is said of another person ("her son lost his job")
  if (OWN_STATE_DOMAINS.has(tag.domainId)) {
    const subjects = triggers('other').filter((o) => {
      const clause = clauseOf(o.start);
      const lead = s.slice(at(clause.start), at(o.start));
      // "Client and her partner discussed…": the client is a subject too
      if (/\b(?:client|patient|participant|she|he)\s+and\s+\S+\s*$/iu.test(lead)) return false;
      return SUBJECT_PREFIX.test(lead.split(/,\s|\s(?:and|but)\s/iu).pop() ?? '');
    });
    // the client may still be the one it happens to ("her mother kicked her out"): look on to the clause's end
    const aboutOther = evidence.every((e) => subjects.some((o) => {
      const rest = s.slice(at(o.end), at(clauseOf(o.start).end));
      return governs(o, e) && !CLIENT_REFERENCE.test(rest) && !HELPING.test(rest);
    }));
    if (subjects.length > 0 && aboutOther) {
      const o = subjects.find((x) => evidence.some((e) => governs(x, e)))!;
      return { ok: false, why: `about another person ("${o.text}"), not the client` };
    }
  }

  // hypothetical or future: a plan, a hope or a condition is not a fact about the client
  const hypothetical = triggers('hypothetical');
  if (tag.direction !== 'improvement' && hypothetical.length > 0 && allGoverned(hypothetical)) {
    const h = hypothetical.find((x) => evidence.some((e) => governs(x, e)))!;
    return { ok: false, why: `hypothetical or planned ("${h.text}")` };
  }

  // uncertainty ("possibly", "suspected", "unclear whether"): still evidence, held with less confidence
  const hedges = [...s.matchAll(UNCERTAIN)].map((m) => ({ start: ctx.sentence.start + m.index, end: ctx.sentence.start + m.index + m[0].length, text: m[0] }));
  const hedge = hedges.find((h) => evidence.every((e) => governs(h, e, true)));

  let status = tag.status;
  const direction = tag.direction;
  let why: string | undefined;

  const pseudo = triggers('pseudo');
  const negations = triggers('negation').filter((x) => !pseudo.some((p) => p.start <= x.start && p.end >= x.end));
  const want = polarityOf(tag.direction);
  // A denial verb only ever denies a problem ("denies drug use", "negative for", "ruled out"),
  // whatever the lexicon makes of the rest; "no" and "without" may instead mark a missing
  // resource, which is a concern ("no income"), so they are left to the lexicon.
  // "denies having any income" says the resource is missing: that is for the lexicon to read
  const denials = negations.filter((x) => DENIAL.test(x.text) && !/^\s+(?:having|to have|that (?:she|he|they) (?:has|have))\b/iu.test(s.slice(at(x.end))));
  const denied = want === 'concern' && denials.length > 0 && allGoverned(denials, true);
  if (denied && status !== 'negated') {
    status = 'negated';
    why = `the cited span denies the concern ("${denials[0]!.text}")`;
  }

  // polarity, as the framework's lexicon reads this domain in the cited clauses
  const readings = ctx.readings.filter((r) => r.domainId === tag.domainId && r.start < c.end && c.start < r.end);
  if (readings.length > 0) {
    const agree = readings.some((r) => r.polarity === want && (r.status === 'negated') === (status === 'negated'));
    if (!agree) {
      const samePolarity = readings.filter((r) => r.polarity === want);
      if (want === 'concern' && samePolarity.length > 0) {
        if (!denied) {
          // the span speaks of the concern, but denies it (or affirms what the tag denied)
          status = samePolarity[0]!.status;
          why = status === 'negated' ? 'the cited span denies the concern' : 'the cited span affirms the concern the tag denied';
        }
      } else if (want === 'positive' && readings.some((r) => r.polarity === 'concern' && r.status === 'current')) {
        // a past concern is what an improvement follows ("no longer homeless"): only a current one contradicts
        return { ok: false, why: 'the cited span reads as a concern, not a strength' };
      } else if (want === 'concern' && status !== 'negated' && readings.some((r) => r.polarity === 'positive' && r.status === 'current')) {
        return { ok: false, why: 'the cited span reads as a strength, not a concern' };
      }
    }
  } else if (want === 'positive' && status !== 'negated') {
    // no lexicon reading: a strength right after a plain negation is not supported ("not employed")
    const neg = negations.find((x) => evidence.some((e) => governs(x, e) && /^[\s\p{P}]*$/u.test(s.slice(at(x.end), at(Math.max(x.end, e.start))))));
    if (neg) return { ok: false, why: `the strength is negated ("${neg.text}")` };
  }

  // history: a past-time cue governing the evidence, ahead of it ("history of", and an opening
  // "Growing up," across its comma) or after it in the same part ("went without insurance
  // before 2019"), with nothing saying "now" in that part
  if (status === 'current') {
    const part = (from: number, to: number) => s.slice(at(from), at(to));
    const opening = (h: { start: number; end: number }) => {
      const clause = clauseOf(h.start);
      const rest = part(h.end, clause.end);
      const comma = rest.indexOf(',');
      if (!/^[\s\p{P}]*$/u.test(part(clause.start, h.start)) || comma < 0 || (rest.slice(0, comma).match(/[\p{L}\p{N}]+/gu) ?? []).length > 2) return false;
      // "History of alcohol use, sober since 2020": the opening phrase holds evidence of its own, so it is not a time frame
      return !ctx.evidence.some((w) => w.start >= h.end && w.end <= h.end + comma);
    };
    const after = (h: { start: number; end: number }, e: { start: number; end: number }) =>
      // "no income since she lost her job last year": a time cue in a since/because clause dates that clause only
      h.start >= e.end && clauseOf(h.start) === clauseOf(e.start) && !/[,;:]|\s(?:and|but|so|then|while|whereas|since|because|until|after|when)\s/iu.test(part(e.end, h.start));
    const hist = triggers('historical').find((h) => evidence.every((e) => governs(h, e) || after(h, e) || (opening(h) && h.end <= e.start && clauseOf(h.start) === clauseOf(e.start))));
    if (hist) {
      const clause = clauseOf(hist.start);
      if (!NOW_CUE.test(part(clause.start, clause.end))) {
        status = 'historical';
        why = why ? `${why}; in the past ("${hist.text}")` : `in the past ("${hist.text}")`;
      }
    }
  }
  return { ok: true, status, direction, ...(hedge ? { uncertain: hedge.text } : {}), ...(why ? { why } : {}) };
}

export function createVerifier(framework: Framework): Verifier {
  const reader = createOfflineScorer(framework);
  type CueKind = SentenceContext['cues'][number]['kind'];
  const context = createWordCueMatcher<CueKind>([
    ...framework.negationCues.map((cue) => ({ cue, value: 'negation' as const })),
    ...framework.pseudoNegationCues.map((cue) => ({ cue, value: 'pseudo' as const })),
    ...framework.historicalCues.map((cue) => ({ cue, value: 'historical' as const })),
    ...framework.hypotheticalCues.map((cue) => ({ cue, value: 'hypothetical' as const })),
    ...framework.scopeTerminators.map((cue) => ({ cue, value: 'terminator' as const })),
  ]);
  const domainWords = createWordCueMatcher(
    [
      ...indicatorCueEntries(framework).map((e) => ({ cue: e.cue, value: e.value.domainId })),
      ...framework.domains.flatMap((d) => [...(d.topicCues ?? []), ...(d.improvementCues ?? []), ...(d.deteriorationCues ?? [])].map((cue) => ({ cue, value: d.id }))),
    ],
    (v) => v,
  );
  const others = createWordCueMatcher([...(framework.otherPersonCues ?? []), ...RELATION_WORDS].map((cue) => ({ cue, value: 'other' as const })));

  function readSentence(sentence: Sentence, noteReadings: readonly Reading[]): SentenceContext {
    const s = sentence.text;
    const base = sentence.start;
    const cues: SentenceContext['cues'] = [
      ...context(s).map((m) => ({ kind: m.value, start: base + m.start, end: base + m.end, text: m.match })),
      ...others(s).map((m) => ({ kind: 'other' as const, start: base + m.start, end: base + m.end, text: m.match })),
    ];
    const cuts = new Set<number>();
    for (const c of cues) if (c.kind === 'terminator') cuts.add(c.start - base);
    for (const m of s.matchAll(/\s[-–—]\s|;|:\s|,\s(?=(?:and|but|so|while|whereas|although|though)\s)/g)) cuts.add(m.index);
    const clauses: Clause[] = [];
    let from = 0;
    for (const cut of [...cuts].filter((c) => c > 0).sort((a, b) => a - b)) {
      clauses.push({ start: base + from, end: base + cut });
      from = cut;
    }
    clauses.push({ start: base + from, end: sentence.end });
    const readings = readingsIn(noteReadings, sentence);
    const evidence = domainWords(s).map((m) => ({ domainId: m.value, start: base + m.start, end: base + m.end }));
    return { sentence, clauses, structured: isStructuredText(s), readings, evidence, cues };
  }

  return {
    version: VERIFIER_VERSION,
    async verifyNote(text: string, tags: readonly Tag[], reading?: readonly Tag[]): Promise<VerifiedTags> {
      if (tags.length === 0) return { tags: [], checks: [], tagsDropped: 0, tagsCorrected: 0 };
      const sentences = segmentSentences(text);
      // The lexicon reads the whole note, as the offline scorer does (structure such as a list
      // section is decided across lines): independent of whatever proposed the tags. For the
      // offline scorer's own tags that reading is the tags themselves, so it is passed in.
      const lexicon = reading ?? (await reader.scoreNote({ noteId: '', text, textSha256: '' })).tags;
      const noteReadings: Reading[] = lexicon.flatMap((t) => t.citations.map((c) => ({
        domainId: t.domainId, polarity: t.status === 'negated' ? 'concern' as const : polarityOf(t.direction), status: t.status, start: c.start, end: c.end,
      })));
      noteReadings.sort((a, b) => a.start - b.start);
      const cache = new Map<number, SentenceContext>();
      const contextAt = (at: number): SentenceContext | undefined => {
        let lo = 0, hi = sentences.length - 1, found: Sentence | undefined;
        while (lo <= hi) {
          const mid = (lo + hi) >> 1;
          const s = sentences[mid]!;
          if (at < s.start) hi = mid - 1;
          else if (at >= s.end) lo = mid + 1;
          else { found = s; break; }
        }
        if (!found) return undefined;
        let ctx = cache.get(found.start);
        if (!ctx) cache.set(found.start, (ctx = readSentence(found, noteReadings)));
        return ctx;
      };
      const checks: TagCheck[] = [];
      const byKey = new Map<string, Tag>();
      const spansOf = new Map<string, Set<string>>();
      let tagsDropped = 0;
      let tagsCorrected = 0;
      for (const tag of tags) {
        if (tag.citations.length === 0) {
          checks.push({ domainId: tag.domainId, direction: tag.direction, status: tag.status, action: 'dropped', reason: 'no citation: nothing in the note supports it', start: 0, end: 0, quote: '' });
          tagsDropped++;
          continue;
        }
        let kept = 0;
        let corrected = false;
        for (const c of tag.citations) {
          const ctx = contextAt(c.start);
          const verdict = ctx ? checkCitation(ctx, tag, c) : ({ ok: false, why: 'the citation is not inside a sentence of the note' } as const);
          const base = { domainId: tag.domainId, direction: tag.direction, status: tag.status, start: c.start, end: c.end, quote: c.quote };
          if (!verdict.ok) {
            checks.push({ ...base, action: 'dropped', reason: verdict.why });
            continue;
          }
          // a cap, not a factor, so verifying a verified tag again changes nothing
          const confidence = verdict.uncertain ? Math.min(tag.confidence, UNCERTAIN_MAX_CONFIDENCE) : tag.confidence;
          if (verdict.status !== tag.status || verdict.direction !== tag.direction || confidence < tag.confidence) {
            corrected = true;
            const reason = [verdict.why, confidence < tag.confidence ? `uncertain ("${verdict.uncertain}"): confidence lowered to ${confidence}` : undefined].filter(Boolean).join('; ');
            checks.push({ ...base, action: 'corrected', newDirection: verdict.direction, newStatus: verdict.status, reason });
          }
          kept++;
          const key = `${tag.domainId}|${tag.indicatorId ?? ''}|${verdict.direction}|${verdict.status}|${tag.level ?? ''}`;
          const seen = byKey.get(key);
          if (seen) {
            const spans = spansOf.get(key)!;
            if (!spans.has(`${c.start}:${c.end}`)) {
              spans.add(`${c.start}:${c.end}`);
              seen.citations.push(c);
            }
            seen.confidence = Math.max(seen.confidence, confidence);
          } else {
            byKey.set(key, { ...tag, direction: verdict.direction, status: verdict.status, confidence, citations: [c] });
            spansOf.set(key, new Set([`${c.start}:${c.end}`]));
          }
        }
        if (kept === 0) tagsDropped++;
        else if (corrected) tagsCorrected++;
      }
      const out = [...byKey.values()];
      for (const t of out) t.citations.sort((a, b) => a.start - b.start || a.end - b.end);
      return { tags: out, checks, tagsDropped, tagsCorrected };
    },
  };
}
