/**
 * Neuron lifecycle (seed 004): fitness against its formula computed here from the raw activations and
 * gradients, rebirth leaving the network's function unchanged, apoptosis picking the lowest-fitness
 * mature neurons, senescence's hysteresis, temperature, and NaN-safety.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { generators } from "../../kernel/engine/datasets/generators";
import { initializers } from "../../kernel/engine/initializers";
import type { LifecycleEvent } from "../../kernel/engine/lifecycle/events";
import { NeuronActivity } from "../../kernel/engine/lifecycle/activity";
import { allocateFitness, evaluateFitness } from "../../kernel/engine/lifecycle/fitness";
import { resolveLifecycle, type LifecycleOptions } from "../../kernel/engine/lifecycle/options";
import { rebirth, rebirthRng, rebirthWeights, rebirthWrites, rebirthWritten } from "../../kernel/engine/lifecycle/rebirth";
import { Senescence } from "../../kernel/engine/lifecycle/senescence";
import { Rng } from "../../kernel/engine/math/rng";
import { Model } from "../../kernel/engine/model";
import type { TrainingNotice } from "../../kernel/engine/observer";
import { adam } from "../../kernel/engine/optimizers/adam";
import { sgd } from "../../kernel/engine/optimizers/sgd";
import { Trainer } from "../../kernel/engine/trainer";

const data = generators.circles({ count: 64, noise: 0.05, seed: 3 });

function reluNet(seed = 5): Model {
  const m = new Model({ inputs: 2, layers: [{ units: 8, activation: "relu" }, { units: 6, activation: "relu" }, { units: 1, activation: "sigmoid" }] });
  m.initialize({ name: "he_uniform" }, seed);
  return m;
}

/** Kills ReLU neuron j of layer 0: a bias so negative it never fires on this data. */
function killNeuron(m: Model, j: number): void {
  m.params[m.weightIndex(0, j, 2)] = -100;
}

function outputs(m: Model, inputs: readonly number[][]): number[] {
  return inputs.map((x) => m.predict(x)[0]!);
}

const probes = Array.from({ length: 500 }, (_, i) => {
  const r = new Rng(i + 1);
  return [r.uniform(-3, 3), r.uniform(-3, 3)];
});

