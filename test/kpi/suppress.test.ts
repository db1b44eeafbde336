/**
 * Disclosure control: no funder output shows a cell resting on fewer than k clients, and no
 * suppressed cell can be worked out again from the row or column totals that are shown.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  disclosureModel, findKpi, isDetermined, isSuppressed, listKpis, protectCells, renderFunderReport, runKpi,
  type DCell, type DLine, type KpiResult,
} from '../../src/kpi/index.ts';
import type { Db } from '../../src/store/index.ts';
import { fixtureDb } from './fixture.ts';

/** A table with row totals, column totals and a grand total, as cells and lines. */
function table2d(m: number[][]): { cells: DCell[]; lines: DLine[] } {
  const R = m.length;
  const C = m[0]!.length;
  const cells: DCell[] = [];
  const add = (id: string, v: number) => cells.push({ id, value: v, clients: v, published: true });
  m.forEach((row, r) => row.forEach((v, c) => add(`${r},${c}`, v)));
  m.forEach((row, r) => add(`${r},T`, row.reduce((a, b) => a + b, 0)));
  for (let c = 0; c < C; c++) add(`T,${c}`, m.reduce((a, row) => a + row[c]!, 0));
  add('T,T', m.flat().reduce((a, b) => a + b, 0));
  const lines: DLine[] = [];
  for (let r = 0; r < R; r++) lines.push({ total: `${r},T`, parts: Array.from({ length: C }, (_, c) => `${r},${c}`) });
  for (let c = 0; c < C; c++) lines.push({ total: `T,${c}`, parts: Array.from({ length: R }, (_, r) => `${r},${c}`) });
  lines.push({ total: 'T,T', parts: Array.from({ length: C }, (_, c) => `T,${c}`) });
  lines.push({ total: 'T,T', parts: Array.from({ length: R }, (_, r) => `${r},T`) });
  return { cells, lines };
}

/** Checks the two promises for one protection decision. */
function assertProtected(cells: DCell[], lines: DLine[], k: number, suppressed: Map<string, unknown>): void {
  for (const c of cells) {
    if (c.published && c.clients < k) expect(suppressed.has(c.id), `${c.id} (${c.clients} clients) is shown`).toBe(true);
    if (!c.published) expect(suppressed.has(c.id), 'virtual cells are never listed').toBe(false);
  }
  const unknown = new Set([...suppressed.keys(), ...cells.filter((c) => !c.published).map((c) => c.id)]);
  for (const c of cells) {
    if (c.clients < k) expect(isDetermined(cells, lines, unknown, c.id), `${c.id} can be worked out from the totals`).toBe(false);
  }
}

