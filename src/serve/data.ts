/**
 * Record-level reads for the API and the case pages. Every function takes the caller's scope
 * and returns only what it allows; callers audit what they hand out.
 */
import { listValue } from '@duckdb/node-api';
import type { Framework } from '../frameworks/index.ts';
import { summarizeCase, type CaseSummary } from '../score/index.ts';
import type { Db } from '../store/index.ts';
import { canSeeManager, Forbidden, NotFound, requireNotes, type Scope } from './access.ts';
import { highlightHtml, segmentText, spansFor, type Segment, type Span } from './highlight.ts';

const DAY = (col: string, as = col.replace(/^\w+\./, '')) => `strftime(${col}, '%Y-%m-%d') AS ${as}`;
const TS = (col: string, as = col.replace(/^\w+\./, '')) => `strftime(${col}, '%Y-%m-%dT%H:%M:%S') AS ${as}`;

export interface ScorerRef {
  kind: string;
  model: string;
  promptVersion: string;
}

/** The scorer whose tags the server shows: the one of the latest successful run for the framework. */
export async function activeScorer(db: Db, framework: Framework): Promise<ScorerRef | undefined> {
  const row = await db.one<{ scorer: string; model: string; prompt_version: string }>(
    `SELECT scorer, model, prompt_version FROM score_runs
     WHERE framework_id = $1 AND framework_version = $2 AND status IN ('succeeded', 'stopped')
     ORDER BY run_id DESC LIMIT 1`,
    [framework.id, framework.version],
  );
  return row ? { kind: row.scorer, model: row.model, promptVersion: row.prompt_version } : undefined;
}

function managerFilter(scope: Scope, col: string, args: unknown[]): string {
  if (scope.managers === null) return 'true';
  args.push(listValue([...scope.managers]));
  return `list_contains($${args.length}::VARCHAR[], ${col})`;
}

export interface CaseListQuery {
  program?: string;
  manager?: string;
  status?: string;
  limit?: number;
  offset?: number;
}

export async function listCases(db: Db, scope: Scope, q: CaseListQuery = {}) {
  const args: unknown[] = [];
  const conds = [managerFilter(scope, 'c.manager_id', args)];
  if (q.program) {
    args.push(q.program);
    conds.push(`c.program_id = $${args.length}`);
  }
  if (q.manager) {
    args.push(q.manager);
    conds.push(`c.manager_id = $${args.length}`);
  }
  if (q.status) {
    args.push(q.status);
    conds.push(`c.status = $${args.length}`);
  }
  const limit = Math.min(Math.max(q.limit ?? 200, 1), 5000);
  const offset = Math.max(q.offset ?? 0, 0);
  const where = conds.join(' AND ');
  const total = await db.value<number>(`SELECT count(*) FROM cases c WHERE ${where}`, args as never);
  const rows = await db.all(
    `SELECT c.case_id, c.client_id, c.program_id, p.name AS program, c.manager_id, s.name AS manager, c.case_type, c.status,
            ${DAY('c.opened_at')}, ${DAY('c.closed_at')},
            (SELECT count(*) FROM notes n WHERE n.case_id = c.case_id) AS notes,
            (SELECT strftime(max(n.written_at), '%Y-%m-%d') FROM notes n WHERE n.case_id = c.case_id) AS last_note
     FROM cases c LEFT JOIN programs p ON p.program_id = c.program_id LEFT JOIN staff s ON s.staff_id = c.manager_id
     WHERE ${where}
     ORDER BY c.status = 'open' DESC, c.opened_at DESC, c.case_id
     LIMIT ${limit} OFFSET ${offset}`,
    args as never,
  );
  return { total, limit, offset, rows };
}

export async function caseRecord(db: Db, caseId: string) {
  const kase = await db.one(
    `SELECT c.case_id, c.client_id, c.program_id, p.name AS program, c.manager_id, s.name AS manager, s.supervisor_id,
            c.case_type, c.status, ${DAY('c.opened_at')}, ${DAY('c.closed_at')}, c.closure_reason
     FROM cases c LEFT JOIN programs p ON p.program_id = c.program_id LEFT JOIN staff s ON s.staff_id = c.manager_id
     WHERE c.case_id = $1`,
    [caseId],
  );
  if (!kase) throw new NotFound(`no case "${caseId}"`);
  return kase;
}

export async function clientPii(db: Db, clientId: string, scope: Scope) {
  return db.one(
    `SELECT first_name, last_name, ${DAY('dob')}, phone, email, address${scope.role === 'admin' ? ', national_id' : ''} FROM client_pii WHERE client_id = $1`,
    [clientId],
  );
}

