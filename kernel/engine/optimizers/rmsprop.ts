import { coupledDecay, defineStrategy } from "./strategy";

/**
 * torch.optim.RMSprop (1.13 `_single_tensor_rmsprop`): a running average v of g², optionally centered
 * (subtract the square of a running average ḡ of g) and with a momentum buffer. ε is added outside the
 * square root, as in PyTorch (TensorFlow/tfjs add it inside).
 */
export const rmsprop = defineStrategy({
  id: "rmsprop",
  name: "RMSprop",
  formula: "g ← g + λθ;  v ← αv + (1−α)g²;  ḡ ← αḡ + (1−α)g (centered);  ṽ = v − ḡ²;  b ← μb + g/(√ṽ+ε);  adj = γ·(μ>0 ? b : g/(√ṽ+ε))",
  description:
    "Divides each gradient by a running root-mean-square of its recent values, so every weight moves at a similar pace whatever its gradient scale.",
  whenToUse: "Non-stationary problems and recurrent networks; when gradient scales differ a lot between weights.",
  bestFor: "Online and mini-batch training where the loss surface changes as training goes on.",
  hyperparameters: {
    lr: { default: 1e-2, doc: "learning rate γ", min: 0 },
    alpha: { default: 0.99, doc: "smoothing constant α of the running averages", min: 0, max: 1 },
    eps: { default: 1e-8, doc: "ε added to √ṽ (outside the square root)", greaterThan: 0 },
    weight_decay: { default: 0, doc: "coupled L2 penalty λ", min: 0 },
    momentum: { default: 0, doc: "momentum factor μ", min: 0 },
    centered: { default: false, doc: "normalise by the estimated variance v − ḡ² instead of v" },
  },
  state: { perWeight: ["square_avg", "grad_avg", "momentum_buffer"] },
  // ḡ is 0 and ṽ = v when not centered; b is 0 when μ = 0. adj = LR × direction.
  audit: ["g+λθ", "v", "ḡ", "ṽ", "√ṽ+ε", "g/(√ṽ+ε)", "b", "direction"],
  // Per-weight state only, no timestep: a reset weight needs no cohort of its own.
  readsTimestep: () => false,
  step(s, from, to) {
    const { alpha, eps, weight_decay, momentum, centered } = s.h;
    const { g: grad, theta, lr, audit } = s;
    const { square_avg: squareAvg, grad_avg: gradAvg, momentum_buffer: buf } = s.w;
    for (let i = from; i < to; i++) {
      const g = coupledDecay(grad, theta, i, weight_decay);
      const v = squareAvg[i]! * alpha + (1 - alpha) * (g * g);
      squareAvg[i] = v;
      let gAvg = 0;
      let vTilde = v;
      if (centered) {
        gAvg = gradAvg[i]! * alpha + (1 - alpha) * g;
        gradAvg[i] = gAvg;
        vTilde = v - gAvg * gAvg;
      }
      const denom = Math.sqrt(vTilde) + eps;
      const scaled = g / denom;
      let b = 0;
      let direction = scaled;
      if (momentum > 0) {
        b = buf[i]! * momentum + scaled;
        buf[i] = b;
        direction = b;
      }
      s.adjust(i, lr[i]! * direction);
      if (audit) {
        const o = i * 8;
        audit[o] = g;
        audit[o + 1] = v;
        audit[o + 2] = gAvg;
        audit[o + 3] = vTilde;
        audit[o + 4] = denom;
        audit[o + 5] = scaled;
        audit[o + 6] = b;
        audit[o + 7] = direction;
      }
    }
  },
});
