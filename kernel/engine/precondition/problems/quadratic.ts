import type { Objective } from "../objective";

export interface QuadraticOptions {
  /** Dimension D ≥ 2. */
  readonly dim?: number;
  /** Condition number κ = λ_max / λ_min ≥ 1 of the Hessian. */
  readonly kappa?: number;
}

/**
 * The ill-conditioned quadratic L = ½ Σ λ_i (θ_i − c_i)², λ log-spaced from 1 to κ (the Hessian is
 * diag(λ), so its condition number is exactly κ), c_i = 1 + i/(D−1) (distinct, so that no equal-size
 * step of every coordinate lands on it), θ₀ = 0. It is a least-squares problem with
 * residuals r_i = √λ_i (θ_i − c_i): the Gauss–Newton diagonal and the Hessian coincide.
 */
export function quadratic(options: QuadraticOptions = {}): Objective {
  const dim = options.dim ?? 10;
  const kappa = options.kappa ?? 1e4;
  if (!Number.isInteger(dim) || dim < 2) throw new RangeError(`quadratic.dim: must be an integer ≥ 2, got ${dim}`);
  if (!(kappa >= 1) || !Number.isFinite(kappa)) throw new RangeError(`quadratic.kappa: must be a finite number ≥ 1, got ${kappa}`);
  const lambda = Float64Array.from({ length: dim }, (_, i) => kappa ** (i / (dim - 1)));
  const c = Float64Array.from({ length: dim }, (_, i) => 1 + i / (dim - 1));
  const grad = (theta: Float64Array, out: Float64Array): number => {
    let loss = 0;
    for (let i = 0; i < dim; i++) {
      const d = theta[i]! - c[i]!;
      out[i] = lambda[i]! * d;
      loss += 0.5 * lambda[i]! * d * d;
    }
    return loss;
  };
  return {
    name: "quadratic",
    dim,
    theta0: new Float64Array(dim),
    optimum: c,
    minLoss: 0,
    indexMap: [{ name: "theta", offset: 0, size: dim }],
    settings: { problem: "quadratic", dim, kappa },
    loss: (theta) => grad(theta, new Float64Array(dim)),
    grad,
    hvp(_theta, v, out) {
      for (let i = 0; i < dim; i++) out[i] = lambda[i]! * v[i]!;
    },
    hessianDiag(_theta, out) {
      out.set(lambda);
    },
    // Samples as noisy observations: for coordinate k two samples with offsets ±σ_k, σ_k² = 1/(D λ_k),
    // f = D · ½λ_k[(d ± σ_k)² − σ_k²] (d = θ_k − c_k): their mean is L, and their empirical Fisher
    // λ_k (1 + Dλ_k d²) equals the Hessian at the optimum, as the Fisher of a Gaussian likelihood does.
    samples: {
      count: 2 * dim,
      grad(theta, k, out) {
        out.fill(0);
        const i = k >> 1;
        const sigma = (k % 2 === 0 ? 1 : -1) / Math.sqrt(dim * lambda[i]!);
        const d = theta[i]! - c[i]!;
        out[i] = dim * lambda[i]! * (d + sigma);
        return dim * 0.5 * lambda[i]! * ((d + sigma) * (d + sigma) - sigma * sigma);
      },
    },
    gaussNewtonDiag(_theta, out) {
      out.set(lambda);
    },
  };
}