describe('protectCells', () => {
  it('one small group beside a total: the smallest other group is withheld too', () => {
    const cells: DCell[] = [
      { id: 'A', value: 30, clients: 30, published: true },
      { id: 'B', value: 5, clients: 5, published: true },
      { id: 'C', value: 20, clients: 20, published: true },
      { id: 'D', value: 40, clients: 40, published: true },
      { id: 'T', value: 95, clients: 95, published: true },
    ];
    const lines = [{ total: 'T', parts: ['A', 'B', 'C', 'D'] }];
    const s = protectCells(cells, lines, 11);
    expect([...s]).toEqual([['B', 'primary'], ['C', 'secondary']]);
    assertProtected(cells, lines, 11, s);
  });

  it('a cell only derivable (achieved = goals − not achieved): the published part is withheld', () => {
    // 20 goals, 19 achieved: "not achieved" (1) is never shown but 20 − 19 gives it away.
    const cells: DCell[] = [
      { id: 'goals', value: 20, clients: 20, published: true },
      { id: 'achieved', value: 19, clients: 19, published: true },
      { id: 'not', value: 1, clients: 1, published: false },
    ];
    const lines = [{ total: 'goals', parts: ['achieved', 'not'] }];
    const s = protectCells(cells, lines, 11);
    expect([...s]).toEqual([['achieved', 'secondary']]);
    assertProtected(cells, lines, 11, s);
  });

  it('rows and columns of a table with totals: at least a rectangle is withheld', () => {
    const { cells, lines } = table2d([
      [40, 3, 25],
      [30, 22, 50],
      [15, 60, 35],
    ]);
    const s = protectCells(cells, lines, 11);
    expect(s.get('0,1')).toBe('primary');
    // its row and its column each need a second withheld cell, and so on until closed
    const inRow0 = [...s.keys()].filter((id) => id.startsWith('0,') && id !== '0,T');
    const inCol1 = [...s.keys()].filter((id) => id.endsWith(',1') && id !== 'T,1');
    expect(inRow0.length).toBeGreaterThanOrEqual(2);
    expect(inCol1.length).toBeGreaterThanOrEqual(2);
    expect(s.size).toBeGreaterThanOrEqual(4);
    assertProtected(cells, lines, 11, s);
  });

  it('a single-cell row: the total is withheld with it', () => {
    const { cells, lines } = table2d([[4], [30], [25]]);
    const s = protectCells(cells, lines, 11);
    expect(s.get('0,0')).toBe('primary');
    assertProtected(cells, lines, 11, s);
  });

  it('nothing small: nothing withheld', () => {
    const { cells, lines } = table2d([[12, 40], [50, 11]]);
    expect(protectCells(cells, lines, 11).size).toBe(0);
  });

  it('property: random tables with totals — no small cell shown, none recoverable', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }).chain((rows) =>
          fc.array(fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 4 }).map((r) => r), { minLength: rows, maxLength: rows })),
        fc.integer({ min: 2, max: 15 }),
        (raw, k) => {
          const width = Math.min(...raw.map((r) => r.length));
          const m = raw.map((r) => r.slice(0, width));
          const { cells, lines } = table2d(m);
          assertProtected(cells, lines, k, protectCells(cells, lines, k));
        },
      ),
      { numRuns: 150, seed: 11 },
    );
  });

  it('property: grouped proportions (total row, groups, a shown numerator and a hidden complement)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 30 })), { minLength: 1, maxLength: 6 }),
        (groups) => {
          const cells: DCell[] = [];
          const lines: DLine[] = [];
          const rows = [[groups.reduce((a, g) => a + g[0], 0), groups.reduce((a, g) => a + g[1], 0)] as [number, number], ...groups];
          rows.forEach(([yes, no], i) => {
            cells.push({ id: `${i}:n`, value: yes + no, clients: yes + no, published: true });
            cells.push({ id: `${i}:yes`, value: yes, clients: yes, published: true });
            cells.push({ id: `${i}:no`, value: no, clients: no, published: false });
            lines.push({ total: `${i}:n`, parts: [`${i}:yes`, `${i}:no`] });
          });
          for (const c of ['n', 'yes', 'no']) lines.push({ total: `0:${c}`, parts: groups.map((_, g) => `${g + 1}:${c}`) });
          assertProtected(cells, lines, 11, protectCells(cells, lines, 11));
        },
      ),
      { numRuns: 150, seed: 7 },
    );
  });
});

// ---------------------------------------------------------------------------------------------

let db: Db;
beforeAll(async () => {
  db = await fixtureDb();
});
afterAll(() => db.close());

const K = 3;
const Q1 = { from: '2024-01-01', to: '2024-03-31' };

