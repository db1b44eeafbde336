/**
 * The KPI read path writes parameter values into the SQL as literals (DuckDB re-plans
 * parameterised statements on every run). The literals must mean exactly what the parameters
 * meant: quoted text that cannot end its quotes, numbers that stay numbers, lists, nulls.
 */
import { listValue } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inlineArgs, queryRows } from '../../src/kpi/query.ts';
import { openStore, type Db } from '../../src/store/index.ts';

let db: Db;
beforeAll(async () => {
  db = await openStore(':memory:');
});
afterAll(() => db.close());

describe('inlineArgs', () => {
  it('writes each placeholder once, $10 not as $1 followed by 0', () => {
    const args = Array.from({ length: 10 }, (_, i) => i + 1);
    expect(inlineArgs('SELECT $1 + $10, $2', args)).toBe('SELECT 1 + 10, 2');
  });

  it('quotes text, keeps numbers numeric (never DECIMAL), writes lists, nulls and booleans', () => {
    expect(inlineArgs("SELECT $1, $2, $3, $4, $5, $6", ["O'Brien; DROP TABLE cases; --", 30, 0.1, null, true, listValue(['a', "b'c"])])).toBe(
      "SELECT 'O''Brien; DROP TABLE cases; --', 30, 1e-1::DOUBLE, NULL, true, ['a', 'b''c']",
    );
  });

  it('refuses a placeholder without a value and a value that is not finite', () => {
    expect(() => inlineArgs('SELECT $2', [1])).toThrow(/parameter \$2; 1 given/);
    expect(() => inlineArgs('SELECT $1', [Number.NaN])).toThrow(/finite/);
  });

  it('writes doubles exactly, to the last bit', async () => {
    // a plain 17-digit decimal would be read as a DECIMAL first and could land a step off
    const values = [0.9733906798422951, 1 / 3, -2.5e-9, 123456.789e10, Number.MIN_VALUE * 1e10];
    const [row] = await queryRows(db, `SELECT ${values.map((_, i) => `$${i + 1}::DOUBLE AS v${i}`).join(', ')}`, values, 'test');
    expect(Object.values(row!)).toEqual(values);
  });

  it('gives what the parameters give', async () => {
    const sql = "SELECT $1::DATE + $2::INTEGER AS day, $3 * 2 AS half, list_contains($4::VARCHAR[], 'x') AS has_x, $5 = 'it''s' AS quoted";
    const args = ['2024-02-28', 2, 0.25, listValue(['x', 'y']), "it's"];
    const [inlined] = await queryRows(db, sql, args, 'test');
    const reader = await db.connection.runAndReadAll(sql, args as never);
    const [bound] = reader.getRowObjectsJson();
    expect(inlined).toEqual({ day: '2024-03-01', half: 0.5, has_x: true, quoted: true });
    expect(bound).toMatchObject({ day: '2024-03-01', half: 0.5, has_x: true, quoted: true });
  });
});