describe("rebirth", () => {
  test("a dead ReLU neuron reborn: every output identical (===) on 500 inputs; incoming re-drawn, outgoing zero", () => {
    const m = reluNet();
    killNeuron(m, 3);
    const before = outputs(m, probes);
    const old = Float64Array.from(m.params);
    rebirth(m, null, { name: "he_uniform" }, 7, { layer: 0, neuron: 3, t: 40, absorb: 0 }, null);
    const after = outputs(m, probes);
    for (let i = 0; i < probes.length; i++) assert.ok(before[i] === after[i], `input ${i}: ${before[i]} → ${after[i]}`);
    // Incoming: he_uniform draws from the rebirth's own generator (fan-in 2, fan-out 8); bias 0.
    const rng = rebirthRng(7, 40, 0, 3);
    const bound = Math.sqrt(6 / 2);
    for (let k = 0; k < 2; k++) {
      const w = m.params[m.weightIndex(0, 3, k)]!;
      assert.equal(w, initializers.he_uniform.sample(rng, 2, 8, {}));
      assert.ok(Math.abs(w) <= bound);
    }
    assert.equal(m.params[m.weightIndex(0, 3, 2)], 0);
    for (let o = 0; o < 6; o++) assert.equal(m.params[m.weightIndex(1, o, 3)], 0, `outgoing to neuron ${o}`);
    // Nothing else moved.
    const touched = new Set(rebirthWeights(m.layers, 0, 3));
    for (let i = 0; i < old.length; i++) if (!touched.has(i)) assert.equal(m.params[i], old[i], `weight ${i}`);
  });

  test("rebirthWritten: the weights a rebirth writes, as its write list has them (with and without absorption)", () => {
    const m = reluNet();
    for (const site of [{ layer: 0, neuron: 3, t: 40, absorb: 0 }, { layer: 0, neuron: 5, t: 9, absorb: 0.25 }]) {
      const written = rebirthWrites(m.layers, { name: "he_uniform" }, 7, site, (i) => m.params[i]!).map((w) => w.index);
      assert.deepEqual([...rebirthWritten(m.layers, site)].sort((a, b) => a - b), [...new Set(written)].sort((a, b) => a - b));
    }
  });

  test("a live neuron reborn: outputs equal the network with that neuron removed (its outgoing weights zero)", () => {
    const m = reluNet();
    const removed = reluNet();
    for (let o = 0; o < 6; o++) removed.params[removed.weightIndex(1, o, 2)] = 0;
    rebirth(m, null, { name: "he_uniform" }, 1, { layer: 0, neuron: 2, t: 10, absorb: 0 }, null);
    const a = outputs(m, probes);
    const b = outputs(removed, probes);
    assert.notDeepEqual(outputs(reluNet(), probes), b, "the neuron did contribute before");
    for (let i = 0; i < probes.length; i++) assert.ok(a[i] === b[i], `input ${i}`);
  });

  test("absorb: a neuron of constant activation c reborn with absorb c leaves the function unchanged", () => {
    const m = reluNet();
    // Neuron 1 of layer 0: zero incoming weights, bias 0.7 → a ≡ 0.7 on every input.
    m.params[m.weightIndex(0, 1, 0)] = 0;
    m.params[m.weightIndex(0, 1, 1)] = 0;
    m.params[m.weightIndex(0, 1, 2)] = 0.7;
    const before = outputs(m, probes);
    rebirth(m, null, { name: "he_uniform" }, 1, { layer: 0, neuron: 1, t: 10, absorb: 0.7 }, null);
    const after = outputs(m, probes);
    for (let i = 0; i < probes.length; i++) assert.ok(Math.abs(before[i]! - after[i]!) <= 1e-15, `input ${i}: ${before[i]} vs ${after[i]}`);
  });

  test("the optimizer state of the reborn weights is reset, nobody else's", () => {
    const m = reluNet();
    const trainer = new Trainer({ model: m, loss: "bce", strategy: adam, hyperparameters: { lr: 0.01 }, batchSize: 16 });
    trainer.trainEpoch(data);
    const m1 = trainer.state.perWeight.exp_avg!;
    const v1 = trainer.state.perWeight.exp_avg_sq!;
    const oldM = Float64Array.from(m1);
    // A neuron of layer 1 that learned (a dead ReLU's weights have no state to reset).
    const neuron = [0, 1, 2, 3, 4, 5].find((j) => rebirthWeights(m.layers, 1, j).some((i) => oldM[i] !== 0))!;
    rebirth(m, trainer.state, { name: "he_uniform" }, 0, { layer: 1, neuron, t: trainer.t, absorb: 0 }, null);
    const touched = new Set(rebirthWeights(m.layers, 1, neuron));
    assert.equal(touched.size, 8 + 1 + 1, "8 incoming, the bias, 1 outgoing");
    for (let i = 0; i < m1.length; i++) {
      if (touched.has(i)) assert.ok(m1[i] === 0 && v1[i] === 0, `weight ${i} reset`);
      else assert.equal(m1[i], oldM[i]);
    }
    assert.ok(oldM.some((v, i) => touched.has(i) && v !== 0), "the reset weights had state");
  });

  test("output neurons are never reborn", () => {
    assert.throws(() => rebirth(reluNet(), null, { name: "he_uniform" }, 0, { layer: 2, neuron: 0, t: 1, absorb: 0 }, null), /output layer/);
  });
});

