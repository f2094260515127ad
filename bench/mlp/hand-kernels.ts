import { Arena } from "../../kernel/engine/math/arena";
import { HIDDEN as N_HID, INPUTS as N_IN, OUTPUTS as N_OUT, type InitialWeights } from "./workload";

/** Samples predicted together (the engine's DEFERRED_BLOCK). */
const BLOCK = 32;

/**
 * The hand-written loop on the engine's WebAssembly kernels: the yardstick for the engine's abstraction
 * now that the engine's hot loops are kernels (bench/mlp/hand-loop.ts is the same math in plain
 * TypeScript). It calls the kernels directly — `forward` per layer per block of samples, `fold` for the
 * leverage, `sgd` at the commit — and writes the rest inline: ReLU, softmax, cross-entropy, the output
 * blame ŷ·Σy − y, the hidden blame sums. No Trainer, no strategy declaration, no observers, no
 * per-sample copies, no norms. Parameters in the engine's layout (per neuron: its weights, then its
 * bias), as the kernels need; the same operations in the same order as the engine, so the same bits.
 */
export class HandKernelLoop {
  private readonly arena = new Arena();
  readonly params: Float64Array;
  private readonly bank: Float64Array;
  private readonly avg: Float64Array;
  private readonly lr: Float64Array;
  private readonly adjustment: Float64Array;
  private readonly x = this.arena.alloc(BLOCK * N_IN);
  private readonly pairs = this.arena.alloc(BLOCK * N_IN);
  private readonly z1 = this.arena.alloc(BLOCK * N_HID);
  private readonly h = this.arena.alloc(BLOCK * N_HID);
  private readonly z2 = this.arena.alloc(BLOCK * N_OUT);
  private readonly d1 = this.arena.alloc(BLOCK * N_HID);
  private readonly d2 = this.arena.alloc(BLOCK * N_OUT);
  private readonly sums = new Float64Array(N_HID);
  /** Offset of the output layer's first weight in params (the hidden layer starts at 0). */
  private readonly out = N_HID * (N_IN + 1);

  constructor(init: InitialWeights, lr: number) {
    const n = this.out + N_OUT * (N_HID + 1);
    this.params = this.arena.alloc(n);
    this.bank = this.arena.alloc(n);
    this.avg = this.arena.alloc(n);
    this.lr = this.arena.alloc(n).fill(lr);
    this.adjustment = this.arena.alloc(n);
    const p = this.params;
    for (let j = 0; j < N_HID; j++) {
      p.set(init.w1.subarray(j * N_IN, (j + 1) * N_IN), j * (N_IN + 1));
      p[j * (N_IN + 1) + N_IN] = init.b1[j]!;
    }
    for (let o = 0; o < N_OUT; o++) {
      p.set(init.w2.subarray(o * N_HID, (o + 1) * N_HID), this.out + o * (N_HID + 1));
      p[this.out + o * (N_HID + 1) + N_HID] = init.b2[o]!;
    }
  }

  /** Trains samples [0, count) of x/y once, committing every `batch` samples; returns the mean loss. */
  trainEpoch(x: Float64Array, y: Float64Array, count: number, batch: number): number {
    const a = this.arena;
    const k = a.kernels;
    const [P, W2, X, PAIRS, Z1, H, Z2, D1, D2, BANK, AVG, LR, ADJ] = [
      a.address(this.params),
      a.address(this.params, this.out),
      a.address(this.x),
      a.address(this.pairs),
      a.address(this.z1),
      a.address(this.h),
      a.address(this.z2),
      a.address(this.d1),
      a.address(this.d2),
      a.address(this.bank),
      a.address(this.avg),
      a.address(this.lr),
      a.address(this.adjustment),
    ];
    const { params, z1, h, z2, d1, d2, sums } = this;
    const HIDDEN = N_HID;
    const OUTPUTS = N_OUT;
    const INPUTS = N_IN;
    const w2 = this.out;
    this.bank.fill(0);
    let lossSum = 0;
    let pending = 0;
    let t = 0;
    for (let first = 0; first < count; ) {
      const rows = Math.min(BLOCK, batch - pending, count - first);
      this.x.set(x.subarray(first * INPUTS, (first + rows) * INPUTS));
      k.forward(P, X, Z1, INPUTS, HIDDEN, rows, PAIRS);
      for (let i = 0; i < rows * HIDDEN; i++) h[i] = z1[i]! > 0 ? z1[i]! : 0;
      k.forward(W2, H, Z2, HIDDEN, OUTPUTS, rows, PAIRS);
      for (let r = 0; r < rows; r++) {
        const zo = r * OUTPUTS;
        const yo = (first + r) * OUTPUTS;
        // Stable softmax, cross-entropy with ŷ clamped to [1e-12, 1 − 1e-12], blame ŷ·Σy − y.
        let max = -Infinity;
        for (let o = 0; o < OUTPUTS; o++) if (z2[zo + o]! > max) max = z2[zo + o]!;
        let sum = 0;
        for (let o = 0; o < OUTPUTS; o++) {
          const e = Math.exp(z2[zo + o]! - max);
          d2[zo + o] = e;
          sum += e;
        }
        let sumY = 0;
        for (let o = 0; o < OUTPUTS; o++) sumY += y[yo + o]!;
        for (let o = 0; o < OUTPUTS; o++) {
          const q = d2[zo + o]! / sum;
          lossSum -= y[yo + o]! * Math.log(Math.min(1 - 1e-12, Math.max(1e-12, q)));
          d2[zo + o] = q * sumY - y[yo + o]!;
        }
        // Hidden blame: Σ_o w2[o][j]·δ_o in output order, × ReLU′(z).
        sums.fill(0);
        for (let o = 0; o < OUTPUTS; o++) {
          const d = d2[zo + o]!;
          const wo = w2 + o * (HIDDEN + 1);
          for (let j = 0; j < HIDDEN; j++) sums[j] = sums[j]! + params[wo + j]! * d;
        }
        const ho = r * HIDDEN;
        for (let j = 0; j < HIDDEN; j++) d1[ho + j] = sums[j]! * (z1[ho + j]! > 0 ? 1 : 0);
      }
      first += rows;
      pending += rows;
      const commit = pending === batch || first === count;
      // Leverage into the bank, or at the commit straight into avg = (bank + Σ leverage) / count.
      const into = commit ? AVG : BANK;
      const divisor = commit ? pending : 1;
      // A bank this batch has not touched yet is all +0: the kernel then starts from +0 without reading it.
      const fresh = pending === rows ? 1 : 0;
      k.fold(into, BANK, X, D1, INPUTS, HIDDEN, rows, divisor, fresh);
      k.fold(into + (w2 << 3), BANK + (w2 << 3), H, D2, HIDDEN, OUTPUTS, rows, divisor, fresh);
      if (commit) {
        k.sgd(P, AVG, LR, ADJ, 0, 0, params.length, 0, 0, 0, 0, ++t === 1 ? 1 : 0);
        if (pending > rows) this.bank.fill(0);
        pending = 0;
      }
    }
    return lossSum / count;
  }
}
