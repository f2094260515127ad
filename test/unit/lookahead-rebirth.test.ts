/**
 * A reborn neuron under Lookahead starts a fresh Lookahead for its weights (issue #14): its slow weights
 * are its reborn weights, so at the next sync (Zhang et al. 2019, docs/optimizers.md: slow ← slow +
 * α(fast − slow), fast ← slow) each reborn weight becomes w_r + α(fast − w_r), w_r its value right after
 * the rebirth — not a pull towards the dead neuron's old slow weights. Checked with that formula against
 * the live trainer; a recorded run verifies (slow weights at every snapshot) and its θ[t] series equal the
 * live weights after every commit.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { generators } from "../../kernel/engine/datasets/generators";
import type { LifecycleEvent } from "../../kernel/engine/lifecycle/events";
import { rebirthWeights } from "../../kernel/engine/lifecycle/rebirth";
import { Model } from "../../kernel/engine/model";
import { adam } from "../../kernel/engine/optimizers/adam";
import { Trainer } from "../../kernel/engine/trainer";
import { NfrunReader, RunRecorder, verifyFile, weightSeries } from "../../kernel/record";

const K = 6;
const ALPHA = 0.5;
const EPOCHS = 4;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nf-lookahead-rebirth-"));
const file = path.join(dir, "lookahead-lifecycle.nfrun");
const data = generators.circles({ count: 40, noise: 0.05, seed: 1 });
const model = new Model({ inputs: 2, layers: [{ units: 6, activation: "relu" }, { units: 1, activation: "sigmoid" }] });
/** Weights after every commit (after the rebirths, and after the sync on a sync commit), and the fast weights before each sync. */
const live = new Map<number, Float64Array>();
const fastBeforeSync = new Map<number, Float64Array>();
const rebirths: LifecycleEvent[] = [];

before(async () => {
  model.initialize({ name: "he_uniform" }, 5);
  // Two dead ReLUs (bias −100): the lifecycle reborn them, and more, as fraction 0.2 asks.
  for (const j of [1, 4]) model.params[model.weightIndex(0, j, 2)] = -100;
  live.set(0, model.params.slice());
  const rec = await RunRecorder.create(file, { data, epochs: EPOCHS, snapshotCommits: 64 });
  const trainer = new Trainer({
    model, loss: "bce", strategy: adam, hyperparameters: { lr: 0.05 }, batchSize: 5, lookahead: { k: K, alpha: ALPHA },
    lifecycle: { every: 4, maturity: 4, fraction: 0.2, seed: 9 },
    observers: [
      rec,
      {
        // Observers see a commit after the lifecycle and before Lookahead's sync (trainer.commit).
        onCommit: (e) => {
          live.set(e.t, model.params.slice());
          if (e.t % K === 0) fastBeforeSync.set(e.t, model.params.slice());
        },
        onNotice: (n) => {
          if (n.lifecycle?.kind === "rebirth") rebirths.push(n.lifecycle);
          if (n.kind === "lookahead_sync") live.set(n.t!, model.params.slice());
        },
      },
    ],
  });
  rec.finish(trainer.fit(data, EPOCHS));
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Rebirths inside a period whose neuron is not reborn again before that period's sync. */
const insidePeriod = (): LifecycleEvent[] =>
  rebirths.filter((e) => e.t % K !== 0 && fastBeforeSync.has(Math.ceil(e.t / K) * K) && !rebirths.some((o) => o !== e && o.neuron === e.neuron && o.t > e.t && o.t <= Math.ceil(e.t / K) * K));

describe("Lookahead's slow weights at a rebirth", () => {
  it("after the next sync a reborn neuron's weights are w_r + α(fast − w_r): a fresh Lookahead started at the rebirth", () => {
    const checked = insidePeriod();
    assert.ok(checked.length >= 2, `${checked.length} rebirths inside a period (${rebirths.length} rebirths)`);
    let pulledBack = 0;
    for (const e of checked) {
      const sync = Math.ceil(e.t / K) * K;
      const reborn = live.get(e.t)!;
      const fast = fastBeforeSync.get(sync)!;
      const after = live.get(sync)!;
      for (const i of rebirthWeights(model.layers, e.layer, e.neuron)) {
        assert.equal(after[i], reborn[i]! + ALPHA * (fast[i]! - reborn[i]!), `weight ${i} of neuron ${e.neuron} reborn at t=${e.t}, synced at t=${sync}`);
      }
      // The slow weights at the period's start (the dead neuron's) would have given another value.
      const start = live.get(sync - K)!;
      if (rebirthWeights(model.layers, e.layer, e.neuron).some((i) => start[i] !== reborn[i])) pulledBack++;
    }
    assert.ok(pulledBack >= 1, "the check tells a fresh Lookahead from the old slow weights");
  });

  it("a recorded Lookahead + lifecycle run verifies; its θ[t] series and the popup's sync are the live weights", async () => {
    const v = await verifyFile(file);
    assert.ok(v.ok, JSON.stringify(v.mismatch));
    const commits = v.runs[0]!.commitsChecked;
    assert.equal(commits, 32);
    const reader = await NfrunReader.open(file);
    try {
      const runId = reader.runIds()[0]!;
      for (const layer of model.layers) {
        for (let j = 0; j < layer.units; j++) {
          for (let k = 0; k <= layer.inputs; k++) {
            const s = weightSeries(reader, runId, layer.index, j, k);
            assert.ok(!("kind" in s), JSON.stringify(s));
            const flat = model.weightIndex(layer.index, j, k);
            for (let t = 0; t <= commits; t++) assert.ok(Object.is(s.values[t], live.get(t)![flat]), `[${layer.index}, ${j}, ${k}] t=${t}`);
          }
        }
      }
      // The popup at the sync after a rebirth: slow before = the reborn weight, slow after = the live weight.
      for (const e of insidePeriod()) {
        const sync = Math.ceil(e.t / K) * K;
        const flat = model.weightIndex(e.layer, e.neuron, 0);
        const tr = reader.weightTrace(runId, e.layer, e.neuron, 0, sync);
        assert.ok(tr.kind === "weight-trace", JSON.stringify(tr));
        assert.deepEqual(tr.commit.lookahead, { k: K, alpha: ALPHA, slowBefore: live.get(e.t)![flat], fastBeforeSync: fastBeforeSync.get(sync)![flat], slowAfter: live.get(sync)![flat] });
      }
    } finally {
      reader.close();
    }
  });
});
