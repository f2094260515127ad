import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { datasetFromRows, Model, Trainer, type Dataset } from "../../kernel/engine";
import { getStrategy } from "../../kernel/engine/optimizers/registry";
import { NfrunError, NfrunReader, RunRecorder, SCHEMA_VERSION, verifyFile, type WeightTrace } from "../../kernel/record";
import { loadSqlJs } from "../../kernel/record/sqljs";

/** The writer thread (kernel/record/writer-thread.ts) and schema version 2 (no stored z). */

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nfrun-writer-"));

function data(): Dataset {
  const xs: number[][] = [];
  const ys: number[][] = [];
  for (let i = 0; i < 40; i++) xs.push([Math.sin(i), Math.cos(i * 1.3)]), ys.push([Math.sin(i) * Math.cos(i * 1.3)]);
  return datasetFromRows("wave", xs, ys);
}

function trainer(observers: RunRecorder[]): Trainer {
  const model = new Model({ inputs: 2, layers: [{ units: 4, activation: "tanh" }, { units: 1, activation: "linear" }] });
  model.initialize({ name: "xavier_uniform" }, 3);
  return new Trainer({ model, loss: "mse", strategy: getStrategy("adam"), hyperparameters: { lr: 0.01 }, batchSize: 4, shuffle: true, seed: 3, observers });
}

test("each checkpoint the writer thread reports holds exactly the commits recorded before it was asked for", async () => {
  const file = path.join(dir, "checkpoints.nfrun");
  const d = data();
  const seen: { t: number; commits: number; trace: number; status: string; fitting: boolean }[] = [];
  let fitting = true;
  const SQL = await loadSqlJs();
  const rec = await RunRecorder.create(file, {
    data: d,
    checkpointSeconds: 3600,
    checkpointEpochs: 1,
    // Called on the training thread once the writer has renamed the checkpoint into place; the next
    // checkpoint is asked for at the next epoch end, so the file on disk is this one or a later one.
    onCheckpoint: (info) => {
      const db = new SQL.Database(fs.readFileSync(file));
      const [commits, status] = db.exec("SELECT commits, status FROM runs")[0]!.values[0]!;
      const trace = Number(db.exec("SELECT count(*) FROM commits")[0]!.values[0]![0]);
      db.close();
      seen.push({ t: info.t, commits: Number(commits), trace, status: String(status), fitting });
    },
  });
  const tr = trainer([rec]);
  const result = tr.fit(d, 200);
  fitting = false;
  assert.equal(rec.finish(result), "completed");
  const during = seen.filter((s) => s.fitting);
  assert.ok(during.length > 0, "no checkpoint reached the training thread during the fit");
  for (const s of during) {
    assert.equal(s.t % 10, 0, "checkpoints are asked for at epoch ends (10 commits per epoch)");
    assert.ok(s.commits >= s.t && s.commits % 10 === 0, JSON.stringify(s));
    assert.equal(s.trace, s.commits);
    assert.equal(s.status, "interrupted");
  }
  assert.deepEqual(seen.at(-1), { t: 2000, commits: 2000, trace: 2000, status: "completed", fitting: false });
  assert.equal((await verifyFile(file)).mismatch, null);
});

test("a writer-thread failure reaches the training thread as an NfrunError, and finish repeats it", async () => {
  const gone = fs.mkdtempSync(path.join(dir, "gone-"));
  const file = path.join(gone, "run.nfrun");
  const d = data();
  const rec = await RunRecorder.create(file, { data: d, checkpointSeconds: 0 });
  // The folder existed when the file was claimed (its lock proved it writable), then it went away.
  fs.rmSync(gone, { recursive: true });
  const tr = trainer([rec]);
  // The first checkpoint cannot be written; the error surfaces at a later commit (the writer works in parallel).
  assert.throws(() => tr.fit(d, 500), (e: unknown) => e instanceof NfrunError && e.kind === "io" && /gone-.*run\.nfrun: cannot be written: its folder no longer exists \(ENOENT\)/.test(e.message));
  assert.throws(() => rec.finish("interrupted"), (e: unknown) => e instanceof NfrunError && e.kind === "io");
  assert.equal(fs.existsSync(file), false);
});

test("schema version 1 files (with a stored z) stay readable; the recorder does not append to them", async () => {
  const file = path.join(dir, "v2.nfrun");
  const d = data();
  const rec = await RunRecorder.create(file, { data: d, checkpointSeconds: 3600 });
  rec.finish(trainer([rec]).fit(d, 2));
  // A version 1 file: the same tables plus sample_chunks.z, without run_integrity (version 3), user_version 1 (also in nf_meta).
  const SQL = await loadSqlJs();
  const db = new SQL.Database(fs.readFileSync(file));
  assert.equal(db.exec("PRAGMA user_version")[0]!.values[0]![0], SCHEMA_VERSION);
  db.run("ALTER TABLE sample_chunks ADD COLUMN z BLOB; UPDATE sample_chunks SET z = a; DROP TABLE run_integrity; PRAGMA user_version = 1;");
  db.run("UPDATE nf_meta SET value = '1' WHERE key = 'schema_version'");
  const v1 = path.join(dir, "v1.nfrun");
  fs.writeFileSync(v1, db.export());
  db.close();
  const r2 = await NfrunReader.open(file);
  const r1 = await NfrunReader.open(v1);
  const id = r2.runIds()[0]!;
  assert.deepEqual(r1.weightTrace(id, 1, 0, 2, 15) as WeightTrace, r2.weightTrace(id, 1, 0, 2, 15) as WeightTrace);
  r1.close();
  r2.close();
  assert.equal((await verifyFile(v1)).mismatch, null);
  await assert.rejects(RunRecorder.create(v1, { data: d }), (e: unknown) => e instanceof NfrunError && e.kind === "older-version");
});

