/**
 * The test split (issue #13): held-out samples chosen by a seeded shuffle, evaluated by the Trainer at
 * every epoch end without touching training, recorded per epoch in the .nfrun (schema version 5),
 * recomputed by `verify`, read back as Trace series and Signals, and set from experiment files.
 * Metrics are checked against an independent forward pass and loss (test/unit/support/reference-net.ts).
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import type { Database } from "sql.js";
import { datasetFromRows, Model, Trainer, type Dataset, type EpochEvent, type LossName, type ModelSpec } from "../../kernel/engine";
import { loadExperiment, resolveExperiment } from "../../kernel/engine/config/experiment";
import { buildExperiment } from "../../kernel/engine/config/build";
import { ExperimentConfigError } from "../../kernel/engine/config/errors";
import { splitDataset } from "../../kernel/engine/datasets/split";
import { getStrategy } from "../../kernel/engine/optimizers/registry";
import { NfrunReader, RunRecorder, SCHEMA_VERSION, verifyFile } from "../../kernel/record";
import { testSeries } from "../../kernel/record/series";
import { runSignals } from "../../kernel/record/signals";
import { main } from "../../kernel/runtime/cli";
import { tamperedCopy } from "./support/tamper";
import { refForward, refLoss, type RefNet } from "../unit/support/reference-net";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nf-test-split-"));

/** 60 points of three classes around three centres (one-hot targets) and the matching binary task. */
function blobs(classes: 2 | 3): Dataset {
  const xs: number[][] = [];
  const ys: number[][] = [];
  for (let i = 0; i < 60; i++) {
    const c = i % classes;
    const x = [Math.cos(c * 2.1) + 0.6 * Math.sin(i * 1.7), Math.sin(c * 2.1) + 0.6 * Math.cos(i * 2.3)];
    xs.push(x);
    ys.push(classes === 2 ? [c] : Array.from({ length: 3 }, (_, k) => (k === c ? 1 : 0)));
  }
  return datasetFromRows(`blobs${classes}`, xs, ys);
}

const nets: Record<"bce" | "cce" | "mse", ModelSpec & RefNet> = {
  bce: { inputs: 2, layers: [{ units: 4, activation: "tanh" }, { units: 1, activation: "sigmoid" }] },
  cce: { inputs: 2, layers: [{ units: 4, activation: "tanh" }, { units: 3, activation: "softmax" }] },
  mse: { inputs: 2, layers: [{ units: 4, activation: "tanh" }, { units: 1, activation: "linear" }] },
};

/** Test loss and accuracy written from the definitions: mean loss; argmax (cce) or 0.5 threshold (bce). */
function reference(net: RefNet, params: ArrayLike<number>, loss: LossName, data: Dataset): { loss: number; accuracy: number | null } {
  let sum = 0;
  let correct = 0;
  let judged = 0;
  for (let s = 0; s < data.count; s++) {
    const x = Array.from(data.inputs.subarray(s * data.inputSize, (s + 1) * data.inputSize));
    const y = Array.from(data.targets.subarray(s * data.targetSize, (s + 1) * data.targetSize));
    const out = refForward(net, params, x).output;
    sum += refLoss(loss, out, y);
    if (loss === "cce") {
      // The first index of the largest value, written out (no spread into Math.max: the repository's guard).
      const argmax = (v: readonly number[]) => v.reduce((best, x, i) => (x > v[best]! ? i : best), 0);
      correct += argmax(out) === argmax(y) ? 1 : 0;
      judged++;
    } else if (loss === "bce") {
      out.forEach((p, i) => (correct += (p >= 0.5 ? 1 : 0) === (y[i]! >= 0.5 ? 1 : 0) ? 1 : 0));
      judged += out.length;
    }
  }
  return { loss: sum / data.count, accuracy: loss === "mse" ? null : correct / judged };
}

function trainer(loss: "bce" | "cce" | "mse", test: Dataset | null, observers: EpochEvent[] | null = null, extra: { record?: RunRecorder } = {}): { trainer: Trainer; model: Model } {
  const model = new Model(nets[loss]);
  model.initialize({ name: "xavier_uniform" }, 3);
  const t = new Trainer({
    model,
    loss,
    strategy: getStrategy("adam"),
    hyperparameters: { lr: 0.05 },
    batchSize: 8,
    shuffle: true,
    seed: 3,
    ...(test ? { test } : {}),
    observers: [...(observers ? [{ readsBank: false, onEpoch: (e: EpochEvent) => void observers.push(e) }] : []), ...(extra.record ? [extra.record] : [])],
  });
  return { trainer: t, model };
}

