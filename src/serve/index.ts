/**
 * `caselens serve`: the HTTP API and dashboards, read-only against the database.
 *
 *   const server = await startServer({ dbPath, config });   // host/port from config.serve or the options
 *   console.log(`caselens: serving ${server.url}`);
 *   …; await server.close();
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { serve as honoServe } from '@hono/node-server';
import type { Config } from '../config/index.ts';
import { CaselensError, ConfigError, errorMessage, exitCodes, UsageError } from '../errors.ts';
import { loadDashboards, type Dashboard, type KpiShape } from '../dashboards/index.ts';
import type { Framework } from '../frameworks/index.ts';
import { ensureFacts, kpiConfigSchema, KPIS, type KpiConfigInput } from '../kpi/index.ts';
import { resolveFramework } from '../score/cli.ts';
import { AuditWriter, defaultAuditDir } from './audit.ts';
import { createApp, type CaselensApp } from './app.ts';
import { isLoopbackHost, parseServeConfig, userSchema, type ServeConfig, type ServeConfigInput, type UserRecord } from './config.ts';
import { SnapshotManager } from './snapshot.ts';
import { readUsers } from './users.ts';

export { serveConfigSchema, serveConfigSection, parseServeConfig, userSchema, isLoopbackHost, type ServeConfig, type ServeConfigInput, type UserRecord } from './config.ts';
export { addUser, type AddUserOptions, type AddUserResult } from './users.ts';
export { mergeAudit, readAuditTrail, readAuditFiles, defaultAuditDir, AuditWriter, type AuditEvent, type MergeResult } from './audit.ts';
export { hashSecret, verifySecret, newToken } from './secrets.ts';
export { SnapshotManager, type SnapshotHealth } from './snapshot.ts';
export { createApp, SESSION_COOKIE, type AppOptions, type CaselensApp } from './app.ts';

export interface StartServerOptions {
  /** the database file (read through snapshots, never held open) */
  dbPath: string;
  /** the project config; its `serve` and `kpi` sections are used when present */
  config: Config;
  /** override config.serve.host / port (the command line's --host, --port) */
  host?: string;
  port?: number;
  /** override other parts of config.serve (tests) */
  serve?: ServeConfigInput;
  /** pin "today" for KPI defaults (tests) */
  today?: () => string;
  /** where messages go (default: stderr) */
  log?: (message: string) => void;
}

export interface RunningServer {
  url: string;
  host: string;
  port: number;
  app: CaselensApp['app'];
  snapshots: SnapshotManager;
  audit: AuditWriter;
  serve: ServeConfig;
  close(): Promise<void>;
}

/** The address to listen on, as far as the command line and the environment say (the rest comes from config.serve). */
export interface ListenOverrides {
  host?: string;
  port?: number;
}

/**
 * `--host`, `--port` and the `PORT` environment variable for `caselens serve` and `caselens demo`.
 * Port: `--port`, else `PORT`, else `serve.port` in the config, else 8787. Host: `--host`, else
 * `serve.host`, else 127.0.0.1. Values are trimmed; a port that is not a whole number from 0 to
 * 65535 (0: any free port) or an empty host is a usage error (exit 2). An empty `PORT` counts as unset.
 * Whether the host may be served without users is decided by startServer (beyond loopback: refused).
 */
export function listenOverrides(flags: { host?: string | undefined; port?: string | undefined }, env: NodeJS.ProcessEnv = process.env): ListenOverrides {
  const out: ListenOverrides = {};
  const envPort = env.PORT?.trim();
  const [raw, source] = flags.port !== undefined ? [flags.port, '--port'] : envPort ? [env.PORT!, 'the PORT environment variable'] : [undefined, ''];
  if (raw !== undefined) {
    const t = raw.trim();
    const n = /^\d{1,5}$/.test(t) ? Number(t) : NaN;
    if (!(n >= 0 && n <= 65535)) throw new UsageError(`${source} must be a port number from 1 to 65535 (or 0 for any free port), got "${raw}"`);
    out.port = n;
  }
  if (flags.host !== undefined) {
    const h = flags.host.trim();
    if (!h || /[\s/]/.test(h)) throw new UsageError(`--host must be a host name or address such as 127.0.0.1, got "${flags.host}"`);
    // `[::1]` as written in a URL; the socket wants `::1`
    out.host = /^\[.*\]$/.test(h) ? h.slice(1, -1) : h;
  }
  return out;
}

