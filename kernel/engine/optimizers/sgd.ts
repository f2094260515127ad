import { coupledDecay, defineStrategy, type KernelCall, type StepState } from "./strategy";

/** Hyperparameters shared by `sgd` and `momentum` (torch.optim.SGD's arguments). */
export type SgdHyper = {
  lr: number;
  momentum: number;
  dampening: number;
  weight_decay: number;
  nesterov: boolean;
};

export const SGD_AUDIT = ["g+λθ", "b", "direction"] as const;

export const sgdFormula = "g ← g + λθ;  b ← μ·b + (1−τ)·g;  adj = γ·(nesterov ? g + μ·b : b)";

export function validateSgd(h: Readonly<SgdHyper>): string | null {
  return h.nesterov && (h.momentum <= 0 || h.dampening !== 0)
    ? "nesterov needs momentum > 0 and dampening = 0"
    : null;
}

/**
 * The SGD step shared by `sgd` and `momentum` (torch 1.13 `_single_tensor_sgd`).
 * Audit: g+λθ, b (momentum buffer, 0 when μ = 0), direction; adjustment = γ · direction.
 */
export function sgdStep(s: StepState<SgdHyper, "momentum_buffer", never, never>, from: number, to: number): void {
  const { momentum, dampening, weight_decay, nesterov } = s.h;
  const { g: grad, theta, lr, audit } = s;
  const buf = s.w.momentum_buffer;
  // PyTorch starts the buffer at the first gradient (no dampening on the first step).
  const first = s.t === 1;
  for (let i = from; i < to; i++) {
    const g = coupledDecay(grad, theta, i, weight_decay);
    let direction = g;
    let b = 0;
    if (momentum !== 0) {
      b = first ? g : momentum * buf[i]! + (1 - dampening) * g;
      buf[i] = b;
      direction = nesterov ? g + momentum * b : b;
    }
    s.adjust(i, lr[i]! * direction);
    if (audit) {
      const o = i * 3;
      audit[o] = g;
      audit[o + 1] = b;
      audit[o + 2] = direction;
    }
  }
}

/** sgdStep as the `sgd` WebAssembly kernel (no audit values). */
export function sgdKernel(k: KernelCall<SgdHyper, "momentum_buffer">, from: number, to: number): boolean {
  const { momentum, dampening, weight_decay, nesterov } = k.h;
  return k.kernels.sgd(k.theta, k.g, k.lr, k.adjustment, k.w.momentum_buffer, from, to, momentum, dampening, weight_decay, nesterov ? 1 : 0, k.t === 1 ? 1 : 0) !== 0;
}

/** torch.optim.SGD (1.13): momentum, dampening, Nesterov, coupled weight decay. */
export const sgd = defineStrategy<SgdHyper, "momentum_buffer">({
  id: "sgd",
  name: "SGD",
  formula: sgdFormula,
  description:
    "Stochastic gradient descent: step against the batch-average gradient, optionally with a momentum buffer.",
  whenToUse: "The baseline. Start here to see the raw gradient move the weights.",
  bestFor: "Teaching, convex problems, and well-tuned schedules on large models.",
  hyperparameters: {
    lr: { default: undefined, doc: "learning rate γ (required, as in PyTorch)", min: 0 },
    momentum: { default: 0, doc: "momentum factor μ", min: 0 },
    dampening: { default: 0, doc: "dampening τ for momentum", min: 0, max: 1 },
    weight_decay: { default: 0, doc: "coupled L2 penalty λ", min: 0 },
    nesterov: { default: false, doc: "Nesterov momentum (needs μ > 0 and τ = 0)" },
  },
  state: { perWeight: ["momentum_buffer"] },
  audit: SGD_AUDIT,
  validate: validateSgd,
  // Only the momentum buffer's first step (t = 1) depends on t.
  readsTimestep: (h) => h.momentum !== 0,
  step: sgdStep,
  kernel: sgdKernel,
});