test("splitDataset: seeded, disjoint, complete, in dataset order; bad fractions are one-line errors naming the field", () => {
  const data = blobs(3);
  const a = splitDataset(data, 0.25, 7);
  const b = splitDataset(data, 0.25, 7);
  const c = splitDataset(data, 0.25, 8);
  assert.equal(a.test.count, 15);
  assert.equal(a.train.count, 45);
  assert.deepEqual(a.test.inputs, b.test.inputs);
  assert.notDeepEqual(a.test.inputs, c.test.inputs);
  // Every sample lands on exactly one side, each side in the original order.
  const key = (d: Dataset, i: number) => `${d.inputs[2 * i]},${d.inputs[2 * i + 1]}`;
  const original = Array.from({ length: data.count }, (_, i) => key(data, i));
  const seen = [...Array.from({ length: 45 }, (_, i) => key(a.train, i)), ...Array.from({ length: 15 }, (_, i) => key(a.test, i))];
  assert.deepEqual([...seen].sort(), [...original].sort());
  for (const part of [a.train, a.test]) {
    const idx = Array.from({ length: part.count }, (_, i) => original.indexOf(key(part, i)));
    assert.deepEqual(idx, [...idx].sort((p, q) => p - q));
  }
  assert.throws(() => splitDataset(data, 1.5, 0, "data.test_fraction"), /^RangeError: data\.test_fraction: must be a number between 0 and 1/);
  assert.throws(() => splitDataset(data, 0.001, 0, "data.test_fraction"), /data\.test_fraction: 0\.001 of 60 samples holds out 0/);
});

for (const loss of ["bce", "cce", "mse"] as const) {
  test(`trainer (${loss}): the test split changes no weight; each epoch's test metrics equal an independent computation`, () => {
    const { train, test: held } = splitDataset(blobs(loss === "cce" ? 3 : 2), 0.3, 1);
    const plain = trainer(loss, null);
    plain.trainer.fit(train, 4);
    const events: EpochEvent[] = [];
    const params: Float64Array[] = [];
    const withTest = trainer(loss, held, events);
    // Weights after each epoch, to recompute the metrics from.
    for (let e = 0; e < 4; e++) {
      const r = withTest.trainer.trainEpoch(train);
      assert.deepEqual(r.test, events[e]!.test);
      params.push(Float64Array.from(withTest.model.params));
    }
    assert.deepEqual(withTest.model.params, plain.model.params, "bit-identical weights with and without the test split");
    assert.equal(events.length, 4);
    events.forEach((e, k) => {
      const want = reference(nets[loss], params[k]!, loss, held);
      assert.equal(e.test!.samples, held.count);
      assert.ok(Math.abs(e.test!.loss - want.loss) <= 1e-12 * Math.max(1, want.loss), `epoch ${k}: ${e.test!.loss} vs ${want.loss}`);
      assert.equal(e.test!.accuracy, want.accuracy);
    });
    if (loss !== "mse") assert.ok(events[3]!.test!.accuracy! > 0.5, "the model learns something the held-out samples show");
    // fit() reports the last epoch's metrics.
    const again = trainer(loss, held);
    assert.deepEqual(again.trainer.fit(train, 4).test, events[3]!.test);
  });
}

test("a test split that does not fit the model is refused, naming it", () => {
  const bad = datasetFromRows("bad", [[1, 2, 3]], [[1]]);
  assert.throws(() => trainer("bce", bad), /^RangeError: test: 3 inputs per sample but the model takes 2/);
});

async function recordRun(file: string, loss: "bce" | "cce", epochs = 3): Promise<{ runId: string; events: EpochEvent[]; held: Dataset; final: Float64Array }> {
  const { train, test: held } = splitDataset(blobs(loss === "cce" ? 3 : 2), 0.25, 5);
  const rec = await RunRecorder.create(file, { data: train, seed: 3, epochs, checkpointSeconds: 3600 });
  const events: EpochEvent[] = [];
  const { trainer: tr, model } = trainer(loss, held, events, { record: rec });
  rec.finish(tr.fit(train, epochs));
  return { runId: rec.runId, events, held, final: Float64Array.from(model.params) };
}

const tamper = (src: string, name: string, edit: (db: Database) => void): Promise<string> => tamperedCopy(src, dir, name, edit);

