/**
 * A small programme built by hand, row by row, so every KPI's expected figures can be worked
 * out on paper in the tests (see the comments there). Dates are in 2024 (a leap year).
 *
 * cases            client  prog mgr  type       opened      closed      reason
 *   K1             C1      P1   M1   standard   2024-01-01  2024-01-11  goals_met   (10 days)
 *   K2             C2      P1   M1   standard   2024-01-05  2024-01-05  moved_away  (same day: 0)
 *   K3             C1      P1   M2   intensive  2024-02-01  2024-03-02  —           (30 days; C1's 2nd episode)
 *   K4             C3      P2   M2   standard   2024-01-10  2024-02-29  other       (50 days)
 *   K5             C4      P2   —    standard   2024-03-01  open                    (no manager)
 *   K6             C5      P1   M1   standard   2024-02-15  open
 *   K7             C6      P1   M1   standard   2024-03-10  open
 *   K8             C7      P2   M2   intensive  2024-03-20  2024-04-15  goals_met   (after the period)
 *   K9             C8      P1   M1   standard   2024-03-31  open
 * staff: M1 manager capacity 2; M2 manager, no capacity (default applies); S1 supervisor capacity 0.
 */
import { openStore, type Db } from '../../src/store/index.ts';

type V = string | number | boolean | null;

