import { validateBetas } from "./adam";
import { coupledDecay, defineStrategy } from "./strategy";

/**
 * torch.optim.Adamax (1.13 `_single_tensor_adamax`): Adam with the infinity norm. u is the running
 * maximum max(β₂u, |g|+ε) — ε is added *before* the max (tfjs adds it after).
 */
export const adamax = defineStrategy({
  id: "adamax",
  name: "AdaMax",
  formula: "g ← g + λθ;  m ← β₁m + (1−β₁)g;  u ← max(β₂u, |g|+ε);  m̂ = m/(1−β₁ᵗ);  adj = γ·m̂/u",
  description:
    "Adam's variant based on the infinity norm: the scale u is a decaying maximum of |g| rather than a root-mean-square.",
  whenToUse: "When occasional large gradients make Adam's v jumpy; embeddings and sparse updates.",
  bestFor: "Problems with sparse or heavy-tailed gradients.",
  hyperparameters: {
    lr: { default: 2e-3, doc: "learning rate γ", min: 0 },
    beta1: { default: 0.9, doc: "β₁, decay of the first moment m (PyTorch betas[0]); 0 ≤ β₁ < 1", min: 0 },
    beta2: { default: 0.999, doc: "β₂, decay of the infinity norm u (PyTorch betas[1]); 0 ≤ β₂ < 1", min: 0 },
    eps: { default: 1e-8, doc: "ε added to |g| before the max", greaterThan: 0 },
    weight_decay: { default: 0, doc: "coupled L2 penalty λ", min: 0 },
  },
  state: {
    perWeight: ["exp_avg", "exp_inf"],
    // bias_correction1 = 1 − β₁ᵗ, this commit's factor (recomputed by prepare).
    global: ["bias_correction1"],
  },
  // u = max(β₂u_prev, |g|+ε); adj = LR × m̂/u
  audit: ["g+λθ", "m", "β₂u_prev", "|g|+ε", "u", "m̂", "m̂/u"],
  validate: (h) => validateBetas(h),
  prepare({ h, t, global }) {
    global.bias_correction1 = 1 - h.beta1 ** t;
  },
  step(s, from, to) {
    const { beta1, beta2, eps, weight_decay } = s.h;
    const { g: grad, theta, lr, audit } = s;
    const { exp_avg: expAvg, exp_inf: expInf } = s.w;
    const bc1 = s.global.bias_correction1;
    for (let i = from; i < to; i++) {
      const g = coupledDecay(grad, theta, i, weight_decay);
      const m = expAvg[i]! * beta1 + (1 - beta1) * g;
      expAvg[i] = m;
      const decayed = expInf[i]! * beta2;
      const magnitude = Math.abs(g) + eps;
      const u = decayed > magnitude ? decayed : magnitude;
      expInf[i] = u;
      const mHat = m / bc1;
      const direction = mHat / u;
      s.adjust(i, lr[i]! * direction);
      if (audit) {
        const o = i * 7;
        audit[o] = g;
        audit[o + 1] = m;
        audit[o + 2] = decayed;
        audit[o + 3] = magnitude;
        audit[o + 4] = u;
        audit[o + 5] = mHat;
        audit[o + 6] = direction;
      }
    }
  },
});
