import { coupledDecay, defineStrategy } from "./strategy";

/**
 * Simplex — NeuroForge's own per-weight adaptive learning rate, in the delta-bar-delta family
 * (Jacobs 1988). Each weight keeps its own rate (the seed's `learning_rates[]`) and its previous
 * gradient. Every commit:
 *
 *   g ← g + λθ
 *   rate ← clamp(rate × increase)   when g·g_prev > 0  (same direction again: speed up)
 *   rate ← clamp(rate × decrease)   when g·g_prev < 0  (direction flipped: we overshot, slow down)
 *   rate unchanged                  when g·g_prev = 0  (first step, or a zero gradient)
 *   adj = rate × g,  g_prev ← g,   clamp = to [min_lr, max_lr]
 *
 * The rate is initialised lazily on a weight's first step from the framework's rate for it (lr × any
 * schedule factor at that commit); from then on it evolves on its own — the rule *is* the schedule.
 * A stored rate of 0 means "not started yet" (min_lr > 0, so a live rate is never 0), which also makes
 * a weight reset by the lifecycle start over from the current rate.
 *
 * Differences from Jacobs: the comparison is with the previous gradient rather than an exponential
 * average δ̄ (Jacobs's θ = 0), and the increase is multiplicative like the decrease (as in Silva &
 * Almeida 1990 and Rprop's 1.2/0.5), so the rule is scale-free. The sign test avoids underflow of g·g_prev.
 * See docs/optimizers.md.
 */
export const simplex = defineStrategy({
  id: "simplex",
  name: "Simplex",
  formula: "g ← g + λθ;  rate ← clamp(rate × (g·g_prev > 0 ? ↑ : g·g_prev < 0 ? ↓ : 1));  adj = rate·g",
  description:
    "Each weight has its own learning rate: it grows while the gradient keeps its sign and shrinks when the sign flips (delta-bar-delta).",
  whenToUse: "To watch per-weight learning rates adapt; when one global rate is too fast for some weights and too slow for others.",
  bestFor: "Small full-batch problems and teaching: the 'Lrn Rt' column shows each weight's rate at work.",
  hyperparameters: {
    lr: { default: 1e-2, doc: "starting rate of every weight (must lie in [min_lr, max_lr])", min: 0 },
    increase: { default: 1.2, doc: "factor on a weight's rate when its gradient keeps its sign (≥ 1)", min: 1 },
    decrease: { default: 0.5, doc: "factor on a weight's rate when its gradient flips sign (0 < ↓ ≤ 1)", greaterThan: 0, max: 1 },
    min_lr: { default: 1e-6, doc: "smallest per-weight rate (> 0)", greaterThan: 0 },
    max_lr: { default: 1, doc: "largest per-weight rate", greaterThan: 0 },
    weight_decay: { default: 0, doc: "coupled L2 penalty λ", min: 0 },
  },
  state: { perWeight: ["rate", "prev_grad"] },
  // adj = Lrn Rt × (g+λθ); factor is ↑, ↓ or 1 by sign(g·g_prev)
  audit: ["g+λθ", "g_prev", "sign(g·g_prev)", "factor", "Lrn Rt"],
  validate: (h) => {
    if (h.min_lr > h.max_lr) return `min_lr (${h.min_lr}) must be ≤ max_lr (${h.max_lr})`;
    if (h.lr < h.min_lr || h.lr > h.max_lr) {
      return `lr (${h.lr}) must lie in [min_lr, max_lr] = [${h.min_lr}, ${h.max_lr}]`;
    }
    return null;
  },
  // Per-weight state only, no timestep: a reset weight needs no cohort of its own.
  readsTimestep: () => false,
  step(s, from, to) {
    const { increase, decrease, min_lr, max_lr, weight_decay } = s.h;
    const { g: grad, theta, lr, audit } = s;
    const { rate: rates, prev_grad: prevGrad } = s.w;
    for (let i = from; i < to; i++) {
      const g = coupledDecay(grad, theta, i, weight_decay);
      const previous = prevGrad[i]!;
      let rate = rates[i]!;
      if (rate === 0) rate = lr[i]!; // this weight's first step
      const agreement = g > 0 ? (previous > 0 ? 1 : previous < 0 ? -1 : 0) : g < 0 ? (previous < 0 ? 1 : previous > 0 ? -1 : 0) : 0;
      const factor = agreement > 0 ? increase : agreement < 0 ? decrease : 1;
      rate *= factor;
      rate = rate < min_lr ? min_lr : rate > max_lr ? max_lr : rate;
      rates[i] = rate;
      prevGrad[i] = g;
      s.adjust(i, rate * g);
      if (audit) {
        const o = i * 5;
        audit[o] = g;
        audit[o + 1] = previous;
        audit[o + 2] = agreement;
        audit[o + 3] = factor;
        audit[o + 4] = rate;
      }
    }
  },
});
