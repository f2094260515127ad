import { SUMMARY_WASM_BASE64 } from "./summary-wasm";

/** Fine buckets per histogram bin, bins, and fine buckets: the constants summary.wat is written for. */
const FINE_PER_BIN = 34;
export const HISTOGRAM_BINS = 30;
export const FINE_BUCKETS = HISTOGRAM_BINS * FINE_PER_BIN;

/** The fine buckets' grid: v's bucket is min(FINE_BUCKETS − 1, floor((v·half − low·half) · scale)). */
export interface FineGrid {
  readonly low: number;
  readonly half: number;
  readonly scale: number;
}

export interface Scan {
  readonly zeros: number;
  readonly negativeZeros: number;
  /** Finite values below 0. */
  readonly negatives: number;
  readonly nan: number;
  /** Finite values, their sum (index order), min and max (a zero min or max: the first zero, −0 or +0). */
  readonly n: number;
  readonly sum: number;
  readonly low: number;
  readonly high: number;
}

interface Exports {
  readonly memory: WebAssembly.Memory;
  scan(values: number, n: number, out: number): void;
  spread(values: number, n: number, mean: number, low: number, half: number, scale: number, step: number, counts: number, fine: number, edge: number, bucket: number): number;
  ranks(
    values: number, n: number, bucket: number, cumulative: number, slot: number, next: number, ranks: number, count: number,
    zeroBucket: number, zeros: number, negatives: number, negativeZeros: number, gathered: number, out: number,
    rankBucket: number, start: number, from: number,
  ): void;
  select(values: number, n: number, k: number, budget: number): void;
}

/** Most ranks one summary asks for (two per basis point), and so most buckets gathered. */
const MAX_RANKS = 32;
// The memory's fixed part (byte offsets): scan's results, the histogram, the fine buckets' counts, the
// slot per fine bucket (and one for non-finite values), per slot its next address, its start and its
// first value not placed yet, the ranks asked for, each one's bucket and value, the edge table.
const OUT = 0;
const COUNTS = OUT + 8 * 8;
const FINE = COUNTS + 4 * HISTOGRAM_BINS;
const SLOT = FINE + 4 * (FINE_BUCKETS + 1);
const NEXT = SLOT + 4 * (FINE_BUCKETS + 1);
const START = NEXT + 4 * MAX_RANKS;
const FROM = START + 4 * MAX_RANKS;
const RANKS = FROM + 4 * MAX_RANKS;
const RANK_BUCKET = RANKS + 4 * MAX_RANKS;
const RANKED = RANK_BUCKET + 4 * MAX_RANKS;
/** A byte per fine bucket: 1 the first of its bin (but bin 0's), 2 the last (but the last bin's), else 0. */
const EDGE = RANKED + 8 * MAX_RANKS;
/** Where the set starts (16-byte aligned): its values, then each value's fine bucket (16 bits), then the gathered values. */
const VALUES = Math.ceil((EDGE + FINE_BUCKETS) / 16) * 16;
const PAGE = 65536;

let instance: Exports | null = null;

/** The kernels, their memory grown to at least `bytes` (for a set of n values). */
function reserve(bytes: number, n: number): Exports {
  const k = (instance ??= instantiate());
  const have = k.memory.buffer.byteLength;
  if (bytes > have) {
    try {
      k.memory.grow(Math.ceil((bytes - have) / PAGE));
    } catch {
      throw new RangeError(`health summary: ${n} values are more than the summary's WebAssembly memory holds`);
    }
  }
  return k;
}

function instantiate(): Exports {
  const k = new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(SUMMARY_WASM_BASE64, "base64"))).exports as unknown as Exports;
  const edge = new Uint8Array(k.memory.buffer, EDGE, FINE_BUCKETS);
  for (let f = 0; f < FINE_BUCKETS; f++) {
    const within = f % FINE_PER_BIN;
    edge[f] = within === 0 && f > 0 ? 1 : within === FINE_PER_BIN - 1 && f < FINE_BUCKETS - 1 ? 2 : 0;
  }
  return k;
}

