/**
 * The preconditioners by id: each a strategy (kernel/engine/optimizers/precond-*.ts) with the curvature
 * source that fills its `curv_est` before a refresh commit (null: the strategy computes it from g).
 */
import { precondEma } from "../optimizers/precond-ema";
import { precondFisher } from "../optimizers/precond-fisher";
import { precondGaussNewton } from "../optimizers/precond-gn";
import { precondHutchinson } from "../optimizers/precond-hutchinson";
import type { Strategy } from "../optimizers/strategy";
import { empiricalFisher, gaussNewton, hutchinsonCurvature } from "./curvature";
import type { HvpMode } from "./hvp";
import type { Objective } from "./objective";
import type { Rng } from "../math/rng";

export type CurvatureSourceName = "ema_grad2" | "hutchinson" | "empirical_fisher" | "gauss_newton";

/** Settings of the Hutchinson source (ignored by the others). */
export interface SourceSettings {
  readonly probes: number;
  readonly hvp: HvpMode;
}

export interface Preconditioner {
  readonly strategy: Strategy;
  readonly source: CurvatureSourceName;
  /** Writes curv_est at θ; null when the strategy takes g² itself. */
  readonly estimate: ((objective: Objective, theta: Float64Array, settings: SourceSettings, rng: Rng, out: Float64Array) => void) | null;
}

export const preconditioners: Readonly<Record<string, Preconditioner>> = Object.freeze({
  precond_ema: { strategy: precondEma, source: "ema_grad2", estimate: null },
  precond_hutchinson: {
    strategy: precondHutchinson,
    source: "hutchinson",
    estimate: (objective, theta, settings, rng, out) => hutchinsonCurvature(objective, theta, settings, rng, out),
  },
  precond_fisher: { strategy: precondFisher, source: "empirical_fisher", estimate: (objective, theta, _s, _r, out) => empiricalFisher(objective, theta, out) },
  precond_gn: { strategy: precondGaussNewton, source: "gauss_newton", estimate: (objective, theta, _s, _r, out) => gaussNewton(objective, theta, out) },
});
