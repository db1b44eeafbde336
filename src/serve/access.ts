/**
 * Who may see what. The server enforces these rules on every route; pages only reflect them.
 *
 * | role       | aggregates (KPIs)                     | record level (cases, timelines)       | note text, quotes | personal data |
 * |------------|---------------------------------------|---------------------------------------|-------------------|---------------|
 * | admin      | all                                   | all cases                             | yes (audited)     | yes (audited) |
 * | evaluator  | all                                   | all cases, de-identified              | no                | no            |
 * | funder     | funder-facing KPIs, suppressed only   | none                                  | no                | no            |
 * | manager    | all, always filtered to own caseload  | cases they manage                     | yes (audited)     | yes (audited) |
 * | supervisor | all; manager filter within their team | cases managed by their team           | yes (audited)     | yes (audited) |
 *
 * A supervisor's team is every staff member whose `supervisor_id` is the supervisor's staff id,
 * plus the supervisor.
 */
import { CaselensError, exitCodes } from '../errors.ts';
import type { Role } from '../dashboards/schema.ts';
import type { Db } from '../store/index.ts';

export interface Principal {
  name: string;
  role: Role;
  staffId?: string;
  displayName: string;
  demo: boolean;
  via: 'cookie' | 'token';
}

export interface Scope {
  role: Role;
  /** staff ids whose cases are visible at record level; null = every case */
  managers: Set<string> | null;
  /** may see record-level rows at all */
  records: boolean;
  /** may read note text and cited quotes */
  notes: boolean;
  /** may read client_pii */
  pii: boolean;
  /** a stable key of the scope, for caches */
  key: string;
}

export class Forbidden extends CaselensError {
  constructor(message: string) {
    super(message, { status: 403, exitCode: exitCodes.usage });
    this.name = 'Forbidden';
  }
}

export class NotFound extends CaselensError {
  constructor(message: string) {
    super(message, { status: 404, exitCode: exitCodes.usage });
    this.name = 'NotFound';
  }
}

export async function teamOf(db: Db, staffId: string): Promise<string[]> {
  const rows = await db.all<{ staff_id: string }>('SELECT staff_id FROM staff WHERE supervisor_id = $1 ORDER BY staff_id', [staffId]);
  return [staffId, ...rows.map((r) => r.staff_id).filter((s) => s !== staffId)];
}

export async function scopeFor(db: Db, p: Principal): Promise<Scope> {
  switch (p.role) {
    case 'admin':
      return { role: p.role, managers: null, records: true, notes: true, pii: true, key: 'admin' };
    case 'evaluator':
      return { role: p.role, managers: null, records: true, notes: false, pii: false, key: 'evaluator' };
    case 'funder':
      return { role: p.role, managers: new Set(), records: false, notes: false, pii: false, key: 'funder' };
    case 'manager':
      return { role: p.role, managers: new Set([p.staffId!]), records: true, notes: true, pii: true, key: `manager:${p.staffId}` };
    case 'supervisor': {
      const team = await teamOf(db, p.staffId!);
      return { role: p.role, managers: new Set(team), records: true, notes: true, pii: true, key: `supervisor:${p.staffId}` };
    }
  }
}

export function canSeeManager(scope: Scope, managerId: string | null): boolean {
  if (scope.managers === null) return true;
  return managerId !== null && scope.managers.has(managerId);
}

/** The case, if it exists (404 otherwise) and is within the scope (403 otherwise). */
export async function requireCase(db: Db, scope: Scope, caseId: string): Promise<{ case_id: string; client_id: string; manager_id: string | null }> {
  if (!scope.records) throw new Forbidden(`the ${scope.role} role sees aggregate results only, never individual cases`);
  const row = await db.one<{ case_id: string; client_id: string; manager_id: string | null }>('SELECT case_id, client_id, manager_id FROM cases WHERE case_id = $1', [caseId]);
  if (!row) throw new NotFound(`no case "${caseId}"`);
  if (!canSeeManager(scope, row.manager_id)) throw new Forbidden(`case ${caseId} is not in your ${scope.role === 'manager' ? 'caseload' : "team's caseload"}`);
  return row;
}

/** Cases of the client visible in this scope (403 when none is; 404 for an unknown client). */
export async function requireClient(db: Db, scope: Scope, clientId: string): Promise<string[]> {
  if (!scope.records) throw new Forbidden(`the ${scope.role} role sees aggregate results only, never individual clients`);
  const exists = await db.value<number>('SELECT count(*) FROM clients WHERE client_id = $1', [clientId]);
  if (!exists) throw new NotFound(`no client "${clientId}"`);
  const cases = await db.all<{ case_id: string; manager_id: string | null }>('SELECT case_id, manager_id FROM cases WHERE client_id = $1 ORDER BY opened_at, case_id', [clientId]);
  const visible = cases.filter((c) => canSeeManager(scope, c.manager_id)).map((c) => c.case_id);
  if (scope.managers !== null && visible.length === 0) throw new Forbidden(`client ${clientId} has no case in your ${scope.role === 'manager' ? 'caseload' : "team's caseload"}`);
  return visible;
}

export function requireNotes(scope: Scope): void {
  if (!scope.notes) {
    throw new Forbidden(scope.role === 'evaluator'
      ? 'evaluators get de-identified data: note text and quotes are not available to this role'
      : `the ${scope.role} role cannot read case notes`);
  }
}
