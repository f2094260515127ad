/**
 * Decision boundaries (issue #16) in JSDOM, through the network renderer's entry point, asserting the colours
 * a person sees: the output's surface and each neuron's heatmap at known cells of a known network, against
 * the engine's Model.predict and TF Playground's colour stops interpolated here by hand; light and dark
 * themes from the stylesheet; train and test points where they belong; the surface following the commit
 * scrubber of a recorded run; and the SVG fallback with the same colours.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, test } from "node:test";
import { JSDOM } from "jsdom";
import { datasetFromRows, Model, splitDataset, Trainer } from "../../kernel/engine";
import { getStrategy } from "../../kernel/engine/optimizers/registry";
import { NfrunReader, RunRecorder } from "../../kernel/record";
import { mimeBundleOf } from "../../kernel/runtime/display/index";
import { MIME } from "../../kernel/runtime/display/mime";
import { networkTrace, networkView } from "../../kernel/runtime/display/network";
import { forward } from "../../webviews/renderers/network/forward";
import { activate } from "../../webviews/renderers/network/index";
import { installDom } from "./support/dom-globals";
import { renderOutput } from "./support/render-output";
import { toyDataset } from "./support/toy-data";

const dom = installDom();
const render = (payload: unknown) => renderOutput(activate, MIME.network, payload);
const payloadOf = (value: unknown): unknown => JSON.parse(JSON.stringify(mimeBundleOf(value)[MIME.network]));

/** TF Playground's stops (#f59322 → #e8eaeb → #0877bd; dark middle #2d2d30, dark high #3d9be9) at value f ∈ [0, 1], 31 shades, as CSS rgb(). */
function expectedColour(f: number, dark = false): string {
  const k = Math.max(0, Math.min(30, Math.round(f * 30)));
  const stops = dark ? [[0xf5, 0x93, 0x22], [0x2d, 0x2d, 0x30], [0x3d, 0x9b, 0xe9]] : [[0xf5, 0x93, 0x22], [0xe8, 0xea, 0xeb], [0x08, 0x77, 0xbd]];
  const u = k / 30;
  const [a, b, t] = u <= 0.5 ? [stops[0]!, stops[1]!, u * 2] : [stops[1]!, stops[2]!, u * 2 - 1];
  return `#${a.map((c, i) => Math.round(c + (b[i]! - c) * t).toString(16).padStart(2, "0")).join("")}`;
}
const fillOf = (el: Element): string => dom.window.getComputedStyle(el).fill;

/** A 2-2-1 network with chosen weights: hidden tanh(x1 − x2), tanh(0.5·x1 + x2 − 0.2); output sigmoid(3·h0 − 2·h1 + 0.1). */
function knownModel(): Model {
  const m = new Model({ inputs: 2, layers: [{ units: 2, activation: "tanh" }, { units: 1, activation: "sigmoid" }] });
  m.params.set([1, -1, 0, 0.5, 1, -0.2, 3, -2, 0.1]);
  return m;
}
const train = datasetFromRows("pts", [[-1, -1], [1, 1], [-1, 1], [1, -1]], [[0], [0], [1], [1]]);
const test2 = datasetFromRows("pts-test", [[0, 0.5], [0.5, 0]], [[1], [0]]);

test("the decision surface: colour of known cells is the output's value there, in both themes", async () => {
  const model = knownModel();
  const el = await render(payloadOf(networkView(model, train, test2)));
  const rects = Array.from(el.querySelectorAll(".boundary .surface rect"));
  assert.equal(rects.length, 40 * 40);
  // The points span [−1, 1] on both axes: the plane is that padded by 10%, [−1.2, 1.2]².
  const centre = (i: number, j: number): [number, number] => [-1.2 + ((i + 0.5) * 2.4) / 40, 1.2 - ((j + 0.5) * 2.4) / 40];
  const cells: [number, number][] = [[0, 0], [39, 39], [5, 30], [20, 20], [33, 7], [12, 25]];
  const seen = new Set<string>();
  for (const [i, j] of cells) {
    const rect = rects[j * 40 + i]!;
    const [x1, x2] = centre(i, j);
    assert.ok(Math.abs(Number(rect.getAttribute("data-x1")) - x1) < 1e-12 && Math.abs(Number(rect.getAttribute("data-x2")) - x2) < 1e-12, `cell ${i},${j} centre`);
    const p = model.predict([x1, x2])[0]!;
    // Independent of the engine too: the formula of the network written out.
    const h0 = Math.tanh(x1 - x2);
    const h1 = Math.tanh(0.5 * x1 + x2 - 0.2);
    assert.ok(Math.abs(p - 1 / (1 + Math.exp(-(3 * h0 - 2 * h1 + 0.1)))) < 1e-12);
    assert.equal(fillOf(rect), expectedColour(p), `cell ${i},${j}: output ${p}`);
    seen.add(fillOf(rect));
  }
  assert.ok(seen.size >= 4, "the known cells show different colours");
  // The dark theme: the same shades from the dark stops.
  document.body.classList.add("vscode-dark");
  try {
    for (const [i, j] of cells) {
      const [x1, x2] = centre(i, j);
      assert.equal(fillOf(rects[j * 40 + i]!), expectedColour(model.predict([x1, x2])[0]!, true), `dark cell ${i},${j}`);
    }
  } finally {
    document.body.classList.remove("vscode-dark");
  }
});

