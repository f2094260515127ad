import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { Model, Trainer } from "../../kernel/engine";
import { Rng } from "../../kernel/engine/math/rng";
import { getStrategy } from "../../kernel/engine/optimizers/registry";
import { PRECONDITION_AUDIT } from "../../kernel/engine/optimizers/precondition";
import { empiricalFisher, gaussNewton, hutchinsonDiag } from "../../kernel/engine/precondition/curvature";
import { descend, replayDescent } from "../../kernel/engine/precondition/descend";
import { hvpFiniteDifference } from "../../kernel/engine/precondition/hvp";
import type { Objective } from "../../kernel/engine/precondition/objective";
import { curveFit } from "../../kernel/engine/precondition/problems/curve-fit";
import { logistic } from "../../kernel/engine/precondition/problems/logistic";
import { quadratic } from "../../kernel/engine/precondition/problems/quadratic";
import { rosenbrock } from "../../kernel/engine/precondition/problems/rosenbrock";
import { NfrunReader, RunRecorder, verifyFile } from "../../kernel/record";
import { quadrants } from "./support/toy-data";

const relErr = (a: number, b: number) => Math.abs(a - b) / Math.max(1e-12, Math.abs(b));
const at = (o: Objective, seed: number) => {
  const rng = new Rng(seed);
  return Float64Array.from(o.theta0, (v) => v + rng.uniform(-0.5, 0.5));
};

/** diag(H) by second differences of the loss alone (independent of grad and hvp). */
function secondDifferenceDiag(o: Objective, theta: Float64Array): Float64Array {
  const out = new Float64Array(o.dim);
  const x = Float64Array.from(theta);
  const l0 = o.loss(x);
  for (let i = 0; i < o.dim; i++) {
    const h = 1e-4 * (1 + Math.abs(theta[i]!));
    x[i] = theta[i]! + h;
    const lp = o.loss(x);
    x[i] = theta[i]! - h;
    const lm = o.loss(x);
    x[i] = theta[i]!;
    out[i] = (lp - 2 * l0 + lm) / (h * h);
  }
  return out;
}

test("each problem's exact diag(H) matches second differences of its loss", () => {
  for (const o of [quadratic({ dim: 6, kappa: 100 }), rosenbrock({ dim: 4 }), logistic({ samples: 60, features: 3 })]) {
    const theta = at(o, 1);
    const exact = new Float64Array(o.dim);
    o.hessianDiag!(theta, exact);
    const fd = secondDifferenceDiag(o, theta);
    for (let i = 0; i < o.dim; i++) assert.ok(relErr(fd[i]!, exact[i]!) < 1e-4, `${o.name} diag[${i}]: ${fd[i]} vs ${exact[i]}`);
  }
});

test("HVPs: exact products equal central differences of the gradient (and their diagonal the exact diag(H))", () => {
  for (const o of [quadratic({ dim: 5, kappa: 1e4 }), rosenbrock({ dim: 5 }), logistic({ samples: 80, features: 4 })]) {
    const theta = at(o, 2);
    const rng = new Rng(9);
    const v = Float64Array.from({ length: o.dim }, () => rng.normal());
    const exact = new Float64Array(o.dim);
    const fd = new Float64Array(o.dim);
    o.hvp!(theta, v, exact);
    hvpFiniteDifference(o, theta, v, fd);
    const scale = exact.reduce((m: number, v: number) => Math.max(m, Math.abs(v)), 0);
    for (let i = 0; i < o.dim; i++) assert.ok(Math.abs(fd[i]! - exact[i]!) / scale < 1e-7, `${o.name} Hv[${i}]: ${fd[i]} vs ${exact[i]}`);
    // H e_i · e_i = H_ii
    const diag = new Float64Array(o.dim);
    o.hessianDiag!(theta, diag);
    for (let i = 0; i < o.dim; i++) {
      const e = new Float64Array(o.dim);
      e[i] = 1;
      o.hvp!(theta, e, exact);
      assert.ok(relErr(exact[i]!, diag[i]!) < 1e-12);
    }
  }
});

test("Hutchinson converges to the true diagonal (error shrinks like 1/√probes) and is exact on a diagonal Hessian", () => {
  const o = logistic({ samples: 100, features: 6, scaleRatio: 3 });
  const theta = at(o, 3);
  const truth = new Float64Array(o.dim);
  o.hessianDiag!(theta, truth);
  const errorWith = (probes: number, mode: "exact" | "finite-difference") => {
    const est = new Float64Array(o.dim);
    hutchinsonDiag(o, theta, probes, new Rng(5), mode, est);
    return est.reduce((m: number, v: number, i: number) => Math.max(m, relErr(v, truth[i]!)), 0);
  };
  const e16 = errorWith(16, "exact");
  const e4096 = errorWith(4096, "exact");
  assert.ok(e4096 < 0.05, `4096 probes: max relative error ${e4096}`);
  assert.ok(e4096 < e16 / 4, `error should fall with probes: 16 → ${e16}, 4096 → ${e4096}`);
  assert.ok(errorWith(4096, "finite-difference") < 0.05);
  const q = quadratic({ dim: 8, kappa: 1e4 });
  const est = new Float64Array(q.dim);
  const diag = new Float64Array(q.dim);
  hutchinsonDiag(q, q.theta0, 1, new Rng(1), "exact", est);
  q.hessianDiag!(q.theta0, diag);
  assert.deepEqual(Array.from(est), Array.from(diag));
});

