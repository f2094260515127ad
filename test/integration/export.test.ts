import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { datasetFromRows, Model, splitDataset, Trainer, type TestMetrics, type TrainingObserver } from "../../kernel/engine";
import { getStrategy } from "../../kernel/engine/optimizers/registry";
import { NfrunReader, RunRecorder } from "../../kernel/record";
import { layerSeries, scalarSeries, updateRatios, weightSeries } from "../../kernel/record/series";
import { main } from "../../kernel/runtime/cli";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nf-export-"));

const data = (() => {
  const xs: number[][] = [];
  const ys: number[][] = [];
  for (let i = 0; i < 30; i++) {
    const a = Math.sin(i * 0.37) * 2;
    const b = Math.cos(i * 0.91);
    xs.push([a, b]);
    ys.push([a * a + b * b < 1.5 ? 1 : 0]);
  }
  return datasetFromRows("rings", xs, ys);
})();

/**
 * Records a run into `file` and returns θ after every commit as the trainer had it (t = 0 … T) and, with a
 * test split (`testFraction` of the data held out), the trainer's own test metrics after each epoch.
 */
async function record(
  file: string,
  optimizer: string,
  lr: number,
  options: { lookahead?: boolean; testFraction?: number } = {},
): Promise<{ runId: string; thetas: Float64Array[]; final: Float64Array; tests: TestMetrics[] }> {
  const model = new Model({ inputs: 2, layers: [{ units: 3, activation: "tanh" }, { units: 1, activation: "sigmoid" }] });
  model.initialize({ name: "xavier_uniform" }, 2);
  const thetas = [Float64Array.from(model.params)];
  const tests: TestMetrics[] = [];
  const capture: TrainingObserver = {
    readsBank: false,
    onCommit: () => void thetas.push(Float64Array.from(model.params)),
    onEpoch: (e) => void (e.test && tests.push(e.test)),
  };
  const { train, test } = options.testFraction ? splitDataset(data, options.testFraction, 1) : { train: data, test: null };
  const rec = await RunRecorder.create(file, { data: train, seed: 2, epochs: 3, checkpointSeconds: 3600 });
  const trainer = new Trainer({
    model,
    loss: "bce",
    strategy: getStrategy(optimizer),
    hyperparameters: { lr },
    batchSize: 4,
    seed: 2,
    ...(options.lookahead ? { lookahead: { k: 3, alpha: 0.5 } } : {}),
    ...(test ? { test } : {}),
    observers: [rec, capture],
  });
  rec.finish(trainer.fit(train, 3));
  return { runId: rec.runId, thetas, final: Float64Array.from(model.params), tests };
}

const lines = () => {
  const out: string[] = [];
  return { out, sink: (l: string) => void out.push(l) };
};

test("series: one weight's θ[t], a layer's matrix series and the update ratios equal what the trainer had", async () => {
  const file = path.join(dir, "series.nfrun");
  const { runId, thetas } = await record(file, "adam", 0.05);
  const r = await NfrunReader.open(file);
  const T = thetas.length - 1;
  const s = scalarSeries(r, runId);
  assert.equal(s.t.length, T);
  const w = weightSeries(r, runId, 1, 0, 2);
  assert.ok(!("kind" in w));
  const flat = 3 * 3 + 2; // layer 1 starts after 3 neurons × 3 weights; weight 2 of neuron 0
  assert.deepEqual(Array.from(w.values), thetas.map((th) => th[flat]!));
  const layer = layerSeries(r, runId, 0);
  assert.ok(!("kind" in layer));
  assert.equal(layer.width, 9);
  for (let t = 0; t <= T; t++) assert.deepEqual(Array.from(layer.values.subarray(t * 9, t * 9 + 9)), Array.from(thetas[t]!.subarray(0, 9)), `t=${t}`);
  const ratios = updateRatios(layer);
  const norm = (a: ArrayLike<number>) => Math.sqrt(Array.from(a).reduce((p, v) => p + v * v, 0));
  const t5 = thetas[5]!.subarray(0, 9).map((v, i) => v - thetas[4]![i]!);
  assert.ok(Math.abs(ratios[4]! - norm(t5) / norm(thetas[4]!.subarray(0, 9))) < 1e-15);
  assert.throws(() => weightSeries(r, runId, 0, 3, 0), /has no weight \[layer 0, neuron 3, weight 0\]/);
  r.close();
});

