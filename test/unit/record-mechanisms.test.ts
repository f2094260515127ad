/**
 * Recording runs with clipping, no-decay groups and accumulation: recorded and verified; Lookahead
 * and configs that do not describe the trainer are refused before anything is written.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { generators } from "../../kernel/engine/datasets/generators";
import { Model } from "../../kernel/engine/model";
import { adamw } from "../../kernel/engine/optimizers/adamw";
import { Trainer, type TrainerOptions } from "../../kernel/engine/trainer";
import { RunRecorder, verifyFile } from "../../kernel/record";

const dir = mkdtempSync(join(tmpdir(), "nf-record-mech-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const data = generators.circles({ count: 40, noise: 0.05, seed: 1 });

function trainer(extra: Partial<TrainerOptions>, observers: TrainerOptions["observers"]): Trainer {
  const model = new Model({ inputs: 2, layers: [{ units: 4, activation: "tanh" }, { units: 1, activation: "sigmoid" }] });
  model.initialize({ name: "xavier_uniform" }, 5);
  return new Trainer({ model, loss: "bce", strategy: adamw, hyperparameters: { lr: 0.05, weight_decay: 0.1 }, batchSize: 5, observers, ...extra });
}

describe("recording clipping, parameter groups, accumulation", () => {
  it("records (default config) and verify replays them exactly", async () => {
    const path = join(dir, "mech.nfrun");
    const rec = await RunRecorder.create(path, { data, epochs: 3 });
    const t = trainer({ clipGradNorm: 0.05, accumulateSteps: 2, noDecay: { patterns: ["bias"] } }, [rec]);
    const result = t.fit(data, 3);
    rec.finish(result);
    const v = await verifyFile(path);
    assert.ok(v.ok, JSON.stringify(v.mismatch));
    assert.equal(v.runs[0]!.commitsChecked, 12);
  });

  it("refuses Lookahead runs and a config that does not describe the trainer", async () => {
    const path = join(dir, "refused.nfrun");
    const rec = await RunRecorder.create(path, { data, epochs: 1 });
    assert.throws(() => trainer({ lookahead: { k: 2, alpha: 0.5 } }, [rec]).fit(data, 1), /recording Lookahead runs is not supported yet/);
    const rec2 = await RunRecorder.create(path, { data, epochs: 1, config: { training: { clip_grad_norm: 0 } } });
    assert.throws(() => trainer({ clipGradNorm: 1 }, [rec2]).fit(data, 1), /does not describe the trainer's clipping/);
    assert.ok(!existsSync(path));
  });
});
