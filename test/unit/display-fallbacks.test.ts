/**
 * A saved notebook read without our extension shows the fallbacks (text/html, text/plain): their numbers
 * must be the custom renderer's. Each display kind of a run recorded with the real engine and recorder is
 * rendered through its renderer's entry point in JSDOM, and the numbers of the fallbacks are compared
 * with what the renderer shows, row by row and column by column (so swapped columns fail).
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, test } from "node:test";
import { Model, Trainer } from "../../kernel/engine";
import { getStrategy } from "../../kernel/engine/optimizers/registry";
import { NfrunReader, RunRecorder, type NeuronSnapshot, type WeightTrace } from "../../kernel/record";
import { mimeBundleOf } from "../../kernel/runtime/display/index";
import { MIME } from "../../kernel/runtime/display/mime";
import { signalsBundle } from "../../kernel/runtime/display/plot";
import { activate as activateAudit } from "../../webviews/renderers/audit/index";
import { activate as activateNetwork } from "../../webviews/renderers/network/index";
import { activate as activateNeuron } from "../../webviews/renderers/neuron/index";
import { installDom } from "./support/dom-globals";
import { renderOutput } from "./support/render-output";
import { toyDataset } from "./support/toy-data";

installDom();

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nf-fallbacks-"));
let reader: NfrunReader;
let runId = "";
let model: Model;

before(async () => {
  const data = toyDataset();
  model = new Model({ inputs: 2, layers: [{ units: 3, activation: "tanh" }, { units: 1, activation: "sigmoid" }] });
  model.initialize({ name: "xavier_uniform" }, 5);
  const file = path.join(dir, "run.nfrun");
  const rec = await RunRecorder.create(file, { data, seed: 5, epochs: 2, checkpointSeconds: 3600 });
  const trainer = new Trainer({ model, loss: "mse", strategy: getStrategy("adam"), hyperparameters: { lr: 0.05 }, batchSize: 4, shuffle: true, seed: 5, observers: [rec] });
  rec.finish(trainer.fit(data, 2));
  runId = rec.runId;
  reader = await NfrunReader.open(file);
});
after(() => {
  reader?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const NUMBER = /[-−]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?/gi;
/** The numbers of a text, in order (a Unicode minus counts as a sign). */
const numbers = (text: string): number[] => (text.match(NUMBER) ?? []).map((s) => Number(s.replace("−", "-")));

/** Every table row with numbers, as its numbers in column order. */
function rowNumbers(root: ParentNode): number[][] {
  return [...root.querySelectorAll("tr")]
    .map((tr) => [...tr.children].flatMap((cell) => numbers(cell.textContent ?? "")))
    .filter((r) => r.length > 0);
}

function htmlRoot(html: string): HTMLElement {
  const div = document.createElement("div");
  div.innerHTML = html;
  return div;
}

function neuron(layer: number, n: number, sample: number): NeuronSnapshot {
  const s = reader.neuronSnapshot(runId, layer, n, 1, sample);
  assert.equal(s.kind, "neuron-snapshot");
  return s as NeuronSnapshot;
}

for (const [what, layer] of [
  ["hidden neuron (blame sources)", 0],
  ["output neuron", 1],
] as const) {
  test(`neuron snapshot of a ${what}: text/html and text/plain rows are the renderer's rows`, async () => {
    const snap = neuron(layer, 0, 3);
    const bundle = mimeBundleOf(snap);
    const rendered = rowNumbers(await renderOutput(activateNeuron, MIME.neuron, bundle[MIME.neuron]));
    assert.ok(rendered.length >= snap.forward.inputs.length + 3, "the renderer shows its tables");
    assert.deepEqual(rowNumbers(htmlRoot(String(bundle["text/html"]))), rendered);
    const textRows = String(bundle["text/plain"])
      .split("\n")
      .filter((line) => line.startsWith("  "))
      .map(numbers);
    assert.deepEqual(textRows, rendered);
    // The first forward row: from input/neuron 0, its input value, the weight, the product — in that order.
    const first = snap.forward.inputs[0]!;
    assert.deepEqual(rendered[0]!.slice(-3).map((v) => Math.abs(v)), [first.input, first.value, first.product].map((v) => Math.abs(Number(v.toPrecision(4)))));
  });
}

