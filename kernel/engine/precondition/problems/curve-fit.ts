import { Rng } from "../../math/rng";
import type { Objective } from "../objective";

export interface CurveFitOptions {
  /** Points on x ∈ [0, 4]. */
  readonly points?: number;
  /** Standard deviation of Gaussian noise on y (0: exact data, so the truth is the minimiser, loss 0). */
  readonly noise?: number;
  readonly seed?: number;
}

/** The curve's true parameters (a, b, c) of y = a·e^(−b x) + c. */
export const CURVE_TRUTH = Float64Array.of(2, 1.5, 0.5);

/**
 * Least-squares curve fitting: y = a·e^(−b x) + c to points (x_k, y_k), L = (1/2n) Σ r_k², r_k = model − y_k.
 * Non-linear in b, so its Hessian is not written out: Hessian-vector products come from finite
 * differences of the gradient; the Gauss–Newton diagonal is (1/n) Σ (∂r_k/∂θ_j)².
 */
export function curveFit(options: CurveFitOptions = {}): Objective {
  const n = options.points ?? 50;
  const noise = options.noise ?? 0;
  const seed = options.seed ?? 1;
  if (!Number.isInteger(n) || n < 3) throw new RangeError(`curve_fit.points: must be an integer ≥ 3, got ${n}`);
  if (!(noise >= 0) || !Number.isFinite(noise)) throw new RangeError(`curve_fit.noise: must be a finite number ≥ 0, got ${noise}`);
  const rng = new Rng(seed);
  const [ta, tb, tc] = CURVE_TRUTH as unknown as [number, number, number];
  const x = Float64Array.from({ length: n }, (_, k) => (4 * k) / (n - 1));
  const y = x.map((xk) => ta * Math.exp(-tb * xk) + tc + (noise > 0 ? rng.normal(0, noise) : 0));
  /** Residual k and its derivatives ∂r/∂(a, b, c) into j (length 3). */
  const residual = (theta: Float64Array, k: number, j: Float64Array): number => {
    const e = Math.exp(-theta[1]! * x[k]!);
    j[0] = e;
    j[1] = -theta[0]! * x[k]! * e;
    j[2] = 1;
    return theta[0]! * e + theta[2]! - y[k]!;
  };
  const j = new Float64Array(3);
  const grad = (theta: Float64Array, out: Float64Array): number => {
    out.fill(0);
    let loss = 0;
    for (let k = 0; k < n; k++) {
      const r = residual(theta, k, j);
      loss += (0.5 * r * r) / n;
      for (let q = 0; q < 3; q++) out[q] = out[q]! + (r * j[q]!) / n;
    }
    return loss;
  };
  return {
    name: "curve_fit",
    dim: 3,
    theta0: Float64Array.of(1, 0.5, 0),
    optimum: noise === 0 ? Float64Array.from(CURVE_TRUTH) : null,
    minLoss: noise === 0 ? 0 : null,
    indexMap: [{ name: "curve", offset: 0, size: 3, components: ["a", "b", "c"] }],
    settings: { problem: "curve_fit", points: n, noise, seed, model: "a·exp(−b·x) + c" },
    loss: (theta) => grad(theta, new Float64Array(3)),
    grad,
    samples: {
      count: n,
      // f_k = ½ r_k², so that L is their mean.
      grad(theta, k, out) {
        const r = residual(theta, k, j);
        for (let q = 0; q < 3; q++) out[q] = r * j[q]!;
        return 0.5 * r * r;
      },
    },
    gaussNewtonDiag(theta, out) {
      out.fill(0);
      for (let k = 0; k < n; k++) {
        residual(theta, k, j);
        for (let q = 0; q < 3; q++) out[q] = out[q]! + (j[q]! * j[q]!) / n;
      }
    },
  };
}