export interface TimelineEvent {
  at: string;
  kind: 'case_opened' | 'case_closed' | 'assessment' | 'goal_set' | 'goal_achieved' | 'service' | 'followup_due' | 'note';
  case_id: string | null;
  id: string;
  summary: string;
}

/** A client's cases, assessments, goals, services, follow-ups and notes, restricted to the visible cases. */
export async function clientTimeline(db: Db, clientId: string, visibleCases: string[], scope: Scope) {
  const client = await db.one(`SELECT client_id, gender, race_ethnicity, veteran, birth_year, ${DAY('first_seen_at')} FROM clients WHERE client_id = $1`, [clientId]);
  const restricted = scope.managers !== null;
  const cases = restricted ? visibleCases : null;
  const caseCond = (col: string) => (cases === null ? 'true' : `list_contains($2::VARCHAR[], ${col})`);
  const args = (cases === null ? [clientId] : [clientId, listValue(cases)]) as never;
  const caseRows = await db.all(
    `SELECT c.case_id, c.program_id, p.name AS program, c.manager_id, s.name AS manager, c.case_type, c.status, ${DAY('c.opened_at')}, ${DAY('c.closed_at')}, c.closure_reason
     FROM cases c LEFT JOIN programs p ON p.program_id = c.program_id LEFT JOIN staff s ON s.staff_id = c.manager_id
     WHERE c.client_id = $1 AND ${caseCond('c.case_id')} ORDER BY c.opened_at, c.case_id`,
    args,
  );
  const assessments = await db.all(
    `SELECT assessment_id, case_id, instrument_id, domain_id, ${DAY('administered_at')}, timepoint, total_score
     FROM assessments WHERE client_id = $1 AND (case_id IS NULL${cases === null ? ' OR true' : ` OR ${caseCond('case_id')}`}) ORDER BY administered_at, assessment_id`,
    args,
  );
  const goals = await db.all(
    `SELECT g.goal_id, g.case_id, g.domain_id, g.description, ${DAY('g.set_at')}, ${DAY('g.target_at')}, g.status, ${DAY('g.achieved_at')}
     FROM goals g JOIN cases c ON c.case_id = g.case_id WHERE c.client_id = $1 AND ${caseCond('g.case_id')} ORDER BY g.set_at, g.goal_id`,
    args,
  );
  const services = await db.all(
    `SELECT v.service_id, v.case_id, v.service_type, v.staff_id, ${TS('v.scheduled_at')}, ${TS('v.delivered_at')}, v.status, v.units_planned, v.units_delivered
     FROM services v JOIN cases c ON c.case_id = v.case_id WHERE c.client_id = $1 AND ${caseCond('v.case_id')} ORDER BY v.scheduled_at, v.service_id`,
    args,
  );
  const followups = await db.all(
    `SELECT f.followup_id, f.case_id, f.followup_type, ${DAY('f.due_at')}, ${DAY('f.completed_at')}
     FROM followups f JOIN cases c ON c.case_id = f.case_id WHERE c.client_id = $1 AND ${caseCond('f.case_id')} ORDER BY f.due_at, f.followup_id`,
    args,
  );
  const notes = await db.all<{ note_id: string; case_id: string; author_id: string | null; written_at: string; note_type: string | null; text?: string; tags: number }>(
    `SELECT n.note_id, n.case_id, n.author_id, ${TS('n.written_at')}, n.note_type${scope.notes ? ', n.text' : ''},
            (SELECT count(*) FROM note_tags t WHERE t.note_id = n.note_id AND t.text_sha256 = n.text_sha256) AS tags
     FROM notes n WHERE n.client_id = $1 AND ${caseCond('n.case_id')} ORDER BY n.written_at, n.note_id`,
    args,
  );
  const events: TimelineEvent[] = [];
  for (const c of caseRows as Array<Record<string, string | null>>) {
    events.push({ at: c.opened_at!, kind: 'case_opened', case_id: c.case_id!, id: c.case_id!, summary: `${c.program ?? c.program_id ?? 'case'} opened (${c.case_type ?? 'case'}), manager ${c.manager ?? 'unassigned'}` });
    if (c.closed_at) events.push({ at: c.closed_at, kind: 'case_closed', case_id: c.case_id!, id: c.case_id!, summary: `closed: ${c.closure_reason ?? 'no reason recorded'}` });
  }
  for (const a of assessments as Array<Record<string, string | number | null>>) {
    events.push({ at: String(a.administered_at), kind: 'assessment', case_id: (a.case_id as string | null) ?? null, id: String(a.assessment_id), summary: `${a.instrument_id}${a.domain_id ? ` (${a.domain_id})` : ''} ${a.timepoint ?? ''}: ${a.total_score ?? 'no score'}`.replace(/\s+:/, ':') });
  }
  for (const g of goals as Array<Record<string, string | null>>) {
    if (g.set_at) events.push({ at: g.set_at, kind: 'goal_set', case_id: g.case_id!, id: g.goal_id!, summary: `goal (${g.domain_id ?? 'no domain'}): ${g.description ?? ''} — ${g.status}` });
    if (g.achieved_at) events.push({ at: g.achieved_at, kind: 'goal_achieved', case_id: g.case_id!, id: g.goal_id!, summary: `goal achieved (${g.domain_id ?? 'no domain'})` });
  }
  for (const v of services as Array<Record<string, string | number | null>>) {
    const at = (v.delivered_at ?? v.scheduled_at) as string | null;
    if (at) events.push({ at, kind: 'service', case_id: v.case_id as string, id: String(v.service_id), summary: `${v.service_type ?? 'service'}: ${v.status}` });
  }
  for (const f of followups as Array<Record<string, string | null>>) {
    events.push({ at: f.due_at!, kind: 'followup_due', case_id: f.case_id!, id: f.followup_id!, summary: `${f.followup_type ?? 'follow-up'} due${f.completed_at ? `, completed ${f.completed_at}` : ', not completed'}` });
  }
  for (const n of notes) {
    events.push({ at: n.written_at, kind: 'note', case_id: n.case_id, id: n.note_id, summary: `${n.note_type ?? 'note'} note, ${n.tags} tag(s)` });
  }
  events.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.id < b.id ? -1 : 1));
  return { client, cases: caseRows, assessments, goals, services, followups, notes, events };
}

