import fs from 'node:fs';
import path from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { runKpi } from '../../src/kpi/index.ts';
import { mergeAudit, readAuditFiles, addUser, verifySecret, startServer, SESSION_COOKIE, SnapshotManager } from '../../src/serve/index.ts';
import { changePairs } from '../../src/serve/pairs.ts';
import { Db, openStore } from '../../src/store/index.ts';
import { tempDir } from '../helpers.ts';
import { projectConfig, ROOT, sampleDbCopy, TODAY } from './fixture.ts';
import { makeHarness, PASSWORD, type Harness } from './harness.ts';

let h: Harness;
let db: Db;

beforeAll(async () => {
  h = await makeHarness();
  db = await Db.open(h.dbPath, { readOnly: true });
});

afterAll(async () => {
  db?.close();
  await h?.close();
});

const json = async (r: Response) => {
  const text = await r.text();
  expect(text).not.toMatch(/\n\s+at .+:\d+:\d+/); // never a stack trace
  return JSON.parse(text);
};

describe('API basics', () => {
  it('health is public and says the server is read-only; everything else needs a sign-in', async () => {
    const health = await json(await h.get(null, '/api/health'));
    expect(health).toMatchObject({ status: 'ok', generation: 1, readOnly: true, stale: false });
    expect(health).not.toHaveProperty('database');
    const r = await h.get(null, '/api/kpis');
    expect(r.status).toBe(401);
    expect((await json(r)).error).toMatch(/sign in/);
    const page = await h.get(null, '/d/overview');
    expect(page.status).toBe(302);
    expect(page.headers.get('location')).toBe('/login?next=%2Fd%2Foverview');
    expect((await h.get(null, '/api/kpis', { authorization: 'Bearer nope' })).status).toBe(401);
  });

  it('signs in with a password (secure cookie attributes) and refuses a wrong one', async () => {
    const bad = await h.app.request('/login', { method: 'POST', body: new URLSearchParams({ mode: 'password', name: 'admin1', password: 'wrong password!' }) });
    expect(bad.status).toBe(303);
    expect(bad.headers.get('location')).toMatch(/^\/login\?.*error=unknown%20user/);
    expect(bad.headers.get('set-cookie')).toBeNull();
    const ok = await h.app.request('/login', { method: 'POST', body: new URLSearchParams({ mode: 'password', name: 'manager1', password: PASSWORD, next: '/d/caseload' }) });
    expect(ok.status).toBe(303);
    expect(ok.headers.get('location')).toBe('/d/caseload');
    const cookie = ok.headers.get('set-cookie')!;
    expect(cookie).toMatch(new RegExp(`^${SESSION_COOKIE}=`));
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    const me = await json(await h.app.request('/api/me', { headers: { cookie: cookie.split(';')[0]! } }));
    expect(me).toMatchObject({ name: 'manager1', role: 'manager', staffId: h.staffing.manager, scope: { managers: [h.staffing.manager], personalData: true } });
    // a tampered cookie is no session: neither its claims nor any character of its signature
    // (the last one included, whose spare bits base64url decoding would ignore)
    const value = cookie.split(';')[0]!;
    const flip = (c: string) => (c === 'A' ? 'B' : 'A');
    for (const tampered of [value.replace(/=./, (m) => `=${flip(m[1]!)}`), value.replace(/.$/, flip), value.replace(/\.(.)/, (m) => `.${flip(m[1]!)}`)]) {
      expect(tampered).not.toBe(value);
      expect((await h.app.request('/api/me', { headers: { cookie: tampered } })).status).toBe(401);
    }
    // an open redirect through next= is not possible
    const off = await h.app.request('/login', { method: 'POST', body: new URLSearchParams({ mode: 'password', name: 'manager1', password: PASSWORD, next: '//evil.example/' }) });
    expect(off.headers.get('location')).toBe('/');
    // demo sign-in is off when users are configured
    expect((await h.app.request('/login', { method: 'POST', body: new URLSearchParams({ mode: 'demo', role: 'admin' }) })).status).toBe(403);
  });

  it('refuses requests for other host names (DNS rebinding) and sets security headers', async () => {
    const r = await h.get('admin', '/api/kpis', { host: 'evil.example:8787' });
    expect(r.status).toBe(421);
    const ok = await h.get('admin', '/api/kpis');
    expect(ok.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    expect(ok.headers.get('cache-control')).toBe('no-store');
    expect(ok.headers.get('x-content-type-options')).toBe('nosniff');
  });
});

describe('KPIs over the API', () => {
  it('lists the registry and runs a KPI with the same figures as runKpi', async () => {
    const list = await json(await h.get('admin', '/api/kpis'));
    expect(list.map((k: { id: string }) => k.id)).toContain('change-from-baseline');
    const api = await json(await h.get('admin', '/api/kpis/resolution-time?from=2025-01-01&to=2025-06-30&by=program'));
    const direct = await runKpi(db, 'resolution-time', { from: '2025-01-01', to: '2025-06-30', by: 'program' }, { today: TODAY });
    expect(api.rows).toEqual(JSON.parse(JSON.stringify(direct.rows)));
    expect(api.params).toMatchObject({ from: '2025-01-01', to: '2025-06-30', by: 'program' });
  });

  it('answers CSV and Arrow IPC by ?format= or Accept, with the same rows', async () => {
    const url = '/api/kpis/goal-achievement?from=2025-01-01&to=2025-06-30&by=domain';
    const j = await json(await h.get('evaluator', url));
    const csv = await h.get('evaluator', `${url}&format=csv`);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = (await csv.text()).trim().split('\n');
    expect(lines[0]).toMatch(/^group_by,group_id,group,is_total,goals,clients,achieved,rate/);
    expect(lines).toHaveLength(j.rows.length + 1);
    const viaAccept = await h.get('evaluator', url, { accept: 'text/csv' });
    expect(viaAccept.headers.get('content-type')).toMatch(/^text\/csv/);
    const arrow = await h.get('evaluator', url, { accept: 'application/vnd.apache.arrow.stream' });
    expect(arrow.headers.get('content-type')).toBe('application/vnd.apache.arrow.stream');
    const table = tableFromIPC(new Uint8Array(await arrow.arrayBuffer()));
    expect(table.numRows).toBe(j.rows.length);
    const total = j.rows.find((r: { is_total: boolean }) => r.is_total);
    const arrowTotal = table.toArray().find((r) => r.is_total === true);
    expect(arrowTotal!.goals).toBe(total.goals);
    expect(arrowTotal!.rate).toBeCloseTo(total.rate, 12);
  });

  it('invalid parameters are 400s naming the parameter; unknown KPIs are 404s', async () => {
    const bad = await h.get('admin', '/api/kpis/resolution-time?from=2025-13-01');
    expect(bad.status).toBe(400);
    expect((await json(bad)).error).toMatch(/--from "2025-13-01"/);
    const unknown = await h.get('admin', '/api/kpis/resolution-time?colour=blue');
    expect(unknown.status).toBe(400);
    expect((await json(unknown)).error).toMatch(/unknown parameter "colour"/);
    const fmt = await h.get('admin', '/api/kpis/resolution-time?format=xml');
    expect(fmt.status).toBe(400);
    expect((await json(fmt)).error).toMatch(/^format: /);
    const nf = await h.get('admin', '/api/kpis/no-such-kpi');
    expect(nf.status).toBe(404);
    expect((await json(nf)).error).toMatch(/unknown KPI "no-such-kpi"/);
    expect((await h.get('admin', '/api/nothing-here')).status).toBe(404);
  });

  it('pins a manager to their own caseload and refuses another manager', async () => {
    const mine = await json(await h.get('manager', '/api/kpis/caseload?asOf=2025-10-31'));
    expect(mine.params.manager).toBe(h.staffing.manager);
    expect(mine.rows.filter((r: { is_total: boolean }) => !r.is_total).map((r: { group_id: string }) => r.group_id)).toEqual([h.staffing.manager]);
    const other = await h.get('manager', `/api/kpis/caseload?manager=${encodeURIComponent(h.staffing.otherManager)}`);
    expect(other.status).toBe(403);
    expect((await json(other)).error).toMatch(/^manager: /);
    // details (record-level) are cut to the scope
    const doc = await json(await h.get('supervisor', '/api/kpis/documentation-completeness?from=2025-01-01&to=2025-10-31'));
    const team = new Set((await db.all<{ s: string }>('SELECT staff_id AS s FROM staff WHERE supervisor_id = $1', [h.staffing.supervisor])).map((r) => r.s));
    expect(doc.details.rows.length).toBeGreaterThan(0);
    for (const r of doc.details.rows) expect(team.has(r.manager_id)).toBe(true);
  });

  it('gives funders suppressed, funder-facing KPIs for whole months only', async () => {
    const r = await json(await h.get('funder', '/api/kpis/goal-achievement?from=2025-01-01&to=2025-03-31&by=domain'));
    expect(r.suppression).toMatchObject({ k: 11 });
    expect(r).not.toHaveProperty('details');
    expect((await h.get('funder', '/api/kpis/caseload')).status).toBe(403);
    const part = await h.get('funder', '/api/kpis/goal-achievement?from=2025-01-15');
    expect(part.status).toBe(400);
    expect((await json(part)).error).toMatch(/^from: funder reports cover whole months/);
    expect((await h.get('funder', '/api/kpis/goal-achievement?by=manager')).status).toBe(403);
  });
});

describe('outcomes data', () => {
  it('per-pair values come from the change-from-baseline KPI\'s own pairing, one pair per paired unit', async () => {
    const result = await runKpi(db, 'change-from-baseline', { from: '2024-11-01', to: '2025-10-31' }, { today: TODAY });
    const groups = await changePairs(db, result, { root: ROOT, today: TODAY });
    expect(groups, 'the KPI SQL no longer ends in the expected final SELECT: update src/serve/pairs.ts').toBeDefined();
    expect(groups!.length).toBe(result.rows.length);
    for (const [i, g] of groups!.entries()) {
      const row = result.rows[i]!;
      expect(g.pairs.length).toBe(row.paired);
      if (g.pairs.length > 1) {
        const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
        expect(mean(g.pairs.map((p) => p.base))).toBeCloseTo(row.baseline_mean as number, 9);
        expect(mean(g.pairs.map((p) => p.follow - p.base))).toBeCloseTo(row.mean_change as number, 9);
      }
    }
  });

  it('a file snapshot (for databases larger than memory) serves the same answers', async () => {
    const dir = tempDir();
    const snaps = new SnapshotManager({ dbPath: h.dbPath, mode: 'file', dir, checkSeconds: 0 });
    await snaps.start();
    try {
      expect(fs.readdirSync(dir).filter((f) => f.endsWith('.duckdb'))).toHaveLength(1);
      const n = await snaps.use((s) => s.value<number>('SELECT count(*) FROM notes'));
      expect(n).toBe(await db.value<number>('SELECT count(*) FROM notes'));
    } finally {
      await snaps.close();
    }
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.duckdb'))).toHaveLength(0);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('records, notes and citations', () => {
  it('a case summary ties every statement to quotes that are in the notes', async () => {
    const r = await json(await h.get('supervisor', `/api/cases/${encodeURIComponent(h.staffing.caseId)}`));
    expect(r.case.case_id).toBe(h.staffing.caseId);
    expect(r.summary.domains.length).toBeGreaterThan(0);
    const texts = new Map((await db.all<{ note_id: string; text: string }>('SELECT note_id, text FROM notes WHERE case_id = $1', [h.staffing.caseId])).map((n) => [n.note_id, n.text]));
    let quotes = 0;
    for (const d of r.summary.domains) {
      for (const s of d.statements) {
        for (const c of s.citations) {
          expect(texts.get(c.noteId)!.slice(c.start, c.end)).toBe(c.quote);
          quotes++;
        }
      }
    }
    expect(quotes).toBeGreaterThan(0);
    const csv = await (await h.get('supervisor', `/api/cases/${encodeURIComponent(h.staffing.caseId)}?format=csv`)).text();
    expect(csv.split('\r\n')[0]).toBe('domain,trend,statement,direction,status,note_id,start,end,quote');
  });

  it('a note comes with its tags and highlighted spans whose text is the quote', async () => {
    const r = await json(await h.get('manager', `/api/notes/${encodeURIComponent(h.staffing.noteId)}`));
    expect(r.note.note_id).toBe(h.staffing.noteId);
    expect(r.tags.length).toBeGreaterThan(0);
    for (const s of r.spans) expect(r.note.text.slice(s.start, s.end)).toBe(s.quote);
    expect(r.segments.map((s: { text: string }) => s.text).join('')).toBe(r.note.text);
    for (const t of r.tags) for (const c of t.citations) expect(r.note.text.slice(c.start, c.end)).toBe(c.quote);
    expect(r.html).toContain('<mark class="cite');
    const arrow = tableFromIPC(new Uint8Array(await (await h.get('manager', `/api/notes/${encodeURIComponent(h.staffing.noteId)}?format=arrow`)).arrayBuffer()));
    expect(arrow.numRows).toBe(r.tags.reduce((a: number, t: { citations: unknown[] }) => a + t.citations.length, 0));
  });

  it('a client timeline has cases, assessments, goals, services and notes; evaluators get it de-identified', async () => {
    const url = `/api/clients/${encodeURIComponent(h.staffing.clientId)}/timeline`;
    const full = await json(await h.get('admin', url));
    expect(full.cases.length).toBeGreaterThan(0);
    expect(full.personal.last_name).toBeTruthy();
    expect(full.notes[0].text).toBeTruthy();
    const kinds = new Set(full.events.map((e: { kind: string }) => e.kind));
    for (const k of ['case_opened', 'note']) expect(kinds.has(k)).toBe(true);
    expect([...full.events].map((e: { at: string }) => e.at)).toEqual([...full.events].map((e: { at: string }) => e.at).sort());
    const deid = await json(await h.get('evaluator', url));
    expect(deid.personal).toBeNull();
    expect(deid.notes.length).toBe(full.notes.length);
    for (const n of deid.notes) expect(n).not.toHaveProperty('text');
    expect(JSON.stringify(deid)).not.toContain(full.personal.last_name);
    const csv = await (await h.get('evaluator', `${url}?format=csv`)).text();
    expect(csv.split('\r\n')[0]).toBe('at,kind,case_id,id,summary');
  });

  it('unknown ids are 404s, ids outside the scope 403s', async () => {
    expect((await h.get('admin', '/api/cases/sample:NOPE')).status).toBe(404);
    expect((await h.get('admin', '/api/notes/sample:NOPE')).status).toBe(404);
    expect((await h.get('admin', '/api/clients/CL-NOPE/timeline')).status).toBe(404);
    const out = await h.get('manager', `/api/notes/${encodeURIComponent(h.staffing.otherNoteId)}`);
    expect(out.status).toBe(403);
    expect((await json(out)).error).toMatch(/outside your caseload/);
  });

  it('lists ingest and score runs', async () => {
    const r = await json(await h.get('evaluator', '/api/runs'));
    expect(r.ingest[0]).toMatchObject({ pipeline: 'sample', status: 'succeeded' });
    expect(r.score[0]).toMatchObject({ status: 'succeeded', scorer: 'offline' });
    expect(r.counts.notes).toBeGreaterThan(1000);
  });
});

describe('audit', () => {
  it('writes who, role, what and when for each note read, and merges into audit_log once', async () => {
    const before = readAuditFiles(h.auditDir).length;
    await h.get('supervisor', `/api/notes/${encodeURIComponent(h.staffing.noteId)}`);
    await h.get('manager', `/api/notes/${encodeURIComponent(h.staffing.otherNoteId)}`); // denied, and recorded as such
    const events = readAuditFiles(h.auditDir).slice(before);
    expect(events).toEqual([
      expect.objectContaining({ actor: 'supervisor1', role: 'supervisor', action: 'read_note', resource: `note:${h.staffing.noteId}` }),
      expect.objectContaining({ actor: 'manager1', role: 'manager', action: 'deny', resource: `/api/notes/${h.staffing.otherNoteId}` }),
    ]);
    expect(Date.now() - Date.parse(events[0]!.at)).toBeLessThan(60_000);
    // merged by a writer (caselens audit merge): idempotent
    const dir = tempDir();
    const copy = await sampleDbCopy(dir);
    const w = await openStore(copy);
    try {
      const first = await mergeAudit(w, h.auditDir);
      expect(first.inserted).toBe(readAuditFiles(h.auditDir).length);
      const again = await mergeAudit(w, h.auditDir);
      expect(again).toMatchObject({ inserted: 0, alreadyMerged: first.read });
      const row = await w.one<{ actor: string; role: string; action: string; resource: string }>("SELECT actor, role, action, resource FROM audit_log WHERE action = 'read_note' AND actor = 'supervisor1'");
      expect(row).toEqual({ actor: 'supervisor1', role: 'supervisor', action: 'read_note', resource: `note:${h.staffing.noteId}` });
    } finally {
      w.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
    const trail = await json(await h.get('admin', '/api/audit?action=read_note'));
    expect(trail[0]).toMatchObject({ actor: 'supervisor1', action: 'read_note' });
    expect((await h.get('supervisor', '/api/audit')).status).toBe(403);
  });
});

describe('users and start-up rules', () => {
  it('caselens user add stores scrypt hashes, never the secret, and keeps the file', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'caselens.config.yaml');
    fs.writeFileSync(file, '# my settings\ndatabase: data/x.duckdb\n');
    const a = await addUser(file, { name: 'maya', role: 'manager', staffId: 'sample:S010', password: 'a long enough password' });
    expect(a.user).toMatchObject({ name: 'maya', role: 'manager', password: true, token: false });
    const b = await addUser(file, { name: 'bot', role: 'evaluator', token: true });
    expect(b.token).toMatch(/^clt_/);
    const text = fs.readFileSync(file, 'utf8');
    expect(text).toMatch(/^# my settings/);
    expect(text).not.toContain('a long enough password');
    expect(text).not.toContain(b.token!);
    const doc = YAML.parse(text);
    expect(doc.database).toBe('data/x.duckdb');
    expect(await verifySecret('a long enough password', doc.serve.users[0].passwordHash)).toBe(true);
    expect(await verifySecret(b.token!, doc.serve.users[1].tokenHash)).toBe(true);
    await expect(addUser(file, { name: 'maya', role: 'admin', password: 'another password' })).rejects.toThrow(/already exists/);
    await expect(addUser(file, { name: 'sup', role: 'supervisor', password: 'another password' })).rejects.toThrow(/staffId/);
    await expect(addUser(file, { name: 'x', role: 'boss', password: 'another password' })).rejects.toThrow(/--role must be one of/);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('refuses to serve beyond loopback without users', async () => {
    const config = projectConfig();
    await expect(startServer({ dbPath: '/nonexistent.duckdb', config, host: '0.0.0.0', port: 0 })).rejects.toThrow(/refusing to serve on 0\.0\.0\.0.*configured users/);
  });
});
