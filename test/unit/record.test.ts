import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { datasetFromRows, Model, Trainer, type Dataset } from "../../kernel/engine";
import { getStrategy } from "../../kernel/engine/optimizers/registry";
import { canonicalJson, configHash, NfrunError, NfrunReader, RunRecorder, SCHEMA_VERSION, verifyFile, type RecordingPolicy, type WeightTrace } from "../../kernel/record";
import { blobF64 } from "../../kernel/record/blob";
import { f64Sql } from "../../kernel/record/schema";
import { loadSqlJs } from "../../kernel/record/sqljs";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nfrun-test-"));
let fileNo = 0;
const tmp = () => path.join(dir, `run-${fileNo++}.nfrun`);

/** 2-3-1 tanh/sigmoid on a small deterministic data set (23 samples: the last batch is partial). */
function toyData(): Dataset {
  const xs: number[][] = [];
  const ys: number[][] = [];
  for (let i = 0; i < 23; i++) {
    const a = Math.sin(i * 0.7) * 1.5;
    const b = Math.cos(i * 1.3);
    xs.push([a, b]);
    ys.push([a * b > 0 ? 1 : 0]);
  }
  return datasetFromRows("toy", xs, ys);
}

function toyModel(): Model {
  const model = new Model({ inputs: 2, layers: [{ units: 3, activation: "tanh" }, { units: 1, activation: "sigmoid" }] });
  model.initialize({ name: "xavier_uniform" }, 7);
  return model;
}

async function recordToy(file: string, opts: { epochs?: number; policy?: RecordingPolicy; optimizer?: string; hyper?: Record<string, unknown> } = {}) {
  const data = toyData();
  const model = toyModel();
  const epochs = opts.epochs ?? 3;
  const rec = await RunRecorder.create(file, { data, seed: 7, epochs, policy: opts.policy ?? {}, checkpointSeconds: 3600 });
  const trainer = new Trainer({
    model,
    loss: "mse",
    strategy: getStrategy(opts.optimizer ?? "adam"),
    hyperparameters: opts.hyper ?? { lr: 0.05 },
    batchSize: 5,
    shuffle: true,
    seed: 7,
    observers: [rec],
  });
  const result = trainer.fit(data, epochs);
  const status = rec.finish(result);
  return { data, model, trainer, status, runId: rec.runId };
}

/** Independent hand-written forward/backward for the 2-3-1 tanh/sigmoid/MSE net: δ per layer. */
function handBackprop(w: Float64Array, x: readonly number[], y: number) {
  const a1: number[] = [];
  for (let j = 0; j < 3; j++) a1.push(Math.tanh(w[j * 3]! * x[0]! + w[j * 3 + 1]! * x[1]! + w[j * 3 + 2]!));
  const z2 = w[9]! * a1[0]! + w[10]! * a1[1]! + w[11]! * a1[2]! + w[12]!;
  const yHat = 1 / (1 + Math.exp(-z2));
  const d2 = 2 * (yHat - y) * yHat * (1 - yHat);
  const d1 = a1.map((a, j) => w[9 + j]! * d2 * (1 - a * a));
  return { a1, d1, d2, loss: (yHat - y) ** 2 };
}

/** Weights before every commit t (and after the last, at key 16), from an independent re-run of recordToy's training without a recorder. */
function weightsBeforeEachCommit(data: Dataset): Map<number, Float64Array> {
  const before = new Map<number, Float64Array>();
  const twin = toyModel();
  const twinTrainer = new Trainer({
    model: twin,
    loss: "mse",
    strategy: getStrategy("adam"),
    hyperparameters: { lr: 0.05 },
    batchSize: 5,
    shuffle: true,
    seed: 7,
    observers: [{ onSample: (e) => { if (e.slot === 0) before.set(e.trainer.t + 1, Float64Array.from(e.trainer.model.params)); } }],
  });
  twinTrainer.fit(data, 3);
  before.set(twinTrainer.t + 1, Float64Array.from(twin.params));
  return before;
}

