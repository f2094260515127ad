import { test } from "node:test";
import assert from "node:assert/strict";
import { scheduledRate, scheduleFactor } from "../../kernel/engine/schedules";

// Expected values are written out from torch.optim.lr_scheduler's documented closed forms with the
// numbers substituted by hand, independent of the code under test.
const close = (a: number, b: number) => assert.ok(Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b)), `${a} vs ${b}`);

test("StepLR: γ·decay^⌊epoch/step⌋", () => {
  const spec = { name: "step", step_size: 3, gamma: 0.5 } as const;
  const expected = [0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025];
  expected.forEach((lr, epoch) => close(scheduledRate(spec, 0.1, 1, epoch), lr));
});

test("ExponentialLR: γ·decay^epoch, per step when asked", () => {
  close(scheduledRate({ name: "exponential", gamma: 0.9 }, 0.2, 1, 3), 0.2 * 0.729);
  close(scheduledRate({ name: "exponential", gamma: 0.9, per: "step" }, 0.2, 3, 0), 0.2 * 0.81);
});

test("CosineAnnealingLR: η_min + ½(γ−η_min)(1+cos(πk/T))", () => {
  const spec = { name: "cosine", t_max: 4, min_lr: 0.01 } as const;
  close(scheduledRate(spec, 0.11, 1, 0), 0.11);
  close(scheduledRate(spec, 0.11, 1, 1), 0.01 + 0.05 * (1 + Math.SQRT1_2));
  close(scheduledRate(spec, 0.11, 1, 2), 0.06);
  close(scheduledRate(spec, 0.11, 1, 4), 0.01);
  close(scheduledRate(spec, 0.11, 1, 9), 0.01); // held at η_min after T_max (documented choice)
});

test("OneCycleLR: initial = max/25, cos up to max over 30%, cos down to initial/1e4", () => {
  const spec = { name: "onecycle", max_lr: 1, total_steps: 11 } as const;
  // warm phase ends at step 0.3·11 − 1 = 2.3; last step index 10.
  close(scheduledRate(spec, 1, 1, 0), 0.04); // k = 0: initial lr
  const pctUp = 1 / 2.3;
  close(scheduledRate(spec, 1, 2, 0), 1 + ((0.04 - 1) / 2) * (Math.cos(Math.PI * pctUp) + 1));
  close(scheduledRate(spec, 1, 11, 0), 0.04 / 1e4); // k = 10: final lr
  const pctDown = (5 - 2.3) / (10 - 2.3);
  close(scheduledRate(spec, 1, 6, 0), 4e-6 + ((1 - 4e-6) / 2) * (Math.cos(Math.PI * pctDown) + 1));
});

test("linear warmup multiplies by min(1, t/warmup); factor is relative to the base rate", () => {
  const f = scheduleFactor({ name: "constant" }, 0.5, 4);
  assert.deepEqual([1, 2, 3, 4, 5].map((t) => f(t, 0)), [0.25, 0.5, 0.75, 1, 1]);
  assert.throws(() => scheduleFactor({ name: "constant" }, 0), /lr > 0/);
});