/** Where the server writes its audit lines: config `serve.audit.dir` (relative to the config's folder), else beside the database. */
export function auditDirFor(dbPath: string, config: Config): string {
  const dir = (config as Config & { serve?: { audit?: { dir?: string } } }).serve?.audit?.dir;
  return dir ? path.resolve(config.root, dir) : defaultAuditDir(dbPath);
}

function kpiShapes(): KpiShape[] {
  return KPIS.map((k) => ({ id: k.id, params: k.params.map((p) => p.name), columns: k.columns.map((c) => c.name) }));
}

/** Loads and checks the dashboard definitions; a broken file stops the server (exit 3). */
export function loadServedDashboards(dir: string): Dashboard[] {
  const { dashboards, problems } = loadDashboards(dir, { kpis: kpiShapes() });
  if (problems.length) throw new ConfigError(problems);
  if (dashboards.length === 0) throw new ConfigError([{ file: dir, path: '', message: 'no dashboard definitions found (set paths.dashboards in the config; a relative path there is relative to the config file\'s folder)' }]);
  return dashboards;
}

/** Users from the config file, re-read when the file changes (so `caselens user add` needs no restart). */
function liveUsers(file: string | undefined, initial: UserRecord[], log: (m: string) => void): () => UserRecord[] {
  if (!file) return () => initial;
  let current = initial;
  let stamp = '';
  let checked = 0;
  try {
    const s = fs.statSync(file);
    stamp = `${s.size}:${s.mtimeMs}`;
  } catch {
    // no file yet
  }
  return () => {
    const now = Date.now();
    if (now - checked < 1000) return current;
    checked = now;
    try {
      const s = fs.statSync(file);
      const next = `${s.size}:${s.mtimeMs}`;
      if (next === stamp) return current;
      stamp = next;
      const parsed = userSchema.array().safeParse(readUsers(file) ?? []);
      if (parsed.success) {
        current = parsed.data;
        log(`users re-read from ${file}: ${current.length} user(s)`);
      } else {
        log(`users in ${file} are invalid (${parsed.error.issues[0]?.message}); keeping the previous list`);
      }
    } catch (e) {
      log(`cannot re-read users from ${file}: ${errorMessage(e)}`);
    }
    return current;
  };
}

