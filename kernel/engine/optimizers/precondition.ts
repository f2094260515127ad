/**
 * Curvature-preconditioned descent as strategies (seed 003): per-weight learning rates from a diagonal
 * curvature estimate, lr_vec = clip(γ / √(max(curv, floor) + ε), lr_min, lr_max), adj = lr_vec · g.
 * Every `refresh` commits a fresh estimate curv_est is folded into the smoothed curvature
 * curv ← β·curv + (1−β)·curv_est (the first commit takes curv_est as it is). Where curv_est comes from is
 * the one difference between the four strategies: g² (precond-ema.ts) or an estimate the descent driver
 * writes into the `curv_est` state before a refresh commit (Hutchinson, empirical Fisher,
 * Gauss–Newton; kernel/engine/precondition/). See docs/optimizers.md.
 */
import { defineStrategy, type HyperParamSpec, type Strategy, type StepState } from "./strategy";

export type PreconditionHyper = {
  lr: number;
  eps: number;
  lr_min: number;
  lr_max: number;
  curv_floor: number;
  beta: number;
  refresh: number;
};

export const preconditionHyperparameters = {
  lr: { default: 0.1, doc: "base learning rate γ (lr_vec = γ/√(curv+ε) before clipping)", min: 0 },
  eps: { default: 1e-8, doc: "ε added to the curvature under the square root", greaterThan: 0 },
  lr_min: { default: 0, doc: "smallest per-weight rate (clip)", min: 0 },
  lr_max: { default: 1e6, doc: "largest per-weight rate (clip)", min: 0 },
  curv_floor: { default: 1e-12, doc: "curvature floor: max(curv, floor) before the square root", min: 0 },
  beta: { default: 0, doc: "EMA smoothing β of the curvature over refreshes (0: the latest estimate only)", min: 0, max: 1 },
  refresh: { default: 1, doc: "refresh the curvature every K commits", min: 1, integer: true },
} as const;

export const PRECONDITION_AUDIT = ["curv_est", "curv", "max(curv,floor)", "γ/√(c+ε)", "lr_vec"] as const;

type PreconditionState = StepState<PreconditionHyper, "curv_est" | "curv", never, never>;

/** Whether commit t folds in a fresh estimate (t = 1, 1 + K, 1 + 2K, …). */
export function isRefresh(t: number, refresh: number): boolean {
  return (t - 1) % refresh === 0;
}

/** The shared step; `fromGradient`: the estimate is g² (taken at refresh commits), else the driver's. */
function preconditionStep(fromGradient: boolean) {
  return (s: PreconditionState, from: number, to: number): void => {
    const { eps, lr_min: lrMin, lr_max: lrMax, curv_floor: floor, beta, refresh } = s.h;
    const { g: grad, lr, audit, t } = s;
    const { curv_est: estimates, curv: smoothed } = s.w;
    const fresh = isRefresh(t, refresh);
    for (let i = from; i < to; i++) {
      const g = grad[i]!;
      if (fromGradient && fresh) estimates[i] = g * g;
      let curv = smoothed[i]!;
      if (fresh) curv = t === 1 ? estimates[i]! : beta * curv + (1 - beta) * estimates[i]!;
      smoothed[i] = curv;
      const c = curv < floor ? floor : curv;
      const raw = lr[i]! / Math.sqrt(c + eps);
      const rate = raw < lrMin ? lrMin : raw > lrMax ? lrMax : raw;
      s.adjust(i, rate * g);
      if (audit) {
        const o = i * 5;
        audit[o] = estimates[i]!;
        audit[o + 1] = curv;
        audit[o + 2] = c;
        audit[o + 3] = raw;
        audit[o + 4] = rate;
      }
    }
  };
}

export interface PreconditionDeclaration {
  readonly id: string;
  readonly name: string;
  /** How curv_est is obtained, for the formula line. */
  readonly estimate: string;
  readonly description: string;
  readonly whenToUse: string;
  readonly bestFor: string;
  /** true: curv_est = g² at refresh commits; false: the descent driver (or the trainer) writes curv_est. */
  readonly fromGradient: boolean;
  /** Settings of the curvature source (Hutchinson's probes and seed), kept with the run like the others. */
  readonly sourceHyperparameters?: Readonly<Record<string, HyperParamSpec<number>>>;
}

/** A preconditioned-descent strategy whose curvature estimate is `estimate`. */
export function preconditionStrategy(d: PreconditionDeclaration): Strategy {
  return defineStrategy<PreconditionHyper, "curv_est" | "curv">({
    id: d.id,
    name: d.name,
    formula: `curv_est = ${d.estimate} (every K commits);  curv ← β·curv + (1−β)·curv_est;  c = max(curv, floor);  lr_vec = clip(γ/√(c+ε), lr_min, lr_max);  adj = lr_vec·g`,
    description: d.description,
    whenToUse: d.whenToUse,
    bestFor: d.bestFor,
    hyperparameters: { ...preconditionHyperparameters, ...d.sourceHyperparameters },
    state: { perWeight: ["curv_est", "curv"] },
    // adj = lr_vec × g
    audit: PRECONDITION_AUDIT,
    validate: (h) => (h.lr_min > h.lr_max ? `lr_min (${h.lr_min}) must be ≤ lr_max (${h.lr_max})` : null),
    step: preconditionStep(d.fromGradient),
  });
}