/**
 * One set of values in the summary kernels' memory (summary.wat), and its passes, in order: scan,
 * spread, ranks (which gathers). Why a copy: the values come from anywhere (the model's arena, a recorded run's arrays,
 * a plain array) and a WebAssembly function reads only its own memory; copying a 784-64-10 layer
 * (400 KB) costs a fortieth of the passes. The memory is the module's own, reused by every summary (one
 * thread runs one at a time) and grown to the largest set seen; views into it are only valid until the
 * next `SummaryPasses`.
 */
export class SummaryPasses {
  private readonly k: Exports;
  private readonly count: number;
  private readonly buckets: number;
  private readonly gathered: number;

  constructor(values: ArrayLike<number>) {
    const n = (this.count = values.length);
    this.buckets = VALUES + 8 * n;
    this.gathered = this.buckets + Math.ceil((2 * n) / 8) * 8;
    this.k = reserve(this.gathered + 8 * n, n);
    new Float64Array(this.k.memory.buffer, VALUES, n).set(values);
  }

  /** The first pass: zeros, NaN, the finite values' count, negatives, sum, min and max. */
  scan(): Scan {
    this.k.scan(VALUES, this.count, OUT);
    const [zeros, negativeZeros, nan, n, sum, low, high, negatives] = new Float64Array(this.k.memory.buffer, OUT, 8);
    return { zeros: zeros!, negativeZeros: negativeZeros!, negatives: negatives!, nan: nan!, n: n!, sum: sum!, low: low!, high: high! };
  }

  /**
   * The second pass: Σ(v − mean)² over the finite values and their histogram (HISTOGRAM_BINS bins from
   * low in steps of `step`); the fine buckets' cumulative counts and each value's fine bucket are kept
   * for `ranks`.
   */
  spread(mean: number, grid: FineGrid, step: number): { squares: number; counts: Int32Array } {
    const buffer = this.k.memory.buffer;
    const counts = new Int32Array(buffer, COUNTS, HISTOGRAM_BINS).fill(0);
    new Int32Array(buffer, FINE, FINE_BUCKETS + 1).fill(0);
    const squares = this.k.spread(VALUES, this.count, mean, grid.low, grid.half, grid.scale, step, COUNTS, FINE, EDGE, this.buckets);
    return { squares, counts };
  }

  /**
   * The k-th smallest finite values (0-based) for the given ranks (ascending, distinct, at most MAX_RANKS),
   * after spread: the kernels gather the buckets holding them (the third pass over the values) and
   * select in each. `zeroBucket`: the fine bucket of 0 when there are zeros, else −1.
   */
  ranks(ranks: Int32Array, zeroBucket: number, scan: Scan): Float64Array {
    if (ranks.length > MAX_RANKS) throw new RangeError(`health summary: ${ranks.length} ranks, at most ${MAX_RANKS}`);
    const buffer = this.k.memory.buffer;
    new Int32Array(buffer, RANKS, ranks.length).set(ranks);
    this.k.ranks(VALUES, this.count, this.buckets, FINE, SLOT, NEXT, RANKS, ranks.length, zeroBucket, scan.zeros, scan.negatives, scan.negativeZeros, this.gathered, RANKED, RANK_BUCKET, START, FROM);
    return new Float64Array(buffer, RANKED, ranks.length).slice();
  }
}

/**
 * The kernel's select on a copy of `values` (finite, without ±0: a sort puts −0 before +0, a comparison
 * does not tell them apart): the k-th smallest for each of the ranks (ascending, distinct), the first
 * among all values, each next one among the values after the previous one, as `ranks` does in a bucket.
 * For tests of the kernel, and of its heapsort fallback (`budget` 0 partitions; else 2·⌈log2(n + 1)⌉).
 */
export function orderStatistics(values: ArrayLike<number>, ranks: Int32Array, budget?: number): Float64Array {
  const k = reserve(VALUES + 8 * values.length, values.length);
  const set = new Float64Array(k.memory.buffer, VALUES, values.length);
  set.set(values);
  const out = new Float64Array(ranks.length);
  let from = 0;
  for (let j = 0; j < ranks.length; j++) {
    const n = set.length - from;
    k.select(VALUES + 8 * from, n, ranks[j]! - from, budget ?? 2 * Math.ceil(Math.log2(n + 1)));
    out[j] = set[ranks[j]!]!;
    from = ranks[j]! + 1;
  }
  return out;
}