test("series: θ[t] with Lookahead replays its syncs (final θ equals the trainer's)", async () => {
  const file = path.join(dir, "lookahead.nfrun");
  const { runId, final } = await record(file, "sgd", 0.3, { lookahead: true });
  const r = await NfrunReader.open(file);
  const layer = layerSeries(r, runId, 1);
  assert.ok(!("kind" in layer));
  const T = layer.t.length - 1;
  assert.deepEqual(Array.from(layer.values.subarray(T * 4)), Array.from(final.subarray(9)));
  r.close();
});

test("export: trace.npz that numpy.load reads, meta.json with the index map, summary.json", async () => {
  const file = path.join(dir, "one.nfrun");
  const { thetas } = await record(file, "precond_ema", 0.02);
  const out = path.join(dir, "one-out");
  const io = lines();
  assert.equal(await main(["node", "neuroforge", "export", file, "--to", out], { out: io.sink, err: io.sink }), 0, io.out.join("\n"));
  assert.deepEqual(fs.readdirSync(out).sort(), ["meta.json", "summary.json", "trace.npz"]);
  // numpy reads every array; floats come back through JSON with repr (exact).
  const py = `
import json, sys, numpy as np
z = np.load(sys.argv[1])
theta = z["theta"]
ratio = np.linalg.norm(theta[1:, :9] - theta[:-1, :9], axis=1) / np.linalg.norm(theta[:-1, :9], axis=1)
print(json.dumps({k: [str(z[k].dtype), list(z[k].shape)] for k in z.files}))
print(json.dumps({"loss": z["loss"].tolist(), "t": z["t"].tolist(), "theta": theta.tolist(), "ratio": ratio.tolist(), "file_ratio": z["update_ratio"][:, 0].tolist()}))
`;
  const [shapes, values] = execFileSync("python3", ["-c", py, path.join(out, "trace.npz")], { encoding: "utf8" }).trim().split("\n").map((l) => JSON.parse(l));
  const T = thetas.length - 1;
  assert.deepEqual(shapes, {
    t: ["int32", [T]],
    epoch: ["int32", [T]],
    loss: ["float64", [T]],
    lr_scale: ["float64", [T]],
    grad_norm: ["float64", [T]],
    step_norm: ["float64", [T]],
    theta: ["float64", [T + 1, 13]],
    update_ratio: ["float64", [T, 2]],
  });
  const r = await NfrunReader.open(file);
  const runId = r.runIds()[0]!;
  assert.deepEqual(values.loss, Array.from(r.trace(runId).loss));
  assert.deepEqual(values.t, Array.from({ length: T }, (_, k) => k + 1));
  assert.deepEqual(values.theta, thetas.map((th) => Array.from(th)));
  // The file's update ratios of layer 0 (its 9 weights) against numpy's own norms of θ.
  values.file_ratio.forEach((v: number, k: number) => assert.ok(Math.abs(v - values.ratio[k]) <= 1e-12 * values.ratio[k], `t=${k + 1}`));
  r.close();
  const meta = JSON.parse(fs.readFileSync(path.join(out, "meta.json"), "utf8"));
  assert.equal(meta.optimizer.id, "precond_ema");
  assert.deepEqual(meta.optimizer.audit_columns, ["curv_est", "curv", "max(curv,floor)", "γ/√(c+ε)", "lr_vec"]);
  assert.equal(meta.optimizer.hyperparameters.lr, 0.02);
  assert.deepEqual(meta.index_map[3], { name: "layer1.neuron0", offset: 9, size: 4, components: ["w0", "w1", "w2", "bias"] });
  assert.equal(meta.theta.included, true);
  assert.deepEqual(meta.not_recorded, ["test loss and accuracy per epoch: the run has no test split"]);
  const summary = JSON.parse(fs.readFileSync(path.join(out, "summary.json"), "utf8"));
  assert.equal(summary.commits, T);
  assert.equal(summary.optimizer, "precond_ema");
  assert.equal(summary.min_loss, values.loss.reduce((m: number, v: number) => Math.min(m, v), Infinity));
});

