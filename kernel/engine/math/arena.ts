import { KERNELS_WASM_BASE64 } from "./kernels-wasm";

/** The engine's WebAssembly kernels (kernels.wat); addresses are byte addresses in the arena. */
export interface Kernels {
  forward(w: number, x: number, z: number, inputs: number, units: number, rows: number, pairs: number): void;
  fold(out: number, from: number, x: number, d: number, inputs: number, units: number, rows: number, divisor: number, fromZero: number): void;
  copy(dst: number, src: number, bytes: number): void;
  sumSquares2(a: number, b: number, n: number, out: number): void;
  /** lifecycle/activity.ts's per-neuron sums of a block of activations (rows × units). */
  columnStats(a: number, rows: number, units: number, sum: number, squares: number, abs: number): void;
  /** optimizers/sgd.ts's step without audit; returns 1 when a value was outsized (see StepScope). */
  sgd(theta: number, grad: number, lr: number, adjustment: number, buf: number, from: number, to: number, momentum: number, dampening: number, weightDecay: number, nesterov: number, first: number): number;
}

/** 64 KiB WebAssembly pages; the memory may grow to 4 GiB (wasm32's limit). */
const PAGE = 65536;
const MAX_PAGES = 65536;

let compiled: WebAssembly.Module | null = null;

/**
 * Float64 arrays allocated in one WebAssembly memory, so that the kernels work on the engine's own
 * arrays in place (no copies): a model's parameters, its per-layer buffers, and the trainer's bank and
 * strategy state. Why WebAssembly at all: V8 reloads a typed array's base and length at each access in
 * a loop over arrays it does not know as constants; a kernel's loads need no checks and use two-lane
 * float64 SIMD. The memory is shared (a SharedArrayBuffer) only so that growing it keeps every array
 * handed out valid; it is never given to another thread.
 */
export class Arena {
  private readonly memory: WebAssembly.Memory;
  readonly kernels: Kernels;
  /** Bytes handed out so far (16-byte aligned, so each array can be read two lanes at a time). */
  private used = 0;
  /** The buffers our arrays were cut from (each growth gives a new SharedArrayBuffer object). */
  private readonly buffers = new Set<ArrayBufferLike>();
  /** The newest of them (most arrays are cut from it): checked first. */
  private memoryBuffer: ArrayBufferLike | null = null;
  /** scratch()'s array. */
  private spare = new Float64Array(0);

  constructor(bytes = PAGE) {
    const initial = Math.min(MAX_PAGES, Math.max(1, Math.ceil(bytes / PAGE)));
    this.memory = new WebAssembly.Memory({ initial, maximum: MAX_PAGES, shared: true });
    compiled ??= new WebAssembly.Module(Buffer.from(KERNELS_WASM_BASE64, "base64"));
    const instance = new WebAssembly.Instance(compiled, { arena: { memory: this.memory } });
    this.kernels = instance.exports as unknown as Kernels;
  }

  /** A new zero-filled array of n float64 values. */
  alloc(n: number): Float64Array {
    const start = this.used;
    const end = start + Math.ceil((n * 8) / 16) * 16; // not `& ~15`: sizes past 2 GiB overflow int32
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      const pages = Math.ceil((end - have) / PAGE);
      if (have / PAGE + pages > MAX_PAGES) {
        throw new RangeError(
          `model too large: its parameters, blame bank and optimizer state need more than the engine's 4 GiB ` +
            `(WebAssembly memory) for ${n} more float64 values`,
        );
      }
      this.memory.grow(pages);
    }
    this.used = end;
    const buffer = this.memory.buffer;
    this.buffers.add(buffer);
    this.memoryBuffer = buffer;
    return new Float64Array(buffer, start, n);
  }

  /** Whether `view` is one of this arena's arrays. */
  owns(view: Float64Array): boolean {
    const buffer = view.buffer;
    return buffer === this.memoryBuffer || this.buffers.has(buffer);
  }

  /** Byte address of element `index` of `view`, which must be one of this arena's arrays. */
  address(view: Float64Array, index = 0): number {
    if (!this.owns(view)) throw new RangeError("kernel operand is not an array of this arena");
    return view.byteOffset + index * 8;
  }

  /** n values from src[at …] to dst[into …], both arrays of this arena. */
  copy(src: Float64Array, at: number, dst: Float64Array, into: number, n: number): void {
    this.kernels.copy(this.address(dst, into), this.address(src, at), n * 8);
  }

  /** A scratch array of at least n values (reused: valid until the next call). */
  scratch(n: number): Float64Array {
    if (this.spare.length < n) this.spare = this.alloc(n);
    return this.spare;
  }
}
