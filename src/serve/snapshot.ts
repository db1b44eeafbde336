/**
 * What the server reads: a consistent copy of the database, never the file itself.
 *
 * DuckDB lets one process write a file, and a process that merely opens it read-only still
 * locks writers out for as long as it keeps it open. A server holding the file open would make
 * every `caselens ingest` and `caselens score` fail. So the server copies the database
 * (`ATTACH … (READ_ONLY)`, `COPY FROM DATABASE`, `DETACH`: a fraction of a second for the
 * sample) into memory, or into a snapshot file for databases larger than memory, and serves
 * that copy. It holds no lock between copies.
 *
 * Every few seconds it looks at the file (size and modification time of the database and its
 * WAL). When they changed and then stayed unchanged for `settleSeconds`, it copies again and
 * swaps the copy in; requests already running finish on the copy they started with. While a
 * writer holds the file the copy fails with a lock error: the server keeps serving the last
 * consistent state and says so in /api/health (`stale`), and tries again on the next check.
 * A writer that starts during the short copy window is refused by DuckDB with the CLI's
 * "another process has this database open" message (exit code 5) and can simply be re-run.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CaselensError, errorMessage, exitCodes } from '../errors.ts';
import { currentVersion, Db, lit, SCHEMA_VERSION } from '../store/index.ts';

export interface SnapshotOptions {
  dbPath: string;
  mode?: 'memory' | 'file';
  dir?: string;
  checkSeconds?: number;
  settleSeconds?: number;
  startWaitSeconds?: number;
  /** called after a new copy is in place */
  onSwap?: (generation: number) => void;
  /** readies a copy before it is served (e.g. rebuilds derived tables); a failure keeps the previous copy */
  prepare?: (db: Db) => Promise<void>;
  log?: (message: string) => void;
}

export interface Snapshot {
  db: Db;
  generation: number;
  /** when the copy was taken */
  takenAt: Date;
  /** file stamp of the source at copy time */
  stamp: string;
  file?: string;
  /** requests using this copy */
  users: number;
  retired: boolean;
}

export interface SnapshotHealth {
  database: string;
  generation: number;
  snapshotAt: string | null;
  copyMs: number | null;
  /** the file changed since the copy being served */
  stale: boolean;
  lastError: string | null;
  lastErrorAt: string | null;
  mode: 'memory' | 'file';
}

const LOCK_RE = /lock|Conflicting|database is locked/i;

function stampOf(dbPath: string): string {
  const part = (p: string) => {
    try {
      const s = fs.statSync(p);
      return `${s.size}:${s.mtimeMs}`;
    } catch {
      return '-';
    }
  };
  return `${part(dbPath)}|${part(`${dbPath}.wal`)}`;
}

export class SnapshotManager {
  readonly dbPath: string;
  private readonly opts: Required<Omit<SnapshotOptions, 'onSwap' | 'log' | 'dir' | 'prepare'>> & Pick<SnapshotOptions, 'onSwap' | 'log' | 'dir' | 'prepare'>;
  private current?: Snapshot;
  private timer?: NodeJS.Timeout;
  private refreshing?: Promise<boolean>;
  private seenStamp = '';
  private seenSince = 0;
  private lastError: string | null = null;
  private lastErrorAt: Date | null = null;
  private copyMs: number | null = null;
  private closed = false;

  constructor(opts: SnapshotOptions) {
    this.dbPath = path.resolve(opts.dbPath);
    this.opts = { mode: 'memory', checkSeconds: 2, settleSeconds: 1, startWaitSeconds: 30, ...opts };
  }

