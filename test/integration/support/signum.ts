/**
 * Signum (sign descent on a momentum average; Bernstein et al. 2018) as a user writes it: the text of a
 * notebook cell's or a module's declaration (test/integration/custom-strategy.test.ts,
 * kernel-strategy.test.ts). `signumModule` is that declaration as a module for `verify --strategy`.
 */
export const SIGNUM = `const signum = defineStrategy<{ lr: number; beta: number }, "m">({
  id: "signum",
  name: "Signum",
  formula: "m ← βm + (1−β)g;  adj = γ·sign(m)",
  description: "Sign descent on a momentum average.",
  whenToUse: "Noisy gradients of very different scales.",
  bestFor: "Teaching: the direction alone trains a network.",
  hyperparameters: {
    lr: { default: 0.01, doc: "step size γ", min: 0 },
    beta: { default: 0.9, doc: "momentum β", min: 0, max: 0.999 },
  },
  state: { perWeight: ["m"] },
  audit: ["m", "sign(m)"],
  step(s, from, to) {
    const beta = s.h.beta;
    for (let i = from; i < to; i++) {
      const m = beta * s.w.m[i]! + (1 - beta) * s.g[i]!;
      s.w.m[i] = m;
      const sign = m > 0 ? 1 : m < 0 ? -1 : 0;
      if (s.audit) {
        s.audit[2 * i] = m;
        s.audit[2 * i + 1] = sign;
      }
      s.adjust(i, s.lr[i]! * sign);
    }
  },
});`;

export const signumModule = (declaration = SIGNUM): string => `import { defineStrategy } from "neuroforge";\n\nexport ${declaration}\n`;
