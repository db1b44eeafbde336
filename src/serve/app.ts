/**
 * The Hono application: API, dashboards, sign-in, access rules and audit. It reads only the
 * snapshot (see snapshot.ts) and writes only the audit files (see audit.ts).
 */
import crypto from 'node:crypto';
import { Hono, type Context } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';
import { CaselensError } from '../errors.ts';
import {
  filterBar, layout, renderCaseList, renderCaseView, renderDashboardBody, type Dashboard, type DashboardContext, type FilterState, type NavItem, type PageUser,
} from '../dashboards/index.ts';
import type { Role } from '../dashboards/schema.ts';
import type { Framework } from '../frameworks/index.ts';
import { isSuppressed, listKpis, renderFunderReport, type KpiConfigInput, type KpiResult } from '../kpi/index.ts';
import type { Db } from '../store/index.ts';
import { Forbidden, NotFound, requireCase, requireClient, requireNotes, scopeFor, type Principal, type Scope } from './access.ts';
import { APP_CSS, APP_JS, ASSET_ETAG } from './assets.ts';
import { readAuditTrail, type AuditWriter } from './audit.ts';
import { dataQualityAnswer, dataQualityRows, DataQualityNav, renderDataQualityPage, requireDataQualityRole, runParam } from './data-quality.ts';
import { isLoopbackHost, type ServeConfig, type UserRecord } from './config.ts';
import {
  activeScorer, caseView, clientPii, clientTimeline, demoStaff, filterOptions, listCases, noteView, overdueFollowups, runStatus, type ScorerRef,
} from './data.ts';
import { ARROW_TYPE, inferColumns, negotiate, toArrow, toCsv, type Format, type TableData } from './formats.ts';
import { checkFunderPeriod, KpiService } from './kpis.ts';
import { errorPage, loginPage, signOutPage } from './pages.ts';
import { changePairs } from './pairs.ts';
import { canonicalQuery, crossSiteReason, FailureLockout, limitBody, runsForRole, safeNext } from './safety.ts';
import { credentialOf, SessionStore, type SessionRecord } from './sessions.ts';
import { TokenIndex } from './tokens.ts';
import { signSession, verifySecret, verifySession, type SessionClaims } from './secrets.ts';
import type { SnapshotManager } from './snapshot.ts';

export const SESSION_COOKIE = 'caselens_session';

export interface AppOptions {
  snapshots: SnapshotManager;
  audit: AuditWriter;
  serve: ServeConfig;
  /** current users (re-read when the config file changes); default: serve.users */
  users?: () => UserRecord[];
  dashboards: Dashboard[];
  /** the scoring framework: domain names and case summaries */
  framework?: Framework | undefined;
  kpiConfig?: KpiConfigInput | undefined;
  /** folder `kpi.framework` is relative to */
  root: string;
  /** the address the server listens on (loopback decides demo sign-in and cookie defaults) */
  host: string;
  sessionSecret: Buffer;
  /** server-side sessions (default: kept in memory and in the audit folder's sessions.json) */
  sessions?: SessionStore;
  /** API token look-up (default: a new index; options tune the budget for older scrypt token hashes) */
  tokens?: TokenIndex;
  today?: () => string;
  log?: (message: string) => void;
}

type Env = { Variables: { principal: Principal | undefined; rid: string } };

/** The KPIs of the funder report, with the same parameters, for its CSV and JSON forms. */
const FUNDER_REPORT_KPIS: Array<{ id: string; extra: (programBy: string) => Record<string, string> }> = [
  { id: 'resolution-time', extra: (by) => ({ by }) },
  { id: 'goal-achievement', extra: () => ({ by: 'domain' }) },
  { id: 'goal-achievement', extra: (by) => ({ by }) },
  { id: 'followup-compliance', extra: () => ({ by: 'none' }) },
  { id: 'service-utilisation', extra: () => ({ by: 'none' }) },
  { id: 'attendance', extra: () => ({ by: 'none' }) },
  { id: 'satisfaction', extra: () => ({ by: 'none' }) },
  { id: 'documentation-completeness', extra: () => ({ by: 'none' }) },
  { id: 'change-from-baseline', extra: () => ({}) },
  { id: 'narrative-evidence', extra: () => ({}) },
];

const ROLE_NAMES: Record<Role, string> = { admin: 'Administrator', evaluator: 'Evaluator', funder: 'Funder', manager: 'Case manager', supervisor: 'Supervisor' };

function monthStart(d: string): string {
  return `${d.slice(0, 7)}-01`;
}

function monthEnd(d: string): string {
  const y = Number(d.slice(0, 4));
  const m = Number(d.slice(5, 7));
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
}

function addMonths(day: string, n: number): string {
  const y = Number(day.slice(0, 4));
  const m = Number(day.slice(5, 7)) - 1 + n;
  return new Date(Date.UTC(y, m, 1)).toISOString().slice(0, 10);
}

function clientAddress(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'in-process';
  }
}

export interface CaselensApp {
  app: Hono<Env>;
  kpis: KpiService;
  /** drop cached results and pages (called when a new snapshot is in place) */
  invalidate(): void;
}

