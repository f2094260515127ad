import { Rng } from "../../math/rng";
import type { Objective } from "../objective";

export interface LogisticOptions {
  readonly samples?: number;
  readonly features?: number;
  /** L2 penalty λ > 0 (½λ‖w‖², bias included), which makes the minimiser unique. */
  readonly l2?: number;
  /** Feature scales grow geometrically up to this ratio, which makes the problem ill-conditioned. */
  readonly scaleRatio?: number;
  readonly seed?: number;
}

/**
 * L2-regularised logistic regression on seeded synthetic data: θ = (w₁ … w_d, b),
 * L = (1/n) Σ [log(1 + e^{z_k}) − y_k z_k] + ½λ‖θ‖², z_k = w·x_k + b. Exact Hessian
 * (1/n) Σ p(1−p) x̃ x̃ᵀ + λI (x̃ = (x, 1)); the generalised Gauss–Newton diagonal equals diag(H).
 */
export function logistic(options: LogisticOptions = {}): Objective {
  const n = options.samples ?? 200;
  const d = options.features ?? 5;
  const l2 = options.l2 ?? 1e-2;
  const ratio = options.scaleRatio ?? 10;
  const seed = options.seed ?? 1;
  if (!Number.isInteger(n) || n < 2) throw new RangeError(`logistic.samples: must be an integer ≥ 2, got ${n}`);
  if (!Number.isInteger(d) || d < 1) throw new RangeError(`logistic.features: must be an integer ≥ 1, got ${d}`);
  if (!(l2 > 0) || !Number.isFinite(l2)) throw new RangeError(`logistic.l2: must be a finite number > 0, got ${l2}`);
  if (!(ratio >= 1) || !Number.isFinite(ratio)) throw new RangeError(`logistic.scaleRatio: must be a finite number ≥ 1, got ${ratio}`);
  const rng = new Rng(seed);
  const D = d + 1;
  const x = new Float64Array(n * D);
  const y = new Float64Array(n);
  const truth = Float64Array.from({ length: d }, () => rng.normal());
  for (let k = 0; k < n; k++) {
    let z = 0;
    for (let q = 0; q < d; q++) {
      const v = rng.normal() * ratio ** (d === 1 ? 0 : q / (d - 1));
      x[k * D + q] = v;
      z += (truth[q]! * v) / ratio ** (d === 1 ? 0 : q / (d - 1));
    }
    x[k * D + d] = 1;
    y[k] = rng.next() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
  }
  const zOf = (theta: Float64Array, k: number): number => {
    let z = 0;
    for (let q = 0; q < D; q++) z += theta[q]! * x[k * D + q]!;
    return z;
  };
  const sigmoid = (z: number): number => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));
  // log(1 + e^z) without overflow.
  const softplus = (z: number): number => (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z)));
  const penalty = (theta: Float64Array): number => {
    let s = 0;
    for (let q = 0; q < D; q++) s += theta[q]! * theta[q]!;
    return 0.5 * l2 * s;
  };
  const grad = (theta: Float64Array, out: Float64Array): number => {
    for (let q = 0; q < D; q++) out[q] = l2 * theta[q]!;
    let loss = 0;
    for (let k = 0; k < n; k++) {
      const z = zOf(theta, k);
      loss += (softplus(z) - y[k]! * z) / n;
      const e = (sigmoid(z) - y[k]!) / n;
      for (let q = 0; q < D; q++) out[q] = out[q]! + e * x[k * D + q]!;
    }
    return loss + penalty(theta);
  };
  const hessianDiag = (theta: Float64Array, out: Float64Array): void => {
    out.fill(l2);
    for (let k = 0; k < n; k++) {
      const p = sigmoid(zOf(theta, k));
      const w = (p * (1 - p)) / n;
      for (let q = 0; q < D; q++) out[q] = out[q]! + w * x[k * D + q]! * x[k * D + q]!;
    }
  };
  return {
    name: "logistic",
    dim: D,
    theta0: new Float64Array(D),
    optimum: null,
    minLoss: null,
    indexMap: [
      { name: "weights", offset: 0, size: d },
      { name: "bias", offset: d, size: 1 },
    ],
    settings: { problem: "logistic", samples: n, features: d, l2, scaleRatio: ratio, seed },
    loss: (theta) => grad(theta, new Float64Array(D)),
    grad,
    hvp(theta, v, out) {
      for (let q = 0; q < D; q++) out[q] = l2 * v[q]!;
      for (let k = 0; k < n; k++) {
        const p = sigmoid(zOf(theta, k));
        let xv = 0;
        for (let q = 0; q < D; q++) xv += x[k * D + q]! * v[q]!;
        const w = (p * (1 - p) * xv) / n;
        for (let q = 0; q < D; q++) out[q] = out[q]! + w * x[k * D + q]!;
      }
    },
    hessianDiag,
    samples: {
      count: n,
      // f_k = log-loss of sample k + ½λ‖θ‖², so that L is their mean.
      grad(theta, k, out) {
        const z = zOf(theta, k);
        const e = sigmoid(z) - y[k]!;
        for (let q = 0; q < D; q++) out[q] = e * x[k * D + q]! + l2 * theta[q]!;
        return softplus(z) - y[k]! * z + penalty(theta);
      },
    },
    gaussNewtonDiag: hessianDiag,
  };
}
