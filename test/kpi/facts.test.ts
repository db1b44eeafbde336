/**
 * The KPI facts are derived data: these tests check that they never answer for data they do
 * not match. Every way the canonical tables change (a re-load that only updates rows, a scoring
 * run, a direct insert, a different KPI config) must show up in the next KPI, and a read-only
 * database with stale facts must refuse rather than answer.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { loadFramework } from '../../src/frameworks/index.ts';
import { defaultKpiConfig, ensureFacts, FACT_TABLES, factsStatus, refreshFacts, runKpi, type KpiRow } from '../../src/kpi/index.ts';
import { createOfflineScorer, runScoring } from '../../src/score/index.ts';
import { Db, openStore } from '../../src/store/index.ts';
import { CLEAN, cleanPipeline, ingest, tempDir, writeFiles, writePipeline } from '../helpers.ts';
import { runMain as run } from '../support/main.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const OPTS = { today: '2024-12-31' };

function project(files: Record<string, string> = CLEAN) {
  const dir = tempDir('caselens-facts-');
  writeFiles(dir, files);
  const pipeline = writePipeline(dir, 'crm', cleanPipeline());
  return { dir, pipeline, dbPath: path.join(dir, 'db.duckdb') };
}

/** The CLEAN programme loaded into a new database file, for `fn`. */
async function withLoaded(fn: (db: Db, p: ReturnType<typeof project>) => Promise<void>): Promise<void> {
  const p = project();
  const db = await openStore(p.dbPath);
  try {
    await ingest(db, p.dir, p.pipeline);
    await fn(db, p);
  } finally {
    db.close();
  }
}

const total = (rows: KpiRow[]) => rows.find((r) => r.is_total === true)!;

async function goals(db: Db, config?: Parameters<typeof defaultKpiConfig>[0]) {
  const r = await runKpi(db, 'goal-achievement', { by: 'none' }, { ...OPTS, ...(config ? { config } : {}) });
  return total(r.rows);
}