test("export: a run with a test split adds test_epoch, test_t, test_loss, test_accuracy to trace.npz, equal to the trainer's own metrics", async () => {
  const file = path.join(dir, "split.nfrun");
  const { runId, tests } = await record(file, "adam", 0.05, { testFraction: 0.2 });
  assert.equal(tests.length, 3);
  const out = path.join(dir, "split-out");
  const io = lines();
  assert.equal(await main(["node", "neuroforge", "export", file, "--to", out], { out: io.sink, err: io.sink }), 0, io.out.join("\n"));
  const py = `
import json, sys, numpy as np
z = np.load(sys.argv[1])
print(json.dumps({k: [str(z[k].dtype), list(z[k].shape), z[k].tolist()] for k in z.files if k.startswith("test_")}))
`;
  const got = JSON.parse(execFileSync("python3", ["-c", py, path.join(out, "trace.npz")], { encoding: "utf8" }));
  // Each epoch's test split is evaluated after the epoch's last commit (the file's trace says which t that is).
  const r = await NfrunReader.open(file);
  const trace = r.trace(runId);
  const lastT = [0, 1, 2].map((e) => trace.t.reduce((last, t, k) => (trace.epoch[k] === e ? Math.max(last, t) : last), 0));
  r.close();
  assert.deepEqual(got, {
    test_epoch: ["int32", [3], [0, 1, 2]],
    test_t: ["int32", [3], lastT],
    test_loss: ["float64", [3], tests.map((m) => m.loss)],
    test_accuracy: ["float64", [3], tests.map((m) => m.accuracy)],
  });
  const meta = JSON.parse(fs.readFileSync(path.join(out, "meta.json"), "utf8"));
  assert.deepEqual(meta.not_recorded, []);
  assert.match(meta.arrays.test_loss.description, /test split/);
});

test("export: a sweep file becomes manifest.json, runs/<id>/ and summary.csv; θ is left out above --max-theta-mb", async () => {
  const file = path.join(dir, "sweep.nfrun");
  const a = await record(file, "sgd", 0.1);
  const b = await record(file, "adam", 0.01);
  const out = path.join(dir, "sweep-out");
  const io = lines();
  assert.equal(await main(["node", "neuroforge", "export", file, "--to", out, "--max-theta-mb", "0"], { out: io.sink, err: io.sink }), 0, io.out.join("\n"));
  const manifest = JSON.parse(fs.readFileSync(path.join(out, "manifest.json"), "utf8"));
  assert.deepEqual(manifest.runs.map((x: { run_id: string }) => x.run_id).sort(), [a.runId, b.runId].sort());
  for (const id of [a.runId, b.runId]) assert.deepEqual(fs.readdirSync(path.join(out, "runs", id)).sort(), ["meta.json", "summary.json", "trace.npz"]);
  const csv = fs.readFileSync(path.join(out, "summary.csv"), "utf8").trim().split("\n");
  assert.equal(csv.length, 3);
  assert.match(csv[0]!, /^run_id,status,optimizer,lr,commits,/);
  assert.ok(csv.some((l) => l.startsWith(`${a.runId},completed,sgd,0.1,`)));
  const meta = JSON.parse(fs.readFileSync(path.join(out, "runs", a.runId, "meta.json"), "utf8"));
  assert.equal(meta.theta.included, false);
  assert.match(meta.theta.reason, /exceeds the limit of 0/);
  const files = execFileSync("python3", ["-c", "import sys, numpy as np; print(sorted(np.load(sys.argv[1]).files))", path.join(out, "runs", a.runId, "trace.npz")], { encoding: "utf8" });
  assert.equal(files.trim(), "['epoch', 'grad_norm', 'loss', 'lr_scale', 'step_norm', 't']");
});

