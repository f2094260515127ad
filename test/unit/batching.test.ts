/**
 * Blame bank and commit: avg = bank / count is the mean of the per-sample gradients of the samples in
 * the batch (checked against finite differences of an independent reference), a partial last batch
 * commits with its true count, batch size N is full-batch gradient descent, and an epoch has
 * ceil(N / batch) commits.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Dataset } from "../../kernel/engine/datasets/dataset";
import { generators } from "../../kernel/engine/datasets/generators";
import type { LossName } from "../../kernel/engine/losses";
import { Model, type ModelSpec } from "../../kernel/engine/model";
import type { CommitEvent, TrainingObserver } from "../../kernel/engine/observer";
import { sgd } from "../../kernel/engine/optimizers/sgd";
import { Trainer } from "../../kernel/engine/trainer";
import { assertClose, fdGradient, fdMeanGradient } from "./support/reference-net";

// Smooth activations and loss: no kinks, so finite differences are accurate everywhere.
const SPEC: ModelSpec = { inputs: 2, layers: [{ units: 3, activation: "tanh" }, { units: 1, activation: "sigmoid" }] };
const LOSS: LossName = "bce";
const ATOL = 1e-7;
const RTOL = 1e-6;

function sample(data: Dataset, i: number): { x: number[]; y: number[] } {
  return {
    x: Array.from(data.inputs.subarray(i * data.inputSize, (i + 1) * data.inputSize)),
    y: Array.from(data.targets.subarray(i * data.targetSize, (i + 1) * data.targetSize)),
  };
}

function freshModel(seed = 7): Model {
  const model = new Model(SPEC);
  model.initialize({ name: "xavier_uniform" }, seed);
  return model;
}

interface SeenCommit {
  count: number;
  samples: number[];
  before: Float64Array;
  avg: Float64Array;
  /** bank / count computed from the bank the observer sees at the commit. */
  bankOverCount: Float64Array;
}

/** Records, per commit, the samples that went into the bank and the commit's before/avg vectors. */
function commitRecorder(): { observer: TrainingObserver; commits: SeenCommit[]; epochCommits: number[] } {
  const commits: SeenCommit[] = [];
  const epochCommits: number[] = [];
  let pending: number[] = [];
  const observer: TrainingObserver = {
    wantsCommitDetail: true,
    onSample: (e) => {
      pending.push(e.sample);
      assert.equal(e.slot, pending.length - 1, "slot = position in the bank");
    },
    onCommit: (e: CommitEvent) => {
      assert.ok(e.record, "record present when an observer wants commit detail");
      commits.push({
        count: e.count,
        samples: pending,
        before: Float64Array.from(e.record.before),
        avg: Float64Array.from(e.record.avg),
        bankOverCount: Float64Array.from(e.trainer.bank, (b) => b / e.count),
      });
      pending = [];
    },
    onEpoch: (e) => void epochCommits.push(e.commits),
  };
  return { observer, commits, epochCommits };
}

