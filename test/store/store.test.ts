import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { currentVersion, Db, exportTables, listMigrations, migrate, openStore, openStoreReadOnly, SCHEMA_VERSION } from '../../src/store/index.ts';
import { CLEAN, cleanPipeline, ingest, tempDir, withDb, writeFiles, writePipeline } from '../helpers.ts';

describe('store: migrations', () => {
  it('creates every canonical table of the design on a new file', async () => {
    const dbPath = path.join(tempDir(), 'new.duckdb');
    await withDb(dbPath, async (db) => {
      expect(await currentVersion(db)).toBe(SCHEMA_VERSION);
      const tables = (await db.all<{ table_name: string }>("SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'")).map((t) => t.table_name);
      for (const t of ['clients', 'client_pii', 'client_identities', 'staff', 'programs', 'cases', 'goals', 'services', 'followups', 'assessments', 'surveys', 'notes', 'ingest_runs', 'ingest_rejects', 'audit_log', 'identity_reviews']) {
        expect(tables, t).toContain(t);
      }
    });
  });

  it('migrates an older file forward, keeping its data', async () => {
    const dir = tempDir();
    const migDir = path.join(dir, 'migrations');
    fs.mkdirSync(migDir);
    const real = listMigrations();
    // an "old" caselens: only the first migration
    const old = real.filter((m) => m.version === 1);
    const dbPath = path.join(dir, 'old.duckdb');
    const db = await Db.open(dbPath);
    await migrate(db, old);
    await db.run("INSERT INTO programs VALUES ('x:P1', 'Kept', 'housing')");
    // a newer caselens adds a column
    const newer = [...old, { version: 2, name: 'add_program_region', sql: 'ALTER TABLE programs ADD COLUMN region VARCHAR;' }];
    const r = await migrate(db, newer);
    expect(r).toEqual({ from: 1, to: 2 });
    expect(await db.all('SELECT program_id, name, region FROM programs')).toEqual([{ program_id: 'x:P1', name: 'Kept', region: null }]);
    expect(await db.all('SELECT version, name FROM schema_migrations ORDER BY version')).toEqual([
      { version: 1, name: 'canonical_tables' }, { version: 2, name: 'add_program_region' },
    ]);
    // running again is a no-op
    expect(await migrate(db, newer)).toEqual({ from: 2, to: 2 });
    db.close();
  });

  it('refuses a file written by a newer caselens, with a clear message', async () => {
    const dbPath = path.join(tempDir(), 'future.duckdb');
    await withDb(dbPath, async (db) => {
      await db.run("INSERT INTO schema_migrations VALUES (99, 'from_the_future', now()::TIMESTAMP)");
    });
    await expect(openStore(dbPath)).rejects.toThrow(/has schema version 99, but this caselens only knows up to version \d+: upgrade caselens/);
    await expect(openStoreReadOnly(dbPath)).rejects.toThrow(/schema version 99, newer than this caselens/);
  });

  it('says what to do when another process holds the database', async () => {
    const dbPath = path.join(tempDir(), 'locked.duckdb');
    await withDb(dbPath, async () => undefined);
    const { spawn } = await import('node:child_process');
    const holder = spawn(process.execPath, ['-e', `
      const { DuckDBInstance } = require(${JSON.stringify(path.join(import.meta.dirname, '..', '..', 'node_modules', '@duckdb', 'node-api'))});
      DuckDBInstance.create(${JSON.stringify(dbPath)}).then(() => { console.log('open'); setInterval(() => {}, 1000); });
    `]);
    await new Promise<void>((resolve) => holder.stdout.on('data', () => resolve()));
    try {
      await expect(openStore(dbPath)).rejects.toThrow(/another process has this database open/);
    } finally {
      holder.kill('SIGKILL');
    }
  });
});

describe('store: export', () => {
  it('writes Parquet (partitioned) and CSV that DuckDB reads back with the same rows', async () => {
    const dir = tempDir();
    writeFiles(dir, CLEAN);
    const pipeline = writePipeline(dir, 'crm', cleanPipeline());
    await withDb(path.join(dir, 'db.duckdb'), async (db) => {
      await ingest(db, dir, pipeline);
      const out = path.join(dir, 'export');
      const parquet = await exportTables(db, { format: 'parquet', outDir: out, partitionBy: 'program_id' });
      const cases = parquet.find((r) => r.table === 'cases')!;
      expect(cases.partitionedBy).toBe('program_id');
      const dirs = fs.readdirSync(cases.path).sort();
      expect(dirs).toHaveLength(2);
      expect(dirs.every((d) => d.startsWith('program_id=crm'))).toBe(true);
      expect(await db.value(`SELECT count(*) FROM read_parquet('${cases.path}/**/*.parquet', hive_partitioning = true)`)).toBe(4);
      expect(parquet.map((r) => r.table)).not.toContain('client_pii');
      const notes = parquet.find((r) => r.table === 'notes')!;
      expect(await db.value(`SELECT count(*) FROM read_parquet('${notes.path}') WHERE text LIKE '%🎉%'`)).toBe(1);
      const csv = await exportTables(db, { format: 'csv', outDir: path.join(dir, 'csv'), tables: ['notes'] });
      expect(await db.value(`SELECT count(*) FROM read_csv('${csv[0]!.path}')`)).toBe(3);
      await expect(exportTables(db, { format: 'csv', outDir: out, tables: ['client_pii'] })).rejects.toThrow(/--include-pii/);
    });
  });
});
