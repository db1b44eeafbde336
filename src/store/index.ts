import { Db } from './db.ts';
import { currentVersion, migrate, SCHEMA_VERSION } from './migrate.ts';
import { CaselensError, exitCodes } from '../errors.ts';

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
