import type { Model } from "../model";

/**
 * What each neuron did since the last evaluation: its activations over the samples seen (sum, sum of
 * squares, sum of |a|) and its gradient over the commits (Σ of ‖avg‖₂ over its incoming weights and bias).
 * Indexed by flat neuron index (LayerInfo.neuronOffset + j). Non-finite values are summed as they come;
 * whoever reads the window decides what to make of them (fitness sanitizes, health counts them).
 */
export class NeuronActivity {
  samples = 0;
  commits = 0;
  readonly sum: Float64Array;
  readonly sumSquares: Float64Array;
  readonly sumAbs: Float64Array;
  readonly gradNormSum: Float64Array;

  constructor(private readonly model: Model) {
    const n = model.neuronCount;
    // In the model's arena: the kernels add a block's activations into them in place.
    this.sum = model.arena.alloc(n);
    this.sumSquares = model.arena.alloc(n);
    this.sumAbs = model.arena.alloc(n);
    this.gradNormSum = new Float64Array(n);
  }

  /**
   * The activations of `rows` samples, per layer row-major (rows × units: a DeferredBatch block, or model.a
   * for one sample; arrays of the model's arena). Each neuron's sums run over the rows in order (the
   * columnStats kernel, two neurons at a time): the bits of one sample at a time.
   */
  observeRows(activations: readonly Float64Array[], rows: number): void {
    const arena = this.model.arena;
    const layers = this.model.layers;
    for (let li = 0; li < layers.length; li++) {
      const l = layers[li]!;
      const at = 8 * l.neuronOffset;
      arena.kernels.columnStats(arena.address(activations[li]!), rows, l.units, arena.address(this.sum) + at, arena.address(this.sumSquares) + at, arena.address(this.sumAbs) + at);
    }
    this.samples += rows;
  }

  /** One commit's batch-average gradient (per weight, the model's layout). */
  observeCommit(avg: Float64Array): void {
    for (const l of this.model.layers) {
      const fan = l.inputs + 1;
      for (let j = 0, i = l.neuronOffset, w = l.offset; j < l.units; j++, i++) {
        let s = 0;
        for (const end = w + fan; w < end; w++) s += avg[w]! * avg[w]!;
        this.gradNormSum[i] += Math.sqrt(s);
      }
    }
    this.commits++;
  }

  mean(i: number): number {
    return this.sum[i]! / this.samples;
  }

  /** E[a²] − E[a]², clamped at 0 (rounding can make it slightly negative). */
  variance(i: number): number {
    const m = this.mean(i);
    return Math.max(0, this.sumSquares[i]! / this.samples - m * m);
  }

  meanAbs(i: number): number {
    return this.sumAbs[i]! / this.samples;
  }

  gradNorm(i: number): number {
    return this.gradNormSum[i]! / this.commits;
  }

  /** A new window. */
  clear(): void {
    this.samples = 0;
    this.commits = 0;
    this.sum.fill(0);
    this.sumSquares.fill(0);
    this.sumAbs.fill(0);
    this.gradNormSum.fill(0);
  }
}
