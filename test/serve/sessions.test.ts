/**
 * Sessions that end (sign-out, a changed password, an administrator's revoke), CSRF on every
 * state-changing route, and API tokens that cost a hash look-up, not an scrypt per user.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseServeConfig, type UserRecord } from '../../src/serve/config.ts';
import { AuditWriter, createApp, hashSecret, loadServedDashboards, readAuditFiles } from '../../src/serve/index.ts';
import { TokenIndex } from '../../src/serve/tokens.ts';
import { resolveFramework } from '../../src/score/cli.ts';
import { tempDir } from '../helpers.ts';
import { projectConfig, ROOT, TODAY } from './fixture.ts';
import { makeHarness, PASSWORD, type Harness } from './harness.ts';

let h: Harness;

beforeAll(async () => {
  h = await makeHarness();
});

afterAll(async () => {
  await h?.close();
});

/** a client address for app.request (what @hono/node-server's getConnInfo reads) */
const from = (address: string) => ({ incoming: { socket: { remoteAddress: address, remotePort: 40000, remoteFamily: 'IPv4' } } });

type App = Harness['app'];

const signIn = async (app: App, name: string, headers: Record<string, string> = {}, password = PASSWORD): Promise<Response> =>
  app.request('/login', { method: 'POST', headers, body: new URLSearchParams({ mode: 'password', name, password, next: '/api/me' }) });

const cookieOf = (r: Response): string => {
  const set = r.headers.get('set-cookie');
  expect(set, 'a session cookie').toBeTruthy();
  return set!.split(';')[0]!;
};

const SAME = { origin: 'http://localhost', 'sec-fetch-site': 'same-origin' };

/** an app over the harness snapshot with its own users (and optionally a token index) */
function appWith(users: () => UserRecord[], tokens?: TokenIndex): { app: App; auditDir: string } {
  const config = projectConfig();
  const auditDir = path.join(tempDir('caselens-sessions-'), 'audit');
  const { app } = createApp({
    snapshots: h.snapshots, audit: new AuditWriter(auditDir), serve: parseServeConfig({ users: users(), demoSignIn: 'off' }), users,
    dashboards: loadServedDashboards(config.paths.dashboards), framework: resolveFramework(config), root: ROOT, host: '127.0.0.1',
    sessionSecret: crypto.randomBytes(32), today: () => TODAY, ...(tokens ? { tokens } : {}),
  });
  return { app, auditDir };
}

describe('sign-out ends the session', () => {
  it('a copied cookie no longer reads a case note after sign-out', async () => {
    const cookie = cookieOf(await signIn(h.app, 'manager1'));
    const copy = cookie;
    const note = `/api/notes/${encodeURIComponent(h.staffing.noteId)}`;
    expect((await h.app.request(note, { headers: { cookie: copy } })).status).toBe(200);
    const out = await h.app.request('/logout', { method: 'POST', headers: { cookie, ...SAME } });
    expect(out.status).toBe(303);
    expect(out.headers.get('location')).toBe('/login');
    expect(out.headers.get('set-cookie')).toMatch(/Max-Age=0/);
    // the copy (still validly signed, not expired) is no session any more
    expect((await h.app.request(note, { headers: { cookie: copy } })).status).toBe(401);
    expect((await h.app.request('/api/me', { headers: { cookie: copy } })).status).toBe(401);
    const page = await h.app.request(`/cases/${encodeURIComponent(h.staffing.caseId)}`, { headers: { cookie: copy } });
    expect(page.status).toBe(302);
    expect(page.headers.get('location')).toMatch(/^\/login\?next=/);
    // signing in again makes a new, working session
    const again = cookieOf(await signIn(h.app, 'manager1'));
    expect(again).not.toBe(copy);
    expect((await h.app.request(note, { headers: { cookie: again } })).status).toBe(200);
  });

  it('GET /logout changes nothing: it shows a sign-out button that posts', async () => {
    const cookie = cookieOf(await signIn(h.app, 'manager1'));
    const r = await h.app.request('/logout', { headers: { cookie } });
    expect(r.status).toBe(200);
    expect(await r.text()).toMatch(/<form method="post" action="\/logout">/);
    expect(r.headers.get('set-cookie')).toBeNull();
    expect((await h.app.request('/api/me', { headers: { cookie } })).status).toBe(200);
  });

  it('a cookie signed with the server key but naming no server-side session is no sign-in', async () => {
    const cookie = cookieOf(await signIn(h.app, 'admin1'));
    await h.app.request('/logout', { method: 'POST', headers: { cookie, ...SAME } });
    // signing in again as someone else does not revive the ended session
    await signIn(h.app, 'admin1');
    expect((await h.app.request('/api/me', { headers: { cookie } })).status).toBe(401);
  });
});

