import type { Objective } from "../objective";

/**
 * The (generalised) Rosenbrock function L = Σ_{i<D−1} [100 (θ_{i+1} − θ_i²)² + (1 − θ_i)²], minimum 0 at
 * θ = 1, started at the classic (−1.2, 1, −1.2, 1, …). As least squares: residuals
 * r_{2i} = 10 (θ_{i+1} − θ_i²), r_{2i+1} = 1 − θ_i, L = Σ r² (weights w = 2 in ½ Σ w r²).
 */
export function rosenbrock(options: { readonly dim?: number } = {}): Objective {
  const dim = options.dim ?? 2;
  if (!Number.isInteger(dim) || dim < 2) throw new RangeError(`rosenbrock.dim: must be an integer ≥ 2, got ${dim}`);
  const pairs = dim - 1;
  const grad = (theta: Float64Array, out: Float64Array): number => {
    out.fill(0);
    let loss = 0;
    for (let i = 0; i < pairs; i++) {
      const x = theta[i]!;
      const a = theta[i + 1]! - x * x;
      const b = 1 - x;
      loss += 100 * a * a + b * b;
      out[i] = out[i]! - 400 * x * a - 2 * b;
      out[i + 1] = out[i + 1]! + 200 * a;
    }
    return loss;
  };
  const hessianDiag = (theta: Float64Array, out: Float64Array): void => {
    out.fill(0);
    for (let i = 0; i < pairs; i++) {
      const x = theta[i]!;
      out[i] = out[i]! + 1200 * x * x - 400 * theta[i + 1]! + 2;
      out[i + 1] = out[i + 1]! + 200;
    }
  };
  return {
    name: "rosenbrock",
    dim,
    theta0: Float64Array.from({ length: dim }, (_, i) => (i % 2 === 0 ? -1.2 : 1)),
    optimum: new Float64Array(dim).fill(1),
    minLoss: 0,
    indexMap: [{ name: "theta", offset: 0, size: dim, ...(dim === 2 ? { components: ["x", "y"] } : {}) }],
    settings: { problem: "rosenbrock", dim },
    loss: (theta) => grad(theta, new Float64Array(dim)),
    grad,
    hvp(theta, v, out) {
      out.fill(0);
      for (let i = 0; i < pairs; i++) {
        const x = theta[i]!;
        const hxx = 1200 * x * x - 400 * theta[i + 1]! + 2;
        const hxy = -400 * x;
        out[i] = out[i]! + hxx * v[i]! + hxy * v[i + 1]!;
        out[i + 1] = out[i + 1]! + hxy * v[i]! + 200 * v[i + 1]!;
      }
    },
    hessianDiag,
    // Samples are the 2(D−1) residual terms, f_k = 2(D−1) r_k², so that L is their mean.
    samples: {
      count: 2 * pairs,
      grad(theta, k, out) {
        out.fill(0);
        const i = k >> 1;
        const x = theta[i]!;
        const n = 2 * pairs;
        if (k % 2 === 0) {
          const r = 10 * (theta[i + 1]! - x * x);
          out[i] = n * 2 * r * (-20 * x);
          out[i + 1] = n * 2 * r * 10;
          return n * r * r;
        }
        const r = 1 - x;
        out[i] = n * 2 * r * -1;
        return n * r * r;
      },
    },
    // diag(JᵀWJ), W = 2: Σ 2 (∂r/∂θ_j)².
    gaussNewtonDiag(theta, out) {
      out.fill(0);
      for (let i = 0; i < pairs; i++) {
        const x = theta[i]!;
        out[i] = out[i]! + 2 * (400 * x * x) + 2;
        out[i + 1] = out[i + 1]! + 200;
      }
    },
  };
}