describe("fitness", () => {
  test("α·grad_norm + β·variance − γ·stagnation, from activations and gradients collected independently", () => {
    const m = reluNet();
    const every = 4;
    const acts: number[][] = [];
    const grads: number[][] = [];
    const options: LifecycleOptions = { every, alpha: 0.5, beta: 2, gamma: 0.3, fraction: 0, maturity: 0, emaDecay: 0.8 };
    const trainer = new Trainer({
      model: m, loss: "bce", strategy: sgd, hyperparameters: { lr: 0.1 }, batchSize: 8, lifecycle: options,
      observers: [
        { readsBank: false, onSample: (e) => void acts.push(Array.from(e.trainer.model.a[0]!)), onCommit: (e) => {
          const avg = e.trainer.state.avg;
          const l = e.trainer.model.layers[0]!;
          grads.push(Array.from({ length: l.units }, (_, j) => Math.sqrt(avg[l.offset + j * 3]! ** 2 + avg[l.offset + j * 3 + 1]! ** 2 + avg[l.offset + j * 3 + 2]! ** 2)));
        } },
      ],
    });
    // 64 samples, batch 8: 8 commits; evaluations after commits 4 and 8.
    const lc = trainer.lifecycle!;
    trainer.trainEpoch(data);
    // Reference: window 2 = samples 32…63; EMA after window 1 = mean of window 1.
    const mean = (rows: number[][], j: number) => rows.reduce((s, r) => s + r[j]!, 0) / rows.length;
    for (let j = 0; j < 8; j++) {
      const w1 = acts.slice(0, 32);
      const w2 = acts.slice(32);
      const m2 = mean(w2, j);
      const v2 = w2.reduce((s, r) => s + (r[j]! - m2) ** 2, 0) / w2.length;
      const e1 = mean(w1, j);
      const stag = v2 === 0 ? 1 : 1 - Math.abs(m2 - e1) / (Math.abs(m2) + Math.abs(e1) + 1e-12);
      // grad_norm: the evaluation commit's (t = 8).
      const g2 = grads[7]![j]!;
      const fit = 0.5 * g2 + 2 * v2 - 0.3 * stag;
      const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) <= 1e-12 * (1 + Math.abs(b)), `neuron ${j} ${what}: ${a} vs ${b}`);
      close(lc.terms.gradNorm[j]!, g2, "grad_norm");
      close(lc.terms.activationVariance[j]!, v2, "variance");
      close(lc.terms.stagnation[j]!, stag, "stagnation");
      close(lc.terms.fitness[j]!, fit, "fitness");
    }
  });

  test("NaN and Infinity activations give finite fitness (terms sanitized to 0)", () => {
    const m = new Model({ inputs: 1, layers: [{ units: 2, activation: "linear" }] });
    const act = new NeuronActivity(m);
    m.a[0]![0] = NaN;
    m.a[0]![1] = Infinity;
    act.observeRows(m.a, 1);
    act.observeCommit(Float64Array.from([NaN, 1, Infinity, 1]));
    const out = allocateFitness(2);
    const ema = new Float64Array([NaN, 5]);
    evaluateFitness(act, ema, { alpha: 1, beta: 1, gamma: 1, emaDecay: 0.9 }, out);
    for (const arr of [out.fitness, out.gradNorm, out.activationVariance, out.stagnation, ema]) {
      for (const v of arr) assert.ok(Number.isFinite(v), `finite, got ${v}`);
    }
  });

  test("a neuron that just died is fully stagnant at once (its EMA still remembers it firing)", () => {
    const m = reluNet();
    const trainer = new Trainer({ model: m, loss: "bce", strategy: sgd, hyperparameters: { lr: 0.1 }, batchSize: 8, lifecycle: { every: 4, fraction: 0 } });
    trainer.trainEpoch(data);
    const i = [0, 1, 2, 3, 4, 5, 6, 7].find((j) => trainer.lifecycle!.terms.activationVariance[j]! > 0)!;
    killNeuron(m, i);
    trainer.trainEpoch(data);
    assert.equal(trainer.lifecycle!.terms.stagnation[i], 1);
    assert.equal(trainer.lifecycle!.terms.fitness[i], -1);
  });

  test("a dead neuron is fully stagnant and has zero variance and gradient", () => {
    const m = reluNet();
    killNeuron(m, 5);
    const trainer = new Trainer({ model: m, loss: "bce", strategy: sgd, hyperparameters: { lr: 0.1 }, batchSize: 8, lifecycle: { every: 4, fraction: 0 } });
    trainer.trainEpoch(data);
    const t = trainer.lifecycle!.terms;
    assert.equal(t.stagnation[5], 1);
    assert.equal(t.activationVariance[5], 0);
    assert.equal(t.gradNorm[5], 0);
    assert.equal(t.fitness[5], -1);
  });
});

