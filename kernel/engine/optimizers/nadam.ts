import { validateBetas } from "./adam";
import { coupledDecay, defineStrategy } from "./strategy";

/**
 * torch.optim.NAdam (1.13 `_single_tensor_nadam`): Adam with Nesterov momentum and the momentum
 * schedule μₜ = β₁(1 − ½·0.96^{tψ}) of Dozat (2016). The running product Πμ is global state, updated
 * once per commit in `prepare` together with the two per-commit coefficients of m̂:
 *   m̂ = μₜ₊₁·m/(1 − Πᵢ≤ₜ₊₁ μᵢ) + (1 − μₜ)·g/(1 − Πᵢ≤ₜ μᵢ),  v̂ = v/(1 − β₂ᵗ),  adj = γ·m̂/(√v̂+ε).
 */
export const nadam = defineStrategy({
  id: "nadam",
  name: "NAdam",
  formula: "g ← g + λθ;  μₜ = β₁(1 − ½·0.96^{tψ});  m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;  m̂ = μₜ₊₁m/(1−Πμ≤ₜ₊₁) + (1−μₜ)g/(1−Πμ≤ₜ);  v̂ = v/(1−β₂ᵗ);  adj = γ·m̂/(√v̂+ε)",
  description:
    "Adam with Nesterov momentum: the step looks ahead by using the next momentum value, with a momentum that warms up over the first steps.",
  whenToUse: "Where Adam works but you want slightly faster, smoother convergence early on.",
  bestFor: "Problems where momentum helps and Adam's first steps overshoot.",
  hyperparameters: {
    lr: { default: 2e-3, doc: "learning rate γ", min: 0 },
    beta1: { default: 0.9, doc: "β₁, decay of the first moment m (PyTorch betas[0]); 0 ≤ β₁ < 1", min: 0 },
    beta2: { default: 0.999, doc: "β₂, decay of the second moment v (PyTorch betas[1]); 0 ≤ β₂ < 1", min: 0 },
    eps: { default: 1e-8, doc: "ε added to √v̂", greaterThan: 0 },
    weight_decay: { default: 0, doc: "coupled L2 penalty λ", min: 0 },
    momentum_decay: { default: 4e-3, doc: "momentum decay ψ of the μₜ schedule", min: 0 },
  },
  state: {
    perWeight: ["exp_avg", "exp_avg_sq"],
    // mu_product is state (Πᵢ≤ₜ μᵢ); the others are this commit's factors, recomputed by prepare.
    global: ["mu_product", "mu", "mu_next", "coef_m", "coef_g", "bias_correction2"],
    initial: () => ({ mu_product: 1 }),
  },
  // m̂ = (μₜ₊₁m term) + ((1−μₜ)g term); adj = LR × m̂/(√v̂+ε)
  audit: ["g+λθ", "m", "v", "μₜ₊₁m/(1−Πμ≤ₜ₊₁)", "(1−μₜ)g/(1−Πμ≤ₜ)", "m̂", "v̂", "√v̂+ε", "m̂/(√v̂+ε)"],
  validate: (h) => validateBetas(h),
  prepare({ h, t, global }) {
    const mu = h.beta1 * (1 - 0.5 * 0.96 ** (t * h.momentum_decay));
    const muNext = h.beta1 * (1 - 0.5 * 0.96 ** ((t + 1) * h.momentum_decay));
    const muProduct = global.mu_product * mu;
    global.mu_product = muProduct;
    global.mu = mu;
    global.mu_next = muNext;
    global.coef_g = (1 - mu) / (1 - muProduct);
    global.coef_m = muNext / (1 - muProduct * muNext);
    global.bias_correction2 = 1 - h.beta2 ** t;
  },
  step(s, from, to) {
    const { beta1, beta2, eps, weight_decay } = s.h;
    const { g: grad, theta, lr, audit, global } = s;
    const { exp_avg: expAvg, exp_avg_sq: expAvgSq } = s.w;
    const { coef_m: coefM, coef_g: coefG, bias_correction2: bc2 } = global;
    for (let i = from; i < to; i++) {
      const g = coupledDecay(grad, theta, i, weight_decay);
      const m = expAvg[i]! * beta1 + (1 - beta1) * g;
      const v = expAvgSq[i]! * beta2 + (1 - beta2) * (g * g);
      expAvg[i] = m;
      expAvgSq[i] = v;
      const mTerm = coefM * m;
      const gTerm = coefG * g;
      const mHat = mTerm + gTerm;
      const vHat = v / bc2;
      const denom = Math.sqrt(vHat) + eps;
      const direction = mHat / denom;
      s.adjust(i, lr[i]! * direction);
      if (audit) {
        const o = i * 9;
        audit[o] = g;
        audit[o + 1] = m;
        audit[o + 2] = v;
        audit[o + 3] = mTerm;
        audit[o + 4] = gTerm;
        audit[o + 5] = mHat;
        audit[o + 6] = vHat;
        audit[o + 7] = denom;
        audit[o + 8] = direction;
      }
    }
  },
});
