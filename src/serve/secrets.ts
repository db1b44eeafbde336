/**
 * Password hashes (scrypt from node:crypto), token digests (see tokens.ts), and the HMAC-signed
 * session cookie.
 * Hashes are `scrypt$N$r$p$salt$key` (salt and key base64url), so the cost can be raised later
 * without breaking stored hashes.
 */
import crypto from 'node:crypto';
import type { Role } from '../dashboards/schema.ts';

const N = 16384;
const R = 8;
const P = 1;
const KEYLEN = 32;

function scrypt(secret: string, salt: Buffer, n: number, r: number, p: number, keylen: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    crypto.scrypt(secret, salt, keylen, { N: n, r, p, maxmem: 256 * n * r + 1024 * 1024 }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

export async function hashSecret(secret: string): Promise<string> {
  const salt = crypto.randomBytes(16);
  const key = await scrypt(secret, salt, N, R, P, KEYLEN);
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

/**
 * Constant-time check of a secret against a stored hash; false for malformed hashes. Besides
 * scrypt hashes it takes `sha256:<hex>`, the form API tokens (256 random bits, no slow hash
 * needed) are stored in; passwords are always scrypt.
 */
export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  if (stored.startsWith('sha256:')) {
    const hex = stored.slice('sha256:'.length);
    if (!/^[0-9a-fA-F]{64}$/.test(hex)) return false;
    return crypto.timingSafeEqual(crypto.createHash('sha256').update(secret, 'utf8').digest(), Buffer.from(hex, 'hex'));
  }
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [n, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (![n, r, p].every((x) => Number.isInteger(x) && x > 0) || n > 1 << 20) return false;
  const salt = Buffer.from(parts[4]!, 'base64url');
  const expected = Buffer.from(parts[5]!, 'base64url');
  if (expected.length < 16) return false;
  const key = await scrypt(secret, salt, n, r, p, expected.length);
  return crypto.timingSafeEqual(key, expected);
}

/** A new API token: 32 random bytes, prefixed so it is recognisable in logs and secret scanners. */
export function newToken(): string {
  return `clt_${crypto.randomBytes(32).toString('base64url')}`;
}

export function sha256(s: string): string {
  return crypto.createHash('sha256').update(s).digest('hex');
}

export interface SessionClaims {
  /** user name (or `demo:role[:staff]` for demo sign-ins) */
  u: string;
  r: Role;
  /** staff id, for managers and supervisors */
  s?: string;
  /** demo session */
  d?: true;
  /** server-side session id (sessions.ts): a cookie without a live session is no sign-in */
  sid?: string;
  /** expiry, seconds since the epoch */
  exp: number;
}

export function signSession(claims: SessionClaims, secret: Buffer): string {
  const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
  const mac = crypto.createHmac('sha256', secret).update(body).digest('base64url');
  return `${body}.${mac}`;
}

export function verifySession(value: string, secret: Buffer, nowSeconds = Date.now() / 1000): SessionClaims | undefined {
  const dot = value.indexOf('.');
  if (dot <= 0) return undefined;
  const body = value.slice(0, dot);
  // compared as text: base64url decoding ignores the last character's spare bits, so comparing
  // decoded bytes would accept a signature altered there
  const mac = Buffer.from(value.slice(dot + 1));
  const expected = Buffer.from(crypto.createHmac('sha256', secret).update(body).digest('base64url'));
  if (mac.length !== expected.length || !crypto.timingSafeEqual(mac, expected)) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as SessionClaims;
    if (typeof claims.exp !== 'number' || claims.exp < nowSeconds) return undefined;
    return claims;
  } catch {
    return undefined;
  }
}
