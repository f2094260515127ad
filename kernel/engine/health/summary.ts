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

/** Fine buckets the exact percentiles are located in before the few values of one bucket are sorted. */
const FINE_BUCKETS = 1024;

/**
 * Counts zeros, NaN and ±Infinity, then summarises the finite values: mean, population std, the nine
 * percentiles, a histogram. No finite value: NaN statistics and an empty histogram, never a throw
 * (seed 004: histograms failed when min/max were NaN). Without sorting every value (a health measure
 * must stay cheap next to training): percentiles are exact order statistics found through FINE_BUCKETS
 * buckets, only the values of the buckets holding the wanted ranks being sorted.
 */
export function summarize(values: ArrayLike<number>): ValueSummary {
  let zeros = 0;
  let nan = 0;
  let inf = 0;
  let n = 0;
  let sum = 0;
  let low = Infinity;
  let high = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v - v !== 0) {
      if (Number.isNaN(v)) nan++;
      else inf++;
      continue;
    }
    if (v === 0) zeros++;
    n++;
    sum += v;
    if (v < low) low = v;
    if (v > high) high = v;
  }
  const mean = n > 0 ? sum / n : NaN;
  const counts = new Array<number>(n > 0 ? HISTOGRAM_BINS : 0).fill(0);
  const fine = new Int32Array(FINE_BUCKETS + 1);
  // Scales instead of widths: a multiplication per value, as numpy's histogram computes bins.
  const scale = high > low ? HISTOGRAM_BINS / (high - low) : 0;
  const fineScale = high > low ? FINE_BUCKETS / (high - low) : 0;
  const step = (high - low) / HISTOGRAM_BINS;
  let squares = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v - v !== 0) continue;
    squares += (v - mean) * (v - mean);
    // All values equal (scale 0): everything in the first bin.
    // numpy's correction against its linspace edges low + b·step: a value on an edge goes right of it.
    let bin = Math.min(HISTOGRAM_BINS - 1, Math.floor((v - low) * scale));
    if (step > 0 && v < low + bin * step) bin--;
    else if (step > 0 && bin < HISTOGRAM_BINS - 1 && v >= low + (bin + 1) * step) bin++;
    counts[bin]++;
    fine[fineBucket(v, low, fineScale) + 1]++;
  }
  for (let b = 1; b <= FINE_BUCKETS; b++) fine[b] += fine[b - 1]!;
  // numpy's default: linear between the order statistics around (p/100)·(n − 1).
  const positions = BASIS_POINTS.map((bp) => (bp / 10000) * (n - 1));
  const ranks = positions.flatMap((pos) => [Math.floor(pos), Math.min(n - 1, Math.floor(pos) + 1)]);
  const ranked = n > 0 ? orderStatistics(values, low, fineScale, fine, ranks) : () => NaN;
  return {
    count: values.length,
    zeros,
    nan,
    inf,
    mean,
    std: n > 0 ? Math.sqrt(squares / n) : NaN,
    percentiles: positions.map((pos) => {
      const lo = Math.floor(pos);
      const a = ranked(lo);
      return pos > lo ? a + (pos - lo) * (ranked(lo + 1) - a) : a;
    }),
    histogram: { low: n > 0 ? low : NaN, high: n > 0 ? high : NaN, counts },
  };
}

const fineBucket = (v: number, low: number, fineScale: number): number => Math.min(FINE_BUCKETS - 1, Math.floor((v - low) * fineScale));

/**
 * The k-th smallest finite value (0-based) for the given ranks: the fine buckets' cumulative counts say
 * which bucket holds each rank; one pass gathers those buckets' values, each bucket is sorted.
 */
function orderStatistics(values: ArrayLike<number>, low: number, fineScale: number, cumulative: Int32Array, ranks: readonly number[]): (k: number) => number {
  const bucketOf = (k: number): number => {
    let b = 0;
    while (cumulative[b + 1]! <= k) b++;
    return b;
  };
  // slot[b]: where bucket b's values go (−1: not wanted).
  const slot = new Int8Array(FINE_BUCKETS).fill(-1);
  const gathered: Float64Array[] = [];
  const filled: number[] = [];
  for (const k of ranks) {
    const b = bucketOf(k);
    if (slot[b] !== -1) continue;
    slot[b] = gathered.length;
    gathered.push(new Float64Array(cumulative[b + 1]! - cumulative[b]!));
    filled.push(0);
  }
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v - v !== 0) continue;
    const s = slot[fineBucket(v, low, fineScale)]!;
    if (s >= 0) gathered[s]![filled[s]!++] = v;
  }
  for (const g of gathered) g.sort();
  return (k) => {
    const b = bucketOf(k);
    return gathered[slot[b]!]![k - cumulative[b]!]!;
  };
}
