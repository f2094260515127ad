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
 * buckets, only the values of the buckets holding the wanted ranks being looked at again. The passes
 * over the values and the selection run in WebAssembly (summary.wat through ./summary-passes.ts); what is
 * left here is which ranks to ask for and numpy's interpolation between them.
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
  const { squares, counts } = passes.spread(mean, grid, (high - low) / HISTOGRAM_BINS);
  // numpy's default: linear between the order statistics around (p/100)·(n − 1).
  const positions = BASIS_POINTS.map((bp) => (bp / 10000) * (n - 1));
  const ranks = Int32Array.from(new Set(positions.flatMap((pos) => [Math.floor(pos), Math.min(n - 1, Math.floor(pos) + 1)])));
  const ranked = passes.ranks(ranks, zeros > 0 ? fineBucket(0, grid) : -1, scan);
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

/** v's fine bucket, as the kernels find it (summary.wat's spread). */
const fineBucket = (v: number, g: FineGrid): number => Math.min(FINE_BUCKETS - 1, Math.floor((v * g.half - g.low * g.half) * g.scale));