describe('KPI facts stay in step with the canonical tables', () => {
  it('a re-load that only updates a row (same row counts) is seen by the next KPI', async () => {
    await withLoaded(async (db, p) => {
    // CLEAN: G1 achieved, G2 still active (not final) → 1 goal, 1 achieved
    expect(await goals(db)).toMatchObject({ goals: 1, achieved: 1 });
    fs.writeFileSync(path.join(p.dir, 'goals.csv'), CLEAN['goals.csv'].replace('G2,K2,income,2024-03-02,active,', 'G2,K2,income,2024-03-02,not_achieved,'));
    const report = await ingest(db, p.dir, p.pipeline);
    expect(report.sources.find((s) => s.table === 'goals')).toMatchObject({ updated: 1, inserted: 0 });
    // G2 is now final and not achieved; the row counts are unchanged, only the stale mark tells
    expect(await goals(db)).toMatchObject({ goals: 2, achieved: 1, rate: 0.5 });
    });
  });

  it('a row written straight into a table, without marking the facts, is caught by the row counts', async () => {
    await withLoaded(async (db) => {
    expect(await goals(db)).toMatchObject({ goals: 1 });
    await db.run("INSERT INTO goals (goal_id, case_id, domain_id, status, achieved_at) VALUES ('x:G9', 'crm:K2', 'income', 'achieved', '2024-04-01')");
    expect(await goals(db)).toMatchObject({ goals: 2, achieved: 2 });
    });
  });

  it('a row deleted straight from a table, without marking the facts, is caught by the exact row counts', async () => {
    await withLoaded(async (db) => {
    expect(await goals(db)).toMatchObject({ goals: 1, achieved: 1 });
    await db.run("DELETE FROM goals WHERE goal_id = 'crm:G1'");
    expect(await goals(db)).toMatchObject({ goals: 0, achieved: 0 });
    });
  });

  it('a copy of the database (as the server takes) carries current facts: nothing to rebuild', async () => {
    const p = project();
    const db = await openStore(p.dbPath);
    await ingest(db, p.dir, p.pipeline);
    await db.run("DELETE FROM goals WHERE goal_id = 'crm:G2'"); // deleted rows must not unsettle the counts
    await refreshFacts(db, defaultKpiConfig());
    db.close();
    const copy = await Db.open(':memory:');
    try {
      await copy.run(`ATTACH '${p.dbPath.replaceAll("'", "''")}' AS src (READ_ONLY)`);
      await copy.run('COPY FROM DATABASE src TO memory');
      await copy.run('DETACH src');
      expect(await ensureFacts(copy, defaultKpiConfig())).toMatchObject({ rebuilt: false });
    } finally {
      copy.close();
    }
  });

  it('a scoring run marks them stale in its own transaction, and narrative evidence follows', async () => {
    await withLoaded(async (db) => {
    const directions = ['strength', 'concern', 'improvement', 'deterioration'];
    const before = total((await runKpi(db, 'narrative-evidence', {}, OPTS)).rows);
    for (const d of directions) expect(before[`clients_${d}`]).toBe(0);
    // nothing scored yet, yet the three clients (C1 twice) with cases open by then are active
    expect(before).toMatchObject({ active_clients: 3, share_strength: 0 });
    expect(await db.value('SELECT stale FROM kpi_facts_state')).toBe(false);
    const loaded = loadFramework(path.join(ROOT, 'frameworks', 'self-sufficiency.yaml'));
    if (!loaded.ok) throw new Error('framework does not load');
    const s = await runScoring({ db, scorer: createOfflineScorer(loaded.framework), framework: loaded.framework });
    expect(s.tags).toBeGreaterThan(0);
    expect(await db.value('SELECT stale FROM kpi_facts_state')).toBe(true);
    const after = total((await runKpi(db, 'narrative-evidence', {}, OPTS)).rows);
    let any = 0;
    for (const d of directions) {
      const cited = await db.value<number>(
        `SELECT count(DISTINCT n.client_id) FROM note_tags t JOIN notes n USING (note_id)
         WHERE t.direction = $1 AND t.status = 'current' AND t.tag_id IN (SELECT tag_id FROM tag_citations)`,
        [d],
      );
      expect(after[`clients_${d}`]).toBe(cited);
      any += cited;
    }
    expect(any).toBeGreaterThan(0);
    expect(await db.value('SELECT stale FROM kpi_facts_state')).toBe(false);
    });
  });

  it('a different KPI config (status lists baked into the facts) rebuilds them, and back', async () => {
    await withLoaded(async (db) => {
    expect(await goals(db)).toMatchObject({ goals: 1, achieved: 1 });
    // counting active goals as final-not-achieved: G2 joins the denominator
    const wider = { goals: { achievedStatuses: ['achieved'], notAchievedStatuses: ['not_achieved', 'active'] } };
    expect(await goals(db, wider)).toMatchObject({ goals: 2, achieved: 1 });
    expect(await factsStatus(db, defaultKpiConfig())).toEqual({ reason: 'KPI settings or the facts definitions changed' });
    expect(await goals(db)).toMatchObject({ goals: 1, achieved: 1 });
    });
  });

  it('the per-connection shortcut never hides a write made through the same connection', async () => {
    await withLoaded(async (db) => {
    const config = defaultKpiConfig();
    expect((await ensureFacts(db, config)).rebuilt).toBe(true);
    expect((await ensureFacts(db, config)).rebuilt).toBe(false);
    await db.run("UPDATE cases SET closed_at = DATE '2024-04-01' WHERE case_id = 'crm:K2'");
    // same sizes and no mark: an update behind caselens' back is the one change not detected,
    // which is why every writer in caselens marks the facts
    expect((await ensureFacts(db, config)).rebuilt).toBe(false);
    await db.run('UPDATE kpi_facts_state SET stale = true');
    expect(await ensureFacts(db, config)).toMatchObject({ rebuilt: true, reason: 'source tables changed' });
    });
  });

  it('read-only with stale facts: refused with the command that fixes it; once refreshed: answered', async () => {
    const p = project();
    let db = await openStore(p.dbPath);
    await ingest(db, p.dir, p.pipeline);
    db.close();
    db = await Db.open(p.dbPath, { readOnly: true });
    try {
      await expect(runKpi(db, 'goal-achievement', {}, OPTS)).rejects.toThrow(/KPI facts .* out of date \(never built\) .* read-only: run `caselens facts refresh --db /);
    } finally {
      db.close();
    }
    db = await openStore(p.dbPath);
    const refreshed = await refreshFacts(db, defaultKpiConfig());
    expect(refreshed.info.clients).toBe(3);
    db.close();
    db = await Db.open(p.dbPath, { readOnly: true });
    try {
      expect(await goals(db)).toMatchObject({ goals: 1, achieved: 1, clients: 1 });
    } finally {
      db.close();
    }
  });

  it('an empty database has facts too: every grouping enum gets a placeholder, KPIs return zeros', async () => {
    const db = await openStore(':memory:');
    try {
      const r = await ensureFacts(db, defaultKpiConfig());
      expect(r).toMatchObject({ rebuilt: true, info: { clients: 0 } });
      // docs/kpis.md describes every fact table there is
      const built = await db.all<{ t: string }>("SELECT table_name AS t FROM duckdb_tables() WHERE starts_with(table_name, 'kpi_fact_') ORDER BY 1");
      expect(built.map((x) => x.t)).toEqual(FACT_TABLES.map(([t]) => t).sort());
      expect(await goals(db)).toMatchObject({ goals: 0, achieved: 0, clients: 0, rate: null });
    } finally {
      db.close();
    }
  });
});

describe('caselens facts, and loading commands rebuilding them', () => {
  it('ingest rebuilds them; status says they are current; a write makes them stale; refresh rebuilds', async () => {
    const dir = tempDir('caselens-facts-cli-');
    writeFiles(dir, CLEAN);
    fs.mkdirSync(path.join(dir, 'pipelines'));
    writePipeline(path.join(dir, 'pipelines'), 'crm', cleanPipeline());
    fs.writeFileSync(path.join(dir, 'caselens.config.yaml'), YAML.stringify({ database: 'db.duckdb', identity: { keyFile: 'identity.key' } }));
    const loaded = await run(['ingest', 'crm'], dir);
    expect(loaded.code).toBe(0);
    expect(loaded.out).toMatch(/KPI facts rebuilt in \d+\.\d s \(never built\)/);
    expect((await run(['facts'], dir)).out).toBe('KPI facts are current: 3 clients');
    const db = await openStore(path.join(dir, 'db.duckdb'));
    await db.run('UPDATE kpi_facts_state SET stale = true');
    db.close();
    const stale = await run(['facts', 'status', '--json'], dir);
    expect(JSON.parse(stale.out)).toEqual({ reason: 'source tables changed' });
    const refreshed = await run(['facts', 'refresh'], dir);
    expect(refreshed.code).toBe(0);
    expect(refreshed.out).toMatch(/^KPI facts rebuilt in \d+\.\d s: 3 clients$/);
    expect(JSON.parse((await run(['facts', 'status', '--json'], dir)).out)).toMatchObject({ info: { clients: 3 } });
    // migrate (what an upgrade runs) leaves the facts built, so the server need not build them per snapshot
    const db2 = await openStore(path.join(dir, 'db.duckdb'));
    await db2.run('UPDATE kpi_facts_state SET stale = true');
    db2.close();
    const migrated = await run(['migrate'], dir);
    expect(migrated.out).toMatch(/^database at schema version \d+\nKPI facts rebuilt in \d+\.\d s \(source tables changed\)$/);
    expect((await run(['facts'], dir)).out).toBe('KPI facts are current: 3 clients');
    const bad = await run(['facts', 'rebuild'], dir);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('unknown facts action "rebuild"');
  });
});
