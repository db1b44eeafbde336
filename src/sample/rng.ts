/**
 * Small seeded PRNG (sfc32, seeded through a murmur-style mixer) and sampling helpers.
 * Deterministic across platforms: only 32-bit integer arithmetic, no Math.random.
 */

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hash any number of numbers (integers, possibly > 2^32 or negative) to a 32-bit seed. */
export function hash32(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const p of parts) {
    const f = Math.floor(p);
    const lo = f >>> 0;
    const hi = Math.floor(f / 4294967296) >>> 0;
    h = fmix32((h ^ lo) + 0x7f4a7c15);
    h = fmix32((h ^ hi) + 0x165667b1);
  }
  return h;
}

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(...seedParts: number[]) {
    const s = hash32(...seedParts);
    this.a = fmix32(s ^ 0x243f6a88);
    this.b = fmix32(s ^ 0x85a308d3);
    this.c = fmix32(s ^ 0x13198a2e);
    this.d = 1;
    for (let i = 0; i < 12; i++) this.nextU32();
  }

  nextU32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextU32() / 4294967296;
  }

  /** Uniform integer in [lo, hi] (inclusive). */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(arr: readonly T[]): T {
    if (arr.length === 0) throw new Error('pick from empty array');
    return arr[Math.floor(this.next() * arr.length)] as T;
  }

  /** Standard normal via Box-Muller (no caching, so the stream stays simple). */
  normal(mean = 0, sd = 1): number {
    const u1 = 1 - this.next();
    const u2 = this.next();
    return mean + sd * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** Log-normal with the given median and log-sd. */
  lognormal(median: number, sigma: number): number {
    return median * Math.exp(this.normal(0, sigma));
  }

  /** Fisher-Yates shuffle in place. */
  shuffle<T>(arr: T[]): T[] {
    for (let i = arr.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const t = arr[i] as T;
      arr[i] = arr[j] as T;
      arr[j] = t;
    }
    return arr;
  }
}

/** A precomputed weighted picker: `w(rng)` returns one of the values. */
export type Weighted<T> = (rng: Rng) => T;

export function weighted<T>(items: ReadonlyArray<readonly [T, number]>): Weighted<T> {
  const values = items.map((i) => i[0]);
  const cum: number[] = [];
  let total = 0;
  for (const [, w] of items) {
    if (!(w >= 0)) throw new Error('negative weight');
    total += w;
    cum.push(total);
  }
  if (total <= 0) throw new Error('weights sum to zero');
  return (rng: Rng) => {
    const r = rng.next() * total;
    for (let i = 0; i < cum.length; i++) if (r < (cum[i] as number)) return values[i] as T;
    return values[values.length - 1] as T;
  };
}

export function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}
