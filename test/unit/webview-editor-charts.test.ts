/**
 * The .nfrun editor's charts (issue #13): the real editor bundle (webviews/editor/main.ts, built in memory
 * as esbuild.mjs builds it) in JSDOM with eval/Function forbidden, its queries answered by the real run
 * query service over a recorded run with a test split. Checked: the panels (loss, learning-rate scale,
 * gradient and step norms, test loss and accuracy) carry the reader's numbers; the cursor rule of every
 * chart sits at the playback position and moves when the playback moves (x linear in t: collinear at
 * three positions); weights chosen in the field and the weight selected in the network are charted.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, test } from "node:test";
import { Model, splitDataset, Trainer } from "../../kernel/engine";
import { getStrategy } from "../../kernel/engine/optimizers/registry";
import { NfrunReader, RunRecorder } from "../../kernel/record";
import { formatValue } from "../../kernel/record/plot-recipe";
import { scalarSeries, testSeries, weightSeries } from "../../kernel/record/series";
import { RunFiles } from "../../extension/runs/run-files";
import { RunQueryService } from "../../extension/runs/service";
import { editorBundle, openEditorPage, until } from "./support/editor-page";
import { toyDataset } from "./support/toy-data";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nf-editor-charts-"));
const file = path.join(dir, "run.nfrun");
let runId = "";
let bundle = "";

before(async () => {
  const { train, test: held } = splitDataset(toyDataset(), 0.25, 1); // 9 training, 3 held-out samples
  const model = new Model({ inputs: 2, layers: [{ units: 3, activation: "tanh" }, { units: 1, activation: "sigmoid" }] });
  model.initialize({ name: "xavier_uniform" }, 4);
  const rec = await RunRecorder.create(file, { data: train, seed: 4, epochs: 4, checkpointSeconds: 3600 });
  const trainer = new Trainer({ model, loss: "bce", strategy: getStrategy("adam"), hyperparameters: { lr: 0.05 }, batchSize: 3, shuffle: true, seed: 4, test: held, observers: [rec] });
  rec.finish(trainer.fit(train, 4));
  runId = rec.runId;
  bundle = await editorBundle();
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

async function openEditor() {
  const page = await openEditorPage(bundle, file, "run.nfrun");
  const doc = page.doc;
  const charts = await until("the charts", () => {
    const c = doc.querySelector<HTMLElement>('section.charts[aria-busy="false"]');
    return c && c.querySelector(".signal-chart svg") ? c : null;
  });
  const playback = await until("the playback", () => doc.querySelector<HTMLElement>('section.playback[aria-busy="false"]'));
  return {
    ...page,
    charts,
    playback,
    panel: (title: RegExp) => {
      const el = [...charts.querySelectorAll<HTMLElement>(".signal-chart")].find((c) => title.test(c.getAttribute("aria-label") ?? ""));
      assert.ok(el, `a chart titled ${title} (have: ${[...charts.querySelectorAll(".signal-chart")].map((c) => c.getAttribute("aria-label")).join(" | ")})`);
      return el;
    },
  };
}

/** The cursor rule's x in a chart's SVG (Vega draws a rule as a translated line). */
function ruleX(chart: HTMLElement): number {
  const line = chart.querySelector(".mark-rule.role-mark line");
  assert.ok(line, "a cursor rule");
  const m = /translate\(([-\d.e]+),/.exec(line.getAttribute("transform") ?? "");
  assert.ok(m, `a translated rule: ${line.getAttribute("transform")}`);
  return Number(m[1]);
}

test("charts: the reader's numbers, a cursor at the playback position that moves with it", async () => {
  const ed = await openEditor();
  const reader = await NfrunReader.open(file);
  try {
    const s = scalarSeries(reader, runId);
    const T = s.t.length;
    const tests = testSeries(reader, runId);
    assert.equal(tests.epoch.length, 4);
    // Titles end with the final values (plot recipes), here the reader's.
    assert.equal(ed.panel(/^loss — /).getAttribute("aria-label"), `loss — final ${formatValue(s.loss[T - 1])}`);
    ed.panel(/^learning-rate scale — final 1$/);
    ed.panel(/^gradient and step norms — grad_norm /);
    assert.equal(ed.panel(/^test loss/).getAttribute("aria-label"), `test loss — final ${formatValue(tests.loss[3])}`);
    assert.equal(ed.panel(/^test accuracy/).getAttribute("aria-label"), `test accuracy — final ${formatValue(tests.accuracy[3])}`);
    // The summary's loss chart was replaced by the charts; nothing asked for the update ratios' matrix series.
    assert.equal(ed.doc.querySelectorAll(".chart[aria-label^='loss per commit']").length, 0);
    assert.deepEqual(ed.asked.filter((q) => (q as { kind: string }).kind === "signals"), [{ kind: "signals", runId, weights: [] }]);

    // The playback opens at the end: the cursor at the last commit and the last epoch.
    const loss = ed.panel(/^loss — /);
    const testLoss = ed.panel(/^test loss/);
    assert.equal(loss.getAttribute("data-cursor"), String(T));
    assert.equal(testLoss.getAttribute("data-cursor"), "3");
    const xEnd = ruleX(loss);
    const moveTo = async (control: string, t: number) => {
      ed.click(ed.doc.querySelector(`[aria-label="${control}"]`)!);
      await until(`the cursor at t=${t}`, () => loss.getAttribute("data-cursor") === String(t) && ed.playback.getAttribute("aria-busy") === "false");
      await new Promise((r) => setTimeout(r, 20));
      return ruleX(loss);
    };
    const xStart = await moveTo("go to start", 0);
    assert.equal(testLoss.getAttribute("data-cursor"), "0");
    assert.ok(xStart < xEnd, `the rule moved left: ${xStart} < ${xEnd}`);
    // Step by batch: commit 1, 2 (the rule's x is linear in t: equal steps).
    const x1 = await moveTo("step forward", 1);
    const x2 = await moveTo("step forward", 2);
    assert.ok(x1 > xStart && x2 > x1, `${xStart} < ${x1} < ${x2}`);
    assert.ok(Math.abs(x2 - x1 - (x1 - xStart)) < 1e-6, `equal steps: ${xStart}, ${x1}, ${x2}`);
    assert.ok(Math.abs((xEnd - xStart) / T - (x1 - xStart)) < 1e-6, "the end is T steps from the start");
    // The other commit charts follow too.
    for (const title of [/^learning-rate scale/, /^gradient and step norms/]) assert.equal(ed.panel(title).getAttribute("data-cursor"), "2");
  } finally {
    reader.close();
    ed.close();
  }
});

test("charts: weights typed in the field and the weight selected in the network are charted with the reader's θ[t]", async () => {
  const ed = await openEditor();
  const reader = await NfrunReader.open(file);
  try {
    const input = ed.doc.querySelector<HTMLInputElement>('[aria-label="weights to chart (layer:neuron:weight)"]')!;
    input.value = "1:0:3, nonsense";
    ed.click(ed.doc.querySelector(".weights-pick button")!);
    assert.match(ed.charts.querySelector(".charts-note")!.textContent!, /'nonsense' is not layer:neuron:weight \(e.g. 1:0:2\)/);
    input.value = "1:0:3 0:2:1";
    ed.click(ed.doc.querySelector(".weights-pick button")!);
    const bias = weightSeries(reader, runId, 1, 0, 3);
    const w = weightSeries(reader, runId, 0, 2, 1);
    assert.ok(!("kind" in bias) && !("kind" in w));
    const final = (v: Float64Array) => formatValue(v[v.length - 1]);
    const title = `chosen weights θ[t] — weights.layer1.neuron0.bias ${final(bias.values)}, weights.layer0.neuron2.w1 ${final(w.values)}`;
    await until(`the weights chart ${title}`, () => ed.charts.querySelector(`.signal-chart[aria-label="${title}"] svg`) || (ed.charts.getAttribute("aria-busy") === "false" && [...ed.charts.querySelectorAll(".signal-chart")].map((c) => c.getAttribute("aria-label")).join(" | ").includes("chosen") && assert.fail([...ed.charts.querySelectorAll(".signal-chart")].map((c) => c.getAttribute("aria-label")).join(" | "))));
    // The network's selected weight (Enter on a weight opens its popup) joins the chosen ones.
    const line = await until("a weight in the network", () => ed.doc.querySelector('.playback line.weight[data-layer="0"][data-neuron="1"][data-weight="0"]'));
    ed.key(line, "Enter");
    const sel = weightSeries(reader, runId, 0, 1, 0);
    assert.ok(!("kind" in sel));
    await until("the selected weight charted", () => ed.charts.querySelector(`.signal-chart[aria-label*="layer0.neuron1.w0"] svg`) && ed.charts.getAttribute("aria-busy") === "false");
    assert.deepEqual(
      ed.asked.filter((q) => (q as { kind: string }).kind === "signals").at(-1),
      { kind: "signals", runId, weights: [{ layer: 1, neuron: 0, weight: 3 }, { layer: 0, neuron: 2, weight: 1 }, { layer: 0, neuron: 1, weight: 0 }] },
    );
    // Redrawn charts keep the cursor where the playback is.
    assert.equal(ed.panel(/^loss — /).getAttribute("data-cursor"), ed.playback.getAttribute("data-shown-t"));
  } finally {
    reader.close();
    ed.close();
  }
});

test("the signals query refuses malformed weights with one line (bad-query)", async () => {
  const service = new RunQueryService(new RunFiles());
  const ask = (weights: unknown) => service.answer(file, { type: "query", id: 1, query: { kind: "signals", runId, weights } });
  assert.deepEqual(await ask([{ layer: -1, neuron: 0, weight: 0 }]), { type: "answer", id: 1, error: { kind: "bad-query", message: "signals: weights[0] must be { layer, neuron, weight } of non-negative integers" } });
  assert.deepEqual(await ask("all"), { type: "answer", id: 1, error: { kind: "bad-query", message: "signals: weights must be a list of at most 8 weights" } });
  const missing = await ask([{ layer: 5, neuron: 0, weight: 0 }]);
  assert.match(JSON.stringify(missing), /has no layer 5/);
  service.files.dispose();
});
