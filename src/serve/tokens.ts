/**
 * API token look-up. Tokens made by caselens are 256-bit random strings, so they need no slow,
 * salted hash: the config stores `tokenHash: sha256:<hex>` and the server finds the user by the
 * SHA-256 digest of the presented token in a map (then compares the digests in constant time).
 * A bad token costs one SHA-256, not an scrypt per configured user.
 *
 * Older configs hold scrypt token hashes (`scrypt$…`). Those still work: a token that matches
 * one by scrypt is remembered by its digest (later requests are a map look-up), but scrypt work
 * for tokens not yet known is rationed by a small server-wide budget, so a stream of bad tokens
 * cannot use the CPU up. Re-issue such tokens (`caselens user add NAME --token --replace`) to
 * move them to the `sha256:` form.
 */
import crypto from 'node:crypto';
import type { UserRecord } from './config.ts';
import { verifySecret } from './secrets.ts';

export const SHA256_PREFIX = 'sha256:';

export function tokenDigest(token: string): Buffer {
  return crypto.createHash('sha256').update(token, 'utf8').digest();
}

/** The `tokenHash` form written for new tokens. */
export function sha256TokenHash(token: string): string {
  return `${SHA256_PREFIX}${tokenDigest(token).toString('hex')}`;
}

export type TokenLookup = { user: UserRecord } | { user: undefined; busy?: true };

export interface TokenIndexOptions {
  /** scrypt verifications (one per legacy user tried) of not-yet-known tokens allowed in a burst (default 30) */
  legacyBurst?: number;
  /** and per second after that (default 2: a small share of one core) */
  legacyPerSecond?: number;
  now?: () => number;
}

export class TokenIndex {
  private readonly index = new Map<string, { digest: Buffer; name: string }>();
  private legacy: UserRecord[] = [];
  private byName = new Map<string, UserRecord>();
  private seen: UserRecord[] | undefined;
  private tokens: number;
  private refilled: number;
  private readonly burst: number;
  private readonly rate: number;
  private readonly now: () => number;

  constructor(opts: TokenIndexOptions = {}) {
    this.burst = opts.legacyBurst ?? 30;
    this.rate = opts.legacyPerSecond ?? 2;
    this.now = opts.now ?? Date.now;
    this.tokens = this.burst;
    this.refilled = this.now();
  }

  /** Rebuilds the index when the user list is a new one (the config was re-read). */
  use(users: UserRecord[]): void {
    if (users === this.seen) return;
    this.seen = users;
    this.index.clear();
    this.byName = new Map(users.map((u) => [u.name, u]));
    this.legacy = [];
    for (const u of users) {
      if (!u.tokenHash) continue;
      if (u.tokenHash.startsWith(SHA256_PREFIX)) {
        const hex = u.tokenHash.slice(SHA256_PREFIX.length).toLowerCase();
        if (/^[0-9a-f]{64}$/.test(hex)) this.index.set(hex, { digest: Buffer.from(hex, 'hex'), name: u.name });
      } else {
        this.legacy.push(u);
      }
    }
  }

  /** The user of a token, or undefined (with `busy` when an scrypt check was due but the budget is spent). */
  async lookup(token: string): Promise<TokenLookup> {
    const d = tokenDigest(token);
    const hex = d.toString('hex');
    const hit = this.index.get(hex);
    if (hit && crypto.timingSafeEqual(hit.digest, d)) {
      const user = this.byName.get(hit.name);
      if (user) return { user };
    }
    if (this.legacy.length === 0) return { user: undefined };
    const seen = this.seen;
    for (const u of this.legacy) {
      if (!this.take()) return { user: undefined, busy: true };
      if (await verifySecret(token, u.tokenHash!)) {
        // remembered by digest until the user list changes
        if (this.seen === seen) this.index.set(hex, { digest: d, name: u.name });
        return { user: u };
      }
    }
    return { user: undefined };
  }

  private take(): boolean {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.refilled) / 1000) * this.rate);
    this.refilled = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
