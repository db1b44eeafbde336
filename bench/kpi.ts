/**
 * bench/kpi: every KPI through `runKpi` (parameter validation, SQL, result shaping) on a
 * generated programme of ~200,000 cases and 1,000,000 notes, beside a hand-written DuckDB
 * query for the same figures, measured in the same run, interleaved, median of several runs.
 *
 * The database is the generated sample loaded through the real pipeline (every table, not only
 * the ones the ingest bench loads), plus narrative tags made from the generator's planted truth
 * so the narrative-evidence KPI has realistic work to do. It is built once into bench/out/.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureData } from './ingest.ts';
import YAML from 'yaml';
import { loadPipeline, runPipeline } from '../src/ingest/index.ts';
import { defaultKpiConfig, refreshFacts, runKpi } from '../src/kpi/index.ts';
import { openStore, type Db } from '../src/store/index.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const OUT = path.join(ROOT, 'bench', 'out');
const IDENTITY_KEY = '7e57'.repeat(16);
const AS_OF = '2025-10-31'; // the generated history ends here

export interface KpiBenchOptions {
  clients: number;
  notes: number;
  seed: number;
  /** timed runs per KPI and per reference (after one warm-up each) */
  runs: number;
  log?: (s: string) => void;
}

// ---------------------------------------------------------------------------------------------
// data

function ensureCsv(opts: KpiBenchOptions): Promise<string> {
  return ensureData(opts);
}