export interface NoteTag {
  tag_id: string;
  domain_id: string;
  domain: string;
  indicator_id: string | null;
  direction: string;
  status: string;
  confidence: number;
  citations: Array<{ start: number; end: number; quote: string; match: string }>;
}

export interface NoteView {
  note: { note_id: string; case_id: string; client_id: string; author_id: string | null; author: string | null; written_at: string; note_type: string | null; text: string };
  scorer: ScorerRef | null;
  tags: NoteTag[];
  spans: Span[];
  segments: Segment[];
  html: string;
}

export function domainLabel(framework: Framework | undefined, domainId: string): string {
  return framework?.domains.find((d) => d.id === domainId)?.name ?? domainId;
}

export function tagLabel(framework: Framework | undefined, domainId: string, direction: string, status: string): string {
  return `${domainLabel(framework, domainId)}: ${direction}${status !== 'current' ? ` (${status})` : ''}`;
}

export const spanId = (noteId: string, start: number, end: number) => `q-${noteId.replace(/[^A-Za-z0-9_-]/g, '_')}-${start}-${end}`;

/** Notes of some cases with their tags' verified citations. */
export async function notesWithTags(db: Db, where: { noteId?: string; caseId?: string }, framework: Framework | undefined, scorer: ScorerRef | undefined): Promise<NoteView[]> {
  const cond = where.noteId !== undefined ? 'n.note_id = $1' : 'n.case_id = $1';
  const notes = await db.all<NoteView['note']>(
    `SELECT n.note_id, n.case_id, n.client_id, n.author_id, s.name AS author, ${TS('n.written_at')}, n.note_type, n.text
     FROM notes n LEFT JOIN staff s ON s.staff_id = n.author_id WHERE ${cond} ORDER BY n.written_at, n.note_id`,
    [where.noteId ?? where.caseId!],
  );
  if (notes.length === 0) return [];
  const tagRows = scorer
    ? await db.all<{ note_id: string; tag_id: string; domain_id: string; indicator_id: string | null; direction: string; status: string; confidence: number; start_offset: number; end_offset: number; quote: string; match: string }>(
      `SELECT t.note_id, t.tag_id, t.domain_id, t.indicator_id, t.direction, t.status, t.confidence, c.start_offset, c.end_offset, c.quote, c.match
       FROM notes n
       JOIN note_tags t ON t.note_id = n.note_id AND t.text_sha256 = n.text_sha256
       JOIN tag_citations c ON c.tag_id = t.tag_id
       WHERE ${cond} AND t.scorer = $2 AND t.model = $3 AND t.prompt_version = $4 ${framework ? 'AND t.framework_id = $5 AND t.framework_version = $6' : ''}
       ORDER BY t.note_id, t.tag_id, c.start_offset`,
      [where.noteId ?? where.caseId!, scorer.kind, scorer.model, scorer.promptVersion, ...(framework ? [framework.id, framework.version] : [])],
    )
    : [];
  return notes.map((note) => {
    const tags = new Map<string, NoteTag>();
    for (const r of tagRows.filter((t) => t.note_id === note.note_id)) {
      let t = tags.get(r.tag_id);
      if (!t) {
        t = { tag_id: r.tag_id, domain_id: r.domain_id, domain: domainLabel(framework, r.domain_id), indicator_id: r.indicator_id, direction: r.direction, status: r.status, confidence: r.confidence, citations: [] };
        tags.set(r.tag_id, t);
      }
      t.citations.push({ start: r.start_offset, end: r.end_offset, quote: r.quote, match: r.match });
    }
    const spans = spansFor(
      note.text,
      [...tags.values()].flatMap((t) => t.citations.map((c) => ({ ...c, domain: t.domain_id, label: tagLabel(framework, t.domain_id, t.direction, t.status) }))),
      (s, e) => spanId(note.note_id, s, e),
    );
    return { note, scorer: scorer ?? null, tags: [...tags.values()], spans, segments: segmentText(note.text, spans), html: highlightHtml(note.text, spans) };
  });
}

