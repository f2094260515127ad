import type { Objective } from "./objective";
import { norm2 } from "./objective";

/**
 * H(θ)·v by central differences of the gradient: (∇L(θ + h·v) − ∇L(θ − h·v)) / 2h, with
 * h = step · (1 + ‖θ‖) / ‖v‖ (step ≈ ∛ε_machine balances truncation against rounding). Error O(h²).
 */
export function hvpFiniteDifference(objective: Objective, theta: Float64Array, v: Float64Array, out: Float64Array, step = 1e-5): void {
  const D = objective.dim;
  const vn = norm2(v);
  if (vn === 0) {
    out.fill(0);
    return;
  }
  const h = (step * (1 + norm2(theta))) / vn;
  const plus = new Float64Array(D);
  const minus = new Float64Array(D);
  const at = new Float64Array(D);
  for (let i = 0; i < D; i++) at[i] = theta[i]! + h * v[i]!;
  objective.grad(at, plus);
  for (let i = 0; i < D; i++) at[i] = theta[i]! - h * v[i]!;
  objective.grad(at, minus);
  for (let i = 0; i < D; i++) out[i] = (plus[i]! - minus[i]!) / (2 * h);
}

export type HvpMode = "exact" | "finite-difference";

/** H(θ)·v: the objective's exact product when it has one and `mode` allows, else finite differences. */
export function hvp(objective: Objective, theta: Float64Array, v: Float64Array, out: Float64Array, mode: HvpMode): void {
  if (mode === "exact" && objective.hvp) objective.hvp(theta, v, out);
  else hvpFiniteDifference(objective, theta, v, out);
}
