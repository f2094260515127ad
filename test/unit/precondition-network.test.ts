import assert from "node:assert/strict";
import { test } from "node:test";
import type { ActivationName } from "../../kernel/engine/activations";
import { BlameStep } from "../../kernel/engine/blame";
import { losses, type LossName } from "../../kernel/engine/losses";
import { Rng } from "../../kernel/engine/math/rng";
import { Model } from "../../kernel/engine/model";
import { empiricalFisher, hutchinsonDiag } from "../../kernel/engine/precondition/curvature";
import { hvpFiniteDifference } from "../../kernel/engine/precondition/hvp";
import { NetworkObjective, type SampleSource } from "../../kernel/engine/precondition/network";

/** A small seeded network and data set: inputs 3, hidden `hidden`, outputs `outputs` with `out`. */
function setup(hidden: ActivationName, out: ActivationName, lossName: LossName, outputs = 2, samples = 5) {
  const model = new Model({ inputs: 3, layers: [{ units: 4, activation: hidden }, { units: outputs, activation: out }] });
  model.initialize({ name: "xavier_uniform" }, 11);
  const rng = new Rng(7);
  // Biases away from 0 so no ReLU sits on its kink.
  for (let i = 0; i < model.weightCount; i++) model.params[i] = model.params[i]! + rng.uniform(-0.3, 0.3);
  const inputs = Float64Array.from({ length: samples * 3 }, () => rng.uniform(-1.5, 1.5));
  const targets = new Float64Array(samples * outputs);
  for (let k = 0; k < samples; k++) {
    if (lossName === "cce") targets[k * outputs + (k % outputs)] = 1;
    else if (lossName === "bce") for (let j = 0; j < outputs; j++) targets[k * outputs + j] = rng.next() < 0.5 ? 0 : 1;
    else for (let j = 0; j < outputs; j++) targets[k * outputs + j] = rng.uniform(-0.8, 0.8);
  }
  const data: SampleSource = { inputs, targets, inputSize: 3, targetSize: outputs };
  const indices = Int32Array.from({ length: samples }, (_, k) => k);
  const objective = new NetworkObjective(model, losses[lossName], data, indices);
  return { model, data, indices, objective, theta: Float64Array.from(model.params) };
}

const cases: [ActivationName, ActivationName, LossName][] = [
  ["sigmoid", "linear", "mse"],
  ["tanh", "linear", "huber"],
  ["relu", "linear", "mae"],
  ["leaky_relu", "sigmoid", "bce"],
  ["linear", "tanh", "mse"],
  ["tanh", "softmax", "cce"],
  ["sigmoid", "softmax", "mse"],
  ["relu", "relu", "huber"],
];

test("network objective: its gradient is the trainer's blame bank / n (the engine's own Blame step)", () => {
  for (const [hidden, out, lossName] of cases) {
    const { model, data, indices, objective, theta } = setup(hidden, out, lossName);
    const blame = new BlameStep(model, losses[lossName]);
    const bank = model.arena.alloc(model.weightCount);
    const target = new Float64Array(model.outputs);
    let lossSum = 0;
    for (const k of indices) {
      model.predict(data.inputs, k * 3);
      lossSum += blame.run(data.targets, k * data.targetSize, target, bank);
    }
    const g = new Float64Array(objective.dim);
    const loss = objective.grad(theta, g);
    assert.ok(Math.abs(loss - lossSum / indices.length) <= 1e-14 * Math.abs(loss), `${hidden}/${out}/${lossName} loss`);
    for (let i = 0; i < g.length; i++) {
      const expected = bank[i]! / indices.length;
      assert.ok(Math.abs(g[i]! - expected) <= 1e-13 * (1 + Math.abs(expected)), `${hidden}/${out}/${lossName} g[${i}]: ${g[i]} vs ${expected}`);
    }
  }
});

test("network HVPs (R-operator) match central differences of the gradient, for every activation and loss", () => {
  for (const [hidden, out, lossName] of cases) {
    const { objective, theta } = setup(hidden, out, lossName);
    const rng = new Rng(3);
    const v = Float64Array.from({ length: objective.dim }, () => rng.normal());
    const exact = new Float64Array(objective.dim);
    const fd = new Float64Array(objective.dim);
    objective.hvp(theta, v, exact);
    hvpFiniteDifference(objective, theta, v, fd, 1e-6);
    const scale = exact.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
    assert.ok(scale > 0, `${hidden}/${out}/${lossName}: H·v is not all zero`);
    for (let i = 0; i < objective.dim; i++) {
      assert.ok(Math.abs(fd[i]! - exact[i]!) <= 1e-6 * scale, `${hidden}/${out}/${lossName} Hv[${i}]: exact ${exact[i]} vs finite differences ${fd[i]}`);
    }
  }
});

/** J (outputs × D) of the engine Model's output `which` (pre-activation z or activation a) by central differences. */
function jacobianByDifferences(model: Model, data: SampleSource, k: number, which: "z" | "a"): Float64Array[] {
  const D = model.weightCount;
  const m = model.outputs;
  const L = model.layers.length - 1;
  const J = Array.from({ length: m }, () => new Float64Array(D));
  const theta = Float64Array.from(model.params);
  const h = 1e-6;
  for (let i = 0; i < D; i++) {
    model.params[i] = theta[i]! + h;
    model.predict(data.inputs, k * data.inputSize);
    const plus = Float64Array.from(model[which][L]!);
    model.params[i] = theta[i]! - h;
    model.predict(data.inputs, k * data.inputSize);
    const minus = model[which][L]!;
    for (let j = 0; j < m; j++) J[j]![i] = (plus[j]! - minus[j]!) / (2 * h);
    model.params[i] = theta[i]!;
  }
  model.predict(data.inputs, k * data.inputSize);
  return J;
}

