/**
 * Curvature sources for preconditioned descent (seed 003): each returns a non-negative diagonal
 * curvature estimate curv_est ∈ R^D at θ. The preconditioner strategies smooth it (EMA over refreshes),
 * floor it and turn it into per-weight learning rates; see optimizers/precondition.ts.
 */
import { Rng } from "../math/rng";
import { hvp, type HvpMode } from "./hvp";
import type { Objective } from "./objective";

export interface HutchinsonOptions {
  /** Rademacher probes per estimate (≥ 1). */
  readonly probes: number;
  readonly hvp: HvpMode;
}

/**
 * Hutchinson's estimator of diag(H): mean over probes v ∈ {±1}^D of (H v) ⊙ v. Unbiased, because
 * E[v_i v_j] = δ_ij. Signed; `hutchinsonCurvature` takes its absolute value.
 */
export function hutchinsonDiag(objective: Objective, theta: Float64Array, probes: number, rng: Rng, mode: HvpMode, out: Float64Array): void {
  const D = objective.dim;
  const v = new Float64Array(D);
  const hv = new Float64Array(D);
  out.fill(0);
  for (let p = 0; p < probes; p++) {
    for (let i = 0; i < D; i++) v[i] = rng.next() < 0.5 ? -1 : 1;
    hvp(objective, theta, v, hv, mode);
    for (let i = 0; i < D; i++) out[i] = out[i]! + hv[i]! * v[i]!;
  }
  for (let i = 0; i < D; i++) out[i] = out[i]! / probes;
}

/** |Hutchinson diag(H)|: a saddle's or an overshoot's negative curvature still gives a step size. */
export function hutchinsonCurvature(objective: Objective, theta: Float64Array, options: HutchinsonOptions, rng: Rng, out: Float64Array): void {
  hutchinsonDiag(objective, theta, options.probes, rng, options.hvp, out);
  for (let i = 0; i < out.length; i++) out[i] = Math.abs(out[i]!);
}

/** Empirical Fisher diagonal (1/n) Σ_k (∇f_k)², from the objective's per-sample gradients. */
export function empiricalFisher(objective: Objective, theta: Float64Array, out: Float64Array): void {
  const samples = objective.samples;
  if (!samples) throw new RangeError(`curvature: empirical_fisher needs per-sample gradients, which ${objective.name} does not have`);
  const g = new Float64Array(objective.dim);
  out.fill(0);
  for (let k = 0; k < samples.count; k++) {
    samples.grad(theta, k, g);
    for (let i = 0; i < out.length; i++) out[i] = out[i]! + g[i]! * g[i]!;
  }
  for (let i = 0; i < out.length; i++) out[i] = out[i]! / samples.count;
}

/** The Gauss–Newton diagonal diag(JᵀWJ), from the objective's residual structure. */
export function gaussNewton(objective: Objective, theta: Float64Array, out: Float64Array): void {
  if (!objective.gaussNewtonDiag) throw new RangeError(`curvature: gauss_newton needs residual structure, which ${objective.name} does not have`);
  objective.gaussNewtonDiag(theta, out);
}
