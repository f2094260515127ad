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
  step(s, out, o) {
    const g = coupledDecay(s.g, s.theta, s.h.weight_decay);
    const sign = Math.sign(g);
    out[o] = g;
    out[o + 1] = sign;
    out[o + 2] = s.lr;
    return s.lr * sign;
  },
});
