import { preconditionStrategy } from "./precondition";

/** Preconditioned descent with curvature from the empirical Fisher diagonal (per-sample gradients). */
export const precondFisher = preconditionStrategy({
  id: "precond_fisher",
  name: "Preconditioned GD (empirical Fisher)",
  estimate: "(1/n) Σ_k (∇f_k)²",
  description: "Per-weight rates γ/√curv from the mean square of the per-sample gradients (the empirical Fisher diagonal).",
  whenToUse: "Losses that are a mean over samples (likelihoods, least squares).",
  bestFor: "Statistical models where the Fisher information describes the curvature near the optimum.",
  fromGradient: false,
});
