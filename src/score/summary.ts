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

export interface SummaryStatement {
  text: string;
  direction: Direction;
  status: TagStatus;
  citations: CitedQuote[];
}

export interface DomainSummary {
  domainId: string;
  domainName: string;
  /** improving | worsening | steady | mixed | single (one dated observation) */
  trend: 'improving' | 'worsening' | 'steady' | 'mixed' | 'single';
  picture: string;
  statements: SummaryStatement[];
}

export interface CaseSummary {
  caseId: string;
  clientId: string;
  notes: number;
  scoredNotes: number;
  scorer: string;
  domains: DomainSummary[];
}

interface TagRow {
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

const WEIGHT: Record<Direction, number> = { strength: 1, improvement: 1, concern: -1, deterioration: -1 };
const WORDS: Record<Direction, string> = { strength: 'a strength', improvement: 'an improvement', concern: 'a concern', deterioration: 'a setback' };

function day(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/**
 * Per domain: the current picture and its trend, each statement tied to quoted evidence from
 * dated notes. Built from stored, verified citations only, so every quote is in its note.
 */
export async function summarizeCase(db: Db, caseId: string, framework: Framework, scorer: { kind: string; model: string; promptVersion: string }): Promise<CaseSummary | undefined> {
  const kase = await db.one<{ case_id: string; client_id: string }>('SELECT case_id, client_id FROM cases WHERE case_id = $1', [caseId]);
  if (!kase) return undefined;
  const notes = await db.value<number>('SELECT count(*) FROM notes WHERE case_id = $1', [caseId]);
  const scoredNotes = await db.value<number>(
    `SELECT count(*) FROM notes n JOIN note_scores s ON s.note_id = n.note_id AND s.text_sha256 = n.text_sha256
     WHERE n.case_id = $1 AND s.status = 'ok' AND s.framework_id = $2 AND s.framework_version = $3 AND s.scorer = $4 AND s.model = $5 AND s.prompt_version = $6`,
    [caseId, framework.id, framework.version, scorer.kind, scorer.model, scorer.promptVersion],
  );
  const rows = await db.all<TagRow>(
    `SELECT n.note_id, n.written_at, t.domain_id, t.direction, t.status, t.confidence, c.start_offset, c.end_offset, c.quote
     FROM notes n
     JOIN note_tags t ON t.note_id = n.note_id AND t.text_sha256 = n.text_sha256
     JOIN tag_citations c ON c.tag_id = t.tag_id
     WHERE n.case_id = $1 AND t.framework_id = $2 AND t.framework_version = $3 AND t.scorer = $4 AND t.model = $5 AND t.prompt_version = $6
     ORDER BY n.written_at, n.note_id, c.start_offset`,
    [caseId, framework.id, framework.version, scorer.kind, scorer.model, scorer.promptVersion],
  );
  const domains: DomainSummary[] = [];
  for (const domain of framework.domains) {
    const dr = rows.filter((r) => r.domain_id === domain.id);
    if (dr.length === 0) continue;
    const statements: SummaryStatement[] = [];
    const byNoteTag = new Map<string, SummaryStatement>();
    for (const r of dr) {
      const key = `${r.note_id}|${r.direction}|${r.status}`;
      let st = byNoteTag.get(key);
      if (!st) {
        const what = r.status === 'negated' ? `no ${domain.name.toLowerCase()} concern (denied or ruled out)` : r.status === 'historical' ? `${WORDS[r.direction]} in the past` : WORDS[r.direction];
        st = { text: `${day(r.written_at)}: ${what}`, direction: r.direction, status: r.status, citations: [] };
        byNoteTag.set(key, st);
        statements.push(st);
      }
      st.citations.push({ noteId: r.note_id, writtenAt: r.written_at, start: r.start_offset, end: r.end_offset, quote: r.quote });
    }
    // The trend reads current evidence only: historical and negated statements describe context.
    const current = statements.filter((s) => s.status === 'current');
    const first = current[0];
    const last = current.at(-1);
    let trend: DomainSummary['trend'] = 'single';
    if (first && last && first !== last && first.citations[0]!.writtenAt.getTime() !== last.citations[0]!.writtenAt.getTime()) {
      const delta = WEIGHT[last.direction] - WEIGHT[first.direction];
      const worsened = current.some((s) => s.direction === 'deterioration');
      const improved = current.some((s) => s.direction === 'improvement');
      trend = delta > 0 || (delta === 0 && improved && !worsened && last.direction !== 'concern') ? 'improving' : delta < 0 ? 'worsening' : improved && worsened ? 'mixed' : 'steady';
    }
    const latest = last ?? statements.at(-1)!;
    const picture = `${domain.name}: latest evidence (${latest.text.slice(0, 10)}) shows ${latest.text.slice(12)}` +
      (trend === 'single' ? '.' : `; ${trend} since ${first!.text.slice(0, 10)}.`);
    domains.push({ domainId: domain.id, domainName: domain.name, trend, picture, statements });
  }
  return { caseId, clientId: kase.client_id, notes, scoredNotes, scorer: `${scorer.kind} (${scorer.model}, ${scorer.promptVersion})`, domains };
}
