import { HIDDEN as N_HID, INPUTS as N_IN, OUTPUTS as N_OUT, type InitialWeights } from "./workload";

/**
 * The reference: the same float64 training math written inline with typed arrays, independently of
 * the engine (no Model, no Trainer, no strategy call per weight). Per sample: forward pass, softmax,
 * cross-entropy loss, output blame ŷ·Σy − y, hidden blame through ReLU′, leverage (input × blame) summed
 * into a bank; per batch: avg = bank / count, w ← w − lr · avg, bank emptied.
 *
 * It does what the task needs and nothing more: no audit, no per-weight learning rates, no gradient or
 * step norms, no observers. Samples are taken in dataset order (the engine's default, shuffle off).
 *
 * Two variants: plain (one hidden neuron at a time, the obvious code) and blocked (the 784-long forward
 * sums and leverage loops of the hidden layer four neurons at a time, so four independent floating-point
 * addition chains overlap). Both add the same terms in the same order, so both give the same bits; the
 * blocked one is the fair yardstick for an engine that blocks its loops the same way.
 */
export class HandLoop {
  readonly w1 = new Float64Array(N_HID * N_IN);
  readonly b1 = new Float64Array(N_HID);
  readonly w2 = new Float64Array(N_OUT * N_HID);
  readonly b2 = new Float64Array(N_OUT);
  private readonly g1 = new Float64Array(N_HID * N_IN);
  private readonly gb1 = new Float64Array(N_HID);
  private readonly g2 = new Float64Array(N_OUT * N_HID);
  private readonly gb2 = new Float64Array(N_OUT);
  private readonly z1 = new Float64Array(N_HID);
  private readonly h = new Float64Array(N_HID);
  private readonly p = new Float64Array(N_OUT);
  private readonly d2 = new Float64Array(N_OUT);
  private readonly back = new Float64Array(N_HID);

  constructor(
    init: InitialWeights,
    private readonly lr: number,
    /** Hidden layer four rows at a time (forward sums and leverage); same operations, same order. */
    readonly blocked: boolean,
  ) {
    if (blocked && N_HID % 4 !== 0) throw new RangeError("blocked hand loop needs a hidden width divisible by 4");
    this.w1.set(init.w1);
    this.b1.set(init.b1);
    this.w2.set(init.w2);
    this.b2.set(init.b2);
  }

