/**
 * The KPI read path. Results of the monthly caseload series run to tens of thousands of rows,
 * and turning DuckDB values into JS objects one by one cost more than the query itself; this
 * reads rows as arrays and converts only what needs converting (BIGINT → number, DATE → ISO
 * day, LIST → array, STRUCT → object).
 */
import { DuckDBListValue, DuckDBStructValue, DuckDBTypeId, type DuckDBValue } from '@duckdb/node-api';
import { explainDbError, lit, type Db } from '../store/index.ts';

function plain(v: DuckDBValue): unknown {
  if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : v.toString();
  if (v instanceof DuckDBListValue) return v.items.map(plain);
  if (v instanceof DuckDBStructValue) return Object.fromEntries(Object.entries(v.entries).map(([k, x]) => [k, plain(x)]));
  return String(v);
}

/** Types whose values arrive as plain JS values already. */
const PLAIN = new Set<DuckDBTypeId>([
  DuckDBTypeId.BOOLEAN, DuckDBTypeId.TINYINT, DuckDBTypeId.SMALLINT, DuckDBTypeId.INTEGER, DuckDBTypeId.UTINYINT,
  DuckDBTypeId.USMALLINT, DuckDBTypeId.UINTEGER, DuckDBTypeId.FLOAT, DuckDBTypeId.DOUBLE, DuckDBTypeId.VARCHAR, DuckDBTypeId.SQLNULL,
]);

/** A KPI parameter value as a SQL literal: numbers and booleans as written, text quoted. */
function literal(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`KPI parameter ${v} is not a finite number`);
    // an integer literal types as INTEGER/BIGINT; anything else in exponent form, which DuckDB
    // reads as a DOUBLE (a plain decimal is read as a DECIMAL first and can come back one step off)
    return Number.isSafeInteger(v) ? String(v) : `${v.toExponential()}::DOUBLE`;
  }
  if (typeof v === 'string') return lit(v);
  if (v instanceof DuckDBListValue) return `[${v.items.map(literal).join(', ')}]`;
  throw new Error(`KPI parameter of type ${typeof v} cannot be written as a literal`);
}

/**
 * The KPI SQL with its parameters written in as literals. DuckDB plans a statement with
 * parameters again on every execution, once the values are known, and that second planning cost
 * more than many a KPI's whole query (documentation-completeness: 12 ms of planning with
 * parameters, 2.5 ms with literals). The KPIs still build parameterised SQL (the text shown in
 * docs/kpis.md); only this read path writes the validated values in, quoted.
 */
export function inlineArgs(sql: string, args: readonly unknown[]): string {
  return sql.replace(/\$(\d+)(?!\d)/g, (_, n: string) => {
    const i = Number(n) - 1;
    if (i < 0 || i >= args.length) throw new Error(`KPI SQL refers to parameter $${n}; ${args.length} given`);
    return literal(args[i]);
  });
}

export async function queryRows(db: Db, sql: string, args: readonly unknown[], purpose: string): Promise<Array<Record<string, unknown>>> {
  try {
    const reader = await db.connection.runAndReadAll(inlineArgs(sql, args));
    const names = reader.columnNames();
    // column-wise reading is several times faster than row-wise in @duckdb/node-api
    const columns = reader.getColumns();
    const n = reader.currentRowCount;
    const out = new Array<Record<string, unknown>>(n);
    for (let i = 0; i < n; i++) out[i] = {};
    for (let j = 0; j < names.length; j++) {
      const name = names[j]!;
      const values = columns[j]!;
      if (PLAIN.has(reader.columnTypeId(j))) {
        for (let i = 0; i < n; i++) out[i]![name] = values[i]!;
      } else {
        for (let i = 0; i < n; i++) out[i]![name] = plain(values[i]!);
      }
    }
    return out;
  } catch (e) {
    throw explainDbError(e, purpose);
  }
}
