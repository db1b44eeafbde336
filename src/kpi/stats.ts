/**
 * The statistics behind change from baseline, as small pure functions. The KPI SQL returns
 * counts, means and sample variances; these turn them into intervals, effect sizes and tests.
 * Distributions come from jstat.
 */
import jStat from 'jstat';

export function mean(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Sample standard deviation (divisor n − 1); null below two values. */
export function sd(xs: readonly number[]): number | null {
  if (xs.length < 2) return null;
  const m = mean(xs)!;
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
}

/**
 * Quantile by linear interpolation between closest ranks (R type 7, Excel PERCENTILE.INC,
 * DuckDB quantile_cont): h = (n − 1)·p, value = x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋]).
 */
export function quantile(xs: readonly number[], p: number): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const h = (s.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, s.length - 1);
  return s[lo]! + (h - lo) * (s[hi]! - s[lo]!);
}

/** Two-sided critical value of Student's t: t such that P(T ≤ t) = 1 − (1 − level)/2 with `df` degrees of freedom. */
export function tCritical(df: number, level = 0.95): number {
  return jStat.studentt.inv(1 - (1 - level) / 2, df);
}

/** Confidence interval of a mean from its SD and n (t distribution, df = n − 1); null below n = 2. */
export function meanInterval(m: number | null, s: number | null, n: number, level = 0.95): { low: number; high: number; t: number; se: number } | null {
  if (m === null || s === null || n < 2) return null;
  const se = s / Math.sqrt(n);
  const t = tCritical(n - 1, level);
  return { low: m - t * se, high: m + t * se, t, se };
}

export interface WelchResult {
  difference: number;
  t: number;
  df: number;
  /** two-sided */
  p: number;
}

/**
 * Welch's unequal-variance t-test of mean1 − mean2 from summary statistics (sample variances):
 * t = (m1 − m2) / √(v1/n1 + v2/n2); df by Welch–Satterthwaite; p two-sided. Null when either
 * group has fewer than two values or both variances are zero.
 */
export function welchTest(m1: number, v1: number, n1: number, m2: number, v2: number, n2: number): WelchResult | null {
  if (n1 < 2 || n2 < 2) return null;
  const a = v1 / n1;
  const b = v2 / n2;
  const se2 = a + b;
  if (!(se2 > 0)) return null;
  const t = (m1 - m2) / Math.sqrt(se2);
  const df = se2 ** 2 / (a ** 2 / (n1 - 1) + b ** 2 / (n2 - 1));
  const p = 2 * (1 - jStat.studentt.cdf(Math.abs(t), df));
  return { difference: m1 - m2, t, df, p: Math.min(1, Math.max(0, p)) };
}

export interface PairedSummary {
  n: number;
  baselineMean: number | null;
  baselineSd: number | null;
  followupMean: number | null;
  followupSd: number | null;
  /** mean of (follow-up − baseline) */
  meanChange: number | null;
  sdChange: number | null;
  ciLow: number | null;
  ciHigh: number | null;
  /** Cohen's d for paired data (d_z) = mean change / SD of change */
  effectSize: number | null;
}

/** The paired statistics from summary values (what the SQL returns). */
export function pairedFromSummary(s: Omit<PairedSummary, 'ciLow' | 'ciHigh' | 'effectSize'>): PairedSummary {
  const ci = meanInterval(s.meanChange, s.sdChange, s.n);
  const d = s.meanChange !== null && s.sdChange !== null && s.sdChange > 0 ? s.meanChange / s.sdChange : null;
  return { ...s, ciLow: ci?.low ?? null, ciHigh: ci?.high ?? null, effectSize: d };
}

/** The paired statistics from raw pairs; the reference implementation the tests compare against. */
export function pairedSummary(baseline: readonly number[], followup: readonly number[]): PairedSummary {
  if (baseline.length !== followup.length) throw new Error('baseline and follow-up must pair up');
  const diff = followup.map((f, i) => f - baseline[i]!);
  return pairedFromSummary({
    n: diff.length,
    baselineMean: mean(baseline),
    baselineSd: sd(baseline),
    followupMean: mean(followup),
    followupSd: sd(followup),
    meanChange: mean(diff),
    sdChange: sd(diff),
  });
}