export async function noteView(db: Db, noteId: string, scope: Scope, framework: Framework | undefined, scorer: ScorerRef | undefined): Promise<NoteView> {
  if (!scope.records) requireNotes(scope);
  const meta = await db.one<{ case_id: string; manager_id: string | null }>('SELECT n.case_id, c.manager_id FROM notes n LEFT JOIN cases c ON c.case_id = n.case_id WHERE n.note_id = $1', [noteId]);
  if (!meta) throw new NotFound(`no note "${noteId}"`);
  requireNotes(scope);
  if (!canSeeManager(scope, meta.manager_id)) {
    throw new Forbidden(`note ${noteId} belongs to a case outside your ${scope.role === 'manager' ? 'caseload' : "team's caseload"}`);
  }
  const [view] = await notesWithTags(db, { noteId }, framework, scorer);
  return view!;
}

export interface CitedQuoteView {
  noteId: string;
  writtenAt: Date;
  start: number;
  end: number;
  quote: string;
  /** id of the highlighted span in the note (page anchor) */
  spanId: string;
}

export interface CaseSummaryView {
  caseId: string;
  clientId: string;
  notes: number;
  scoredNotes: number;
  scorer: string;
  domains: Array<{
    domainId: string;
    domainName: string;
    trend: CaseSummary['domains'][number]['trend'];
    picture: string;
    statements: Array<{ text: string; direction: string; status: string; roles: CaseSummary['domains'][number]['statements'][number]['roles']; citations: CitedQuoteView[] }>;
    evidence: CaseSummary['domains'][number]['evidence'];
    /** what the bounded summary does not show, counted, with the notes it is in */
    leftOut: CaseSummary['domains'][number]['leftOut'];
  }>;
}

export interface CaseView {
  case: Record<string, unknown>;
  summary: CaseSummaryView | null;
  notes: NoteView[];
}

/** The cited case summary and the case's notes with highlighted spans. */
export async function caseView(db: Db, caseId: string, framework: Framework | undefined, scorer: ScorerRef | undefined, opts: { notes?: boolean } = {}): Promise<CaseView> {
  const kase = await caseRecord(db, caseId);
  const summary = framework && scorer ? await summarizeCase(db, caseId, framework, scorer) : undefined;
  const notes = opts.notes === false ? [] : await notesWithTags(db, { caseId }, framework, scorer);
  return {
    case: kase,
    summary: summary
      ? {
        ...summary,
        domains: summary.domains.map((d) => ({
          ...d,
          statements: d.statements.map((s) => ({ ...s, citations: s.citations.map((c) => ({ ...c, spanId: spanId(c.noteId, c.start, c.end) })) })),
        })),
      }
      : null,
    notes,
  };
}

/**
 * Recent ingest and scoring runs, and the rejected rows of those ingest runs counted by source,
 * field and code. `values`: also a sample of the rejected rows with their values and reasons,
 * which can quote input data (for administrators only; see runsForRole in safety.ts).
 */
