/**
 * Server hardening: request bodies are limited before anything reads them (over a real
 * socket), `next=` after sign-in never leaves the site, run messages and rejected values reach
 * administrators only, and control characters in query parameters are a 400, not a 500.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../src/dashboards/schema.ts';
import { hashSecret, startServer, type RunningServer } from '../../src/serve/index.ts';
import { FailureLockout, safeNext } from '../../src/serve/safety.ts';
import { openStore } from '../../src/store/index.ts';
import { tempDir } from '../helpers.ts';
import { projectConfig, sampleDbCopy, TODAY } from './fixture.ts';
import { makeHarness, PASSWORD, type Harness } from './harness.ts';

const MB = 1024 * 1024;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON answers, checked by the expectations
type Json = any;

/** POSTs `bytes` bytes of form data to /login over a socket, stopping as soon as the server answers. */
function bigPost(url: string, bytes: number, opts: { chunked: boolean }): Promise<{ status: number; body: string; sent: number }> {
  return new Promise((resolve, reject) => {
    const u = new URL('/login', url);
    const req = http.request({
      host: u.hostname, port: u.port, path: u.pathname, method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(opts.chunked ? {} : { 'content-length': String(bytes) }) },
    });
    const head = Buffer.from('mode=password&name=ada&password=');
    const chunk = Buffer.alloc(64 * 1024, 'a');
    let sent = 0;
    let status: number | undefined;
    let body = '';
    let settled = false;
    const finish = () => {
      if (settled) return;
      settled = true;
      if (status === undefined) reject(new Error(`no answer after ${sent} bytes`));
      else resolve({ status, body, sent });
      req.destroy();
    };
    req.on('response', (res) => {
      status = res.statusCode;
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', finish);
      res.on('error', finish);
    });
    req.on('error', (e) => (status === undefined ? (settled = true, reject(e)) : finish()));
    req.on('close', () => setTimeout(finish, 200));
    const pump = () => {
      if (sent === 0) {
        req.write(head);
        sent = head.length;
      }
      while (status === undefined && !req.destroyed && sent < bytes) {
        const n = Math.min(chunk.length, bytes - sent);
        sent += n;
        if (!req.write(n === chunk.length ? chunk : chunk.subarray(0, n))) {
          req.once('drain', pump);
          return;
        }
      }
      if (sent >= bytes && !req.destroyed) req.end();
    };
    pump();
  });
}

describe('request body limits over a real socket', () => {
  const PW = 'a password for the hardening test';
  let dir: string;
  let server: RunningServer;

  beforeAll(async () => {
    dir = tempDir('caselens-serve-hardening-');
    server = await startServer({
      dbPath: await sampleDbCopy(dir), config: projectConfig(), port: 0, today: () => TODAY, log: () => undefined,
      serve: { users: [{ name: 'ada', role: 'admin', passwordHash: await hashSecret(PW) }], audit: { dir: path.join(dir, 'audit') } },
    });
  });

  afterAll(async () => {
    await server?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  for (const chunked of [false, true]) {
    it(`refuses a 20 MB sign-in form (${chunked ? 'chunked' : 'with Content-Length'}) with 413, without holding it in memory`, async () => {
      const before = process.memoryUsage().rss;
      let peak = before;
      const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
      try {
        const r = await bigPost(server.url, 20 * MB, { chunked });
        expect(r.status).toBe(413);
        expect(r.sent).toBeLessThan(20 * MB); // answered before the body was all sent
        expect(r.body).toMatch(/request body too large: this server accepts at most 16 KB/);
      } finally {
        clearInterval(timer);
      }
      peak = Math.max(peak, process.memoryUsage().rss);
      expect(peak - before).toBeLessThan(50 * MB);
      await normalSignIn();
    }, 30_000);
  }

  /** a normal sign-in still works, and the server keeps answering */
  const normalSignIn = async () => {
    const r = await fetch(`${server.url}/login`, { method: 'POST', body: new URLSearchParams({ mode: 'password', name: 'ada', password: PW, next: '/api/me' }), redirect: 'manual' });
    expect(r.status).toBe(303);
    expect(r.headers.get('location')).toBe('/api/me');
    const cookie = r.headers.get('set-cookie')!.split(';')[0]!;
    const me = await fetch(`${server.url}/api/me`, { headers: { cookie } });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ name: 'ada', role: 'admin' });
  };

  it('a body just over the limit is refused on API routes too, as JSON', async () => {
    const r = await fetch(`${server.url}/api/health`, { method: 'POST', body: 'x'.repeat(16 * 1024 + 1) });
    expect(r.status).toBe(413);
    expect(await r.json()).toMatchObject({ status: 413, error: expect.stringMatching(/request body too large/) });
  });
});

