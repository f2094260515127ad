import { preconditionStrategy } from "./precondition";

/** Preconditioned descent with curvature from the Gauss–Newton diagonal diag(JᵀWJ). */
export const precondGaussNewton = preconditionStrategy({
  id: "precond_gn",
  name: "Preconditioned GD (Gauss–Newton diagonal)",
  estimate: "diag(JᵀWJ)",
  description: "Per-weight rates γ/√curv from the Gauss–Newton diagonal of a least-squares loss ½Σ w r².",
  whenToUse: "Least-squares problems with residuals: curve fitting, Rosenbrock as residuals.",
  bestFor: "Curvature that stays positive even where the Hessian is not.",
  fromGradient: false,
});
