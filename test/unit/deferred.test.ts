/**
 * The engine's fast paths must not change a bit. With no observer reading the blame bank, the trainer
 * predicts a block of samples at once and folds their leverage into the bank (or straight into the
 * average) at the commit; strategies step whole ranges of weights; the norms are summed only when read.
 * Here every optimizer, at several batch sizes (one, odd, one block, more than a block, partial last
 * batches), is trained on both paths and must end with the same bits; an observer that reads the bank
 * must still see, after every sample, the bank an independent recomputation gives; early exits
 * (interrupt, divergence) leave the same bank; a range of weights steps like each weight on its own.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Dataset } from "../../kernel/engine/datasets/dataset";
import { DEFERRED_BLOCK } from "../../kernel/engine/deferred-batch";
import { Model, type ModelSpec } from "../../kernel/engine/model";
import type { TrainingObserver } from "../../kernel/engine/observer";
import { resolveHyperparameters } from "../../kernel/engine/optimizers/hyperparameters";
import { strategies } from "../../kernel/engine/optimizers/registry";
import { StepScope } from "../../kernel/engine/optimizers/strategy";
import { allocateCommitRecord, StrategyState } from "../../kernel/engine/optimizers/strategy-state";
import { Trainer } from "../../kernel/engine/trainer";

// Widths that are and are not multiples of the 4-neuron blocking, an odd input width (the 2-input fold).
const SPEC: ModelSpec = {
  inputs: 5,
  layers: [
    { units: 7, activation: "tanh" },
    { units: 4, activation: "leaky_relu" },
    { units: 3, activation: "softmax" },
  ],
};
const SAMPLES = 45;
const BATCH_SIZES = [1, 3, 7, DEFERRED_BLOCK, DEFERRED_BLOCK + 8];

function dataset(): Dataset {
  let a = 12345;
  const rnd = (): number => ((a = (a * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const inputs = Float64Array.from({ length: SAMPLES * SPEC.inputs }, () => rnd() * 2 - 1);
  const targets = new Float64Array(SAMPLES * 3);
  for (let s = 0; s < SAMPLES; s++) targets[s * 3 + Math.floor(rnd() * 3)] = 1;
  return { name: "deferred", count: SAMPLES, inputSize: SPEC.inputs, targetSize: 3, inputs, targets, inputNames: [], targetNames: [] };
}

const bits = (a: ArrayLike<number>): string => Buffer.from(Float64Array.from(a).buffer).toString("hex");

interface Run {
  trainer: Trainer;
  /** Per sample: loss, z, a, blames (what onSample sees), and per commit the full record and norms. */
  seen: string[];
}

/** Trains 2 epochs; `mode` "bank" attaches an observer that reads the bank (sample-by-sample path). */
function train(optimizer: string, batchSize: number, mode: "none" | "bank" | "noBank", extra: Partial<ConstructorParameters<typeof Trainer>[0]> = {}): Run {
  const model = new Model(SPEC);
  model.initialize({ name: "he_uniform" }, 5);
  const seen: string[] = [];
  const observer: TrainingObserver = {
    wantsCommitDetail: true,
    ...(mode === "noBank" ? { readsBank: false } : {}),
    onSample(e) {
      const m = e.trainer.model;
      seen.push(bits([e.loss, e.sample, ...m.input, ...m.z.flatMap((z) => [...z]), ...m.a.flatMap((x) => [...x]), ...e.trainer.blame.blame.flatMap((d) => [...d])]));
    },
    onCommit(e) {
      const r = e.record!;
      seen.push(bits([e.t, e.count, e.loss, e.gradNorm, e.stepNorm, ...r.avg, ...r.audit, ...r.lr, ...r.adjustment, ...r.before]));
    },
  };
  const trainer = new Trainer({
    model,
    loss: "cce",
    strategy: strategies[optimizer]!,
    hyperparameters: { lr: 0.05 },
    batchSize,
    shuffle: true,
    seed: 9,
    schedule: (t) => 1 / (1 + 0.05 * t),
    observers: mode === "none" ? [] : [observer],
    ...extra,
  });
  trainer.fit(dataset(), 2);
  return { trainer, seen };
}

function finalState(t: Trainer): string {
  return bits([...t.model.params, ...t.bank, t.state.gradNorm, t.state.stepNorm, t.t, ...Object.values(t.state.perWeight).flatMap((a) => [...a]), ...Object.values(t.state.global)]);
}

