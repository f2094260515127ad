import { coupledDecay, defineStrategy } from "./strategy";

/**
 * torch.optim.Adadelta (1.13 `_single_tensor_adadelta`): the step is g scaled by RMS(past steps) /
 * RMS(gradients), using the *new* v and the *previous* u. Defaults lr = 1.0, ρ = 0.9, ε = 1e-6
 * (tfjs differs: lr 0.001, ρ 0.95).
 */
export const adadelta = defineStrategy({
  id: "adadelta",
  name: "Adadelta",
  formula: "g ← g + λθ;  v ← ρv + (1−ρ)g²;  Δ = √(u+ε)/√(v+ε)·g;  u ← ρu + (1−ρ)Δ²;  adj = γ·Δ",
  description:
    "Scales each step by the ratio of recent step sizes to recent gradient sizes, so the units of the update match the units of the weight.",
  whenToUse: "When you do not want to tune a learning rate (lr = 1 is the intended setting).",
  bestFor: "Problems where AdaGrad's rates decay too fast.",
  hyperparameters: {
    lr: { default: 1.0, doc: "coefficient γ that scales Δ", min: 0 },
    rho: { default: 0.9, doc: "decay ρ of the running averages", min: 0, max: 1 },
    eps: { default: 1e-6, doc: "ε inside both square roots", greaterThan: 0 },
    weight_decay: { default: 0, doc: "coupled L2 penalty λ", min: 0 },
  },
  state: { perWeight: ["square_avg", "acc_delta"] },
  // u_prev is the previous commit's u; adj = LR × Δ
  audit: ["g+λθ", "v", "√(v+ε)", "√(u_prev+ε)", "Δ", "u"],
  // Per-weight state only, no timestep: a reset weight needs no cohort of its own.
  readsTimestep: () => false,
  step(s, from, to) {
    const { rho, eps, weight_decay } = s.h;
    const { g: grad, theta, lr, audit } = s;
    const { square_avg: squareAvg, acc_delta: accDelta } = s.w;
    for (let i = from; i < to; i++) {
      const g = coupledDecay(grad, theta, i, weight_decay);
      const v = squareAvg[i]! * rho + (1 - rho) * (g * g);
      squareAvg[i] = v;
      const std = Math.sqrt(v + eps);
      const rmsDelta = Math.sqrt(accDelta[i]! + eps);
      const delta = (rmsDelta / std) * g;
      const u = accDelta[i]! * rho + (1 - rho) * (delta * delta);
      accDelta[i] = u;
      s.adjust(i, lr[i]! * delta);
      if (audit) {
        const o = i * 6;
        audit[o] = g;
        audit[o + 1] = v;
        audit[o + 2] = std;
        audit[o + 3] = rmsDelta;
        audit[o + 4] = delta;
        audit[o + 5] = u;
      }
    }
  },
});
