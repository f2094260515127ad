import { preconditionStrategy } from "./precondition";

/** Preconditioned descent with curvature from an EMA of g² (the gradient-statistics proxy of seed 003). */
export const precondEma = preconditionStrategy({
  id: "precond_ema",
  name: "Preconditioned GD (EMA of g²)",
  estimate: "g²",
  description:
    "Per-weight rates γ/√curv from a running average of squared gradients, floored and clipped: RMSprop's scaling made explicit, with every number in the popup.",
  whenToUse: "Ill-conditioned problems where only gradients are available; networks trained with the usual trainer.",
  bestFor: "Seeing why adaptive methods help: the curvature, the rate and the step of every weight side by side.",
  fromGradient: true,
});