const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} ≉ ${b}`);

test("round trip: weightTrace leverages, bank, avg, audit columns and the before/after chain", async () => {
  const file = tmp();
  const { data, model, trainer, status, runId } = await recordToy(file);
  assert.equal(status, "completed");
  const reader = await NfrunReader.open(file);
  const info = reader.run(runId);
  assert.equal(info.status, "completed");
  assert.equal(info.commits, 15);
  assert.equal(info.strategy.id, "adam");
  assert.deepEqual(info.strategy.auditColumns, ["g+λθ", "m", "v", "v_max", "m̂", "v̂", "√v̂+ε", "m̂/(√v̂+ε)"]);
  assert.equal(reader.config(runId).hashMatches, true);

  const before = weightsBeforeEachCommit(data);
  assert.deepEqual(Array.from(before.get(16)!), Array.from(model.params));

  const weights: [number, number, number][] = [[0, 0, 0], [0, 2, 1], [0, 1, 2], [1, 0, 0], [1, 0, 3]];
  for (const t of [1, 5, 8, 15]) {
    for (const [layer, neuron, weight] of weights) {
      const tr = reader.weightTrace(runId, layer, neuron, weight, t) as WeightTrace;
      assert.equal(tr.kind, "weight-trace");
      const w = before.get(t)!;
      let bank = 0;
      for (const row of tr.rows) {
        const x = [data.inputs[row.sample * 2]!, data.inputs[row.sample * 2 + 1]!];
        const hand = handBackprop(w, x, data.targets[row.sample]!);
        const input = layer === 0 ? (weight === 2 ? 1 : x[weight]!) : weight === 3 ? 1 : hand.a1[weight]!;
        const blame = layer === 0 ? hand.d1[neuron]! : hand.d2;
        close(row.input, input);
        close(row.blame, blame);
        close(row.leverage, input * blame);
        assert.equal(row.leverage, row.input * row.blame);
        bank += row.leverage;
        assert.equal(row.cumulative, bank);
      }
      assert.equal(tr.rows.length, tr.commit.count);
      assert.equal(tr.commit.count, t % 5 === 0 ? 3 : 5); // 23 samples, batch 5: every 5th commit is partial
      assert.equal(tr.commit.batchTotal, bank);
      assert.equal(tr.commit.avg, bank / tr.commit.count);
      assert.ok(tr.commit.audit);
      assert.equal(tr.commit.audit!["g+λθ"], tr.commit.avg);
      assert.equal(tr.commit.adjustment, tr.commit.recomputedAdjustment);
      assert.equal(tr.commit.adjustment, tr.commit.lr * tr.commit.audit!["m̂/(√v̂+ε)"]!);
      assert.equal(tr.commit.lr, 0.05);
      assert.equal(tr.commit.after, tr.commit.before - tr.commit.adjustment);
      assert.equal(tr.commit.before, w[model.weightIndex(layer, neuron, weight)]);
      assert.equal(tr.strategy.formula, getStrategy("adam").formula);
    }
  }
  // Finite-difference check of one batch gradient (avg = dLoss_batch/dw).
  {
    const t = 8;
    const tr = reader.weightTrace(runId, 0, 1, 0, t) as WeightTrace;
    const w = Float64Array.from(before.get(t)!);
    const i = model.weightIndex(0, 1, 0);
    const batchLoss = (wv: Float64Array) =>
      tr.rows.reduce((s, r) => s + handBackprop(wv, [data.inputs[r.sample * 2]!, data.inputs[r.sample * 2 + 1]!], data.targets[r.sample]!).loss, 0) / tr.rows.length;
    const h = 1e-6;
    const wp = Float64Array.from(w);
    wp[i] = w[i]! + h;
    const wm = Float64Array.from(w);
    wm[i] = w[i]! - h;
    close(tr.commit.avg, (batchLoss(wp) - batchLoss(wm)) / (2 * h), 1e-7);
  }
  // The chain: each commit's after is the next commit's before; the last after is the final model.
  for (let i = 0; i < model.weightCount; i++) {
    const l = i < 9 ? 0 : 1;
    const neuron = l === 0 ? Math.floor(i / 3) : 0;
    const weight = l === 0 ? i % 3 : i - 9;
    let prevAfter: number | null = null;
    for (let t = 1; t <= 15; t++) {
      const tr = reader.weightTrace(runId, l, neuron, weight, t) as WeightTrace;
      if (prevAfter !== null) assert.equal(tr.commit.before, prevAfter);
      prevAfter = tr.commit.after;
    }
    assert.equal(prevAfter, model.params[i]);
  }
  // `at` by sample: sample 3 of epoch 1 → the commit of its batch.
  const bySample = reader.weightTrace(runId, 1, 0, 2, { epoch: 1, sample: 3 }) as WeightTrace;
  assert.equal(bySample.epoch, 1);
  assert.ok(bySample.rows.some((r) => r.sample === 3));
  assert.equal(trainer.t, 15);
  assert.throws(() => reader.weightTrace(runId, 0, 5, 0, 1), (e: unknown) => e instanceof NfrunError && e.kind === "bad-argument");
  assert.equal((reader.weightTrace(runId, 0, 0, 0, 99) as { kind: string }).kind, "not-recorded");
  // Trace series and events.
  const trace = reader.trace(runId);
  assert.deepEqual(Array.from(trace.t), Array.from({ length: 15 }, (_, i) => i + 1));
  assert.ok(trace.gradNorm.every((g) => g > 0));
  assert.deepEqual(reader.events(runId).map((e) => e.kind), ["start", "end"]);
  reader.close();
  assert.deepEqual((await verifyFile(file)).mismatch, null);
});

test("neuronSnapshot: products sum to z, blame sources × f′(z) = blame, backprop rows", async () => {
  const file = tmp();
  const { runId, data } = await recordToy(file);
  const reader = await NfrunReader.open(file);
  for (const [epoch, sample] of [[0, 0], [1, 3], [2, 22]] as const) {
    for (const neuron of [0, 1, 2]) {
      const s = reader.neuronSnapshot(runId, 0, neuron, epoch, sample);
      assert.equal(s.kind, "neuron-snapshot");
      if (s.kind !== "neuron-snapshot") continue;
      let sum = 0;
      for (const p of s.forward.inputs) {
        assert.equal(p.product, p.input * p.value);
        sum += p.product;
      }
      assert.equal(s.forward.sum, sum + s.forward.bias);
      // z is derived (not stored): the stored a is tanh of it bit-exactly, and it matches a hand forward pass.
      assert.equal(s.forward.a, Math.tanh(s.forward.z));
      const w = s.forward.inputs.map((p) => p.value);
      close(s.forward.z, data.inputs[sample * 2]! * w[0]! + data.inputs[sample * 2 + 1]! * w[1]! + s.forward.bias);
      assert.equal(s.fPrime, 1 - s.forward.a * s.forward.a);
      assert.equal(s.sources!.length, 1);
      assert.equal(s.sourcesSum! * s.fPrime!, s.blame);
      for (const b of s.backprop) assert.equal(b.leverage, b.input * b.blame);
      assert.equal(s.backprop[2]!.input, 1);
      // The snapshot's weights are those before the batch's commit: compare with weightTrace's before.
      const tr = reader.weightTrace(runId, 0, neuron, 1, s.t) as WeightTrace;
      assert.equal(s.forward.inputs[1]!.value, tr.commit.before);
      const row = tr.rows.find((r) => r.sample === sample)!;
      assert.equal(s.backprop[1]!.cumulative, row.cumulative);
    }
    const out = reader.neuronSnapshot(runId, 1, 0, epoch, sample);
    assert.equal(out.kind, "neuron-snapshot");
    if (out.kind === "neuron-snapshot") {
      assert.equal(out.sources, null);
      close(out.forward.a, 1 / (1 + Math.exp(-out.forward.z)));
    }
  }
  reader.close();
});

test("several runs in one file, each verifiable; config hash is canonical", async () => {
  const file = tmp();
  const a = await recordToy(file, { epochs: 2 });
  const b = await recordToy(file, { epochs: 1, optimizer: "sgd", hyper: { lr: 0.1, momentum: 0.9 } });
  const reader = await NfrunReader.open(file);
  assert.deepEqual(new Set(reader.runIds()), new Set([a.runId, b.runId]));
  assert.equal(reader.run(b.runId).strategy.id, "sgd");
  assert.equal(reader.run(a.runId).commits, 10);
  assert.equal(reader.run(b.runId).commits, 5);
  const tr = reader.weightTrace(b.runId, 0, 0, 0, 3) as WeightTrace;
  assert.deepEqual(Object.keys(tr.commit.audit!), ["g+λθ", "b", "direction"]);
  reader.close();
  const v = await verifyFile(file);
  assert.equal(v.ok, true);
  assert.equal(v.runs.length, 2);
  assert.equal(canonicalJson({ b: 1, a: [1, { d: 2, c: 3 }] }), '{"a":[1,{"c":3,"d":2}],"b":1}');
  assert.equal(configHash({ x: 1, y: 2 }), configHash({ y: 2, x: 1 }));
  assert.equal(configHash({ x: 1 }).length, 64);
});

test("SQL views decode float64 blobs exactly (pure SQL, no extension functions)", async () => {
  const file = tmp();
  const { runId, data } = await recordToy(file);
  const reader = await NfrunReader.open(file);
  // Special values through the decode expression.
  const specials = [0, 1, -1, 0.1, -2.5e-300, 5e-324, -5e-324, 2.2250738585072014e-308, 2.225073858507201e-308, 1.7976931348623157e308,
    -1.7976931348623157e308, Infinity, -Infinity, Math.PI, 1e-310, 123456789.123456789, 2 ** -1022, 2 ** 1023, NaN];
  const blob = new Uint8Array(Float64Array.from(specials).buffer);
  const rows = reader.db.exec(`SELECT ${specials.map((_, i) => f64Sql("$b", String(i))).join(", ")}`, { $b: blob })[0]!.values[0]!;
  specials.forEach((v, i) => {
    if (Number.isNaN(v)) assert.equal(rows[i], null);
    else assert.equal(rows[i], v, `special value ${v}`);
  });
  // v_sample_neuron against the reader's decoded chunks, every row.
  const viewRows = reader.query("SELECT epoch, position, sample, layer, neuron, a, blame FROM v_sample_neuron WHERE run_id = ? ORDER BY epoch, position, layer, neuron", [runId]);
  assert.equal(viewRows.length, 3 * 23 * 4);
  const ctx = reader.context(runId);
  for (const [epoch, position, sample, layer, neuron, a, blame] of viewRows) {
    const at = reader.samplAt(runId, Number(epoch), Number(position))!;
    const c = ctx.col[Number(layer)]![Number(neuron)]!;
    assert.equal(Number(sample), at.chunk.sample[at.i]);
    assert.equal(a, at.chunk.a[at.i * ctx.R + c]);
    assert.equal(blame, at.chunk.blame[at.i * ctx.R + c]);
  }
  // v_leverage and v_commit_weight against weightTrace.
  for (const t of [2, 9, 15]) {
    const tr = reader.weightTrace(runId, 1, 0, 1, t) as WeightTrace;
    const lev = reader.query(
      "SELECT sample, input, blame, leverage FROM v_leverage WHERE run_id = ? AND epoch = ? AND batch = ? AND layer = 1 AND neuron = 0 AND weight = 1 ORDER BY position",
      [runId, tr.epoch, tr.batch],
    );
    assert.deepEqual(lev, tr.rows.map((r) => [r.sample, r.input, r.blame, r.leverage]));
    const cw = reader.query("SELECT count, adjustment FROM v_commit_weight WHERE run_id = ? AND t = ? AND layer = 1 AND neuron = 0 AND weight = 1", [runId, t]);
    assert.deepEqual(cw, [[tr.commit.count, tr.commit.adjustment]]);
  }
  // v_leverage, every row of every commit, against an independent forward/backward pass with the
  // weights before that commit (from a re-run without a recorder).
  const before = weightsBeforeEachCommit(data);
  const levRows = reader.query(
    `SELECT l.sample, l.layer, l.neuron, l.weight, l.input, l.blame, l.leverage, c.t FROM v_leverage l
     JOIN commits c ON c.run_id = l.run_id AND c.epoch = l.epoch AND c.batch = l.batch WHERE l.run_id = ?`,
    [runId],
  );
  assert.equal(levRows.length, 3 * 23 * 13);
  for (const [sample, layer, neuron, weight, input, blame, leverage, t] of levRows.map((r) => r.map(Number))) {
    const x = [data.inputs[sample! * 2]!, data.inputs[sample! * 2 + 1]!];
    const hand = handBackprop(before.get(t!)!, x, data.targets[sample!]!);
    const handInput = layer === 0 ? (weight === 2 ? 1 : x[weight!]!) : weight === 3 ? 1 : hand.a1[weight!]!;
    const handBlame = layer === 0 ? hand.d1[neuron!]! : hand.d2;
    close(input!, handInput);
    close(blame!, handBlame);
    close(leverage!, handInput * handBlame);
  }
  const snap = reader.query("SELECT value FROM v_snapshot_weight WHERE run_id = ? AND t = 0 AND layer = 0 AND neuron = 2 AND weight = 1", [runId]);
  const w0 = blobF64(reader.query("SELECT weights FROM snapshots WHERE run_id = ? AND t = 0", [runId])[0]![0])!;
  assert.deepEqual(snap, [[w0[2 * 3 + 1]]]);
  reader.close();
});

test("python3's sqlite3 opens the file: application_id, user_version, a view, struct.unpack agrees", async () => {
  const file = tmp();
  const { runId } = await recordToy(file);
  const reader = await NfrunReader.open(file);
  const tr = reader.weightTrace(runId, 0, 2, 0, 6) as WeightTrace;
  reader.close();
  const script = `