describe("commit average", () => {
  test("avg = mean of the per-sample FD gradients of exactly the samples in the batch (shuffled, partial last batch)", () => {
    const data = generators.moons({ count: 10, noise: 0.1, seed: 3 });
    const model = freshModel();
    const { observer, commits } = commitRecorder();
    const trainer = new Trainer({
      model,
      loss: LOSS,
      strategy: sgd,
      hyperparameters: { lr: 0.3 },
      batchSize: 4,
      shuffle: true,
      seed: 11,
      observers: [observer],
    });
    assert.equal(trainer.fit(data, 2).status, "completed");
    assert.deepEqual(
      commits.map((c) => c.count),
      [4, 4, 2, 4, 4, 2],
    );
    for (const [k, c] of commits.entries()) {
      assert.equal(c.samples.length, c.count, `commit ${k}: count = samples banked`);
      const expected = fdMeanGradient(SPEC, c.before, LOSS, c.samples.map((i) => sample(data, i)));
      assertClose(c.avg, expected, ATOL, RTOL, `commit ${k} avg`);
      assertClose(c.avg, c.bankOverCount, 0, 0, `commit ${k} avg = bank / count`);
    }
    // Every epoch banks each sample exactly once.
    for (const epoch of [0, 1]) {
      const seen = commits.slice(epoch * 3, epoch * 3 + 3).flatMap((c) => c.samples);
      assert.deepEqual([...seen].sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    }
  });

  test("a partial last batch divides by its true count, not by the batch size", () => {
    const data = generators.moons({ count: 7, noise: 0.1, seed: 5 });
    const model = freshModel();
    const { observer, commits } = commitRecorder();
    const trainer = new Trainer({ model, loss: LOSS, strategy: sgd, hyperparameters: { lr: 0.1 }, batchSize: 5, observers: [observer] });
    trainer.trainEpoch(data);
    assert.deepEqual(
      commits.map((c) => c.count),
      [5, 2],
    );
    const last = commits[1]!;
    assert.deepEqual(last.samples, [5, 6], "no shuffle: dataset order");
    const g5 = fdGradient(SPEC, last.before, LOSS, sample(data, 5).x, sample(data, 5).y);
    const g6 = fdGradient(SPEC, last.before, LOSS, sample(data, 6).x, sample(data, 6).y);
    const mean = g5.map((g, i) => (g + g6[i]!) / 2);
    assertClose(last.avg, mean, ATOL, RTOL, "partial batch avg = (g5 + g6) / 2");
    const dividedByBatch = g5.map((g, i) => (g + g6[i]!) / 5);
    assert.ok(
      last.avg.some((a, i) => Math.abs(a - dividedByBatch[i]!) > 1e-6),
      "the partial batch must not be divided by the nominal batch size",
    );
  });

  test("batch size 1: every sample commits its own gradient", () => {
    const data = generators.xor({ count: 4, noise: 0.05, seed: 2 });
    const model = freshModel(3);
    const { observer, commits } = commitRecorder();
    new Trainer({ model, loss: LOSS, strategy: sgd, hyperparameters: { lr: 0.5 }, batchSize: 1, observers: [observer] }).trainEpoch(data);
    assert.equal(commits.length, 4);
    for (const [k, c] of commits.entries()) {
      const s = sample(data, k);
      assertClose(c.avg, fdGradient(SPEC, c.before, LOSS, s.x, s.y), ATOL, RTOL, `commit ${k}`);
    }
  });
});

describe("full batch", () => {
  test("batch size = N: one commit per epoch, identical to an independent full-batch gradient descent loop", () => {
    const data = generators.circles({ count: 12, noise: 0.05, seed: 4 });
    const model = freshModel(9);
    const lr = 0.8;
    const epochs = 4;
    // Independent loop: θ ← θ − lr · (Σ_i FD gradient_i) / N.
    let theta = Float64Array.from(model.params);
    const all = Array.from({ length: data.count }, (_, i) => sample(data, i));
    for (let e = 0; e < epochs; e++) {
      const g = fdMeanGradient(SPEC, theta, LOSS, all);
      theta = theta.map((w, i) => w - lr * g[i]!);
    }
    const { observer, commits, epochCommits } = commitRecorder();
    const trainer = new Trainer({ model, loss: LOSS, strategy: sgd, hyperparameters: { lr }, batchSize: data.count, observers: [observer] });
    const result = trainer.fit(data, epochs);
    assert.equal(result.status, "completed");
    assert.deepEqual(epochCommits, [1, 1, 1, 1]);
    assert.deepEqual(
      commits.map((c) => c.count),
      [12, 12, 12, 12],
    );
    assert.equal(trainer.t, epochs);
    assertClose(model.params, theta, 1e-8, 1e-7, "weights after full-batch GD");
    // The weights moved: the comparison is not between two unchanged vectors.
    assert.ok(model.params.some((w, i) => Math.abs(w - commits[0]!.before[i]!) > 1e-3));
  });
});

describe("commits per epoch", () => {
  const cases: [n: number, batch: number][] = [
    [10, 1],
    [10, 3],
    [10, 4],
    [10, 5],
    [10, 10],
    [7, 2],
    [1, 1],
    [5, 8],
  ];
  for (const [n, batch] of cases) {
    test(`N = ${n}, batch = ${batch}: ceil(N / batch) = ${Math.ceil(n / batch)} commits, counts sum to N`, () => {
      const data = generators.sine({ count: n, seed: 1 });
      const model = new Model({ inputs: 1, layers: [{ units: 2, activation: "tanh" }, { units: 1, activation: "linear" }] });
      model.initialize({ name: "xavier_normal" }, 1);
      const counts: number[] = [];
      const epochCommits: number[] = [];
      const trainer = new Trainer({
        model,
        loss: "mse",
        strategy: sgd,
        hyperparameters: { lr: 0.01 },
        batchSize: batch,
        shuffle: true,
        seed: 2,
        observers: [{ onCommit: (e) => void counts.push(e.count), onEpoch: (e) => void epochCommits.push(e.commits) }],
      });
      const epochs = 3;
      trainer.fit(data, epochs);
      const perEpoch = Math.ceil(n / batch);
      assert.deepEqual(epochCommits, Array(epochs).fill(perEpoch));
      assert.equal(trainer.t, epochs * perEpoch);
      const expectedCounts = Array.from({ length: perEpoch }, (_, k) => Math.min(batch, n - k * batch));
      assert.deepEqual(counts, [...expectedCounts, ...expectedCounts, ...expectedCounts]);
    });
  }
});
