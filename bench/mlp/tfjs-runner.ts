import { createRequire } from "node:module";
import * as path from "node:path";
import { HIDDEN, INPUTS, LEARNING_RATE, OUTPUTS, type InitialWeights, type Workload } from "./workload";

/**
 * The same model in TensorFlow.js 4.22 (float32): tf.sequential([dense relu, dense softmax]),
 * categoricalCrossentropy, tf.train.sgd(lr), on the pure-JS "cpu" backend or the "wasm" backend.
 *
 * Training loop: either `model.fit` (the documented high-level way) or a manual loop of
 * `optimizer.minimize(() => loss(model.apply(x, {training: true})))` over batches pre-sliced into
 * tensors. Both compute the same thing; the benchmark uses whichever is faster (see docs/benchmarks.md).
 */
export type Tf = typeof import("@tensorflow/tfjs");
export type TfBackend = "cpu" | "wasm";
export type TfMode = "fit" | "minimize";

export interface WasmInfo {
  readonly simd: boolean;
  readonly threads: boolean;
  readonly threadCount: number;
}

let loaded: { tf: Tf; wasm: WasmInfo } | null = null;

/** Loads tfjs and the wasm backend once (wasm binaries from node_modules/@tensorflow/tfjs-backend-wasm/dist/). */
export async function loadTf(): Promise<{ tf: Tf; wasm: WasmInfo }> {
  if (loaded) return loaded;
  const tf: Tf = await import("@tensorflow/tfjs");
  const wasmBackend = await import("@tensorflow/tfjs-backend-wasm");
  const require = createRequire(__filename);
  const dist = path.dirname(require.resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm"));
  wasmBackend.setWasmPaths(dist + path.sep);
  // Production mode: no per-op debug checks and no "install tfjs-node" console banner.
  tf.enableProdMode();
  if (!(await tf.setBackend("wasm"))) throw new Error("tfjs: the wasm backend failed to initialise");
  await tf.ready();
  const simd = (await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT")) as boolean;
  const threads = (await tf.env().getAsync("WASM_HAS_MULTITHREAD_SUPPORT")) as boolean;
  const wasm = { simd, threads, threadCount: wasmBackend.getThreadsCount() };
  if (!(await tf.setBackend("cpu"))) throw new Error("tfjs: the cpu backend failed to initialise");
  loaded = { tf, wasm };
  return loaded;
}

/** One tfjs training setup on one backend, from the workload's initial weights. */
export class TfRun {
  private readonly model: import("@tensorflow/tfjs").Sequential;
  private readonly optimizer: import("@tensorflow/tfjs").SGDOptimizer;
  private readonly xs: import("@tensorflow/tfjs").Tensor2D;
  private readonly ys: import("@tensorflow/tfjs").Tensor2D;
  /** "minimize" mode: the data cut into batch tensors once, before any timing. */
  private readonly batches: { x: import("@tensorflow/tfjs").Tensor2D; y: import("@tensorflow/tfjs").Tensor2D }[] = [];

  private constructor(
    private readonly tf: Tf,
    work: Workload,
    init: InitialWeights,
    readonly batchSize: number,
    readonly mode: TfMode,
  ) {
    this.model = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [INPUTS], units: HIDDEN, activation: "relu" }),
        tf.layers.dense({ units: OUTPUTS, activation: "softmax" }),
      ],
    });
    this.optimizer = tf.train.sgd(LEARNING_RATE);
    this.model.compile({ optimizer: this.optimizer, loss: "categoricalCrossentropy" });
    // tfjs dense kernels are [inputs, units]; the workload's are [units][inputs].
    const k1 = new Float32Array(INPUTS * HIDDEN);
    for (let j = 0; j < HIDDEN; j++) for (let k = 0; k < INPUTS; k++) k1[k * HIDDEN + j] = init.w1[j * INPUTS + k]!;
    const k2 = new Float32Array(HIDDEN * OUTPUTS);
    for (let o = 0; o < OUTPUTS; o++) for (let j = 0; j < HIDDEN; j++) k2[j * OUTPUTS + o] = init.w2[o * HIDDEN + j]!;
    this.model.setWeights([
      tf.tensor2d(k1, [INPUTS, HIDDEN]),
      tf.tensor1d(Float32Array.from(init.b1)),
      tf.tensor2d(k2, [HIDDEN, OUTPUTS]),
      tf.tensor1d(Float32Array.from(init.b2)),
    ]);
    const x32 = Float32Array.from(work.x);
    const y32 = Float32Array.from(work.y);
    this.xs = tf.tensor2d(x32, [work.count, INPUTS]);
    this.ys = tf.tensor2d(y32, [work.count, OUTPUTS]);
    if (mode === "minimize") {
      // Pre-cut batches: the wasm backend's `slice` kernel copies the whole source tensor out of the wasm
      // heap on every call (12.8 MB here), which would make a slice-per-step loop ~100× slower.
      for (let start = 0; start < work.count; start += batchSize) {
        const size = Math.min(batchSize, work.count - start);
        this.batches.push({
          x: tf.tensor2d(x32.subarray(start * INPUTS, (start + size) * INPUTS), [size, INPUTS]),
          y: tf.tensor2d(y32.subarray(start * OUTPUTS, (start + size) * OUTPUTS), [size, OUTPUTS]),
        });
      }
    }
  }

  /** Builds the model on `backend` (which becomes the active backend). */
  static async create(backend: TfBackend, work: Workload, init: InitialWeights, batchSize: number, mode: TfMode): Promise<TfRun> {
    const { tf } = await loadTf();
    if (tf.getBackend() !== backend && !(await tf.setBackend(backend))) throw new Error(`tfjs: cannot switch to ${backend}`);
    return new TfRun(tf, work, init, batchSize, mode);
  }

  /** One pass over samples [0, count) in order, committing every batchSize samples; returns the mean loss. */
  async train(count: number): Promise<number> {
    const tf = this.tf;
    if (this.mode === "fit") {
      const x = count === this.xs.shape[0] ? this.xs : this.xs.slice([0, 0], [count, INPUTS]);
      const y = count === this.ys.shape[0] ? this.ys : this.ys.slice([0, 0], [count, OUTPUTS]);
      const h = await this.model.fit(x, y, { batchSize: this.batchSize, epochs: 1, shuffle: false, verbose: 0 });
      if (x !== this.xs) tf.dispose([x, y]);
      return h.history.loss![0] as number;
    }
    const model = this.model;
    // Only this model's variables (as model.fit does); without a list, minimize differentiates every
    // trainable variable tfjs has registered.
    const vars = model.trainableWeights.map((w) => w.read() as import("@tensorflow/tfjs").Variable);
    let lossSum = 0;
    if (count % this.batchSize !== 0) throw new RangeError("minimize mode trains whole pre-cut batches only");
    for (let b = 0, end = count / this.batchSize; b < end; b++) {
      const { x: xb, y: yb } = this.batches[b]!;
      const size = xb.shape[0];
      const cost = tf.tidy(() => {
        return this.optimizer.minimize(
          () => tf.metrics.categoricalCrossentropy(yb, model.apply(xb, { training: true }) as import("@tensorflow/tfjs").Tensor).mean(),
          true,
          vars,
        )!;
      });
      lossSum += cost.dataSync()[0]! * size;
      cost.dispose();
    }
    return lossSum / count;
  }

  /** Forces all pending work to finish (reads the weights back). */
  sync(): void {
    for (const w of this.model.getWeights()) w.dataSync();
  }

  dispose(): void {
    this.tf.dispose([this.xs, this.ys]);
    for (const b of this.batches) this.tf.dispose([b.x, b.y]);
    this.model.dispose();
    this.optimizer.dispose();
  }
}
