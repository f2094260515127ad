import { ADAM_MOMENT_AUDIT, adamHyperparameters, adamMoments, prepareAdam, validateBetas } from "./adam";
import type { AdamGlobal, AdamHyper, AdamWeightState } from "./adam";
import { defineStrategy } from "./strategy";

/**
 * torch.optim.AdamW (1.13 `_single_tensor_adamw`): decoupled weight decay. PyTorch first shrinks the
 * weight, θ ← θ(1 − γλ), then takes the Adam step on the *undecayed* gradient, so
 * adjustment = γλθ + γ·m̂/(√v̂+ε). The moment math is adam.ts's `adamMoments`.
 */
export const adamw = defineStrategy<AdamHyper, AdamWeightState, never, AdamGlobal>({
  id: "adamw",
  name: "AdamW",
  formula: "θ ← θ(1 − γλ);  m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;  m̂ = m/(1−β₁ᵗ);  v̂ = v/(1−β₂ᵗ);  adj = γλθ + γ·m̂/(√v̂+ε)",
  description:
    "Adam with decoupled weight decay: the weight shrinks by a fixed fraction γλ each step, independently of the gradient scaling.",
  whenToUse: "Adam with regularisation: weight decay behaves as intended instead of being rescaled by v.",
  bestFor: "Large models and transformers; Adam whenever you want weight decay.",
  hyperparameters: adamHyperparameters(1e-2, "decoupled weight decay λ (θ ← θ(1 − γλ) before the Adam step)"),
  state: { perWeight: ["exp_avg", "exp_avg_sq", "max_exp_avg_sq"], global: ["bias_correction1", "bias_correction2_sqrt"] },
  // adj = γλθ + LR × m̂/(√v̂+ε)
  audit: ["γλθ", ...ADAM_MOMENT_AUDIT],
  validate: validateBetas,
  prepare: prepareAdam,
  step(s, from, to) {
    const { g: grad, theta, lr, audit } = s;
    const weightDecay = s.h.weight_decay;
    for (let i = from; i < to; i++) {
      const rate = lr[i]!;
      const decay = rate * weightDecay * theta[i]!;
      const o = i * 8;
      if (audit) audit[o] = decay;
      s.adjust(i, decay + rate * adamMoments(s, i, grad[i]!, audit, o + 1));
    }
  },
});