  /** Takes the first copy, waiting up to `startWaitSeconds` for a writer to finish. */
  async start(): Promise<void> {
    if (!fs.existsSync(this.dbPath)) {
      throw new CaselensError(`database ${this.dbPath} does not exist: run \`caselens ingest\` (or \`npm start\`) first, or point --db at an existing file`, { exitCode: exitCodes.database, status: 503 });
    }
    const deadline = Date.now() + this.opts.startWaitSeconds * 1000;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.copy();
        break;
      } catch (e) {
        const locked = LOCK_RE.test(errorMessage(e));
        if (!locked || Date.now() >= deadline) {
          if (locked) {
            throw new CaselensError(
              `database ${this.dbPath} is held by another process writing to it (caselens ingest or score?) and was not released within ${this.opts.startWaitSeconds}s; start the server when it has finished`,
              { exitCode: exitCodes.database, status: 503, cause: e },
            );
          }
          throw e instanceof CaselensError ? e : new CaselensError(`cannot read database ${this.dbPath}: ${errorMessage(e)}`, { exitCode: exitCodes.database, status: 503, cause: e });
        }
        if (attempt === 0) this.opts.log?.(`database ${this.dbPath} is being written by another process; waiting for it to finish …`);
        await new Promise((r) => setTimeout(r, 250));
      }
    }
    if (this.opts.checkSeconds > 0) {
      this.timer = setInterval(() => void this.check(), this.opts.checkSeconds * 1000);
      this.timer.unref();
    }
  }

  get generation(): number {
    return this.current?.generation ?? 0;
  }

  /** Runs `fn` against the current copy; the copy is not closed while `fn` runs. */
  async use<T>(fn: (db: Db, snap: Snapshot) => Promise<T>): Promise<T> {
    const snap = this.current;
    if (!snap) throw new CaselensError('the database snapshot is not ready', { status: 503, exitCode: exitCodes.database });
    snap.users++;
    try {
      return await fn(snap.db, snap);
    } finally {
      snap.users--;
      if (snap.retired && snap.users === 0) this.dispose(snap);
    }
  }

  health(): SnapshotHealth {
    const snap = this.current;
    return {
      database: this.dbPath,
      generation: snap?.generation ?? 0,
      snapshotAt: snap?.takenAt.toISOString() ?? null,
      copyMs: this.copyMs,
      stale: snap ? stampOf(this.dbPath) !== snap.stamp : true,
      lastError: this.lastError,
      lastErrorAt: this.lastErrorAt?.toISOString() ?? null,
      mode: this.opts.mode,
    };
  }

  /** Looks at the file; copies again once a change has settled. Safe to call at any time. */
  async check(now = Date.now()): Promise<boolean> {
    if (this.closed || this.refreshing || !this.current) return false;
    const stamp = stampOf(this.dbPath);
    if (stamp === this.current.stamp) {
      this.seenStamp = stamp;
      return false;
    }
    if (stamp !== this.seenStamp) {
      this.seenStamp = stamp;
      this.seenSince = now;
    }
    if (now - this.seenSince < this.opts.settleSeconds * 1000) return false;
    return this.refresh();
  }

  /** Copies now (unless a copy is running); false when the file is locked or unreadable. */
  refresh(): Promise<boolean> {
    if (this.refreshing) return this.refreshing;
    this.refreshing = this.copy()
      .then(() => true)
      .catch((e) => {
        this.lastError = errorMessage(e).split('\n')[0]!;
        this.lastErrorAt = new Date();
        if (!LOCK_RE.test(this.lastError)) this.opts.log?.(`snapshot refresh failed, still serving the copy of ${this.current?.takenAt.toISOString()}: ${this.lastError}`);
        return false;
      })
      .finally(() => {
        this.refreshing = undefined;
      });
    return this.refreshing;
  }

  private async copy(): Promise<void> {
    const started = performance.now();
    const stamp = stampOf(this.dbPath);
    const generation = (this.current?.generation ?? 0) + 1;
    let file: string | undefined;
    if (this.opts.mode === 'file') {
      const dir = this.opts.dir ?? path.join(os.tmpdir(), 'caselens-serve');
      fs.mkdirSync(dir, { recursive: true });
      file = path.join(dir, `snapshot-${process.pid}-${generation}-${Date.now()}.duckdb`);
    }
    const db = await Db.open(file ?? ':memory:');
    try {
      await db.run(`ATTACH ${lit(this.dbPath)} AS src (READ_ONLY)`, undefined, `cannot open database ${this.dbPath}`);
      try {
        const catalog = await db.value<string>('SELECT current_database()');
        await db.run(`COPY FROM DATABASE src TO "${catalog.replaceAll('"', '""')}"`, undefined, `cannot copy database ${this.dbPath}`);
      } finally {
        await db.run('DETACH src');
      }
      const version = await currentVersion(db);
      if (version !== SCHEMA_VERSION) {
        throw new CaselensError(
          version > SCHEMA_VERSION
            ? `database ${this.dbPath} has schema version ${version}, newer than this caselens (${SCHEMA_VERSION}): upgrade caselens`
            : `database ${this.dbPath} has schema version ${version}; run \`caselens migrate\` to bring it to ${SCHEMA_VERSION}`,
          { exitCode: exitCodes.database, status: 503 },
        );
      }
      await this.opts.prepare?.(db);
    } catch (e) {
      db.close();
      if (file) for (const f of [file, `${file}.wal`]) fs.rmSync(f, { force: true });
      throw e;
    }
    if (this.closed) {
      db.close();
      if (file) fs.rmSync(file, { force: true });
      return;
    }
    const previous = this.current;
    this.current = { db, generation, takenAt: new Date(), stamp, users: 0, retired: false, ...(file ? { file } : {}) };
    this.seenStamp = stamp;
    this.copyMs = Math.round(performance.now() - started);
    this.lastError = null;
    this.lastErrorAt = null;
    if (previous) {
      previous.retired = true;
      if (previous.users === 0) this.dispose(previous);
    }
    this.opts.onSwap?.(generation);
  }

  private dispose(snap: Snapshot): void {
    snap.db.close();
    if (snap.file) for (const f of [snap.file, `${snap.file}.wal`]) fs.rmSync(f, { force: true });
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.refreshing?.catch(() => undefined);
    if (this.current) {
      this.current.retired = true;
      if (this.current.users === 0) this.dispose(this.current);
      this.current = undefined;
    }
  }
}
