import { coupledDecay, defineStrategy } from "./strategy";

/** torch.optim.SGD (1.13): momentum, dampening, Nesterov, coupled weight decay. */
export const sgd = defineStrategy({
  id: "sgd",
  name: "SGD",
  formula: "g ← g + λθ;  b ← μ·b + (1−τ)·g;  adj = γ·(nesterov ? g + μ·b : b)",
  description:
    "Stochastic gradient descent: step against the batch-average gradient, optionally with a momentum buffer.",
  whenToUse: "The baseline. Start here to see the raw gradient move the weights.",
  bestFor: "Teaching, convex problems, and well-tuned schedules on large models.",
  hyperparameters: {
    lr: { default: undefined as number | undefined, doc: "learning rate γ (required, as in PyTorch)", min: 0 },
    momentum: { default: 0, doc: "momentum factor μ", min: 0 },
    dampening: { default: 0, doc: "dampening τ for momentum", min: 0, max: 1 },
    weight_decay: { default: 0, doc: "coupled L2 penalty λ", min: 0 },
    nesterov: { default: false, doc: "Nesterov momentum (needs μ > 0 and τ = 0)" },
  },
  state: { perWeight: ["momentum_buffer"] },
  audit: ["g+λθ", "b", "direction"],
  validate: (h) =>
    h.nesterov && (h.momentum <= 0 || h.dampening !== 0)
      ? "nesterov needs momentum > 0 and dampening = 0"
      : null,
  step(s, out, o) {
    const { momentum, dampening, weight_decay, nesterov } = s.h;
    const g = coupledDecay(s.g, s.theta, weight_decay);
    let direction = g;
    let b = 0;
    if (momentum !== 0) {
      const buf = s.w.momentum_buffer;
      // PyTorch starts the buffer at the first gradient (no dampening on the first step).
      b = s.t === 1 ? g : momentum * buf[s.i]! + (1 - dampening) * g;
      buf[s.i] = b;
      direction = nesterov ? g + momentum * b : b;
    }
    out[o] = g;
    out[o + 1] = b;
    out[o + 2] = direction;
    return s.lr * direction;
  },
});