describe("deferred path: same bits as the sample-by-sample path", () => {
  for (const optimizer of Object.keys(strategies)) {
    test(optimizer, () => {
      for (const batchSize of BATCH_SIZES) {
        const reference = train(optimizer, batchSize, "bank");
        const fast = train(optimizer, batchSize, "none");
        assert.equal(finalState(fast.trainer), finalState(reference.trainer), `${optimizer} batch ${batchSize}: final state`);
        // An observer that does not read the bank keeps the deferred path and sees every sample and commit as before.
        const watched = train(optimizer, batchSize, "noBank");
        assert.deepEqual(watched.seen, reference.seen, `${optimizer} batch ${batchSize}: per-sample values and commit records`);
        assert.equal(finalState(watched.trainer), finalState(reference.trainer));
      }
    });
  }

  test("gradient accumulation, clipping and Lookahead", () => {
    const extra = { accumulateSteps: 3, clipGradNorm: 0.05, lookahead: { k: 2, alpha: 0.5 } };
    for (const batchSize of [1, 5, 16]) {
      const reference = train("adam", batchSize, "bank", extra);
      assert.equal(finalState(train("adam", batchSize, "none", extra).trainer), finalState(reference.trainer), `batch ${batchSize} × 3`);
      assert.deepEqual(train("adam", batchSize, "noBank", extra).seen, reference.seen);
    }
  });
});

describe("an observer that reads the bank", () => {
  test("sees after every sample the leverage of the batch so far (recomputed independently)", () => {
    const layers = SPEC.layers.length;
    let banked: Float64Array | null = null;
    let checked = 0;
    const observer: TrainingObserver = {
      onSample(e) {
        const m = e.trainer.model;
        if (e.slot === 0 || !banked) banked = new Float64Array(m.weightCount);
        // bank[w_jk] += input_k × blame_j, bias input 1, from what this observer sees of the sample.
        for (let li = 0; li < layers; li++) {
          const l = m.layers[li]!;
          const input = li === 0 ? m.input : m.a[li - 1]!;
          const blame = e.trainer.blame.blame[li]!;
          for (let j = 0; j < l.units; j++) {
            for (let k = 0; k <= l.inputs; k++) banked[m.weightIndex(li, j, k)] += (k === l.inputs ? 1 : input[k]!) * blame[j]!;
          }
        }
        assert.equal(bits(e.trainer.bank), bits(banked), `bank after sample ${e.position}`);
        checked++;
      },
    };
    const model = new Model(SPEC);
    model.initialize({ name: "he_uniform" }, 5);
    new Trainer({ model, loss: "cce", strategy: strategies.sgd!, hyperparameters: { lr: 0.05 }, batchSize: DEFERRED_BLOCK + 8, observers: [observer] }).fit(dataset(), 1);
    assert.equal(checked, SAMPLES);
  });
});

describe("early exits leave the bank as the sample-by-sample path does", () => {
  test("interrupt in the middle of a block", () => {
    for (const batchSize of [1, 7, DEFERRED_BLOCK + 8]) {
      const stopAt = (o: { readsBank?: boolean }): TrainingObserver => ({ ...o, onSample: (e) => void (e.position === 38 && e.trainer.requestStop()) });
      const run = (o: { readsBank?: boolean }): Trainer => {
        const model = new Model(SPEC);
        model.initialize({ name: "he_uniform" }, 5);
        const trainer = new Trainer({ model, loss: "cce", strategy: strategies.adam!, hyperparameters: { lr: 0.05 }, batchSize, observers: [stopAt(o)] });
        assert.equal(trainer.trainEpoch(dataset()).status, "interrupted");
        return trainer;
      };
      const reference = run({});
      const fast = run({ readsBank: false });
      assert.equal(bits(fast.bank), bits(reference.bank), `batch ${batchSize}: bank`);
      // Batch 1 committed sample 38 before the stop; larger batches stop with a part-filled bank.
      if (batchSize > 1) assert.ok(reference.bank.some((v) => v !== 0), "the interrupted batch left leverage in the bank");
      assert.equal(finalState(fast), finalState(reference));
      assert.equal(bits([...fast.model.z.flatMap((z) => [...z]), ...fast.model.input]), bits([...reference.model.z.flatMap((z) => [...z]), ...reference.model.input]), "last sample's values");
    }
  });

  test("a diverging run stops at the same sample and commit with the same state", () => {
    for (const batchSize of [1, 4, DEFERRED_BLOCK + 8]) {
      const notices: string[][] = [[], []];
      const run = (i: number, readsBank: boolean): Trainer => {
        const model = new Model({ inputs: 5, layers: [{ units: 6, activation: "relu" }, { units: 3, activation: "linear" }] });
        model.initialize({ name: "he_uniform" }, 5);
        const noticer: TrainingObserver = { readsBank, onNotice: (n) => void notices[i]!.push(n.message) };
        const trainer = new Trainer({ model, loss: "mse", strategy: strategies.sgd!, hyperparameters: { lr: 1e6 }, batchSize, observers: readsBank ? [{ ...noticer, onSample: () => {} }] : [noticer] });
        assert.equal(trainer.fit(dataset(), 5).status, "diverged");
        return trainer;
      };
      const reference = run(0, true);
      const fast = run(1, false);
      assert.deepEqual(notices[1], notices[0]);
      assert.equal(finalState(fast), finalState(reference), `batch ${batchSize}`);
    }
  });
});

