/**
 * bench/serve: requests per second and latency of the HTTP server on the sample database, with
 * autocannon on loopback. The server runs in its own process (as `caselens serve` would), so
 * the load generator does not share its event loop.
 *
 *   - a KPI endpoint, JSON, cached (the answer for those parameters was computed once per snapshot)
 *   - a dashboard page (Overview, default period), cached per role scope
 *   - first (cold) render times of each page and of an uncached KPI, for context
 *
 * Goals: ≥ 500 requests/s for cached KPI JSON; p99 ≤ 100 ms for a dashboard page.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
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
  const server = await startServer({
    dbPath, config: loadConfig({ cwd: ROOT }), port: 0, log: () => undefined,
    serve: { demoSignIn: 'on', users: [{ name: 'bench', role: 'admin', tokenHash: await hashSecret(TOKEN) }], audit: { dir: path.join(OUT, 'serve-audit') } },
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

export async function benchServe(opts: ServeBenchOptions = { duration: 10, connections: 10 }) {
  const dbPath = await ensureDb();
  const child = spawn(process.execPath, ['--import', TSX_LOADER, path.join(ROOT, 'bench', 'serve.ts'), '--serve-child', dbPath], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const base = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
        const m = /URL (\S+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      child.on('exit', (code) => reject(new Error(`server exited with ${code}`)));
    });
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
    const result = {
      date: new Date().toISOString(),
      machine: `${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`,
      database: 'pipelines/sample.yaml ingested and scored offline (1,500 clients, 2,127 cases, ~15,000 notes)',
      cold, warm, kpi, page,
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
  } else {
    const quick = process.argv.includes('--quick');
    const r = await benchServe(quick ? { duration: 3, connections: 10 } : { duration: 10, connections: 10 });
    console.log(JSON.stringify(r, null, 2));
  }
}
