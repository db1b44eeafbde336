/**
 * The audit trail of a read-only server.
 *
 * The server never writes the database (that would lock out ingest and score, and a write
 * connection cannot be had while they run). Each audited read is appended, synchronously and
 * before the response is sent, as one JSON line to `<audit dir>/YYYY-MM-DD.jsonl` (UTC day of
 * the event). A line carries a unique id. `mergeAudit(db, dir)` — run by `caselens audit merge`
 * and by any command that opens the database for writing — copies lines into `audit_log`,
 * skipping ids already there, so merging twice (or a merge killed half-way) never duplicates.
 * Day files older than today that are fully merged are then deleted; today's file is kept
 * while the server may still append to it. Readers of the trail (`/api/audit`) see the merged
 * rows plus the lines not merged yet.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { CaselensError, exitCodes } from '../errors.ts';
import type { Db } from '../store/index.ts';

export interface AuditEvent {
  id: string;
  /** ISO timestamp */
  at: string;
  actor: string;
  role: string;
  /** e.g. read_note, read_case, read_client, read_client_pii, deny */
  action: string;
  /** e.g. note:sample:N0000001 */
  resource: string;
  detail: Record<string, unknown>;
}

/** `<database without extension>.audit/` beside the database. */
export function defaultAuditDir(dbPath: string): string {
  const abs = path.resolve(dbPath);
  return path.join(path.dirname(abs), `${path.basename(abs).replace(/\.duckdb$/i, '')}.audit`);
}

export class AuditWriter {
  readonly dir: string;
  private written = 0;

  constructor(dir: string) {
    this.dir = dir;
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  /**
   * Appends one event. Synchronous on purpose: the record is on disk before the data leaves the
   * server, and a failure to record is a failure of the request.
   */
  record(e: Omit<AuditEvent, 'id' | 'at'> & { at?: Date }): AuditEvent {
    const at = e.at ?? new Date();
    const event: AuditEvent = { id: crypto.randomUUID(), at: at.toISOString(), actor: e.actor, role: e.role, action: e.action, resource: e.resource, detail: e.detail };
    const file = path.join(this.dir, `${event.at.slice(0, 10)}.jsonl`);
    try {
      fs.appendFileSync(file, `${JSON.stringify(event)}\n`, { mode: 0o600 });
    } catch (err) {
      throw new CaselensError(`cannot write the audit trail (${file}): ${(err as Error).message}; refusing to serve audited data`, { status: 503, exitCode: exitCodes.failure, cause: err });
    }
    this.written++;
    return event;
  }

  get count(): number {
    return this.written;
  }
}

export function auditFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((f) => /^\d{4}-\d{2}-\d{2}\.jsonl$/.test(f)).sort().map((f) => path.join(dir, f));
}

