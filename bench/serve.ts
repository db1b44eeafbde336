/**
 * bench/serve: requests per second and latency of the HTTP server on the sample database, with
 * autocannon on loopback. The server runs in its own process (as `caselens serve` would), so
 * the load generator does not share its event loop.
 *
 *   - a KPI endpoint, JSON, cached (the answer for those parameters was computed once per snapshot)
 *   - a dashboard page (Overview, default period), cached per role scope
 *   - first (cold) render times of each page and of an uncached KPI, for context
 *   - token flood: 10,000 bad-token requests on loopback, each from its own client address (so
 *     the per-address lockout does not hide the cost of checking a token), and the p99 latency of
 *     good requests (from another address) during the flood vs idle
 *
 * Goals: ≥ 500 requests/s for cached KPI JSON; p99 ≤ 100 ms for a dashboard page.
 */
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = path.resolve(import.meta.dirname, '..');
const OUT = path.join(ROOT, 'bench', 'out');
const TSX_LOADER = pathToFileURL(path.join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
const TOKEN = 'clt_bench-serve-token-not-a-secret-0001';

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p90: number; p99: number; max: number; average: number };
  throughput: { average: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  duration: number;
}
type Autocannon = (opts: { url: string; connections: number; duration: number; headers?: Record<string, string>; pipelining?: number }) => Promise<AutocannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

export interface ServeBenchOptions {
  /** seconds per measured endpoint */
  duration: number;
  connections: number;
}

export interface EndpointResult {
  url: string;
  connections: number;
  seconds: number;
  requestsPerSec: number;
  requests: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  non2xx: number;
  errors: number;
}

/** The sample database, ingested and scored offline, built once into bench/out/. */
async function ensureDb(): Promise<string> {
  const dbPath = path.join(OUT, 'serve-sample.duckdb');
  const stamp = `${dbPath}.complete`;
  if (fs.existsSync(stamp) && fs.existsSync(dbPath)) return dbPath;
  fs.mkdirSync(OUT, { recursive: true });
  for (const f of [dbPath, `${dbPath}.wal`, stamp]) fs.rmSync(f, { force: true });
  const { loadPipeline, runPipeline } = await import('../src/ingest/index.ts');
  const { openStore } = await import('../src/store/index.ts');
  const { loadFramework } = await import('../src/frameworks/index.ts');
  const { createOfflineScorer, runScoring } = await import('../src/score/index.ts');
  const db = await openStore(dbPath);
  try {
    await runPipeline({ db, pipeline: loadPipeline(path.join(ROOT, 'pipelines', 'sample.yaml'), { baseDir: ROOT }), identityKey: '5eed'.repeat(16), rejectLimit: 0.05 });
    const loaded = loadFramework(path.join(ROOT, 'frameworks', 'self-sufficiency.yaml'));
    if (!loaded.ok) throw new Error('framework does not load');
    await runScoring({ db, scorer: createOfflineScorer(loaded.framework), framework: loaded.framework });
  } finally {
    db.close();
  }
  fs.writeFileSync(stamp, new Date().toISOString());
  return dbPath;
}

/** Child mode: start the server and print its URL. */
async function serveChild(dbPath: string): Promise<void> {
  const { loadConfig } = await import('../src/config/index.ts');
  const { startServer, hashSecret } = await import('../src/serve/index.ts');
  const { sha256TokenHash } = await import('../src/serve/tokens.ts');
  // five users, as a small deployment has: tokens in the sha256: form `caselens user add` writes
  const others = await Promise.all(['ana', 'ben', 'cyd', 'dov'].map(async (name) => ({ name, role: 'evaluator' as const, passwordHash: await hashSecret(`${name}-password-not-a-secret`), tokenHash: sha256TokenHash(`clt_${name}-${crypto.randomBytes(16).toString('hex')}`) })));
  const server = await startServer({
    dbPath, config: loadConfig({ cwd: ROOT }), port: 0, log: () => undefined,
    serve: { demoSignIn: 'on', users: [{ name: 'bench', role: 'admin', tokenHash: sha256TokenHash(TOKEN) }, ...others], audit: { dir: path.join(OUT, 'serve-audit') } },
  });
  process.stdout.write(`URL ${server.url}\n`);
  process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
}

async function timed(url: string, headers: Record<string, string>): Promise<number> {
  const t = performance.now();
  const r = await fetch(url, { headers });
  await r.arrayBuffer();
  if (r.status !== 200) throw new Error(`${url}: HTTP ${r.status}`);
  return Math.round(performance.now() - t);
}

async function measure(url: string, headers: Record<string, string>, opts: ServeBenchOptions): Promise<EndpointResult> {
  const r = await autocannon({ url, connections: opts.connections, duration: opts.duration, headers });
  return {
    url: url.replace(/^http:\/\/[^/]+/, ''), connections: opts.connections, seconds: opts.duration,
    requestsPerSec: Math.round(r.requests.average), requests: r.requests.total,
    p50Ms: r.latency.p50, p90Ms: r.latency.p90, p99Ms: r.latency.p99, maxMs: r.latency.max,
    non2xx: r.non2xx, errors: r.errors + r.timeouts,
  };
}

/** One GET over a new connection from a given loopback address; resolves to [status, ms]. */
function getFrom(url: string, localAddress: string, headers: Record<string, string>): Promise<[number, number]> {
  const t = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.get(url, { localAddress, headers, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve([res.statusCode ?? 0, performance.now() - t]));
    });
    req.on('error', reject);
  });
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! * 10) / 10 : NaN;
};