test("a schema version 2 file (no strategies / learning_rate_changes / run_integrity tables) reads, verifies, and becomes the current version when a run is appended", async () => {
  const file = path.join(dir, "v3.nfrun");
  const d = data();
  const rec = await RunRecorder.create(file, { data: d, checkpointSeconds: 3600 });
  rec.finish(trainer([rec]).fit(d, 2));
  const SQL = await loadSqlJs();
  const db = new SQL.Database(fs.readFileSync(file));
  db.run("DROP TABLE strategies; DROP TABLE learning_rate_changes; DROP TABLE run_integrity; PRAGMA user_version = 2; UPDATE nf_meta SET value = '2' WHERE key = 'schema_version';");
  const v2 = path.join(dir, "v2-append.nfrun");
  fs.writeFileSync(v2, db.export());
  db.close();
  assert.equal((await verifyFile(v2)).mismatch, null);
  const again = await RunRecorder.create(v2, { data: d, checkpointSeconds: 3600 });
  again.finish(trainer([again]).fit(d, 2));
  const after = new SQL.Database(fs.readFileSync(v2));
  assert.equal(after.exec("PRAGMA user_version")[0]!.values[0]![0], SCHEMA_VERSION);
  assert.equal(after.exec("SELECT value FROM nf_meta WHERE key = 'schema_version'")[0]!.values[0]![0], String(SCHEMA_VERSION));
  assert.deepEqual(after.exec("SELECT run_id, strategy_id, builtin FROM strategies")[0]!.values, [[again.runId, "adam", 1]]);
  after.close();
  const v = await verifyFile(v2);
  assert.equal(v.mismatch, null);
  assert.deepEqual(v.runs.map((r) => r.integrity).sort(), ["not-proven", "proven"]);
});

test("two runs recorded at once in one process (one writer thread) each give a file that verifies", async () => {
  const d = data();
  const files = [path.join(dir, "twin-a.nfrun"), path.join(dir, "twin-b.nfrun")];
  const recs = await Promise.all(files.map((f) => RunRecorder.create(f, { data: d, checkpointSeconds: 0.01 })));
  const trainers = recs.map((r) => trainer([r]));
  // Interleaved epochs: the writer thread receives both runs' chunks and checkpoints mixed.
  for (let e = 0; e < 30; e++) for (const t of trainers) t.trainEpoch(d);
  recs.forEach((r) => r.finish("completed"));
  for (const [i, f] of files.entries()) {
    const reader = await NfrunReader.open(f);
    assert.deepEqual(reader.runIds(), [recs[i]!.runId]);
    assert.equal(reader.run(recs[i]!.runId).commits, 300);
    reader.close();
    assert.equal((await verifyFile(f)).mismatch, null);
  }
});

test("one writer per file: a second recorder of the same file is refused until the first finishes", async () => {
  const file = path.join(dir, "one-writer.nfrun");
  const d = data();
  const first = await RunRecorder.create(file, { data: d, checkpointSeconds: 3600 });
  await assert.rejects(RunRecorder.create(file, { data: d }), (e: unknown) => e instanceof NfrunError && e.kind === "locked" && /is being recorded by this process/.test(e.message));
  assert.ok(fs.existsSync(`${file}.lock`));
  first.finish(trainer([first]).fit(d, 2));
  assert.ok(!fs.existsSync(`${file}.lock`), "finish frees the file");
  const second = await RunRecorder.create(file, { data: d, checkpointSeconds: 3600 });
  second.finish(trainer([second]).fit(d, 2));
  assert.equal((await verifyFile(file)).runs.length, 2);
});

test("runs of one process with same-sized datasets (the dataset copies are handed back and reused) each store their own dataset, bit for bit", async () => {
  const SQL = await loadSqlJs();
  const sets = [data(), datasetFromRows("wave-2", Array.from({ length: 40 }, (_, i) => [i / 7, -i]), Array.from({ length: 40 }, (_, i) => [i % 3]))];
  for (const [i, d] of [...sets, sets[0]!].entries()) {
    const file = path.join(dir, `dataset-reuse-${i}.nfrun`);
    const rec = await RunRecorder.create(file, { data: d });
    rec.finish(trainer([rec]).fit(d, 2));
    // The caller's arrays were copied, not transferred.
    assert.equal(d.inputs.length, 80);
    const db = new SQL.Database(fs.readFileSync(file));
    const [x, y] = db.exec("SELECT x, y FROM datasets")[0]!.values[0]! as Uint8Array[];
    db.close();
    assert.deepEqual(new Float64Array(x!.slice().buffer), d.inputs);
    assert.deepEqual(new Float64Array(y!.slice().buffer), d.targets);
    assert.equal((await verifyFile(file)).mismatch, null);
  }
});