  /** Trains samples [0, count) of x/y once, committing every `batch` samples; returns the mean loss. */
  trainEpoch(x: Float64Array, y: Float64Array, count: number, batch: number): number {
    const { w1, b1, w2, b2, g1, gb1, g2, gb2, z1, h, p, d2, back } = this;
    // Sizes as locals: imported bindings compile to getter calls under tsx/esbuild (cjs), too slow in inner loops.
    const INPUTS = N_IN;
    const HIDDEN = N_HID;
    const OUTPUTS = N_OUT;
    const blocked = this.blocked;
    g1.fill(0);
    gb1.fill(0);
    g2.fill(0);
    gb2.fill(0);
    let lossSum = 0;
    let pending = 0;
    for (let s = 0; s < count; s++) {
      const xo = s * INPUTS;
      const yo = s * OUTPUTS;
      // Forward: hidden layer, z_j = Σ_k x_k·w_jk (in k order) + b_j, h_j = ReLU(z_j).
      if (blocked) {
        // Four rows at once: four independent addition chains, each in k order as in the plain loop.
        for (let j = 0; j < HIDDEN; j += 4) {
          const r0 = j * INPUTS;
          const r1 = r0 + INPUTS;
          const r2 = r1 + INPUTS;
          const r3 = r2 + INPUTS;
          let a0 = 0;
          let a1 = 0;
          let a2 = 0;
          let a3 = 0;
          for (let k = 0; k < INPUTS; k++) {
            const xk = x[xo + k]!;
            a0 += xk * w1[r0 + k]!;
            a1 += xk * w1[r1 + k]!;
            a2 += xk * w1[r2 + k]!;
            a3 += xk * w1[r3 + k]!;
          }
          const za = a0 + b1[j]!;
          const zb = a1 + b1[j + 1]!;
          const zc = a2 + b1[j + 2]!;
          const zd = a3 + b1[j + 3]!;
          z1[j] = za;
          z1[j + 1] = zb;
          z1[j + 2] = zc;
          z1[j + 3] = zd;
          h[j] = za > 0 ? za : 0;
          h[j + 1] = zb > 0 ? zb : 0;
          h[j + 2] = zc > 0 ? zc : 0;
          h[j + 3] = zd > 0 ? zd : 0;
        }
      } else {
        for (let j = 0; j < HIDDEN; j++) {
          const wo = j * INPUTS;
          let acc = 0;
          for (let k = 0; k < INPUTS; k++) acc += x[xo + k]! * w1[wo + k]!;
          const z = acc + b1[j]!;
          z1[j] = z;
          h[j] = z > 0 ? z : 0;
        }
      }
      // Forward: output layer and a stable softmax.
      let max = -Infinity;
      for (let o = 0; o < OUTPUTS; o++) {
        const wo = o * HIDDEN;
        let acc = 0;
        for (let j = 0; j < HIDDEN; j++) acc += h[j]! * w2[wo + j]!;
        const z = acc + b2[o]!;
        p[o] = z;
        if (z > max) max = z;
      }
      let sum = 0;
      for (let o = 0; o < OUTPUTS; o++) {
        const e = Math.exp(p[o]! - max);
        p[o] = e;
        sum += e;
      }
      // Softmax, cross-entropy (probabilities clamped to [1e-12, 1 − 1e-12]) and output blame
      // ŷ·Σy − y (= ŷ − y for one-hot targets; the general form costs 2·OUTPUTS flops).
      let sumY = 0;
      for (let o = 0; o < OUTPUTS; o++) sumY += y[yo + o]!;
      let loss = 0;
      for (let o = 0; o < OUTPUTS; o++) {
        const q = p[o]! / sum;
        const t = y[yo + o]!;
        loss -= t * Math.log(Math.min(1 - 1e-12, Math.max(1e-12, q)));
        d2[o] = q * sumY - t;
      }
      lossSum += loss;
      // Output leverage, and the hidden blame sums Σ_o w2[o][j]·δ_o (with the weights before this batch's commit).
      back.fill(0);
      for (let o = 0; o < OUTPUTS; o++) {
        const d = d2[o]!;
        const wo = o * HIDDEN;
        for (let j = 0; j < HIDDEN; j++) {
          g2[wo + j] += h[j]! * d;
          back[j] += w2[wo + j]! * d;
        }
        gb2[o] += d;
      }
      // Hidden blame δ_j = back_j · ReLU′(z_j), and its leverage.
      if (blocked) {
        for (let j = 0; j < HIDDEN; j += 4) {
          const da = back[j]! * (z1[j]! > 0 ? 1 : 0);
          const db = back[j + 1]! * (z1[j + 1]! > 0 ? 1 : 0);
          const dc = back[j + 2]! * (z1[j + 2]! > 0 ? 1 : 0);
          const dd = back[j + 3]! * (z1[j + 3]! > 0 ? 1 : 0);
          const r0 = j * INPUTS;
          const r1 = r0 + INPUTS;
          const r2 = r1 + INPUTS;
          const r3 = r2 + INPUTS;
          for (let k = 0; k < INPUTS; k++) {
            const xk = x[xo + k]!;
            g1[r0 + k] += xk * da;
            g1[r1 + k] += xk * db;
            g1[r2 + k] += xk * dc;
            g1[r3 + k] += xk * dd;
          }
          gb1[j] += da;
          gb1[j + 1] += db;
          gb1[j + 2] += dc;
          gb1[j + 3] += dd;
        }
      } else {
        for (let j = 0; j < HIDDEN; j++) {
          const d = back[j]! * (z1[j]! > 0 ? 1 : 0);
          const go = j * INPUTS;
          for (let k = 0; k < INPUTS; k++) g1[go + k] += x[xo + k]! * d;
          gb1[j] += d;
        }
      }
      // Commit at the batch boundary or the end of the data.
      if (++pending === batch || s === count - 1) {
        const lr = this.lr;
        for (let i = 0; i < w1.length; i++) {
          w1[i] = w1[i]! - lr * (g1[i]! / pending);
          g1[i] = 0;
        }
        for (let i = 0; i < HIDDEN; i++) {
          b1[i] = b1[i]! - lr * (gb1[i]! / pending);
          gb1[i] = 0;
        }
        for (let i = 0; i < w2.length; i++) {
          w2[i] = w2[i]! - lr * (g2[i]! / pending);
          g2[i] = 0;
        }
        for (let i = 0; i < OUTPUTS; i++) {
          b2[i] = b2[i]! - lr * (gb2[i]! / pending);
          gb2[i] = 0;
        }
        pending = 0;
      }
    }
    return lossSum / count;
  }
}
