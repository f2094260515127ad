/**
 * Loss functions for one sample: the loss value and dLoss/dŷ per output ("judge"). Reductions follow
 * PyTorch with reduction='mean': MSE, MAE, Huber and BCE average over the outputs; categorical
 * cross-entropy sums over classes. Averaging over the batch happens at the commit (avg = bank/count).
 */
export type LossName = "mse" | "mae" | "huber" | "bce" | "cce";

export interface Loss {
  readonly name: LossName;
  readonly formula: string;
  /** Writes dLoss/dŷ for outputs [0, n) into `grad` and returns the loss. */
  judge(yHat: Float64Array, y: Float64Array, n: number, grad: Float64Array): number;
  /**
   * Writes d²Loss/dŷ² for outputs [0, n) into `out` (every loss here is separable in ŷ, so its Hessian
   * is diagonal): exact Hessian-vector products and the Gauss–Newton diagonal (precondition/network.ts).
   * 0 where the loss is piecewise linear or ŷ is at the probability clamp (where `judge`'s gradient is constant).
   */
  curvature(yHat: Float64Array, y: Float64Array, n: number, out: Float64Array): void;
  /**
   * Losses that clamp ŷ before the log (bce, cce): a sample's loss at or above this (for n outputs)
   * has a prediction at the clamp on the wrong side, −log ε, where the loss no longer grows with the error.
   */
  readonly clampedAt?: (n: number) => number;
}


/** Huber's δ (PyTorch's default). */
export const HUBER_DELTA = 1;
/** Probabilities are clamped to [ε, 1−ε] so log never sees 0 (PyTorch clamps log at −100). */
export const PROBABILITY_EPS = 1e-12;

/** −log ε less a hair: the upper clamp 1 − ε is not exact in binary, so its loss is a few ppm below −log ε. */
const CLAMP_LOSS = -Math.log(PROBABILITY_EPS) * 0.9999;

const clampP = (p: number): number => Math.min(1 - PROBABILITY_EPS, Math.max(PROBABILITY_EPS, p));
/** Whether the clamp moves p (then the loss is flat in ŷ: `judge`'s gradient no longer depends on it). */
const clamped = (p: number): boolean => clampP(p) !== p;

export const losses: Readonly<Record<LossName, Loss>> = {
  mse: {
    name: "mse",
    formula: "L = (1/n) Σ (ŷ − y)²",
    judge(yHat, y, n, grad) {
      let sum = 0;
      for (let i = 0; i < n; i++) {
        const d = yHat[i]! - y[i]!;
        sum += d * d;
        grad[i] = (2 * d) / n;
      }
      return sum / n;
    },
    curvature(_yHat, _y, n, out) {
      for (let i = 0; i < n; i++) out[i] = 2 / n;
    },
  },
  mae: {
    name: "mae",
    formula: "L = (1/n) Σ |ŷ − y|",
    judge(yHat, y, n, grad) {
      let sum = 0;
      for (let i = 0; i < n; i++) {
        const d = yHat[i]! - y[i]!;
        sum += Math.abs(d);
        grad[i] = Math.sign(d) / n;
      }
      return sum / n;
    },
    curvature(_yHat, _y, n, out) {
      out.fill(0, 0, n);
    },
  },
  huber: {
    name: "huber",
    formula: `L = (1/n) Σ (|d| ≤ δ ? d²/2 : δ(|d| − δ/2)), d = ŷ − y, δ = ${HUBER_DELTA}`,
    judge(yHat, y, n, grad) {
      let sum = 0;
      for (let i = 0; i < n; i++) {
        const d = yHat[i]! - y[i]!;
        const ad = Math.abs(d);
        if (ad <= HUBER_DELTA) {
          sum += 0.5 * d * d;
          grad[i] = d / n;
        } else {
          sum += HUBER_DELTA * (ad - 0.5 * HUBER_DELTA);
          grad[i] = (HUBER_DELTA * Math.sign(d)) / n;
        }
      }
      return sum / n;
    },
    curvature(yHat, y, n, out) {
      for (let i = 0; i < n; i++) out[i] = Math.abs(yHat[i]! - y[i]!) <= HUBER_DELTA ? 1 / n : 0;
    },
  },
  bce: {
    name: "bce",
    formula: "L = −(1/n) Σ [y log ŷ + (1 − y) log(1 − ŷ)]",
    judge(yHat, y, n, grad) {
      let sum = 0;
      for (let i = 0; i < n; i++) {
        const p = clampP(yHat[i]!);
        const t = y[i]!;
        sum -= t * Math.log(p) + (1 - t) * Math.log(1 - p);
        grad[i] = (p - t) / (p * (1 - p)) / n;
      }
      return sum / n;
    },
    curvature(yHat, y, n, out) {
      for (let i = 0; i < n; i++) {
        const p = yHat[i]!;
        const t = y[i]!;
        out[i] = clamped(p) ? 0 : (t / (p * p) + (1 - t) / ((1 - p) * (1 - p))) / n;
      }
    },
    clampedAt: (n) => CLAMP_LOSS / n,
  },
  cce: {
    name: "cce",
    formula: "L = −Σ y log ŷ  (ŷ = softmax(z); blame at the output is ŷ·Σy − y)",
    judge(yHat, y, n, grad) {
      let sum = 0;
      for (let i = 0; i < n; i++) {
        const p = clampP(yHat[i]!);
        sum -= y[i]! * Math.log(p);
        grad[i] = -y[i]! / p;
      }
      return sum;
    },
    curvature(yHat, y, n, out) {
      for (let i = 0; i < n; i++) {
        const p = yHat[i]!;
        out[i] = clamped(p) ? 0 : y[i]! / (p * p);
      }
    },
    clampedAt: () => CLAMP_LOSS,
  },
};

export const lossNames = Object.keys(losses) as LossName[];