describe("strategy steps over ranges", () => {
  test("a range of weights steps exactly like each weight alone (replay's range of one)", () => {
    const W = 23;
    for (const [id, strategy] of Object.entries(strategies)) {
      const h = resolveHyperparameters(strategy, { lr: 0.01, ...(id === "sgd" ? { momentum: 0.9, weight_decay: 0.1 } : {}) });
      const state = new StrategyState(strategy, h, W, new Int32Array(W), 1);
      const record = allocateCommitRecord(W, strategy.audit.length);
      const params = Float64Array.from({ length: W }, (_, i) => Math.sin(i + 1));
      const lr = new Float64Array(W).fill(0.01);
      // The same state, stepped one weight per call through a StepScope of its own.
      const w = Object.fromEntries(Object.entries(state.perWeight).map(([k, v]) => [k, Float64Array.from(v)]));
      const global = { ...state.global };
      const theta = Float64Array.from(params);
      const one = new StepScope(new Float64Array(W), theta, new Float64Array(W), new Float64Array(W * strategy.audit.length), new Float64Array(W), h, w, {}, global, new Int32Array(W));
      for (let t = 1; t <= 4; t++) {
        const bank = Float64Array.from({ length: W }, (_, i) => Math.cos(i * t) * 10 ** ((i % 5) - 3));
        state.commit(params, bank, 2, lr, 0.5, record);
        one.t = t;
        strategy.prepare?.({ h, t, global });
        for (let i = 0; i < W; i++) {
          one.g[i] = bank[i]! / 2;
          one.lr[i] = 0.01 * 0.5;
          strategy.step(one, i, i + 1);
        }
        assert.equal(bits(one.adjustment), bits(record.adjustment), `${id} t=${t}: adjustments`);
        assert.equal(bits(one.audit!), bits(record.audit), `${id} t=${t}: audit`);
        assert.equal(bits(theta), bits(params), `${id} t=${t}: after = before − adjustment`);
      }
    }
  });

  test("norms: summed in weight order when read; the divergence guard sees outsized values", () => {
    const W = 9;
    const state = new StrategyState(strategies.sgd!, { lr: 1, momentum: 0, dampening: 0, weight_decay: 0, nesterov: false }, W, new Int32Array(W), 1);
    const params = new Float64Array(W);
    const bank = Float64Array.from({ length: W }, (_, i) => (i - 4) * 0.3);
    state.commit(params, bank, 3, new Float64Array(W).fill(0.5), 1, null);
    let g2 = 0;
    let a2 = 0;
    for (let i = 0; i < W; i++) {
      g2 += (bank[i]! / 3) ** 2;
      a2 += (0.5 * (bank[i]! / 3)) ** 2;
    }
    assert.equal(state.gradNorm, Math.sqrt(g2));
    assert.equal(state.stepNorm, Math.sqrt(a2));
    assert.equal(state.normsFinite, true);
    // Finite values whose squares overflow must still stop the run, as the summed norm says; 1e150 is
    // past the quick test's bound (1e140) but its square is finite: the guard sums and lets it pass.
    for (const [big, finite] of [[1e200, false], [1e150, true], [1e100, true], [NaN, false], [Infinity, false]] as const) {
      bank[4] = big;
      state.commit(params, bank, 1, new Float64Array(W).fill(1e-300), 1, null);
      assert.equal(state.normsFinite, finite, `avg ${big}`);
      assert.equal(state.normsFinite, Number.isFinite(state.gradNorm) && Number.isFinite(state.stepNorm));
    }
  });
});