test("Gauss–Newton diagonal = brute-force diag(Jᵀ H_out J) for MSE (linear output), sigmoid BCE and softmax cross-entropy", () => {
  for (const [lossName, out] of [["mse", "linear"], ["bce", "sigmoid"], ["cce", "softmax"]] as const) {
    const { model, data, indices, objective, theta } = setup("tanh", out, lossName, 3, 4);
    const D = objective.dim;
    const m = model.outputs;
    const expected = new Float64Array(D);
    for (const k of indices) {
      // MSE: ℓ = (1/m)‖a − y‖², H_out = (2/m)·I in the outputs a; BCE after a sigmoid: H_out = diag(p(1−p))/m in z;
      // CCE: H_out = Σy(diag p − ppᵀ) in the logits z.
      const J = jacobianByDifferences(model, data, k, lossName === "mse" ? "a" : "z");
      const p = model.a[model.layers.length - 1]!;
      const sumY = Array.from({ length: m }, (_, j) => data.targets[k * m + j]!).reduce((s, v) => s + v, 0);
      const H = (i: number, j: number) =>
        lossName === "mse" ? (i === j ? 2 / m : 0) : lossName === "bce" ? (i === j ? (p[i]! * (1 - p[i]!)) / m : 0) : sumY * ((i === j ? p[i]! : 0) - p[i]! * p[j]!);
      for (let q = 0; q < D; q++) {
        let s = 0;
        for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) s += J[i]![q]! * H(i, j) * J[j]![q]!;
        expected[q] = expected[q]! + s / indices.length;
      }
    }
    const gn = new Float64Array(D);
    objective.gaussNewtonDiag(theta, gn);
    const scale = expected.reduce((mx, v) => Math.max(mx, Math.abs(v)), 0);
    for (let q = 0; q < D; q++) assert.ok(Math.abs(gn[q]! - expected[q]!) <= 1e-7 * scale, `${lossName} GN[${q}]: ${gn[q]} vs ${expected[q]}`);
    // The last layer's weights enter z linearly: there GN is the exact Hessian diagonal (the R-operator's).
    const exact = new Float64Array(D);
    objective.hessianDiag(theta, exact);
    const last = model.outputLayer;
    for (let q = last.offset; q < D; q++) assert.ok(Math.abs(gn[q]! - exact[q]!) <= 1e-12 * scale, `${lossName} output-layer GN[${q}] = H[${q}][${q}]`);
  }
});

test("per-sample gradients average to the gradient; the empirical Fisher is their mean square", () => {
  const { objective, theta, indices } = setup("sigmoid", "softmax", "cce", 3, 6);
  const D = objective.dim;
  const g = new Float64Array(D);
  objective.grad(theta, g);
  const mean = new Float64Array(D);
  const square = new Float64Array(D);
  const gk = new Float64Array(D);
  for (let k = 0; k < indices.length; k++) {
    objective.samples.grad(theta, k, gk);
    for (let i = 0; i < D; i++) {
      mean[i] = mean[i]! + gk[i]! / indices.length;
      square[i] = square[i]! + (gk[i]! * gk[i]!) / indices.length;
    }
  }
  const fisher = new Float64Array(D);
  empiricalFisher(objective, theta, fisher);
  for (let i = 0; i < D; i++) {
    assert.ok(Math.abs(mean[i]! - g[i]!) <= 1e-15 + 1e-12 * Math.abs(g[i]!), `mean per-sample gradient [${i}]`);
    assert.ok(Math.abs(fisher[i]! - square[i]!) <= 1e-12 * square[i]!, `Fisher [${i}]`);
  }
});

test("Hutchinson on a network converges to the exact diag(H) (HVPs against unit vectors), within its variance", () => {
  const { objective, theta } = setup("tanh", "linear", "mse", 2, 6);
  const D = objective.dim;
  // The whole Hessian, column by column, from exact HVPs against unit vectors.
  const H = Array.from({ length: D }, () => new Float64Array(D));
  const e = new Float64Array(D);
  for (let i = 0; i < D; i++) {
    e[i] = 1;
    objective.hvp(theta, e, H[i]!);
    e[i] = 0;
  }
  const diag = new Float64Array(D);
  objective.hessianDiag(theta, diag);
  for (let i = 0; i < D; i++) assert.equal(diag[i], H[i]![i]);
  // Rademacher probes: Var[(Hv)_i v_i] = Σ_{j≠i} H_ij², so the mean of N probes has sd √(Σ_{j≠i} H_ij² / N).
  const maxError = (probes: number) => {
    const est = new Float64Array(D);
    hutchinsonDiag(objective, theta, probes, new Rng(21), "exact", est);
    let worst = 0;
    for (let i = 0; i < D; i++) {
      let off = 0;
      for (let j = 0; j < D; j++) if (j !== i) off += H[i]![j]! * H[i]![j]!;
      const sd = Math.sqrt(off / probes);
      assert.ok(Math.abs(est[i]! - diag[i]!) <= 5 * sd + 1e-12, `${probes} probes, diag[${i}]: ${est[i]} vs ${diag[i]} (sd ${sd})`);
      worst = Math.max(worst, Math.abs(est[i]! - diag[i]!));
    }
    return worst;
  };
  const coarse = maxError(8);
  const fine = maxError(2048);
  assert.ok(fine < coarse / 4, `error falls with probes: 8 → ${coarse}, 2048 → ${fine}`);
});
