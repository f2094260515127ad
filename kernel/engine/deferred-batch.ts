import type { BlameStep } from "./blame";
import type { Dataset } from "./datasets/dataset";
import { foldLeverage } from "./leverage";
import type { Model } from "./model";

/** Samples predicted at once (a larger batch is predicted and folded block after block). */
export const DEFERRED_BLOCK = 32;

/**
 * The trainer's deferred path, for runs in which no observer reads the blame bank during a batch: a block
 * of samples is predicted at once (Model.forward over all of them: each weight is loaded once per two
 * samples instead of once per sample), each sample is then judged and blamed on its own as usual, and
 * the block's leverage is folded into the bank — or, at the commit, straight into the strategy's average —
 * as one small matrix product (foldLeverage). Every sum keeps its order, so the bits are those of the
 * sample-by-sample path; only the moment the bank is filled changes.
 */
export class DeferredBatch {
  /** Samples predicted in the current block. */
  rows = 0;
  /** Per layer, for the block's samples (row-major, one row per sample): layer inputs, z, a, blames. */
  private readonly x: Float64Array;
  private readonly z: Float64Array[];
  private readonly a: Float64Array[];
  private readonly d: Float64Array[];
  /** Their byte addresses in the model's arena. */
  private readonly xAt: number;
  private readonly zAt: number[];
  private readonly aAt: number[];
  private readonly dAt: number[];

  constructor(
    private readonly model: Model,
    private readonly blame: BlameStep,
    readonly capacity: number,
  ) {
    const arena = model.arena;
    this.x = arena.alloc(capacity * model.spec.inputs);
    this.z = model.layers.map((l) => arena.alloc(capacity * l.units));
    this.a = model.layers.map((l) => arena.alloc(capacity * l.units));
    this.d = model.layers.map((l) => arena.alloc(capacity * l.units));
    this.xAt = arena.address(this.x);
    this.zAt = this.z.map((v) => arena.address(v));
    this.aAt = this.a.map((v) => arena.address(v));
    this.dAt = this.d.map((v) => arena.address(v));
  }

  /** Predicts samples order[position], … order[position + rows − 1] of `data`. */
  predict(data: Dataset, order: Int32Array, position: number, rows: number): void {
    const x = this.x;
    const inputs = data.inputs;
    const n = data.inputSize;
    // Runs of consecutive samples (the whole block when not shuffled) in one copy each.
    for (let r = 0; r < rows; ) {
      const first = order[position + r]!;
      let run = 1;
      while (r + run < rows && order[position + r + run] === first + run) run++;
      x.set(inputs.subarray(first * n, (first + run) * n), r * n);
      r += run;
    }
    for (let li = 0; li < this.model.layers.length; li++) {
      this.model.forwardAt(li, li === 0 ? this.xAt : this.aAt[li - 1]!, this.zAt[li]!, this.z[li]!, this.a[li]!, rows);
    }
    this.rows = rows;
  }

  /** The block's activations per layer (rows × units, row-major), valid until the next predict. */
  get activations(): readonly Float64Array[] {
    return this.a;
  }

  /** Puts sample r of the block where the sample-by-sample code keeps the last sample: model.input, z and a. */
  recall(r: number): void {
    const model = this.model;
    this.copyRow(this.x, r, model.input);
    for (let li = 0; li < model.layers.length; li++) {
      this.copyRow(this.z[li]!, r, model.z[li]!);
      this.copyRow(this.a[li]!, r, model.a[li]!);
    }
  }

  /** Row r of a block into `into`: a loop for short rows, a bulk-memory copy (no view allocated) for long ones. */
  private copyRow(rows: Float64Array, r: number, into: Float64Array): void {
    const n = into.length;
    if (n >= 64) this.model.arena.copy(rows, r * n, into, 0, n);
    else for (let k = 0, o = r * n; k < n; k++) into[k] = rows[o + k]!;
  }

  /** Keeps the blames just computed (BlameStep.judge) as sample r's. */
  keep(r: number): void {
    const blame = this.blame.blame;
    for (let li = 0; li < blame.length; li++) this.d[li]!.set(blame[li]!, r * blame[li]!.length);
  }

  /** Folds the leverage of the block's first `rows` samples: out = (from + Σ leverage) / divisor, per weight. */
  fold(rows: number, from: Float64Array | null, out: Float64Array, divisor: number): void {
    const layers = this.model.layers;
    for (let li = 0; li < layers.length; li++) {
      foldLeverage(this.model.arena, layers[li]!, li === 0 ? this.xAt : this.aAt[li - 1]!, this.dAt[li]!, rows, from, out, divisor);
    }
    this.rows = 0;
  }
}
