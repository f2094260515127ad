import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { Model, Trainer, type Dataset, type TrainingObserver } from "../../kernel/engine";
import { BlameStep } from "../../kernel/engine/blame";
import { losses, type LossName } from "../../kernel/engine/losses";
import { Rng } from "../../kernel/engine/math/rng";
import { ConfigError } from "../../kernel/engine/optimizers/hyperparameters";
import { getStrategy } from "../../kernel/engine/optimizers/registry";
import { hutchinsonCurvature } from "../../kernel/engine/precondition/curvature";
import { NetworkObjective } from "../../kernel/engine/precondition/network";
import { probeSeed } from "../../kernel/engine/precondition/network-curvature";
import { NfrunReader, RunRecorder, verifyFile } from "../../kernel/record";
import { quadrants } from "./support/toy-data";

const net = () => {
  const model = new Model({ inputs: 2, layers: [{ units: 3, activation: "tanh" }, { units: 2, activation: "softmax" }] });
  model.initialize({ name: "xavier_uniform" }, 1);
  return model;
};

/** The weights before each commit and its batch's samples, as the trainer saw them (params do not move within a batch). */
function batchWatcher() {
  const before = new Map<number, { theta: Float64Array; samples: number[] }>();
  const observer: TrainingObserver = {
    readsBank: false,
    onSample(e) {
      const t = e.trainer.t + 1;
      if (!before.has(t)) before.set(t, { theta: Float64Array.from(e.trainer.model.params), samples: [] });
      before.get(t)!.samples.push(e.sample);
    },
  };
  return { before, observer };
}

/** Empirical Fisher diagonal from the engine's own Blame step: mean over the batch of each sample's leverage². */
function fisherByBlame(model: Model, loss: LossName, data: Dataset, theta: Float64Array, samples: number[]): Float64Array {
  const m = new Model(model.spec);
  m.params.set(theta);
  const blame = new BlameStep(m, losses[loss]);
  const bank = m.arena.alloc(m.weightCount);
  const target = new Float64Array(m.outputs);
  const out = new Float64Array(m.weightCount);
  for (const k of samples) {
    bank.fill(0);
    m.predict(data.inputs, k * data.inputSize);
    blame.run(data.targets, k * data.targetSize, target, bank);
    for (let i = 0; i < out.length; i++) out[i] = out[i]! + (bank[i]! * bank[i]!) / samples.length;
  }
  return out;
}

const SETTINGS = { lr: 0.05, beta: 0.5, refresh: 2, lr_max: 2, curv_floor: 1e-6 };