test("each neuron's heatmap shows what it computes over the plane; inputs show x1 and x2", async () => {
  const model = knownModel();
  const el = await render(payloadOf(networkView(model, train, test2)));
  const mini = (column: number, index: number) => Array.from(el.querySelectorAll(`g.mini[data-column="${column}"][data-index="${index}"] rect`));
  const centre = (i: number, j: number): [number, number] => [-1.2 + ((i + 0.5) * 2.4) / 10, 1.2 - ((j + 0.5) * 2.4) / 10];
  for (const [i, j] of [[0, 0], [9, 0], [4, 6], [9, 9]] as const) {
    const [x1, x2] = centre(i, j);
    const at = j * 10 + i;
    assert.equal(fillOf(mini(0, 0)[at]!), expectedColour((x1 + 1.2) / 2.4), `input x1 at ${i},${j}`);
    assert.equal(fillOf(mini(0, 1)[at]!), expectedColour((x2 + 1.2) / 2.4), `input x2 at ${i},${j}`);
    // tanh neurons shade [−1, 1]; the sigmoid output [0, 1].
    assert.equal(fillOf(mini(1, 0)[at]!), expectedColour((Math.tanh(x1 - x2) + 1) / 2), `hidden 0 at ${i},${j}`);
    assert.equal(fillOf(mini(1, 1)[at]!), expectedColour((Math.tanh(0.5 * x1 + x2 - 0.2) + 1) / 2), `hidden 1 at ${i},${j}`);
    assert.equal(fillOf(mini(2, 0)[at]!), expectedColour(model.predict([x1, x2])[0]!), `output at ${i},${j}`);
  }
  assert.equal(mini(1, 0).length, 100);
  assert.ok(el.querySelectorAll("circle.neuron.heated").length === 5, "every neuron's circle lets its heatmap show");
});

test("train and test points sit at their coordinates, coloured by class; test points ringed", async () => {
  const el = await render(payloadOf(networkView(knownModel(), train, test2)));
  const trainPts = Array.from(el.querySelectorAll(".boundary circle.pt.train"));
  const testPts = Array.from(el.querySelectorAll(".boundary circle.pt.test"));
  assert.equal(trainPts.length, 4);
  assert.equal(testPts.length, 2);
  // Plane [−1.2, 1.2]² drawn 240 px wide after a 34 px margin: x = 34 + (x1 + 1.2) / 2.4 · 240, y flipped.
  const near = (c: Element, x: number, y: number) => assert.ok(Math.hypot(Number(c.getAttribute("cx")) - x, Number(c.getAttribute("cy")) - y) < 1e-9, `${c.getAttribute("cx")}, ${c.getAttribute("cy")} ≠ ${x}, ${y}`);
  near(trainPts[0]!, 34 + 20, 34 + 220);
  near(testPts[0]!, 34 + 120, 34 + 120 - 50);
  assert.equal(fillOf(trainPts[0]!), expectedColour(0));
  assert.equal(fillOf(trainPts[2]!), expectedColour(1));
  assert.notEqual(dom.window.getComputedStyle(testPts[0]!).stroke, dom.window.getComputedStyle(trainPts[0]!).stroke, "test points are ringed differently");
  assert.match(el.querySelector(".legend-plane")!.textContent!, /^y1 = 0 y1 = 1 · ● train · ◯ test/);
});

test("a model without data: the boundary over [−1, 1]², and no boundary for other input sizes", async () => {
  const el = await render(payloadOf(knownModel()));
  const rect = el.querySelectorAll(".boundary .surface rect")[0]!;
  assert.ok(Math.abs(Number(rect.getAttribute("data-x1")) - (-1 + 1 / 40)) < 1e-12);
  assert.match(el.querySelector(".legend-plane")!.textContent!, /no data attached/);
  const three = new Model({ inputs: 3, layers: [{ units: 1, activation: "sigmoid" }] });
  const el3 = await render(payloadOf(three));
  assert.equal(el3.querySelector(".boundary"), null);
  assert.equal(el3.querySelectorAll("g.mini").length, 0);
});