/** Every event in the JSONL files (a torn last line, from a crash mid-write, is skipped). */
export function readAuditFiles(dir: string): AuditEvent[] {
  const out: AuditEvent[] = [];
  for (const f of auditFiles(dir)) {
    for (const line of fs.readFileSync(f, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      try {
        const e = JSON.parse(line) as AuditEvent;
        if (typeof e.id === 'string' && typeof e.at === 'string') out.push(e);
      } catch {
        // a line cut short by a crash: nothing was served after it
      }
    }
  }
  return out;
}

export interface MergeResult {
  read: number;
  inserted: number;
  alreadyMerged: number;
  filesRemoved: number;
}

/**
 * Copies the server's audit lines into `audit_log` (one transaction), skipping events already
 * merged (matched by the id kept in `detail`). Needs a database opened for writing.
 */
export async function mergeAudit(db: Db, dir: string, opts: { now?: Date } = {}): Promise<MergeResult> {
  const files = auditFiles(dir);
  const events = readAuditFiles(dir);
  if (events.length === 0) return { read: 0, inserted: 0, alreadyMerged: 0, filesRemoved: 0 };
  const today = (opts.now ?? new Date()).toISOString().slice(0, 10);
  let inserted = 0;
  await db.transaction(async () => {
    await db.run('CREATE TEMP TABLE IF NOT EXISTS audit_incoming (id VARCHAR, at_text VARCHAR, actor VARCHAR, role VARCHAR, action VARCHAR, resource VARCHAR, detail VARCHAR)');
    await db.run('DELETE FROM audit_incoming');
    const appender = await db.connection.createAppender('audit_incoming', 'main', 'temp');
    for (const e of events) {
      appender.appendVarchar(e.id);
      appender.appendVarchar(e.at);
      appender.appendVarchar(e.actor);
      appender.appendVarchar(e.role);
      appender.appendVarchar(e.action);
      appender.appendVarchar(e.resource);
      appender.appendVarchar(JSON.stringify({ id: e.id, ...e.detail }));
      appender.endRow();
    }
    appender.closeSync();
    inserted = await db.value<number>(`
      WITH fresh AS (
        SELECT DISTINCT ON (i.id) i.* FROM audit_incoming i
        WHERE NOT EXISTS (SELECT 1 FROM audit_log a WHERE json_extract_string(a.detail, '$.id') = i.id)
      )
      SELECT count(*) FROM fresh`);
    await db.run(`
      INSERT INTO audit_log (logged_at, actor, role, action, resource, detail)
      SELECT DISTINCT ON (i.id) i.at_text::TIMESTAMP, i.actor, i.role, i.action, i.resource, i.detail
      FROM audit_incoming i
      WHERE NOT EXISTS (SELECT 1 FROM audit_log a WHERE json_extract_string(a.detail, '$.id') = i.id)`, undefined, 'cannot merge the audit trail');
    await db.run('DROP TABLE audit_incoming');
  });
  // Past days are complete (the server writes each event to its own day's file); once merged they can go.
  let filesRemoved = 0;
  for (const f of files) {
    const day = path.basename(f, '.jsonl');
    const quiet = Date.now() - fs.statSync(f).mtimeMs > 60_000;
    if (day < today && quiet) {
      fs.rmSync(f, { force: true });
      filesRemoved++;
    }
  }
  return { read: events.length, inserted, alreadyMerged: events.length - inserted, filesRemoved };
}

/** Audit rows in the database plus the lines not yet merged, newest first. */
export async function readAuditTrail(db: Db, dir: string, opts: { limit?: number; actor?: string; action?: string } = {}): Promise<AuditEvent[]> {
  const limit = opts.limit ?? 500;
  const rows = await db.all<{ logged_at: Date; actor: string; role: string | null; action: string; resource: string | null; detail: string | null }>(
    `SELECT logged_at, actor, role, action, resource, detail FROM audit_log
     WHERE ($1::VARCHAR IS NULL OR actor = $1) AND ($2::VARCHAR IS NULL OR action = $2)
     ORDER BY logged_at DESC LIMIT ${Math.max(0, Math.floor(limit))}`,
    [opts.actor ?? null, opts.action ?? null],
  );
  const merged = new Set<string>();
  const fromDb: AuditEvent[] = rows.map((r) => {
    let detail: Record<string, unknown>;
    try {
      detail = r.detail ? (JSON.parse(r.detail) as Record<string, unknown>) : {};
    } catch {
      detail = { text: r.detail };
    }
    const id = typeof detail.id === 'string' ? detail.id : `db:${r.logged_at.toISOString()}:${r.actor}:${r.resource}`;
    merged.add(id);
    const { id: _id, ...rest } = detail;
    return { id, at: new Date(r.logged_at).toISOString(), actor: r.actor, role: r.role ?? '', action: r.action, resource: r.resource ?? '', detail: rest };
  });
  const pending = readAuditFiles(dir).filter((e) => !merged.has(e.id) && (!opts.actor || e.actor === opts.actor) && (!opts.action || e.action === opts.action));
  return [...pending, ...fromDb].sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0)).slice(0, limit);
}

