import { coupledDecay, defineStrategy } from "./strategy";

/**
 * MagDetox — NeuroForge's own stateless sign descent (signSGD, Bernstein et al. 2018):
 *
 *   adj = α · sign(g + λθ),  α = the weight's rate (lr × schedule): the "Fixed Base α"
 *
 * The gradient's magnitude is removed ("detoxed"); only its direction is used. Every weight with a
 * non-zero gradient moves by exactly α, so exploding or vanishing gradient magnitudes cannot make a
 * step huge or tiny. sign(0) = 0: a weight with no gradient does not move. See docs/optimizers.md.
 */
export const magdetox = defineStrategy({
  id: "magdetox",
  name: "MagDetox",
  formula: "g ← g + λθ;  adj = α·sign(g)",
  description:
    "Sign descent: every weight steps by the same fixed amount α in the direction that lowers the loss; the gradient's magnitude is ignored.",
  whenToUse: "When gradient magnitudes are unreliable (exploding/vanishing) or to show how much the magnitude matters.",
  bestFor: "Teaching the difference between direction and size of a gradient; robust coarse training.",
  hyperparameters: {
    lr: { default: 1e-2, doc: "step size α: every weight moves by exactly α per commit", min: 0 },
    weight_decay: { default: 0, doc: "coupled L2 penalty λ (applied before the sign)", min: 0 },
  },
  // adj = Fixed Base α × sign(g)
  audit: ["g+λθ", "sign(g)", "Fixed Base α"],
  // Per-weight state only, no timestep: a reset weight needs no cohort of its own.
  readsTimestep: () => false,
  step(s, from, to) {
    const { g: grad, theta, lr, audit } = s;
    const weightDecay = s.h.weight_decay;
    for (let i = from; i < to; i++) {
      const g = coupledDecay(grad, theta, i, weightDecay);
      const sign = Math.sign(g);
      const alpha = lr[i]!;
      s.adjust(i, alpha * sign);
      if (audit) {
        const o = i * 3;
        audit[o] = g;
        audit[o + 1] = sign;
        audit[o + 2] = alpha;
      }
    }
  },
});
