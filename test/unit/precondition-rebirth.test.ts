/**
 * A reborn weight under a network preconditioner (empirical Fisher, Gauss–Newton) steps as a fresh
 * optimizer would: its own timestep restarts at 1, which for a fresh optimizer is a refresh commit, so the
 * trainer estimates the curvature before that commit even when the run's own schedule (every `refresh`
 * commits) does not — instead of the zero its reset left in curv_est (a rate γ/√(floor + ε) ≈ 10⁴·γ).
 * Reference: a fresh trainer started on the reborn weights, whose first commit (a refresh) on the same
 * batch gives the reborn weights' adjustments bit for bit. A recorded run verifies, and the popup's replay
 * of a reborn weight's first step recomputes its recorded adjustment.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { generators } from "../../kernel/engine/datasets/generators";
import type { LifecycleEvent } from "../../kernel/engine/lifecycle/events";
import { rebirthWeights } from "../../kernel/engine/lifecycle/rebirth";
import { Model, type ModelSpec } from "../../kernel/engine/model";
import { precondFisher } from "../../kernel/engine/optimizers/precond-fisher";
import { precondGaussNewton } from "../../kernel/engine/optimizers/precond-gn";
import type { Strategy } from "../../kernel/engine/optimizers/strategy";
import { Trainer } from "../../kernel/engine/trainer";
import { NfrunReader, RunRecorder, verifyFile } from "../../kernel/record";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nf-precondition-rebirth-"));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
const data = generators.circles({ count: 40, noise: 0.05, seed: 1 });
const spec: ModelSpec = { inputs: 2, layers: [{ units: 6, activation: "relu" }, { units: 1, activation: "sigmoid" }] };
/** Refresh every 3 commits (t = 1, 4, 7, …); rebirths after t = 4, 8: their first own step (t = 5, 9) is no run refresh. */
const hyper = { lr: 0.02, refresh: 3, beta: 0.5, lr_max: 10 };
const COMMITS = 12;

/** Full-batch training (one commit per epoch, the same batch every time) with two dead ReLUs the lifecycle rebirths. */
async function train(strategy: Strategy, file: string | null) {
  const model = new Model(spec);
  model.initialize({ name: "he_uniform" }, 5);
  for (const j of [1, 4]) model.params[model.weightIndex(0, j, 2)] = -100;
  const live = new Map<number, Float64Array>();
  const adjustments = new Map<number, Float64Array>();
  const rebirths: LifecycleEvent[] = [];
  const rec = file ? await RunRecorder.create(file, { data, epochs: COMMITS }) : null;
  const trainer = new Trainer({
    model, loss: "bce", strategy, hyperparameters: hyper, batchSize: data.count,
    lifecycle: { every: 4, maturity: 4, fraction: 0, threshold: -0.99, seed: 3 },
    observers: [
      ...(rec ? [rec] : []),
      {
        onCommit: (e) => {
          live.set(e.t, model.params.slice());
          adjustments.set(e.t, e.adjustment.slice());
        },
        onNotice: (n) => void (n.lifecycle?.kind === "rebirth" && rebirths.push(n.lifecycle)),
      },
    ],
  });
  const result = trainer.fit(data, COMMITS);
  rec?.finish(result);
  return { model, live, adjustments, rebirths };
}

/** A fresh optimizer's first adjustments from `weights` on the same batch. */
function freshFirstStep(strategy: Strategy, weights: Float64Array): Float64Array {
  const model = new Model(spec);
  model.params.set(weights);
  let first: Float64Array | null = null;
  const trainer = new Trainer({ model, loss: "bce", strategy, hyperparameters: hyper, batchSize: data.count, observers: [{ onCommit: (e) => void (first ??= e.adjustment.slice()) }] });
  trainer.trainEpoch(data);
  return first!;
}

describe("a reborn weight under a network preconditioner", () => {
  for (const strategy of [precondFisher, precondGaussNewton]) {
    it(`${strategy.id}: its first step after the rebirth is a fresh optimizer's (curvature estimated, not the reset's zero)`, async () => {
      const run = await train(strategy, null);
      const checked = run.rebirths.filter((e) => (e.t + 1 - 1) % hyper.refresh !== 0 && e.t < COMMITS);
      assert.ok(checked.length >= 1, `a rebirth whose next commit is no run refresh (${run.rebirths.map((e) => e.t).join(", ")})`);
      for (const e of checked) {
        const fresh = freshFirstStep(strategy, run.live.get(e.t)!);
        const adj = run.adjustments.get(e.t + 1)!;
        for (const i of rebirthWeights(run.model.layers, e.layer, e.neuron)) {
          assert.ok(Object.is(adj[i], fresh[i]), `weight ${i} of neuron ${e.neuron} reborn at t=${e.t}: ${adj[i]} vs a fresh optimizer's ${fresh[i]}`);
        }
      }
    });
  }

  it("a recorded run verifies, and a reborn weight's popup recomputes its first step", async () => {
    const file = path.join(dir, "fisher.nfrun");
    const run = await train(precondFisher, file);
    const v = await verifyFile(file);
    assert.ok(v.ok, JSON.stringify(v.mismatch));
    const e = run.rebirths.find((x) => x.t % hyper.refresh !== 0)!;
    const reader = await NfrunReader.open(file);
    try {
      const tr = reader.weightTrace(reader.runIds()[0]!, e.layer, e.neuron, 0, e.t + 1);
      assert.ok(tr.kind === "weight-trace", JSON.stringify(tr));
      assert.equal(tr.commit.stepT, 1);
      assert.ok(Object.is(tr.commit.recomputedAdjustment, tr.commit.adjustment), `${tr.commit.recomputedAdjustment} vs ${tr.commit.adjustment}`);
      assert.ok(Object.is(tr.commit.adjustment, run.adjustments.get(e.t + 1)![run.model.weightIndex(e.layer, e.neuron, 0)]));
    } finally {
      reader.close();
    }
  });
});
