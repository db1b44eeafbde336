/**
 * The KPI read path. Results of the monthly caseload series run to tens of thousands of rows,
 * and turning DuckDB values into JS objects one by one cost more than the query itself; this
 * reads rows as arrays and converts only what needs converting (BIGINT → number, DATE → ISO
 * day, LIST → array, STRUCT → object).
 */
import { DuckDBListValue, DuckDBStructValue, DuckDBTypeId, type DuckDBValue } from '@duckdb/node-api';
import { explainDbError, type Db } from '../store/index.ts';

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

export async function queryRows(db: Db, sql: string, args: readonly unknown[], purpose: string): Promise<Array<Record<string, unknown>>> {
  try {
    const reader = await db.connection.runAndReadAll(sql, args as DuckDBValue[]);
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
