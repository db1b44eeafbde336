/**
 * change-from-baseline answers most questions from its episode facts (kpi_fact_change_episodes,
 * and the histogram kpi_fact_change_hist for views without filters) instead of pairing 1.8M
 * assessments on every call. These tests prove the facts give the very figures the KPI works out
 * from the scored assessments (whose own figures test/kpi/change.test.ts checks by hand), for
 * periods cut anywhere in a month, both follow-up modes, both units, every filter, on the
 * bundled sample and on a copy made messier (episodes without a baseline before and after ones
 * with, clients with two cases opened the same day, assessments on the same day).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFramework, type Framework } from '../../src/frameworks/index.ts';
import {
  changeUnits, defaultKpiConfig, ensureFacts, findKpi, measureRules, refreshFacts, SqlArgs, type ChangeParams, type FactsInfo, type KpiContext, type KpiRow,
} from '../../src/kpi/index.ts';
import { openStore, type Db } from '../../src/store/index.ts';
import { ROOT, sampleDbCopy, TODAY } from '../serve/fixture.ts';

const CONFIG = defaultKpiConfig();
const def = findKpi('change-from-baseline')!;
const loaded = loadFramework(path.join(ROOT, CONFIG.framework));
if (!loaded.ok) throw new Error('the bundled framework does not load');
const framework: Framework = loaded.framework;

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'caselens-change-facts-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function openCopy(name: string): Promise<Db> {
  const into = path.join(dir, name);
  fs.mkdirSync(into);
  return openStore(await sampleDbCopy(into));
}

interface Case {
  name: string;
  params: Record<string, unknown>;
  /** the facts path these parameters must take */
  path: 'histogram' | 'episodes';
}

/** Periods cut at month starts, month ends, mid-month, a single day; as-of dates after the last assessment. */
function cases(info: FactsInfo, program: string, manager: string, caseType: string): Case[] {
  const until = info.change!.assessedUntil!;
  const periods: Array<[string, Record<string, unknown>]> = [
    ['whole history, as of the last assessment', { asOf: until }],
    ['whole history, as of today', { asOf: TODAY }],
    ['a quarter aligned to months', { from: '2024-04-01', to: '2024-06-30', asOf: TODAY }],
    ['mid-month to mid-month', { from: '2024-02-14', to: '2024-11-20', asOf: TODAY }],
    ['from mid-month, no end', { from: '2024-09-17', asOf: TODAY }],
    ['no start, to mid-month', { to: '2024-08-15', asOf: TODAY }],
    ['from a month start to a month end after the last assessment', { from: '2025-01-01', to: '2026-01-31', asOf: '2026-02-01' }],
    ['a single day', { from: '2024-05-07', to: '2024-05-07', asOf: TODAY }],
    ['to the last day of a month (a period end equal to the as-of date)', { from: '2024-03-05', to: TODAY }],
  ];
  const out: Case[] = [];
  for (const [name, p] of periods) {
    out.push({ name: `${name}: latest follow-up, one unit per client`, params: p, path: 'histogram' });
    out.push({ name: `${name}: nearest the horizon, one unit per client`, params: { ...p, followup: 'horizon' }, path: 'histogram' });
    out.push({ name: `${name}: every episode a unit`, params: { ...p, unit: 'episode' }, path: 'episodes' });
    out.push({ name: `${name}: one programme`, params: { ...p, program, followup: 'horizon' }, path: 'episodes' });
    out.push({ name: `${name}: one manager`, params: { ...p, manager }, path: 'episodes' });
    out.push({ name: `${name}: one case type`, params: { ...p, caseType }, path: 'episodes' });
  }
  out.push({ name: 'one instrument', params: { asOf: TODAY, from: '2024-06-03', instrument: 'phq9' }, path: 'histogram' });
  out.push({ name: 'one domain', params: { asOf: TODAY, to: '2025-03-12', domain: 'housing', followup: 'horizon' }, path: 'histogram' });
  out.push({ name: 'every episode, two filters', params: { asOf: TODAY, program, caseType, unit: 'episode' }, path: 'episodes' });
  return out;
}

const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

/**
 * Periods that start or end exactly on, or a day off, the opening day of an episode that decides
 * another's unit (lo, hi), mid-month, so the edges of the client's-first-episode rule are hit.
 */
