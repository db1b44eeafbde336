/**
 * Arrow downloads carry the types docs/kpis.md gives each column: counts as whole numbers (Int),
 * month ends and other days as dates (Date32, days), rates as Float64; the same values as JSON.
 */
import { DataType, tableFromIPC, type Table } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findKpi } from '../../src/kpi/index.ts';
import { toArrow } from '../../src/serve/formats.ts';
import { makeHarness, type Harness } from './harness.ts';

let h: Harness;

beforeAll(async () => {
  h = await makeHarness();
}, 120_000);

afterAll(async () => {
  await h?.close();
});

/** an Arrow cell as JSON would give it: dates as YYYY-MM-DD, 64-bit integers as numbers */
function plain(v: unknown, type: DataType): unknown {
  if (v === null || v === undefined) return null;
  if (DataType.isDate(type)) return new Date(Number(v)).toISOString().slice(0, 10);
  if (typeof v === 'bigint') return Number(v);
  return v;
}

async function both(role: 'manager' | 'evaluator', url: string): Promise<{ json: { rows: Array<Record<string, unknown>> }; table: Table }> {
  const j = await h.get(role, url);
  expect(j.status).toBe(200);
  const a = await h.get(role, `${url}&format=arrow`);
  expect(a.status).toBe(200);
  expect(a.headers.get('content-type')).toBe('application/vnd.apache.arrow.stream');
  return { json: (await j.json()) as { rows: Array<Record<string, unknown>> }, table: tableFromIPC(new Uint8Array(await a.arrayBuffer())) };
}

/** every declared column: Int for `int`, Date for `date`, Float for `number`, and the JSON values */
function expectTypedLikeJson(kpi: string, json: { rows: Array<Record<string, unknown>> }, table: Table): void {
  const columns = findKpi(kpi)!.columns.filter((c) => !c.hidden);
  expect(table.numRows).toBe(json.rows.length);
  for (const c of columns) {
    const field = table.schema.fields.find((f) => f.name === c.name);
    expect(field, c.name).toBeDefined();
    const want = c.type === 'int' ? DataType.isInt(field!.type) : c.type === 'date' ? DataType.isDate(field!.type) : c.type === 'number' ? DataType.isFloat(field!.type) : true;
    expect({ column: c.name, declared: c.type, arrow: String(field!.type), ok: want }).toMatchObject({ ok: true });
    const suppressed = table.getChild(`${c.name}__suppressed`);
    const arrowValues = table.getChild(c.name)!.toArray();
    const values = Array.from({ length: table.numRows }, (_, i) => plain(table.getChild(c.name)!.get(i), field!.type));
    expect(arrowValues.length).toBe(json.rows.length);
    json.rows.forEach((r, i) => {
      const v = r[c.name];
      if (suppressed?.get(i)) expect(values[i], `${c.name}[${i}]`).toBeNull();
      else if (c.type === 'number' && typeof v === 'number') expect(values[i] as number, `${c.name}[${i}]`).toBeCloseTo(v, 12);
      else expect(values[i], `${c.name}[${i}]`).toEqual(v ?? null);
    });
  }
}

describe('Arrow downloads of KPIs', () => {
  it('caseload-series: month ends are Date32 days, counts are Int, values as in the JSON', async () => {
    const url = '/api/kpis/caseload-series?from=2025-01-01&to=2025-06-30';
    const { json, table } = await both('manager', url);
    expect(json.rows.length).toBeGreaterThan(0);
    const monthEnd = table.schema.fields.find((f) => f.name === 'month_end')!;
    expect(String(monthEnd.type)).toBe('Date32<DAY>');
    const openCases = table.schema.fields.find((f) => f.name === 'open_cases')!;
    expect(DataType.isInt(openCases.type)).toBe(true);
    expect(plain(table.getChild('month_end')!.get(0), monthEnd.type)).toBe(json.rows[0]!.month_end);
    expectTypedLikeJson('caseload-series', json, table);
  });

  it('goal-achievement: goals and clients are Int, the rate stays Float64', async () => {
    const { json, table } = await both('evaluator', '/api/kpis/goal-achievement?from=2025-01-01&to=2025-06-30&by=domain');
    for (const name of ['goals', 'clients', 'achieved']) expect(DataType.isInt(table.schema.fields.find((f) => f.name === name)!.type), name).toBe(true);
    expect(DataType.isFloat(table.schema.fields.find((f) => f.name === 'rate')!.type)).toBe(true);
    expectTypedLikeJson('goal-achievement', json, table);
  });

  it('documentation-completeness and attendance keep their declared types too', async () => {
    for (const [kpi, role] of [['documentation-completeness', 'manager'], ['attendance', 'manager'], ['resolution-time', 'evaluator']] as const) {
      const { json, table } = await both(role, `/api/kpis/${kpi}?from=2025-01-01&to=2025-06-30`);
      expectTypedLikeJson(kpi, json, table);
    }
  });
});

describe('toArrow', () => {
  it('maps int → Int32 (Int64 past 32 bits), date → Date32, number → Float64, and marks suppressed cells', () => {
    const suppressed = { value: null, suppressed: true, reason: 'k' };
    const t = tableFromIPC(toArrow({
      columns: [{ name: 'n', type: 'int' }, { name: 'big', type: 'int' }, { name: 'day', type: 'date' }, { name: 'rate', type: 'number' }],
      rows: [
        { n: 3, big: 2 ** 40, day: '2025-01-31', rate: 0.5 },
        { n: suppressed, big: null, day: null, rate: 1 },
      ],
    }));
    expect(t.schema.fields.map((f) => `${f.name}:${String(f.type)}`)).toEqual(['n:Int32', 'n__suppressed:Bool', 'big:Int64', 'day:Date32<DAY>', 'rate:Float64']);
    expect(t.getChild('n')!.get(0)).toBe(3);
    expect(t.getChild('n')!.get(1)).toBeNull();
    expect(t.getChild('big')!.get(0)).toBe(BigInt(2 ** 40));
    expect(new Date(t.getChild('day')!.get(0) as number).toISOString()).toBe('2025-01-31T00:00:00.000Z');
    expect(t.getChild('day')!.get(1)).toBeNull();
    expect(t.getChild('n__suppressed')!.toArray()).toEqual([false, true]);
    // a whole-number column holding a fraction is not rounded: it stays Float64
    const odd = tableFromIPC(toArrow({ columns: [{ name: 'n', type: 'int' }], rows: [{ n: 1 }, { n: 2.5 }] }));
    expect(String(odd.schema.fields[0]!.type)).toBe('Float64');
    expect(odd.getChild('n')!.get(1)).toBe(2.5);
  });
});
