/**
 * A learning rate changed mid-run with setLearningRate is recorded (table learning_rate_changes), so
 * verify's replay, the reader's weightTrace (the popup's LR column) and the adjustments stay exact.
 * Real sql.js files, recorded by the real recorder and writer thread.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, test } from "node:test";
import { datasetFromRows, Model, Trainer, type TrainingObserver } from "../../kernel/engine";
import { getStrategy } from "../../kernel/engine/optimizers/registry";
import { NfrunReader, RunRecorder, verifyFile } from "../../kernel/record";
import { loadSqlJs } from "../../kernel/record/sqljs";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nfrun-lr-"));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const CHANGE_AFTER = 7;
const NEW_RATE = 0.004;
const BIAS_RATE = 0.09;

/** 3 epochs × 5 commits of SGD with a schedule; after commit 7 every rate becomes 0.004, and one bias 0.09. */
async function record(file: string): Promise<string> {
  const xs: number[][] = [];
  const ys: number[][] = [];
  for (let i = 0; i < 40; i++) {
    xs.push([Math.sin(i * 0.37) * 2, Math.cos(i * 0.91)]);
    ys.push([Math.sin(i * 0.37) > 0 ? 1 : 0]);
  }
  const data = datasetFromRows("waves", xs, ys);
  const model = new Model({ inputs: 2, layers: [{ units: 3, activation: "tanh" }, { units: 1, activation: "sigmoid" }] });
  model.initialize({ name: "xavier_uniform" }, 5);
  const rec = await RunRecorder.create(file, { data, seed: 5, epochs: 3, checkpointSeconds: 3600, snapshotCommits: 100 });
  // The user's observer changes the rates at a commit in the middle of epoch 1.
  const changer: TrainingObserver = {
    readsBank: false,
    onCommit(e) {
      if (e.t !== CHANGE_AFTER) return;
      for (const l of model.layers) for (let j = 0; j < l.units; j++) for (let w = 0; w <= l.inputs; w++) e.trainer.setLearningRate(l.index, j, w, NEW_RATE);
      e.trainer.setLearningRate(0, 1, 2, BIAS_RATE);
    },
  };
  const trainer = new Trainer({ model, loss: "bce", strategy: getStrategy("sgd"), hyperparameters: { lr: 0.05, momentum: 0.5 }, batchSize: 8, seed: 5, observers: [rec, changer], schedule: (t) => 1 / (1 + 0.1 * t) });
  rec.finish(trainer.fit(data, 3));
  return rec.runId;
}

test("setLearningRate mid-run: verify passes, the popup's LR shows each rate before and after the change", async () => {
  const file = path.join(dir, "lr.nfrun");
  const runId = await record(file);
  const result = await verifyFile(file);
  assert.equal(result.ok, true, JSON.stringify(result.mismatch));
  assert.equal(result.runs[0]!.commitsChecked, 15);
  const reader = await NfrunReader.open(file);
  try {
    const scale = (t: number) => 1 / (1 + 0.1 * t);
    const lrAt = (layer: number, neuron: number, weight: number, t: number) => {
      const tr = reader.weightTrace(runId, layer, neuron, weight, t);
      assert.equal(tr.kind, "weight-trace");
      return tr.kind === "weight-trace" ? tr.commit : null!;
    };
    for (const t of [1, CHANGE_AFTER - 1, CHANGE_AFTER]) assert.equal(lrAt(1, 0, 2, t).lr, 0.05 * scale(t), `t=${t}: the starting rate`);
    for (const t of [CHANGE_AFTER + 1, 12, 15]) {
      assert.equal(lrAt(1, 0, 2, t).lr, NEW_RATE * scale(t), `t=${t}: the new rate`);
      assert.equal(lrAt(0, 1, 2, t).lr, BIAS_RATE * scale(t), `t=${t}: the bias's own rate`);
    }
    // The replayed adjustment is the recorded one: SGD's adj = LR × direction.
    const c = lrAt(0, 1, 2, CHANGE_AFTER + 1);
    assert.equal(c.recomputedAdjustment, c.adjustment);
    assert.equal(c.adjustment, c.lr * c.audit!.direction!);
    const events = reader.events(runId).filter((e) => e.kind === "learning_rates");
    assert.deepEqual(events.map((e) => e.t), [CHANGE_AFTER]);
  } finally {
    reader.close();
  }
});

test("a tampered recorded learning rate fails verify at the first commit that uses it", async () => {
  const file = path.join(dir, "lr-good.nfrun");
  await record(file);
  const SQL = await loadSqlJs();
  const db = new SQL.Database(fs.readFileSync(file));
  const rates = new Float64Array((db.exec("SELECT rates FROM learning_rate_changes")[0]!.values[0]![0] as Uint8Array).slice().buffer);
  rates[3] = rates[3]! * 1.5;
  db.run("UPDATE learning_rate_changes SET rates = ?", [new Uint8Array(rates.buffer)]);
  const bad = path.join(dir, "lr-tampered.nfrun");
  fs.writeFileSync(bad, db.export());
  db.close();
  const result = await verifyFile(bad);
  assert.equal(result.ok, false);
  assert.equal(result.mismatch!.what, "adjustment (strategy replay ≠ recorded)");
  assert.equal(result.mismatch!.t, CHANGE_AFTER + 1);
  assert.deepEqual([result.mismatch!.layer, result.mismatch!.neuron, result.mismatch!.weight], [0, 1, 0]);
});
