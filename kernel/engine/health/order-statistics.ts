/** Buckets a set of values is counted into (evenly from the set's min to its max, or by sign and binary exponent). */
const BUCKETS = 4096;

/** A set this small is sorted outright. */
const SORTED_BELOW = 512;

/** Levels before a set is sorted whatever its size (bounds the work on adversarial data). */
const MAX_DEPTH = 6;

/** Index of the high 32-bit word of a float64 in an Int32Array over it. */
const HIGH = new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f ? 1 : 0;

/**
 * The k-th smallest values (0-based) of `values`, all finite, for the given ranks (ascending, distinct),
 * exactly what a sort would put there, −0 before +0, without sorting the set: a counting sort by bucket
 * puts each bucket's values together, and only the buckets holding a wanted rank are refined the same
 * way until they are small enough to sort; a bucket of equal values (the exact zeros of dead neurons) is
 * read without sorting. The first level buckets by sign and binary exponent, so values piled up around 0
 * (the middle of a gradient's distribution) spread over their binades; deeper levels split a bucket's
 * range evenly. Every bucketing is
 * monotone in the value, so a bucket holds a run of the sorted order whatever the rounding. `values` is
 * reordered. The loops are small functions of their own: V8 optimizes those soon, a long function
 * called a few times per measure it would run unoptimized.
 */
export function orderStatistics(values: Float64Array, ranks: Int32Array): Float64Array {
  const out = new Float64Array(ranks.length);
  const n = values.length;
  if (n > 0) select(values, new Float64Array(n), new Uint16Array(n), ranks, out, 0, 0);
  return out;
}

/** out[at + j] = the ranks[j]-th smallest of `values`; `spare` and `keys` (as long) are scratch. */
function select(values: Float64Array, spare: Float64Array, keys: Uint16Array, ranks: Int32Array, out: Float64Array, at: number, depth: number): void {
  const n = values.length;
  if (n < SORTED_BELOW || depth >= MAX_DEPTH) {
    values.sort();
    for (let j = 0; j < ranks.length; j++) out[at + j] = values[ranks[j]!]!;
    return;
  }
  if (depth === 0) binades(values, keys);
  else if (!evenly(values, keys)) {
    // All equal (and of one sign if zeros: the first level put −0 and +0 in buckets of their own).
    out.fill(values[0]!, at, at + ranks.length);
    return;
  }
  const starts = bucketStarts(keys);
  scatter(values, keys, starts.slice(), spare);
  // Each wanted bucket, now a run of `spare`, with its ranks (relative to the run); values becomes its spare.
  for (let j = 0, b = 0; j < ranks.length; ) {
    while (starts[b + 1]! <= ranks[j]!) b++;
    const from = starts[b]!;
    const to = starts[b + 1]!;
    let last = j;
    while (last < ranks.length && ranks[last]! < to) last++;
    const local = ranks.slice(j, last);
    for (let r = 0; r < local.length; r++) local[r] -= from;
    select(spare.subarray(from, to), values.subarray(from, to), keys.subarray(from, to), local, out, at + j, depth + 1);
    j = last;
  }
}

/** Key = sign and exponent bits, ordered: negatives by falling magnitude (−0 last), then +0 and positives by rising magnitude. */
function binades(values: Float64Array, keys: Uint16Array): void {
  const words = new Int32Array(values.buffer, values.byteOffset, values.length * 2);
  // Without a branch on the sign (random signs would mispredict): a negative's 11 exponent bits flipped.
  for (let i = 0, w = HIGH; i < keys.length; i++, w += 2) {
    const high = words[w]!;
    keys[i] = ((high >> 20) ^ ((high >> 31) & 0x7ff) ^ 0x800) & 0xfff;
  }
}

/** Key = the value's place between the set's min and max, in BUCKETS even steps; false when min = max. */
function evenly(values: Float64Array, keys: Uint16Array): boolean {
  let low = Infinity;
  let high = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < low) low = v;
    if (v > high) high = v;
  }
  if (!(high > low)) return false;
  // Halves when high − low overflows (values beyond ±9e307): every value must land in a bucket.
  const half = Number.isFinite(high - low) ? 1 : 0.5;
  const span = high * half - low * half;
  // A span of a few subnormals overflows the scale: then one bucket, and the set is sorted at MAX_DEPTH.
  const scale = BUCKETS / span < Infinity ? BUCKETS / span : 0;
  for (let i = 0; i < values.length; i++) keys[i] = Math.min(BUCKETS - 1, Math.floor((values[i]! * half - low * half) * scale));
  return true;
}

/** Where each bucket's run starts in key order (BUCKETS + 1 entries, the last = the count). */
function bucketStarts(keys: Uint16Array): Int32Array {
  const starts = new Int32Array(BUCKETS + 1);
  for (let i = 0; i < keys.length; i++) starts[keys[i]! + 1]++;
  for (let b = 1; b <= BUCKETS; b++) starts[b] += starts[b - 1]!;
  return starts;
}

/** Counting sort's placement: each value to the next free place of its bucket's run. */
function scatter(values: Float64Array, keys: Uint16Array, next: Int32Array, into: Float64Array): void {
  for (let i = 0; i < values.length; i++) into[next[keys[i]!]!++] = values[i]!;
}
