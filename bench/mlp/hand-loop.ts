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
 * Two variants: plain (one sample and one hidden neuron at a time, the obvious code) and blocked, with
 * the loop structure the engine uses when nobody observes (kernel/engine/deferred-batch.ts): up to 32
 * samples of a batch are predicted together, the hidden layer's 784-long sums four neurons × two samples
 * at a time (eight independent addition chains, each weight loaded once per two samples), and their
 * leverage is folded into the bank once per block, four neurons × two inputs at a time over the samples.
 * Both add the same terms in the same order, so both give the same bits; the blocked one is the fair
 * yardstick for the engine, so that the ratio measures the engine's abstraction and not a loop trick.
 */
/** Samples predicted together by the blocked variant (the engine's DEFERRED_BLOCK). */
const BLOCK = 32;

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
  /** Blocked variant: per sample of the block, z and h of the hidden layer and both layers' blames. */
  private readonly zBlock = new Float64Array(BLOCK * N_HID);
  private readonly hBlock = new Float64Array(BLOCK * N_HID);
  private readonly d1Block = new Float64Array(BLOCK * N_HID);
  private readonly d2Block = new Float64Array(BLOCK * N_OUT);

  constructor(
    init: InitialWeights,
    private readonly lr: number,
    /** The engine's blocking (see the class comment); same operations, same order. */
    readonly blocked: boolean,
  ) {
    if (blocked && (N_HID % 4 !== 0 || N_IN % 2 !== 0)) throw new RangeError("blocked hand loop needs a hidden width divisible by 4 and an even input width");
    this.w1.set(init.w1);
    this.b1.set(init.b1);
    this.w2.set(init.w2);
    this.b2.set(init.b2);
  }

  /** Trains samples [0, count) of x/y once, committing every `batch` samples; returns the mean loss. */
  trainEpoch(x: Float64Array, y: Float64Array, count: number, batch: number): number {
    return this.blocked ? this.trainBlocked(x, y, count, batch) : this.trainPlain(x, y, count, batch);
  }

  private trainPlain(x: Float64Array, y: Float64Array, count: number, batch: number): number {
    const { w1, b1, g1, gb1, g2, gb2, z1, h, d2, back } = this;
    // Sizes as locals: imported bindings compile to getter calls under tsx/esbuild (cjs), too slow in inner loops.
    const INPUTS = N_IN;
    const HIDDEN = N_HID;
    const OUTPUTS = N_OUT;
    this.clearBank();
    let lossSum = 0;
    let pending = 0;
    for (let s = 0; s < count; s++) {
      const xo = s * INPUTS;
      // Forward: hidden layer, z_j = Σ_k x_k·w_jk (in k order) + b_j, h_j = ReLU(z_j).
      for (let j = 0; j < HIDDEN; j++) {
        const wo = j * INPUTS;
        let acc = 0;
        for (let k = 0; k < INPUTS; k++) acc += x[xo + k]! * w1[wo + k]!;
        const z = acc + b1[j]!;
        z1[j] = z;
        h[j] = z > 0 ? z : 0;
      }
      lossSum += this.judge(h, 0, y, s * OUTPUTS);
      // Output leverage.
      for (let o = 0; o < OUTPUTS; o++) {
        const d = d2[o]!;
        const wo = o * HIDDEN;
        for (let j = 0; j < HIDDEN; j++) g2[wo + j] += h[j]! * d;
        gb2[o] += d;
      }
      // Hidden blame δ_j = back_j · ReLU′(z_j), and its leverage.
      for (let j = 0; j < HIDDEN; j++) {
        const d = back[j]! * (z1[j]! > 0 ? 1 : 0);
        const go = j * INPUTS;
        for (let k = 0; k < INPUTS; k++) g1[go + k] += x[xo + k]! * d;
        gb1[j] += d;
      }
      if (++pending === batch || s === count - 1) {
        this.commit(pending);
        pending = 0;
      }
    }
    return lossSum / count;
  }

  private trainBlocked(x: Float64Array, y: Float64Array, count: number, batch: number): number {
    const { w1, g1, gb1, g2, gb2, d2, back, zBlock, hBlock, d1Block, d2Block } = this;
    const INPUTS = N_IN;
    const HIDDEN = N_HID;
    const OUTPUTS = N_OUT;
    this.clearBank();
    let lossSum = 0;
    let pending = 0;
    for (let first = 0; first < count; ) {
      const rows = Math.min(BLOCK, batch - pending, count - first);
      // Forward, hidden layer: four neurons × two samples side by side, each z in k order.
      for (let j = 0; j < HIDDEN; j += 4) {
        const r0 = j * INPUTS;
        const r1 = r0 + INPUTS;
        const r2 = r1 + INPUTS;
        const r3 = r2 + INPUTS;
        let r = 0;
        for (; r + 2 <= rows; r += 2) {
          const xa = (first + r) * INPUTS;
          const xb = xa + INPUTS;
          let a0 = 0;
          let a1 = 0;
          let a2 = 0;
          let a3 = 0;
          let c0 = 0;
          let c1 = 0;
          let c2 = 0;
          let c3 = 0;
          for (let k = 0; k < INPUTS; k++) {
            const u = x[xa + k]!;
            const v = x[xb + k]!;
            const w0 = w1[r0 + k]!;
            const wb = w1[r1 + k]!;
            const wc = w1[r2 + k]!;
            const wd = w1[r3 + k]!;
            a0 += u * w0;
            a1 += u * wb;
            a2 += u * wc;
            a3 += u * wd;
            c0 += v * w0;
            c1 += v * wb;
            c2 += v * wc;
            c3 += v * wd;
          }
          this.hidden(r, j, a0, a1, a2, a3);
          this.hidden(r + 1, j, c0, c1, c2, c3);
        }
        for (; r < rows; r++) {
          const xa = (first + r) * INPUTS;
          let a0 = 0;
          let a1 = 0;
          let a2 = 0;
          let a3 = 0;
          for (let k = 0; k < INPUTS; k++) {
            const u = x[xa + k]!;
            a0 += u * w1[r0 + k]!;
            a1 += u * w1[r1 + k]!;
            a2 += u * w1[r2 + k]!;
            a3 += u * w1[r3 + k]!;
          }
          this.hidden(r, j, a0, a1, a2, a3);
        }
      }
      // Per sample: output layer, loss, blames.
      for (let r = 0; r < rows; r++) {
        lossSum += this.judge(hBlock, r * HIDDEN, y, (first + r) * OUTPUTS);
        for (let o = 0; o < OUTPUTS; o++) d2Block[r * OUTPUTS + o] = d2[o]!;
        for (let j = 0; j < HIDDEN; j++) d1Block[r * HIDDEN + j] = back[j]! * (zBlock[r * HIDDEN + j]! > 0 ? 1 : 0);
      }
      // Leverage of the block folded into the bank, samples in order.
      if (rows === 1) {
        const xa = first * INPUTS;
        for (let j = 0; j < HIDDEN; j += 4) {
          const da = d1Block[j]!;
          const db = d1Block[j + 1]!;
          const dc = d1Block[j + 2]!;
          const dd = d1Block[j + 3]!;
          const r0 = j * INPUTS;
          const r1 = r0 + INPUTS;
          const r2 = r1 + INPUTS;
          const r3 = r2 + INPUTS;
          for (let k = 0; k < INPUTS; k++) {
            const u = x[xa + k]!;
            g1[r0 + k] += u * da;
            g1[r1 + k] += u * db;
            g1[r2 + k] += u * dc;
            g1[r3 + k] += u * dd;
          }
        }
      } else {
        for (let j = 0; j < HIDDEN; j += 4) {
          const r0 = j * INPUTS;
          const r1 = r0 + INPUTS;
          const r2 = r1 + INPUTS;
          const r3 = r2 + INPUTS;
          for (let k = 0; k < INPUTS; k += 2) {
            let a0 = g1[r0 + k]!;
            let a1 = g1[r1 + k]!;
            let a2 = g1[r2 + k]!;
            let a3 = g1[r3 + k]!;
            let c0 = g1[r0 + k + 1]!;
            let c1 = g1[r1 + k + 1]!;
            let c2 = g1[r2 + k + 1]!;
            let c3 = g1[r3 + k + 1]!;
            for (let r = 0, xo = first * INPUTS + k, dO = j; r < rows; r++, xo += INPUTS, dO += HIDDEN) {
              const u = x[xo]!;
              const v = x[xo + 1]!;
              const da = d1Block[dO]!;
              const db = d1Block[dO + 1]!;
              const dc = d1Block[dO + 2]!;
              const dd = d1Block[dO + 3]!;
              a0 += u * da;
              a1 += u * db;
              a2 += u * dc;
              a3 += u * dd;
              c0 += v * da;
              c1 += v * db;
              c2 += v * dc;
              c3 += v * dd;
            }
            g1[r0 + k] = a0;
            g1[r1 + k] = a1;
            g1[r2 + k] = a2;
            g1[r3 + k] = a3;
            g1[r0 + k + 1] = c0;
            g1[r1 + k + 1] = c1;
            g1[r2 + k + 1] = c2;
            g1[r3 + k + 1] = c3;
          }
        }
      }
      for (let j = 0; j < HIDDEN; j++) {
        let acc = gb1[j]!;
        for (let r = 0; r < rows; r++) acc += d1Block[r * HIDDEN + j]!;
        gb1[j] = acc;
      }
      for (let o = 0; o < OUTPUTS; o++) {
        const wo = o * HIDDEN;
        for (let j = 0; j < HIDDEN; j++) {
          let acc = g2[wo + j]!;
          for (let r = 0; r < rows; r++) acc += hBlock[r * HIDDEN + j]! * d2Block[r * OUTPUTS + o]!;
          g2[wo + j] = acc;
        }
        let acc = gb2[o]!;
        for (let r = 0; r < rows; r++) acc += d2Block[r * OUTPUTS + o]!;
        gb2[o] = acc;
      }
      first += rows;
      pending += rows;
      if (pending === batch || first === count) {
        this.commit(pending);
        pending = 0;
      }
    }
    return lossSum / count;
  }

  /** Blocked forward: z and ReLU of hidden neurons j … j+3 of block sample r from their input sums. */
  private hidden(r: number, j: number, a0: number, a1: number, a2: number, a3: number): void {
    const { b1, zBlock, hBlock } = this;
    const o = r * N_HID + j;
    const z0 = a0 + b1[j]!;
    const z1 = a1 + b1[j + 1]!;
    const z2 = a2 + b1[j + 2]!;
    const z3 = a3 + b1[j + 3]!;
    zBlock[o] = z0;
    zBlock[o + 1] = z1;
    zBlock[o + 2] = z2;
    zBlock[o + 3] = z3;
    hBlock[o] = z0 > 0 ? z0 : 0;
    hBlock[o + 1] = z1 > 0 ? z1 : 0;
    hBlock[o + 2] = z2 > 0 ? z2 : 0;
    hBlock[o + 3] = z3 > 0 ? z3 : 0;
  }

  /**
   * One sample from its hidden activations h[ho …]: output layer, stable softmax, cross-entropy
   * (probabilities clamped to [1e-12, 1 − 1e-12]), output blame ŷ·Σy − y into d2 (= ŷ − y for one-hot
   * targets; the general form costs 2·OUTPUTS flops) and the hidden blame sums Σ_o w2[o][j]·δ_o into back.
   */
  private judge(h: Float64Array, ho: number, y: Float64Array, yo: number): number {
    const { w2, b2, p, d2, back } = this;
    const HIDDEN = N_HID;
    const OUTPUTS = N_OUT;
    let max = -Infinity;
    for (let o = 0; o < OUTPUTS; o++) {
      const wo = o * HIDDEN;
      let acc = 0;
      for (let j = 0; j < HIDDEN; j++) acc += h[ho + j]! * w2[wo + j]!;
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
    let sumY = 0;
    for (let o = 0; o < OUTPUTS; o++) sumY += y[yo + o]!;
    let loss = 0;
    for (let o = 0; o < OUTPUTS; o++) {
      const q = p[o]! / sum;
      const t = y[yo + o]!;
      loss -= t * Math.log(Math.min(1 - 1e-12, Math.max(1e-12, q)));
      d2[o] = q * sumY - t;
    }
    back.fill(0);
    for (let o = 0; o < OUTPUTS; o++) {
      const d = d2[o]!;
      const wo = o * HIDDEN;
      for (let j = 0; j < HIDDEN; j++) back[j] += w2[wo + j]! * d;
    }
    return loss;
  }

  private clearBank(): void {
    this.g1.fill(0);
    this.gb1.fill(0);
    this.g2.fill(0);
    this.gb2.fill(0);
  }

  /** At the batch boundary or the end of the data: w ← w − lr · bank / count, bank emptied. */
  private commit(pending: number): void {
    const lr = this.lr;
    const apply = (w: Float64Array, bank: Float64Array) => {
      for (let i = 0; i < w.length; i++) {
        w[i] = w[i]! - lr * (bank[i]! / pending);
        bank[i] = 0;
      }
    };
    apply(this.w1, this.g1);
    apply(this.b1, this.gb1);
    apply(this.w2, this.g2);
    apply(this.b2, this.gb2);
  }
}
