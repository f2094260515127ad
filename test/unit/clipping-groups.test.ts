/**
 * Global-norm clipping, gradient accumulation and no-decay parameter groups, each against its hand
 * formula on a small network (SGD without momentum, so after = before − γ·g exactly).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { clipScale, globalGradNorm } from "../../kernel/engine/clipping";
import { datasetFromRows } from "../../kernel/engine/datasets/dataset";
import { Model } from "../../kernel/engine/model";
import type { CommitEvent } from "../../kernel/engine/observer";
import { adamw } from "../../kernel/engine/optimizers/adamw";
import { sgd } from "../../kernel/engine/optimizers/sgd";
import { noDecayGroups, parameterNames, patternMatches } from "../../kernel/engine/param-groups";
import { Trainer, type TrainerOptions } from "../../kernel/engine/trainer";

const data = datasetFromRows(
  "t",
  [[0, 1], [1, 0], [1, 1], [0.5, -1], [2, 1], [-1, 0.5], [0, 0], [1.5, -0.5]],
  [[1], [0], [1], [0], [1], [0], [1], [0]],
);

function model(): Model {
  const m = new Model({ inputs: 2, layers: [{ units: 3, activation: "tanh" }, { units: 1, activation: "sigmoid" }] });
  m.initialize({ name: "xavier_uniform" }, 11);
  return m;
}

interface Seen {
  before: number[];
  avg: number[];
  after: number[];
  e: Omit<CommitEvent, "trainer" | "record">;
  audit: number[];
}

function train(options: Partial<TrainerOptions>, epochs = 2): { trainer: Trainer; seen: Seen[] } {
  const seen: Seen[] = [];
  const trainer = new Trainer({
    model: model(),
    loss: "bce",
    strategy: sgd,
    hyperparameters: { lr: 0.7 },
    batchSize: 4,
    ...options,
    observers: [
      {
        wantsCommitDetail: true,
        onCommit: (e) => {
          const { trainer: tr, record, ...rest } = e;
          seen.push({ before: Array.from(record!.before), avg: Array.from(record!.avg), after: Array.from(tr.model.params), e: rest, audit: Array.from(record!.audit) });
        },
      },
    ],
  });
  for (let k = 0; k < epochs; k++) trainer.trainEpoch(data);
  return { trainer, seen };
}

describe("clipping by global gradient norm", () => {
  test("scale = min(1, c/(‖avg‖+1e-6)); the strategy steps on avg·scale; the audit has the norm and the scale", () => {
    const c = 0.05;
    const { seen } = train({ clipGradNorm: c });
    let clipped = 0;
    for (const s of seen) {
      const norm = Math.sqrt(s.avg.reduce((a, g) => a + g * g, 0));
      assert.ok(Math.abs(s.e.clipNorm - norm) <= 1e-15 * norm, `${s.e.clipNorm} vs ${norm}`);
      assert.equal(s.e.gradNorm, s.e.clipNorm, "gradNorm is ‖avg‖ before clipping");
      const scale = Math.min(1, c / (norm + 1e-6));
      assert.ok(Math.abs(s.e.clipScale - scale) <= 1e-15, `${s.e.clipScale} vs ${scale}`);
      if (scale < 1) clipped++;
      s.avg.forEach((g, i) => {
        const expected = s.before[i]! - 0.7 * (g * s.e.clipScale);
        assert.ok(Math.abs(s.after[i]! - expected) <= 1e-15 * Math.max(1, Math.abs(expected)), `weight ${i}`);
        assert.equal(s.audit[i * 3], g * s.e.clipScale, "the strategy's g column is the clipped gradient");
      });
    }
    assert.ok(clipped > 0, "c was small enough to clip");
  });

  test("a threshold never reached is bit-identical to no clipping; off reports NaN and 1", () => {
    const off = train({});
    const big = train({ clipGradNorm: 1e9 });
    assert.deepEqual(Array.from(big.trainer.model.params), Array.from(off.trainer.model.params));
    assert.ok(Number.isNaN(off.seen[0]!.e.clipNorm));
    assert.equal(off.seen[0]!.e.clipScale, 1);
    assert.equal(big.seen[0]!.e.clipScale, 1);
  });

  test("helpers: norm over bank/count, torch's coefficient", () => {
    assert.equal(globalGradNorm(Float64Array.from([6, 8]), 2), 5);
    assert.equal(clipScale(5, 1), 1 / (5 + 1e-6));
    assert.equal(clipScale(0.5, 1), 1);
    assert.ok(Number.isNaN(clipScale(Infinity, 1)));
    assert.throws(() => train({ clipGradNorm: -1 }), /clip_grad_norm: must be a finite number ≥ 0/);
  });
});

describe("gradient accumulation", () => {
  test("batch 2 × 2 micro-batches = batch 4: same weights bit for bit, count 4 per commit", () => {
    const acc = train({ batchSize: 2, accumulateSteps: 2 });
    const big = train({ batchSize: 4 });
    assert.equal(acc.trainer.batchSize, 4);
    assert.equal(acc.trainer.microBatchSize, 2);
    assert.equal(acc.trainer.accumulateSteps, 2);
    assert.deepEqual(Array.from(acc.trainer.model.params), Array.from(big.trainer.model.params));
    assert.deepEqual(acc.seen.map((s) => s.e.count), [4, 4, 4, 4]);
  });

  test("the commit averages over the total count: avg = (Σ micro-batch banks) / (k·batch)", () => {
    const acc = train({ batchSize: 1, accumulateSteps: 8 }, 1);
    assert.equal(acc.seen.length, 1);
    assert.equal(acc.seen[0]!.e.count, 8);
    assert.throws(() => train({ accumulateSteps: 0 }), /accumulate_steps: must be an integer ≥ 1/);
  });
});

describe("parameter groups: no weight decay for matching parameters", () => {
  test("names and dot-boundary patterns", () => {
    const m = model();
    assert.deepEqual(parameterNames(m), ["layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias"]);
    assert.ok(patternMatches("bias", "layers.0.bias"));
    assert.ok(patternMatches("layers.1", "layers.1.weight"));
    assert.ok(!patternMatches("layers.1", "layers.10.weight"));
    assert.ok(!patternMatches("bia", "layers.0.bias"));
    const g = noDecayGroups(m, ["bias"]);
    assert.deepEqual(g.parameters, ["layers.0.bias", "layers.1.bias"]);
    assert.equal(g.weights, 4);
    // Biases are weight index = inputs of each neuron.
    const biasIdx = [2, 5, 8, 12];
    assert.deepEqual(Array.from(g.mask).flatMap((v, i) => (v ? [i] : [])), biasIdx);
    assert.deepEqual(noDecayGroups(m, ["layers.0"]).weights, 9);
    assert.throws(() => noDecayGroups(m, ["bias", "bais"]), /no_decay_patterns\[1\]: 'bais' matches no parameter of this model \(parameters: layers\.0\.weight/);
  });

  test("SGD (coupled): biases step γ·g, other weights γ·(g + λθ)", () => {
    const lambda = 0.1;
    const { seen } = train({ hyperparameters: { lr: 0.7, weight_decay: lambda }, noDecay: { patterns: ["bias"] } });
    const bias = new Set([2, 5, 8, 12]);
    for (const s of seen) {
      s.avg.forEach((g, i) => {
        const expected = s.before[i]! - 0.7 * (bias.has(i) ? g : g + lambda * s.before[i]!);
        assert.ok(Math.abs(s.after[i]! - expected) <= 1e-15 * Math.max(1, Math.abs(expected)), `weight ${i}`);
      });
    }
  });

  test("AdamW (decoupled): the γλθ audit column is 0 for the no-decay layer, γλθ elsewhere; a custom group decay", () => {
    const seen: { before: number[]; audit: number[]; lr: number[] }[] = [];
    const trainer = new Trainer({
      model: model(), loss: "bce", strategy: adamw, hyperparameters: { lr: 0.01, weight_decay: 0.2 }, batchSize: 8,
      noDecay: { patterns: ["layers.1"], weightDecay: 0.05 },
      observers: [{ wantsCommitDetail: true, onCommit: (e) => seen.push({ before: Array.from(e.record!.before), audit: Array.from(e.record!.audit), lr: Array.from(e.record!.lr) }) }],
    });
    trainer.trainEpoch(data);
    const width = adamw.audit.length;
    const s = seen[0]!;
    for (let i = 0; i < 13; i++) {
      const lambda = i >= 9 ? 0.05 : 0.2;
      assert.equal(s.audit[i * width], s.lr[i]! * lambda * s.before[i]!, `weight ${i}`);
    }
    assert.equal(trainer.state.hyperparametersOf(0).weight_decay, 0.2);
    assert.equal(trainer.state.hyperparametersOf(12).weight_decay, 0.05);
  });
});
