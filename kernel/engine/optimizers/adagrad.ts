import { coupledDecay, defineStrategy } from "./strategy";

/**
 * torch.optim.Adagrad (1.13 `_single_tensor_adagrad`, dense gradients): the sum G of all squared
 * gradients so far (starting at initial_accumulator_value) divides the step; the rate decays as
 * γ̃ = γ/(1 + (t−1)η).
 */
export const adagrad = defineStrategy({
  id: "adagrad",
  name: "AdaGrad",
  formula: "g ← g + λθ;  γ̃ = γ/(1 + (t−1)η);  G ← G + g²;  adj = γ̃·g/(√G+ε)",
  description:
    "Per-weight rates that shrink with the total squared gradient each weight has seen: often-updated weights slow down, rare ones keep moving.",
  whenToUse: "Sparse features, convex problems; short runs (the rate only ever decreases).",
  bestFor: "Sparse data such as bag-of-words or one-hot inputs.",
  hyperparameters: {
    lr: { default: 1e-2, doc: "learning rate γ", min: 0 },
    lr_decay: { default: 0, doc: "learning-rate decay η: γ̃ = γ/(1 + (t−1)η)", min: 0 },
    weight_decay: { default: 0, doc: "coupled L2 penalty λ", min: 0 },
    initial_accumulator_value: { default: 0, doc: "starting value of the accumulator G", min: 0 },
    eps: { default: 1e-10, doc: "ε added to √G", greaterThan: 0 },
  },
  state: {
    perWeight: ["sum"],
    // lr_divisor = 1 + (t−1)η, this commit's factor (recomputed by prepare).
    global: ["lr_divisor"],
    initial: (h) => ({ sum: h.initial_accumulator_value }),
  },
  // adj = γ̃ × g/(√G+ε), with γ̃ = LR/(1 + (t−1)η)
  audit: ["g+λθ", "G", "√G+ε", "g/(√G+ε)", "γ̃"],
  prepare({ h, t, global }) {
    global.lr_divisor = 1 + (t - 1) * h.lr_decay;
  },
  step(s, from, to) {
    const { g: grad, theta, lr, audit } = s;
    const { weight_decay: weightDecay, eps } = s.h;
    const sums = s.w.sum;
    const divisor = s.global.lr_divisor;
    for (let i = from; i < to; i++) {
      const g = coupledDecay(grad, theta, i, weightDecay);
      const sum = sums[i]! + g * g;
      sums[i] = sum;
      const std = Math.sqrt(sum) + eps;
      const scaled = g / std;
      const clr = lr[i]! / divisor;
      s.adjust(i, clr * scaled);
      if (audit) {
        const o = i * 5;
        audit[o] = g;
        audit[o + 1] = sum;
        audit[o + 2] = std;
        audit[o + 3] = scaled;
        audit[o + 4] = clr;
      }
    }
  },
});