test("empirical Fisher and the Gauss–Newton diagonal equal their definitions", () => {
  const o = curveFit({ points: 20, noise: 0.05, seed: 2 });
  const theta = Float64Array.of(1.5, 1.2, 0.3);
  // Independent: residuals from the model formula, their Jacobian by central differences.
  const xs = Array.from({ length: 20 }, (_, k) => (4 * k) / 19);
  const lossAt = (t: Float64Array) => o.loss(t);
  // GN: (1/n) Σ (∂r/∂θ)², with ∂r/∂θ of r = a e^{−bx} + c − y (y drops out).
  const gnRef = [0, 0, 0];
  for (const x of xs) {
    const f = (t: number[]) => t[0]! * Math.exp(-t[1]! * x) + t[2]!;
    for (let q = 0; q < 3; q++) {
      const p = Array.from(theta);
      const m = Array.from(theta);
      p[q]! += 1e-6;
      m[q]! -= 1e-6;
      const d = (f(p) - f(m)) / 2e-6;
      gnRef[q]! += (d * d) / 20;
    }
  }
  const gn = new Float64Array(3);
  gaussNewton(o, theta, gn);
  gnRef.forEach((v, q) => assert.ok(relErr(gn[q]!, v) < 1e-6, `GN[${q}] ${gn[q]} vs ${v}`));
  // Fisher: the per-sample gradients average to the full gradient, and (1/n) Σ g_k² ≥ g².
  const fisher = new Float64Array(3);
  empiricalFisher(o, theta, fisher);
  const g = new Float64Array(3);
  o.grad(theta, g);
  const mean = [0, 0, 0];
  const sq = [0, 0, 0];
  const gk = new Float64Array(3);
  for (let k = 0; k < 20; k++) {
    o.samples!.grad(theta, k, gk);
    for (let q = 0; q < 3; q++) {
      mean[q]! += gk[q]! / 20;
      sq[q]! += (gk[q]! * gk[q]!) / 20;
    }
  }
  for (let q = 0; q < 3; q++) {
    assert.ok(relErr(mean[q]!, g[q]!) < 1e-12);
    assert.ok(relErr(fisher[q]!, sq[q]!) < 1e-12);
  }
  // The full gradient against central differences of the loss.
  for (let q = 0; q < 3; q++) {
    const p = Float64Array.from(theta);
    const m = Float64Array.from(theta);
    p[q]! += 1e-6;
    m[q]! -= 1e-6;
    assert.ok(relErr((lossAt(p) - lossAt(m)) / 2e-6, g[q]!) < 1e-6);
  }
  assert.throws(() => gaussNewton({ ...o, gaussNewtonDiag: undefined, name: "bare" }, theta, gn), /gauss_newton needs residual structure, which bare/);
});

test("every preconditioner reaches the optimum of the κ = 1e4 quadratic; plain GD does not in the same steps", () => {
  const q = quadratic({ dim: 10, kappa: 1e4 });
  const hyper = { lr: 0.019, curv_floor: 1e-12 };
  for (const optimizer of ["precond_hutchinson", "precond_fisher", "precond_gn"]) {
    const run = descend(q, { optimizer, hyperparameters: hyper, maxSteps: 5000, tolerance: 1e-6, probes: 1 });
    assert.ok(run.reached, `${optimizer}: loss ${run.loss[run.loss.length - 1]} after ${run.steps} steps`);
    const theta = run.theta!.subarray(run.steps * 10);
    for (let i = 0; i < 10; i++) assert.ok(Math.abs(theta[i]! - q.optimum![i]!) < 2e-3, `${optimizer} θ[${i}] = ${theta[i]}`);
  }
  const ema = descend(q, { optimizer: "precond_ema", hyperparameters: { lr: 0.01, beta: 0.9 }, maxSteps: 20000, tolerance: 1e-6 });
  assert.ok(ema.reached, `precond_ema: loss ${ema.loss[ema.loss.length - 1]}`);
  const gd = descend(q, { optimizer: "sgd", hyperparameters: { lr: 1.9e-4 }, maxSteps: 5000, tolerance: 1e-6 });
  assert.equal(gd.reached, false);
  assert.ok(gd.loss[gd.steps]! > 1e-3);
});