describe('CSRF: state-changing routes refuse other sites', () => {
  it('Origin: null is refused on sign-in (no cookie is set)', async () => {
    const r = await signIn(h.app, 'manager1', { origin: 'null' });
    expect(r.status).toBe(403);
    expect(r.headers.get('set-cookie')).toBeNull();
    const padded = await signIn(h.app, 'manager1', { origin: ' null ' });
    expect(padded.status).toBe(403);
  });

  it('Origin: null is refused on sign-out (the session lives on)', async () => {
    const cookie = cookieOf(await signIn(h.app, 'manager1'));
    const r = await h.app.request('/logout', { method: 'POST', headers: { cookie, origin: 'null' } });
    expect(r.status).toBe(403);
    expect(r.headers.get('set-cookie')).toBeNull();
    expect((await h.app.request('/api/me', { headers: { cookie } })).status).toBe(200);
  });

  it('a cross-site form post is refused: sign-in, sign-out, admin actions', async () => {
    const cookie = cookieOf(await signIn(h.app, 'manager1'));
    const admin = cookieOf(await signIn(h.app, 'admin1'));
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const crossSite: Array<Record<string, string>> = [{ origin: 'https://evil.example' }, { 'sec-fetch-site': 'cross-site' }, { 'sec-fetch-site': 'same-site' }, { origin: 'http://localhost.evil.example' }, { origin: 'http://localhost', 'sec-fetch-site': 'cross-site' }];
    for (const cross of crossSite) {
      expect((await signIn(h.app, 'manager1', cross)).status, JSON.stringify(cross)).toBe(403);
      const out = await h.app.request('/logout', { method: 'POST', headers: { cookie, ...form, ...cross }, body: '' });
      expect(out.status, JSON.stringify(cross)).toBe(403);
      const revoke = await h.app.request('/api/admin/sessions/manager1/revoke', { method: 'POST', headers: { cookie: admin, ...form, ...cross }, body: '' });
      expect(revoke.status, JSON.stringify(cross)).toBe(403);
    }
    expect((await h.app.request('/api/me', { headers: { cookie } })).status).toBe(200);
  });

  it('same-origin sign-in and sign-out work', async () => {
    const r = await signIn(h.app, 'supervisor1', SAME);
    expect(r.status).toBe(303);
    const cookie = cookieOf(r);
    expect((await h.app.request('/api/me', { headers: { cookie } })).status).toBe(200);
    const out = await h.app.request('/logout', { method: 'POST', headers: { cookie, origin: 'http://localhost' } });
    expect(out.status).toBe(303);
    expect((await h.app.request('/api/me', { headers: { cookie } })).status).toBe(401);
  });
});