async function boundaries(db: Db): Promise<Case[]> {
  const days = async (col: string, which = `day(${col}) BETWEEN 5 AND 25`) =>
    (await db.all<{ d: string }>(`SELECT DISTINCT strftime(${col}, '%Y-%m-%d') AS d FROM kpi_fact_change_episodes
      WHERE ${col} IS NOT NULL AND ${which} ORDER BY d LIMIT 3`)).map((r) => r.d);
  const out: Case[] = [];
  for (const lo of await days('lo')) {
    for (const from of [lo, addDays(lo, 1)]) out.push({ name: `from ${from} (an episode's lo is ${lo})`, params: { from, asOf: TODAY }, path: 'histogram' });
  }
  for (const hi of await days('hi')) {
    for (const to of [hi, addDays(hi, -1)]) out.push({ name: `to ${to} (an episode's hi is ${hi})`, params: { to, asOf: TODAY }, path: 'histogram' });
  }
  // hi on the first of the month after the period's last (not a month end)
  for (const hi of await days('hi', 'day(hi) = 1')) out.push({ name: `to ${addDays(hi, -3)} (an episode's hi is ${hi})`, params: { to: addDays(hi, -3), asOf: TODAY }, path: 'histogram' });
  expect(out.length).toBeGreaterThanOrEqual(9);
  return out;
}

/** The KPI's rows, from the facts or (facts undefined) from the scored assessments. */
async function rows(db: Db, info: FactsInfo | undefined, raw: Record<string, unknown>): Promise<{ rows: KpiRow[]; path: string }> {
  const ctx: KpiContext = { db, config: CONFIG, framework, today: TODAY, ...(info ? { facts: info } : {}) };
  const p = def.resolve(raw, ctx) as ChangeParams;
  const { path: taken } = changeUnits(p, ctx, new SqlArgs(), measureRules(framework, CONFIG));
  return { rows: (await def.compute(ctx, p as never)).rows, path: taken };
}

function expectSameRows(actual: KpiRow[], expected: KpiRow[], label: string) {
  expect(actual.map((r) => r.group_id), label).toEqual(expected.map((r) => r.group_id));
  for (const [i, e] of expected.entries()) {
    const a = actual[i]!;
    for (const [k, v] of Object.entries(e)) {
      const got = a[k];
      if (typeof v === 'number' && typeof got === 'number' && !Number.isInteger(v)) expect(got, `${label}: ${String(e.group_id)}.${k}`).toBeCloseTo(v, 9);
      else expect(got, `${label}: ${String(e.group_id)}.${k}`).toEqual(v);
    }
  }
}

async function someIds(db: Db): Promise<{ program: string; manager: string; caseType: string }> {
  // the busiest programme, manager and case type among cases with assessments
  const pick = (col: string) =>
    db.value<string>(`SELECT ${col} FROM cases WHERE ${col} IS NOT NULL AND case_id IN (SELECT case_id FROM assessments) GROUP BY ALL ORDER BY count(*) DESC, ${col} LIMIT 1`);
  return { program: await pick('program_id'), manager: await pick('manager_id'), caseType: await pick('case_type') };
}

function agreementSuite(name: string, prepare: (db: Db) => Promise<void>) {
  describe(name, () => {
    let db: Db;
    let info: FactsInfo;
    let all: Case[] = [];
    const paired = { facts: 0 };
    beforeAll(async () => {
      db = await openCopy(name.replace(/\W+/g, '-'));
      await prepare(db);
      info = (await refreshFacts(db, CONFIG, 'test')).info;
      const ids = await someIds(db);
      all = [...cases(info, ids.program, ids.manager, ids.caseType), ...(await boundaries(db))];
    });
    afterAll(() => db?.close());

    it('the facts give the figures the assessments give, on every path', async () => {
      expect(all.length).toBeGreaterThan(50);
      for (const c of all) {
        const fast = await rows(db, info, c.params);
        const exact = await rows(db, undefined, c.params);
        expect(fast.path, c.name).toBe(c.path);
        expect(exact.path, c.name).toBe('assessments');
        expectSameRows(fast.rows, exact.rows, c.name);
        paired.facts += fast.rows.reduce((s, r) => s + Number(r.paired) + Number(r.baseline_only) + Number(r.no_baseline), 0);
      }
      expect(paired.facts).toBeGreaterThan(1_000);
    });
  });
}