test("recorded: per-epoch test metrics in the .nfrun, read back as series and signals, recomputed by verify", async () => {
  const file = path.join(dir, "cce.nfrun");
  const { runId, events, held, final } = await recordRun(file, "cce");
  const r = await NfrunReader.open(file);
  try {
    assert.equal(Number(r.query("PRAGMA user_version")[0]![0]), SCHEMA_VERSION);
    assert.ok(SCHEMA_VERSION >= 5, "the test split came with version 5");
    const s = testSeries(r, runId);
    assert.deepEqual(Array.from(s.epoch), [0, 1, 2]);
    assert.deepEqual(Array.from(s.loss), events.map((e) => e.test!.loss));
    assert.deepEqual(Array.from(s.accuracy), events.map((e) => e.test!.accuracy));
    // The last epoch's metrics from the final weights, computed independently.
    const want = reference(nets.cce, final, "cce", held);
    assert.ok(Math.abs(s.loss[2]! - want.loss) < 1e-12);
    assert.equal(s.accuracy[2], want.accuracy);
    // The epoch's last commit: the trace's last t of that epoch.
    const trace = r.trace(runId);
    assert.equal(s.t[2], trace.t[trace.t.length - 1]);
    const signals = runSignals(r, runId);
    assert.ok(Array.isArray(signals));
    const byName = new Map(signals.map((g) => [g.name, g]));
    assert.deepEqual(byName.get("test_loss")!.values[0], Array.from(s.loss));
    assert.deepEqual(byName.get("test_accuracy")!.values[0], Array.from(s.accuracy));
    assert.equal(byName.get("test_accuracy")!.xLabel, "epoch");
  } finally {
    r.close();
  }
  const v = await verifyFile(file);
  assert.equal(v.mismatch, null);
  assert.equal(v.runs[0]!.testEpochsChecked, 3);
  assert.equal(v.runs[0]!.integrity, "proven");

  // A changed metric (the digest left as is: the replay finds it first), a changed held-out sample, a missing test set.
  const lossEdited = await tamper(file, "loss-edited.nfrun", (db) => db.run("UPDATE test_metrics SET loss = loss * 1.0000001 WHERE epoch = 1"));
  assert.match(JSON.stringify((await verifyFile(lossEdited)).mismatch), /"t":\d+,"epoch":1.*"what":"test loss"/);
  const accEdited = await tamper(file, "acc-edited.nfrun", (db) => db.run("UPDATE test_metrics SET accuracy = 1 - accuracy WHERE epoch = 2"));
  assert.equal((await verifyFile(accEdited)).mismatch?.what, "test accuracy");
  const sampleEdited = await tamper(file, "x-edited.nfrun", (db) => db.run("UPDATE test_sets SET x = zeroblob(length(x))"));
  assert.match((await verifyFile(sampleEdited)).mismatch!.what, /^test (loss|accuracy)$/);
  const gone = await tamper(file, "set-gone.nfrun", (db) => db.run("DELETE FROM test_sets"));
  assert.equal((await verifyFile(gone)).mismatch?.what, "test set (table test_sets)");
  // Hostile size: a blob that does not fit the model is refused with one line, never decoded.
  const short = await tamper(file, "x-short.nfrun", (db) => db.run("UPDATE test_sets SET count = count + 1000000"));
  await assert.rejects(verifyFile(short), /its test set \(table test_sets\) is not 1000015 samples of 2 inputs and 3 targets/);
});

test("an older file (schema version 4, no test tables) still opens and verifies; a run with a test split appended to it verifies", async () => {
  const src = path.join(dir, "v5.nfrun");
  const { runId } = await recordRun(src, "bce", 2);
  const old = await tamper(src, "v4.nfrun", (db) =>
    db.run(
      "DROP TABLE test_sets; DROP TABLE test_metrics; DELETE FROM run_integrity WHERE section IN ('test_sets', 'test_metrics'); " +
        "PRAGMA user_version = 4; UPDATE nf_meta SET value = '4' WHERE key = 'schema_version'",
    ),
  );
  const r = await NfrunReader.open(old);
  try {
    assert.equal(testSeries(r, runId).epoch.length, 0);
    const signals = runSignals(r, runId);
    assert.ok(Array.isArray(signals) && !signals.some((g) => g.name.startsWith("test_")));
  } finally {
    r.close();
  }
  const v = await verifyFile(old);
  assert.equal(v.mismatch, null);
  assert.equal(v.runs[0]!.integrity, "proven");
  const { runId: added } = await recordRun(old, "bce", 2);
  const both = await verifyFile(old);
  assert.equal(both.mismatch, null);
  assert.deepEqual(both.runs.map((x) => [x.runId, x.testEpochsChecked, x.integrity]), [
    [runId, 0, "proven"],
    [added, 2, "proven"],
  ]);
});