test("Hutchinson preconditioning reaches Rosenbrock's minimum; the trace records every setting", () => {
  const r = rosenbrock();
  const run = descend(r, { optimizer: "precond_gn", hyperparameters: { lr: 0.03 }, maxSteps: 20000, tolerance: 1e-6 });
  assert.ok(run.reached, `GN on Rosenbrock: ${run.loss[run.steps]}`);
  const h = descend(r, { optimizer: "precond_hutchinson", hyperparameters: { lr: 0.03, refresh: 5, beta: 0.5, curv_floor: 1 }, maxSteps: 50000, tolerance: 1e-6, probes: 4, seed: 7 });
  assert.ok(h.reached, `Hutchinson on Rosenbrock: ${h.loss[h.steps]}`);
  assert.deepEqual(h.meta.curvature, { source: "hutchinson", probes: 4, hvp: "exact", seed: 7 });
  assert.equal(h.meta.hyperparameters.refresh, 5);
  assert.equal(h.meta.hyperparameters.beta, 0.5);
  // refreshes at t = 1, 6, 11, …
  assert.deepEqual(Array.from(h.curvature!.t.subarray(0, 3)), [1, 6, 11]);
  assert.equal(h.curvature!.t.length, Math.ceil(h.steps / 5));
});

test("the popup's numbers: lr_vec = clip(γ/√(max(curv, floor)+ε)), the EMA over refreshes, adj = lr_vec·g", () => {
  const o = logistic({ samples: 30, features: 2 });
  const h = { lr: 0.05, lr_min: 0.02, lr_max: 0.3, curv_floor: 0.05, beta: 0.6, refresh: 2, eps: 1e-8 };
  const run = descend(o, { optimizer: "precond_gn", hyperparameters: h, maxSteps: 6 });
  const D = o.dim;
  const curv = new Float64Array(D);
  for (let t = 1; t <= 6; t++) {
    const k = run.curvature!.t.indexOf(t);
    for (let i = 0; i < D; i++) {
      if (k >= 0) curv[i] = t === 1 ? run.curvature!.values[k * D + i]! : h.beta * curv[i]! + (1 - h.beta) * run.curvature!.values[k * D + i]!;
      const c = Math.max(curv[i]!, h.curv_floor);
      const expected = Math.min(h.lr_max, Math.max(h.lr_min, h.lr / Math.sqrt(c + h.eps)));
      assert.equal(run.lrVec![(t - 1) * D + i], expected, `t=${t} i=${i}`);
      const g = new Float64Array(D);
      o.grad(run.theta!.subarray((t - 1) * D, t * D), g);
      assert.equal(run.theta![t * D + i], run.theta![(t - 1) * D + i]! - expected * g[i]!);
    }
  }
  assert.deepEqual(run.curvature!.t.length, 3);
  assert.deepEqual([...PRECONDITION_AUDIT], ["curv_est", "curv", "max(curv,floor)", "γ/√(c+ε)", "lr_vec"]);
});

test("replayDescent redoes a Hutchinson run bit for bit from the recorded curvature, and a changed estimate is found", () => {
  const o = curveFit();
  const run = descend(o, { optimizer: "precond_hutchinson", hyperparameters: { lr: 0.05, refresh: 3, beta: 0.5 }, maxSteps: 40, probes: 3, seed: 11 });
  assert.equal(run.meta.curvature!.hvp, "finite-difference");
  assert.equal(replayDescent(o, run), null);
  const values = Float64Array.from(run.curvature!.values);
  values[3 * 2 + 1]! *= 1.5;
  const bad = replayDescent(o, { ...run, curvature: { t: run.curvature!.t, values } });
  assert.ok(bad && bad.t === 7, JSON.stringify(bad));
});

test("precond_ema trains a network, is recorded, and verify replays it", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nf-precond-"));
  const file = path.join(dir, "ema.nfrun");
  const data = quadrants();
  const model = new Model({ inputs: 2, layers: [{ units: 3, activation: "tanh" }, { units: 1, activation: "sigmoid" }] });
  model.initialize({ name: "xavier_uniform" }, 1);
  const rec = await RunRecorder.create(file, { data, seed: 1, epochs: 4, checkpointSeconds: 3600 });
  const trainer = new Trainer({ model, loss: "bce", strategy: getStrategy("precond_ema"), hyperparameters: { lr: 0.01, beta: 0.9, lr_max: 0.5 }, batchSize: 6, observers: [rec] });
  rec.finish(trainer.fit(data, 4));
  const result = await verifyFile(file);
  assert.equal(result.ok, true, JSON.stringify(result).slice(0, 400));
  const reader = await NfrunReader.open(file);
  const trace = reader.weightTrace(rec.runId, 0, 1, 0, 7);
  assert.equal(trace.kind, "weight-trace");
  if (trace.kind === "weight-trace") {
    const a = trace.commit.audit!;
    assert.equal(a.lr_vec, Math.min(0.5, 0.01 / Math.sqrt(Math.max(a.curv!, 1e-12) + 1e-8)));
    assert.equal(trace.commit.adjustment, a.lr_vec! * trace.commit.avg);
  }
  reader.close();
  fs.rmSync(dir, { recursive: true, force: true });
});
