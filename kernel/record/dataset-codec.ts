/**
 * How a dataset's values (inputs or targets, float64) are stored in `datasets.x/y` and `test_sets.x/y`.
 *
 * Raw: little-endian float64, 8 bytes per value. Palette (schema version 7): when the values take at
 * most 256 distinct bit patterns and the palette form is smaller (more than ~294 values), the blob is
 * `"NFP1"`, u32 P (entries used), a palette of 256 float64 (the first P are the distinct values' exact
 * bits, the rest 0), then one byte per value indexing the palette: lossless, and ~8× smaller for MNIST's
 * pixels (256 grey levels) or one-hot targets. The two forms never have the same length (8n against
 * PALETTE_HEADER + n), so the length tells them apart. Why: MNIST's 10,000 digits were 63 MB of a
 * 223 MB recording, hashed, inserted, exported and written on every recorded run (docs/benchmarks.md).
 */

/** Magic, entry count, 256 palette entries: the bytes before the indices. */
export const PALETTE_HEADER = 8 + 256 * 8;
const MAGIC = 0x3150464e; // "NFP1", little-endian

/** Bytes of the palette form of n values (raw: 8n). */
export const paletteBytes = (n: number) => PALETTE_HEADER + n;

/**
 * The stored form of `values[0 … n)`: the palette form in a new buffer when it applies and is smaller,
 * else the raw float64 bytes (a view of `values`, no copy).
 */
export function encodeValues(values: Float64Array, n: number): Uint8Array {
  if (paletteBytes(n) < 8 * n) {
    const out = new Uint8Array(paletteBytes(n));
    if (encodePalette(values, n, out)) return out;
  }
  return new Uint8Array(values.buffer, values.byteOffset, 8 * n);
}

/** Slots of the open-addressing table of distinct bit patterns (a power of two, ≥ 2 × 256). */
const SLOTS = 1024;

/** Writes the palette form into `out`; false (out unspecified) when there are more than 256 distinct values. */
function encodePalette(values: Float64Array, n: number, out: Uint8Array): boolean {
  const bits = new Uint32Array(values.buffer, values.byteOffset, 2 * n);
  const palette = new Uint32Array(512);
  const slotLo = new Uint32Array(SLOTS);
  const slotHi = new Uint32Array(SLOTS);
  const slotIndex = new Int16Array(SLOTS).fill(-1);
  const index = out.subarray(PALETTE_HEADER);
  let used = 0;
  // Runs of one value (MNIST's background) skip the table.
  let lastLo = 0;
  let lastHi = 0;
  let last = -1;
  for (let i = 0; i < n; i++) {
    const lo = bits[2 * i]!;
    const hi = bits[2 * i + 1]!;
    if (last >= 0 && lo === lastLo && hi === lastHi) {
      index[i] = last;
      continue;
    }
    let s = (Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b) >>> 22) & (SLOTS - 1);
    while (slotIndex[s]! >= 0 && (slotLo[s] !== lo || slotHi[s] !== hi)) s = (s + 1) & (SLOTS - 1);
    let k = slotIndex[s]!;
    if (k < 0) {
      if (used === 256) return false;
      k = used++;
      slotIndex[s] = k;
      slotLo[s] = lo;
      slotHi[s] = hi;
      palette[2 * k] = lo;
      palette[2 * k + 1] = hi;
    }
    index[i] = k;
    lastLo = lo;
    lastHi = hi;
    last = k;
  }
  const head = new DataView(out.buffer, out.byteOffset, PALETTE_HEADER);
  head.setUint32(0, MAGIC, true);
  head.setUint32(4, used, true);
  out.set(new Uint8Array(palette.buffer), 8);
  return true;
}

/**
 * The n values of a stored blob, or null when it is neither form of n values (wrong length, bad magic,
 * an entry count out of range or an index past it): a hostile file is never decoded beyond its checks.
 */
export function decodeValues(blob: unknown, n: number): Float64Array | null {
  if (!(blob instanceof Uint8Array) || !(n >= 1)) return null;
  if (blob.byteLength === 8 * n) {
    if (blob.byteOffset % 8 === 0) return new Float64Array(blob.buffer, blob.byteOffset, n);
    const out = new Float64Array(n);
    new Uint8Array(out.buffer).set(blob);
    return out;
  }
  if (blob.byteLength !== paletteBytes(n)) return null;
  const head = new DataView(blob.buffer, blob.byteOffset, PALETTE_HEADER);
  const used = head.getUint32(4, true);
  if (head.getUint32(0, true) !== MAGIC || used < 1 || used > 256) return null;
  const palette = new Float64Array(256);
  new Uint8Array(palette.buffer).set(blob.subarray(8, PALETTE_HEADER));
  const index = blob.subarray(PALETTE_HEADER);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const k = index[i]!;
    if (k >= used) return null;
    out[i] = palette[k]!;
  }
  return out;
}

/** Whether a blob's length is one of the two forms of n values (the shape check before anything is decoded). */
export function storedLengthFits(length: number, n: number): boolean {
  return length === 8 * n || length === paletteBytes(n);
}
