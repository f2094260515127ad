/**
 * NumPy's NPY format (v1.0) and NPZ (a zip of .npy files) for exported arrays, so that
 * `numpy.load("trace.npz")` reads them: little-endian float64 ('<f8') or int32 ('<i4'), C order.
 * Zipped with JSZip (deflate), as numpy.savez_compressed does.
 */
import JSZip from "jszip";

export interface NpyArray {
  readonly data: Float64Array | Int32Array;
  /** Dimensions, C order; their product is data.length. */
  readonly shape: readonly number[];
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
/** numpy pads the header so that the data starts at a multiple of 64 bytes. */
const ALIGN = 64;

export function npyBytes(a: NpyArray): Uint8Array {
  const count = a.shape.reduce((p, d) => p * d, 1);
  if (count !== a.data.length) throw new RangeError(`npy: shape (${a.shape.join(", ")}) holds ${count} values, the data ${a.data.length}`);
  const descr = a.data instanceof Float64Array ? "<f8" : "<i4";
  const shape = a.shape.length === 1 ? `(${a.shape[0]},)` : `(${a.shape.join(", ")})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  const unpadded = MAGIC.length + 4 + header.length + 1;
  header += " ".repeat((ALIGN - (unpadded % ALIGN)) % ALIGN) + "\n";
  const out = new Uint8Array(MAGIC.length + 4 + header.length + a.data.byteLength);
  out.set(MAGIC, 0);
  out[6] = 1; // version 1.0
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  const view = new DataView(out.buffer, 10 + header.length);
  const data = a.data;
  if (data instanceof Float64Array) for (let i = 0; i < data.length; i++) view.setFloat64(i * 8, data[i]!, true);
  else for (let i = 0; i < data.length; i++) view.setInt32(i * 4, data[i]!, true);
  return out;
}

/** An NPZ archive: one `<name>.npy` entry per array. */
export async function npzBytes(arrays: Readonly<Record<string, NpyArray>>): Promise<Uint8Array> {
  const zip = new JSZip();
  for (const [name, a] of Object.entries(arrays)) zip.file(`${name}.npy`, npyBytes(a));
  return zip.generateAsync({ type: "uint8array", compression: "DEFLATE", compressionOptions: { level: 6 } });
}