test("export: a file that is not a run file, or a missing --to, is one line and exit 2", async () => {
  const bad = path.join(dir, "bad.nfrun");
  fs.writeFileSync(bad, "not sqlite at all");
  const io = lines();
  assert.equal(await main(["node", "neuroforge", "export", bad, "--to", path.join(dir, "x")], { out: io.sink, err: io.sink }), 2);
  assert.equal(io.out.length, 1);
  assert.match(io.out[0]!, /^neuroforge: /);
  assert.ok(!fs.existsSync(path.join(dir, "x")));
  const usage = lines();
  assert.equal(await main(["node", "neuroforge", "export", bad], { out: usage.sink, err: usage.sink }), 2);
});

test("plot: a run's signals to SVG headless (loss, lr scale, norms, update ratios, chosen weights) with final values in titles", async () => {
  const file = path.join(dir, "plot.nfrun");
  const { thetas } = await record(file, "adam", 0.05);
  const svgFile = path.join(dir, "plot.svg");
  const io = lines();
  assert.equal(await main(["node", "neuroforge", "plot", file, "--out", svgFile, "--weights", "1:0:3,0:2:1"], { out: io.sink, err: io.sink }), 0, io.out.join("\n"));
  const svg = fs.readFileSync(svgFile, "utf8");
  // loss, lr_scale, grad_norm + step_norm, update_ratio (2 layers), weights (2)
  assert.equal((svg.match(/aria-roledescription="line mark"/g) ?? []).length, 1 + 1 + 2 + 2 + 2);
  const r = await NfrunReader.open(file);
  const loss = r.trace(r.runIds()[0]!).loss;
  r.close();
  const { formatValue } = await import("../../kernel/record/plot-recipe");
  assert.ok(svg.includes(`loss — final ${formatValue(loss[loss.length - 1])}`));
  const bias = thetas[thetas.length - 1]![12]!; // layer 1, neuron 0, weight 3 = its bias
  assert.ok(svg.includes(`weights.layer1.neuron0.bias ${formatValue(bias)}`), "the chosen weight's final value in the title");
  const hybrid = path.join(dir, "hybrid.svg");
  assert.equal(await main(["node", "neuroforge", "plot", file, "--out", hybrid, "--panel", "update_ratio:summary", "--summary", "norm"], { out: io.sink, err: io.sink }), 0);
  assert.ok(fs.readFileSync(hybrid, "utf8").includes("norm(update_ratio)"));
});

test("plot: usage errors and files with several runs are one line, exit 2", async () => {
  const file = path.join(dir, "sweep.nfrun"); // two runs (the export test above)
  for (const args of [
    [file, "--out", path.join(dir, "n.svg")],
    [path.join(dir, "plot.nfrun"), "--out", path.join(dir, "n.svg"), "--panel", "loss:sideways"],
    [path.join(dir, "plot.nfrun"), "--out", path.join(dir, "n.svg"), "--weights", "1:9:0"],
    [path.join(dir, "plot.nfrun"), "--out", path.join(dir, "n.svg"), "--panel", "lose"],
  ]) {
    const io = lines();
    assert.equal(await main(["node", "neuroforge", "plot", ...args], { out: io.sink, err: io.sink }), 2, args.join(" "));
    assert.equal(io.out.length, 1, io.out.join("\n"));
    assert.match(io.out[0]!, /^neuroforge: (.* holds 2 runs: choose one with --run|--panel 'loss:sideways': mode must be|.*has no weight \[layer 1, neuron 9|panel 0: unknown signal 'lose')/);
  }
  assert.ok(!fs.existsSync(path.join(dir, "n.svg")));
});
