import { SGD_AUDIT, sgdFormula, sgdKernel, sgdStep, validateSgd, type SgdHyper } from "./sgd";
import { defineStrategy } from "./strategy";

/**
 * SGD with momentum on by default (μ = 0.9, the usual teaching value). The same math as `sgd`
 * (torch.optim.SGD 1.13); only the default of `momentum` differs, and μ must be > 0.
 */
export const momentum = defineStrategy<SgdHyper, "momentum_buffer">({
  id: "momentum",
  name: "Momentum",
  formula: sgdFormula,
  description:
    "SGD with a momentum buffer b: each step keeps a fraction μ of the previous direction, so steady gradients accelerate and noisy ones cancel.",
  whenToUse: "When plain SGD zig-zags across a ravine or crawls along a shallow slope.",
  bestFor: "Ill-conditioned problems; the classic way to speed up SGD without adaptive rates.",
  hyperparameters: {
    lr: { default: undefined, doc: "learning rate γ (required, as in PyTorch's SGD)", min: 0 },
    momentum: { default: 0.9, doc: "momentum factor μ (> 0)", greaterThan: 0 },
    dampening: { default: 0, doc: "dampening τ for momentum", min: 0, max: 1 },
    weight_decay: { default: 0, doc: "coupled L2 penalty λ", min: 0 },
    nesterov: { default: false, doc: "Nesterov momentum (needs τ = 0)" },
  },
  state: { perWeight: ["momentum_buffer"] },
  audit: SGD_AUDIT,
  validate: validateSgd,
  step: sgdStep,
  kernel: sgdKernel,
});