for (const id of ["precond_hutchinson", "precond_fisher", "precond_gn"]) {
  test(`${id} trains a network: recorded, verify replays it, the popup shows its curvature and reconciles`, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nf-precond-net-"));
    const file = path.join(dir, `${id}.nfrun`);
    const data = quadrants(24, true);
    const model = net();
    const hyper = id === "precond_hutchinson" ? { ...SETTINGS, probes: 3, seed: 5 } : SETTINGS;
    const rec = await RunRecorder.create(file, { data, seed: 1, epochs: 3, checkpointSeconds: 3600 });
    const watch = batchWatcher();
    const trainer = new Trainer({ model, loss: "cce", strategy: getStrategy(id), hyperparameters: hyper, batchSize: 5, shuffle: true, seed: 2, observers: [rec, watch.observer] });
    const fit = trainer.fit(data, 3);
    rec.finish(fit);
    assert.equal(fit.status, "completed");

    const result = await verifyFile(file);
    assert.equal(result.ok, true, JSON.stringify(result.mismatch));
    assert.equal(result.runs[0]!.commitsChecked, trainer.t);

    const reader = await NfrunReader.open(file);
    const info = reader.context(rec.runId).info;
    for (const [name, value] of Object.entries(hyper)) assert.equal(info.hyperparameters[name], value, `run metadata keeps ${name}`);
    const weights: [number, number, number][] = [[0, 1, 0], [0, 2, 2], [1, 0, 3], [1, 1, 1]];
    let curv = new Map<string, number>();
    for (let t = 1; t <= trainer.t; t++) {
      const { theta, samples } = watch.before.get(t)!;
      const fresh = (t - 1) % SETTINGS.refresh === 0;
      const expected = new Float64Array(model.weightCount);
      const objective = new NetworkObjective(model, losses.cce, data, Int32Array.from(samples));
      if (id === "precond_fisher") expected.set(fisherByBlame(model, "cce", data, theta, samples));
      else if (id === "precond_gn") objective.gaussNewtonDiag(theta, expected);
      else hutchinsonCurvature(objective, theta, { probes: 3, hvp: "exact" }, new Rng(probeSeed(5, t)), expected);
      for (const [layer, neuron, weight] of weights) {
        const trace = reader.weightTrace(rec.runId, layer, neuron, weight, t);
        assert.equal(trace.kind, "weight-trace", `t=${t}: ${JSON.stringify(trace)}`);
        if (trace.kind !== "weight-trace") continue;
        const c = trace.commit;
        const a = c.audit!;
        const i = model.weightIndex(layer, neuron, weight);
        const key = `${layer}/${neuron}/${weight}`;
        if (fresh) {
          const e = expected[i]!;
          if (id === "precond_fisher") assert.ok(Math.abs(a.curv_est! - e) <= 1e-12 * e + 1e-300, `t=${t} ${key}: curv_est ${a.curv_est} vs Σ leverage²/n ${e}`);
          else assert.equal(a.curv_est, e, `t=${t} ${key}: curv_est`);
          curv.set(key, t === 1 ? a.curv_est! : SETTINGS.beta * curv.get(key)! + (1 - SETTINGS.beta) * a.curv_est!);
        }
        assert.equal(a.curv, curv.get(key), `t=${t} ${key}: curv = EMA of the estimates, held between refreshes`);
        const floored = Math.max(a.curv!, SETTINGS.curv_floor);
        assert.equal(a["max(curv,floor)"], floored);
        assert.equal(a.lr_vec, Math.min(SETTINGS.lr_max, SETTINGS.lr / Math.sqrt(floored + 1e-8)), `t=${t} ${key}: lr_vec`);
        assert.equal(c.adjustment, a.lr_vec! * c.avg, `t=${t} ${key}: Adj = lr_vec × Avg`);
        assert.equal(c.recomputedAdjustment, c.adjustment);
        assert.equal(c.before - c.adjustment, c.after, `t=${t} ${key}: Before − Adj = After`);
        assert.equal(c.before, theta[i], `t=${t} ${key}: Before is the weight before the commit`);
      }
    }
    reader.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
}

test("Hutchinson's probes are seeded: the same seed trains the same weights, another seed others", () => {
  const data = quadrants(24, true);
  const run = (seed: number) => {
    const model = net();
    new Trainer({ model, loss: "cce", strategy: getStrategy("precond_hutchinson"), hyperparameters: { lr: 0.05, probes: 1, seed }, batchSize: 6 }).fit(data, 2);
    return Array.from(model.params);
  };
  assert.deepEqual(run(3), run(3));
  assert.notDeepEqual(run(3), run(4));
});

test("hostile preconditioner settings are refused naming the field", () => {
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ["precond_fisher", { refresh: -1 }, /optimizer\.refresh: must be ≥ 1/],
    ["precond_gn", { refresh: 0 }, /optimizer\.refresh: must be ≥ 1/],
    ["precond_gn", { refresh: 2.5 }, /optimizer\.refresh: must be an integer/],
    ["precond_hutchinson", { eps: 0 }, /optimizer\.eps: must be > 0/],
    ["precond_fisher", { eps: -1e-8 }, /optimizer\.eps: must be > 0/],
    ["precond_gn", { lr_min: 0.5, lr_max: 0.1 }, /lr_min \(0\.5\) must be ≤ lr_max \(0\.1\)/],
    ["precond_hutchinson", { probes: 0 }, /optimizer\.probes: must be ≥ 1/],
    ["precond_hutchinson", { seed: -3 }, /optimizer\.seed: must be ≥ 0/],
    ["precond_fisher", { curv_floor: -1 }, /optimizer\.curv_floor: must be ≥ 0/],
    ["precond_gn", { beta: 1.5 }, /optimizer\.beta: must be ≤ 1/],
  ];
  for (const [id, hyperparameters, message] of cases) {
    assert.throws(
      () => new Trainer({ model: net(), loss: "cce", strategy: getStrategy(id), hyperparameters, batchSize: 4 }),
      (e: unknown) => e instanceof ConfigError && message.test(e.message),
      `${id} ${JSON.stringify(hyperparameters)}`,
    );
  }
});
