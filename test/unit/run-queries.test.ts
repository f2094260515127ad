/**
 * The host's run query service (extension/runs/) on real .nfrun files: answers against what the engine
 * itself did during training (weights after every commit, the samples of every batch and their losses,
 * captured by an observer), against the reader where the answer is the reader's (weightTrace,
 * neuronSnapshot), and typed errors for a changed, corrupt or missing file and for bad queries.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, test } from "node:test";
import { RunFiles } from "../../extension/runs/run-files";
import { RunQueryService } from "../../extension/runs/service";
import { Model, Trainer, type TrainingObserver } from "../../kernel/engine";
import { getStrategy } from "../../kernel/engine/optimizers/registry";
import { NfrunReader, RunRecorder } from "../../kernel/record";
import type { QueryAnswer, RunQuery } from "../../webviews/shared/queries";
import { toyDataset } from "./support/toy-data";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nf-run-queries-"));
const file = path.join(dir, "run.nfrun");
const data = toyDataset();
const spec = { inputs: 2, layers: [{ units: 3, activation: "tanh" as const }, { units: 1, activation: "sigmoid" as const }] };

/** What the engine did, seen by an observer beside the recorder. */
interface Seen {
  runId: string;
  params: Map<number, Float64Array>; // t → weights after commit t (0: initial)
  samples: { epoch: number; position: number; sample: number; batch: number; slot: number; loss: number }[];
  commits: { t: number; epoch: number; batch: number; count: number; loss: number }[];
}

async function record(seed: number, epochs: number): Promise<Seen> {
  const model = new Model(spec);
  model.initialize({ name: "xavier_uniform" }, seed);
  const seen: Seen = { runId: "", params: new Map([[0, Float64Array.from(model.params)]]), samples: [], commits: [] };
  const observer: TrainingObserver = {
    onSample: (e) => seen.samples.push({ epoch: e.epoch, position: e.position, sample: e.sample, batch: e.batch, slot: e.slot, loss: e.loss }),
    onCommit: (e) => {
      seen.commits.push({ t: e.t, epoch: e.epoch, batch: e.batch, count: e.count, loss: e.loss });
      seen.params.set(e.t, Float64Array.from(e.trainer.model.params));
    },
  };
  const rec = await RunRecorder.create(file, { data, seed, epochs, policy: {}, checkpointSeconds: 3600 });
  const trainer = new Trainer({ model, loss: "mse", strategy: getStrategy("adam"), hyperparameters: { lr: 0.05 }, batchSize: 5, shuffle: true, seed, observers: [rec, observer] });
  rec.finish(trainer.fit(data, epochs));
  seen.runId = rec.runId;
  return seen;
}

let first: Seen;
const files = new RunFiles();
const service = new RunQueryService(files);
let nextId = 1;
async function ask(query: RunQuery | Record<string, unknown>, f = file): Promise<QueryAnswer> {
  const id = nextId++;
  const answer = await service.answer(f, { type: "query", id, query });
  assert.equal(answer.id, id);
  assert.deepEqual(JSON.parse(JSON.stringify(answer)), answer, "answers are plain JSON");
  return answer;
}
function result(a: QueryAnswer): unknown {
  if ("error" in a) assert.fail(`error answer: ${a.error.kind}: ${a.error.message}`);
  return a.result;
}
function error(a: QueryAnswer): { kind: string; message: string } {
  if (!("error" in a)) assert.fail(`expected an error, got ${JSON.stringify(a.result).slice(0, 200)}`);
  return a.error;
}