describe('change-from-baseline from its episode facts', () => {
  let db: Db;
  let info: FactsInfo;
  beforeAll(async () => {
    db = await openCopy('paths');
    info = (await ensureFacts(db, CONFIG)).info;
  });
  afterAll(() => db?.close());

  it('the facts record what they assume: the last assessment day and the instruments with domains', async () => {
    expect(info.change!.assessedUntil).toBe(await db.value<string>("SELECT strftime(max(administered_at), '%Y-%m-%d') FROM assessments WHERE total_score IS NOT NULL AND case_id IS NOT NULL"));
    expect(info.change!.domainInstruments).toEqual(['ssm']);
  });

  it('the histogram holds every episode once per follow-up mode, in far fewer rows', async () => {
    const counts = await db.all<{ horizon: boolean; n: number; rows: number }>('SELECT horizon, sum(n)::INTEGER AS n, count(*)::INTEGER AS rows FROM kpi_fact_change_hist GROUP BY ALL ORDER BY ALL');
    const episodes = await db.value<number>('SELECT count(*)::INTEGER FROM kpi_fact_change_episodes');
    expect(counts.map((c) => c.n)).toEqual([episodes, episodes]);
    for (const c of counts) expect(c.rows).toBeLessThan(episodes);
  });

  it('answers from the assessments what the facts cannot: an earlier as-of date, other windows, two filters, a measure keyed differently', async () => {
    const ids = await someIds(db);
    const until = info.change!.assessedUntil!;
    const dayBefore = new Date(Date.parse(`${until}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
    const fallbacks: Array<[string, Record<string, unknown>, FactsInfo]> = [
      ['as of the day before the last assessment', { asOf: dayBefore }, info],
      ['a period as of its end', { from: '2024-01-01', to: '2024-12-31', asOf: '2024-12-31' }, info],
      ['a wider baseline window', { asOf: TODAY, baselineAfterDays: 45 }, info],
      ['another horizon', { asOf: TODAY, followup: 'horizon', horizonDays: 180 }, info],
      ['programme and manager together', { asOf: TODAY, program: ids.program, manager: ids.manager }, info],
      ['PHQ-9 given a domain on some assessment', { asOf: TODAY }, { ...info, change: { ...info.change!, domainInstruments: ['phq9', 'ssm'] } }],
    ];
    for (const [name, params, facts] of fallbacks) {
      const ctx = { config: CONFIG, facts };
      const p = def.resolve(params, { ...ctx, today: TODAY }) as ChangeParams;
      expect(changeUnits(p, ctx, new SqlArgs(), measureRules(framework, CONFIG)).path, name).toBe('assessments');
    }
    // and the horizon's open windows: a unit whose follow-up window is still open is not yet due, not lost
    const open = await rows(db, info, { asOf: until, followup: 'horizon' });
    expect(open.path).toBe('histogram');
    expect(open.rows.reduce((s, r) => s + Number(r.not_yet_due), 0)).toBeGreaterThan(0);
  });
});

agreementSuite('the sample', async () => {});

agreementSuite('a messier copy of the sample', async (db) => {
  const bucket = (id: string, salt: string) => `(hash(${id} || '${salt}') % 100)`;
  await db.transaction(async () => {
    // a client's second case opened the same day as the first (ties broken by case id)
    await db.run(`UPDATE cases c SET opened_at = f.first FROM (
        SELECT client_id, min(opened_at) AS first FROM cases GROUP BY client_id HAVING count(*) > 1) f
      WHERE c.client_id = f.client_id AND ${bucket('c.case_id', 'tie')} < 30`);
    // baselines lost (episodes without one, before and after episodes with one)
    await db.run(`DELETE FROM assessments a USING cases c WHERE c.case_id = a.case_id
      AND a.administered_at BETWEEN c.opened_at - 30 AND c.opened_at + 30 AND ${bucket('a.case_id || a.instrument_id', 'base')} < 25`);
    // two assessments of a measure on one day (ties broken by assessment id)
    await db.run(`INSERT INTO assessments (assessment_id, client_id, case_id, instrument_id, domain_id, administered_at, timepoint, total_score)
      SELECT assessment_id || '-again', client_id, case_id, instrument_id, domain_id, administered_at, timepoint, total_score + 1
      FROM assessments WHERE ${bucket('assessment_id', 'twice')} < 5`);
    // a later assessment nearer the 90-day horizon than an earlier one inside its window
    await db.run(`INSERT INTO assessments (assessment_id, client_id, case_id, instrument_id, domain_id, administered_at, timepoint, total_score)
      SELECT a.assessment_id || '-h', a.client_id, a.case_id, a.instrument_id, a.domain_id, c.opened_at + 90, a.timepoint, a.total_score - 1
      FROM assessments a JOIN cases c USING (case_id)
      WHERE a.administered_at BETWEEN c.opened_at + 62 AND c.opened_at + 80 AND ${bucket('a.assessment_id', 'near')} < 30`);
  });
  const shape = await db.one<{ no_base_before: number; ties: number }>(`WITH e AS (
      SELECT c.client_id, c.case_id, c.opened_at, a.instrument_id, coalesce(a.domain_id, '') AS dk,
        bool_or(a.administered_at BETWEEN c.opened_at - 30 AND c.opened_at + 30) AS has_base
      FROM assessments a JOIN cases c USING (case_id) GROUP BY ALL)
    SELECT (SELECT count(*) FROM e x JOIN e y ON x.client_id = y.client_id AND x.instrument_id = y.instrument_id AND x.dk = y.dk
              AND x.opened_at < y.opened_at AND NOT x.has_base AND y.has_base)::INTEGER AS no_base_before,
           (SELECT count(*) FROM (SELECT client_id FROM cases GROUP BY client_id, opened_at HAVING count(*) > 1))::INTEGER AS ties`);
  expect(shape?.no_base_before).toBeGreaterThan(0);
  expect(shape?.ties).toBeGreaterThan(0);
});