/** Runs a KPI plain and suppressed, and checks the suppressed output cell by cell. */
async function checkKpi(id: string, params: Record<string, unknown>): Promise<KpiResult> {
  const def = findKpi(id)!;
  const opts = { today: '2024-12-31', includeHidden: true } as const;
  const plain = await runKpi(db, id, params, opts);
  const shown = await runKpi(db, id, params, { ...opts, suppress: { k: K } });
  const { cells, lines, columnsOf } = disclosureModel(plain.rows, def.disclosure!, String(plain.params.by ?? 'none'));
  const suppressed = new Map<string, unknown>();
  for (const c of cells) {
    const where = columnsOf.get(c.id)!;
    const row = shown.rows[where.row]!;
    const hiddenCols = where.columns.filter((col) => isSuppressed(row[col]));
    // a cell is withheld as a whole or not at all
    expect(hiddenCols.length === 0 || hiddenCols.length === where.columns.length, `${id} ${c.id}`).toBe(true);
    if (hiddenCols.length) suppressed.set(c.id, true);
    // no visible figure rests on fewer than k clients
    if (c.published && c.clients < K) expect(hiddenCols.length, `${id} ${c.id} rests on ${c.clients} clients`).toBe(where.columns.length);
  }
  assertProtected(cells, lines, K, suppressed);
  // suppressed cells say so and are never zero
  for (const row of shown.rows) {
    for (const v of Object.values(row)) {
      if (isSuppressed(v)) expect(v).toMatchObject({ value: null, suppressed: true, reason: expect.stringMatching(/\S/) });
    }
  }
  expect(shown.details).toBeUndefined();
  expect(shown.suppression).toMatchObject({ k: K });
  return shown;
}

describe('suppressed KPI results', () => {
  it('every funder-facing KPI, grouped every way it can be', async () => {
    let withheld = 0;
    for (const k of listKpis().filter((x) => x.funderFacing)) {
      const def = findKpi(k.id)!;
      const bys = def.groupings ? [...def.groupings.options, 'none'] : [undefined];
      for (const by of bys) {
        const r = await checkKpi(k.id, { ...Q1, ...(by ? { by } : {}) });
        withheld += (r.suppression?.primary ?? 0) + (r.suppression?.secondary ?? 0);
      }
    }
    expect(withheld).toBeGreaterThan(0);
  });

  it('goal achievement by domain, worked through', async () => {
    // housing: 2 goals of 1 client (C1) → below k = 3: the whole row is withheld;
    // income: 2 goals of clients C1 and C3 (2) → withheld; the total rests on 2 clients → withheld.
    const r = await runKpi(db, 'goal-achievement', Q1, { today: '2024-12-31', suppress: { k: 3 } });
    for (const row of r.rows) for (const col of ['goals', 'clients', 'achieved', 'rate']) expect(isSuppressed(row[col])).toBe(true);
    const large = await runKpi(db, 'goal-achievement', { ...Q1, by: 'none' }, { today: '2024-12-31', suppress: { k: 2 } });
    // k = 2: 4 goals of 2 clients shown; achieved rests on 2 clients (C1, C3), not achieved on 1 (C1):
    // 4 − 3 would give the one not-achieved goal away, so achieved and rate are withheld.
    expect(large.rows[0]).toMatchObject({ goals: 4, clients: 2 });
    expect(isSuppressed(large.rows[0]!.achieved)).toBe(true);
    expect(isSuppressed(large.rows[0]!.rate)).toBe(true);
  });

  it('KPIs without disclosure rules cannot be run for funders', async () => {
    await expect(runKpi(db, 'caseload', {}, { suppress: true })).rejects.toThrow(/not funder-facing/);
  });
});

describe('funder report', () => {
  it('is self-contained HTML with a print stylesheet, built only from suppressed figures', async () => {
    const html = await renderFunderReport(db, { ...Q1, k: K, options: { today: '2024-12-31' } });
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toMatch(/@media print/);
    expect(html).not.toMatch(/<script|<link|src=|href="http|@import|url\(/i);
    // no record-level identifiers
    expect(html).not.toMatch(/x:K\d|x:M\d|x:N\d|CL-|\bC\d\b/);
    expect(html).toMatch(/Key indicators/);
    expect(html).toMatch(/Change from baseline/);
    expect(html).toMatch(/Narrative evidence/);
    expect(html).toMatch(/class="sup"/);
    expect(html).toMatch(/fewer than 3 clients/);
  });

  it('for one programme', async () => {
    const html = await renderFunderReport(db, { program: 'P1', ...Q1, k: 1, options: { today: '2024-12-31' } });
    expect(html).toMatch(/Outcome report: Housing First/);
    // k = 1 withholds nothing: the median resolution time of P1 (10 days) is shown
    expect(html).toMatch(/<td class="num">10\.0<\/td>/);
  });
});