test("audit (weight trace): the sample rows and every commit cell of the fallbacks are the renderer's", async () => {
  const trace = reader.weightTrace(runId, 1, 0, 1, 4) as WeightTrace;
  assert.equal(trace.kind, "weight-trace");
  const bundle = mimeBundleOf(trace);
  const root = await renderOutput(activateAudit, MIME.audit, bundle[MIME.audit]);
  const rendered = rowNumbers(root);
  const fallbackRows = rowNumbers(htmlRoot(String(bundle["text/html"])));
  // Sample rows: sample, Input, × Blame, = Leverage, Cum. appear in this order in the renderer's row of that sample.
  const isSubsequence = (sub: number[], row: number[]) => {
    let k = 0;
    for (const v of row) if (k < sub.length && v === sub[k]) k++;
    return k === sub.length;
  };
  for (const row of fallbackRows.slice(0, trace.rows.length)) {
    assert.ok(rendered.some((r) => isSubsequence(row, r)), `sample row ${JSON.stringify(row)} is a renderer row's numbers in order`);
  }
  // Commit cells by header: the renderer's cell under the same header shows the same number.
  const headers = [...htmlRoot(String(bundle["text/html"])).querySelectorAll("table")[1]!.querySelectorAll("th")].map((th) => th.textContent ?? "");
  const values = fallbackRows.at(-1)!;
  const textCommit = String(bundle["text/plain"]).split("\n").find((l) => l.startsWith("  commit: "))!;
  assert.deepEqual(numbers(textCommit.replace(/^ {2}commit: /, "").replace(/[^,]*? (?=[-−\d])/g, " ")), values, "text/plain commit line = text/html commit row");
  const renderedText = root.textContent ?? "";
  for (const [k, header] of headers.entries()) {
    assert.ok(renderedText.includes(header.replace(/^[×=/] /, "")), `the renderer names ${header}`);
    assert.ok(rendered.some((r) => r.includes(values[k]!)), `${header} ${values[k]} is shown by the renderer`);
  }
});

test("network: the text/plain summary's numbers are the renderer's model", async () => {
  const bundle = mimeBundleOf(model);
  const root = await renderOutput(activateNetwork, MIME.network, bundle[MIME.network]);
  // "Model 2 → 3 tanh → 1 sigmoid (13 weights incl. biases)": inputs, units per layer, weight count.
  assert.deepEqual(numbers(String(bundle["text/plain"])), [2, 3, 1, 13]);
  const payload = bundle[MIME.network] as { inputs: number; layers: { units: number; weights: number[][] }[]; weightCount: number };
  assert.deepEqual([payload.inputs, ...payload.layers.map((l) => l.units), payload.weightCount], [2, 3, 1, 13]);
  assert.equal(root.querySelectorAll("[data-layer][data-neuron]").length > 0 || root.querySelectorAll("circle").length > 0, true, "the renderer draws the neurons");
});

// The signals renderer (Vega, tested from its bundle in webview-signals.test.ts) draws the payload's series.
test("signals plot: the text/plain last values are the last values of the series the renderer draws", () => {
  const x = [1, 2, 3, 4];
  const bundle = signalsBundle({ title: "loss", x, series: { loss: [0.5, 0.25, 0.125, 0.0625], gradNorm: [1, 2, 3, 4.5] } });
  const payload = bundle[MIME.signals] as { series: Record<string, number[]> };
  assert.deepEqual(numbers(String(bundle["text/plain"]).replace(/^[^:]*: /, "")), [4, 0.0625, 4.5]);
  assert.deepEqual(Object.values(payload.series).map((s) => s.at(-1)), [0.0625, 4.5]);
});
