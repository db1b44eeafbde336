/**
 * The sample database for the serve tests: pipelines/sample.yaml ingested and scored offline,
 * built once per `vitest run` (shared by the test files through a folder keyed by the vitest
 * process, guarded by a lock) and copied for tests that write to it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type Config } from '../../src/config/index.ts';
import { loadFramework } from '../../src/frameworks/index.ts';
import { loadPipeline, runPipeline } from '../../src/ingest/index.ts';
import { ensureFacts } from '../../src/kpi/index.ts';
import { createOfflineScorer, runScoring } from '../../src/score/index.ts';
import { openStore } from '../../src/store/index.ts';
import { TEST_IDENTITY_KEY } from '../helpers.ts';

export const ROOT = path.resolve(import.meta.dirname, '..', '..');
/** The sample's data end in 2025; pin "today" so defaults are stable. */
export const TODAY = '2025-12-31';

async function build(dbPath: string): Promise<void> {
  const db = await openStore(dbPath);
  try {
    const pipeline = loadPipeline(path.join(ROOT, 'pipelines', 'sample.yaml'), { baseDir: ROOT });
    await runPipeline({ db, pipeline, identityKey: TEST_IDENTITY_KEY, rejectLimit: 0.05 });
    const loaded = loadFramework(path.join(ROOT, 'frameworks', 'self-sufficiency.yaml'));
    if (!loaded.ok) throw new Error('framework does not load');
    await runScoring({ db, scorer: createOfflineScorer(loaded.framework), framework: loaded.framework });
    // as `caselens ingest` / `score` do: the tests open this file read-only, where facts cannot be built
    await ensureFacts(db, projectConfig().kpi);
  } finally {
    db.close();
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Path of the shared, read-only sample database (built on first use in this test run). */
export async function sampleDb(): Promise<string> {
  const base = path.join(os.tmpdir(), 'caselens-serve-fixture');
  fs.mkdirSync(base, { recursive: true });
  // folders of earlier runs whose vitest process is gone
  for (const d of fs.readdirSync(base)) {
    const pid = Number(d.split('-')[0]);
    if (pid && pid !== process.ppid && !alive(pid)) fs.rmSync(path.join(base, d), { recursive: true, force: true });
  }
  const dir = path.join(base, `${process.ppid}-${process.env.VITEST_POOL_ID ? 'pool' : 'solo'}`);
  const db = path.join(dir, 'sample.duckdb');
  const done = path.join(dir, 'done');
  const lock = path.join(base, `${process.ppid}.lock`);
  for (;;) {
    if (fs.existsSync(done)) return db;
    try {
      fs.mkdirSync(lock);
    } catch {
      await new Promise((r) => setTimeout(r, 200));
      continue;
    }
    try {
      if (!fs.existsSync(done)) {
        fs.rmSync(dir, { recursive: true, force: true });
        fs.mkdirSync(dir, { recursive: true });
        await build(db);
        fs.writeFileSync(done, new Date().toISOString());
      }
    } finally {
      fs.rmSync(lock, { recursive: true, force: true });
    }
  }
}

/** A private copy of the sample database, for tests that write to it. */
export async function sampleDbCopy(into: string): Promise<string> {
  const src = await sampleDb();
  const dst = path.join(into, 'sample.duckdb');
  fs.copyFileSync(src, dst);
  return dst;
}

/** The project config as the server sees it (dashboards, frameworks from the repository). */
export function projectConfig(): Config {
  return loadConfig({ cwd: ROOT, env: {} });
}