export interface TokenFloodResult {
  badRequests: number;
  badStatuses: Record<string, number>;
  floodSeconds: number;
  badPerSec: number;
  good: { idle: { n: number; p50Ms: number; p99Ms: number }; flood: { n: number; p50Ms: number; p99Ms: number; non200: number } };
}

/**
 * 10,000 requests with random bad tokens (20 at a time, each from its own 127.x address) while
 * good requests (a valid token, from 127.0.0.2) run one after another; their latency is
 * compared with the same requests on an idle server.
 */
export async function tokenFlood(base: string, opts: { bad?: number; concurrency?: number } = {}): Promise<TokenFloodResult> {
  const url = `${base}/api/me`;
  const good = { authorization: `Bearer ${TOKEN}` };
  const idle: number[] = [];
  for (let i = 0; i < 300; i++) idle.push((await getFrom(url, '127.0.0.2', good))[1]);
  const total = opts.bad ?? 10_000;
  let next = 0;
  const statuses: Record<string, number> = {};
  let flooding = true;
  const started = performance.now();
  const worker = async () => {
    for (let i = next++; i < total; i = next++) {
      const addr = `127.1.${(i >> 8) & 255}.${(i & 255) || 1}`;
      const [status] = await getFrom(url, addr, { authorization: `Bearer clt_${crypto.randomBytes(32).toString('base64url')}` });
      statuses[status] = (statuses[status] ?? 0) + 1;
    }
  };
  const flood = Promise.all(Array.from({ length: opts.concurrency ?? 20 }, worker)).then(() => {
    flooding = false;
  });
  const during: number[] = [];
  let non200 = 0;
  while (flooding) {
    const [status, ms] = await getFrom(url, '127.0.0.2', good);
    if (status !== 200) non200++;
    during.push(ms);
  }
  await flood;
  const floodSeconds = (performance.now() - started) / 1000;
  return {
    badRequests: total, badStatuses: statuses, floodSeconds: Math.round(floodSeconds * 10) / 10, badPerSec: Math.round(total / floodSeconds),
    good: { idle: { n: idle.length, p50Ms: pct(idle, 50), p99Ms: pct(idle, 99) }, flood: { n: during.length, p50Ms: pct(during, 50), p99Ms: pct(during, 99), non200 } },
  };
}

/** The server in a process of its own on the bench database; resolves once it prints its URL. */
async function startServerChild(): Promise<{ child: ReturnType<typeof spawn>; base: string }> {
  const dbPath = await ensureDb();
  const child = spawn(process.execPath, ['--import', TSX_LOADER, path.join(ROOT, 'bench', 'serve.ts'), '--serve-child', dbPath], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const base = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /URL (\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.on('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  return { child, base };
}

export async function benchServe(opts: ServeBenchOptions = { duration: 10, connections: 10 }) {
  const { child, base } = await startServerChild();
  try {
    const login = await fetch(`${base}/login`, { method: 'POST', body: new URLSearchParams({ mode: 'demo', role: 'evaluator' }), redirect: 'manual' });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const bearer = { authorization: `Bearer ${TOKEN}` };
    const kpiUrl = `${base}/api/kpis/goal-achievement?from=2025-01-01&to=2025-06-30&by=domain`;
    const pageUrl = `${base}/d/overview`;
    const cold = {
      kpiMs: await timed(kpiUrl, bearer),
      overviewMs: await timed(pageUrl, { cookie }),
      outcomesMs: await timed(`${base}/d/outcomes`, { cookie }),
      funderReportMs: await timed(`${base}/d/funder`, { cookie }),
      uncachedKpiMs: await timed(`${base}/api/kpis/documentation-completeness?from=2025-02-01&to=2025-07-31&by=program`, bearer),
    };
    const warm = { kpiMs: await timed(kpiUrl, bearer), overviewMs: await timed(pageUrl, { cookie }) };
    const kpi = await measure(kpiUrl, bearer, opts);
    const page = await measure(pageUrl, { cookie }, opts);
    const flood = await tokenFlood(base);
    const result = {
      date: new Date().toISOString(),
      machine: `${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`,
      database: 'pipelines/sample.yaml ingested and scored offline (1,500 clients, 2,127 cases, ~15,000 notes)',
      cold, warm, kpi, page, tokenFlood: flood,
      goals: { kpiRequestsPerSec: 500, pageP99Ms: 100 },
      pass: kpi.requestsPerSec >= 500 && page.p99Ms <= 100 && kpi.non2xx === 0 && page.non2xx === 0 && kpi.errors === 0 && page.errors === 0,
    };
    fs.mkdirSync(OUT, { recursive: true });
    fs.writeFileSync(path.join(OUT, 'serve.json'), JSON.stringify(result, null, 2));
    return result;
  } finally {
    child.kill('SIGTERM');
  }
}

const invokedDirectly = process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename);
if (invokedDirectly) {
  const i = process.argv.indexOf('--serve-child');
  if (i >= 0) {
    await serveChild(process.argv[i + 1]!);
  } else if (process.argv.includes('--token-flood')) {
    // only the token-flood case
    const { child, base } = await startServerChild();
    try {
      const r = { date: new Date().toISOString(), machine: `${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}, Node ${process.version}`, load: os.loadavg().map((x) => x.toFixed(1)).join(' '), ...(await tokenFlood(base)) };
      console.log(JSON.stringify(r, null, 2));
    } finally {
      child.kill('SIGTERM');
    }
  } else {
    const quick = process.argv.includes('--quick');
    const r = await benchServe(quick ? { duration: 3, connections: 10 } : { duration: 10, connections: 10 });
    console.log(JSON.stringify(r, null, 2));
  }
}