describe("apoptosis in training", () => {
  function run(options: LifecycleOptions, epochs: number, dead: readonly number[] = [1, 4]) {
    const m = reluNet();
    for (const j of dead) killNeuron(m, j);
    const events: LifecycleEvent[] = [];
    const notices: TrainingNotice[] = [];
    const picked: { event: LifecycleEvent; eligible: number[] }[] = [];
    const trainer = new Trainer({
      model: m, loss: "bce", strategy: adam, hyperparameters: { lr: 0.01 }, batchSize: 8, lifecycle: options,
      observers: [{ onNotice: (n) => {
        notices.push(n);
        if (!n.lifecycle) return;
        events.push(n.lifecycle);
        const lc = trainer.lifecycle!;
        const l = m.layers[n.lifecycle.layer]!;
        // Fitness of the layer's other neurons that were mature at this evaluation (before any rebirth of it).
        const eligible = Array.from({ length: l.units }, (_, j) => j).filter((j) => j !== n.lifecycle!.neuron && n.t! - lc.bornAt[l.neuronOffset + j]! >= (options.maturity ?? 100) && lc.bornAt[l.neuronOffset + j] !== n.t);
        picked.push({ event: n.lifecycle, eligible: eligible.map((j) => lc.terms.fitness[l.neuronOffset + j]!) });
      } }],
    });
    trainer.fit(data, epochs);
    return { trainer, events, notices, picked, m };
  }

  test("the dead neurons are the ones reborn first, at K-step boundaries, only past maturity", () => {
    const { events, notices } = run({ every: 8, maturity: 16, fraction: 0.25 }, 3);
    assert.ok(events.length > 0);
    for (const e of events) {
      assert.equal(e.t % 8, 0, `event at t=${e.t}`);
      assert.ok(e.age >= 16, `age ${e.age}`);
      assert.ok(e.layer < 2, "hidden layers only");
    }
    // Evaluations at t = 8, 16, 24; at 16 the neurons are mature and 0.25 × 8 = 2 die: the two dead ones.
    assert.deepEqual(events.filter((e) => e.layer === 0 && e.t === 16).map((e) => e.neuron), [1, 4]);
    assert.ok(notices.some((n) => n.kind === "lifecycle" && /reborn after commit t=16 \(apoptosis\)/.test(n.message)));
  });

  test("each apoptosis pick has the lowest fitness among the layer's mature neurons", () => {
    const { picked } = run({ every: 8, maturity: 16, fraction: 0.2 }, 4);
    assert.ok(picked.length > 3);
    for (const { event, eligible } of picked) {
      for (const f of eligible) assert.ok(event.fitness <= f, `t=${event.t} layer ${event.layer}: picked ${event.fitness} but ${f} was mature`);
    }
  });

  test("the fraction carries over: 0.05 of 8 neurons kills one every 2.5 evaluations on average", () => {
    const { events } = run({ every: 8, maturity: 0, fraction: 0.05 }, 5, []);
    // 5 epochs × 8 commits = 40 commits = 5 evaluations; layer 0: 5 × 0.4 = 2, layer 1: 5 × 0.3 = 1.5 → 1.
    assert.equal(events.filter((e) => e.layer === 0).length, 2);
    assert.equal(events.filter((e) => e.layer === 1).length, 1);
  });

  test("reborn neurons come back alive: the dead ones fire again after rebirth", () => {
    const { m } = run({ every: 8, maturity: 16, fraction: 0.25 }, 4);
    const fires = (j: number) => probes.some((x) => (m.predict(x), m.a[0]![j]! > 0));
    assert.ok(fires(1) && fires(4));
  });

  test("fraction 0 and no threshold: weights bit-identical to training without a lifecycle", () => {
    const { m } = run({ every: 4, fraction: 0 }, 3);
    const plain = reluNet();
    killNeuron(plain, 1);
    killNeuron(plain, 4);
    new Trainer({ model: plain, loss: "bce", strategy: adam, hyperparameters: { lr: 0.01 }, batchSize: 8 }).fit(data, 3);
    assert.deepEqual(Array.from(m.params), Array.from(plain.params));
  });

  test("threshold: every mature neuron at or below it is reborn, reason threshold", () => {
    // The dead ones score −1 from the first evaluation on (a constant output is fully stagnant).
    const { events, trainer } = run({ every: 8, maturity: 8, fraction: 0, threshold: -0.99 }, 1);
    const layer0 = events.filter((e) => e.layer === 0);
    assert.deepEqual(layer0.map((e) => [e.t, e.neuron, e.reason, e.fitness]), [[8, 1, "threshold", -1], [8, 4, "threshold", -1]]);
    for (const e of events) assert.ok(e.reason === "threshold" && e.fitness <= -0.99);
    // One evaluation (t=8): every hidden neuron above the threshold lived.
    const lc = trainer.lifecycle!;
    for (let i = 0; i < 14; i++) if (lc.terms.fitness[i]! > -0.99) assert.equal(lc.rebirths[i], 0, `neuron ${i}`);
  });

  test("temperature: a newborn's incoming rates are lr × (1 + (start − 1)·e^(−age/decay))", () => {
    const { trainer, events, m } = run({ every: 8, maturity: 16, fraction: 0.125, temperature: { start: 3, decay: 10 } }, 2);
    const e = events.find((x) => x.layer === 0)!;
    const age = trainer.t - e.t - ((trainer.t - e.t) % 8);
    const expected = 0.01 * (1 + 2 * Math.exp(-age / 10));
    const rate = trainer.learningRates[m.weightIndex(0, e.neuron, 0)]!;
    assert.ok(Math.abs(rate - expected) <= 1e-15, `${rate} vs ${expected}`);
  });
});

