import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { CaselensError, exitCodes } from '../errors.ts';
import { lit, type Db } from '../store/index.ts';

/**
 * The identity key is the secret behind minted client IDs. It lives outside the database,
 * so a database rebuilt from the same sources mints the same IDs, while nobody without the
 * key can recompute an ID from a source key. A database is bound to the key that minted its
 * IDs (see `checkIdentityKey`): a lost or different key stops a load instead of minting IDs
 * that no rebuild would reproduce.
 */
export function loadIdentityKey(file: string): string {
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const key = crypto.randomBytes(32).toString('hex');
    try {
      fs.writeFileSync(file, key + '\n', { mode: 0o600, flag: 'wx' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  const key = fs.readFileSync(file, 'utf8').trim();
  if (!/^[0-9a-f]{64}$/.test(key)) {
    throw new CaselensError(`identity key ${file} is not 64 hexadecimal characters: restore it from backup (changing it changes every newly minted client ID)`, { exitCode: exitCodes.database });
  }
  return key;
}

const FINGERPRINT_LABEL = 'caselens identity key fingerprint v1';

/** A short public fingerprint of the key: HMAC-SHA256 of a fixed label under the key, first 16 hex digits. Never the key. */
export function keyFingerprint(identityKey: string): string {
  return crypto.createHmac('sha256', identityKey).update(FINGERPRINT_LABEL).digest('hex').slice(0, 16);
}

async function hasFingerprintTable(db: Db): Promise<boolean> {
  return (await db.value<number>("SELECT count(*) FROM information_schema.tables WHERE table_name = 'identity_key' AND table_schema = 'main'")) > 0;
}

/** What the database knows of the key that minted its client IDs. */
export async function boundIdentityKey(db: Db): Promise<{ fingerprint: string | null; minted: number }> {
  const fingerprint = (await hasFingerprintTable(db)) ? ((await db.value<string | null>('SELECT fingerprint FROM identity_key WHERE id = 1')) ?? null) : null;
  const minted = await db.value<number>("SELECT count(*) FROM client_identities WHERE rule IN ('minted', 'conflict')");
  return { fingerprint, minted };
}

const NOTHING_LOADED = 'nothing was loaded';

function restoreHint(keyFile: string | undefined): string {
  return keyFile
    ? `restore ${keyFile} from the backup made with this database (or point identity.keyFile in caselens.config.yaml at that file)`
    : 'restore the key file used with this database from backup (identity.keyFile in caselens.config.yaml)';
}

/**
 * Binds a database to its identity key. A database that has minted client IDs accepts only
 * the key they were minted with: compared by fingerprint, or, for a database from before
 * fingerprints were kept, by recomputing its minted IDs. A different key is an error (exit 5)
 * and nothing is changed. With `record`, a database without a fingerprint gets this key's
 * (call it in the transaction that mints, so a failed load records nothing).
 */
export async function checkIdentityKey(db: Db, identityKey: string, opts: { keyFile?: string; record?: boolean } = {}): Promise<void> {
  const mine = keyFingerprint(identityKey);
  const bound = await boundIdentityKey(db);
  const refuse = (stored: string) =>
    new CaselensError(
      `${opts.keyFile ? `identity key ${opts.keyFile}` : 'the identity key given'} (fingerprint ${mine}) is not the key the client IDs in ${db.path} were minted with (fingerprint ${stored}); ` +
        `new clients would get IDs no rebuild reproduces, so ${NOTHING_LOADED}: ${restoreHint(opts.keyFile)}`,
      { exitCode: exitCodes.database, status: 500 },
    );
  if (bound.fingerprint !== null) {
    if (bound.fingerprint !== mine) throw refuse(bound.fingerprint);
    return;
  }
  if (bound.minted > 0) {
    // minted before fingerprints were kept: the IDs themselves say which key minted them. The
    // latest load that minted decides (a database whose key was already swapped once is bound to
    // the key in use since, the one its newest IDs were minted with)
    const wrong = await db.value<number>(`
      WITH minted AS (SELECT * FROM client_identities WHERE rule IN ('minted', 'conflict')),
      latest AS (
        SELECT source_system, source_key, client_id FROM minted
        WHERE linked_at = (SELECT max(linked_at) FROM minted)
        ORDER BY source_system, source_key LIMIT 1000
      )
      SELECT count(*) FROM latest
      WHERE client_id <> ('CL-' || upper(substr(sha256(${lit(identityKey)} || chr(31) || source_system || chr(31) || source_key), 1, 16)))`);
    if (wrong > 0) throw refuse('unknown: minted before fingerprints were kept; the stored IDs do not match this key');
  }
  if (opts.record && !db.readOnly && (await hasFingerprintTable(db))) {
    await db.run('INSERT INTO identity_key VALUES (1, $1, now()::TIMESTAMP) ON CONFLICT DO NOTHING', [mine], 'cannot record the identity key fingerprint');
  }
}

/**
 * The key for a load into `db`: read from `file`, created there only for a database that has no
 * client IDs yet, and checked against the database (`checkIdentityKey`). A missing key file for a
 * database with minted IDs is an error (exit 5) naming the file to restore; nothing is created.
 */
export async function identityKeyFor(db: Db, file: string): Promise<string> {
  if (!fs.existsSync(file)) {
    const bound = await boundIdentityKey(db);
    if (bound.fingerprint !== null || bound.minted > 0) {
      throw new CaselensError(
        `identity key ${file} is missing, but the database ${db.path} has ${bound.minted} client ID(s) minted with a key` +
          `${bound.fingerprint ? ` (fingerprint ${bound.fingerprint})` : ''}; a new key would give new clients IDs no rebuild reproduces, so ${NOTHING_LOADED}: ${restoreHint(file)}`,
        { exitCode: exitCodes.database, status: 500 },
      );
    }
  }
  const key = loadIdentityKey(file);
  await checkIdentityKey(db, key, { keyFile: file });
  return key;
}
