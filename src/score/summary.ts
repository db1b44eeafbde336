import type { Framework } from '../frameworks/index.ts';
import type { Db } from '../store/index.ts';
import type { Direction, TagStatus } from './types.ts';

export interface CitedQuote {
  noteId: string;
  writtenAt: Date;
  start: number;
  end: number;
  quote: string;
}

/** Why a statement was chosen: the domain's first or latest evidence, or a turning point. */
export type StatementRole = 'first' | 'latest' | 'turning-point';

export interface SummaryStatement {
  text: string;
  direction: Direction;
  status: TagStatus;
  citations: CitedQuote[];
  roles: StatementRole[];
}

/** What a domain's summary does not show, so that nothing is hidden without saying so. */
export interface LeftOut {
  /** tags of the domain none of whose quotes is shown under it */
  tags: number;
  /** notes those tags are in */
  notes: number;
  /** of `tags`: tags that read a quote the other way (strength against concern) */
  conflicting: number;
  /** of `tags`: tags whose quotes are shown under other domains instead */
  shownElsewhere: number;
  /** further quotes of tags that are shown */
  quotes: number;
  /** the notes with evidence not shown, oldest first: where to look for all of it */
  noteIds: string[];
}

export interface DomainSummary {
  domainId: string;
  domainName: string;
  /** improving | worsening | steady | mixed | single (one dated observation) */
  trend: 'improving' | 'worsening' | 'steady' | 'mixed' | 'single';
  picture: string;
  /** the first and the latest evidence and the turning points, oldest first, at most `maxStatements` */
  statements: SummaryStatement[];
  /** the domain's evidence in all: tags and the notes they are in */
  evidence: { tags: number; notes: number };
  leftOut: LeftOut;
}

export interface SummaryLimits {
  /** statements shown per domain */
  maxStatements: number;
  /** domains one quoted span of a note is shown under */
  maxDomainsPerSpan: number;
  /** quotes shown per statement */
  maxQuotesPerStatement: number;
}

export const DEFAULT_SUMMARY_LIMITS: SummaryLimits = { maxStatements: 6, maxDomainsPerSpan: 2, maxQuotesPerStatement: 3 };

export interface CaseSummary {
  caseId: string;
  clientId: string;
  notes: number;
  scoredNotes: number;
  scorer: string;
  limits: SummaryLimits;
  domains: DomainSummary[];
}

interface TagRow {
  tag_id: string;
  note_id: string;
  written_at: Date;
  domain_id: string;
  direction: Direction;
  status: TagStatus;
  confidence: number;
  start_offset: number;
  end_offset: number;
  quote: string;
}

/** One citation of one tag, and what the summary does with it. */
interface Item {
  row: TagRow;
  /** +1 good news, -1 bad news, once negation is taken into account */
  reading: 1 | -1;
  fate: 'kept' | 'duplicate' | 'conflicting' | 'elsewhere';
  /** for `elsewhere`: the domains the span is shown under */
  shownUnder: Set<string>;
  printed: boolean;
}

/** What one note says about one domain in one direction and status: the unit shown. */
interface Observation {
  noteId: string;
  writtenAt: Date;
  direction: Direction;
  status: TagStatus;
  what: string;
  items: Item[];
  start: number;
  end: number;
  turnedFrom?: Observation;
}

const WEIGHT: Record<Direction, number> = { strength: 1, improvement: 1, concern: -1, deterioration: -1 };
const WORDS: Record<Direction, string> = { strength: 'a strength', improvement: 'an improvement', concern: 'a concern', deterioration: 'a setback' };
// Confidences are stored as doubles; two that differ by less than this are the same judgement.
const SAME_CONFIDENCE = 1e-9;

