/**
 * The real server on a real socket: sign-in and API over HTTP, and the read-only design under a
 * concurrent writer — a `caselens ingest` child process loading into the database being served,
 * and a writer holding the file while the server wants to refresh or start.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { factsStatus } from '../../src/kpi/index.ts';
import { hashSecret, startServer, type RunningServer } from '../../src/serve/index.ts';
import { Db, openStore } from '../../src/store/index.ts';
import { runCli } from '../support/cli.ts';
import { CLEAN, cleanPipeline, TEST_IDENTITY_KEY, tempDir, writeFiles, writePipeline } from '../helpers.ts';
import { projectConfig, ROOT, sampleDbCopy, TODAY } from './fixture.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON answers, checked by the expectations
type Json = any;
const get = async (url: string, init?: RequestInit): Promise<Json> => (await fetch(url, init)).json();

const TSX_LOADER = pathToFileURL(path.join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
const PASSWORD = 'a password for the socket test';
const TOKEN = 'clt_socket-test-token-0123456789abcdef';

let dir: string;
let dbPath: string;
let server: RunningServer;
let stampAtStart = '';
const logs: string[] = [];
const stamp = (f: string) => {
  const s = fs.statSync(f);
  return `${s.size}:${s.mtimeMs}:${fs.existsSync(`${f}.wal`)}`;
};

beforeAll(async () => {
  dir = tempDir('caselens-serve-socket-');
  dbPath = await sampleDbCopy(dir);
  stampAtStart = stamp(dbPath);
  server = await startServer({
    dbPath, config: projectConfig(), port: 0, today: () => TODAY, log: (m) => logs.push(m),
    serve: {
      users: [{ name: 'ada', role: 'admin', passwordHash: await hashSecret(PASSWORD), tokenHash: await hashSecret(TOKEN) }],
      snapshot: { checkSeconds: 0.1, settleSeconds: 0.3 }, audit: { dir: path.join(dir, 'audit') },
    },
  });
});

afterAll(async () => {
  await server?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function signIn(): Promise<string> {
  const r = await fetch(`${server.url}/login`, { method: 'POST', body: new URLSearchParams({ mode: 'password', name: 'ada', password: PASSWORD }), redirect: 'manual' });
  expect(r.status).toBe(303);
  return r.headers.get('set-cookie')!.split(';')[0]!;
}

/** A process that opens the database for writing, writes a row, and holds the file until told to stop. */
function holdWriter(file: string): Promise<{ child: ChildProcessWithoutNullStreams; release: () => Promise<number | null> }> {
  const script = path.join(dir, 'writer.mts');
  fs.writeFileSync(script, `
import { openStore } from ${JSON.stringify(pathToFileURL(path.join(ROOT, 'src', 'store', 'index.ts')).href)};
const db = await openStore(process.argv[2]);
await db.run("INSERT INTO audit_log VALUES (now()::TIMESTAMP, 'writer', 'admin', 'test', 'held', NULL)");
await db.run('CHECKPOINT');
process.stdout.write('ready\\n');
process.stdin.on('end', () => { db.close(); process.exit(0); });
process.stdin.resume();
`);
  const child = spawn(process.execPath, ['--import', TSX_LOADER, script, file], { cwd: ROOT });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('ready')) {
        resolve({
          child,
          release: () => new Promise((r) => {
            child.on('close', (code) => r(code));
            child.stdin.end();
          }),
        });
      }
    });
    child.on('close', (code) => reject(new Error(`writer exited ${code}: ${err}`)));
  });
}

