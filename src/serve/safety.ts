/**
 * Request hardening for the server: body size limits, the `next=` check after sign-in, query
 * parameters with control characters, and what of the ingest and scoring runs each role may see.
 */
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Role } from '../dashboards/schema.ts';
import { CaselensError } from '../errors.ts';

/** The largest request body any route accepts: the POSTs are the sign-in form, the sign-out button and small admin actions. */
export const MAX_BODY_BYTES = 16 * 1024;

/**
 * Refuses request bodies over `maxBytes` with 413 before anything reads them: by Content-Length
 * when the request states it, else while the body streams in (nothing beyond the limit is kept).
 */
export function limitBody(maxBytes: number = MAX_BODY_BYTES): MiddlewareHandler {
  return bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new CaselensError(`request body too large: this server accepts at most ${Math.round(maxBytes / 1024)} KB`, { status: 413 });
    },
  });
}

// eslint-disable-next-line no-control-regex -- control characters are what these look for
const CONTROL = /[\x00-\x1f\x7f]/;
// eslint-disable-next-line no-control-regex -- control characters are what these look for
const CONTROL_OR_BACKSLASH = /[\x00-\x1f\x7f\\]/;
const LOCAL = 'http://caselens.invalid';

/**
 * Where to go after signing in: a path on this server, or `/`. Accepted only when it starts
 * with a single `/` followed by something other than `/` or `\`, holds no control characters or
 * backslashes, and still points at this server after URL parsing; returned in its parsed
 * (percent-encoded) form, so it is always safe in a Location header.
 */
export function safeNext(next: unknown): string {
  if (typeof next !== 'string' || next.length > 2048) return '/';
  if (next === '/') return '/';
  if (!/^\/[^/\\]/.test(next) || CONTROL_OR_BACKSLASH.test(next)) return '/';
  let url: URL;
  try {
    url = new URL(next, LOCAL);
  } catch {
    return '/';
  }
  if (url.origin !== LOCAL) return '/';
  const out = `${url.pathname}${url.search}${url.hash}`;
  return out.startsWith('/') && !out.startsWith('//') && !CONTROL_OR_BACKSLASH.test(out) ? out : '/';
}

/** Query parameters as a map of name → values, refused with 400 when a name or value holds a control character (a NUL byte, a line break, …). */
export function checkedQueries(all: Record<string, string[]>): Record<string, string[]> {
  for (const [k, values] of Object.entries(all)) {
    if (CONTROL.test(k)) throw new CaselensError(`query parameter ${JSON.stringify(k)}: names cannot contain control characters`, { status: 400 });
    for (const v of values) {
      if (CONTROL.test(v)) throw new CaselensError(`${k}: the value cannot contain control characters (a NUL byte, a line break, …)`, { status: 400 });
    }
  }
  return all;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Why a state-changing request (POST, PUT, DELETE, …) is refused as cross-site, or undefined
 * when it may go ahead. Browsers send `Origin` (and `Sec-Fetch-Site`) with every such request:
 * each that is present must name this server: `Sec-Fetch-Site: same-origin`, an `Origin`
 * whose host is the request's `Host`. `Origin: null` (sandboxed frames, `data:` pages, some
 * redirects) is refused. A request with neither header is not from a browser page (curl, a
 * script with a token) and carries no ambient credentials an attacker could borrow.
 */
export function crossSiteReason(method: string, headers: { origin?: string | undefined; secFetchSite?: string | undefined; host?: string | undefined }): string | undefined {
  if (SAFE_METHODS.has(method.toUpperCase())) return undefined;
  const site = headers.secFetchSite?.trim().toLowerCase();
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return `Sec-Fetch-Site: ${site}`;
  const origin = headers.origin;
  if (origin !== undefined) {
    if (origin.trim().toLowerCase() === 'null') return 'Origin: null';
    let host: string;
    try {
      const u = new URL(origin);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') return `Origin: ${origin.slice(0, 100)}`;
      host = u.host.toLowerCase();
    } catch {
      return 'Origin: not a URL';
    }
    if (!headers.host || host !== headers.host.trim().toLowerCase()) return `Origin: ${origin.slice(0, 100)}`;
  }
  return undefined;
}

/**
 * The query string in canonical form, the one place every route reads parameters from: names
 * and values checked for control characters (400), a name given twice refused (400, rather
 * than "first wins" or "last wins", so no check and no use can see different values), and
 * values trimmed of surrounding whitespace (` manager`, `%20manager` and `+manager` are
 * `manager`). Values are then parsed by each route's schema before any decision is made.
 */
export function canonicalQuery(all: Record<string, string[]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, values] of Object.entries(checkedQueries(all))) {
    if (values.length !== 1) throw new CaselensError(`${k}: give this parameter once (it was given ${values.length} times)`, { status: 400 });
    out[k] = values[0]!.trim();
  }
  return out;
}

type Row = Record<string, unknown>;

const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : typeof v === 'string' && v !== '' && Number.isFinite(Number(v)) ? Number(v) : undefined);

/** "failed: 12 of 40 rows rejected": what a non-administrator sees instead of an ingest run's message. */
export function ingestSummary(run: Row): string {
  const rejected = num(run.rows_rejected);
  const read = num(run.rows_read);
  const status = String(run.status ?? 'unknown');
  return rejected !== undefined && read !== undefined ? `${status}: ${rejected} of ${read} rows rejected` : status;
}

/** "failed: 3 of 20 notes failed": what a non-administrator sees instead of a scoring run's message. */
export function scoreSummary(run: Row): string {
  const failed = num(run.notes_failed);
  const selected = num(run.notes_selected);
  const status = String(run.status ?? 'unknown');
  return failed !== undefined && selected !== undefined ? `${status}: ${failed} of ${selected} notes failed` : status;
}

/**
 * Run status for a role. Run messages and rejected values can quote input rows (names, SSNs,
 * free text), so only administrators get them; other roles get counts, codes and a message
 * made from those.
 */
export function runsForRole<T extends { ingest: Row[]; score: Row[]; rejectSample?: Row[] }>(r: T, role: Role): T {
  if (role === 'admin') return r;
  const { rejectSample: _dropped, ...rest } = r;
  void _dropped;
  return {
    ...rest,
    ingest: r.ingest.map((x) => ({ ...x, message: x.message == null ? null : ingestSummary(x) })),
    score: r.score.map((x) => ({ ...x, message: x.message == null ? null : scoreSummary(x) })),
  } as unknown as T;
}

/**
 * Failed sign-ins and failed tokens, per client address: `limit` failures within `windowMs` lock the
 * address out until `windowMs` after the last one. At most `capacity` addresses are remembered:
 * expired entries go first, then the oldest, never all at once (that would lift every lockout).
 */
export class FailureLockout {
  private readonly failures = new Map<string, { n: number; until: number }>();
  constructor(private readonly limit = 10, private readonly windowMs = 60_000, private readonly capacity = 10_000) {}

  locked(who: string, now = Date.now()): boolean {
    const f = this.failures.get(who);
    return f !== undefined && f.n >= this.limit && f.until > now;
  }

  fail(who: string, now = Date.now()): void {
    const f = this.failures.get(who);
    this.failures.delete(who);
    this.failures.set(who, f && f.until > now ? { n: f.n + 1, until: now + this.windowMs } : { n: 1, until: now + this.windowMs });
    if (this.failures.size > this.capacity) {
      for (const [k, v] of this.failures) if (v.until <= now) this.failures.delete(k);
      while (this.failures.size > this.capacity) this.failures.delete(this.failures.keys().next().value!);
    }
  }
}
