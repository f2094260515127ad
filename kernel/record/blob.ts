/** Little-endian typed arrays ⇄ SQLite BLOBs (every platform Node runs on is little-endian; checked). */
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
if (!littleEndian) throw new Error("NeuroForge .nfrun blobs need a little-endian platform");

/** The bytes of `a[0 … n)` (a view, no copy; sql.js copies when binding). */
export function f64Blob(a: Float64Array, n = a.length): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, n * 8);
}

export function i32Blob(a: Int32Array, n = a.length): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, n * 4);
}

/**
 * A blob read back as float64: a view of the blob's bytes when they are 8-byte aligned (sql.js returns
 * each blob in its own buffer, so they are), else an aligned copy. Null or a ragged length → null.
 * The view shares memory with `b`: callers own the blob they pass.
 */
export function blobF64(b: unknown): Float64Array | null {
  if (!(b instanceof Uint8Array) || b.byteLength % 8 !== 0) return null;
  if (b.byteOffset % 8 === 0) return new Float64Array(b.buffer, b.byteOffset, b.byteLength / 8);
  const out = new Float64Array(b.byteLength / 8);
  new Uint8Array(out.buffer).set(b);
  return out;
}

export function blobI32(b: unknown): Int32Array | null {
  if (!(b instanceof Uint8Array) || b.byteLength % 4 !== 0) return null;
  if (b.byteOffset % 4 === 0) return new Int32Array(b.buffer, b.byteOffset, b.byteLength / 4);
  const out = new Int32Array(b.byteLength / 4);
  new Uint8Array(out.buffer).set(b);
  return out;
}

/** Bit-exact equality of two doubles (NaN equals NaN; +0 and −0 differ). */
export function sameBits(a: number, b: number): boolean {
  return Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));
}
