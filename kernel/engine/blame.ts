import { foldLeverage } from "./leverage";
import type { Loss } from "./losses";
import type { Model } from "./model";

/**
 * Judge → Blame → bank, for the sample the model just predicted.
 *
 * blame δ = dLoss/dz per neuron. Output: δ = dLoss/dŷ · f′(z) (softmax: its Jacobian; softmax with
 * cross-entropy: ŷ − y directly, which is exact and avoids dividing by ŷ). Hidden neuron j of layer l:
 * δ_j = f′(z_j) · Σ_k W_{l+1}[k][j] · δ_{l+1,k} — the terms of that sum are its *blame sources*.
 * Leverage = input × blame is added to the blame bank, the bias getting δ (its input is 1): after every
 * sample (`run`), or for a whole batch at once at the commit (`judge` per sample, then `foldLeverage`).
 */
export class BlameStep {
  /** Per layer: δ of every neuron for the last judged sample. */
  readonly blame: Float64Array[];
  /** dLoss/dŷ of the last judged sample. */
  readonly lossGradient: Float64Array;
  private readonly sums: Float64Array[];
  /** Byte addresses in the arena of each layer's input (the last sample's) and blame. */
  private readonly inputAt: number[];
  private readonly blameAt: number[];

  constructor(
    private readonly model: Model,
    private readonly loss: Loss,
  ) {
    this.blame = model.layers.map((l) => model.arena.alloc(l.units));
    this.lossGradient = new Float64Array(model.outputs);
    this.sums = model.layers.map((l) => new Float64Array(l.inputs));
    this.inputAt = model.layers.map((_, li) => model.arena.address(model.layerInput(li)));
    this.blameAt = this.blame.map((b) => model.arena.address(b));
  }

  /** Judges the last prediction against `y[yOffset…]`, computes every blame, banks the leverage; returns the loss. */
  run(y: ArrayLike<number>, yOffset: number, target: Float64Array, bank: Float64Array): number {
    const loss = this.judge(y, yOffset, target);
    const model = this.model;
    for (let li = 0; li < model.layers.length; li++) {
      foldLeverage(model.arena, model.layers[li]!, this.inputAt[li]!, this.blameAt[li]!, 1, bank, bank, 1);
    }
    return loss;
  }

  /** Judges the last prediction against `y[yOffset…]` and computes every blame (banks nothing); returns the loss. */
  judge(y: ArrayLike<number>, yOffset: number, target: Float64Array): number {
    const model = this.model;
    const layers = model.layers;
    const out = model.outputLayer;
    const n = out.units;
    for (let i = 0; i < n; i++) target[i] = y[yOffset + i]!;
    const yHat = model.a[out.index]!;
    const dL = this.lossGradient;
    const lossValue = this.loss.judge(yHat, target, n, dL);

    const delta = this.blame[out.index]!;
    if (out.activation.name === "softmax") {
      if (this.loss.name === "cce") {
        // dL/dz_i = ŷ_i·Σy − y_i; with one-hot (or any Σy = 1) targets this is exactly ŷ − y.
        let sumY = 0;
        for (let i = 0; i < n; i++) sumY += target[i]!;
        for (let i = 0; i < n; i++) delta[i] = yHat[i]! * sumY - target[i]!;
      } else {
        let dot = 0;
        for (let i = 0; i < n; i++) dot += dL[i]! * yHat[i]!;
        for (let i = 0; i < n; i++) delta[i] = yHat[i]! * (dL[i]! - dot);
      }
    } else {
      const z = model.z[out.index]!;
      const df = out.activation.derivative;
      for (let i = 0; i < n; i++) delta[i] = dL[i]! * df(z[i]!, yHat[i]!);
    }

    const params = model.params;
    for (let li = layers.length - 1; li > 0; li--) {
      const l = layers[li]!;
      const d = this.blame[li]!;
      const inputs = l.inputs;
      const stride = inputs + 1;
      const sums = this.sums[li]!;
      sums.fill(0);
      // The blame sources summed in neuron order, sums_k = ((0 + w_0k·δ_0) + w_1k·δ_1) + …. Four neurons
      // per pass over k: every sums_k gets the same additions in the same order as one neuron at a time
      // (bit-identical), with a quarter of the loop overhead and loads of sums.
      const units = l.units;
      let j = 0;
      let base = l.offset;
      for (; j + 4 <= units; j += 4, base += 4 * stride) {
        const base1 = base + stride;
        const base2 = base1 + stride;
        const base3 = base2 + stride;
        const d0 = d[j]!;
        const d1 = d[j + 1]!;
        const d2 = d[j + 2]!;
        const d3 = d[j + 3]!;
        for (let k = 0; k < inputs; k++) {
          // Left to right: (((sums_k + w_jk·δ_j) + w_j+1,k·δ_j+1) + …), the one-neuron-at-a-time order.
          sums[k] = sums[k]! + params[base + k]! * d0 + params[base1 + k]! * d1 + params[base2 + k]! * d2 + params[base3 + k]! * d3;
        }
      }
      for (; j < units; j++, base += stride) {
        const dj = d[j]!;
        for (let k = 0; k < inputs; k++) sums[k] += params[base + k]! * dj;
      }
      const prev = layers[li - 1]!;
      const dPrev = this.blame[li - 1]!;
      const zPrev = model.z[li - 1]!;
      const aPrev = model.a[li - 1]!;
      const df = prev.activation.derivative;
      for (let k = 0; k < inputs; k++) dPrev[k] = sums[k]! * df(zPrev[k]!, aPrev[k]!);
    }
    return lossValue;
  }

  /**
   * The blame sources of hidden neuron `neuron` in `layer` for the last sample: one entry per downstream
   * neuron k, weight W_{l+1}[k][neuron] × its blame δ_k; their sum × f′(z) is this neuron's blame.
   * Computed on demand (nothing is stored when nobody asks).
   */
  blameSources(layer: number, neuron: number): { weight: number; downstreamBlame: number; product: number }[] {
    const model = this.model;
    const next = model.layers[layer + 1];
    if (!next) return [];
    const d = this.blame[layer + 1]!;
    const sources = [];
    for (let k = 0; k < next.units; k++) {
      const weight = model.params[next.offset + k * (next.inputs + 1) + neuron]!;
      sources.push({ weight, downstreamBlame: d[k]!, product: weight * d[k]! });
    }
    return sources;
  }
}
