/**
 * The database bench/kpi.ts measures: the generated sample (every table, not just the ones the
 * ingest bench loads) through the real pipeline, plus narrative tags made from the generator's
 * planted truth so the narrative-evidence KPI has a realistic workload.
 */
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { loadPipeline, runPipeline } from '../src/ingest/index.ts';
import { generateSample } from '../src/sample/index.ts';
import { openStore } from '../src/store/index.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
export const BENCH_OUT = path.join(ROOT, 'bench', 'out');
const IDENTITY_KEY = '7e57'.repeat(16);

export interface KpiDataOptions { clients: number; notes: number; seed: number }

async function ensureCsv(opts: KpiDataOptions): Promise<string> {
  const dir = path.join(BENCH_OUT, `ingest-data-${opts.clients}-${opts.notes}-${opts.seed}`);
  const stamp = path.join(dir, '.complete');
  if (!fs.existsSync(stamp)) {
    fs.rmSync(dir, { recursive: true, force: true });
    const t = performance.now();
    await generateSample({ clients: opts.clients, notes: opts.notes, seed: opts.seed, outDir: dir });
    fs.writeFileSync(stamp, `${((performance.now() - t) / 1000).toFixed(1)}s\n`);
  }
  return dir;
}

/** Builds (once) bench/out/kpi-<clients>-<notes>-<seed>.duckdb and returns its path. */
export async function ensureKpiDb(opts: KpiDataOptions, log: (s: string) => void = () => {}): Promise<string> {
  fs.mkdirSync(BENCH_OUT, { recursive: true });
  const dbPath = path.join(BENCH_OUT, `kpi-${opts.clients}-${opts.notes}-${opts.seed}.duckdb`);
  const stamp = `${dbPath}.complete`;
  if (fs.existsSync(stamp) && fs.existsSync(dbPath)) return dbPath;
  const dataDir = await ensureCsv(opts);
  for (const f of [dbPath, `${dbPath}.wal`, stamp]) fs.rmSync(f, { force: true });

  const sample = YAML.parse(fs.readFileSync(path.join(ROOT, 'pipelines', 'sample.yaml'), 'utf8'));
  sample.id = 'bench-kpi';
  sample.sources = sample.sources.map((s: { path: string }) => ({ ...s, path: path.join(dataDir, path.basename(s.path)) }));
  const pipelineFile = path.join(BENCH_OUT, 'bench-kpi.yaml');
  fs.writeFileSync(pipelineFile, YAML.stringify(sample));

  const db = await openStore(dbPath);
  try {
    const t = performance.now();
    log(`loading ${dataDir} into ${dbPath} …`);
    const pipeline = loadPipeline(pipelineFile, { baseDir: ROOT });
    const report = await runPipeline({ db, pipeline, identityKey: IDENTITY_KEY, rejectLimit: 0.05, memoryLimit: '4GB' });
    log(`loaded ${report.totals.loaded.toLocaleString()} rows (${report.totals.rejected} rejected) in ${((performance.now() - t) / 1000).toFixed(1)} s`);

    // Narrative tags from the planted truth: every current/historical/negated mention becomes a
    // tag; about one in eight loses its citation (the KPI must ignore tags without one).
    const truth = path.join(dataDir, 'truth', 'notes_truth.csv').replaceAll("'", "''");
    await db.run(`INSERT INTO score_runs (run_id, started_at, finished_at, status, scorer, model, prompt_version, framework_id, framework_version)
      VALUES (1, now(), now(), 'succeeded', 'offline', 'truth', 'bench', 'self-sufficiency', '1.0.0')`);
    await db.run(`CREATE TEMP TABLE truth AS
      SELECT row_number() OVER () AS i, 'sample:' || note_key AS note_id, domain, direction, status, evidence
      FROM read_csv('${truth}', header = true, all_varchar = true)`);
    await db.run(`INSERT INTO note_tags
      SELECT 'T' || t.i, t.note_id, n.text_sha256, 1, 'self-sufficiency', '1.0.0', 'offline', 'truth', 'bench',
             t.domain, NULL, t.direction, NULL, t.status, 0.9
      FROM truth t JOIN notes n USING (note_id)`);
    await db.run(`INSERT INTO tag_citations
      SELECT 'T' || t.i, t.note_id, instr(n.text, t.evidence) - 1, instr(n.text, t.evidence) - 1 + length(t.evidence), t.evidence, 'exact', 1
      FROM truth t JOIN notes n USING (note_id)
      WHERE t.i % 8 <> 0 AND instr(n.text, t.evidence) > 0`);
    await db.run('CHECKPOINT');
    log(`tags: ${await db.value<number>('SELECT count(*) FROM note_tags')}, citations: ${await db.value<number>('SELECT count(*) FROM tag_citations')}`);
  } finally {
    db.close();
  }
  fs.writeFileSync(stamp, new Date().toISOString());
  return dbPath;
}
