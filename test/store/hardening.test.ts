import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkIdentityKey, keyFingerprint } from '../../src/identity/key.ts';
import { loadPipeline, runPipeline } from '../../src/ingest/index.ts';
import { CaselensError } from '../../src/errors.ts';
import { currentVersion, Db, listMigrations, migrate, openStoreForReading, SCHEMA_VERSION } from '../../src/store/index.ts';
import { CLEAN, cleanPipeline, ingest, tempDir, TEST_IDENTITY_KEY, withDb, writeFiles, writePipeline } from '../helpers.ts';

const OTHER_KEY = 'ab'.repeat(32);

function programme() {
  const dir = tempDir();
  writeFiles(dir, CLEAN);
  return { dir, pipeline: writePipeline(dir, 'crm', cleanPipeline()), dbPath: path.join(dir, 'db.duckdb') };
}

describe('store: opening for reading', () => {
  it('opens an existing database read-only', async () => {
    const { dir, pipeline, dbPath } = programme();
    await withDb(dbPath, (db) => ingest(db, dir, pipeline));
    const db = await openStoreForReading(dbPath);
    try {
      expect(db.readOnly).toBe(true);
      expect(await db.value('SELECT count(*) FROM clients')).toBe(3);
      await expect(db.run("INSERT INTO programs VALUES ('x:P9', 'No', 'housing')")).rejects.toThrow(/read-only/i);
    } finally {
      db.close();
    }
  });

  it('brings an older file forward when it can be written, as opening always did; refuses a newer one', async () => {
    const dir = tempDir();
    const old = path.join(dir, 'old.duckdb');
    const db = await Db.open(old);
    await migrate(db, listMigrations().filter((m) => m.version <= 6));
    db.close();
    const opened = await openStoreForReading(old);
    try {
      expect(await currentVersion(opened)).toBe(SCHEMA_VERSION);
      expect(await opened.value("SELECT count(*) FROM information_schema.tables WHERE table_name = 'identity_key'")).toBe(1);
    } finally {
      opened.close();
    }
    const future = path.join(dir, 'future.duckdb');
    await withDb(future, (d) => d.run("INSERT INTO schema_migrations VALUES (99, 'from_the_future', now()::TIMESTAMP)"));
    await expect(openStoreForReading(future)).rejects.toThrow(/schema version 99, newer than this caselens/);
  });
});

describe('identity key fingerprint', () => {
  it('is 16 hex digits, the same for the same key, different for another, and not the key', () => {
    const f = keyFingerprint(TEST_IDENTITY_KEY);
    expect(f).toMatch(/^[0-9a-f]{16}$/);
    expect(keyFingerprint(TEST_IDENTITY_KEY)).toBe(f);
    expect(keyFingerprint(OTHER_KEY)).not.toBe(f);
    expect(TEST_IDENTITY_KEY).not.toContain(f);
  });

  it('library callers are covered: a load with another key is refused and loads nothing', async () => {
    const { dir, pipeline, dbPath } = programme();
    await withDb(dbPath, async (db) => {
      await ingest(db, dir, pipeline);
      expect(await db.value('SELECT fingerprint FROM identity_key')).toBe(keyFingerprint(TEST_IDENTITY_KEY));
      const runs = await db.value<number>('SELECT count(*) FROM ingest_runs WHERE status = \'succeeded\'');
      writeFiles(dir, { 'clients.csv': CLEAN['clients.csv'] + 'C9,New,Person,1970-01-01,female,\n' });
      const err = await runPipeline({ db, pipeline: loadPipeline(pipeline, { baseDir: dir }), identityKey: OTHER_KEY, rejectLimit: 0.05 }).catch((e: unknown) => e);
      // the runner reports any error inside its transaction as a failed load (IngestFailedError); the CLI checks
      // the key before loading, and exits 5 (test/cli/hardening.test.ts)
      expect(err).toBeInstanceOf(CaselensError);
      expect((err as CaselensError).message).toMatch(/^ingest crm failed, nothing was loaded: the identity key given \(fingerprint/);
      expect((err as CaselensError).message).toContain(`is not the key the client IDs in ${dbPath} were minted with (fingerprint ${keyFingerprint(TEST_IDENTITY_KEY)})`);
      expect(await db.value('SELECT count(*) FROM clients')).toBe(3);
      expect(await db.value('SELECT count(*) FROM ingest_runs WHERE status = \'succeeded\'')).toBe(runs);
      expect(await db.value('SELECT fingerprint FROM identity_key')).toBe(keyFingerprint(TEST_IDENTITY_KEY));
    });
  });

  it('a database from before fingerprints: its minted IDs tell the right key from a wrong one; the right one is then recorded', async () => {
    const { dir, pipeline, dbPath } = programme();
    await withDb(dbPath, async (db) => {
      await ingest(db, dir, pipeline);
      await db.run('DELETE FROM identity_key');
      await expect(checkIdentityKey(db, OTHER_KEY, { keyFile: '/keys/identity.key', record: true })).rejects.toThrow(
        /identity key \/keys\/identity\.key \(fingerprint [0-9a-f]{16}\) is not the key the client IDs .* were minted with .*nothing was loaded: restore \/keys\/identity\.key from the backup/,
      );
      expect(await db.value('SELECT count(*) FROM identity_key')).toBe(0);
      await checkIdentityKey(db, TEST_IDENTITY_KEY, { record: true });
      expect(await db.value('SELECT fingerprint FROM identity_key')).toBe(keyFingerprint(TEST_IDENTITY_KEY));
    });
  });

  it('a load that fails records no fingerprint, so a first key is not bound by a load that minted nothing', async () => {
    const { dir, dbPath } = programme();
    writeFiles(dir, { 'notes.csv': CLEAN['notes.csv'].replace(/K[123],S/g, 'K9,S') });
    const pipeline = writePipeline(dir, 'crm', cleanPipeline());
    await withDb(dbPath, async (db) => {
      await expect(ingest(db, dir, pipeline)).rejects.toThrow(/nothing was loaded/);
      expect(await db.value('SELECT count(*) FROM identity_key')).toBe(0);
      await checkIdentityKey(db, OTHER_KEY);
    });
  });
});
