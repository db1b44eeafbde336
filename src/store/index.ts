import { Db, ident } from './db.ts';
import { currentVersion, migrate, SCHEMA_VERSION } from './migrate.ts';
import { CaselensError, errorMessage, exitCodes } from '../errors.ts';

export { Db, explainDbError, ident, lit, type Params, type Row } from './db.ts';
export { currentVersion, listMigrations, migrate, SCHEMA_VERSION, type Migration } from './migrate.ts';
export { markFactsStale } from './derived.ts';
export { exportTables, type ExportOptions, type ExportResult } from './export.ts';

/** Opens (creating if needed) a database and migrates it to this build's schema. */
export async function openStore(dbPath: string): Promise<Db> {
  const db = await Db.open(dbPath);
  try {
    await migrate(db);
    return db;
  } catch (e) {
    db.close();
    throw e;
  }
}

/** Opens an existing database read-only; it must already be at this build's schema. */
export async function openStoreReadOnly(dbPath: string): Promise<Db> {
  const db = await Db.open(dbPath, { readOnly: true });
  const version = await currentVersion(db);
  if (version !== SCHEMA_VERSION) {
    db.close();
    throw new CaselensError(
      version > SCHEMA_VERSION
        ? `database ${dbPath} has schema version ${version}, newer than this caselens (${SCHEMA_VERSION}): upgrade caselens`
        : `database ${dbPath} has schema version ${version}; run \`caselens migrate\` to bring it to ${SCHEMA_VERSION}`,
      { exitCode: exitCodes.database, status: 503 },
    );
  }
  return db;
}

/**
 * Opens an existing database for a command that only reads: read-only, so a read-only file or
 * mount, or another reader holding it, is no obstacle. A file at an older schema is brought
 * forward first when it can be written (as every command always did); when it cannot, the
 * message says to run `caselens migrate`.
 */
export async function openStoreForReading(dbPath: string): Promise<Db> {
  const db = await Db.open(dbPath, { readOnly: true });
  let version: number;
  try {
    version = await currentVersion(db);
  } catch (e) {
    db.close();
    throw e;
  }
  if (version === SCHEMA_VERSION) return db;
  db.close();
  if (version > SCHEMA_VERSION) {
    throw new CaselensError(`database ${dbPath} has schema version ${version}, newer than this caselens (${SCHEMA_VERSION}): upgrade caselens`, { exitCode: exitCodes.database, status: 503 });
  }
  try {
    return await openStore(dbPath);
  } catch (e) {
    throw new CaselensError(
      `database ${dbPath} has schema version ${version} and cannot be brought to ${SCHEMA_VERSION} here (${errorMessage(e).split('\n')[0]}): run \`caselens migrate --db ${dbPath}\` where the file can be written`,
      { exitCode: exitCodes.database, status: 503, cause: e },
    );
  }
}

export interface CheckResult {
  database: string;
  schemaVersion: number;
  sizeBytes: number | null;
  walBytes: number | null;
  tables: Array<{ table: string; rows: number | null; ok: boolean }>;
  problems: string[];
}

/**
 * `caselens check`: what can be verified of a database without changing it. The file opens
 * (DuckDB checks its headers); its schema is this build's; every column of every table reads
 * back in full (DuckDB verifies each block's checksum as it reads it); primary and unique keys
 * hold. Problems are listed, never repaired.
 */
export async function checkDatabase(db: Db): Promise<CheckResult> {
  const problems: string[] = [];
  const schemaVersion = await currentVersion(db);
  if (schemaVersion !== SCHEMA_VERSION) {
    problems.push(schemaVersion > SCHEMA_VERSION
      ? `schema version ${schemaVersion} is newer than this caselens (${SCHEMA_VERSION}): upgrade caselens`
      : `schema version ${schemaVersion}: run \`caselens migrate\` to bring it to ${SCHEMA_VERSION}`);
  }
  let sizeBytes: number | null = null;
  let walBytes: number | null = null;
  try {
    const size = await db.one<{ block_size: number; used_blocks: number; wal_size: string }>('SELECT block_size, used_blocks, wal_size FROM pragma_database_size() WHERE database_name = current_database()');
    if (size) {
      sizeBytes = size.block_size * size.used_blocks;
      walBytes = parseSize(size.wal_size);
    }
  } catch (e) {
    problems.push(`database size cannot be read: ${errorMessage(e).split('\n')[0]}`);
  }
  const names = (await db.all<{ table_name: string }>(
    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' AND table_type = 'BASE TABLE' ORDER BY table_name",
  )).map((t) => t.table_name);
  const tables: CheckResult['tables'] = [];
  for (const table of names) {
    try {
      // an aggregate over every column reads every block of the table
      const rows = await db.value<number>(`SELECT count(*) AS n, max(hash(COLUMNS(*))) FROM ${ident(table)}`, undefined, `reading ${table}`);
      tables.push({ table, rows, ok: true });
    } catch (e) {
      tables.push({ table, rows: null, ok: false });
      problems.push(`${table}: cannot be read in full: ${errorMessage(e).split('\n')[0]}`);
    }
  }
  const keys = await db.all<{ table_name: string; constraint_type: string; constraint_column_names: string[] }>(
    "SELECT table_name, constraint_type, constraint_column_names FROM duckdb_constraints() WHERE schema_name = 'main' AND constraint_type IN ('PRIMARY KEY', 'UNIQUE')",
  );
  for (const k of keys) {
    const cols = k.constraint_column_names.map(ident).join(', ');
    try {
      const dup = await db.value<number>(`SELECT count(*) FROM (SELECT ${cols} FROM ${ident(k.table_name)} GROUP BY ALL HAVING count(*) > 1)`);
      if (dup > 0) problems.push(`${k.table_name}: ${dup} value(s) of its ${k.constraint_type.toLowerCase()} (${k.constraint_column_names.join(', ')}) appear more than once`);
    } catch (e) {
      problems.push(`${k.table_name}: its ${k.constraint_type.toLowerCase()} cannot be checked: ${errorMessage(e).split('\n')[0]}`);
    }
  }
  return { database: db.path, schemaVersion, sizeBytes, walBytes, tables, problems };
}

function parseSize(text: string): number | null {
  const m = /^([\d.]+)\s*([KMGT]i?B|bytes?)?$/i.exec(text.trim());
  if (!m) return null;
  const unit = (m[2] ?? 'bytes').toUpperCase().replace('I', '');
  const scale: Record<string, number> = { BYTE: 1, BYTES: 1, KB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12 };
  return Math.round(Number(m[1]) * (scale[unit] ?? 1));
}