/** Builds (once) bench/out/kpi-<clients>-<notes>-<seed>.duckdb and returns its path. */
export async function ensureKpiDb(opts: KpiBenchOptions): Promise<string> {
  const log = opts.log ?? (() => {});
  fs.mkdirSync(OUT, { recursive: true });
  const dbPath = path.join(OUT, `kpi-${opts.clients}-${opts.notes}-${opts.seed}.duckdb`);
  const stamp = `${dbPath}.complete`;
  if (fs.existsSync(stamp) && fs.existsSync(dbPath)) return dbPath;
  const dataDir = await ensureCsv(opts);
  for (const f of [dbPath, `${dbPath}.wal`, stamp]) fs.rmSync(f, { force: true });

  const sample = YAML.parse(fs.readFileSync(path.join(ROOT, 'pipelines', 'sample.yaml'), 'utf8'));
  sample.id = 'bench-kpi';
  sample.sources = sample.sources.map((s: { path: string }) => ({ ...s, path: path.join(dataDir, path.basename(s.path)) }));
  const pipelineFile = path.join(OUT, 'bench-kpi.yaml');
  fs.writeFileSync(pipelineFile, YAML.stringify(sample));

  const db = await openStore(dbPath);
  try {
    const t = performance.now();
    log(`loading ${path.relative(ROOT, dataDir)} into ${path.relative(ROOT, dbPath)} …`);
    const report = await runPipeline({ db, pipeline: loadPipeline(pipelineFile, { baseDir: ROOT }), identityKey: IDENTITY_KEY, rejectLimit: 0.05, memoryLimit: '4GB' });
    log(`loaded ${report.totals.loaded.toLocaleString()} rows (${report.totals.rejected} rejected) in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    // Narrative tags from the planted truth: one tag per planted mention (current, historical,
    // negated); one in eight loses its citation, which the KPI must ignore.
    const truth = path.join(dataDir, 'truth', 'notes_truth.csv').replaceAll("'", "''");
    await db.run(`INSERT INTO score_runs (run_id, started_at, finished_at, status, scorer, model, prompt_version, framework_id, framework_version)
      VALUES (1, now(), now(), 'succeeded', 'offline', 'truth', 'bench', 'self-sufficiency', '1.0.0')`);
    await db.run(`CREATE TEMP TABLE truth AS
      SELECT row_number() OVER () AS i, '${sample.system}:' || note_key AS note_id, domain, direction, status, evidence
      FROM read_csv('${truth}', header = true, all_varchar = true)`);
    await db.run(`INSERT INTO note_tags (tag_id, note_id, text_sha256, run_id, framework_id, framework_version, scorer, model, prompt_version, domain_id, indicator_id, direction, level, status, confidence)
      SELECT 'T' || t.i, t.note_id, n.text_sha256, 1, 'self-sufficiency', '1.0.0', 'offline', 'truth', 'bench', t.domain, NULL, t.direction, NULL, t.status, 0.9
      FROM truth t JOIN notes n USING (note_id)`);
    await db.run(`INSERT INTO tag_citations (tag_id, note_id, start_offset, end_offset, quote, match, similarity)
      SELECT 'T' || t.i, t.note_id, instr(n.text, t.evidence) - 1, instr(n.text, t.evidence) - 1 + length(t.evidence), t.evidence, 'exact', 1
      FROM truth t JOIN notes n USING (note_id)
      WHERE t.i % 8 <> 0 AND instr(n.text, t.evidence) > 0`);
    await db.run('CHECKPOINT');
  } finally {
    db.close();
  }
  fs.writeFileSync(stamp, new Date().toISOString());
  return dbPath;
}

// ---------------------------------------------------------------------------------------------
// hand-written references: the same figures, written the way one would by hand

interface Case {
  label: string;
  kpi: string;
  params: Record<string, unknown>;
  /** goal for the KPI's median */
  goalMs: number;
  reference: string;
  /** run as for a funder: disclosure control, with the hidden client counts it needs */
  suppress?: boolean;
}

const H1 = { from: '2025-01-01', to: '2025-06-30' };

/** goal-achievement by domain, by hand over the canonical tables, with `extra` figures. */
function goalReference(extra: string): string {
  return `SELECT g.domain_id, count(*) AS goals, count(DISTINCT c.client_id) AS clients,
        count(*) FILTER (WHERE g.status = 'achieved') AS achieved, ${extra}
      FROM goals g JOIN cases c USING (case_id)
      WHERE g.status IN ('achieved', 'not_achieved')
        AND (CASE WHEN g.status = 'achieved' THEN coalesce(g.achieved_at, c.closed_at, g.target_at) ELSE coalesce(c.closed_at, g.target_at) END) <= DATE '${AS_OF}'
      GROUP BY ROLLUP (g.domain_id)`;
}

interface RefPeriod {
  from?: string;
  to?: string;
  asOf?: string;
  program?: string;
}

/** documentation-completeness by manager, by hand over the canonical tables (30 / 30 / 3 days). */
function documentationReference({ from, to, asOf = AS_OF }: RefPeriod = {}): string {
  const last = to !== undefined && to < asOf ? to : asOf;
  return `WITH k AS (
        SELECT c.case_id, c.client_id, c.manager_id,
          NOT EXISTS (SELECT 1 FROM assessments a WHERE a.case_id = c.case_id AND a.administered_at BETWEEN c.opened_at - 30 AND c.opened_at + 30 AND a.administered_at <= DATE '${asOf}')
            AND c.opened_at + 30 <= DATE '${asOf}' AS no_baseline,
          NOT EXISTS (SELECT 1 FROM goals g WHERE g.case_id = c.case_id AND (g.set_at IS NULL OR g.set_at <= DATE '${asOf}')) AND c.opened_at + 30 <= DATE '${asOf}' AS no_goal,
          c.case_id IN (
            SELECT s.case_id FROM services s
            WHERE s.status = 'delivered' AND s.delivered_at::DATE + 3 <= DATE '${asOf}' AND s.delivered_at::DATE <= DATE '${last}'
              ${from ? `AND s.delivered_at::DATE >= DATE '${from}'` : ''}
              AND NOT EXISTS (SELECT 1 FROM notes n WHERE n.case_id = s.case_id AND n.written_at >= s.delivered_at AND n.written_at < s.delivered_at::DATE + 4)
          ) AS missing_notes,
          c.closed_at <= DATE '${asOf}' AND nullif(trim(c.closure_reason), '') IS NULL AS no_reason
        FROM cases c WHERE c.opened_at <= DATE '${last}' ${from ? `AND coalesce(c.closed_at, 'infinity'::DATE) >= DATE '${from}'` : ''})
      SELECT manager_id, count(*) AS cases, count(DISTINCT client_id) AS clients,
        count(*) FILTER (WHERE NOT (no_baseline OR no_goal OR missing_notes OR coalesce(no_reason, false))) AS complete,
        count(*) FILTER (WHERE no_baseline) AS no_baseline, count(*) FILTER (WHERE no_goal) AS no_goal,
        count(*) FILTER (WHERE missing_notes) AS missing_notes, count(*) FILTER (WHERE no_reason) AS no_reason
      FROM k GROUP BY ROLLUP (manager_id)`;
}

/** change-from-baseline, by hand over the canonical tables: client units, latest follow-up, window ±30 days. */
function changeReference({ from, to, asOf = AS_OF, program }: RefPeriod = {}): string {
  const cases = [`c.opened_at <= DATE '${asOf}'`, ...(from ? [`c.opened_at >= DATE '${from}'`] : []), ...(to ? [`c.opened_at <= DATE '${to}'`] : []), ...(program ? [`c.program_id = '${program}'`] : [])];
  return `WITH a AS (
        SELECT c.case_id, c.client_id, c.opened_at, x.instrument_id, CASE WHEN x.instrument_id = 'ssm' THEN x.domain_id END AS domain_id,
          x.administered_at, x.assessment_id, x.total_score
        FROM assessments x JOIN cases c USING (case_id)
        WHERE x.total_score IS NOT NULL AND x.administered_at <= DATE '${asOf}' AND ${cases.join(' AND ')}),
      ep AS (
        SELECT case_id, any_value(client_id) AS client_id, any_value(opened_at) AS opened_at, instrument_id, domain_id,
          min(administered_at) FILTER (WHERE administered_at BETWEEN opened_at - 30 AND opened_at + 30) AS base_at,
          arg_min(total_score, (administered_at, assessment_id)) FILTER (WHERE administered_at BETWEEN opened_at - 30 AND opened_at + 30) AS base,
          max(administered_at) AS last_at, arg_max(total_score, (administered_at, assessment_id)) AS last
        FROM a GROUP BY case_id, instrument_id, domain_id),
      u AS (
        SELECT * FROM (SELECT *, CASE WHEN last_at > base_at THEN last END AS follow FROM ep)
        QUALIFY row_number() OVER (PARTITION BY client_id, instrument_id, domain_id ORDER BY base IS NULL, opened_at, case_id) = 1),
      r(instrument_id, rc, sgn, cutoff) AS (VALUES ('phq9', 6, -1, 10), ('gad7', 4, -1, 8), ('ssm', 1, 1, NULL))
      SELECT u.instrument_id, u.domain_id,
        count(*) FILTER (WHERE follow IS NOT NULL AND base IS NOT NULL) AS paired,
        avg(base) FILTER (WHERE follow IS NOT NULL AND base IS NOT NULL) AS baseline_mean, stddev_samp(base) FILTER (WHERE follow IS NOT NULL AND base IS NOT NULL) AS baseline_sd,
        avg(follow) FILTER (WHERE base IS NOT NULL) AS followup_mean, stddev_samp(follow) FILTER (WHERE base IS NOT NULL) AS followup_sd,
        avg(follow - base) AS mean_change, stddev_samp(follow - base) AS sd_change,
        count(*) FILTER (WHERE r.sgn * (follow - base) >= r.rc) AS improved, count(*) FILTER (WHERE abs(follow - base) < r.rc) AS unchanged,
        count(*) FILTER (WHERE r.sgn * (follow - base) <= -r.rc) AS deteriorated,
        count(*) FILTER (WHERE base >= r.cutoff AND follow IS NOT NULL) AS above_cutoff, count(*) FILTER (WHERE base >= r.cutoff AND follow < r.cutoff) AS moved_below,
        count(*) FILTER (WHERE base IS NOT NULL AND follow IS NULL) AS baseline_only, avg(base) FILTER (WHERE base IS NOT NULL AND follow IS NULL) AS baseline_only_mean,
        var_samp(base) FILTER (WHERE base IS NOT NULL AND follow IS NULL) AS baseline_only_var, count(*) FILTER (WHERE base IS NULL) AS no_baseline
      FROM u LEFT JOIN r USING (instrument_id) GROUP BY u.instrument_id, u.domain_id`;
}

export const CASES: Case[] = [
  {
    label: 'resolution-time (by programme)',
    kpi: 'resolution-time',
    params: { asOf: AS_OF },
    goalMs: 50,
    reference: `SELECT program_id, count(*) AS cases, count(DISTINCT client_id) AS clients,
        median(closed_at - opened_at) AS median_days, avg(closed_at - opened_at) AS mean_days, quantile_cont(closed_at - opened_at, 0.9) AS p90_days
      FROM cases WHERE closed_at IS NOT NULL AND closed_at >= opened_at AND closed_at <= DATE '${AS_OF}'
      GROUP BY ROLLUP (program_id)`,
  },
  {
    label: 'goal-achievement (by domain)',
    kpi: 'goal-achievement',
    params: { asOf: AS_OF },
    goalMs: 50,
    reference: goalReference("count(*) FILTER (WHERE g.status = 'achieved') / count(*) AS rate"),
  },
  {
    label: 'caseload (as of a date)',
    kpi: 'caseload',
    params: { asOf: AS_OF },
    goalMs: 50,
    reference: `WITH o AS (SELECT manager_id, count(*) AS n FROM cases WHERE opened_at <= DATE '${AS_OF}' AND coalesce(closed_at, 'infinity'::DATE) > DATE '${AS_OF}' GROUP BY manager_id),
      m AS (
        SELECT coalesce(o.manager_id, s.staff_id) AS manager_id, s.name, coalesce(o.n, 0) AS open_cases,
          CASE WHEN coalesce(o.manager_id, s.staff_id) IS NOT NULL THEN coalesce(s.caseload_capacity, 25) END AS capacity
        FROM o FULL JOIN (SELECT * FROM staff WHERE role = 'manager' OR caseload_capacity > 0) s ON s.staff_id = o.manager_id)
      SELECT manager_id, name, open_cases, capacity, open_cases > capacity AS over_capacity FROM m
      UNION ALL SELECT NULL, 'All', sum(open_cases), sum(capacity), NULL FROM m
      ORDER BY name`,
  },
  {
    label: 'caseload-series (24 months)',
    kpi: 'caseload-series',
    params: { from: '2023-11-01', to: AS_OF },
    goalMs: 300,
    reference: `WITH months AS (SELECT last_day(m)::DATE AS d FROM range(DATE '2023-11-01', DATE '2025-11-01', INTERVAL 1 MONTH) r(m)),
      snap AS (SELECT m.d, c.manager_id, count(*) AS n FROM months m JOIN cases c ON c.opened_at <= m.d AND coalesce(c.closed_at, 'infinity'::DATE) > m.d GROUP BY ALL)
      SELECT snap.d, snap.manager_id, s.name, snap.n AS open_cases, coalesce(s.caseload_capacity, 25) AS capacity, snap.n > coalesce(s.caseload_capacity, 25) AS over_capacity
      FROM snap LEFT JOIN staff s ON s.staff_id = snap.manager_id
      UNION ALL SELECT d, NULL, 'All', sum(n), NULL, NULL FROM snap GROUP BY d
      ORDER BY 1, 2 NULLS FIRST`,
  },
  {
    label: 'followup-compliance (by programme)',
    kpi: 'followup-compliance',
    params: { asOf: AS_OF },
    goalMs: 50,
    reference: `WITH f AS (
        SELECT c.program_id, c.client_id,
          CASE WHEN f.completed_at <= DATE '${AS_OF}' AND f.completed_at <= f.due_at + 7 THEN 'on_time'
               WHEN f.completed_at <= DATE '${AS_OF}' THEN 'late'
               WHEN f.due_at + 7 <= DATE '${AS_OF}' THEN 'overdue' ELSE 'pending' END AS outcome
        FROM followups f JOIN cases c USING (case_id) WHERE f.due_at <= DATE '${AS_OF}')
      SELECT program_id, count(*) FILTER (WHERE outcome <> 'pending') AS assessed, count(DISTINCT client_id) FILTER (WHERE outcome <> 'pending') AS clients,
        count(*) FILTER (WHERE outcome = 'on_time') AS on_time, count(*) FILTER (WHERE outcome = 'late') AS late, count(*) FILTER (WHERE outcome = 'overdue') AS overdue,
        count(*) FILTER (WHERE outcome = 'on_time') / count(*) FILTER (WHERE outcome <> 'pending') AS rate, count(*) FILTER (WHERE outcome = 'pending') AS pending
      FROM f GROUP BY ROLLUP (program_id)`,
  },
  {
    label: 'service-utilisation (by programme)',
    kpi: 'service-utilisation',
    params: { asOf: AS_OF },
    goalMs: 50,
    reference: `SELECT c.program_id, count(*) AS services, count(DISTINCT c.client_id) AS clients, sum(s.units_planned) AS planned,
        sum(coalesce(s.units_delivered, 0)) AS delivered, sum(coalesce(s.units_delivered, 0)) / sum(s.units_planned) AS utilisation
      FROM services s JOIN cases c USING (case_id)
      WHERE s.units_planned IS NOT NULL AND coalesce(s.scheduled_at, s.delivered_at)::DATE <= DATE '${AS_OF}'
      GROUP BY ROLLUP (c.program_id)`,
  },
  {
    label: 'attendance (by programme)',
    kpi: 'attendance',
    params: { asOf: AS_OF },
    goalMs: 50,
    reference: `SELECT c.program_id, count(*) AS appointments, count(DISTINCT c.client_id) AS clients,
        count(*) FILTER (WHERE s.status = 'delivered') AS attended, count(*) FILTER (WHERE s.status = 'no_show') AS no_shows,
        count(*) FILTER (WHERE s.status = 'delivered') / count(*) AS rate
      FROM services s JOIN cases c USING (case_id)
      WHERE s.status IN ('delivered', 'no_show') AND coalesce(s.delivered_at, s.scheduled_at)::DATE <= DATE '${AS_OF}'
      GROUP BY ROLLUP (c.program_id)`,
  },
  {
    label: 'satisfaction (by programme)',
    kpi: 'satisfaction',
    params: { asOf: AS_OF },
    goalMs: 50,
    reference: `SELECT c.program_id, count(*) AS responses, count(DISTINCT v.client_id) AS clients, count(*) FILTER (WHERE v.satisfaction >= 4) AS satisfied,
        count(*) FILTER (WHERE v.satisfaction >= 4) / count(*) AS rate, avg(v.satisfaction) AS mean
      FROM surveys v JOIN cases c USING (case_id)
      WHERE v.satisfaction IS NOT NULL AND (v.responded_at IS NULL OR v.responded_at <= DATE '${AS_OF}')
      GROUP BY ROLLUP (c.program_id)`,
  },
  {
    label: 'documentation-completeness (by manager)',
    kpi: 'documentation-completeness',
    params: { asOf: AS_OF },
    goalMs: 50,
    reference: documentationReference(),
  },
  {
    label: 'narrative-evidence (per domain)',
    kpi: 'narrative-evidence',
    params: { asOf: AS_OF },
    goalMs: 50,
    reference: `WITH active AS (SELECT case_id, client_id FROM cases WHERE opened_at <= DATE '${AS_OF}'),
      ev AS (
        SELECT t.domain_id, t.direction, n.client_id
        FROM note_tags t JOIN notes n USING (note_id)
        WHERE t.status = 'current' AND EXISTS (SELECT 1 FROM tag_citations tc WHERE tc.tag_id = t.tag_id)
          AND n.written_at < DATE '${AS_OF}' + 1 AND n.case_id IN (SELECT case_id FROM active))
      SELECT domain_id, direction, count(DISTINCT client_id) AS clients, count(DISTINCT client_id) / (SELECT count(DISTINCT client_id) FROM active) AS share
      FROM ev GROUP BY GROUPING SETS ((domain_id, direction), (direction))`,
  },
  {
    label: 'change-from-baseline (all measures)',
    kpi: 'change-from-baseline',
    params: { asOf: AS_OF },
    goalMs: 50,
    reference: changeReference(),
  },
  // the same figures over a half-year period (a dashboard's usual question), and as a funder sees them
  {
    label: 'service-utilisation, first half of 2025',
    kpi: 'service-utilisation',
    params: H1,
    goalMs: 50,
    reference: `SELECT c.program_id, count(*) AS services, count(DISTINCT c.client_id) AS clients, sum(s.units_planned) AS planned,
        sum(coalesce(s.units_delivered, 0)) AS delivered, sum(coalesce(s.units_delivered, 0)) / sum(s.units_planned) AS utilisation
      FROM services s JOIN cases c USING (case_id)
      WHERE s.units_planned IS NOT NULL AND coalesce(s.scheduled_at, s.delivered_at)::DATE BETWEEN DATE '${H1.from}' AND DATE '${H1.to}'
      GROUP BY ROLLUP (c.program_id)`,
  },
  {
    label: 'attendance, first half of 2025',
    kpi: 'attendance',
    params: H1,
    goalMs: 50,
    reference: `SELECT c.program_id, count(*) AS appointments, count(DISTINCT c.client_id) AS clients,
        count(*) FILTER (WHERE s.status = 'delivered') AS attended, count(*) FILTER (WHERE s.status = 'no_show') AS no_shows,
        count(*) FILTER (WHERE s.status = 'delivered') / count(*) AS rate
      FROM services s JOIN cases c USING (case_id)
      WHERE s.status IN ('delivered', 'no_show') AND coalesce(s.delivered_at, s.scheduled_at)::DATE BETWEEN DATE '${H1.from}' AND DATE '${H1.to}'
      GROUP BY ROLLUP (c.program_id)`,
  },
  {
    label: 'goal-achievement (by domain), for a funder',
    kpi: 'goal-achievement',
    params: { asOf: AS_OF },
    goalMs: 50,
    suppress: true,
    reference: goalReference(`count(DISTINCT c.client_id) FILTER (WHERE g.status = 'achieved') AS achieved_clients,
        count(DISTINCT c.client_id) FILTER (WHERE g.status = 'not_achieved') AS not_achieved_clients`),
  },
  // the other ways the two heaviest KPIs are asked: one programme (change-from-baseline's episode
  // facts within a programme); a cohort (cases opened in a half-year, followed up to date); and
  // views as they stood on a past day, which neither KPI's settled facts can answer (change pairs
  // the assessments, documentation works case by case)
  {
    label: 'change-from-baseline, one programme',
    kpi: 'change-from-baseline',
    params: { asOf: AS_OF, program: 'P01' },
    goalMs: 50,
    reference: changeReference({ program: 'sample:P01' }),
  },
  {
    label: 'change-from-baseline, cases opened in the first half of 2025',
    kpi: 'change-from-baseline',
    params: H1,
    goalMs: 50,
    reference: changeReference(H1),
  },
  {
    label: 'change-from-baseline, as of 2025-06-30',
    kpi: 'change-from-baseline',
    params: { asOf: H1.to },
    goalMs: 50,
    reference: changeReference({ asOf: H1.to }),
  },
  {
    label: 'documentation-completeness, first half of 2025',
    kpi: 'documentation-completeness',
    params: H1,
    goalMs: 50,
    reference: documentationReference({ ...H1, asOf: H1.to }),
  },
];

// ---------------------------------------------------------------------------------------------

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

async function reference(db: Db, sql: string): Promise<number> {
  const reader = await db.connection.runAndReadAll(sql);
  reader.getColumns(); // materialise the values, as the KPI does
  return reader.currentRowCount;
}

export interface KpiBenchRow {
  kpi: string;
  label: string;
  rows: number;
  medianMs: number;
  referenceMs: number;
  ratio: number;
  goalMs: number;
  meetsGoal: boolean;
  /** no more than 1.5× the hand-written reference */
  meetsRatio: boolean;
  runsMs: number[];
  referenceRunsMs: number[];
}

export async function benchKpi(opts: KpiBenchOptions) {
  const log = opts.log ?? (() => {});
  const dbPath = await ensureKpiDb(opts);
  const db = await openStore(dbPath);
  try {
    const counts = Object.fromEntries(
      await Promise.all(['cases', 'clients', 'notes', 'services', 'assessments', 'goals', 'followups', 'surveys', 'note_tags', 'tag_citations'].map(
        async (t) => [t, await db.value<number>(`SELECT count(*) FROM ${t}`)] as const,
      )),
    );
    // the facts are rebuilt after every load and scoring run: what that costs on this database
    const sizeBefore = fs.statSync(dbPath).size;
    const facts = await refreshFacts(db, defaultKpiConfig(), 'bench');
    await db.run('CHECKPOINT');
    const factsBuild = { ms: facts.ms, databaseMbBefore: Math.round(sizeBefore / 2 ** 20), databaseMbAfter: Math.round(fs.statSync(dbPath).size / 2 ** 20) };
    log(`KPI facts built in ${(facts.ms / 1000).toFixed(1)} s`);
    const rows: KpiBenchRow[] = [];
    for (const c of CASES) {
      // warm-up: loads the framework, fills caches; not timed
      const runOpts = { today: AS_OF, ...(c.suppress ? { suppress: true } : {}) };
      const first = await runKpi(db, c.kpi, c.params, runOpts);
      await reference(db, c.reference);
      const ours: number[] = [];
      const ref: number[] = [];
      for (let i = 0; i < opts.runs; i++) {
        // interleaved, alternating which goes first, so drift affects both alike
        const order = i % 2 === 0 ? ['kpi', 'ref'] : ['ref', 'kpi'];
        for (const which of order) {
          const t = performance.now();
          if (which === 'kpi') await runKpi(db, c.kpi, c.params, runOpts);
          else await reference(db, c.reference);
          (which === 'kpi' ? ours : ref).push(performance.now() - t);
        }
      }
      const m = median(ours);
      const r = median(ref);
      const row: KpiBenchRow = {
        kpi: c.kpi, label: c.label, rows: first.rows.length,
        medianMs: +m.toFixed(1), referenceMs: +r.toFixed(1), ratio: +(m / r).toFixed(2), goalMs: c.goalMs,
        meetsGoal: m <= c.goalMs, meetsRatio: m <= 1.5 * r,
        runsMs: ours.map((x) => +x.toFixed(1)), referenceRunsMs: ref.map((x) => +x.toFixed(1)),
      };
      rows.push(row);
      log(`${c.label.padEnd(42)} ${row.medianMs.toFixed(0).padStart(6)} ms   reference ${row.referenceMs.toFixed(0).padStart(6)} ms   ${row.ratio.toFixed(2)}×`);
    }
    const result = {
      date: new Date().toISOString(),
      machine: `${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`,
      loadAverage: os.loadavg().map((x) => +x.toFixed(2)),
      database: path.relative(ROOT, dbPath),
      counts,
      factsBuild,
      runs: opts.runs,
      asOf: AS_OF,
      rows,
      allMeetRatio: rows.every((r) => r.meetsRatio),
      allMeetGoal: rows.every((r) => r.meetsGoal),
    };
    fs.writeFileSync(path.join(OUT, 'kpi.json'), JSON.stringify(result, null, 2));
    return result;
  } finally {
    db.close();
  }
}

/** The results as a Markdown table for bench/RESULTS.md. */
export function kpiBenchTable(result: Awaited<ReturnType<typeof benchKpi>>): string {
  const lines = [
    '| KPI | median | hand-written reference | ratio | goal |',
    '|---|---:|---:|---:|---:|',
    ...result.rows.map((r) => `| ${r.label} | ${r.medianMs.toFixed(0)} ms | ${r.referenceMs.toFixed(0)} ms | ${r.ratio.toFixed(2)}× ${r.meetsRatio ? '' : '(over 1.5×)'} | ${r.goalMs} ms ${r.meetsGoal ? 'met' : 'missed'} |`),
  ];
  return lines.join('\n');
}