describe('next= after sign-in', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await makeHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  const signIn = (next: string) => h.app.request('/login', { method: 'POST', body: new URLSearchParams({ mode: 'password', name: 'manager1', password: PASSWORD, next }) });
  const onSite = (location: string) => {
    const base = 'http://127.0.0.1:8787';
    const u = new URL(location, `${base}/login`);
    expect(u.origin).toBe(base);
    expect(location).toMatch(/^\/(?![/\\])/);
    // eslint-disable-next-line no-control-regex -- looking for them
    expect(location).not.toMatch(/[\x00-\x1f\x7f\\]/);
  };

  const REFUSED = ['/\t/evil.example/', '//evil.example', '/\\evil.example', 'https://evil.example', '/\r\nSet-Cookie: x=y', '/ok\nLocation: //evil.example', '/\0/evil.example', '\\\\evil.example', ' //evil.example', '', 'evil.example'];

  it('falls back to / for anything that is not a plain path on this server, never answers 500, and keeps paths on this server', async () => {
    for (const next of REFUSED) {
      const r = await signIn(next);
      expect(r.status, JSON.stringify(next)).toBe(303);
      expect(r.headers.get('location'), JSON.stringify(next)).toBe('/');
      expect(r.headers.get('set-cookie')).not.toMatch(/x=y/);
    }
    // paths on this server are kept, in their percent-encoded form
    const ok = await signIn('/ok?x=1');
    expect(ok.status).toBe(303);
    expect(ok.headers.get('location')).toBe('/ok?x=1');
    const encoded = await signIn('/%0d%0aSet-Cookie:x=y');
    expect(encoded.status).toBe(303);
    onSite(encoded.headers.get('location')!);
    expect(encoded.headers.get('set-cookie')).not.toMatch(/(^|[,;]\s*)x=y/);
    const unicode = await signIn('/d/overview?program=Café €');
    expect(unicode.status).toBe(303);
    expect(unicode.headers.get('location')).toBe('/d/overview?program=Caf%C3%A9%20%E2%82%AC');
  });

  it('the sign-in page carries only a safe next=, and a wrong password goes back with it', async () => {
    for (const next of REFUSED) {
      const page = await h.app.request(`/login?next=${encodeURIComponent(next)}`);
      expect(page.status, JSON.stringify(next)).toBe(200);
      expect(await page.text()).toContain('name="next" value="/"');
    }
    const back = await h.app.request('/login', { method: 'POST', body: new URLSearchParams({ mode: 'password', name: 'manager1', password: 'wrong password!', next: '/\t/evil.example/' }) });
    expect(back.status).toBe(303);
    expect(back.headers.get('location')).toMatch(/^\/login\?next=%2F&error=/);
  });

  it('safeNext: the rule itself', () => {
    for (const next of REFUSED) expect(safeNext(next), JSON.stringify(next)).toBe('/');
    expect(safeNext(undefined)).toBe('/');
    expect(safeNext(['/a'])).toBe('/');
    expect(safeNext('/a/../../b')).toBe('/b');
    expect(safeNext('/cases/sample%3AK1#top')).toBe('/cases/sample%3AK1#top');
  });
});