test("the webview's forward pass equals the engine's Model.predict for every activation", () => {
  for (const activation of ["relu", "leaky_relu", "linear", "sigmoid", "tanh"] as const) {
    const m = new Model({ inputs: 2, layers: [{ units: 3, activation }, { units: 3, activation: "softmax" }] });
    m.initialize({ name: "xavier_uniform" }, 5);
    for (const x of [[0.3, -0.7], [-2, 1.5], [0, 0]]) {
      const a = forward(m.spec.layers.map((l, i) => ({ inputs: i === 0 ? 2 : 3, units: l.units, activation: l.activation })), Array.from(m.params), x);
      const p = m.predict(x);
      for (let k = 0; k < 3; k++) assert.ok(Math.abs(a[1]![k]! - p[k]!) < 1e-15, `${activation} ${x}`);
    }
  }
});

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nf-boundary-"));
let reader: NfrunReader;
let runId = "";
before(async () => {
  const { train: data, test: held } = splitDataset(toyDataset(), 0.25, 0); // 9 train, 3 test
  const model = new Model({ inputs: 2, layers: [{ units: 3, activation: "tanh" }, { units: 1, activation: "sigmoid" }] });
  model.initialize({ name: "xavier_uniform" }, 3);
  const file = path.join(dir, "b.nfrun");
  const rec = await RunRecorder.create(file, { data, seed: 3, epochs: 3, policy: {}, checkpointSeconds: 3600 });
  const trainer = new Trainer({ model, loss: "bce", strategy: getStrategy("adam"), hyperparameters: { lr: 0.2 }, batchSize: 3, seed: 3, observers: [rec], test: held });
  rec.finish(trainer.fit(data, 3));
  runId = rec.runId;
  reader = await NfrunReader.open(file);
});
after(() => {
  reader?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test("a recorded run: the surface follows the commit scrubber, computed from the recorded weights", async () => {
  const ts = [1, 5, 9];
  const el = await render(payloadOf(networkTrace(reader, runId, ts)));
  const scrubber = el.querySelector<HTMLInputElement>("input.scrubber")!;
  const rects = Array.from(el.querySelectorAll(".boundary .surface rect"));
  assert.equal(el.querySelectorAll(".boundary circle.pt.train").length, 9, "the run's stored training points");
  assert.equal(el.querySelectorAll(".boundary circle.pt.test").length, 3, "and its test split, ringed");
  const ctx = reader.context(runId);
  const fills: string[] = [];
  for (let i = 0; i < ts.length; i++) {
    scrubber.value = String(i);
    scrubber.dispatchEvent(new dom.window.Event("input", { bubbles: true }));
    assert.match(el.querySelector(".boundary .caption")!.textContent!, new RegExp(`after commit t=${ts[i]}$`));
    const m = new Model({ inputs: 2, layers: [{ units: 3, activation: "tanh" }, { units: 1, activation: "sigmoid" }] });
    m.layers.forEach((l, li) => {
      for (let j = 0; j < l.units; j++) m.params.set(reader.weightsAfter(ctx, ts[i]!, li, j)!, l.offset + j * (l.inputs + 1));
    });
    for (const c of [0, 410, 845, 1599]) {
      const r = rects[c]!;
      const p = m.predict([Number(r.getAttribute("data-x1")), Number(r.getAttribute("data-x2"))])[0]!;
      assert.equal(fillOf(r), expectedColour(p), `t=${ts[i]} cell ${c}`);
    }
    fills.push(rects.map(fillOf).join());
  }
  assert.notEqual(fills[0], fills[2], "the surface changes as the network learns");
});

test("the SVG fallback draws the same surface, points and neuron heatmaps (light theme)", () => {
  const model = knownModel();
  const svgText = mimeBundleOf(networkView(model, train, test2))["image/svg+xml"] as string;
  const svg = new JSDOM(svgText, { contentType: "image/svg+xml" }).window.document;
  const surface = Array.from(svg.querySelectorAll("g[transform] > rect")).slice(0, 1600);
  for (const [i, j] of [[0, 0], [20, 20], [33, 7]] as const) {
    const [x1, x2] = [-1.2 + ((i + 0.5) * 2.4) / 40, 1.2 - ((j + 0.5) * 2.4) / 40];
    assert.equal(surface[j * 40 + i]!.getAttribute("fill"), expectedColour(model.predict([x1, x2])[0]!), `fallback cell ${i},${j}`);
  }
  assert.equal(svg.querySelectorAll("g[transform] > circle").length, 6, "4 train + 2 test points");
  const minis = Array.from(svg.querySelectorAll('g[clip-path="url(#nf-fallback-clip)"]'));
  assert.equal(minis.length, 5);
  // Hidden neuron 0 (the third spot) at mini cell (9, 0): x = (1.08, 1.08), tanh(0) = 0, the middle shade.
  assert.equal(minis[2]!.querySelectorAll("rect")[9]!.getAttribute("fill"), expectedColour(0.5));
});
