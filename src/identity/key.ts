import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { CaselensError } from '../errors.ts';

/**
 * The identity key is the secret behind minted client IDs. It lives outside the database,
 * so a database rebuilt from the same sources mints the same IDs, while nobody without the
 * key can recompute an ID from a source key. Losing it changes only IDs minted afterwards.
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
    throw new CaselensError(`identity key ${file} is not 64 hexadecimal characters: restore it from backup (changing it changes every newly minted client ID)`);
  }
  return key;
}
