/**
 * Lookahead(k, α) against its formula, applied by hand: a plain trainer (no Lookahead) takes the fast
 * steps, and between commits the test applies slow ← slow + α(fast − slow), fast ← slow itself every k
 * commits. Full-batch training, so one epoch = one commit and the test can step in between.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { datasetFromRows } from "../../kernel/engine/datasets/dataset";
import { Lookahead } from "../../kernel/engine/lookahead";
import { Model } from "../../kernel/engine/model";
import type { TrainingNotice } from "../../kernel/engine/observer";
import { adam } from "../../kernel/engine/optimizers/adam";
import { sgd } from "../../kernel/engine/optimizers/sgd";
import type { Strategy } from "../../kernel/engine/optimizers/strategy";
import { Trainer } from "../../kernel/engine/trainer";

const data = datasetFromRows("t", [[0, 1], [1, 0], [1, 1], [0.5, -1]], [[1], [0], [1], [0]]);

function model(): Model {
  const m = new Model({ inputs: 2, layers: [{ units: 3, activation: "tanh" }, { units: 1, activation: "sigmoid" }] });
  m.initialize({ name: "xavier_uniform" }, 3);
  return m;
}

function pair(strategy: Strategy, hyperparameters: Record<string, number | boolean>, k: number, alpha: number) {
  const notices: TrainingNotice[] = [];
  const la = new Trainer({
    model: model(), loss: "bce", strategy, hyperparameters, batchSize: data.count, lookahead: { k, alpha },
    observers: [{ onNotice: (n) => notices.push(n) }],
  });
  const plain = new Trainer({ model: model(), loss: "bce", strategy, hyperparameters, batchSize: data.count });
  return { la, plain, notices };
}

function byHand(strategy: Strategy, h: Record<string, number | boolean>, k: number, alpha: number, commits: number) {
  const { la, plain, notices } = pair(strategy, h, k, alpha);
  let slow = Float64Array.from(plain.model.params);
  for (let t = 1; t <= commits; t++) {
    la.trainEpoch(data);
    plain.trainEpoch(data);
    if (t % k === 0) {
      const p = plain.model.params;
      for (let i = 0; i < p.length; i++) p[i] = slow[i]! + alpha * (p[i]! - slow[i]!);
      slow = Float64Array.from(p);
    }
    assert.deepEqual(Array.from(la.model.params), Array.from(plain.model.params), `weights after commit ${t}`);
  }
  return { la, plain, notices };
}

describe("Lookahead", () => {
  test("SGD, k=3, α=0.5: every 3rd commit slow ← slow + α(fast − slow), fast ← slow (bit-exact)", () => {
    const { notices } = byHand(sgd, { lr: 0.5 }, 3, 0.5, 10);
    assert.deepEqual(notices.map((n) => [n.kind, n.t]), [["lookahead_sync", 3], ["lookahead_sync", 6], ["lookahead_sync", 9]]);
    assert.match(notices[0]!.message, /slow ← slow \+ 0\.5·\(fast − slow\)/);
  });

  test("around a stateful strategy (Adam, k=2, α=0.8): the optimizer state is not reset at a sync", () => {
    byHand(adam, { lr: 0.05 }, 2, 0.8, 7);
  });

  test("α = 1 is the plain optimizer; α = 0 returns to the period's start at every sync", () => {
    const one = byHand(sgd, { lr: 0.3, momentum: 0.9 }, 2, 1, 6);
    const p = new Trainer({ model: model(), loss: "bce", strategy: sgd, hyperparameters: { lr: 0.3, momentum: 0.9 }, batchSize: data.count });
    for (let t = 0; t < 6; t++) p.trainEpoch(data);
    // slow + 1·(fast − slow) equals fast up to rounding.
    one.la.model.params.forEach((v, i) => assert.ok(Math.abs(v - p.model.params[i]!) <= 1e-12, `weight ${i}`));

    const zero = pair(sgd, { lr: 0.3 }, 2, 0);
    const start = Array.from(zero.la.model.params);
    zero.la.trainEpoch(data);
    assert.notDeepEqual(Array.from(zero.la.model.params), start);
    zero.la.trainEpoch(data);
    assert.deepEqual(Array.from(zero.la.model.params), start);
  });

  test("the Lookahead class by hand on three numbers", () => {
    const la = new Lookahead({ k: 2, alpha: 0.25 }, 3);
    const params = Float64Array.from([1, 2, 3]);
    la.beforeCommit(params, 1);
    params.set([2, 2, 7]); // fast step 1
    assert.equal(la.afterCommit(params, 1), false);
    la.beforeCommit(params, 2);
    params.set([3, 0, 11]); // fast step 2
    assert.equal(la.afterCommit(params, 2), true);
    assert.deepEqual(Array.from(params), [1 + 0.25 * 2, 2 + 0.25 * -2, 3 + 0.25 * 8]);
    assert.deepEqual(Array.from(la.slow), Array.from(params));
  });

  test("invalid k and α are rejected", () => {
    assert.throws(() => new Lookahead({ k: 0, alpha: 0.5 }, 1), /lookahead\.k: must be an integer ≥ 1/);
    assert.throws(() => new Lookahead({ k: 1.5, alpha: 0.5 }, 1), /lookahead\.k/);
    assert.throws(() => new Lookahead({ k: 2, alpha: 1.5 }, 1), /lookahead\.alpha: must be in \[0, 1\]/);
  });
});