export async function insert(db: Db, table: string, columns: string[], rows: V[][]): Promise<void> {
  if (rows.length === 0) return;
  const ph = rows.map((r, i) => `(${r.map((_, j) => `$${i * columns.length + j + 1}`).join(', ')})`).join(', ');
  await db.run(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${ph}`, rows.flat() as never);
}

export const CLIENTS = ['C1', 'C2', 'C3', 'C4', 'C5', 'C6', 'C7', 'C8'];

export async function baseFixture(db: Db): Promise<void> {
  await insert(db, 'programs', ['program_id', 'name', 'program_type'], [
    ['x:P1', 'Housing First', 'housing'],
    ['x:P2', 'Job Start', 'workforce'],
  ]);
  await insert(db, 'staff', ['staff_id', 'name', 'role', 'caseload_capacity'], [
    ['x:M1', 'Mia One', 'manager', 2],
    ['x:M2', 'Max Two', 'manager', null],
    ['x:S1', 'Sue Visor', 'supervisor', 0],
  ]);
  await insert(db, 'clients', ['client_id', 'first_seen_at'], CLIENTS.map((c) => [c, '2024-01-01 00:00:00']));
  await insert(db, 'cases', ['case_id', 'client_id', 'program_id', 'manager_id', 'case_type', 'opened_at', 'closed_at', 'status', 'closure_reason'], [
    ['x:K1', 'C1', 'x:P1', 'x:M1', 'standard', '2024-01-01', '2024-01-11', 'closed', 'goals_met'],
    ['x:K2', 'C2', 'x:P1', 'x:M1', 'standard', '2024-01-05', '2024-01-05', 'closed', 'moved_away'],
    ['x:K3', 'C1', 'x:P1', 'x:M2', 'intensive', '2024-02-01', '2024-03-02', 'closed', null],
    ['x:K4', 'C3', 'x:P2', 'x:M2', 'standard', '2024-01-10', '2024-02-29', 'closed', 'other'],
    ['x:K5', 'C4', 'x:P2', null, 'standard', '2024-03-01', null, 'open', null],
    ['x:K6', 'C5', 'x:P1', 'x:M1', 'standard', '2024-02-15', null, 'open', null],
    ['x:K7', 'C6', 'x:P1', 'x:M1', 'standard', '2024-03-10', null, 'open', null],
    ['x:K8', 'C7', 'x:P2', 'x:M2', 'intensive', '2024-03-20', '2024-04-15', 'closed', 'goals_met'],
    ['x:K9', 'C8', 'x:P1', 'x:M1', 'standard', '2024-03-31', null, 'open', null],
  ]);
  await insert(db, 'goals', ['goal_id', 'case_id', 'domain_id', 'set_at', 'target_at', 'status', 'achieved_at'], [
    ['x:G1', 'x:K1', 'housing', '2024-01-02', '2024-03-01', 'achieved', '2024-01-10'],
    ['x:G2', 'x:K1', 'income', '2024-01-02', '2024-06-01', 'not_achieved', null], // final: case closed 2024-01-11
    ['x:G3', 'x:K3', 'housing', '2024-02-02', '2024-05-01', 'achieved', '2024-02-20'],
    ['x:G4', 'x:K3', 'housing', '2024-02-02', '2024-05-01', 'withdrawn', null], // not final
    ['x:G5', 'x:K4', 'income', '2024-01-11', '2024-04-01', 'achieved', '2024-02-01'],
    ['x:G6', 'x:K6', 'housing', '2024-02-16', '2024-08-01', 'active', null], // not final
    ['x:G7', 'x:K6', 'income', '2024-02-16', null, 'not_achieved', null], // final, no date at all
    ['x:G8', 'x:K8', 'housing', '2024-03-21', '2024-06-01', 'achieved', '2024-04-10'], // after the period
  ]);
  await insert(db, 'followups', ['followup_id', 'case_id', 'followup_type', 'due_at', 'completed_at'], [
    ['x:F1', 'x:K1', '30_day', '2024-01-20', '2024-01-18'], // early: on time
    ['x:F2', 'x:K1', '90_day', '2024-02-01', '2024-02-08'], // exactly due + 7: on time
    ['x:F3', 'x:K3', '30_day', '2024-02-10', '2024-02-18'], // due + 8: late
    ['x:F4', 'x:K4', '30_day', '2024-02-15', null], // overdue
    ['x:F5', 'x:K6', '30_day', '2024-03-24', null], // window ends on the as-of day (03-31): overdue
    ['x:F6', 'x:K7', '30_day', '2024-03-25', null], // window ends 04-01: pending
    ['x:F7', 'x:K9', '30_day', '2024-04-10', null], // due after the as-of date
    ['x:F8', 'x:K6', '90_day', '2024-03-01', '2024-04-02'], // completed after the as-of date: overdue at 03-31
  ]);
  await insert(db, 'services', ['service_id', 'case_id', 'service_type', 'scheduled_at', 'delivered_at', 'status', 'units_planned', 'units_delivered'], [
    ['x:V1', 'x:K1', 'case_management', '2024-01-02 09:00:00', '2024-01-02 10:00:00', 'delivered', 2, 2],
    ['x:V2', 'x:K1', 'case_management', '2024-01-09 09:00:00', null, 'no_show', 1, 0],
    ['x:V3', 'x:K3', 'counselling', '2024-02-05 09:00:00', '2024-02-05 11:00:00', 'delivered', 3, 2],
    ['x:V4', 'x:K4', 'job_coaching', '2024-01-15 09:00:00', null, 'cancelled', 2, null],
    ['x:V5', 'x:K6', 'case_management', '2024-03-05 14:00:00', '2024-03-05 15:00:00', 'delivered', 1, 1],
    ['x:V6', 'x:K6', 'case_management', '2024-04-05 10:00:00', null, 'scheduled', 1, null], // after the as-of date
    ['x:V7', 'x:K7', 'counselling', '2024-03-12 10:00:00', null, 'no_show', 2, 0],
    ['x:V8', 'x:K5', 'job_coaching', '2024-03-02 10:00:00', '2024-03-02 10:30:00', 'delivered', null, 1], // no units planned
  ]);
  await insert(db, 'notes', ['note_id', 'case_id', 'client_id', 'author_id', 'written_at', 'text', 'text_sha256'], [
    ['x:N1', 'x:K1', 'C1', 'x:M1', '2024-01-02 09:30:00', 'Before the session.', 'h1'], // before V1 was delivered
    ['x:N2', 'x:K1', 'C1', 'x:M1', '2024-01-05 08:00:00', 'Signed a lease. Worried about rent.', 'h2'], // V1 day + 3
    ['x:N3', 'x:K3', 'C1', 'x:M2', '2024-02-09 09:00:00', 'Housing is stable.', 'h3'], // V3 day + 4: too late
    ['x:N4', 'x:K6', 'C5', 'x:M1', '2024-03-05 15:30:00', 'Behind on bills.', 'h4'], // V5 same day, after
    ['x:N5', 'x:K4', 'C3', 'x:M2', '2024-02-20 10:00:00', 'Was homeless last year. Income went up.', 'h5'],
    ['x:N6', 'x:K8', 'C7', 'x:M2', '2024-04-01 10:00:00', 'Housed.', 'h6'], // after the period
  ]);
  await insert(db, 'assessments', ['assessment_id', 'client_id', 'case_id', 'instrument_id', 'domain_id', 'administered_at', 'timepoint', 'total_score'], [
    ['x:A1', 'C1', 'x:K1', 'phq9', null, '2024-01-03', 'baseline', 14],
    ['x:A2', 'C1', 'x:K3', 'ssm', 'housing', '2024-02-01', 'baseline', 2],
    ['x:A3', 'C3', 'x:K4', 'phq9', null, '2024-03-15', 'interim', 9], // 65 days after opening: no baseline
    ['x:A4', 'C5', 'x:K6', 'gad7', null, '2024-02-14', 'baseline', 11], // the day before opening
    ['x:A5', 'C7', 'x:K8', 'ssm', 'income', '2024-03-21', 'baseline', 3],
  ]);
  await insert(db, 'surveys', ['survey_id', 'case_id', 'client_id', 'responded_at', 'satisfaction'], [
    ['x:Q1', 'x:K1', 'C1', '2024-01-11', 5],
    ['x:Q2', 'x:K2', 'C2', '2024-01-05', 4], // exactly the threshold
    ['x:Q3', 'x:K4', 'C3', '2024-02-29', 2],
    ['x:Q4', 'x:K3', 'C1', '2024-03-02', 3],
    ['x:Q5', 'x:K6', 'C5', null, 5], // no date
    ['x:Q6', 'x:K8', 'C7', '2024-04-15', 5], // after the period
  ]);
  await insert(db, 'score_runs', ['run_id', 'started_at', 'status', 'scorer', 'model', 'prompt_version', 'framework_id', 'framework_version'], [
    [1, '2024-05-01 00:00:00', 'succeeded', 'offline', 'lexicon', 'v1', 'self-sufficiency', '1.0.0'],
  ]);
  const tag = (id: string, note: string, domain: string, direction: string, status: string): V[] => [
    id, note, 'h', 1, 'self-sufficiency', '1.0.0', 'offline', 'lexicon', 'v1', domain, direction, status, 0.9,
  ];
  await insert(db, 'note_tags', ['tag_id', 'note_id', 'text_sha256', 'run_id', 'framework_id', 'framework_version', 'scorer', 'model', 'prompt_version', 'domain_id', 'direction', 'status', 'confidence'], [
    tag('T1', 'x:N2', 'housing', 'strength', 'current'),
    tag('T2', 'x:N2', 'housing', 'concern', 'current'), // no citation: does not count
    tag('T3', 'x:N3', 'housing', 'strength', 'current'),
    tag('T4', 'x:N4', 'income', 'concern', 'current'),
    tag('T5', 'x:N5', 'housing', 'improvement', 'historical'), // historical: does not count
    tag('T6', 'x:N5', 'income', 'improvement', 'current'),
    tag('T7', 'x:N6', 'housing', 'strength', 'current'), // note after the period
  ]);
  const cite = (tagId: string, note: string, quote: string): V[] => [tagId, note, 0, quote.length, quote, 'exact', 1];
  await insert(db, 'tag_citations', ['tag_id', 'note_id', 'start_offset', 'end_offset', 'quote', 'match', 'similarity'], [
    cite('T1', 'x:N2', 'Signed a lease.'),
    cite('T3', 'x:N3', 'Housing is stable.'),
    cite('T4', 'x:N4', 'Behind on bills.'),
    cite('T5', 'x:N5', 'Was homeless last year.'),
    cite('T6', 'x:N5', 'Income went up.'),
    cite('T6', 'x:N5', 'Income went up.'), // two citations of one tag still count once
    cite('T7', 'x:N6', 'Housed.'),
  ]);
}

/** A fresh database in memory with the base fixture loaded. */
export async function fixtureDb(): Promise<Db> {
  const db = await openStore(':memory:');
  await baseFixture(db);
  return db;
}