describe('run status: messages and rejected values for administrators only', () => {
  const SSN = '987-65-4320';
  const NAME = 'Philippa Quenbywright';
  const REJECTED = 'Zebedee Marchbanksworth';
  let dir: string;
  let h: Harness;
  let runId: number;

  beforeAll(async () => {
    dir = tempDir('caselens-serve-runs-');
    const dbPath = await sampleDbCopy(dir);
    const db = await openStore(dbPath);
    try {
      runId = Number(await db.value<number>('SELECT coalesce(max(run_id), 0) + 1 FROM ingest_runs'));
      await db.run(
        `INSERT INTO ingest_runs (run_id, pipeline, started_at, finished_at, status, rows_read, rows_loaded, rows_rejected, message)
         VALUES ($1, 'planted', now()::TIMESTAMP, now()::TIMESTAMP, 'failed', 40, 0, 12, $2)`,
        [runId, `row 7: client ${NAME} (SSN ${SSN}) has a date of birth after the intake date`],
      );
      await db.run(
        `INSERT INTO ingest_rejects (run_id, source, file, line, field, value, code, reason)
         VALUES ($1, 'clients', 'clients.csv', 7, 'date_of_birth', $2, 'bad_date', $3)`,
        [runId, REJECTED, `not a valid date for date_of_birth: "${REJECTED}"`],
      );
      await db.run('CHECKPOINT');
    } finally {
      db.close();
    }
    h = await makeHarness({ dbPath });
  });

  afterAll(async () => {
    await h?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const bodies = async (role: Role) => {
    const out: Array<{ status: number; text: string }> = [];
    for (const q of ['', '?format=csv', '?format=arrow']) {
      const r = await h.get(role, `/api/runs${q}`);
      out.push({ status: r.status, text: q === '?format=arrow' ? Buffer.from(await r.arrayBuffer()).toString('latin1') : await r.text() });
    }
    return out;
  };

  it('evaluator, manager, supervisor, funder: counts and codes, no run message text, no rejected value (JSON, CSV, Arrow)', async () => {
    for (const role of ['evaluator', 'manager', 'supervisor', 'funder'] as Role[]) {
      for (const b of await bodies(role)) {
        expect(b.status, role).toBe(role === 'funder' ? 403 : 200);
        for (const secret of [SSN, NAME, 'Quenbywright', REJECTED, 'Marchbanksworth']) expect(b.text, role).not.toContain(secret);
      }
      if (role === 'funder') continue;
      const r: Json = await (await h.get(role, '/api/runs')).json();
      const run = r.ingest.find((x: { run_id: number }) => x.run_id === runId);
      expect(run).toMatchObject({ pipeline: 'planted', status: 'failed', rows_rejected: 12, message: 'failed: 12 of 40 rows rejected' });
      expect(r.rejects).toContainEqual({ run_id: runId, source: 'clients', field: 'date_of_birth', code: 'bad_date', rows: 1 });
      expect(r).not.toHaveProperty('rejectSample');
    }
  });

  it('admin: the message and the rejected rows with their values', async () => {
    const r: Json = await (await h.get('admin', '/api/runs')).json();
    const run = r.ingest.find((x: { run_id: number }) => x.run_id === runId);
    expect(run.message).toContain(SSN);
    expect(run.message).toContain(NAME);
    expect(r.rejectSample).toContainEqual(expect.objectContaining({ run_id: runId, field: 'date_of_birth', value: REJECTED, code: 'bad_date' }));
    expect((await bodies('admin')).map((b) => b.status)).toEqual([200, 200, 200]);
  });
});

describe('control characters in query parameters', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await makeHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  const URLS = [
    '/api/kpis/resolution-time?from=2025-01-01%00',
    '/api/kpis/resolution-time?program=%00',
    '/api/kpis/goal-achievement?by=domain%00',
    '/api/kpis/caseload?manager=x%00y',
    '/api/kpis/satisfaction?by=program&instrument=%00',
    '/api/kpis/resolution-time?from%00=2025-01-01',
    '/api/kpis/resolution-time?program=a%0d%0ab',
    '/api/funder-report?program=%00',
    '/api/cases?program=%00',
  ];

  for (const role of ['admin', 'supervisor'] as Role[]) {
    it(`a NUL byte or line break in a KPI parameter is a 400 naming the parameter (${role})`, async () => {
      for (const url of URLS) {
        const r = await h.get(role, url);
        expect(r.status, url).toBe(400);
        const body: Json = await r.json();
        expect(body.error, url).toMatch(/control characters/);
        expect(body.error, url).toMatch(/^(from|program|by|manager|instrument|query parameter "from\\u0000")/);
      }
      // ordinary parameters still work
      expect((await h.get(role, '/api/kpis/resolution-time?from=2025-01-01&to=2025-06-30')).status).toBe(200);
    });
  }

  it('dashboard pages answer 400 too, as a page', async () => {
    const r = await h.get('admin', '/d/overview?program=%00');
    expect(r.status).toBe(400);
    expect(await r.text()).toMatch(/program: the value cannot contain control characters/);
  });
});

describe('FailureLockout', () => {
  it('locks an address after 10 failures within a minute, for a minute after the last; a full table forgets the expired and oldest, never a live lockout of the newest', () => {
    const l = new FailureLockout(10, 60_000, 3);
    for (let i = 0; i < 9; i++) l.fail('a', 1_000);
    expect(l.locked('a', 1_000)).toBe(false);
    l.fail('a', 2_000);
    expect(l.locked('a', 2_000)).toBe(true);
    expect(l.locked('a', 61_999)).toBe(true);
    expect(l.locked('a', 62_000)).toBe(false);
    // a failure after the window starts a new count
    for (let i = 0; i < 10; i++) l.fail('b', 10_000);
    l.fail('b', 80_000);
    expect(l.locked('b', 80_000)).toBe(false);
    // capacity 3: 'a' (expired by now) goes first, then the oldest ('b'); the live lockout of 'c' stays
    for (let i = 0; i < 10; i++) l.fail('c', 90_000);
    l.fail('d', 90_000);
    l.fail('e', 90_000);
    expect(l.locked('c', 90_000)).toBe(true);
  });
});