function day(d: Date): string {
  return d.toISOString().slice(0, 10);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

const overlaps = (a: TagRow, b: TagRow) => a.note_id === b.note_id && a.start_offset < b.end_offset && b.start_offset < a.end_offset;

/** Case order: by the note's date, then note id, then place in the note; never by insertion order. */
function byTime(a: { writtenAt: Date; noteId: string; start: number; end: number }, b: { writtenAt: Date; noteId: string; start: number; end: number }): number {
  return a.writtenAt.getTime() - b.writtenAt.getTime() || (a.noteId < b.noteId ? -1 : a.noteId > b.noteId ? 1 : 0) || a.start - b.start || a.end - b.end;
}

/** Stronger judgement first; a fixed order among equals so the same data gives the same summary. */
function byConfidence(a: Item, b: Item): number {
  return b.row.confidence - a.row.confidence || a.row.start_offset - b.row.start_offset || a.row.end_offset - b.row.end_offset ||
    (a.row.tag_id < b.row.tag_id ? -1 : a.row.tag_id > b.row.tag_id ? 1 : 0);
}

/**
 * Within one domain, one span of a note is shown with one reading only.
 *
 * Readings are compared as good or bad news, with negation taken into account: "denies any drug
 * use" tagged as a negated concern and as a strength say the same thing, so they do not disagree.
 * Spans are taken strongest tag first. A span that overlaps one already kept is not shown again:
 * - same reading: a duplicate, left out, since the quote is already there;
 * - the other reading, from a less confident tag: the kept tag wins. The scorer's own confidence
 *   is the only evidence of which reading is right, and the loser is counted as conflicting, not
 *   dropped silently;
 * - the other reading with the same confidence: nothing says which is right, and showing either
 *   would present a coin toss as a finding, so both are withheld and counted as conflicting; the
 *   quote stays claimed, so a weaker tag cannot then slip in and show it with either reading.
 */
function resolveReadings(items: Item[]): void {
  const claims: Item[] = [];
  for (const it of [...items].sort(byConfidence)) {
    const hit = claims.filter((c) => overlaps(c.row, it.row));
    if (hit.length === 0) {
      claims.push(it);
      continue;
    }
    const against = hit.filter((c) => c.reading !== it.reading);
    if (against.length === 0) {
      it.fate = hit.some((c) => c.fate === 'kept') ? 'duplicate' : 'conflicting';
      continue;
    }
    it.fate = 'conflicting';
    for (const c of against) if (Math.abs(c.row.confidence - it.row.confidence) < SAME_CONFIDENCE) c.fate = 'conflicting';
    if (against.some((c) => c.fate === 'conflicting')) claims.push(it);
  }
}

/**
 * One span cited for many domains (a note's list of conditions, tagged for eight of them) is
 * shown under at most `max` domains: those whose tags on it are most confident, ties in the
 * framework's domain order. Elsewhere it is counted, and the domain says where it is shown.
 */
function capDomainsPerSpan(items: Item[], max: number, rank: Map<string, number>): void {
  const kept = items.filter((i) => i.fate === 'kept').sort((a, b) => byConfidence(a, b) || rank.get(a.row.domain_id)! - rank.get(b.row.domain_id)!);
  const admitted: Item[] = [];
  for (const it of kept) {
    const others = new Set(admitted.filter((a) => a.row.domain_id !== it.row.domain_id && overlaps(a.row, it.row)).map((a) => a.row.domain_id));
    if (others.size >= max) {
      it.fate = 'elsewhere';
      it.shownUnder = others;
    } else admitted.push(it);
  }
}

function groupBy<T>(xs: T[], key: (x: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const x of xs) {
    const k = key(x);
    const g = m.get(k);
    if (g) g.push(x);
    else m.set(k, [x]);
  }
  return m;
}

function describe(domainName: string, direction: Direction, status: TagStatus): string {
  if (status === 'negated') return `no ${domainName.toLowerCase()} ${WEIGHT[direction] < 0 ? 'concern' : 'strength'} (denied or ruled out)`;
  return status === 'historical' ? `${WORDS[direction]} in the past` : WORDS[direction];
}

/**
 * Per domain: the current picture and its trend, and the statements a supervisor needs to
 * follow it: the first and the latest evidence and the turning points, each tied to quoted
 * evidence from dated notes. Built from stored, verified citations only, so every quote is in its
 * note. The picture and trend read all of the domain's evidence; what is not shown is counted.
 */
export async function summarizeCase(
  db: Db, caseId: string, framework: Framework, scorer: { kind: string; model: string; promptVersion: string }, limits: Partial<SummaryLimits> = {},
): Promise<CaseSummary | undefined> {
  const lim: SummaryLimits = {
    maxStatements: Math.max(1, Math.floor(limits.maxStatements ?? DEFAULT_SUMMARY_LIMITS.maxStatements)),
    maxDomainsPerSpan: Math.max(1, Math.floor(limits.maxDomainsPerSpan ?? DEFAULT_SUMMARY_LIMITS.maxDomainsPerSpan)),
    maxQuotesPerStatement: Math.max(1, Math.floor(limits.maxQuotesPerStatement ?? DEFAULT_SUMMARY_LIMITS.maxQuotesPerStatement)),
  };
  const kase = await db.one<{ case_id: string; client_id: string }>('SELECT case_id, client_id FROM cases WHERE case_id = $1', [caseId]);
  if (!kase) return undefined;
  const notes = await db.value<number>('SELECT count(*) FROM notes WHERE case_id = $1', [caseId]);
  const scoredNotes = await db.value<number>(
    `SELECT count(*) FROM notes n JOIN note_scores s ON s.note_id = n.note_id AND s.text_sha256 = n.text_sha256
     WHERE n.case_id = $1 AND s.status = 'ok' AND s.framework_id = $2 AND s.framework_version = $3 AND s.scorer = $4 AND s.model = $5 AND s.prompt_version = $6`,
    [caseId, framework.id, framework.version, scorer.kind, scorer.model, scorer.promptVersion],
  );
  const rows = await db.all<TagRow>(
    `SELECT t.tag_id, n.note_id, n.written_at, t.domain_id, t.direction, t.status, t.confidence, c.start_offset, c.end_offset, c.quote
     FROM notes n
     JOIN note_tags t ON t.note_id = n.note_id AND t.text_sha256 = n.text_sha256
     JOIN tag_citations c ON c.tag_id = t.tag_id
     WHERE n.case_id = $1 AND t.framework_id = $2 AND t.framework_version = $3 AND t.scorer = $4 AND t.model = $5 AND t.prompt_version = $6
     ORDER BY n.written_at, n.note_id, c.start_offset, c.end_offset, t.domain_id, t.tag_id`,
    [caseId, framework.id, framework.version, scorer.kind, scorer.model, scorer.promptVersion],
  );
  const rank = new Map(framework.domains.map((d, i) => [d.id, i]));
  const items: Item[] = rows.filter((r) => rank.has(r.domain_id)).map((row): Item => ({
    row,
    reading: (WEIGHT[row.direction] * (row.status === 'negated' ? -1 : 1)) > 0 ? 1 : -1,
    fate: 'kept',
    shownUnder: new Set<string>(),
    printed: false,
  }));
  for (const g of groupBy(items, (it) => `${it.row.domain_id}\u0000${it.row.note_id}`).values()) resolveReadings(g);
  for (const g of groupBy(items, (it) => it.row.note_id).values()) capDomainsPerSpan(g, lim.maxDomainsPerSpan, rank);

  const nameOf = new Map(framework.domains.map((d) => [d.id, d.name]));
  const domains: DomainSummary[] = [];
  for (const domain of framework.domains) {
    const all = items.filter((i) => i.row.domain_id === domain.id);
    if (all.length === 0) continue;
    // Observations read all evidence whose reading stands, shown here or under another domain.
    const obsByKey = new Map<string, Observation>();
    for (const it of all) {
      if (it.fate !== 'kept' && it.fate !== 'elsewhere') continue;
      const r = it.row;
      const key = `${r.note_id}\u0000${r.direction}\u0000${r.status}`;
      let o = obsByKey.get(key);
      if (!o) {
        o = { noteId: r.note_id, writtenAt: r.written_at, direction: r.direction, status: r.status, what: describe(domain.name, r.direction, r.status), items: [], start: r.start_offset, end: r.end_offset };
        obsByKey.set(key, o);
      }
      o.items.push(it);
      if (r.start_offset < o.start || (r.start_offset === o.start && r.end_offset < o.end)) [o.start, o.end] = [r.start_offset, r.end_offset];
    }
    const seq = [...obsByKey.values()].sort((a, b) => byTime(a, b) || a.direction.localeCompare(b.direction) || a.status.localeCompare(b.status));
    // A turning point is where the news flips between good and bad, or a concern moves between
    // current, past and denied: the moments a supervisor would want to see.
    const turning: Observation[] = [];
    for (let i = 1; i < seq.length; i++) {
      const prev = seq[i - 1]!;
      const o = seq[i]!;
      if (WEIGHT[o.direction] !== WEIGHT[prev.direction] || o.status !== prev.status) {
        o.turnedFrom = prev;
        turning.push(o);
      }
    }

    // The trend reads current evidence only: historical and negated statements describe context.
    const current = seq.filter((s) => s.status === 'current');
    const first = current[0];
    const last = current.at(-1);
    let trend: DomainSummary['trend'] = seq.length === 0 ? 'mixed' : 'single';
    if (first && last && first !== last && first.writtenAt.getTime() !== last.writtenAt.getTime()) {
      const delta = WEIGHT[last.direction] - WEIGHT[first.direction];
      const worsened = current.some((s) => s.direction === 'deterioration');
      const improved = current.some((s) => s.direction === 'improvement');
      trend = delta > 0 || (delta === 0 && improved && !worsened && last.direction !== 'concern') ? 'improving' : delta < 0 ? 'worsening' : improved && worsened ? 'mixed' : 'steady';
    }

    // Which observations to show, most needed first: the latest (what is true now), the first
    // (where it started), the latest current one (what the trend rests on), then turning points,
    // newest first, as recent changes matter most. One whose quotes are all shown under other
    // domains cannot be shown here without repeating them.
    const printable = (o: Observation) => o.items.some((i) => i.fate === 'kept');
    const chosen = new Set<Observation>();
    for (const o of [seq.at(-1), seq[0], last, ...[...turning].reverse()]) {
      if (chosen.size >= lim.maxStatements) break;
      if (o && printable(o)) chosen.add(o);
    }
    const statements: SummaryStatement[] = seq.filter((o) => chosen.has(o)).map((o) => {
      const shown = o.items.filter((i) => i.fate === 'kept').sort(byConfidence).slice(0, lim.maxQuotesPerStatement)
        .sort((a, b) => a.row.start_offset - b.row.start_offset || a.row.end_offset - b.row.end_offset);
      for (const i of shown) i.printed = true;
      const roles: StatementRole[] = [];
      const why: string[] = [];
      if (o === seq[0]) {
        roles.push('first');
        why.push('first evidence');
      }
      if (o.turnedFrom) {
        roles.push('turning-point');
        why.push(`turning point after ${o.turnedFrom.what} on ${day(o.turnedFrom.writtenAt)}`);
      }
      if (o === seq.at(-1)) {
        roles.push('latest');
        why.push('latest evidence');
      }
      return {
        // The only observation of a domain is both first and latest: saying so adds nothing.
        text: `${day(o.writtenAt)}: ${o.what}${why.length && seq.length > 1 ? ` (${why.join('; ')})` : ''}`,
        direction: o.direction,
        status: o.status,
        citations: shown.map((i) => ({ noteId: i.row.note_id, writtenAt: i.row.written_at, start: i.row.start_offset, end: i.row.end_offset, quote: i.row.quote })),
        roles,
      };
    });

    // Counted by tag: a tag is shown when one of its quotes is.
    const tags = groupBy(all, (it) => it.row.tag_id);
    const leftOut: LeftOut = { tags: 0, notes: 0, conflicting: 0, shownElsewhere: 0, quotes: 0, noteIds: [] };
    const hiddenNotes = new Map<string, Date>();
    for (const its of tags.values()) {
      if (its.some((i) => i.printed)) {
        leftOut.quotes += its.filter((i) => !i.printed).length;
        continue;
      }
      leftOut.tags++;
      hiddenNotes.set(its[0]!.row.note_id, its[0]!.row.written_at);
      if (its.some((i) => i.fate === 'conflicting')) leftOut.conflicting++;
      else if (its.some((i) => i.fate === 'elsewhere')) leftOut.shownElsewhere++;
    }
    leftOut.notes = hiddenNotes.size;
    leftOut.noteIds = [...hiddenNotes].map(([noteId, writtenAt]) => ({ noteId, writtenAt, start: 0, end: 0 })).sort(byTime).map((n) => n.noteId);

    const latest = seq.at(-1);
    const names = (ids: Iterable<string>) => [...ids].sort((a, b) => rank.get(a)! - rank.get(b)!).map((id) => nameOf.get(id)!).join(' and ');
    let picture: string;
    if (!latest) picture = `${domain.name}: no clear reading; the tags disagree about the same quotes.`;
    else {
      const where = printable(latest) ? '' : ` (quoted under ${names(new Set(latest.items.flatMap((i) => [...i.shownUnder])))})`;
      picture = `${domain.name}: latest evidence (${day(latest.writtenAt)}) shows ${latest.what}${where}` +
        (trend === 'single' || !first ? '.' : `; ${trend} since ${day(first.writtenAt)}.`);
    }
    if (leftOut.tags > 0 || leftOut.quotes > 0) {
      const parts: string[] = [];
      if (leftOut.tags > 0) {
        const why = [
          leftOut.conflicting ? `${leftOut.conflicting} disagreeing with another tag about a quote` : '',
          leftOut.shownElsewhere ? `${leftOut.shownElsewhere} quoting text shown under another domain` : '',
        ].filter(Boolean);
        parts.push(`${plural(leftOut.tags, 'more tag')} in ${plural(leftOut.notes, 'note')}${why.length ? ` (${why.join('; ')})` : ''}`);
      }
      if (leftOut.quotes > 0) parts.push(`${plural(leftOut.quotes, 'more quote')} of the tags shown`);
      picture += ` Not shown: ${parts.join(', and ')}.`;
    }
    domains.push({
      domainId: domain.id, domainName: domain.name, trend, picture, statements,
      evidence: { tags: tags.size, notes: new Set(all.map((i) => i.row.note_id)).size },
      leftOut,
    });
  }
  return { caseId, clientId: kase.client_id, notes, scoredNotes, scorer: `${scorer.kind} (${scorer.model}, ${scorer.promptVersion})`, limits: lim, domains };
}
