/**
 * documentation-completeness answers views without a period start, as of a day on or after the
 * last opening, from the settled-case counts (kpi_fact_doc_hist): a case's rules stop changing
 * with the as-of date once its windows have passed. These tests prove it gives the figures and
 * the failing-case listing the case-by-case path gives (itself checked against hand-written SQL
 * in facts-agree.test.ts and by hand in kpis.test.ts), on the sample and on a messier copy.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultKpiConfig, findKpi, refreshFacts, type FactsInfo, type KpiContext, type KpiRow } from '../../src/kpi/index.ts';
import { openStore, type Db } from '../../src/store/index.ts';
import { sampleDbCopy, TODAY } from '../serve/fixture.ts';

const CONFIG = defaultKpiConfig();
const def = findKpi('documentation-completeness')!;
const HIDDEN = new Set(def.columns.filter((c) => c.hidden).map((c) => c.name));

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'caselens-doc-facts-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

/** The KPI's rows and listing: from the settled counts (a page's view) or case by case (disclosure control's view). */
async function run(db: Db, info: FactsInfo, raw: Record<string, unknown>, settled: boolean) {
  const ctx: KpiContext = { db, config: CONFIG, framework: undefined, today: TODAY, facts: info, ...(settled ? { skip: HIDDEN } : {}) };
  const p = def.resolve(raw, ctx);
  const { sql } = def.sql(p as never, ctx);
  const out = await def.compute(ctx, p as never);
  const visible = out.rows.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !HIDDEN.has(k))) as KpiRow);
  return { sql, rows: visible, listing: out.details?.rows ?? [] };
}

function suite(name: string, prepare: (db: Db) => Promise<void>) {
  describe(name, () => {
    let db: Db;
    let info: FactsInfo;
    beforeAll(async () => {
      const into = path.join(dir, name.replace(/\W+/g, '-'));
      fs.mkdirSync(into);
      db = await openStore(await sampleDbCopy(into));
      await prepare(db);
      info = (await refreshFacts(db, CONFIG, 'test')).info;
    });
    afterAll(() => db?.close());

    it('gives the case-by-case figures and listing for every grouping, filter and as-of date it answers', async () => {
      const settledBy = info.documentation!.settledBy!;
      const pick = (col: string) => db.value<string>(`SELECT ${col} FROM cases WHERE ${col} IS NOT NULL GROUP BY ALL ORDER BY count(*) DESC, ${col} LIMIT 1`);
      const [program, manager, caseType] = [await pick('program_id'), await pick('manager_id'), await pick('case_type')];
      let compared = 0;
      let failingListed = 0;
      for (const asOf of [settledBy, addDays(settledBy, 1), addDays(settledBy, 17), TODAY]) {
        for (const extra of [{}, { program }, { manager }, { caseType }, { program, caseType }, { to: addDays(asOf, 30) }, { limit: 25 }]) {
          for (const by of ['manager', 'program', 'case_type', 'none']) {
            const raw = { asOf, by, ...extra };
            const label = JSON.stringify(raw);
            const fast = await run(db, info, raw, true);
            const exact = await run(db, info, raw, false);
            expect(fast.sql, label).toContain('kpi_fact_doc_hist');
            expect(exact.sql, label).not.toContain('kpi_fact_doc_hist');
            expect(fast.rows, label).toEqual(exact.rows);
            expect(fast.listing, label).toEqual(exact.listing);
            compared += fast.rows.length;
            failingListed += fast.listing.length;
          }
        }
      }
      expect(compared).toBeGreaterThan(500);
      expect(failingListed).toBeGreaterThan(500);
    });

    it('lists the same first failing cases for short listings (where the settled cases\' ranks decide)', async () => {
      for (const limit of [1, 2, 3, 5, 8, 13]) {
        const raw = { asOf: info.documentation!.settledBy!, by: 'none', limit };
        const [fast, exact] = [await run(db, info, raw, true), await run(db, info, raw, false)];
        expect(fast.listing.length, JSON.stringify(raw)).toBe(limit);
        expect(fast.listing, JSON.stringify(raw)).toEqual(exact.listing);
      }
    });

    it('leaves what it cannot answer to the case-by-case path', async () => {
      const settledBy = info.documentation!.settledBy!;
      for (const raw of [
        { asOf: addDays(settledBy, -1) },
        { asOf: TODAY, from: '2024-06-01' },
        { asOf: TODAY, to: addDays(TODAY, -1) },
        { asOf: TODAY, noteAfterServiceDays: 5 },
      ]) {
        const { sql } = await run(db, info, raw, true);
        expect(sql, JSON.stringify(raw)).not.toContain('kpi_fact_doc_hist');
      }
    });
  });
}

suite('the sample', async () => {});

suite('a messier copy of the sample', async (db) => {
  const bucket = (id: string, salt: string) => `(hash(${id} || '${salt}') % 100)`;
  await db.transaction(async () => {
    for (const sql of [
      // notes written days later; blank closure reasons; goals without a set day; baselines lost
      `UPDATE notes SET written_at = written_at + INTERVAL 4 DAY WHERE ${bucket('note_id', 'late')} < 15`,
      `UPDATE cases SET closure_reason = ' ' WHERE closed_at IS NOT NULL AND ${bucket('case_id', 'why')} < 10`,
      `UPDATE goals SET set_at = NULL WHERE ${bucket('goal_id', 'set')} < 10`,
      `DELETE FROM goals WHERE ${bucket('goal_id', 'gone')} < 10`,
      `DELETE FROM assessments WHERE ${bucket('assessment_id', 'base')} < 20`,
      // cases closed, or goals set, after the last opening day: settled only later
      `UPDATE cases SET closed_at = (SELECT max(opened_at) FROM cases) + 20, closure_reason = NULL WHERE ${bucket('case_id', 'future')} < 3`,
      `UPDATE goals SET set_at = (SELECT max(opened_at) FROM cases) + 10 WHERE ${bucket('goal_id', 'future')} < 3`,
      // old open cases with a service delivered the day before the last opening and no note after
      // it: failing only once its note window has passed
      `INSERT INTO services (service_id, case_id, service_type, scheduled_at, delivered_at, status, units_planned, units_delivered)
       SELECT 'late-' || case_id, case_id, 'counselling', last.day - 1, last.day - 1 + INTERVAL 10 HOUR, 'delivered', 1, 1
       FROM cases, (SELECT max(opened_at) AS day FROM cases) last
       WHERE closed_at IS NULL AND opened_at < last.day - 90 AND ${bucket('case_id', 'lastday')} < 20`,
      `DELETE FROM services WHERE status = 'delivered' AND service_id NOT LIKE 'late-%' AND case_id IN (SELECT case_id FROM services WHERE service_id LIKE 'late-%')`,
      `DELETE FROM notes WHERE written_at >= (SELECT max(opened_at) - 1 FROM cases) AND case_id IN (SELECT case_id FROM services WHERE service_id LIKE 'late-%')`,
    ]) await db.run(sql);
  });
});