/** Starts the server; resolves once it listens. */
export async function startServer(opts: StartServerOptions): Promise<RunningServer> {
  const log = opts.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  const cfg = opts.config as Config & { serve?: ServeConfigInput; kpi?: KpiConfigInput };
  const serveCfg = parseServeConfig({ ...(cfg.serve ?? {}), ...(opts.serve ?? {}), ...(opts.host !== undefined ? { host: opts.host } : {}), ...(opts.port !== undefined ? { port: opts.port } : {}) });
  const { host, port } = serveCfg;
  if (!isLoopbackHost(host) && serveCfg.users.length === 0) {
    throw new CaselensError(
      `refusing to serve on ${host}: beyond loopback the server needs configured users (add one with \`caselens user add NAME --role admin\`), or serve on 127.0.0.1`,
      { exitCode: exitCodes.invalidConfig, status: 500 },
    );
  }
  if (!isLoopbackHost(host) && !serveCfg.sessionSecret) log('note: no serve.sessionSecret configured; sign-ins end when the server restarts');
  if (!isLoopbackHost(host) && serveCfg.secureCookies !== 'never') log('note: session cookies are marked Secure: put the server behind HTTPS (a TLS-terminating proxy)');

  const dashboards = loadServedDashboards(opts.config.paths.dashboards);
  let framework: Framework | undefined;
  try {
    framework = resolveFramework(opts.config);
  } catch (e) {
    log(`warning: no scoring framework (${errorMessage(e)}); case summaries are not shown`);
  }

  const snapshots = new SnapshotManager({
    dbPath: opts.dbPath, mode: serveCfg.snapshot.mode, ...(serveCfg.snapshot.dir ? { dir: path.resolve(opts.config.root, serveCfg.snapshot.dir) } : {}),
    checkSeconds: serveCfg.snapshot.checkSeconds, settleSeconds: serveCfg.snapshot.settleSeconds, startWaitSeconds: serveCfg.snapshot.startWaitSeconds, log,
    // the KPI facts of a copy are made current before it is served, so no page waits for them
    prepare: async (db) => {
      await ensureFacts(db, kpiConfigSchema.parse(cfg.kpi ?? {}));
    },
  });
  await snapshots.start();
  let audit: AuditWriter;
  try {
    audit = new AuditWriter(opts.serve?.audit?.dir ? path.resolve(opts.config.root, opts.serve.audit.dir) : auditDirFor(opts.dbPath, opts.config));
  } catch (e) {
    await snapshots.close();
    throw new CaselensError(`cannot create the audit folder: ${errorMessage(e)}`, { exitCode: exitCodes.failure });
  }
  const sessionSecret = serveCfg.sessionSecret ? crypto.createHash('sha256').update(serveCfg.sessionSecret).digest() : crypto.randomBytes(32);
  const caselens = createApp({
    snapshots, audit, serve: serveCfg, users: liveUsers(opts.config.file, serveCfg.users, log), dashboards, framework,
    ...(cfg.kpi ? { kpiConfig: cfg.kpi } : {}), root: opts.config.root, host, sessionSecret, ...(opts.today ? { today: opts.today } : {}), log,
  });

  let server: Server;
  try {
    server = await new Promise<Server>((resolve, reject) => {
      const s = honoServe({ fetch: caselens.app.fetch, hostname: host, port }, () => resolve(s as Server)) as Server;
      s.once('error', reject);
    });
  } catch (e) {
    await snapshots.close();
    const code = (e as NodeJS.ErrnoException).code;
    throw new CaselensError(
      code === 'EADDRINUSE' ? `port ${port} on ${host} is in use: stop the other server or choose --port` : `cannot listen on ${host}:${port}: ${errorMessage(e)}`,
      { exitCode: exitCodes.failure, cause: e },
    );
  }
  server.keepAliveTimeout = 5000;
  const address = server.address() as AddressInfo;
  const shownHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  let closed = false;
  return {
    url: `http://${shownHost}:${address.port}`,
    host,
    port: address.port,
    app: caselens.app,
    snapshots,
    audit,
    serve: serveCfg,
    async close() {
      if (closed) return;
      closed = true;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections?.();
        setTimeout(() => server.closeAllConnections?.(), 2000).unref();
      });
      await snapshots.close();
    },
  };
}

/**
 * `caselens serve`: starts the server, prints where it is, and runs until SIGINT or SIGTERM.
 * Resolves with the exit code once the server has closed.
 */
export async function serveCommand(opts: StartServerOptions & { out?: (line: string) => void }): Promise<number> {
  const out = opts.out ?? ((s: string) => console.log(s));
  const server = await startServer(opts);
  const users = server.serve.users.length;
  out(`caselens: serving ${server.url}`);
  out(`  read-only: a snapshot of ${opts.dbPath}, refreshed when the file changes (ingest and score can run meanwhile)`);
  out(`  audit trail: ${server.audit.dir} (merge into audit_log with \`caselens audit merge\`)`);
  out(users ? `  ${users} configured user(s)` : '  no users configured: demo sign-in (choose a role) on this computer only');
  out('  press Ctrl-C to stop');
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await server.close();
  out('caselens: stopped');
  return exitCodes.ok;
}

/** Reads a password from stdin (for `caselens user add --password-stdin`): the first line, without its line break. */
export async function readSecretFromStdin(stdin: NodeJS.ReadableStream = process.stdin): Promise<string> {
  let text = '';
  for await (const chunk of stdin) {
    text += String(chunk);
    if (text.includes('\n')) break;
  }
  return text.split(/\r?\n/)[0] ?? '';
}