export function createApp(opts: AppOptions): CaselensApp {
  const app = new Hono<Env>();
  const kpis = new KpiService({
    ...(opts.kpiConfig ? { kpiConfig: opts.kpiConfig } : {}), root: opts.root, ...(opts.today ? { today: opts.today } : {}), cacheEntries: opts.serve.cache.entries,
  });
  const users = opts.users ?? (() => opts.serve.users);
  const loopback = isLoopbackHost(opts.host);
  const demoEnabled = () => loopback && (opts.serve.demoSignIn === 'on' || (opts.serve.demoSignIn === 'auto' && users().length === 0));
  const log = opts.log ?? (() => undefined);
  const today = () => opts.today?.() ?? new Date().toISOString().slice(0, 10);
  const kpiParamNames = new Map(listKpis().map((k) => [k.id, k.params.map((p) => p.name)]));

  // ----- per-snapshot caches ----------------------------------------------------------------
  let cacheGeneration = -1;
  const pageCache = new Map<string, Promise<string>>();
  const scopeCache = new Map<string, Promise<Scope>>();
  const perSnapshot = new Map<string, Promise<unknown>>();
  const sessions = opts.sessions ?? new SessionStore({ dir: opts.audit.dir });
  const tokenIndex = opts.tokens ?? new TokenIndex();
  let usersSeen: UserRecord[] | undefined;
  const fresh = (generation: number) => {
    if (generation !== cacheGeneration) {
      pageCache.clear();
      scopeCache.clear();
      perSnapshot.clear();
      cacheGeneration = generation;
    }
  };
  const once = <T>(generation: number, key: string, fn: () => Promise<T>): Promise<T> => {
    fresh(generation);
    let p = perSnapshot.get(key) as Promise<T> | undefined;
    if (!p) {
      p = fn();
      perSnapshot.set(key, p);
      p.catch(() => perSnapshot.delete(key));
    }
    return p;
  };
  const currentUsers = () => {
    const list = users();
    if (list !== usersSeen) {
      usersSeen = list;
      tokenIndex.use(list);
      // the users were (re-)read: sessions of removed users, or whose role, staff id or password changed, end here
      const ended = sessions.retain((r) => r.demo === true || sessionUserOk(r, list) !== undefined);
      if (ended) log(`users changed: ${ended} session(s) ended`);
    }
    return list;
  };

  const scopeOf = (db: Db, generation: number, p: Principal) => {
    fresh(generation);
    const key = `${p.role}:${p.staffId ?? ''}`;
    let s = scopeCache.get(key);
    if (!s) {
      s = scopeFor(db, p);
      scopeCache.set(key, s);
    }
    return s;
  };
  const scorerOf = (db: Db, generation: number) => once<ScorerRef | undefined>(generation, 'scorer', () => (opts.framework ? activeScorer(db, opts.framework) : Promise.resolve(undefined)));
  const dataRange = (db: Db, generation: number) => once(generation, 'range', async () => {
    const r = await db.one<{ first: string | null; last: string | null }>(
      "SELECT strftime(min(opened_at), '%Y-%m-%d') AS first, strftime(max(greatest(opened_at, coalesce(closed_at, opened_at))), '%Y-%m-%d') AS last FROM cases",
    );
    return r?.first && r.last ? { first: r.first, last: r.last } : undefined;
  });

  // ----- authentication ---------------------------------------------------------------------
  const secureCookie = (c: Context) => {
    if (opts.serve.secureCookies === 'always') return true;
    if (opts.serve.secureCookies === 'never') return false;
    const proto = c.req.header('x-forwarded-proto') ?? new URL(c.req.url).protocol.replace(':', '');
    return proto === 'https' || !loopback;
  };
  /** a configured user a (non-demo) session still belongs to: same role and staff id, same password */
  function sessionUserOk(r: SessionRecord, list: UserRecord[]): UserRecord | undefined {
    const u = list.find((x) => x.name === r.user);
    if (!u || !u.passwordHash || u.role !== r.role || (u.staffId ?? undefined) !== (r.staffId ?? undefined)) return undefined;
    return credentialOf(u.passwordHash) === r.credential ? u : undefined;
  }
  const cookieValue = (c: Context): string | undefined => {
    const m = new RegExp(`(?:^|;\\s*)${SESSION_COOKIE}=([^;]+)`).exec(c.req.header('cookie') ?? '');
    return m?.[1];
  };
  const clearCookie = (c: Context) => c.header('Set-Cookie', `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0${secureCookie(c) ? '; Secure' : ''}`);
  const setSession = (c: Context, claims: Omit<SessionClaims, 'exp' | 'sid'>, credential?: string) => {
    const maxAge = Math.round(opts.serve.sessionHours * 3600);
    const exp = Math.floor(Date.now() / 1000) + maxAge;
    const sid = sessions.create({ user: claims.u, role: claims.r, ...(claims.s ? { staffId: claims.s } : {}), ...(claims.d ? { demo: true as const } : {}), ...(credential ? { credential } : {}), expires: exp * 1000 });
    const value = signSession({ ...claims, sid, exp }, opts.sessionSecret);
    c.header('Set-Cookie', `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAge}${secureCookie(c) ? '; Secure' : ''}`);
  };
  const principalFromClaims = (claims: SessionClaims): Principal | undefined => {
    // the signed cookie only names a session: the server-side record decides whether it is live
    const list = currentUsers();
    const rec = claims.sid ? sessions.get(claims.sid) : undefined;
    if (!rec || rec.user !== claims.u || rec.role !== claims.r || (rec.staffId ?? undefined) !== (claims.s ?? undefined) || Boolean(rec.demo) !== Boolean(claims.d)) return undefined;
    if (claims.d) {
      if (!demoEnabled()) return undefined;
      return { name: claims.u, role: claims.r, ...(claims.s ? { staffId: claims.s } : {}), displayName: `Demo ${ROLE_NAMES[claims.r].toLowerCase()}${claims.s ? ` (${claims.s})` : ''}`, demo: true, via: 'cookie' };
    }
    const u = sessionUserOk(rec, list);
    if (!u) return undefined;
    return { name: u.name, role: u.role, ...(u.staffId ? { staffId: u.staffId } : {}), displayName: u.displayName ?? u.name, demo: false, via: 'cookie' };
  };
  const principalFromToken = async (token: string): Promise<Principal | 'busy' | undefined> => {
    currentUsers();
    const found = await tokenIndex.lookup(token);
    if (found.user === undefined) return found.busy ? 'busy' : undefined;
    const u = found.user;
    return { name: u.name, role: u.role, ...(u.staffId ? { staffId: u.staffId } : {}), displayName: u.displayName ?? u.name, demo: false, via: 'token' };
  };
  const lockout = new FailureLockout();
  const tooManyFailures = (who: string) => lockout.locked(who);
  const failed = (who: string) => lockout.fail(who);

  // ----- helpers ----------------------------------------------------------------------------
  const dqNav = new DataQualityNav();
  const nav = (p: Principal): NavItem[] => [
    ...opts.dashboards.filter((d) => d.roles.includes(p.role)).map((d) => ({ id: d.id, title: d.title, href: d.kind === 'case' ? '/cases' : `/d/${d.id}` })),
    ...dqNav.items(p.role),
  ];
  const pageUser = (p: Principal): PageUser => ({ name: p.name, role: p.role, displayName: p.displayName, demo: p.demo });
  const caseDashboard = () => opts.dashboards.find((d) => d.kind === 'case');
  const canOpenCases = (p: Principal) => caseDashboard()?.roles.includes(p.role) ?? false;
  const isApi = (c: Context) => c.req.path.startsWith('/api/');
  const need = (c: Context): Principal => {
    const p = c.get('principal');
    if (!p) throw new CaselensError('sign in first (a session cookie from /login, or Authorization: Bearer <token>)', { status: 401 });
    return p;
  };
  const audit = (c: Context, p: Principal, action: string, resource: string, detail: Record<string, unknown> = {}) =>
    opts.audit.record({ actor: p.name, role: p.role, action, resource, detail: { ...detail, ...(p.staffId ? { staff: p.staffId } : {}), via: p.via, path: c.req.path, rid: c.get('rid'), ip: clientAddress(c) } });
  /** every route reads its parameters through here: canonical (trimmed, each given once) before any check */
  const params = (c: Context): Record<string, string> => canonicalQuery(c.req.queries());
  const query = (c: Context, drop: string[] = ['format']): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(params(c))) if (!drop.includes(k) && v.length) out[k] = v;
    return out;
  };
  const send = (c: Context, format: Format, json: () => string | unknown, table: (() => TableData) | undefined, name: string) => {
    if (format !== 'json' && !table) throw new CaselensError(`format: ${c.req.path} answers JSON only`, { status: 406 });
    if (format === 'csv') {
      c.header('Content-Disposition', `attachment; filename="${name}.csv"`);
      return c.body(toCsv(table!()), 200, { 'Content-Type': 'text/csv; charset=utf-8' });
    }
    if (format === 'arrow') {
      const bytes = toArrow(table!());
      return c.body(bytes as unknown as ArrayBuffer, 200, { 'Content-Type': ARROW_TYPE, 'Content-Disposition': `attachment; filename="${name}.arrow"` });
    }
    const body = json();
    return c.body(typeof body === 'string' ? body : JSON.stringify(body), 200, { 'Content-Type': 'application/json; charset=utf-8' });
  };
  const formatOf = (c: Context) => negotiate(params(c).format, c.req.header('accept'));

  // ----- middleware -------------------------------------------------------------------------
  app.use('*', async (c, next) => {
    c.set('rid', crypto.randomBytes(6).toString('hex'));
    // DNS rebinding: on loopback, only loopback host names reach the server.
    if (loopback) {
      const host = (c.req.header('host') ?? new URL(c.req.url).host).replace(/:\d+$/, '');
      if (!isLoopbackHost(host)) return c.text(`this server only answers on loopback addresses, not "${host}"`, 421);
    }
    await next();
    c.header('X-Content-Type-Options', 'nosniff');
    // `same-origin`, not `no-referrer`: under `no-referrer` browsers send `Origin: null` even with
    // this server's own forms, and the CSRF check must refuse `null`; other sites still get no referrer
    c.header('Referrer-Policy', 'same-origin');
    c.header('X-Frame-Options', 'DENY');
    c.header('Content-Security-Policy', "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
    if (!c.res.headers.has('Cache-Control')) c.header('Cache-Control', 'no-store');
  });

  // every state-changing route (POST, PUT, DELETE, …): refused when a browser says it comes from another site
  app.use('*', async (c, next) => {
    const reason = crossSiteReason(c.req.method, { origin: c.req.header('origin'), secFetchSite: c.req.header('sec-fetch-site'), host: c.req.header('host') ?? new URL(c.req.url).host });
    if (reason) {
      log(`refused cross-site ${c.req.method} ${c.req.path} (${reason}) from ${clientAddress(c)}`);
      throw new CaselensError(`${c.req.method} from another site is refused (${reason.split(':')[0]})`, { status: 403 });
    }
    await next();
  });

  // every route: no request body over 16 KB is read (the POSTs are the sign-in and sign-out forms and small admin actions)
  app.use('*', limitBody());

  app.use('*', async (c, next) => {
    let principal: Principal | undefined;
    const auth = c.req.header('authorization');
    if (auth) {
      const m = /^Bearer\s+(\S+)$/i.exec(auth);
      if (!m) throw new CaselensError('Authorization: expected "Bearer <token>"', { status: 401 });
      const who = `token:${clientAddress(c)}`;
      if (tooManyFailures(who)) {
        c.header('Retry-After', '60');
        throw new CaselensError('too many failed attempts; wait a minute', { status: 429 });
      }
      const found = await principalFromToken(m[1]!);
      if (found === 'busy') {
        c.header('Retry-After', '1');
        throw new CaselensError('Authorization: too many unknown tokens are being checked; try again shortly', { status: 429 });
      }
      if (!found) {
        failed(who);
        throw new CaselensError('Authorization: unknown or revoked token', { status: 401 });
      }
      principal = found;
    } else {
      const value = cookieValue(c);
      const claims = value ? verifySession(value, opts.sessionSecret) : undefined;
      if (claims) principal = principalFromClaims(claims);
    }
    c.set('principal', principal);
    await next();
  });

  // the nav links the data-quality page once the served snapshot has a report
  app.use('*', async (_c, next) => {
    await dqNav.refresh(opts.snapshots);
    await next();
  });

  app.onError((err, c) => {
    const status = err instanceof CaselensError ? err.status : 500;
    const message = err instanceof CaselensError ? err.message : 'internal error';
    if (status >= 500) log(`error ${c.get('rid') ?? ''} ${c.req.method} ${c.req.path}: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
    if (status === 401 && !isApi(c) && c.req.method === 'GET') return c.redirect(`/login?next=${encodeURIComponent(c.req.path + (new URL(c.req.url).search))}`, 302);
    const shown = status >= 500 ? `${message} (request ${c.get('rid') ?? '?'}; details are in the server log)` : message;
    const p = c.get('principal');
    if (p && (status === 403 || status === 404) && (c.req.path.startsWith('/api/cases') || c.req.path.startsWith('/api/notes') || c.req.path.startsWith('/api/clients') || c.req.path.startsWith('/cases/'))) {
      try {
        let resource = c.req.path;
        try {
          resource = decodeURIComponent(resource);
        } catch {
          // keep the raw path
        }
        audit(c, p, 'deny', resource, { status, reason: message });
      } catch {
        // the denial stands whether or not it could be recorded
      }
    }
    if (isApi(c)) {
      const details = err instanceof CaselensError && err.details.length ? { details: err.details } : {};
      return c.json({ error: shown, status, ...details }, status as 400);
    }
    return c.html(errorPage(status, shown, p ? pageUser(p) : undefined, p ? nav(p) : undefined), status as 400);
  });
  app.notFound((c) => {
    if (isApi(c)) return c.json({ error: `no route ${c.req.method} ${c.req.path}`, status: 404 }, 404);
    const p = c.get('principal');
    return c.html(errorPage(404, `no page at ${c.req.path}`, p ? pageUser(p) : undefined, p ? nav(p) : undefined), 404);
  });

  // ----- public -----------------------------------------------------------------------------
  app.get('/assets/app.css', (c) => c.body(APP_CSS, 200, { 'Content-Type': 'text/css; charset=utf-8', 'Cache-Control': 'public, max-age=3600', ETag: ASSET_ETAG }));
  app.get('/assets/app.js', (c) => c.body(APP_JS, 200, { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'public, max-age=3600', ETag: ASSET_ETAG }));
  app.get('/favicon.ico', (c) => c.body(null, 204));

  app.get('/api/health', (c) => {
    const h = opts.snapshots.health();
    const p = c.get('principal');
    const status = h.generation === 0 ? 'starting' : h.stale ? 'stale' : 'ok';
    const base = { status, generation: h.generation, snapshotAt: h.snapshotAt, stale: h.stale, readOnly: true };
    if (p?.role !== 'admin') return c.json({ ...base, refreshError: h.lastError ? (/lock/i.test(h.lastError) ? 'the database is being written by another process; serving the last consistent copy' : 'the last refresh failed') : null });
    return c.json({ ...base, ...h, audit: { dir: opts.audit.dir, written: opts.audit.count } });
  });

  app.get('/login', async (c) => {
    const next = safeNext(c.req.query('next'));
    const demo = demoEnabled() ? await opts.snapshots.use((db, s) => once(s.generation, 'demo-staff', () => demoStaff(db))) : undefined;
    return c.html(loginPage({ next, passwords: currentUsers().some((u) => u.passwordHash), demo, ...(c.req.query('error') ? { error: c.req.query('error') } : {}) }));
  });

  app.post('/login', async (c) => {
    // cross-site sign-ins (Origin: null included) are refused by the middleware above
    const form = await c.req.parseBody();
    const next = safeNext(typeof form.next === 'string' ? form.next : undefined);
    const who = clientAddress(c);
    const back = (error: string) => c.redirect(`/login?next=${encodeURIComponent(next)}&error=${encodeURIComponent(error)}`, 303);
    if (tooManyFailures(who)) return back('too many failed attempts; wait a minute and try again');
    if (form.mode === 'demo') {
      if (!demoEnabled()) throw new Forbidden('demo sign-in is only available on a loopback server without configured users (or with serve.demoSignIn: on)');
      if (!['127.0.0.1', '::1', '::ffff:127.0.0.1', 'in-process'].includes(who)) throw new Forbidden('demo sign-in is only available from this computer');
      const role = String(form.role ?? '') as Role;
      if (!(role in ROLE_NAMES)) throw new CaselensError(`role: must be one of ${Object.keys(ROLE_NAMES).join(', ')}`, { status: 400 });
      let staff: string | undefined;
      if (role === 'manager' || role === 'supervisor') {
        staff = String(form[role] ?? '');
        const staffList = await opts.snapshots.use((db) => demoStaff(db));
        const list = role === 'manager' ? staffList.managers : staffList.supervisors;
        if (!list.some((s) => s.id === staff)) throw new CaselensError(`${role}: choose a ${role === 'manager' ? 'case manager' : 'supervisor'} from the list`, { status: 400 });
      }
      setSession(c, { u: `demo-${role}${staff ? `-${staff}` : ''}`, r: role, ...(staff ? { s: staff } : {}), d: true });
      return c.redirect(next, 303);
    }
    const name = String(form.name ?? '');
    const password = String(form.password ?? '');
    const u = currentUsers().find((x) => x.name === name && x.passwordHash);
    // verify even for unknown users, so timing does not reveal which names exist
    const ok = await verifySecret(password, u?.passwordHash ?? 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
    if (!u || !ok) {
      failed(who);
      log(`failed sign-in for "${name.slice(0, 64)}" from ${who}`);
      return back('unknown user name or wrong password');
    }
    setSession(c, { u: u.name, r: u.role, ...(u.staffId ? { s: u.staffId } : {}) }, credentialOf(u.passwordHash));
    return c.redirect(next, 303);
  });

  // sign-out is a POST (same-site only); ending the server-side session ends every copy of the cookie
  app.post('/logout', (c) => {
    const value = cookieValue(c);
    const claims = value ? verifySession(value, opts.sessionSecret) : undefined;
    if (claims?.sid && sessions.end(claims.sid)) {
      const p = c.get('principal');
      if (p) audit(c, p, 'sign_out', `user:${p.name}`);
    }
    clearCookie(c);
    return c.redirect('/login', 303);
  });
  // a link to /logout (GET) only shows the button: a GET never changes anything
  app.get('/logout', (c) => c.html(signOutPage(c.get('principal') !== undefined)));

  // an administrator ends every session of a user (their cookies stop working at once)
  app.post('/api/admin/sessions/:user/revoke', (c) => {
    const p = need(c);
    if (p.role !== 'admin') throw new Forbidden('ending sessions is for administrators');
    const user = c.req.param('user');
    if (!/^[A-Za-z0-9._@-]{1,64}$/.test(user) && !/^demo-[A-Za-z0-9:._-]{1,120}$/.test(user)) throw new CaselensError(`user: not a user name: "${user.slice(0, 64)}"`, { status: 400 });
    const ended = sessions.endUser(user);
    audit(c, p, 'revoke_sessions', `user:${user}`, { ended });
    return c.json({ user, ended });
  });

  // ----- API --------------------------------------------------------------------------------
  app.get('/api/me', (c) =>
    opts.snapshots.use(async (db, snap) => {
      const p = need(c);
      const scope = await scopeOf(db, snap.generation, p);
      return c.json({
        name: p.name, role: p.role, staffId: p.staffId ?? null, displayName: p.displayName, demo: p.demo,
        scope: { managers: scope.managers === null ? 'all' : [...scope.managers], records: scope.records, notes: scope.notes, personalData: scope.pii },
        dashboards: nav(p),
      });
    }));

  app.get('/api/dashboards', (c) => c.json(nav(need(c))));

  app.get('/api/kpis', (c) => {
    const p = need(c);
    const list = kpis.list(p);
    return send(c, formatOf(c), () => list, () => ({ columns: inferColumns(list.map((k) => ({ id: k.id, title: k.title, summary: k.summary, params: k.params.map((x) => x.name), funderFacing: k.funderFacing }))), rows: list.map((k) => ({ id: k.id, title: k.title, summary: k.summary, params: k.params.map((x) => x.name), funderFacing: k.funderFacing })) }), 'kpis');
  });

  app.get('/api/kpis/:id', (c) =>
    opts.snapshots.use(async (db, snap) => {
      const p = need(c);
      const format = formatOf(c);
      const scope = await scopeOf(db, snap.generation, p);
      const answer = await kpis.run(db, snap.generation, scope, c.req.param('id'), query(c));
      if (format === 'csv') {
        c.header('Content-Disposition', `attachment; filename="${answer.result.kpi}.csv"`);
        return c.body(answer.csv(), 200, { 'Content-Type': 'text/csv; charset=utf-8' });
      }
      if (format === 'arrow') return c.body(answer.arrow() as unknown as ArrayBuffer, 200, { 'Content-Type': ARROW_TYPE, 'Content-Disposition': `attachment; filename="${answer.result.kpi}.arrow"` });
      return c.body(answer.json(), 200, { 'Content-Type': 'application/json; charset=utf-8' });
    }));

  const funderReportParams = (c: Context, p: Principal) => {
    const q = query(c);
    const allowed = ['from', 'to', 'program', 'asOf'];
    for (const k of Object.keys(q)) if (!allowed.includes(k)) throw new CaselensError(`${k}: unknown parameter (accepted: ${allowed.join(', ')})`, { status: 400 });
    for (const k of ['from', 'to', 'asOf'] as const) if (q[k] !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(q[k])) throw new CaselensError(`${k}: must be a date written YYYY-MM-DD`, { status: 400 });
    if (p.role === 'funder') checkFunderPeriod(q);
    return q;
  };

  const funderReportData = async (db: Db, generation: number, scope: Scope, q: Record<string, string>) => {
    const programBy = q.program === undefined ? 'program' : 'none';
    const results: KpiResult[] = [];
    for (const k of FUNDER_REPORT_KPIS) {
      const accepted = kpiParamNames.get(k.id) ?? [];
      const params: Record<string, string> = {};
      for (const [key, v] of Object.entries({ ...q, ...(q.to && !q.asOf && accepted.includes('asOf') ? { asOf: q.to } : {}), ...k.extra(programBy) })) if (accepted.includes(key)) params[key] = v;
      const funderScope: Scope = scope.role === 'funder' ? scope : { ...scope, role: 'funder', managers: new Set(), records: false, notes: false, pii: false, key: `${scope.key}>funder` };
      const answer = await kpis.run(db, generation, funderScope, k.id, params);
      results.push(answer.result);
    }
    return results;
  };

  app.get('/api/funder-report', (c) =>
    opts.snapshots.use(async (db, snap) => {
      const p = need(c);
      const scope = await scopeOf(db, snap.generation, p);
      const q = funderReportParams(c, p);
      const f = params(c).format?.toLowerCase();
      if (f === 'html') {
        return c.html(await funderHtml(db, snap.generation, q));
      }
      const format = formatOf(c);
      const results = await funderReportData(db, snap.generation, scope, q);
      const long = () => {
        const rows: Array<Record<string, unknown>> = [];
        for (const r of results) {
          const cols = r.columns.filter((x) => !x.hidden && !x.dimension);
          for (const row of r.rows) {
            for (const col of cols) {
              const v = row[col.name];
              rows.push({ kpi: r.kpi, grouped_by: row.group_by ?? null, group: row.group ?? null, measure: col.name, label: col.label, value: isSuppressed(v) ? null : v, suppressed: isSuppressed(v) ? v.reason : null });
            }
          }
        }
        return { columns: [{ name: 'kpi', type: 'text' }, { name: 'grouped_by', type: 'text' }, { name: 'group', type: 'text' }, { name: 'measure', type: 'text' }, { name: 'label', type: 'text' }, { name: 'value', type: 'number' }, { name: 'suppressed', type: 'text' }], rows } as TableData;
      };
      return send(c, format, () => ({ params: q, k: results[0]?.suppression?.k ?? null, results }), long, 'funder-report');
    }));

  const funderHtml = (db: Db, generation: number, q: Record<string, string>) => once(generation, `funder-html:${today()}:${JSON.stringify(Object.entries(q).sort())}`, () =>
    renderFunderReport(db, {
      ...(q.program ? { program: q.program } : {}), ...(q.from ? { from: q.from } : {}), ...(q.to ? { to: q.to } : {}), ...(q.asOf ? { asOf: q.asOf } : {}),
      options: { ...(opts.kpiConfig ? { config: opts.kpiConfig } : {}), root: opts.root, today: today() },
    }));

  app.get('/api/cases', (c) =>
    opts.snapshots.use(async (db, snap) => {
      const p = need(c);
      const scope = await scopeOf(db, snap.generation, p);
      if (!scope.records) throw new Forbidden(`the ${p.role} role sees aggregate results only, never individual cases`);
      const q = query(c);
      for (const k of Object.keys(q)) if (!['program', 'manager', 'status', 'limit', 'offset'].includes(k)) throw new CaselensError(`${k}: unknown parameter (accepted: program, manager, status, limit, offset)`, { status: 400 });
      const int = (k: 'limit' | 'offset') => {
        if (q[k] === undefined) return undefined;
        const n = Number(q[k]);
        if (!Number.isInteger(n) || n < 0) throw new CaselensError(`${k}: must be a whole number, got "${q[k]}"`, { status: 400 });
        return n;
      };
      if (q.status !== undefined && !['open', 'closed'].includes(q.status)) throw new CaselensError(`status: must be open or closed, got "${q.status}"`, { status: 400 });
      if (q.manager !== undefined && scope.managers !== null && !scope.managers.has(q.manager)) throw new Forbidden(`manager: ${q.manager} is not ${p.role === 'manager' ? 'you' : 'in your team'}`);
      const list = await listCases(db, scope, { ...(q.program ? { program: q.program } : {}), ...(q.manager ? { manager: q.manager } : {}), ...(q.status ? { status: q.status } : {}), ...(int('limit') !== undefined ? { limit: int('limit') } : {}), ...(int('offset') !== undefined ? { offset: int('offset') } : {}) });
      return send(c, formatOf(c), () => list, () => ({ columns: inferColumns(list.rows), rows: list.rows }), 'cases');
    }));

  app.get('/api/cases/:caseId', (c) =>
    opts.snapshots.use(async (db, snap) => {
      const p = need(c);
      const scope = await scopeOf(db, snap.generation, p);
      const caseId = c.req.param('caseId');
      await requireCase(db, scope, caseId);
      requireNotes(scope);
      const format = formatOf(c);
      const view = await caseView(db, caseId, opts.framework, await scorerOf(db, snap.generation), { notes: false });
      const quotes = view.summary?.domains.reduce((a, d) => a + d.statements.reduce((b, s) => b + s.citations.length, 0), 0) ?? 0;
      audit(c, p, 'read_case_summary', `case:${caseId}`, { quotes });
      const table = () => {
        const rows = (view.summary?.domains ?? []).flatMap((d) => d.statements.flatMap((s) => s.citations.map((q) => ({ domain: d.domainId, trend: d.trend, statement: s.text, direction: s.direction, status: s.status, note_id: q.noteId, start: q.start, end: q.end, quote: q.quote }))));
        return { columns: inferColumns(rows), rows };
      };
      return send(c, format, () => ({ case: view.case, summary: view.summary }), table, `case-${caseId.replace(/[^A-Za-z0-9_-]/g, '_')}`);
    }));

  app.get('/api/clients/:clientId/timeline', (c) =>
    opts.snapshots.use(async (db, snap) => {
      const p = need(c);
      const scope = await scopeOf(db, snap.generation, p);
      const clientId = c.req.param('clientId');
      const visible = await requireClient(db, scope, clientId);
      const format = formatOf(c);
      const t = await clientTimeline(db, clientId, visible, scope);
      const pii = scope.pii ? await clientPii(db, clientId, scope) : undefined;
      if (pii || scope.notes) audit(c, p, scope.notes ? 'read_client_timeline' : 'read_client_pii', `client:${clientId}`, { personalData: Boolean(pii), notes: scope.notes ? t.notes.length : 0 });
      return send(c, format, () => ({ ...t, personal: pii ?? null }), () => ({ columns: inferColumns(t.events as never), rows: t.events as never }), `timeline-${clientId}`);
    }));

  app.get('/api/notes/:noteId', (c) =>
    opts.snapshots.use(async (db, snap) => {
      const p = need(c);
      const scope = await scopeOf(db, snap.generation, p);
      const noteId = c.req.param('noteId');
      const format = formatOf(c);
      const view = await noteView(db, noteId, scope, opts.framework, await scorerOf(db, snap.generation));
      audit(c, p, 'read_note', `note:${noteId}`, { case: view.note.case_id, tags: view.tags.length });
      const table = () => {
        const rows = view.tags.flatMap((t) => t.citations.map((q) => ({ tag_id: t.tag_id, domain: t.domain_id, direction: t.direction, status: t.status, confidence: t.confidence, start: q.start, end: q.end, quote: q.quote, match: q.match })));
        return { columns: inferColumns(rows), rows };
      };
      return send(c, format, () => view, table, `note-${noteId.replace(/[^A-Za-z0-9_-]/g, '_')}`);
    }));

  app.get('/api/runs', (c) =>
    opts.snapshots.use(async (db, snap) => {
      const p = need(c);
      const scope = await scopeOf(db, snap.generation, p);
      if (!scope.records) throw new Forbidden('run status is for staff and evaluators, not funders');
      // run messages and rejected values can quote input rows: only administrators see them
      const r = runsForRole(await runStatus(db, { values: p.role === 'admin' }), p.role);
      const rows = [...r.ingest.map((x) => ({ kind: 'ingest', ...x })), ...r.score.map((x) => ({ kind: 'score', ...x }))];
      return send(c, formatOf(c), () => ({ ...r, snapshot: { generation: snap.generation, takenAt: snap.takenAt.toISOString() } }), () => ({ columns: inferColumns(rows), rows }), 'runs');
    }));

  app.get('/api/audit', (c) =>
    opts.snapshots.use(async (db) => {
      const p = need(c);
      if (p.role !== 'admin') throw new Forbidden('the audit trail is for administrators');
      const q = query(c);
      const limit = q.limit !== undefined ? Number(q.limit) : 500;
      if (!Number.isInteger(limit) || limit < 1 || limit > 100_000) throw new CaselensError(`limit: must be a whole number from 1 to 100000, got "${q.limit}"`, { status: 400 });
      const events = await readAuditTrail(db, opts.audit.dir, { limit, ...(q.actor ? { actor: q.actor } : {}), ...(q.action ? { action: q.action } : {}) });
      const rows = events.map((e) => ({ at: e.at, actor: e.actor, role: e.role, action: e.action, resource: e.resource, detail: JSON.stringify(e.detail) }));
      return send(c, formatOf(c), () => events, () => ({ columns: inferColumns(rows), rows }), 'audit');
    }));

  app.get('/api/data-quality', (c) =>
    opts.snapshots.use(async (db) => {
      requireDataQualityRole(need(c).role);
      const report = await dataQualityAnswer(db, runParam(params(c).run));
      return send(c, formatOf(c), () => report, () => ({ columns: inferColumns(dataQualityRows(report)), rows: dataQualityRows(report) }), 'data-quality');
    }));

  app.get('/data-quality', (c) =>
    opts.snapshots.use(async (db) => {
      const p = need(c);
      requireDataQualityRole(p.role);
      return c.html(renderDataQualityPage({ user: pageUser(p), nav: nav(p), report: await dataQualityAnswer(db, runParam(params(c).run)) }));
    }));

  // ----- pages ------------------------------------------------------------------------------
  app.get('/', (c) => {
    const p = c.get('principal');
    if (!p) return c.redirect('/login', 302);
    const first = nav(p)[0];
    return c.redirect(first?.href ?? '/login', 302);
  });

  const dashboardContext = async (c: Context, db: Db, generation: number, p: Principal, scope: Scope, def: Dashboard): Promise<DashboardContext> => {
    const q = query(c, []);
    const range = await dataRange(db, generation);
    const options = await once(generation, `options:${scope.key}`, () => filterOptions(db, scope));
    const filters: FilterState = {};
    for (const k of ['from', 'to'] as const) {
      if (q[k] !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(q[k]) && q[k] !== '') throw new CaselensError(`${k}: must be a date written YYYY-MM-DD, got "${q[k]}"`, { status: 400 });
    }
    if (def.filters.includes('period')) {
      const last = range?.last ?? today();
      filters.to = q.to || (q.from ? undefined : monthEnd(last));
      filters.from = q.from || (q.to ? undefined : addMonths(monthStart(last), -11));
      if (p.role === 'funder') {
        if (filters.from) filters.from = monthStart(filters.from);
        if (filters.to) filters.to = monthEnd(filters.to);
      }
    }
    if (def.filters.includes('program') && q.program) {
      if (!options.programs.some((x) => x.id === q.program)) throw new CaselensError(`program: no programme "${q.program}"`, { status: 400 });
      filters.program = q.program;
    }
    let lockedManager: string | undefined;
    if (p.role === 'manager') {
      lockedManager = p.staffId;
      filters.manager = p.staffId;
    } else if (def.filters.includes('manager') && q.manager && p.role !== 'funder') {
      if (scope.managers !== null && !scope.managers.has(q.manager)) throw new Forbidden(`manager: ${q.manager} is not in your team`);
      filters.manager = q.manager;
    }
    return {
      user: pageUser(p), nav: nav(p), current: def.id, filters, path: c.req.path,
      options: {
        programs: options.programs, managers: options.managers, lockedManager, dataRange: range,
        note: p.role === 'funder' ? 'Periods run in whole months.' : range ? `Records run from ${range.first} to ${range.last}.` : undefined,
      },
      kpiParams: (id) => kpiParamNames.get(id),
      kpi: async (id, params) => {
        try {
          return (await kpis.run(db, generation, scope, id, params)).result;
        } catch (e) {
          if (e instanceof Forbidden) return { denied: e.message };
          throw e;
        }
      },
      list: async (source, params, limit) => {
        if (!scope.records) return { denied: 'record-level lists are not available to this role' };
        const kpiConfig = opts.kpiConfig as { followups?: { graceDays?: number } } | undefined;
        const rows = await overdueFollowups(db, scope, { asOf: params.asOf ?? today(), graceDays: kpiConfig?.followups?.graceDays ?? 7, limit, ...(params.program ? { program: params.program } : {}), ...(params.manager ? { manager: params.manager } : {}) });
        void source;
        return {
          columns: [
            { name: 'case_id', label: 'Case', type: 'text' }, { name: 'followup_type', label: 'Follow-up', type: 'text' }, { name: 'due_at', label: 'Due', type: 'date' },
            { name: 'days_overdue', label: 'Days overdue', type: 'int' }, { name: 'manager', label: 'Manager', type: 'text' }, { name: 'program', label: 'Programme', type: 'text' },
          ],
          rows,
        };
      },
      pairs: async (params) => {
        if (!scope.records) return { denied: 'per-client values are not available to this role' };
        const answer = await kpis.run(db, generation, scope, 'change-from-baseline', params);
        return changePairs(db, answer.result, { ...(opts.kpiConfig ? { kpiConfig: opts.kpiConfig } : {}), root: opts.root, today: today() });
      },
      caseHref: (caseId) => (canOpenCases(p) ? `/cases/${encodeURIComponent(caseId)}` : undefined),
    };
  };

  app.get('/d/:id', (c) =>
    opts.snapshots.use(async (db, snap) => {
      const p = need(c);
      const def = opts.dashboards.find((d) => d.id === c.req.param('id'));
      if (!def) throw new NotFound(`no dashboard "${c.req.param('id')}"`);
      if (!def.roles.includes(p.role)) throw new Forbidden(`the ${def.title} dashboard is not available to the ${p.role} role`);
      if (def.kind === 'case') return c.redirect('/cases', 302);
      const scope = await scopeOf(db, snap.generation, p);
      const ctx = await dashboardContext(c, db, snap.generation, p, scope, def);
      if (def.kind === 'funder-report') {
        const q: Record<string, string> = {};
        if (ctx.filters.from) q.from = ctx.filters.from;
        if (ctx.filters.to) q.to = ctx.filters.to;
        if (ctx.filters.program) q.program = ctx.filters.program;
        const html = await funderHtml(db, snap.generation, q);
        const qs = new URLSearchParams(q).toString();
        const toolbar = `<div class="caselens-bar no-print" style="font: 14px system-ui, sans-serif; background:#f3f5f8; border-bottom:1px solid #d5dae1; padding:.5rem 1rem; display:flex; gap:1rem; align-items:center; flex-wrap:wrap">
<a href="/">← caselens</a> ${nav(p).map((n) => `<a href="${n.href}">${n.title}</a>`).join(' ')}
${filterBar(def, ctx).replace('<form class="filters no-print"', '<form class="filters no-print" style="display:flex;gap:.5rem;align-items:end;margin:0"')}
<a id="funder-csv" href="/api/funder-report?${qs}${qs ? '&' : ''}format=csv" download>Download CSV</a>
<a id="funder-print" href="#" data-print>Print</a>
<span>${p.displayName} (${p.role})</span><form method="post" action="/logout" style="margin:0"><button type="submit">Sign out</button></form>
</div>
<script src="/assets/app.js" defer></script>`;
        return c.html(html.replace(/<body>/, `<body class="d-${def.id}">${toolbar}`).replace('</style>', '@media print { .no-print { display: none !important; } }\n</style>'));
      }
      fresh(snap.generation);
      const key = `${scope.key}|${c.req.url.replace(/^https?:\/\/[^/]+/, '')}|${today()}`;
      let page = pageCache.get(key);
      if (!page) {
        page = renderDashboardBody(def, ctx);
        pageCache.set(key, page);
        page.catch(() => pageCache.delete(key));
        const max = opts.serve.cache.entries;
        while (pageCache.size > Math.max(1, Math.min(200, max))) pageCache.delete(pageCache.keys().next().value!);
      }
      return c.html(layout({ title: def.title, user: ctx.user, nav: ctx.nav, current: ctx.current, body: await page, bodyClass: `dashboard d-${def.id}` }));
    }));

  app.get('/cases', (c) =>
    opts.snapshots.use(async (db, snap) => {
      const p = need(c);
      const def = caseDashboard();
      if (!def || !def.roles.includes(p.role)) throw new Forbidden(`case pages are not available to the ${p.role} role`);
      const scope = await scopeOf(db, snap.generation, p);
      const q = query(c, []);
      if (q.manager !== undefined && q.manager !== '' && scope.managers !== null && !scope.managers.has(q.manager)) throw new Forbidden(`manager: ${q.manager} is not in your team`);
      if (q.status && !['open', 'closed'].includes(q.status)) throw new CaselensError(`status: must be open or closed, got "${q.status}"`, { status: 400 });
      const offset = q.offset ? Number(q.offset) : 0;
      if (!Number.isInteger(offset) || offset < 0) throw new CaselensError(`offset: must be a whole number, got "${q.offset}"`, { status: 400 });
      const options = await once(snap.generation, `options:${scope.key}`, () => filterOptions(db, scope));
      const list = await listCases(db, scope, { ...(q.program ? { program: q.program } : {}), ...(q.manager ? { manager: q.manager } : {}), ...(q.status ? { status: q.status } : {}), limit: 100, offset });
      return c.html(renderCaseList({
        user: pageUser(p), nav: nav(p), current: def.id, title: p.role === 'manager' ? 'My cases' : p.role === 'supervisor' ? "My team's cases" : 'Cases',
        total: list.total, rows: list.rows, filters: { program: q.program, manager: q.manager, status: q.status }, options, offset, limit: 100,
      }));
    }));

  app.get('/cases/:caseId', (c) =>
    opts.snapshots.use(async (db, snap) => {
      const p = need(c);
      const def = caseDashboard();
      if (!def || !def.roles.includes(p.role)) throw new Forbidden(`case pages are not available to the ${p.role} role`);
      const scope = await scopeOf(db, snap.generation, p);
      const caseId = c.req.param('caseId');
      const kase = await requireCase(db, scope, caseId);
      requireNotes(scope);
      const view = await caseView(db, caseId, opts.framework, await scorerOf(db, snap.generation));
      const client = scope.pii ? await clientPii(db, kase.client_id, scope) : undefined;
      audit(c, p, 'read_case', `case:${caseId}`, { notes: view.notes.map((n) => n.note.note_id), personalData: Boolean(client) });
      return c.html(renderCaseView({ user: pageUser(p), nav: nav(p), current: def.id, view, client }));
    }));

  return {
    app,
    kpis,
    invalidate: () => {
      cacheGeneration = -1;
      pageCache.clear();
      scopeCache.clear();
      perSnapshot.clear();
    },
  };
}

