import { orderStatistics } from "./order-statistics";
import { FINE_BUCKETS, HISTOGRAM_BINS, SummaryPasses, type FineGrid } from "./summary-passes";

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
  const { zeros, negativeZeros, nan, n, sum, low, high } = passes.scan();
  if (n === 0) {
    const none = { low: NaN, high: NaN, counts: [] };
    return { count: values.length, zeros, nan, inf: values.length - nan, mean: NaN, std: NaN, percentiles: BASIS_POINTS.map(() => NaN), histogram: none };
  }
  const mean = sum / n;
  const grid = fineGrid(low, high);
  const { squares, counts, fine } = passes.spread(mean, grid, (high - low) / HISTOGRAM_BINS);
  for (let b = 1; b <= FINE_BUCKETS; b++) fine[b] += fine[b - 1]!;
  // numpy's default: linear between the order statistics around (p/100)·(n − 1).
  const positions = BASIS_POINTS.map((bp) => (bp / 10000) * (n - 1));
  const ranks = Int32Array.from(new Set(positions.flatMap((pos) => [Math.floor(pos), Math.min(n - 1, Math.floor(pos) + 1)])));
  const ranked = ranksOf(passes, grid, fine, ranks, zeros, negativeZeros);
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
 * cumulative counts say which bucket holds each rank; one pass gathers those buckets' values, and
 * ./order-statistics.ts reads each bucket's ranks (it sorts a small bucket and refines a large one, such
 * as the pile of near zeros in the middle of a gradient, without sorting it). The exact zeros (dead and
 * dormant neurons' gradients: a third of them in a 784-64-10 MLP) are counted, not gathered.
 */
function ranksOf(passes: SummaryPasses, grid: FineGrid, cumulative: Int32Array, ranks: Int32Array, zeros: number, negativeZeros: number): Float64Array {
  const buckets: number[] = [];
  const firstRank: number[] = [];
  for (let j = 0, b = 0; j < ranks.length; j++) {
    while (cumulative[b + 1]! <= ranks[j]!) b++;
    if (buckets[buckets.length - 1] === b) continue;
    buckets.push(b);
    firstRank.push(j);
  }
  const zeroBucket = zeros > 0 ? fineBucket(0, grid) : -1;
  const sizes = buckets.map((b) => cumulative[b + 1]! - cumulative[b]! - (b === zeroBucket ? zeros : 0));
  const gathered = passes.gather(buckets, sizes, zeroBucket);
  const out = new Float64Array(ranks.length);
  gathered.forEach((g, s) => {
    const from = firstRank[s]!;
    const local = ranks.slice(from, s + 1 < buckets.length ? firstRank[s + 1]! : ranks.length).map((k) => k - cumulative[buckets[s]!]!);
    out.set(buckets[s] === zeroBucket ? aroundZeros(g, local, zeros, negativeZeros) : orderStatistics(g, local), from);
  });
  return out;
}

/**
 * The ranks of a bucket whose exact zeros (`zeros` of them, the first `negative` −0, as a sort orders
 * them) were left out of `nonzero`: in sorted order they sit between its negatives and its positives.
 */
function aroundZeros(nonzero: Float64Array, ranks: Int32Array, zeros: number, negative: number): Float64Array {
  let below = 0;
  for (let i = 0; i < nonzero.length; i++) if (nonzero[i]! < 0) below++;
  const rank = (r: number): number => (r < below ? r : r - zeros);
  const wanted = Int32Array.from(new Set(Array.from(ranks).filter((r) => r < below || r >= below + zeros).map(rank)));
  const values = orderStatistics(nonzero, wanted);
  return Float64Array.from(ranks, (r) => (r < below || r >= below + zeros ? values[wanted.indexOf(rank(r))]! : r < below + negative ? -0 : 0));
}
