import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CaselensError, exitCodes } from '../errors.ts';
import type { Db } from './db.ts';

const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Migrations are `NNN_name.sql` files, applied in order, each in its own transaction. */
export function listMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return fs
    .readdirSync(dir)
    .filter((f) => /^\d{3}_[\w-]+\.sql$/.test(f))
    .sort()
    .map((f) => ({ version: Number(f.slice(0, 3)), name: f.slice(4, -4), sql: fs.readFileSync(path.join(dir, f), 'utf8') }));
}

export const SCHEMA_VERSION = Math.max(...listMigrations().map((m) => m.version));

export async function currentVersion(db: Db): Promise<number> {
  const exists = await db.value<number>(
    "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_migrations' AND table_schema = 'main'",
  );
  if (!exists) return 0;
  return (await db.value<number | null>('SELECT max(version) FROM schema_migrations')) ?? 0;
}

/**
 * Brings the database up to this build's schema. A file written by a newer caselens is
 * refused rather than guessed at.
 */
export async function migrate(db: Db, migrations = listMigrations()): Promise<{ from: number; to: number }> {
  const from = await currentVersion(db);
  const latest = Math.max(0, ...migrations.map((m) => m.version));
  if (from > latest) {
    throw new CaselensError(
      `database ${db.path} has schema version ${from}, but this caselens only knows up to version ${latest}: upgrade caselens, or point --db at another file`,
      { exitCode: exitCodes.database, status: 503 },
    );
  }
  for (const m of migrations.filter((m) => m.version > from)) {
    await db.transaction(async () => {
      await db.run(
        'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)',
      );
      await db.run(m.sql, undefined, `migration ${m.version} (${m.name}) failed`);
      await db.run('INSERT INTO schema_migrations VALUES ($1, $2, now()::TIMESTAMP)', [m.version, m.name]);
    });
  }
  return { from, to: Math.max(from, latest) };
}