export async function runStatus(db: Db, opts: { values?: boolean } = {}) {
  const ingest = await db.all(
    `SELECT run_id, pipeline, status, status = 'succeeded' AS applied, ${TS('started_at')}, ${TS('finished_at')}, rows_read, rows_loaded, rows_inserted, rows_updated, rows_unchanged, rows_rejected, message
     FROM ingest_runs ORDER BY run_id DESC LIMIT 20`,
  );
  const score = await db.all(
    `SELECT run_id, status, scorer, model, prompt_version, framework_id, framework_version, ${TS('started_at')}, ${TS('finished_at')},
            notes_selected, notes_scored, notes_failed, tags, citations_exact, citations_normalized, citations_fuzzy, citations_rejected, tags_dropped,
            verifier_version, tags_contradicted, tags_corrected, message
     FROM score_runs ORDER BY run_id DESC LIMIT 20`,
  );
  const counts = await db.one(
    `SELECT (SELECT count(*) FROM clients) AS clients, (SELECT count(*) FROM cases) AS cases, (SELECT count(*) FROM notes) AS notes,
            (SELECT count(DISTINCT note_id) FROM note_scores WHERE status = 'ok') AS scored_notes, (SELECT count(*) FROM note_tags) AS tags`,
  );
  const recent = 'SELECT run_id FROM ingest_runs ORDER BY run_id DESC LIMIT 20';
  const rejects = await db.all(
    `SELECT run_id, source, field, code, count(*) AS rows FROM ingest_rejects WHERE run_id IN (${recent})
     GROUP BY ALL ORDER BY run_id DESC, rows DESC, source, field NULLS FIRST, code`,
  );
  const rejectSample = opts.values
    ? await db.all(
      `SELECT run_id, source, file, line, field, value, code, reason FROM ingest_rejects WHERE run_id IN (${recent})
       ORDER BY run_id DESC, source, file, line NULLS LAST, field NULLS FIRST LIMIT 200`,
    )
    : undefined;
  return { ingest, score, counts, rejects, ...(rejectSample ? { rejectSample } : {}) };
}

/** Follow-ups whose grace window closed without completion, as of a day (the KPI's definition of overdue). */
export async function overdueFollowups(db: Db, scope: Scope, q: { asOf: string; graceDays: number; program?: string; manager?: string; limit?: number }) {
  const args: unknown[] = [q.asOf, q.graceDays];
  const conds = [
    'f.due_at <= $1::DATE',
    '(f.completed_at IS NULL OR f.completed_at > $1::DATE)',
    'f.due_at + $2::INTEGER <= $1::DATE',
    "(c.closed_at IS NULL OR c.closed_at > $1::DATE)",
    managerFilter(scope, 'c.manager_id', args),
  ];
  if (q.program) {
    args.push(q.program);
    conds.push(`c.program_id = $${args.length}`);
  }
  if (q.manager) {
    args.push(q.manager);
    conds.push(`c.manager_id = $${args.length}`);
  }
  return db.all(
    `SELECT f.followup_id, f.case_id, f.followup_type, ${DAY('f.due_at')}, ($1::DATE - f.due_at) AS days_overdue, c.manager_id, s.name AS manager, p.name AS program
     FROM followups f JOIN cases c ON c.case_id = f.case_id LEFT JOIN staff s ON s.staff_id = c.manager_id LEFT JOIN programs p ON p.program_id = c.program_id
     WHERE ${conds.join(' AND ')}
     ORDER BY f.due_at, f.followup_id LIMIT ${Math.min(q.limit ?? 200, 5000)}`,
    args as never,
  );
}

/** Programmes and the managers the scope may filter by. */
export async function filterOptions(db: Db, scope: Scope) {
  const programs = await db.all<{ id: string; name: string }>('SELECT program_id AS id, name FROM programs ORDER BY name, program_id');
  const args: unknown[] = [];
  const managers = scope.role === 'funder'
    ? []
    : await db.all<{ id: string; name: string }>(
      `SELECT staff_id AS id, name FROM staff s WHERE (role = 'manager' OR EXISTS (SELECT 1 FROM cases c WHERE c.manager_id = s.staff_id)) AND ${managerFilter(scope, 's.staff_id', args)} ORDER BY name, staff_id`,
      args as never,
    );
  return { programs, managers };
}

/** Staff to pick from on the demo sign-in. */
export async function demoStaff(db: Db) {
  const managers = await db.all<{ id: string; name: string; team: string | null }>(
    "SELECT staff_id AS id, name, team FROM staff WHERE role = 'manager' AND EXISTS (SELECT 1 FROM cases c WHERE c.manager_id = staff.staff_id) ORDER BY name, staff_id",
  );
  const supervisors = await db.all<{ id: string; name: string; team: string | null }>(
    "SELECT staff_id AS id, name, team FROM staff s WHERE EXISTS (SELECT 1 FROM staff t WHERE t.supervisor_id = s.staff_id) ORDER BY name, staff_id",
  );
  return { managers, supervisors };
}
