/**
 * An objective over a flat parameter vector θ ∈ R^D: what preconditioned descent needs (seed 003:
 * "loss(θ) → scalar", optional per-sample terms and residual structure). Problems implement what their
 * structure allows; a curvature source that needs a missing part says so by name.
 */

/** One named slice of θ (seed 003's IndexMap "blocks"): θ[offset … offset + size). */
export interface ThetaSlice {
  readonly name: string;
  readonly offset: number;
  readonly size: number;
  /** Optional names of the slice's components (e.g. "x", "y"); length = size when given. */
  readonly components?: readonly string[];
}

export type IndexMap = readonly ThetaSlice[];

export interface Objective {
  readonly name: string;
  readonly dim: number;
  /** Where descent starts (copied, never written). */
  readonly theta0: Float64Array;
  /** The known minimiser, when there is one (null otherwise). */
  readonly optimum: Float64Array | null;
  /** The loss at the minimiser when known (0 for the quadratic and Rosenbrock), else null. */
  readonly minLoss: number | null;
  readonly indexMap: IndexMap;
  /** Every setting that defines the problem (κ, dimension, data seed …), for the run's metadata. */
  readonly settings: Readonly<Record<string, number | string>>;
  loss(theta: Float64Array): number;
  /** Writes ∇L(θ) into `out` and returns L(θ). */
  grad(theta: Float64Array, out: Float64Array): number;
  /** Exact Hessian-vector product H(θ)·v into `out`, when the problem has one in closed form. */
  hvp?(theta: Float64Array, v: Float64Array, out: Float64Array): void;
  /** The exact diag(H(θ)), for tests of the estimators. */
  hessianDiag?(theta: Float64Array, out: Float64Array): void;
  /**
   * Per-sample terms: L = (1/count) Σ_k f_k(θ). `grad` writes ∇f_k into `out` and returns f_k
   * (the empirical Fisher averages their squares).
   */
  readonly samples?: { readonly count: number; grad(theta: Float64Array, k: number, out: Float64Array): number };
  /** The Gauss–Newton diagonal diag(JᵀWJ) for a loss ½ Σ w_k r_k² (generalised GN for logistic loss). */
  gaussNewtonDiag?(theta: Float64Array, out: Float64Array): void;
}

/** ‖v‖₂ summed in index order. */
export function norm2(v: Float64Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  return Math.sqrt(s);
}