before(async () => {
  first = await record(7, 3);
});
after(() => {
  files.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

test("weightsAfter: every weight after commit t equals the engine's weights after that commit (t = 0: the initial weights)", async () => {
  assert.equal(first.commits.length, 9); // 12 samples, batch 5 → 3 commits per epoch
  for (const [t, params] of first.params) {
    const r = result(await ask({ kind: "weightsAfter", runId: first.runId, t })) as { t: number; weights: number[] };
    assert.equal(r.t, t);
    assert.deepEqual(r.weights, Array.from(params), `t=${t}`);
  }
});

test("weightsAfter with drawn = 1: only the first neuron of each layer, its first input and bias (replayed per weight), the rest null", async () => {
  for (const t of [0, 4, 9]) {
    const r = result(await ask({ kind: "weightsAfter", runId: first.runId, t, drawn: 1 })) as { weights: (number | null)[] };
    const params = first.params.get(t)!;
    // Flat order: layer 0 neurons 0-2 × (2 inputs + bias), then layer 1 neuron 0 × (3 inputs + bias).
    const drawnIndex = new Set([0, 2, 9, 12]);
    assert.deepEqual(r.weights, Array.from(params, (v, i) => (drawnIndex.has(i) ? v : null)), `t=${t}`);
  }
});

test("timeline: the commits (t, epoch, batch, count, batch loss) of the run", async () => {
  const r = result(await ask({ kind: "timeline", runId: first.runId })) as { t: number[]; epoch: number[]; batch: number[]; count: number[]; loss: number[]; batchSize: number; recordedEpochs: number[] };
  assert.deepEqual(
    r.t.map((t, k) => ({ t, epoch: r.epoch[k], batch: r.batch[k], count: r.count[k], loss: r.loss[k] })),
    first.commits,
  );
  assert.equal(r.batchSize, 5);
  assert.deepEqual(r.recordedEpochs, [0, 1, 2]);
});

test("batch and sample: the samples of each commit's batch in order, a sample's loss and prediction", async () => {
  for (const c of first.commits) {
    const r = result(await ask({ kind: "batch", runId: first.runId, t: c.t })) as { epoch: number; batch: number; samples: { position: number; sample: number; slot: number }[] };
    const expected = first.samples.filter((s) => s.epoch === c.epoch && s.batch === c.batch);
    assert.equal(r.epoch, c.epoch);
    assert.equal(r.batch, c.batch);
    assert.deepEqual(r.samples, expected.map((s) => ({ position: s.position, sample: s.sample, slot: s.slot })));
  }
  const s = first.samples[13]!; // epoch 1
  const d = result(await ask({ kind: "sample", runId: first.runId, epoch: s.epoch, sample: s.sample })) as { loss: number; prediction: number[]; inputs: number[]; position: number; t: number };
  assert.equal(d.loss, s.loss);
  assert.equal(d.position, s.position);
  const t = first.commits.find((c) => c.epoch === s.epoch && c.batch === s.batch)!.t;
  assert.equal(d.t, t);
  // The prediction is the network's output with the weights before that commit (the engine's own forward pass).
  const model = new Model(spec);
  model.params.set(first.params.get(t - 1)!);
  assert.deepEqual(d.prediction, Array.from(model.predict(data.inputs, s.sample * data.inputSize)));
  assert.deepEqual(d.inputs, Array.from(data.inputs.subarray(s.sample * 2, s.sample * 2 + 2)));
});

test("weightTrace and neuronSnapshot answer exactly what the reader answers", async () => {
  const reader = await NfrunReader.open(file);
  try {
    const q = { kind: "weightTrace", runId: first.runId, layer: 1, neuron: 0, weight: 2, t: 5 } as const;
    const tr = result(await ask(q));
    assert.deepEqual(tr, JSON.parse(JSON.stringify(reader.weightTrace(q.runId, q.layer, q.neuron, q.weight, q.t))));
    assert.equal((tr as { commit: { after: number } }).commit.after, first.params.get(5)![spec.layers[0]!.units * 3 + 2]);
    const sample = first.samples[4]!.sample;
    const ns = result(await ask({ kind: "neuronSnapshot", runId: first.runId, layer: 0, neuron: 1, epoch: 0, sample }));
    assert.deepEqual(ns, JSON.parse(JSON.stringify(reader.neuronSnapshot(first.runId, 0, 1, 0, sample))));
  } finally {
    reader.close();
  }
});

test("bad queries and unknown runs are typed error answers, never a throw", async () => {
  assert.equal(error(await ask({ kind: "drop tables", runId: first.runId })).kind, "bad-query");
  assert.equal(error(await ask({ kind: "weightTrace", runId: first.runId, layer: 0, neuron: 0, weight: "0; --", t: 1 } as Record<string, unknown>)).kind, "bad-query");
  assert.equal(error(await ask({ kind: "weightsAfter", runId: first.runId, t: 99 })).kind, "bad-query");
  assert.equal(error(await ask({ kind: "weightTrace", runId: first.runId, layer: 5, neuron: 0, weight: 0, t: 1 })).kind, "bad-argument");
  assert.equal(error(await ask({ kind: "timeline", runId: "no-such" })).kind, "no-such-run");
  const notQuery = await service.answer(file, { type: "hello" });
  assert.deepEqual(notQuery, { type: "answer", id: -1, error: { kind: "bad-query", message: "not a query message" } });
});

test("the reader is cached per file and re-opened when the file changes (a second run appended)", async () => {
  const a = await files.open(file);
  assert.equal(await files.open(file), a, "same file, same reader");
  const second = await record(8, 1);
  const b = await files.open(file);
  assert.notEqual(b.reader, a.reader, "a changed file is opened again");
  assert.deepEqual(b.reader.runIds().sort(), [first.runId, second.runId].sort());
  const r = result(await ask({ kind: "weightsAfter", runId: second.runId, t: 3 })) as { weights: number[] };
  assert.deepEqual(r.weights, Array.from(second.params.get(3)!));
  // The replaced reader is closed once the queries holding it have run.
  await new Promise((res) => setTimeout(res, 0));
  assert.throws(() => a.reader.runIds(), { name: "NfrunError" }, "the old reader's database is closed");
});

test("corrupt, missing and not-a-run files are typed error answers", async () => {
  const bytes = fs.readFileSync(file);
  const cut = path.join(dir, "cut.nfrun");
  fs.writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length / 3)));
  assert.equal(error(await ask({ kind: "timeline", runId: first.runId }, cut)).kind, "truncated");
  const text = path.join(dir, "text.nfrun");
  fs.writeFileSync(text, "not a database, ".repeat(20));
  assert.equal(error(await ask({ kind: "timeline", runId: first.runId }, text)).kind, "not-sqlite");
  const missing = error(await ask({ kind: "timeline", runId: first.runId }, path.join(dir, "gone.nfrun")));
  assert.equal(missing.kind, "io");
  assert.match(missing.message, /ENOENT/);
  // A corrupt file repaired on disk is read again.
  fs.writeFileSync(cut, bytes);
  assert.ok(result(await ask({ kind: "timeline", runId: first.runId }, cut)));
});