describe('ending sessions on the server', () => {
  it('an administrator ends every session of a user, and it is audited', async () => {
    const a = cookieOf(await signIn(h.app, 'evaluator1'));
    const b = cookieOf(await signIn(h.app, 'evaluator1'));
    const other = cookieOf(await signIn(h.app, 'funder1'));
    // not for other roles
    const denied = await h.app.request('/api/admin/sessions/evaluator1/revoke', { method: 'POST', headers: { cookie: other } });
    expect(denied.status).toBe(403);
    expect((await h.app.request('/api/admin/sessions/evaluator1/revoke', { method: 'POST' })).status).toBe(401);
    const r = await h.app.request('/api/admin/sessions/evaluator1/revoke', { method: 'POST', headers: { authorization: `Bearer ${h.tokens.admin}` } });
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ user: 'evaluator1', ended: 2 });
    for (const cookie of [a, b]) expect((await h.app.request('/api/me', { headers: { cookie } })).status).toBe(401);
    expect((await h.app.request('/api/me', { headers: { cookie: other } })).status).toBe(200);
    // a GET does not revoke
    expect((await h.app.request('/api/admin/sessions/funder1/revoke', { headers: { authorization: `Bearer ${h.tokens.admin}` } })).status).toBe(404);
    const events = readAuditFiles(h.auditDir).filter((e) => e.action === 'revoke_sessions');
    expect(events.at(-1)).toMatchObject({ actor: 'admin1', role: 'admin', resource: 'user:evaluator1', detail: { ended: 2 } });
  });

  it("a changed password (the users re-read) ends the user's sessions, and only theirs", async () => {
    const first = await hashSecret(PASSWORD);
    let list: UserRecord[] = [
      { name: 'ada', role: 'admin', passwordHash: first },
      { name: 'bob', role: 'evaluator', passwordHash: first },
    ];
    const { app } = appWith(() => list);
    const ada = cookieOf(await signIn(app, 'ada'));
    const bob = cookieOf(await signIn(app, 'bob'));
    expect((await app.request('/api/me', { headers: { cookie: ada } })).status).toBe(200);
    list = [{ name: 'ada', role: 'admin', passwordHash: await hashSecret('a new password, longer') }, { ...list[1]! }];
    expect((await app.request('/api/me', { headers: { cookie: ada } })).status).toBe(401);
    expect((await app.request('/api/me', { headers: { cookie: bob } })).status).toBe(200);
    // a changed role ends it too
    list = [list[0]!, { ...list[1]!, role: 'funder' }];
    expect((await app.request('/api/me', { headers: { cookie: bob } })).status).toBe(401);
  });
});

