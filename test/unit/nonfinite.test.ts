/**
 * The non-finite guard: a run that blows up stops with status "diverged" and tells every observer
 * through a "nonfinite" notice — never silently, never by training on NaN.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { generators } from "../../kernel/engine/datasets/generators";
import { Model } from "../../kernel/engine/model";
import type { TrainingNotice, TrainingObserver } from "../../kernel/engine/observer";
import { sgd } from "../../kernel/engine/optimizers/sgd";
import { Trainer } from "../../kernel/engine/trainer";

function setup(lr: number, batchSize: number) {
  const data = generators.plane({ count: 20, noise: 0.1, seed: 1 });
  const model = new Model({ inputs: 2, layers: [{ units: 4, activation: "linear" }, { units: 1, activation: "linear" }] });
  model.initialize({ name: "xavier_uniform" }, 2);
  const notices: TrainingNotice[] = [];
  let commits = 0;
  let epochs = 0;
  const observer: TrainingObserver = {
    onNotice: (n) => void notices.push(n),
    onCommit: () => void commits++,
    onEpoch: () => void epochs++,
  };
  const trainer = new Trainer({ model, loss: "mse", strategy: sgd, hyperparameters: { lr }, batchSize, observers: [observer] });
  return { data, model, trainer, notices, counts: () => ({ commits, epochs }) };
}

describe("non-finite guard", () => {
  test("an absurd learning rate → status 'diverged' and a 'nonfinite' notice", () => {
    const { data, trainer, notices } = setup(1e150, 1);
    const result = trainer.fit(data, 50);
    assert.equal(result.status, "diverged");
    assert.ok(result.epochs < 50, "stopped early");
    assert.ok(notices.length >= 1, "an observer was told");
    assert.equal(notices[0]!.kind, "nonfinite");
    // Batch size 1, lr 1e150: the first commit leaves finite but astronomically large weights, so the
    // very next sample's loss overflows — caught at that sample (position ≥ 0), before it is banked.
    assert.equal(notices[0]!.position, 1);
    assert.match(notices[0]!.message, /^loss is (Infinity|NaN) at epoch 0, sample \d+/);
    assert.ok(Number.isNaN(result.loss), "no epoch finished, so there is no epoch loss");
  });

  test("overflow inside a commit (finite loss, infinite step) is caught at the commit", () => {
    // lr = 1e308: the first step's adjustment overflows to ±Infinity while the first loss is finite.
    const { data, trainer, notices, counts } = setup(1e308, 20);
    const result = trainer.trainEpoch(data);
    assert.equal(result.status, "diverged");
    assert.equal(counts().commits, 1, "the observer saw the commit that overflowed");
    assert.equal(counts().epochs, 0, "the epoch did not finish");
    assert.equal(notices.length, 1);
    assert.equal(notices[0]!.kind, "nonfinite");
    assert.equal(notices[0]!.position, -1, "reported at the commit, not at a sample");
    assert.match(notices[0]!.message, /commit t=1/);
  });

  test("a non-finite loss at a sample is caught at that sample", () => {
    const { data, trainer, notices, model } = setup(0.1, 4);
    model.params[0] = Infinity;
    const result = trainer.trainEpoch(data);
    assert.equal(result.status, "diverged");
    assert.equal(notices.length, 1);
    assert.equal(notices[0]!.kind, "nonfinite");
    assert.equal(notices[0]!.position, 0, "the first sample");
    assert.equal(notices[0]!.epoch, 0);
  });

  test("a sane learning rate trains to completion without notices (the guard is not trigger-happy)", () => {
    const { data, trainer, notices } = setup(0.05, 4);
    const result = trainer.fit(data, 20);
    assert.equal(result.status, "completed");
    assert.equal(notices.length, 0);
    assert.ok(result.loss < 0.1, `plane is learnable by a linear net (loss ${result.loss})`);
  });
});
