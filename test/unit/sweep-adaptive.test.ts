/**
 * Adaptive search: UCB1's choice against its formula computed by hand, the bandit finding the best arm
 * of a noisy objective within its budget, evolution's selection / crossover / mutation, and resuming
 * from a history (what shards merged between rounds give) proposing what an unbroken search would.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Rng } from "../../kernel/engine/math/rng";
import { mutate, nextRound, ucbScore, type AdaptiveSpec, type Trial } from "../../kernel/engine/sweep/adaptive";

/** A run until the budget is spent, one round at a time, with `loss` as the objective. */
function search(spec: AdaptiveSpec, loss: (values: Trial["values"], seed: number | undefined) => number): Trial[] {
  const history: Trial[] = [];
  for (let round = nextRound(spec, history); round.length > 0; round = nextRound(spec, history)) {
    for (const p of round) history.push({ values: p.values, loss: loss(p.values, p.seed) });
  }
  return history;
}

describe("bandit (UCB1)", () => {
  it("the score is mean reward + c·√(2 ln N / n); unpulled arms first, in grid order", () => {
    assert.equal(ucbScore([], 5), Infinity);
    assert.ok(Math.abs(ucbScore([0.5, 0.3], 10, 1) - (-0.4 + Math.sqrt((2 * Math.log(10)) / 2))) < 1e-15);
    const spec: AdaptiveSpec = { design: "bandit", budget: 10, batch: 3, params: { "optimizer.lr": [0.1, 0.01], optimizer: ["adam", "sgd"] } };
    const first = nextRound(spec, []);
    assert.deepEqual(first.map((p) => p.values), [
      { "optimizer.lr": 0.1, optimizer: "adam" },
      { "optimizer.lr": 0.1, optimizer: "sgd" },
      { "optimizer.lr": 0.01, optimizer: "adam" },
    ]);
    // After every arm once (losses 0.9, 0.2, 0.5, 0.7), N = 4: each score by hand, the best pulled next.
    const history: Trial[] = [
      { values: { "optimizer.lr": 0.1, optimizer: "adam" }, loss: 0.9 },
      { values: { "optimizer.lr": 0.1, optimizer: "sgd" }, loss: 0.2 },
      { values: { "optimizer.lr": 0.01, optimizer: "adam" }, loss: 0.5 },
      { values: { "optimizer.lr": 0.01, optimizer: "sgd" }, loss: 0.7 },
    ];
    const [next] = nextRound({ ...spec, batch: 1 }, history);
    assert.deepEqual(next!.values, { "optimizer.lr": 0.1, optimizer: "sgd" });
    assert.equal(next!.seed, 1, "its second pull: seed base + 1");
  });

  it("within a round, an arm just proposed counts as pulled at its mean (an unpulled one at every arm's mean), not as a perfect one", () => {
    const spec: AdaptiveSpec = { design: "bandit", budget: 20, batch: 4, params: { lr: [1, 2, 3, 4, 5, 6] } };
    const history: Trial[] = [1, 2, 3, 4].map((lr, k) => ({ values: { lr }, loss: [0.9, 0.2, 0.5, 0.7][k]! }));
    // lr 5 and 6 unpulled: first, each then a pending pull of the mean 0.575. N = 6: lr 2 scores
    // −0.2 + √(2 ln 6) = 1.69 > lr 5's −0.575 + √(2 ln 6) = 1.32; then lr 2 has two pulls, N = 7: lr 3
    // −0.5 + √(2 ln 7) = 1.47 beats lr 5 (1.40), lr 2 (−0.2 + √(ln 7) = 1.19), lr 4 (1.27) and lr 1 (1.07).
    assert.deepEqual(nextRound(spec, history).map((p) => p.values.lr), [5, 6, 2, 3]);
  });

  it("within its budget, most pulls go to the best arm of a noisy objective", () => {
    const means: Record<string, number> = { "0.1": 0.6, "0.03": 0.3, "0.01": 0.5 };
    const noise = new Rng(3);
    const spec: AdaptiveSpec = { design: "bandit", budget: 40, batch: 4, params: { lr: [0.1, 0.03, 0.01] } };
    const history = search(spec, (v) => means[String(v.lr)]! + noise.normal(0, 0.05));
    assert.equal(history.length, 40);
    const pulls = (lr: number) => history.filter((t) => t.values.lr === lr).length;
    assert.ok(pulls(0.03) > pulls(0.1) && pulls(0.03) > pulls(0.01), `${pulls(0.1)} ${pulls(0.03)} ${pulls(0.01)}`);
    assert.equal(nextRound(spec, history).length, 0, "budget spent");
  });
});

describe("evolution", () => {
  const spec: AdaptiveSpec = {
    design: "evolution",
    budget: 48,
    population: 8,
    mutation: 0.3,
    seed: 5,
    params: { lr: { loguniform: [1e-4, 1] }, width: { int: [2, 64] }, act: ["tanh", "relu", "sigmoid"] },
  };
  const objective = (v: Trial["values"]) => Math.abs(Math.log10(v.lr as number) + 2) + Math.abs((v.width as number) - 16) / 16 + (v.act === "tanh" ? 0 : 0.5);

  it("every value stays in its range; the best of each generation never gets worse (elitism); it improves", () => {
    const history = search(spec, objective);
    assert.equal(history.length, 48);
    for (const t of history) {
      assert.ok((t.values.lr as number) >= 1e-4 && (t.values.lr as number) <= 1);
      assert.ok(Number.isInteger(t.values.width) && (t.values.width as number) >= 2 && (t.values.width as number) <= 64);
      assert.ok(["tanh", "relu", "sigmoid"].includes(t.values.act as string));
    }
    const best = (g: number) => history.slice(g * 8, g * 8 + 8).reduce((m, t) => Math.min(m, t.loss), Infinity);
    for (let g = 1; g < 6; g++) assert.ok(best(g) <= best(g - 1), `generation ${g}`);
    assert.ok(best(5) < best(0));
    // Truncation selection: generation 1 starts with generation 0's best half, unchanged.
    const ranked = history.slice(0, 8).sort((a, b) => a.loss - b.loss).slice(0, 4);
    assert.deepEqual(history.slice(8, 12).map((t) => t.values), ranked.map((t) => t.values));
  });

  it("children take each parameter from a parent unless mutated; mutation changes a level / stays in range", () => {
    const rng = new Rng(1);
    for (let k = 0; k < 50; k++) {
      assert.notEqual(mutate("tanh", ["tanh", "relu"], rng), "tanh");
      const x = mutate(0.5, { uniform: [0, 1] }, rng) as number;
      assert.ok(x >= 0 && x <= 1);
    }
    const noMutation = { ...spec, mutation: 0 };
    const history = search({ ...noMutation, budget: 16 }, objective);
    const parents = history.slice(0, 8).map((t) => t.values);
    for (const child of history.slice(8).map((t) => t.values)) {
      for (const n of ["lr", "width", "act"]) assert.ok(parents.some((p) => p[n] === child[n]), `${n} ${child[n]} from a parent`);
    }
  });

  it("resuming from a history (shards merged between rounds) proposes what the unbroken search does", () => {
    const unbroken = search(spec, objective);
    const resumed = unbroken.slice(0, 24);
    assert.deepEqual(nextRound(spec, resumed).map((p) => p.values), unbroken.slice(24, 32).map((t) => t.values));
  });
});
