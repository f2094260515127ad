/**
 * TensorBoard's distribution basis points (tensorboard/plugins/distribution/compressor.py,
 * NORMAL_HISTOGRAM_BPS): min, the normal distribution's −1.5σ, −σ, −0.5σ, median, +0.5σ, +σ, +1.5σ, max,
 * in hundredths of a percent. TensorBoard interpolates them from histogram buckets; we take them from the
 * exact values (linear interpolation between order statistics, numpy's default `percentile`).
 */
export const BASIS_POINTS = [0, 668, 1587, 3085, 5000, 6915, 8413, 9332, 10000] as const;

/** Bins of a health histogram, evenly spaced from the finite minimum to the finite maximum. */
export const HISTOGRAM_BINS = 30;

/** One layer's values at one step: the numbers a health view draws. Statistics are over the finite values. */
export interface ValueSummary {
  readonly count: number;
  readonly zeros: number;
  readonly nan: number;
  readonly inf: number;
  readonly mean: number;
  readonly std: number;
  /** The nine basis points' values (NaN when no value is finite). */
  readonly percentiles: readonly number[];
  /** Bin edges low, high (equal when every finite value is the same) and the count per bin. */
  readonly histogram: { readonly low: number; readonly high: number; readonly counts: readonly number[] };
}

/** Percentile p ∈ [0, 100] of ascending `sorted` (n ≥ 1): linear between order statistics. */
export function percentile(sorted: Float64Array, p: number): number {
  const pos = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (pos - lo) * (sorted[hi]! - sorted[lo]!);
}

/**
 * Counts zeros, NaN and ±Infinity, then summarises the finite values: mean, population std, the nine
 * percentiles, a histogram. No finite value: NaN statistics and an empty histogram, never a throw
 * (seed 004: histograms failed when min/max were NaN).
 */
export function summarize(values: ArrayLike<number>): ValueSummary {
  let zeros = 0;
  let nan = 0;
  let inf = 0;
  const finite = new Float64Array(values.length);
  let n = 0;
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isNaN(v)) nan++;
    else if (!Number.isFinite(v)) inf++;
    else {
      if (v === 0) zeros++;
      finite[n++] = v;
      sum += v;
    }
  }
  const sorted = finite.subarray(0, n).sort();
  const mean = n > 0 ? sum / n : NaN;
  let squares = 0;
  for (let i = 0; i < n; i++) squares += (sorted[i]! - mean) ** 2;
  const counts = new Array<number>(n > 0 ? HISTOGRAM_BINS : 0).fill(0);
  const low = n > 0 ? sorted[0]! : NaN;
  const high = n > 0 ? sorted[n - 1]! : NaN;
  const width = (high - low) / HISTOGRAM_BINS;
  for (let i = 0; i < n; i++) {
    // All values equal (width 0): everything in the first bin.
    const bin = width > 0 ? Math.min(HISTOGRAM_BINS - 1, Math.floor((sorted[i]! - low) / width)) : 0;
    counts[bin]++;
  }
  return {
    count: values.length,
    zeros,
    nan,
    inf,
    mean,
    std: n > 0 ? Math.sqrt(squares / n) : NaN,
    percentiles: BASIS_POINTS.map((bp) => (n > 0 ? percentile(sorted, bp / 100) : NaN)),
    histogram: { low, high, counts },
  };
}
