import { preconditionStrategy } from "./precondition";

/** Preconditioned descent with curvature |diag(H)| from Hutchinson's estimator (Rademacher probes, HVPs). */
export const precondHutchinson = preconditionStrategy({
  id: "precond_hutchinson",
  name: "Preconditioned GD (Hutchinson diag H)",
  estimate: "|mean_k (H v_k) ⊙ v_k|, v_k ∈ {±1}^D",
  description: "Per-weight rates γ/√curv from the Hessian's diagonal, estimated with random ±1 probes and Hessian-vector products.",
  whenToUse: "A scalar loss with no residual or per-sample structure; ill-conditioned parameters.",
  bestFor: "Axis-aligned ill-conditioning: the estimate converges to the true diagonal.",
  fromGradient: false,
  sourceHyperparameters: {
    probes: { default: 10, doc: "Rademacher probes per curvature refresh (each one Hessian-vector product over the batch)", min: 1, integer: true },
    seed: { default: 0, doc: "seed of the probes (a network run draws commit t's probes from this seed and t, so replay redraws them)", min: 0, max: 0xffffffff, integer: true },
  },
});