async function until<T>(fn: () => Promise<T | undefined>, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('over a real socket', () => {
  it('serves health, pages and the API to a signed-in user and to a bearer token', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const health = await get(`${server.url}/api/health`);
    expect(health).toMatchObject({ status: 'ok', readOnly: true });
    const cookie = await signIn();
    const kpi = await fetch(`${server.url}/api/kpis/resolution-time?from=2025-01-01&to=2025-06-30`, { headers: { cookie } });
    expect(kpi.status).toBe(200);
    const body: Json = await kpi.json();
    expect(body.rows[0]).toMatchObject({ is_total: true });
    const viaToken = await fetch(`${server.url}/api/kpis/resolution-time?from=2025-01-01&to=2025-06-30`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(await viaToken.json()).toEqual(body);
    const page = await fetch(`${server.url}/d/overview`, { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<svg');
    const login = await fetch(`${server.url}/login`);
    expect(await login.text()).not.toContain('Demo sign-in'); // users configured: no demo sign-in
    await fetch(`${server.url}/cases/${encodeURIComponent('sample:K0000001')}`, { headers: { cookie } }); // an audited read
    expect(stamp(dbPath)).toBe(stampAtStart); // serving never writes the database
  });

  it('keeps serving while `caselens ingest` writes to the database, then serves the new state', async () => {
    const cookie = await signIn();
    const project = path.join(dir, 'crm');
    fs.mkdirSync(project);
    writeFiles(project, CLEAN);
    writePipeline(project, 'crm', cleanPipeline());
    fs.writeFileSync(path.join(project, 'identity.key'), `${TEST_IDENTITY_KEY}\n`);
    fs.writeFileSync(path.join(project, 'caselens.config.yaml'), YAML.stringify({ identity: { keyFile: 'identity.key' }, paths: { pipelines: '.' } }));
    const runsBefore = (await get(`${server.url}/api/runs`, { headers: { cookie } })).ingest.length;
    const generationBefore = server.snapshots.generation;

    let done = false;
    const statuses: number[] = [];
    const load = (async () => {
      while (!done) {
        const r = await fetch(`${server.url}/api/runs`, { headers: { cookie } });
        statuses.push(r.status);
        await r.arrayBuffer();
        const k = await fetch(`${server.url}/api/kpis/goal-achievement?by=domain`, { headers: { cookie } });
        statuses.push(k.status);
        await k.arrayBuffer();
        await new Promise((res) => setTimeout(res, 20));
      }
    })();
    const ingest = await runCli(['ingest', 'crm', '--db', dbPath], project);
    done = true;
    await load;
    expect(ingest.stderr).toBe('');
    expect(ingest.code).toBe(0);
    expect(ingest.stdout).toMatch(/^loaded: pipeline crm/);
    expect(statuses.length).toBeGreaterThan(5);
    expect(new Set(statuses)).toEqual(new Set([200]));

    // the server notices the finished load and swaps in a copy with it
    const runs = await until(async () => {
      const r = await get(`${server.url}/api/runs`, { headers: { cookie } });
      return r.ingest.length > runsBefore ? r : undefined;
    }, 15_000);
    expect(runs.ingest[0]).toMatchObject({ pipeline: 'crm', status: 'succeeded' });
    expect(server.snapshots.generation).toBeGreaterThan(generationBefore);
    const cases = await get(`${server.url}/api/cases?limit=5000`, { headers: { cookie } });
    expect(cases.rows.some((c: { case_id: string }) => c.case_id === 'crm:K1')).toBe(true);
    expect((await get(`${server.url}/api/health`)).status).toBe('ok');
  }, 60_000);

  it('a copy whose KPI facts do not match its data gets them rebuilt before it is served; the file is not touched', async () => {
    const cookie = await signIn();
    const kpiUrl = `${server.url}/api/kpis/goal-achievement?by=none&asOf=${TODAY}`;
    const before = (await get(kpiUrl, { headers: { cookie } })).rows[0];
    const generation = server.snapshots.generation;
    // a goal written straight into the file, as another tool might: the facts there go stale
    const db = await openStore(dbPath);
    const someCase = await db.value<string>('SELECT case_id FROM cases ORDER BY case_id LIMIT 1');
    await db.run("INSERT INTO goals (goal_id, case_id, domain_id, status, achieved_at) VALUES ('test:G-facts', $1, 'housing', 'achieved', DATE '2025-06-01')", [someCase]);
    await db.run('CHECKPOINT');
    db.close();
    await until(async () => (server.snapshots.generation > generation ? true : undefined), 15_000);
    // current in the new copy before any KPI has asked
    expect(await server.snapshots.use((copy) => factsStatus(copy, projectConfig().kpi))).toHaveProperty('info');
    const after = (await get(kpiUrl, { headers: { cookie } })).rows[0];
    expect(after.goals).toBe(before.goals + 1);
    expect(after.achieved).toBe(before.achieved + 1);
    // the server rebuilt them in its copy only
    const file = await Db.open(dbPath, { readOnly: true });
    try {
      expect(await factsStatus(file, projectConfig().kpi)).toEqual({ reason: 'source tables changed outside caselens' });
    } finally {
      file.close();
    }
  }, 30_000);

  it('while a writer holds the file, serves the last consistent copy and says so; picks up the change after', async () => {
    const cookie = await signIn();
    const generation = server.snapshots.generation;
    const writer = await holdWriter(dbPath);
    try {
      const stale = await until(async () => {
        const h = await get(`${server.url}/api/health`);
        return h.stale && h.refreshError ? h : undefined;
      }, 10_000);
      expect(stale.refreshError).toMatch(/being written by another process; serving the last consistent copy/);
      const r = await fetch(`${server.url}/api/kpis/resolution-time`, { headers: { cookie } });
      expect(r.status).toBe(200);
      expect(server.snapshots.generation).toBe(generation);
    } finally {
      expect(await writer.release()).toBe(0);
    }
    await until(async () => (server.snapshots.generation > generation ? true : undefined), 10_000);
    const trail = await get(`${server.url}/api/audit?actor=writer`, { headers: { cookie } });
    expect(trail[0]).toMatchObject({ actor: 'writer', resource: 'held' });
    expect((await get(`${server.url}/api/health`)).status).toBe('ok');
  }, 60_000);

  it('at start, waits for a writer and then refuses with a clear message', async () => {
    const writer = await holdWriter(dbPath);
    try {
      await expect(startServer({ dbPath, config: projectConfig(), port: 0, log: () => undefined, serve: { snapshot: { startWaitSeconds: 0.5 }, audit: { dir: path.join(dir, 'audit2') } } }))
        .rejects.toThrow(/held by another process writing to it \(caselens ingest or score\?\)/);
    } finally {
      await writer.release();
    }
  }, 60_000);
});
