/**
 * Server-side sign-in sessions. The session cookie carries a random session id (inside the
 * HMAC-signed claims); the session itself lives here, so ending it on the server ends it for
 * every copy of the cookie: sign-out, a changed password (seen when the users are re-read) and
 * an administrator's revoke all delete the record.
 *
 * Records are kept in memory and, when a folder is given (the audit folder: the one place the
 * server writes), in `sessions.json` there (mode 0600), so sign-ins survive a restart when
 * `serve.sessionSecret` is set and servers sharing the folder see each other's sign-outs. The
 * file holds SHA-256 digests of session ids, never the ids themselves.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Role } from '../dashboards/schema.ts';

export interface SessionRecord {
  /** user name (or the demo name) */
  user: string;
  role: Role;
  staffId?: string;
  demo?: true;
  /** SHA-256 of the user's password hash when the session began: a changed password ends it */
  credential?: string;
  /** milliseconds since the epoch */
  created: number;
  expires: number;
}

export const SESSIONS_FILE = 'sessions.json';
/** sessions kept at most (the oldest go first) */
const MAX_SESSIONS = 50_000;

const digest = (id: string) => crypto.createHash('sha256').update(id).digest('hex');

/** SHA-256 of a stored password hash: what a session remembers of the credential it began with. */
export function credentialOf(passwordHash: string | undefined): string | undefined {
  return passwordHash === undefined ? undefined : digest(`credential:${passwordHash}`);
}

export class SessionStore {
  private readonly byDigest = new Map<string, SessionRecord>();
  private readonly file: string | undefined;
  private fileStamp = '';

  constructor(opts: { dir?: string | undefined; now?: () => number } = {}) {
    this.file = opts.dir ? path.join(opts.dir, SESSIONS_FILE) : undefined;
    this.now = opts.now ?? Date.now;
    this.reload();
  }

  private readonly now: () => number;

  /** Begins a session; returns its id (32 random bytes, base64url) for the cookie. */
  create(rec: Omit<SessionRecord, 'created'>): string {
    this.reload();
    const id = crypto.randomBytes(32).toString('base64url');
    this.prune();
    this.byDigest.set(digest(id), { ...rec, created: this.now() });
    while (this.byDigest.size > MAX_SESSIONS) this.byDigest.delete(this.byDigest.keys().next().value!);
    this.save();
    return id;
  }

  /** The live session of this id, or undefined (unknown, ended or expired). */
  get(id: string): SessionRecord | undefined {
    this.reload();
    const key = digest(id);
    const rec = this.byDigest.get(key);
    if (!rec) return undefined;
    if (rec.expires <= this.now()) {
      this.byDigest.delete(key);
      this.save();
      return undefined;
    }
    return rec;
  }

  /** Ends one session (sign-out). */
  end(id: string): boolean {
    this.reload();
    const gone = this.byDigest.delete(digest(id));
    if (gone) this.save();
    return gone;
  }

  /** Ends every session of a user (or those matching `which`); returns how many ended. */
  endUser(user: string, which: (r: SessionRecord) => boolean = () => true): number {
    this.reload();
    let n = 0;
    for (const [k, r] of this.byDigest) {
      if (r.user === user && which(r)) {
        this.byDigest.delete(k);
        n++;
      }
    }
    if (n) this.save();
    return n;
  }

  /** Ends the sessions that no longer match a user list: unknown users, other roles or staff ids, changed passwords. */
  retain(valid: (r: SessionRecord) => boolean): number {
    this.reload();
    let n = 0;
    for (const [k, r] of this.byDigest) {
      if (!valid(r)) {
        this.byDigest.delete(k);
        n++;
      }
    }
    if (n) this.save();
    return n;
  }

  count(user?: string): number {
    this.reload();
    let n = 0;
    for (const r of this.byDigest.values()) if ((user === undefined || r.user === user) && r.expires > this.now()) n++;
    return n;
  }

  private prune(): void {
    const now = this.now();
    for (const [k, r] of this.byDigest) if (r.expires <= now) this.byDigest.delete(k);
  }

  private stamp(): string {
    try {
      const st = fs.statSync(this.file!);
      return `${st.mtimeMs}:${st.size}:${st.ino}`;
    } catch {
      return '';
    }
  }

  /** Picks up changes another server process made to the shared file. */
  private reload(): void {
    if (!this.file) return;
    const stamp = this.stamp();
    if (stamp === this.fileStamp) return;
    this.fileStamp = stamp;
    this.byDigest.clear();
    if (!stamp) return;
    try {
      const data = JSON.parse(fs.readFileSync(this.file, 'utf8')) as { sessions?: Record<string, SessionRecord> };
      for (const [k, r] of Object.entries(data.sessions ?? {})) {
        if (/^[0-9a-f]{64}$/.test(k) && r && typeof r.user === 'string' && typeof r.expires === 'number') this.byDigest.set(k, r);
      }
    } catch {
      // an unreadable file is no sessions: everyone signs in again
    }
  }

  private save(): void {
    if (!this.file) return;
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify({ version: 1, sessions: Object.fromEntries(this.byDigest) }), { mode: 0o600 });
    fs.renameSync(tmp, this.file);
    this.fileStamp = this.stamp();
  }
}