import sqlite3, struct, json, sys
con = sqlite3.connect(sys.argv[1])
app = con.execute("PRAGMA application_id").fetchone()[0]
ver = con.execute("PRAGMA user_version").fetchone()[0]
rows = con.execute("SELECT sample, input, blame, leverage FROM v_leverage WHERE run_id = ? AND epoch = ? AND batch = ? AND layer = 0 AND neuron = 2 AND weight = 0 ORDER BY position", (sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))).fetchall()
# Independent decode of the same blame values with struct.unpack.
R = con.execute("SELECT count(*) FROM recorded_neurons WHERE run_id = ?", (sys.argv[2],)).fetchone()[0]
col = con.execute("SELECT col FROM recorded_neurons WHERE run_id = ? AND layer = 0 AND neuron = 2", (sys.argv[2],)).fetchone()[0]
blames = []
for first, count, blame in con.execute("SELECT first_position, count, blame FROM sample_chunks WHERE run_id = ? AND epoch = ? ORDER BY first_position", (sys.argv[2], int(sys.argv[3]))):
    vals = struct.unpack("<%dd" % (count * R), blame)
    blames += [vals[i * R + col] for i in range(count)]
print(json.dumps({"app": app, "ver": ver, "rows": rows, "blames": blames}))
`;
  const out = JSON.parse(execFileSync("python3", ["-c", script, file, runId, String(tr.epoch), String(tr.batch)], { encoding: "utf8" }));
  assert.equal(out.app, 0x4e465231);
  assert.equal(out.ver, SCHEMA_VERSION);
  assert.deepEqual(out.rows, tr.rows.map((r) => [r.sample, r.input, r.blame, r.leverage]));
  const first = tr.rows[0]!.position;
  assert.deepEqual(out.blames.slice(first, first + tr.rows.length), tr.rows.map((r) => r.blame));
});

test("sqlite3 CLI (when installed — CI machines may lack it; then this test is reported as skipped, not passed)", async (t) => {
  let cli = true;
  try {
    execFileSync("sqlite3", ["-version"], { stdio: "ignore" });
  } catch {
    cli = false;
  }
  if (!cli) {
    t.skip("sqlite3 CLI not installed on this machine (python3's sqlite3 test above covers the same reading)");
    return;
  }
  const file = tmp();
  const { runId } = await recordToy(file);
  const out = execFileSync("sqlite3", [file, "PRAGMA application_id; PRAGMA user_version; SELECT count(*) FROM v_commit_weight WHERE run_id = '" + runId + "';"], { encoding: "utf8" });
  assert.deepEqual(out.trim().split("\n"), [String(0x4e465231), String(SCHEMA_VERSION), String(15 * 13)]);
});

test("untrusted files: every bad input is an NfrunError with a plain message", async () => {
  const good = tmp();
  await recordToy(good, { epochs: 1 });
  const bytes = fs.readFileSync(good);
  const SQL = await loadSqlJs();
  const cases: [string, Uint8Array | null, string][] = [];
  cases.push(["zero bytes", new Uint8Array(0), "empty"]);
  const random = new Uint8Array(4096);
  for (let i = 0; i < random.length; i++) random[i] = (i * 7919 + 13) & 255;
  cases.push(["random bytes", random, "not-sqlite"]);
  cases.push(["text", new TextEncoder().encode("hello, this is not a database\n"), "not-sqlite"]);
  cases.push(["truncated", bytes.subarray(0, Math.floor(bytes.length / 2 / 4096) * 4096), "truncated"]);
  cases.push(["truncated mid-page", bytes.subarray(0, 5000), "truncated"]);
  const foreign = new SQL.Database();
  foreign.run("PRAGMA application_id = 1234; CREATE TABLE t (x); INSERT INTO t VALUES (1);");
  cases.push(["foreign application id", foreign.export(), "foreign"]);
  const plain = new SQL.Database();
  plain.run("CREATE TABLE t (x)");
  cases.push(["plain SQLite file", plain.export(), "foreign"]);
  const newer = Uint8Array.from(bytes);
  new DataView(newer.buffer).setUint32(60, SCHEMA_VERSION + 1);
  cases.push(["newer schema version", newer, "newer-version"]);
  const db = new SQL.Database(bytes);
  db.run("DROP TABLE events");
  cases.push(["missing table", db.export(), "missing-table"]);
  const corrupt = Uint8Array.from(bytes);
  for (let i = 4096; i < corrupt.length; i++) corrupt[i] = 0xa5;
  cases.push(["corrupt pages", corrupt, "corrupt"]);
  cases.push(["missing file", null, "io"]);
  for (const [name, data, kind] of cases) {
    const file = path.join(dir, `bad-${name.replace(/ /g, "-")}.nfrun`);
    if (data) fs.writeFileSync(file, data);
    const attempt = async () => {
      const r = await NfrunReader.open(file);
      try {
        for (const id of r.runIds()) r.weightTrace(id, 0, 0, 0, 1);
      } finally {
        r.close();
      }
    };
    await assert.rejects(attempt, (e: unknown) => {
      assert.ok(e instanceof NfrunError, `${name}: ${String(e)}`);
      assert.equal(e.kind, kind, `${name}: ${e.message}`);
      assert.ok(e.message.length < 300 && !e.message.includes("\n    at "), `${name}: plain message`);
      return true;
    });
  }
  // Appending to a foreign file is refused the same way.
  await assert.rejects(RunRecorder.create(path.join(dir, "bad-foreign-application-id.nfrun"), { data: toyData() }), (e: unknown) => e instanceof NfrunError && e.kind === "foreign");
});

test("recording policy: unrecorded epochs and neurons are marked and answered as not recorded", async () => {
  const file = tmp();
  const { runId } = await recordToy(file, { epochs: 4, policy: { epochs: { first: 1, last: true } } });
  const reader = await NfrunReader.open(file);
  const info = reader.run(runId);
  assert.deepEqual(info.recordedEpochs, [0, 3]);
  assert.equal(info.commits, 20);
  assert.equal(reader.trace(runId).t.length, 20); // the trace is always complete
  assert.equal((reader.weightTrace(runId, 0, 0, 0, 3) as WeightTrace).kind, "weight-trace"); // epoch 0
  const gap = reader.weightTrace(runId, 0, 0, 0, 8); // epoch 1
  assert.deepEqual(gap, { kind: "not-recorded", reason: "epoch 1 was not recorded (recording policy)" });
  assert.equal((reader.weightTrace(runId, 0, 0, 0, 18) as WeightTrace).kind, "weight-trace"); // epoch 3
  assert.equal(reader.neuronSnapshot(runId, 0, 0, 2, 0).kind, "not-recorded");
  reader.close();
  assert.equal((await verifyFile(file)).ok, true);

  const file2 = tmp();
  const r2 = await recordToy(file2, { epochs: 2, policy: { neurons: [{ layer: 1, neuron: 0 }] } });
  const reader2 = await NfrunReader.open(file2);
  // Layer 1's neuron is recorded with its inputs (layer 0's activations); layer 0's own weights are not.
  assert.equal((reader2.weightTrace(r2.runId, 1, 0, 2, 4) as WeightTrace).kind, "weight-trace");
  assert.equal(reader2.weightTrace(r2.runId, 0, 1, 0, 4).kind, "not-recorded");
  assert.deepEqual(
    reader2.query("SELECT layer, neuron, weights FROM recorded_neurons WHERE run_id = ? ORDER BY col", [r2.runId]),
    [[0, 0, 0], [0, 1, 0], [0, 2, 0], [1, 0, 1]],
  );
  reader2.close();
  assert.equal((await verifyFile(file2)).ok, true);

  // Recorded neurons with an unrecorded one between them: each adjustment block holds its own neuron's
  // weights (verify replays every recorded adjustment and compares the bits).
  const file3 = tmp();
  const r3 = await recordToy(file3, { epochs: 2, policy: { neurons: [{ layer: 0, neuron: 0 }, { layer: 0, neuron: 2 }] } });
  const reader3 = await NfrunReader.open(file3);
  assert.deepEqual(reader3.query("SELECT DISTINCT layer, neuron FROM adjustment_blocks WHERE run_id = ? ORDER BY layer, neuron", [r3.runId]), [[0, 0], [0, 2]]);
  assert.equal(reader3.weightTrace(r3.runId, 0, 1, 0, 4).kind, "not-recorded");
  reader3.close();
  assert.equal((await verifyFile(file3)).ok, true);
});

test("a diverged run is recorded as failed with a nonfinite event", async () => {
  const file = tmp();
  const data = datasetFromRows("big", [[1e3], [2e3], [-3e3], [4e3]], [[1], [2], [3], [4]]);
  const model = new Model({ inputs: 1, layers: [{ units: 2, activation: "linear" }, { units: 1, activation: "linear" }] });
  model.initialize({ name: "xavier_uniform" }, 1);
  const rec = await RunRecorder.create(file, { data, checkpointSeconds: 3600 });
  const trainer = new Trainer({ model, loss: "mse", strategy: getStrategy("sgd"), hyperparameters: { lr: 10 }, batchSize: 1, observers: [rec] });
  const result = trainer.fit(data, 20);
  assert.equal(result.status, "diverged");
  assert.equal(rec.finish(result), "failed");
  const reader = await NfrunReader.open(file);
  const info = reader.run(rec.runId);
  assert.equal(info.status, "failed");
  const events = reader.events(rec.runId);
  assert.ok(events.some((e) => e.kind === "nonfinite"), JSON.stringify(events));
  reader.close();
  const v = await verifyFile(file);
  assert.deepEqual(v.mismatch, null);
});

test("a finished recorder ignores its trainer's later events, so a run recording meanwhile (with the chunk buffers it handed back) stays exact", async () => {
  const first = tmp();
  const r1 = await recordToy(first, { epochs: 1 });
  const firstBytes = fs.readFileSync(first);
  const second = tmp();
  const data = toyData();
  const rec2 = await RunRecorder.create(second, { data, seed: 7, epochs: 2, checkpointSeconds: 3600 });
  const trainer2 = new Trainer({ model: toyModel(), loss: "mse", strategy: getStrategy("adam"), hyperparameters: { lr: 0.05 }, batchSize: 5, shuffle: true, seed: 7, observers: [rec2] });
  // The first trainer goes on (its recorder is finished but still one of its observers) between the second run's epochs.
  for (let e = 0; e < 2; e++) {
    trainer2.trainEpoch(data);
    r1.trainer.trainEpoch(r1.data);
  }
  rec2.finish();
  assert.deepEqual(fs.readFileSync(first), firstBytes);
  assert.equal((await verifyFile(second)).ok, true);
});