test("experiment files: data.test_fraction / test_seed split the data, the scaler sees only the training part, errors name the field", async () => {
  const base = {
    name: "split",
    seed: 1,
    model: { layers: [{ units: 4, activation: "tanh" }, { units: 1, activation: "sigmoid" }] },
    data: { generator: "circles", count: 100, noise: 0.05, seed: 2, test_fraction: 0.2, test_seed: 4 },
    scale: { inputs: "zscore" },
    loss: "bce",
    optimizer: { name: "adam", lr: 0.02 },
    training: { batch_size: 10, epochs: 2 },
  };
  const res = resolveExperiment({ raw: base, baseDir: dir });
  assert.equal(res.experiment.data.test_fraction, 0.2);
  assert.equal(res.experiment.data.test_seed, 4);
  // Resolving the resolved experiment again gives the same thing.
  assert.deepEqual(resolveExperiment({ raw: JSON.parse(JSON.stringify(res.experiment)), baseDir: dir }).experiment, res.experiment);
  const b = buildExperiment(res);
  assert.equal(b.dataset.count, 80);
  assert.equal(b.testDataset!.count, 20);
  assert.equal(b.trainer.test, b.testDataset);
  // Standardized on the training part: its inputs have mean 0 there (not on the test part).
  const mean = (d: Dataset) => Array.from({ length: d.count }, (_, i) => d.inputs[2 * i]!).reduce((a, v) => a + v, 0) / d.count;
  assert.ok(Math.abs(mean(b.dataset)) < 1e-12);
  assert.ok(Math.abs(mean(b.testDataset!)) > 1e-6);
  const fit = b.trainer.fit(b.dataset, 2);
  assert.equal(fit.test!.samples, 20);
  // Without test_seed: seed 0, filled in.
  const { test_seed: _s, ...noSeed } = base.data;
  assert.equal(resolveExperiment({ raw: { ...base, data: noSeed }, baseDir: dir }).experiment.data.test_seed, 0);
  const fails = (data: Record<string, unknown>, field: string, message: RegExp) =>
    assert.throws(
      () => resolveExperiment({ raw: { ...base, data }, baseDir: dir }),
      (e: unknown) => e instanceof ExperimentConfigError && e.field === field && message.test(e.message) && !e.message.includes("\n"),
    );
  fails({ ...base.data, test_fraction: 1 }, "data.test_fraction", /1/);
  fails({ ...base.data, test_fraction: "a lot" }, "data.test_fraction", /number/);
  fails({ ...base.data, test_fraction: 0.001 }, "data.test_fraction", /holds out 0/);
  fails({ generator: "circles", test_seed: 3 }, "data.test_seed", /without data\.test_fraction/);
  // batch_size is checked against the training part.
  assert.throws(
    () => resolveExperiment({ raw: { ...base, training: { batch_size: 90, epochs: 1 } }, baseDir: dir }),
    (e: unknown) => e instanceof ExperimentConfigError && e.field === "training.batch_size" && /training samples \(80\)/.test(e.message),
  );
  // From a file, through the CLI: train --record, then verify (exit 0, the test metrics counted).
  const yaml = path.join(dir, "split.json");
  fs.writeFileSync(yaml, JSON.stringify(base));
  assert.equal(loadExperiment(yaml).experiment.data.test_fraction, 0.2);
  const file = path.join(dir, "cli.nfrun");
  const lines: string[] = [];
  const io = { out: (l: string) => void lines.push(l), err: (l: string) => void lines.push(l) };
  assert.equal(await main(["node", "neuroforge", "train", yaml, "--record", file, "-q"], io), 0, lines.join("\n"));
  assert.match(lines.join("\n"), /test split: loss \d\.\d+(e-?\d+)?, accuracy \d+\.\d % on 20 held-out samples/);
  lines.length = 0;
  assert.equal(await main(["node", "neuroforge", "verify", file], io), 0, lines.join("\n"));
  assert.match(lines.join("\n"), /test metrics of 2 epochs verified/);
});