describe('API tokens', () => {
  it('2,000 bad-token requests (from 2,000 addresses) finish quickly, and a good token still works', async () => {
    const good = `clt_${crypto.randomBytes(32).toString('base64url')}`;
    const sha = `sha256:${crypto.createHash('sha256').update(good).digest('hex')}`;
    const list: UserRecord[] = [
      { name: 'ada', role: 'admin', tokenHash: sha },
      ...(await Promise.all(['bob', 'cy', 'dee', 'eve'].map(async (name) => ({ name, role: 'evaluator' as const, passwordHash: await hashSecret(PASSWORD), tokenHash: `sha256:${crypto.randomBytes(32).toString('hex')}` })))),
    ];
    const { app } = appWith(() => list);
    expect((await app.request('/api/me', { headers: { authorization: `Bearer ${good}` } }, from('10.9.0.1'))).status).toBe(200);
    // the budget is relative to this machine (loaded CI boxes vary): each bad token may cost at most
    // a tenth of one scrypt; checking a token by scrypt against each user costs five whole ones
    const t0 = performance.now();
    await hashSecret('one scrypt, to time this machine');
    const scryptMs = performance.now() - t0;
    const budgetMs = Math.max(2000, (2000 * scryptMs) / 10);
    const started = performance.now();
    let done = 0;
    const statuses = new Map<number, number>();
    for (; done < 2000 && performance.now() - started < budgetMs; done++) {
      const r = await app.request('/api/me', { headers: { authorization: `Bearer clt_${crypto.randomBytes(32).toString('base64url')}` } }, from(`10.${(done >> 8) & 255}.${done & 255}.7`));
      statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
    }
    const elapsed = performance.now() - started;
    expect(done, `only ${done} bad-token requests in ${Math.round(elapsed)} ms (one scrypt: ${Math.round(scryptMs)} ms)`).toBe(2000);
    console.log(`2,000 bad-token requests: ${Math.round(elapsed)} ms (one scrypt here: ${Math.round(scryptMs)} ms)`);
    expect([...statuses.keys()]).toEqual([401]);
    const me = await app.request('/api/me', { headers: { authorization: `Bearer ${good}` } }, from('10.9.0.1'));
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ name: 'ada', role: 'admin' });
  });

  it('token failures lock the client address out, as failed sign-ins do; other addresses are not affected', async () => {
    const { app } = appWith(() => [{ name: 'ada', role: 'admin', tokenHash: `sha256:${crypto.createHash('sha256').update('clt_the-good-token-of-ada-0123456789').digest('hex')}` }]);
    const bad = () => app.request('/api/me', { headers: { authorization: 'Bearer clt_wrong-wrong-wrong-wrong-wrong' } }, from('10.1.1.1'));
    for (let i = 0; i < 10; i++) expect((await bad()).status).toBe(401);
    const locked = await bad();
    expect(locked.status).toBe(429);
    expect(locked.headers.get('retry-after')).toBe('60');
    expect((await app.request('/api/me', { headers: { authorization: 'Bearer clt_the-good-token-of-ada-0123456789' } }, from('10.1.1.1'))).status).toBe(429);
    expect((await app.request('/api/me', { headers: { authorization: 'Bearer clt_the-good-token-of-ada-0123456789' } }, from('10.1.1.2'))).status).toBe(200);
  });

  it('older scrypt token hashes still work, but bad tokens get only a small scrypt budget', async () => {
    const token = `tok-${crypto.randomBytes(16).toString('hex')}`;
    const list: UserRecord[] = [
      { name: 'old', role: 'evaluator', tokenHash: await hashSecret(`other-${token}`) },
      { name: 'ada', role: 'admin', tokenHash: await hashSecret(token) },
    ];
    const { app } = appWith(() => list, new TokenIndex({ legacyBurst: 4, legacyPerSecond: 0.5 }));
    expect((await app.request('/api/me', { headers: { authorization: `Bearer ${token}` } }, from('10.2.0.1'))).status).toBe(200);
    const t0 = performance.now();
    await hashSecret('one scrypt, to time this machine');
    const scryptMs = performance.now() - t0;
    // without a budget each of these would cost two scrypts (one per user)
    const budgetMs = Math.max(2000, (500 * scryptMs) / 10);
    const started = performance.now();
    const statuses = new Map<number, number>();
    for (let i = 0; i < 500 && performance.now() - started < budgetMs; i++) {
      const r = await app.request('/api/me', { headers: { authorization: `Bearer tok-${crypto.randomBytes(16).toString('hex')}` } }, from(`10.3.${i >> 8}.${i & 255}`));
      statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
    }
    expect(performance.now() - started).toBeLessThan(budgetMs);
    expect((statuses.get(401) ?? 0) + (statuses.get(429) ?? 0)).toBe(500);
    expect(statuses.get(429)).toBeGreaterThan(450);
    // the known token is a digest look-up now, budget or not
    expect((await app.request('/api/me', { headers: { authorization: `Bearer ${token}` } }, from('10.2.0.1'))).status).toBe(200);
  });

  it('caselens user add writes sha256: token hashes, which the config accepts', async () => {
    const { addUser } = await import('../../src/serve/index.ts');
    const file = path.join(tempDir('caselens-users-'), 'caselens.config.yaml');
    const r = await addUser(file, { name: 'robot', role: 'evaluator', token: true });
    expect(fs.readFileSync(file, 'utf8')).toMatch(/tokenHash: sha256:[0-9a-f]{64}/);
    expect(fs.readFileSync(file, 'utf8')).not.toContain(r.token!);
    const users = parseServeConfig({ users: [{ name: 'robot', role: 'evaluator', tokenHash: `sha256:${crypto.createHash('sha256').update(r.token!).digest('hex')}` }] }).users;
    const { app } = appWith(() => users);
    expect((await app.request('/api/me', { headers: { authorization: `Bearer ${r.token}` } })).status).toBe(200);
  });
});
