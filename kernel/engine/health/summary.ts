import { FINE_BUCKETS, HISTOGRAM_BINS, SummaryPasses, type FineGrid, type Scan } from "./summary-passes";

/**
 * TensorBoard's distribution basis points (tensorboard/plugins/distribution/compressor.py,
 * NORMAL_HISTOGRAM_BPS): min, the normal distribution's −1.5σ, −σ, −0.5σ, median, +0.5σ, +σ, +1.5σ, max,
 * in hundredths of a percent. TensorBoard interpolates them from histogram buckets; we take them from the
 * exact values (linear interpolation between order statistics, numpy's default `percentile`).
 */
export const BASIS_POINTS = [0, 668, 1587, 3085, 5000, 6915, 8413, 9332, 10000] as const;

/** Bins of a health histogram, evenly spaced from the finite minimum to the finite maximum. */
export { HISTOGRAM_BINS };

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

/**
 * Counts zeros, NaN and ±Infinity, then summarises the finite values: mean, population std, the nine
 * percentiles, a histogram. No finite value: NaN statistics and an empty histogram, never a throw
 * (seed 004: histograms failed when min/max were NaN). Without sorting every value (a health measure
 * must stay cheap next to training): percentiles are exact order statistics found through FINE_BUCKETS
 * buckets, only the values of the buckets holding the wanted ranks being looked at again. The three
 * passes over all the values run in WebAssembly (summary.wat through ./summary-passes.ts); what is left
 * here is per bucket or per rank.
 */
export function summarize(values: ArrayLike<number>): ValueSummary {
  const passes = new SummaryPasses(values);
  const scan = passes.scan();
  const { zeros, nan, n, sum, low, high } = scan;
  if (n === 0) {
    const none = { low: NaN, high: NaN, counts: [] };
    return { count: values.length, zeros, nan, inf: values.length - nan, mean: NaN, std: NaN, percentiles: BASIS_POINTS.map(() => NaN), histogram: none };
  }
  const mean = sum / n;
  const grid = fineGrid(low, high);
  const { squares, counts, cumulative } = passes.spread(mean, grid, (high - low) / HISTOGRAM_BINS);
  // numpy's default: linear between the order statistics around (p/100)·(n − 1).
  const positions = BASIS_POINTS.map((bp) => (bp / 10000) * (n - 1));
  const ranks = Int32Array.from(new Set(positions.flatMap((pos) => [Math.floor(pos), Math.min(n - 1, Math.floor(pos) + 1)])));
  const ranked = ranksOf(passes, grid, cumulative, ranks, scan);
  const at = (k: number): number => ranked[ranks.indexOf(k)]!;
  return {
    count: values.length,
    zeros,
    nan,
    inf: values.length - n - nan,
    mean,
    std: Math.sqrt(squares / n),
    percentiles: positions.map((pos) => {
      const lo = Math.floor(pos);
      const a = at(lo);
      return pos > lo ? a + (pos - lo) * (at(lo + 1) - a) : a;
    }),
    histogram: { low, high, counts: Array.from(counts) },
  };
}

/**
 * The fine buckets: v's place between the finite min and max, floor((v·half − low·half) · scale). `half`
 * is 1 (then it is floor((v − low) · scale)), or ½ when max − min overflows (values beyond ±9e307): every
 * finite value must land in a bucket, or its rank would be lost.
 */
function fineGrid(low: number, high: number): FineGrid {
  const half = Number.isFinite(high - low) ? 1 : 0.5;
  const scale = FINE_BUCKETS / (high * half - low * half);
  // One bucket when all values are equal, or when they span so few subnormals that the scale overflows.
  return { low, half, scale: high > low && Number.isFinite(scale) ? scale : 0 };
}

const fineBucket = (v: number, g: FineGrid): number => Math.min(FINE_BUCKETS - 1, Math.floor((v * g.half - g.low * g.half) * g.scale));

/**
 * The k-th smallest finite values (0-based) for the given ranks (ascending, distinct): the fine buckets'
 * cumulative counts say which bucket holds each rank; one pass gathers those buckets' values, and the
 * kernels' select reads each bucket's ranks. The exact zeros (dead and dormant neurons' gradients: a
 * third of them in a 784-64-10 MLP) are counted, not gathered: every gathered set is free of ±0.
 */
function ranksOf(passes: SummaryPasses, grid: FineGrid, cumulative: Int32Array, ranks: Int32Array, scan: Scan): Float64Array {
  const buckets: number[] = [];
  const firstRank: number[] = [];
  for (let j = 0; j < ranks.length; j++) {
    const b = bucketOf(cumulative, ranks[j]!);
    if (buckets[buckets.length - 1] === b) continue;
    buckets.push(b);
    firstRank.push(j);
  }
  const zeroBucket = scan.zeros > 0 ? fineBucket(0, grid) : -1;
  const sizes = buckets.map((b) => cumulative[b + 1]! - cumulative[b]! - (b === zeroBucket ? scan.zeros : 0));
  const gathered = passes.gather(buckets, sizes, zeroBucket);
  const out = new Float64Array(ranks.length);
  gathered.forEach((set, s) => {
    const b = buckets[s]!;
    const from = firstRank[s]!;
    const local = ranks.slice(from, s + 1 < buckets.length ? firstRank[s + 1]! : ranks.length).map((k) => k - cumulative[b]!);
    // The zero bucket's negatives: every value of an earlier bucket is below 0, of a later one above.
    const ranked = b === zeroBucket ? aroundZeros(passes, set, local, scan.negatives - cumulative[b]!, scan) : passes.orderStatistics(set, local);
    out.set(ranked, from);
  });
  return out;
}

/** The fine bucket holding rank k: the last b with cumulative[b] ≤ k (binary search). */
function bucketOf(cumulative: Int32Array, k: number): number {
  let lo = 0;
  let hi = FINE_BUCKETS - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (cumulative[mid]! <= k) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * The ranks of a bucket whose exact zeros (scan.zeros of them, the first scan.negativeZeros −0, as a
 * sort orders them) were left out of `nonzero` (`below` of its values are negative): in sorted order
 * the zeros sit between its negatives and its positives.
 */
function aroundZeros(passes: SummaryPasses, nonzero: Float64Array, ranks: Int32Array, below: number, scan: Scan): Float64Array {
  const { zeros, negativeZeros } = scan;
  const rank = (r: number): number => (r < below ? r : r - zeros);
  const wanted = Int32Array.from(new Set(Array.from(ranks).filter((r) => r < below || r >= below + zeros).map(rank)));
  const values = passes.orderStatistics(nonzero, wanted);
  return Float64Array.from(ranks, (r) => (r < below || r >= below + zeros ? values[wanted.indexOf(rank(r))]! : r < below + negativeZeros ? -0 : 0));
}