describe("senescence", () => {
  const o = { steps: 40, flat: 0.01, exit: 2, boost: 1, grace: 20 };

  test("flat for `steps` → senescent, `grace` later → kill", () => {
    const s = new Senescence(o, 1);
    const changes = Array.from({ length: 8 }, () => s.update(0, 1, 10));
    // First update has no slope; then 10 commits of flat per update.
    assert.deepEqual(changes, ["none", "none", "none", "none", "senescent", "none", "kill", "kill"]);
  });

  test("hysteresis: a slope wobbling around `flat` inside the band never toggles the state", () => {
    const s = new Senescence(o, 1);
    let f = 1;
    s.update(0, f, 10);
    for (let k = 0; k < 4; k++) s.update(0, f, 10);
    assert.equal(s.senescent[0], 1);
    const changes: string[] = [];
    // Relative slopes alternating 0.011 and 0.019: above flat, below flat × exit.
    for (let k = 0; k < 200; k++) {
      f *= k % 2 ? 1.011 : 1.019;
      changes.push(s.update(0, f, 10));
    }
    assert.deepEqual([...new Set(changes)], ["none"]);
    assert.equal(s.senescent[0], 1);
  });

  test("a moving slope recovers it; forget starts a new life", () => {
    const s = new Senescence(o, 1);
    for (let k = 0; k < 5; k++) s.update(0, 1, 10);
    assert.equal(s.update(0, 1.5, 10), "recovered");
    assert.equal(s.flatFor[0], 0);
    s.forget(0);
    assert.equal(s.update(0, 7, 10), "none");
  });

  test("in training: senescent neurons are killed with reason senescence, never twice in one life", () => {
    const m = reluNet();
    killNeuron(m, 2);
    const events: LifecycleEvent[] = [];
    const trainer = new Trainer({
      model: m, loss: "bce", strategy: sgd, hyperparameters: { lr: 0.05 }, batchSize: 8,
      lifecycle: { every: 4, maturity: 8, fraction: 0, senescence: { steps: 16, grace: 8, flat: 1e-9 } },
      observers: [{ onNotice: (n) => void (n.lifecycle && events.push(n.lifecycle)) }],
    });
    trainer.fit(data, 6);
    const dead = events.filter((e) => e.layer === 0 && e.neuron === 2).map((e) => `${e.kind}@${e.t}`);
    // Mature at 8; first slope at 12; flat 16 commits at 24 → senescent; 8 more → killed at 32.
    assert.deepEqual(dead.slice(0, 2), ["senescent@24", "rebirth@32"]);
    assert.equal(events.find((e) => e.kind === "rebirth")!.reason, "senescence");
  });
});

describe("options", () => {
  test("each bad field is named", () => {
    assert.throws(() => resolveLifecycle({ every: 0 }), /^RangeError: lifecycle\.every: must be an integer ≥ 1, got 0$/);
    assert.throws(() => resolveLifecycle({ fraction: 1.5 }), /lifecycle\.fraction: must be a finite number in \[0, 1\], got 1\.5/);
    assert.throws(() => resolveLifecycle({ maturity: 50, seniority: 10 }), /lifecycle\.seniority: must be an integer ≥ 50/);
    assert.throws(() => resolveLifecycle({ alpha: NaN }), /lifecycle\.alpha: must be a finite number, got NaN/);
    assert.throws(() => resolveLifecycle({ senescence: { grace: -1 } }), /lifecycle\.senescence\.grace/);
    assert.throws(() => resolveLifecycle({ temperature: { start: 2, decay: 0 } }), /lifecycle\.temperature\.decay: must be a finite number > 0/);
  });

  test("a model without an initializer needs lifecycle.init", () => {
    const m = new Model({ inputs: 2, layers: [{ units: 2, activation: "relu" }, { units: 1, activation: "linear" }] });
    assert.throws(() => new Trainer({ model: m, loss: "mse", strategy: sgd, hyperparameters: { lr: 0.1 }, batchSize: 1, lifecycle: {} }), /lifecycle\.init/);
    assert.doesNotThrow(() => new Trainer({ model: m, loss: "mse", strategy: sgd, hyperparameters: { lr: 0.1 }, batchSize: 1, lifecycle: { init: { name: "xavier_uniform" } } }));
  });
});
