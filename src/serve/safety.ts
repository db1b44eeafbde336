/**
 * Request hardening for the server: body size limits, the `next=` check after sign-in, query
 * parameters with control characters, and what of the ingest and scoring runs each role may see.
 */
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Role } from '../dashboards/schema.ts';
import { CaselensError } from '../errors.ts';

/** The largest request body any route accepts: the sign-in form and the sign-out button are the only POSTs, and both are small forms. */
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
