import { orderStatistics } from "./order-statistics";

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

/** Fine buckets per histogram bin. */
const FINE_PER_BIN = 34;

/** Fine buckets the exact percentiles are located in before the values of the few wanted ones are looked at again. */
const FINE_BUCKETS = HISTOGRAM_BINS * FINE_PER_BIN;

/**
 * Counts zeros, NaN and ±Infinity, then summarises the finite values: mean, population std, the nine
 * percentiles, a histogram. No finite value: NaN statistics and an empty histogram, never a throw
 * (seed 004: histograms failed when min/max were NaN). Without sorting every value (a health measure
 * must stay cheap next to training): percentiles are exact order statistics found through FINE_BUCKETS
 * buckets, only the values of the buckets holding the wanted ranks being looked at again. Each pass over
 * the values is a small function of its own: V8 optimizes those at once, while a long function called
 * a few times per measure ran in and out of on-stack replacement (deoptimized at every call).
 */
export function summarize(values: ArrayLike<number>): ValueSummary {
  // One element type in the passes (the trainer gives Float64Arrays, a test may give arrays).
  const all = values instanceof Float64Array ? values : Float64Array.from(values);
  const { zeros, negativeZeros, nan, n, sum, low, high } = scan(all);
  if (n === 0) {
    const none = { low: NaN, high: NaN, counts: [] };
    return { count: all.length, zeros, nan, inf: all.length - nan, mean: NaN, std: NaN, percentiles: BASIS_POINTS.map(() => NaN), histogram: none };
  }
  const mean = sum / n;
  const counts = new Int32Array(HISTOGRAM_BINS);
  const fine = new Int32Array(FINE_BUCKETS + 1);
  const grid = fineGrid(low, high);
  const squares = spread(all, mean, low, grid, (high - low) / HISTOGRAM_BINS, counts, fine);
  for (let b = 1; b <= FINE_BUCKETS; b++) fine[b] += fine[b - 1]!;
  // numpy's default: linear between the order statistics around (p/100)·(n − 1).
  const positions = BASIS_POINTS.map((bp) => (bp / 10000) * (n - 1));
  const ranks = Int32Array.from(new Set(positions.flatMap((pos) => [Math.floor(pos), Math.min(n - 1, Math.floor(pos) + 1)])));
  const ranked = ranksOf(all, grid, fine, ranks, zeros, negativeZeros);
  const at = (k: number): number => ranked[ranks.indexOf(k)]!;
  return {
    count: all.length,
    zeros,
    nan,
    inf: all.length - n - nan,
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
 * The first pass: zeros (and how many are −0) and NaN counted, the finite values' count, sum, min and max.
 * Math.min/max, several times faster here than compare-and-branch; they prefer −0 to +0 where a
 * comparison keeps the first seen, so a zero min or max is the first zero in index order, as before.
 */
function scan(values: Float64Array): { zeros: number; negativeZeros: number; nan: number; n: number; sum: number; low: number; high: number } {
  let zeros = 0;
  let negativeZeros = 0;
  let nan = 0;
  let n = 0;
  let sum = 0;
  let low = Infinity;
  let high = -Infinity;
  let firstZero = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v - v !== 0) {
      if (v !== v) nan++;
      continue;
    }
    if (v === 0) {
      if (zeros++ === 0) firstZero = v;
      if (Object.is(v, -0)) negativeZeros++;
    }
    n++;
    sum += v;
    low = Math.min(low, v);
    high = Math.max(high, v);
  }
  return { zeros, negativeZeros, nan, n, sum, low: low === 0 ? firstZero : low, high: high === 0 ? firstZero : high };
}

/**
 * The second pass over the finite values: Σ(v − mean)² returned, the histogram and the fine buckets
 * counted. A histogram bin is FINE_PER_BIN fine buckets, so the fine bucket gives the bin; in the first
 * and last fine bucket of a bin (off by one at most there) numpy's edges decide.
 */
function spread(values: Float64Array, mean: number, low: number, grid: FineGrid, step: number, counts: Int32Array, fine: Int32Array): number {
  // numpy's edges low + b·step (none when all values are equal, or when max − min overflows).
  const edges = step > 0 && step < Infinity;
  let squares = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v - v !== 0) continue;
    squares += (v - mean) * (v - mean);
    const f = fineBucket(v, grid);
    fine[f + 1]++;
    let bin = (f / FINE_PER_BIN) | 0;
    const within = f - bin * FINE_PER_BIN;
    // Near an edge, numpy's correction against its linspace edges: a value on an edge goes right of it.
    if (edges && within === 0 && v < low + bin * step) bin--;
    else if (edges && within === FINE_PER_BIN - 1 && bin < HISTOGRAM_BINS - 1 && v >= low + (bin + 1) * step) bin++;
    counts[bin]++;
  }
  return squares;
}

/**
 * The fine buckets: v's place between the finite min and max, floor((v·half − low·half) · scale). `half`
 * is 1 (then it is floor((v − low) · scale)), or ½ when max − min overflows (values beyond ±9e307): every
 * finite value must land in a bucket, or its rank would be lost.
 */
interface FineGrid {
  readonly low: number;
  readonly half: number;
  readonly scale: number;
}

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
function ranksOf(values: Float64Array, grid: FineGrid, cumulative: Int32Array, ranks: Int32Array, zeros: number, negativeZeros: number): Float64Array {
  // slot[b]: where bucket b's values go (−1: not wanted); per slot its bucket and its first rank's index.
  const slot = new Int16Array(FINE_BUCKETS).fill(-1);
  const buckets: number[] = [];
  const firstRank: number[] = [];
  for (let j = 0, b = 0; j < ranks.length; j++) {
    while (cumulative[b + 1]! <= ranks[j]!) b++;
    if (slot[b] !== -1) continue;
    slot[b] = buckets.length;
    buckets.push(b);
    firstRank.push(j);
  }
  const zeroSlot = zeros > 0 ? slot[fineBucket(0, grid)]! : -1;
  const gathered = buckets.map((b, s) => new Float64Array(cumulative[b + 1]! - cumulative[b]! - (s === zeroSlot ? zeros : 0)));
  gather(values, grid, slot, gathered, zeroSlot);
  const out = new Float64Array(ranks.length);
  gathered.forEach((g, s) => {
    const from = firstRank[s]!;
    const local = ranks.slice(from, s + 1 < buckets.length ? firstRank[s + 1]! : ranks.length).map((k) => k - cumulative[buckets[s]!]!);
    out.set(s === zeroSlot ? aroundZeros(g, local, zeros, negativeZeros) : orderStatistics(g, local), from);
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

/** The wanted buckets' finite values into `gathered` (by slot), but the exact zeros of `zeroSlot`'s. */
function gather(values: Float64Array, grid: FineGrid, slot: Int16Array, gathered: Float64Array[], zeroSlot: number): void {
  const filled = new Int32Array(gathered.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v - v !== 0) continue;
    const s = slot[fineBucket(v, grid)]!;
    if (s >= 0 && (v !== 0 || s !== zeroSlot)) gathered[s]![filled[s]!++] = v;
  }
}
