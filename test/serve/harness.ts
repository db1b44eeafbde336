/** An in-process caselens server app over the sample database, with one user per role. */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parseServeConfig, type UserRecord } from '../../src/serve/config.ts';
import { AuditWriter, createApp, hashSecret, loadServedDashboards, SnapshotManager } from '../../src/serve/index.ts';
import { resolveFramework } from '../../src/score/cli.ts';
import type { Role } from '../../src/dashboards/schema.ts';
import { Db } from '../../src/store/index.ts';
import { tempDir } from '../helpers.ts';
import { projectConfig, ROOT, sampleDb, TODAY } from './fixture.ts';

export interface Staffing {
  /** a case manager with cases */
  manager: string;
  /** that manager's supervisor */
  supervisor: string;
  /** a manager outside the supervisor's team */
  otherManager: string;
  /** a case of the manager, a note on it, and its client */
  caseId: string;
  noteId: string;
  clientId: string;
  /** a case, note and client of the other manager */
  otherCaseId: string;
  otherNoteId: string;
  otherClientId: string;
}

export const PASSWORD = 'correct horse battery staple';
export const ROLES: Role[] = ['admin', 'evaluator', 'funder', 'manager', 'supervisor'];

export async function findStaffing(dbPath: string): Promise<Staffing> {
  const db = await Db.open(dbPath, { readOnly: true });
  try {
    const m = (await db.one<{ manager: string; supervisor: string }>(`
      SELECT s.staff_id AS manager, s.supervisor_id AS supervisor FROM staff s
      WHERE s.role = 'manager' AND s.supervisor_id IS NOT NULL
        AND EXISTS (SELECT 1 FROM cases c JOIN notes n USING (case_id) JOIN note_tags t ON t.note_id = n.note_id WHERE c.manager_id = s.staff_id)
      ORDER BY s.staff_id LIMIT 1`))!;
    const other = (await db.one<{ id: string }>(`
      SELECT s.staff_id AS id FROM staff s WHERE s.role = 'manager' AND s.supervisor_id IS DISTINCT FROM $1
        AND EXISTS (SELECT 1 FROM cases c JOIN notes n USING (case_id) WHERE c.manager_id = s.staff_id)
      ORDER BY s.staff_id LIMIT 1`, [m.supervisor]))!;
    const pick = async (manager: string) => (await db.one<{ case_id: string; note_id: string; client_id: string }>(`
      SELECT c.case_id, n.note_id, c.client_id FROM cases c JOIN notes n USING (case_id)
      WHERE c.manager_id = $1 AND EXISTS (SELECT 1 FROM note_tags t WHERE t.note_id = n.note_id)
      ORDER BY (SELECT count(*) FROM note_tags t JOIN notes x ON x.note_id = t.note_id WHERE x.case_id = c.case_id) DESC, c.case_id, n.note_id LIMIT 1`, [manager]))!;
    const mine = await pick(m.manager);
    const theirs = await pick(other.id);
    return {
      manager: m.manager, supervisor: m.supervisor, otherManager: other.id,
      caseId: mine.case_id, noteId: mine.note_id, clientId: mine.client_id,
      otherCaseId: theirs.case_id, otherNoteId: theirs.note_id, otherClientId: theirs.client_id,
    };
  } finally {
    db.close();
  }
}

export async function makeUsers(staffing: Staffing): Promise<{ users: UserRecord[]; tokens: Record<Role, string> }> {
  const passwordHash = await hashSecret(PASSWORD);
  const tokens = {} as Record<Role, string>;
  const users: UserRecord[] = [];
  for (const role of ROLES) {
    tokens[role] = `tok-${role}-${crypto.randomBytes(12).toString('hex')}`;
    users.push({
      name: `${role}1`, role, passwordHash, tokenHash: await hashSecret(tokens[role]),
      ...(role === 'manager' ? { staffId: staffing.manager } : role === 'supervisor' ? { staffId: staffing.supervisor } : {}),
    });
  }
  return { users, tokens };
}

export interface Harness {
  app: ReturnType<typeof createApp>['app'];
  snapshots: SnapshotManager;
  audit: AuditWriter;
  staffing: Staffing;
  tokens: Record<Role, string>;
  dbPath: string;
  auditDir: string;
  get(role: Role | null, url: string, headers?: Record<string, string>): Promise<Response>;
  close(): Promise<void>;
}

export async function makeHarness(opts: { dbPath?: string; demo?: boolean } = {}): Promise<Harness> {
  const dbPath = opts.dbPath ?? (await sampleDb());
  const staffing = await findStaffing(dbPath);
  const { users, tokens } = await makeUsers(staffing);
  const config = projectConfig();
  const auditDir = path.join(tempDir('caselens-audit-'), 'audit');
  const snapshots = new SnapshotManager({ dbPath, checkSeconds: 0 });
  await snapshots.start();
  const audit = new AuditWriter(auditDir);
  const { app } = createApp({
    snapshots, audit, serve: parseServeConfig({ users, demoSignIn: opts.demo ? 'on' : 'off' }), dashboards: loadServedDashboards(config.paths.dashboards),
    framework: resolveFramework(config), root: ROOT, host: '127.0.0.1', sessionSecret: crypto.randomBytes(32), today: () => TODAY,
  });
  return {
    app, snapshots, audit, staffing, tokens, dbPath, auditDir,
    get: (role, url, headers = {}) => Promise.resolve(app.request(url, { headers: { ...(role ? { authorization: `Bearer ${tokens[role]}` } : {}), ...headers } })),
    close: async () => {
      await snapshots.close();
      fs.rmSync(path.dirname(auditDir), { recursive: true, force: true });
    },
  };
}
