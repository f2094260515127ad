/**
 * A recorded run with rebirths: every lifecycle event lands in the run's event log with the fitness
 * terms and what a replay needs (init, seed, absorbed), and `verify` replays the rebirths bit for bit
 * (the reborn weights' optimizer state restarting at timestep 1, also in a replay restored mid-run) —
 * a changed event (another neuron) or a hostile one (a neuron that does not exist) is a mismatch.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { generators } from "../../kernel/engine/datasets/generators";
import { Model } from "../../kernel/engine/model";
import { adam } from "../../kernel/engine/optimizers/adam";
import { Trainer } from "../../kernel/engine/trainer";
import { NfrunReader, RunRecorder, verifyFile } from "../../kernel/record";
import type { RecordingPolicy } from "../../kernel/record/policy";
import { loadSqlJs } from "../../kernel/record/sqljs";

const dir = mkdtempSync(join(tmpdir(), "nf-record-lifecycle-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const data = generators.circles({ count: 40, noise: 0.05, seed: 1 });

async function record(path: string, policy: RecordingPolicy = {}): Promise<void> {
  const model = new Model({ inputs: 2, layers: [{ units: 6, activation: "relu" }, { units: 1, activation: "sigmoid" }] });
  model.initialize({ name: "he_uniform" }, 5);
  for (const j of [1, 4]) model.params[model.weightIndex(0, j, 2)] = -100;
  const rec = await RunRecorder.create(path, { data, epochs: 4, policy });
  const trainer = new Trainer({
    model, loss: "bce", strategy: adam, hyperparameters: { lr: 0.05 }, batchSize: 5, observers: [rec],
    lifecycle: { every: 4, maturity: 4, fraction: 0.2, seed: 9, temperature: { start: 2, decay: 8 } },
  });
  rec.finish(trainer.fit(data, 4));
}

async function tamper(src: string, dst: string, sql: string): Promise<void> {
  const SQL = await loadSqlJs();
  const db = new SQL.Database(readFileSync(src));
  db.run(sql);
  writeFileSync(dst, db.export());
  db.close();
}

describe("recording the lifecycle", () => {
  const good = join(dir, "good.nfrun");

  it("events carry the terms; verify replays the rebirths (and the temperature's rates) exactly", async () => {
    await record(good);
    const r = await NfrunReader.open(good);
    const runId = r.runIds()[0]!;
    const rows = r.query("SELECT t, message, data_json FROM events WHERE run_id = ? AND kind = 'lifecycle' ORDER BY seq", [runId]);
    r.close();
    assert.ok(rows.length >= 4, `${rows.length} lifecycle events`);
    const first = JSON.parse(String(rows[0]![2])) as { lifecycle: Record<string, unknown> };
    assert.equal(first.lifecycle.kind, "rebirth");
    for (const key of ["layer", "neuron", "reason", "age", "fitness", "gradNorm", "activationVariance", "stagnation", "absorbed", "seed", "init"]) {
      assert.ok(key in first.lifecycle, key);
    }
    assert.deepEqual(first.lifecycle.init, { name: "he_uniform" });
    assert.match(String(rows[0]![1]), /reborn after commit t=\d+/);
    const v = await verifyFile(good);
    assert.ok(v.ok, JSON.stringify(v.mismatch));
    assert.equal(v.runs[0]!.commitsChecked, 32);
  });

  it("a replay restored after unrecorded epochs steps the weights reborn in them with their own optimizer timestep", async () => {
    // Epochs 1 and 3 are not recorded: verify restores epoch 2 from its snapshot, after rebirths it did not replay.
    const sparse = join(dir, "sparse.nfrun");
    await record(sparse, { epochs: { every: 2 } });
    const v = await verifyFile(sparse);
    assert.ok(v.ok, JSON.stringify(v.mismatch));
    assert.equal(v.runs[0]!.commitsChecked, 16);
  });

  it("an event naming another neuron, or one that does not exist, fails verification", async () => {
    const moved = join(dir, "moved.nfrun");
    await tamper(good, moved, `UPDATE events SET data_json = replace(data_json, '"neuron":1,', '"neuron":0,') WHERE kind = 'lifecycle' AND data_json LIKE '%"neuron":1,%'`);
    const v = await verifyFile(moved);
    assert.equal(v.ok, false);
    const hostile = join(dir, "hostile.nfrun");
    await tamper(good, hostile, `UPDATE events SET data_json = replace(data_json, '"neuron":1,', '"neuron":99,') WHERE kind = 'lifecycle'`);
    const h = await verifyFile(hostile);
    assert.equal(h.ok, false);
    assert.equal(h.mismatch!.what, "lifecycle event neuron");
  });
});
