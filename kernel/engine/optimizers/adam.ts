import { coupledDecay, defineStrategy, type CommitScope, type StepState } from "./strategy";

/** Hyperparameters shared by `adam` and `adamw` (PyTorch's `betas` tuple split into beta1, beta2). */
export type AdamHyper = {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weight_decay: number;
  amsgrad: boolean;
};
export type AdamWeightState = "exp_avg" | "exp_avg_sq" | "max_exp_avg_sq";
/** Per-commit factors computed once in `prepare`: 1 − β₁ᵗ and √(1 − β₂ᵗ). */
export type AdamGlobal = "bias_correction1" | "bias_correction2_sqrt";
type AdamStepState = StepState<AdamHyper, AdamWeightState, never, AdamGlobal>;

/** The audit columns written by `adamMoments`, in order. */
export const ADAM_MOMENT_AUDIT = ["m", "v", "v_max", "m̂", "v̂", "√v̂+ε", "m̂/(√v̂+ε)"] as const;

export const adamHyperparameters = (weightDecay: number, weightDecayDoc: string) =>
  ({
    lr: { default: 1e-3, doc: "learning rate γ", min: 0 },
    beta1: { default: 0.9, doc: "β₁, decay of the first moment m (PyTorch betas[0]); 0 ≤ β₁ < 1", min: 0 },
    beta2: { default: 0.999, doc: "β₂, decay of the second moment v (PyTorch betas[1]); 0 ≤ β₂ < 1", min: 0 },
    eps: { default: 1e-8, doc: "ε added to √v̂", greaterThan: 0 },
    weight_decay: { default: weightDecay, doc: weightDecayDoc, min: 0 },
    amsgrad: { default: false, doc: "AMSGrad: normalise by the running maximum of v" },
  }) as const;

export function validateBetas(h: Readonly<{ beta1: number; beta2: number }>): string | null {
  if (!(h.beta1 < 1)) return `beta1 must be < 1, got ${h.beta1}`;
  if (!(h.beta2 < 1)) return `beta2 must be < 1, got ${h.beta2}`;
  return null;
}

export function prepareAdam(scope: CommitScope<AdamHyper, AdamGlobal>): void {
  scope.global.bias_correction1 = 1 - scope.h.beta1 ** scope.t;
  scope.global.bias_correction2_sqrt = Math.sqrt(1 - scope.h.beta2 ** scope.t);
}

/**
 * The Adam moment update and normalised direction of weight i, shared by Adam and AdamW (torch 1.13
 * `_single_tensor_adam` / `_single_tensor_adamw` after their weight-decay lines): updates m, v (and
 * v_max), writes the seven ADAM_MOMENT_AUDIT columns at audit[o…o+6] (when recording) and returns
 * m̂/(√v̂+ε), so that the Adam part of the adjustment is γ · m̂/(√v̂+ε). As in PyTorch,
 * √v̂ = √v / √(1−β₂ᵗ); with amsgrad, v_max = max(v_max, v) replaces v there (v_max column = v when
 * amsgrad is off).
 */
export function adamMoments(s: AdamStepState, i: number, g: number, audit: Float64Array | null, o: number): number {
  const { beta1, beta2, eps, amsgrad } = s.h;
  const w = s.w;
  const m = w.exp_avg[i]! * beta1 + (1 - beta1) * g;
  const v = w.exp_avg_sq[i]! * beta2 + (1 - beta2) * (g * g);
  w.exp_avg[i] = m;
  w.exp_avg_sq[i] = v;
  let vUsed = v;
  if (amsgrad) {
    const previous = w.max_exp_avg_sq[i]!;
    vUsed = previous > v ? previous : v;
    w.max_exp_avg_sq[i] = vUsed;
  }
  const bc2Sqrt = s.global.bias_correction2_sqrt;
  const mHat = m / s.global.bias_correction1;
  const denom = Math.sqrt(vUsed) / bc2Sqrt + eps;
  const direction = mHat / denom;
  if (audit) {
    audit[o] = m;
    audit[o + 1] = v;
    audit[o + 2] = vUsed;
    audit[o + 3] = mHat;
    audit[o + 4] = vUsed / (bc2Sqrt * bc2Sqrt);
    audit[o + 5] = denom;
    audit[o + 6] = direction;
  }
  return direction;
}

/** torch.optim.Adam (1.13): bias-corrected moments, optional AMSGrad, coupled (L2) weight decay. */
export const adam = defineStrategy<AdamHyper, AdamWeightState, never, AdamGlobal>({
  id: "adam",
  name: "Adam",
  formula: "g ← g + λθ;  m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;  m̂ = m/(1−β₁ᵗ);  v̂ = v/(1−β₂ᵗ);  adj = γ·m̂/(√v̂+ε)",
  description:
    "Momentum (first moment m) plus RMSprop-style scaling (second moment v), both corrected for their zero start.",
  whenToUse: "The default choice for most networks; works with little tuning.",
  bestFor: "Deep and noisy problems, sparse gradients, fast first results.",
  hyperparameters: adamHyperparameters(0, "coupled L2 penalty λ (g ← g + λθ); see adamw for decoupled decay"),
  state: { perWeight: ["exp_avg", "exp_avg_sq", "max_exp_avg_sq"], global: ["bias_correction1", "bias_correction2_sqrt"] },
  // adj = LR × m̂/(√v̂+ε)
  audit: ["g+λθ", ...ADAM_MOMENT_AUDIT],
  validate: validateBetas,
  prepare: prepareAdam,
  step(s, from, to) {
    const { g: grad, theta, lr, audit } = s;
    const weightDecay = s.h.weight_decay;
    for (let i = from; i < to; i++) {
      const g = coupledDecay(grad, theta, i, weightDecay);
      const o = i * 8;
      if (audit) audit[o] = g;
      s.adjust(i, lr[i]! * adamMoments(s, i, g, audit, o + 1));
    }
  },
});
