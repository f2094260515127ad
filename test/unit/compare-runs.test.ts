/**
 * Runs compared (issue #15) from a real multirun .nfrun: `train` with `-m optimizer=adam,sgd
 * optimizer.lr=0.01,0.1` and a test split records four runs; their names, states, differing parameters,
 * final metrics (= the reader's), main effects (= means and S/N redone here from the reader's final
 * losses with Taguchi's formulas), the overlay (= the reader's trace per run), parallel coordinates
 * (positions redone by hand, drawn headless by Vega: one line per run) and the run list in a DOM
 * (sorting by a click on a heading, hostile names as text).
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, test } from "node:test";
import { answerQuery, BadQuery, checkQuery } from "../../extension/runs/answer";
import { Model, Trainer } from "../../kernel/engine";
import { getStrategy } from "../../kernel/engine/optimizers/registry";
import { NfrunReader, RunRecorder, testSeries, type NfrunError } from "../../kernel/record";
import { compareRows, compareRuns, runState, type RunRow } from "../../kernel/record/compare/compare";
import { effectsSpec } from "../../kernel/record/compare/effects-spec";
import { runNames } from "../../kernel/record/compare/names";
import { overlayPanels } from "../../kernel/record/compare/overlay";
import { parallelPoints, parallelSpec } from "../../kernel/record/compare/parallel-spec";
import { train } from "../../kernel/runtime/kernel/experiments";
import { vegaLiteToSvg } from "../../kernel/runtime/plot-svg";
import { renderRunList } from "../../webviews/shared/compare/run-list";
import { MAX_OVERLAY_RUNS } from "../../webviews/shared/queries";
import { installDom } from "./support/dom-globals";
import { toyDataset } from "./support/toy-data";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nf-compare-"));
const file = path.join(dir, "sweep.nfrun");
let reader: NfrunReader;

before(async () => {
  await train("samples/config/train.yaml", {
    overrides: ["optimizer=adam,sgd", "optimizer.lr=0.01,0.1", "training.epochs=3", "data.test_fraction=0.25"],
    multirun: true,
    record: file,
  });
  reader = await NfrunReader.open(file);
});
after(() => {
  reader.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test("names: the experiment name and the overrides that differ, as the sweep spelled them; states and final metrics are the file's", () => {
  const c = compareRuns(reader);
  assert.deepEqual(
    c.runs.map((r) => r.name),
    ["train · lr=0.01 · optimizer=adam", "train · lr=0.1 · optimizer=adam", "train · lr=0.01 · optimizer=sgd", "train · lr=0.1 · optimizer=sgd"],
  );
  assert.deepEqual(c.params, [{ key: "optimizer.name", label: "optimizer" }, { key: "optimizer.lr", label: "lr" }]);
  assert.deepEqual(c.runs.map((r) => r.values), [["adam", 0.01], ["adam", 0.1], ["sgd", 0.01], ["sgd", 0.1]]);
  assert.deepEqual(c.metrics, ["loss", "testLoss", "testAccuracy"]);
  for (const r of c.runs) {
    assert.equal(r.state, "completed");
    assert.equal(r.metrics.loss, reader.run(r.runId).finalLoss);
    const test = testSeries(reader, r.runId);
    assert.equal(test.epoch.length, 3);
    assert.equal(r.metrics.testLoss, test.loss[2]);
    assert.equal(r.metrics.testAccuracy, test.accuracy[2]);
  }
});

test("main effects of the 2×2 grid: per level the mean final loss and S/N = −10·log10(mean(y²)), redone from the reader's losses", () => {
  const c = compareRuns(reader);
  const y = c.runs.map((r) => reader.run(r.runId).finalLoss!);
  const sn = (ys: number[]) => -10 * Math.log10(ys.reduce((s, v) => s + v * v, 0) / ys.length);
  const mean = (ys: number[]) => ys.reduce((s, v) => s + v, 0) / ys.length;
  const byLevel: Record<string, Record<string, number[]>> = { optimizer: { adam: [y[0]!, y[1]!], sgd: [y[2]!, y[3]!] }, lr: { "0.01": [y[0]!, y[2]!], "0.1": [y[1]!, y[3]!] } };
  const effects = c.effects!.loss!;
  assert.deepEqual(effects.map((f) => f.factor), ["optimizer", "lr"]);
  for (const f of effects) {
    for (const l of f.levels) {
      const ys = byLevel[f.factor]![String(l.value)]!;
      assert.equal(l.count, 2);
      assert.ok(Math.abs(l.mean - mean(ys)) < 1e-15, `${f.factor}=${String(l.value)} mean`);
      assert.ok(Math.abs(l.sn - sn(ys)) < 1e-12, `${f.factor}=${String(l.value)} S/N`);
    }
    assert.ok(Math.abs(f.range - Math.abs(f.levels[0]!.mean - f.levels[1]!.mean)) < 1e-15);
  }
  // Accuracy: larger is better, S/N = −10·log10(mean(1/y²)).
  const acc = c.runs.map((r) => r.metrics.testAccuracy!);
  const lr = c.effects!.testAccuracy!.find((f) => f.factor === "lr")!;
  const ys = [acc[1]!, acc[3]!];
  assert.ok(Math.abs(lr.levels[1]!.sn - -10 * Math.log10((1 / ys[0]! ** 2 + 1 / ys[1]! ** 2) / 2)) < 1e-12);
  assert.equal(c.effectsNote, "4 runs, 2 factors, balanced");
});

test("main effects only for balanced designs: three runs of a 2×2 grid are refused with the reason", () => {
  const c = compareRuns(reader, reader.runIds().slice(0, 3));
  assert.equal(c.effects, null);
  assert.match(c.effectsNote, /^no main effects: optimizer and lr do not occur in every combination of levels equally often/);
});

test("the overlay: one line per run, named by the run, the loss per commit = the reader's trace", () => {
  const c = compareRuns(reader);
  const picked = [c.runs[0]!, c.runs[3]!];
  const o = overlayPanels(reader, picked);
  assert.deepEqual(o.panels.map((p) => p.title), ["loss per commit", "learning-rate scale", "test loss", "test accuracy"]);
  const loss = o.panels[0]!;
  assert.deepEqual(loss.lines.map((l) => l.name), picked.map((r) => r.name));
  for (const [i, r] of picked.entries()) {
    const tr = reader.trace(r.runId);
    assert.deepEqual(loss.lines[i]!.x, Array.from(tr.t));
    assert.deepEqual(loss.lines[i]!.values, Array.from(tr.loss));
  }
  assert.deepEqual(o.panels[2]!.lines[1]!.values, Array.from(testSeries(reader, picked[1]!.runId).loss));
});

test("parallel coordinates: each run's value on each axis (linear, categorical, the metric), one drawn line per run", async () => {
  const c = compareRuns(reader);
  const { points, axes } = parallelPoints(c, "loss", new Set([c.runs[1]!.runId]));
  assert.deepEqual(axes, ["optimizer", "lr", "final loss"]);
  const losses = c.runs.map((r) => r.metrics.loss!);
  const lo = losses.reduce((m, x) => Math.min(m, x));
  const hi = losses.reduce((m, x) => Math.max(m, x));
  for (const [k, r] of c.runs.entries()) {
    const mine = points.filter((p) => p.run === r.name);
    assert.deepEqual(mine.map((p) => p.axis), axes);
    assert.equal(mine[0]!.y, r.values[0] === "adam" ? 0 : 1, "categorical: levels evenly spaced");
    assert.ok(Math.abs(mine[1]!.y - (Number(r.values[1]) - 0.01) / 0.09) < 1e-12, "lr spans one decade: linear");
    assert.ok(Math.abs(mine[2]!.y - (losses[k]! - lo) / (hi - lo)) < 1e-12);
    assert.equal(mine[0]!.selected, k === 1);
  }
  const svg = await vegaLiteToSvg(parallelSpec(c, "loss"));
  // Vega draws a line per `detail` group: one per run, each through its three axes.
  const lines = [...svg.matchAll(/<g class="mark-line role-mark[^"]*"[^>]*><path [^>]*d="([^"]+)"/g)].map((m) => m[1]!);
  assert.equal(lines.length, c.runs.length);
  for (const d of lines) assert.equal(d.match(/[ML]/g)!.length, 3, d);
  for (const r of c.runs) assert.ok(svg.includes(`>${r.name}<`), `legend names ${r.name}`);
  const effects = await vegaLiteToSvg(effectsSpec(c.effects!.loss!, "loss"));
  assert.match(effects, /main effects on final loss/);
  assert.match(effects, /S\/N -?\d+\.\d\d dB/);
});

test("parallel coordinates: a positive axis spanning two decades or more is logarithmic", () => {
  const rows: RunRow[] = [0.001, 0.01, 0.1].map((lr, i) => ({ runId: `r${i}`, state: "completed", config: { name: "x", optimizer: { lr } }, metrics: { loss: i, testLoss: null, testAccuracy: null } }));
  const { points, ticks } = parallelPoints(compareRows(rows), "loss", new Set());
  assert.deepEqual(points.filter((p) => p.axis === "lr").map((p) => p.y), [0, 0.5, 1]);
  assert.deepEqual(ticks.filter((t) => t.axis === "lr").map((t) => t.text), ["0.001", "0.1 (log)"]);
});

test("names: group defaults that follow the group stay out, shortest clear labels, ties told apart by id; states incl. diverged", () => {
  const configs = [
    { name: "xor", optimizer: { name: "adam", lr: 0.1, weight_decay: 0 }, scheduler: { lr: 1 } },
    { name: "xor", optimizer: { name: "adamw", lr: 0.2, weight_decay: 0.01 }, scheduler: { lr: 2 } },
    { name: "xor", optimizer: { name: "adamw", lr: 0.2, weight_decay: 0.01 }, scheduler: { lr: 3 } },
  ];
  const n = runNames(configs, ["aaaaaaaa-1", "bbbbbbbb-2", "cccccccc-3"]);
  assert.deepEqual(n.params.map((p) => p.label), ["optimizer", "optimizer.lr", "weight_decay", "scheduler.lr"], "two lr keys: each by its group");
  // The optimizer's lr and weight decay follow from the choice of optimizer here: its defaults, not named.
  assert.deepEqual(n.names, ["xor · optimizer=adam · scheduler.lr=1", "xor · optimizer=adamw · scheduler.lr=2", "xor · optimizer=adamw · scheduler.lr=3"]);
  assert.deepEqual(n.factors, [0, 3]);
  // Configs that agree: told apart by the run id; a differing experiment name is the name, not a parameter.
  const twins = runNames([configs[1], configs[1], { ...configs[1], name: "or" }], ["aaaaaaaa-1", "bbbbbbbb-2", "cccccccc-3"]);
  assert.deepEqual(twins.names, ["xor · run aaaaaaaa", "xor · run bbbbbbbb", "or"]);
  assert.deepEqual(twins.params, []);
  assert.equal(runState("failed", ["start", "nonfinite", "end"]), "diverged");
  assert.equal(runState("failed", ["start", "end"]), "failed");
  assert.equal(runState("interrupted", []), "interrupted");
});

test("a run that diverged (non-finite loss) is listed as diverged and left out of the main effects", async () => {
  const f = path.join(dir, "diverged.nfrun");
  const data = toyDataset();
  for (const lr of [0.1, 1e6]) {
    const model = new Model({ inputs: 2, layers: [{ units: 3, activation: "relu" }, { units: 1, activation: "linear" }] });
    model.initialize({ name: "xavier_uniform" }, 1);
    const rec = await RunRecorder.create(f, { data, seed: 1, epochs: 20, config: { name: "blowup", optimizer: { name: "sgd", lr } } });
    const trainer = new Trainer({ model, loss: "mse", strategy: getStrategy("sgd"), hyperparameters: { lr }, batchSize: 4, seed: 1, observers: [rec] });
    rec.finish(trainer.fit(data, 20));
  }
  const r = await NfrunReader.open(f);
  try {
    const c = compareRuns(r);
    assert.deepEqual(c.runs.map((x) => [x.name, x.state]), [["blowup · lr=0.1", "completed"], ["blowup · lr=1000000", "diverged"]]);
    assert.deepEqual(c.effects!.loss![0]!.levels.map((l) => l.value), [0.1], "the diverged run's level has no completed member");
  } finally {
    r.close();
  }
});

test("run list: names, states and metrics as text; a click on a heading sorts by it, again the other way; missing values last", () => {
  const dom = installDom();
  const c = compareRuns(reader);
  const hostile = { ...c, runs: c.runs.map((r, i) => (i === 0 ? { ...r, name: '<img src=x onerror="alert(1)">' } : r)) };
  const selections: string[][] = [];
  const list = renderRunList(hostile, { onSelect: (ids) => selections.push(ids) });
  document.body.append(list.root);
  assert.equal(list.root.querySelector("img"), null);
  const names = () => [...list.root.querySelectorAll("tbody tr")].map((tr) => tr.querySelector(".run-name")!.textContent);
  assert.equal(names()[0], '<img src=x onerror="alert(1)">');
  assert.deepEqual([...list.root.querySelectorAll("th[data-column] button")].map((b) => b.textContent), ["run", "status", "optimizer", "lr", "final loss", "test loss", "test accuracy"]);
  const click = (column: string) => list.root.querySelector(`th[data-column="${column}"] button`)!.dispatchEvent(new dom.window.MouseEvent("click", { bubbles: true }));
  const byLoss = [...c.runs].sort((a, b) => a.metrics.loss! - b.metrics.loss!).map((r) => r.runId);
  const ids = () => [...list.root.querySelectorAll("tbody tr")].map((tr) => tr.getAttribute("data-run-id"));
  click("metric-loss");
  assert.deepEqual(ids(), byLoss);
  assert.equal(list.root.querySelector('th[data-column="metric-loss"]')!.getAttribute("aria-sort"), "ascending");
  click("metric-loss");
  assert.deepEqual(ids(), [...byLoss].reverse());
  assert.equal(list.root.querySelector('th[data-column="metric-loss"]')!.getAttribute("aria-sort"), "descending");
  click("param-optimizer.lr");
  assert.deepEqual(ids(), [c.runs[0], c.runs[2], c.runs[1], c.runs[3]].map((r) => r!.runId), "lr ascending, ties in file order");
  assert.equal(list.root.querySelector('th[data-column="metric-loss"]')!.getAttribute("aria-sort"), "none");
  const row = (id: string) => list.root.querySelector(`tr[data-run-id="${id}"]`)!;
  assert.equal(row(c.runs[2]!.runId).querySelector(".state")!.textContent, "completed");
  assert.equal(Number(row(c.runs[2]!.runId).querySelectorAll("td.num")[1]!.getAttribute("data-value")), c.runs[2]!.metrics.loss);
  for (const r of [c.runs[3]!, c.runs[1]!]) {
    const box = row(r.runId).querySelector<HTMLInputElement>('input[type="checkbox"]')!;
    box.checked = true;
    box.dispatchEvent(new dom.window.Event("change"));
  }
  assert.deepEqual(selections.at(-1), [c.runs[1]!.runId, c.runs[3]!.runId], "selection in the file's order");
  // Missing values sort last in both directions.
  const rows: RunRow[] = [null, 2, 1].map((loss, i) => ({ runId: `r${i}`, state: "completed", config: { name: "m", seed: i }, metrics: { loss, testLoss: null, testAccuracy: null } }));
  const l2 = renderRunList(compareRows(rows), { onSelect: () => {} });
  const order = () => [...l2.root.querySelectorAll("tbody tr")].map((tr) => tr.getAttribute("data-run-id"));
  const sortLoss = () => l2.root.querySelector('th[data-column="metric-loss"] button')!.dispatchEvent(new dom.window.MouseEvent("click"));
  sortLoss();
  assert.deepEqual(order(), ["r2", "r1", "r0"]);
  sortLoss();
  assert.deepEqual(order(), ["r1", "r2", "r0"]);
});

test("the host's overlay query: run ids checked before the reader sees them; an unknown run is the reader's no-such-run", () => {
  const ids = reader.runIds();
  for (const runIds of [[], [1], "x", Array.from({ length: MAX_OVERLAY_RUNS + 1 }, () => ids[0])]) {
    assert.throws(() => checkQuery({ kind: "overlay", runId: "x", runIds }), (e: Error) => e instanceof BadQuery && /^overlay: runIds must be a list of 1 to 10 run ids$/.test(e.message));
  }
  const answer = answerQuery(reader, checkQuery({ kind: "overlay", runId: ids[1]!, runIds: [ids[1]!] }));
  assert.equal(answer.kind, "overlay");
  assert.deepEqual(answer.kind === "overlay" && answer.panels[0]!.lines.map((l) => l.name), ["train · lr=0.1 · optimizer=adam"]);
  assert.throws(() => answerQuery(reader, checkQuery({ kind: "overlay", runId: "nope", runIds: ["nope"] })), (e: NfrunError) => e.kind === "no-such-run");
});

test("the course's L9 array (samples/course/runs/11-l9-sweep.nfrun): three factors, each level three runs, means by hand", async () => {
  const l9 = await NfrunReader.open("samples/course/runs/11-l9-sweep.nfrun");
  try {
    const c = compareRuns(l9);
    assert.equal(c.runs[0]!.name, "sweep-l9 · batch_size=10 · lr=0.003 · optimizer=adam", "AdamW's weight decay and parameter groups follow the optimizer: not named");
    assert.equal(c.effectsNote, "9 runs, 3 factors, balanced");
    const effects = c.effects!.loss!;
    assert.deepEqual(effects.map((f) => f.factor), ["optimizer", "lr", "batch_size"]);
    for (const f of effects) {
      const p = c.params.findIndex((q) => q.label === f.factor);
      assert.equal(f.levels.length, 3);
      for (const l of f.levels) {
        const ys = c.runs.filter((r) => r.values[p] === l.value).map((r) => l9.run(r.runId).finalLoss!);
        assert.equal(ys.length, 3);
        assert.ok(Math.abs(l.mean - (ys[0]! + ys[1]! + ys[2]!) / 3) < 1e-15, `${f.factor}=${String(l.value)}`);
      }
    }
  } finally {
    l9.close();
  }
});
