/**
 * The neuron view, the audit table's Σ/activation, blame sources and epoch summary, and the network's
 * neuron popup, in JSDOM through the renderers' entry points, on a run recorded with the real engine
 * and recorder. Numbers are checked against the dataset and the forward/backward formulas applied by
 * hand to the recorded weights (tanh hidden layer, sigmoid output, MSE), never against the renderer.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, test } from "node:test";
import { Model, Trainer } from "../../kernel/engine";
import type { Dataset } from "../../kernel/engine/datasets/dataset";
import { getStrategy } from "../../kernel/engine/optimizers/registry";
import { NfrunReader, RunRecorder, type NeuronSnapshot, type WeightTrace } from "../../kernel/record";
import { weightAudit } from "../../kernel/runtime/display/audit";
import { epochSummary } from "../../kernel/runtime/display/epoch-summary";
import { mimeBundleOf } from "../../kernel/runtime/display/index";
import { MIME } from "../../kernel/runtime/display/mime";
import { networkTrace } from "../../kernel/runtime/display/network";
import { activate as activateAudit } from "../../webviews/renderers/audit/index";
import { ASK_ALL_UP_TO, renderAudit } from "../../webviews/renderers/audit/render";
import { activate as activateNetwork } from "../../webviews/renderers/network/index";
import { activate as activateNeuron } from "../../webviews/renderers/neuron/index";
import { renderNetwork } from "../../webviews/renderers/network/render";
import { fmt } from "../../webviews/shared/format";
import type { RunSource } from "../../webviews/shared/run-source";
import { renderOutput } from "./support/render-output";
import { toyDataset } from "./support/toy-data";
import { installDom, pressKey } from "./support/dom-globals";

const dom = installDom();

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nf-webview-neuron-"));
let reader: NfrunReader;
let runId = "";
let data: Dataset;
const EPOCHS = 2;

/** A 2-3-1 net (tanh, sigmoid, MSE) on 12 samples, batch 4, Adam: 3 commits per epoch. */
before(async () => {
  data = toyDataset();
  const model = new Model({ inputs: 2, layers: [{ units: 3, activation: "tanh" }, { units: 1, activation: "sigmoid" }] });
  model.initialize({ name: "xavier_uniform" }, 5);
  const file = path.join(dir, "neuron.nfrun");
  const rec = await RunRecorder.create(file, { data, seed: 5, epochs: EPOCHS, policy: {}, checkpointSeconds: 3600 });
  const trainer = new Trainer({ model, loss: "mse", strategy: getStrategy("adam"), hyperparameters: { lr: 0.05 }, batchSize: 4, shuffle: true, seed: 5, observers: [rec] });
  rec.finish(trainer.fit(data, EPOCHS));
  runId = rec.runId;
  reader = await NfrunReader.open(file);
});
after(() => {
  reader?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const key = (el: Element, k: string) => pressKey(dom, el, k);
const num = (el: Element | null) => {
  assert.ok(el, "element present");
  return Number(el.getAttribute("data-value"));
};
const nums = (root: Element, sel: string) => Array.from(root.querySelectorAll(sel), (e) => Number(e.getAttribute("data-value")));
const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** The forward and backward pass by hand for one sample, with the weights before commit t (from the file's snapshots + adjustments). */
function byHand(t: number, sample: number) {
  const ctx = reader.context(runId);
  const W0 = [0, 1, 2].map((j) => reader.weightsAfter(ctx, t - 1, 0, j)!);
  const W1 = reader.weightsAfter(ctx, t - 1, 1, 0)!;
  const x = [data.inputs[sample * 2]!, data.inputs[sample * 2 + 1]!];
  const y = data.targets[sample]!;
  const z0 = W0.map((w) => x[0]! * w[0]! + x[1]! * w[1]! + w[2]!);
  const a0 = z0.map(Math.tanh);
  const z1 = a0[0]! * W1[0]! + a0[1]! * W1[1]! + a0[2]! * W1[2]! + W1[3]!;
  const a1 = sigmoid(z1);
  const blame1 = 2 * (a1 - y) * a1 * (1 - a1); // MSE with one output, σ′ = a(1 − a)
  const blame0 = a0.map((a, j) => W1[j]! * blame1 * (1 - a * a)); // tanh′ = 1 − a²
  return { x, W0, W1, z0, a0, z1, a1, blame1, blame0 };
}

/** The dataset indices of the batch committed at t. */
function batchOf(t: number): number[] {
  return (reader.weightTrace(runId, 1, 0, 3, t) as WeightTrace).rows.map((r) => r.sample);
}

test("neuron renderer: a hidden neuron's Σ products + bias = z, tanh(z) = a, blame sources = downstream weight × blame, Σ × f′(z) = blame", async () => {
  const t = 5;
  const epoch = 1;
  for (const sample of batchOf(t)) {
    const hand = byHand(t, sample);
    for (const j of [0, 1, 2]) {
      const snap = reader.neuronSnapshot(runId, 0, j, epoch, sample) as NeuronSnapshot;
      assert.equal(snap.kind, "neuron-snapshot");
      assert.equal(snap.t, t);
      const el = await renderOutput(activateNeuron, MIME.neuron, JSON.parse(JSON.stringify(mimeBundleOf(snap)[MIME.neuron])));
      assert.match(el.querySelector(".head")!.textContent!, new RegExp(`^layer 0, neuron ${j} \\(tanh\\) · sample ${sample} \\(epoch ${epoch}, .* weights before commit t=${t}$`));
      // Forward pass: the inputs are the dataset's, the weights those before commit t; Σ + bias = z.
      assert.deepEqual(nums(el, "td.input"), hand.x);
      assert.deepEqual(nums(el, ".forward td.weight"), [hand.W0[j]![0], hand.W0[j]![1]]);
      const products = nums(el, ".forward td.product");
      products.forEach((p, k) => assert.equal(p, hand.x[k]! * hand.W0[j]![k]!));
      assert.equal(num(el.querySelector("td.bias")), hand.W0[j]![2]);
      const z = num(el.querySelector("td.z"));
      close(products[0]! + products[1]! + num(el.querySelector("td.bias")), z, "Σ products + bias = z");
      close(z, hand.z0[j]!, "z by hand");
      assert.equal(num(el.querySelector("td.a")), Math.tanh(z), "a = tanh(z)");
      // Blame sources: one downstream neuron (the output), its weight from this neuron × its blame.
      const rows = Array.from(el.querySelectorAll(".blame-sources tr.source"));
      assert.equal(rows.length, 1);
      const w = num(rows[0]!.querySelector("td.weight"));
      const d = num(rows[0]!.querySelector("td.downstream"));
      assert.equal(w, hand.W1[j]);
      close(d, hand.blame1, "downstream blame = the output's dLoss/dz by hand");
      assert.equal(num(rows[0]!.querySelector("td.product")), w * d);
      const sum = num(el.querySelector("td.sources-sum"));
      assert.equal(sum, w * d);
      const fPrime = num(el.querySelector("td.f-prime"));
      close(fPrime, 1 - Math.tanh(z) ** 2, "f′(z) = 1 − tanh²(z)");
      const blame = num(el.querySelector(".blame-sources td.blame"));
      close(sum * fPrime, blame, "Σ × f′(z) = blame");
      close(blame, hand.blame0[j]!, "blame by hand");
      // Backprop rows: input × blame = leverage for each weight (the bias's input is 1).
      const lev = nums(el, "tr.backprop-row td.leverage");
      assert.deepEqual(lev, [...hand.x, 1].map((x) => x * blame));
    }
  }
});

test("neuron renderer: the output neuron's blame originates in the loss (dLoss/dz by hand), sigmoid(z) = a", async () => {
  const t = 2;
  const [sample] = batchOf(t);
  const hand = byHand(t, sample!);
  const snap = reader.neuronSnapshot(runId, 1, 0, 0, sample!);
  const el = await renderOutput(activateNeuron, MIME.neuron, JSON.parse(JSON.stringify(snap)));
  const products = nums(el, ".forward td.product");
  assert.equal(products.length, 3);
  products.forEach((p, k) => close(p, hand.a0[k]! * hand.W1[k]!, `product ${k}`));
  const z = num(el.querySelector("td.z"));
  close(products.reduce((a, b) => a + b, 0) + num(el.querySelector("td.bias")), z, "Σ products + bias = z");
  close(z, hand.z1, "z by hand");
  assert.equal(num(el.querySelector("td.a")), sigmoid(z));
  assert.equal(el.querySelector(".blame-sources tr.source"), null);
  assert.match(el.querySelector(".blame-sources .origin")!.textContent!, /blame originates here, as the loss's dLoss\/dz/);
  close(num(el.querySelector(".origin .blame")), hand.blame1, "output blame by hand");
  const bad = await renderOutput(activateNeuron, MIME.neuron, { kind: "neuron-snapshot" });
  assert.equal(bad.querySelector('[role="alert"]')!.textContent, "NeuroForge: this output is not a neuron snapshot (application/vnd.neuroforge.neuron+json).");
});

test("audit table (weightAudit): Σ + bias = z and a per sample, blame sources follow the stepper, epoch summary totals against the reader's adjustments", async () => {
  const t = 5;
  const [layer, neuron, weight] = [0, 2, 1];
  const payload = JSON.parse(JSON.stringify(mimeBundleOf(weightAudit(reader, runId, layer, neuron, weight, t))[MIME.audit]));
  const el = await renderOutput(activateAudit, MIME.audit, payload);
  const samples = batchOf(t);
  const rows = Array.from(el.querySelectorAll(".forward tbody tr"));
  assert.equal(rows.length, samples.length);
  rows.forEach((row, i) => {
    const hand = byHand(t, samples[i]!);
    assert.equal(Number(row.getAttribute("data-sample")), samples[i]);
    close(num(row.querySelector("td.z")), hand.z0[neuron]!, `z of sample ${samples[i]}`);
    assert.equal(num(row.querySelector("td.a")), Math.tanh(num(row.querySelector("td.z"))));
    assert.equal(num(row.querySelector("td.product")), hand.x[weight]! * hand.W0[neuron]![weight]!);
  });
  assert.equal(el.querySelector(".forward th .activation")!.textContent, "tanh");
  // Blame sources: one panel per sample, only the current one shown; stepping keeps the DOM shape.
  const visible = () => Array.from(el.querySelectorAll<HTMLElement>(".sources > *")).filter((p) => !p.hidden);
  const shape = () => Array.from(el.querySelectorAll("*"), (e) => e.tagName).join(",");
  const before = shape();
  for (let i = samples.length - 1; i >= 0; i--) {
    if (i < samples.length - 1) el.querySelector<HTMLButtonElement>("button.prev")!.click();
    const shown = visible();
    assert.equal(shown.length, 1);
    assert.equal(Number(shown[0]!.getAttribute("data-sample")), samples[i]);
    const hand = byHand(t, samples[i]!);
    close(num(shown[0]!.querySelector("td.product")), hand.W1[neuron]! * hand.blame1, "source = W1 × output blame");
    close(num(shown[0]!.querySelector("td.blame")), hand.blame0[neuron]!, "blame by hand");
    close(num(shown[0]!.querySelector("td.sources-sum")) * num(shown[0]!.querySelector("td.f-prime")), num(shown[0]!.querySelector("td.blame")), "Σ × f′ = blame");
    assert.equal(shape(), before, "no layout shift");
  }
  // Epoch summary: every commit of the epoch, Σ Adj = the reader's recorded adjustments, start → end.
  const epochTs = Array.from(reader.trace(runId).t).filter((_, k) => reader.trace(runId).epoch[k] === 1);
  assert.deepEqual(epochTs, [4, 5, 6]);
  const adj = reader.adjustments(runId, layer, neuron, weight, 4, 6) as number[];
  assert.deepEqual(nums(el, "tr.epoch-commit td.adj"), adj);
  close(num(el.querySelector(".totals .adj-sum")), adj[0]! + adj[1]! + adj[2]!, "Σ Adj");
  const ctx = reader.context(runId);
  assert.equal(num(el.querySelector(".totals .start")), reader.weightsAfter(ctx, 3, layer, neuron)![weight]);
  assert.equal(num(el.querySelector(".totals .end")), reader.weightsAfter(ctx, 6, layer, neuron)![weight]);
  assert.deepEqual(Array.from(el.querySelectorAll("tr.epoch-commit.current"), (r) => r.getAttribute("data-t")), ["5"]);
  // Largest contributions: leverage / count over the epoch's samples, by |·|, from the reader's traces.
  const all = epochTs.flatMap((tt) => {
    const tr = reader.weightTrace(runId, layer, neuron, weight, tt) as WeightTrace;
    return tr.rows.map((r) => ({ sample: r.sample, c: r.leverage / tr.commit.count }));
  });
  assert.equal(all.length, 12);
  const absSum = all.reduce((s, r) => s + Math.abs(r.c), 0);
  const top = [...all].sort((a, b) => Math.abs(b.c) - Math.abs(a.c)).slice(0, 5);
  assert.deepEqual(Array.from(el.querySelectorAll("tr.top-sample"), (r) => Number(r.getAttribute("data-sample"))), top.map((r) => r.sample));
  nums(el, "tr.top-sample td.contribution").forEach((c, i) => assert.equal(c, top[i]!.c));
  nums(el, "tr.top-sample td.share").forEach((s, i) => close(s, (Math.abs(top[i]!.c) / absSum) * 100, "share"));
  // The epoch summary as a cell's value: a text line with the same totals.
  const es = String(mimeBundleOf(epochSummary(reader, runId, layer, neuron, weight, 1))["text/plain"]);
  assert.ok(es.startsWith(`layer ${layer}, neuron ${neuron}, weight ${weight} over epoch 1: 3 commits, 12 samples, `), es);
  assert.ok(es.split("\n")[0]!.endsWith(`Σ Adj ${fmt(adj[0]! + adj[1]! + adj[2]!)}`), es);
    // A plain weight trace (no snapshots, no host) says where to get the rest.
  const plain = await renderOutput(activateAudit, MIME.audit, JSON.parse(JSON.stringify(reader.weightTrace(runId, layer, neuron, weight, t))));
  assert.match(plain.querySelector(".sources > :not([hidden])")!.textContent!, /^Σ, activation and blame sources: not in this output \(display weightAudit\(/);
  assert.equal(plain.querySelector(".epoch-summary"), null);
  // The text fallback carries z, a and the epoch line.
  const text = String(mimeBundleOf(weightAudit(reader, runId, layer, neuron, weight, t))["text/plain"]);
  assert.match(text, /Σ \+ bias = z .*, tanh\(z\) = /);
  assert.match(text, /epoch 1: 3 commits, /);
});

/** A RunSource over the real reader, answering through JSON after a tick (as messaging does), logging its queries. */
function readerSource(log: string[]): RunSource {
  const later = <T>(f: () => T): Promise<T> => new Promise((resolve) => setTimeout(() => resolve(JSON.parse(JSON.stringify(f())) as T), 1));
  return {
    weightTrace: (q) => (log.push(`weightTrace ${q.layer}/${q.neuron}/${q.weight} t=${q.t}`), later(() => reader.weightTrace(q.runId, q.layer, q.neuron, q.weight, q.t))),
    neuronSnapshot: (q) => (log.push(`neuronSnapshot ${q.layer}/${q.neuron} e${q.epoch} s${q.sample}`), later(() => reader.neuronSnapshot(q.runId, q.layer, q.neuron, q.epoch, q.sample))),
  };
}
const tick = () => new Promise((r) => setTimeout(r, 30));

test("network: hovering or Enter on a neuron opens its popup for each sample of the commit's batch (embedded snapshots)", async () => {
  const t = 6;
  const el = await renderOutput(activateNetwork, MIME.network, JSON.parse(JSON.stringify(mimeBundleOf(networkTrace(reader, runId, t))[MIME.network])));
  const popup = el.querySelector<HTMLElement>(".popup")!;
  const hidden = el.querySelector<SVGCircleElement>('circle.neuron[data-column="1"][data-index="1"]')!;
  hidden.dispatchEvent(new dom.window.MouseEvent("mouseenter"));
  assert.ok(!popup.hidden);
  const samples = batchOf(t);
  assert.match(popup.querySelector(".sample-label")!.textContent!, new RegExp(`^sample ${samples.length} of ${samples.length} of the batch of commit t=${t} \\(dataset #${samples[samples.length - 1]}\\)$`));
  for (let i = samples.length - 1; i >= 0; i--) {
    if (i < samples.length - 1) popup.querySelector<HTMLButtonElement>("button.prev-sample")!.click();
    const hand = byHand(t, samples[i]!);
    assert.match(popup.querySelector(".snapshot-head")!.textContent!, new RegExp(`^layer 0, neuron 1 \\(tanh\\) · sample ${samples[i]} `));
    close(num(popup.querySelector("td.z")), hand.z0[1]!, "z");
    assert.equal(num(popup.querySelector("td.a")), Math.tanh(num(popup.querySelector("td.z"))));
    close(num(popup.querySelector(".blame-sources td.blame")), hand.blame0[1]!, "blame");
  }
  key(hidden, "Escape");
  assert.ok(popup.hidden);
  // Keyboard: focus the output neuron, Enter opens its popup (blame from the loss), Escape closes.
  const out = el.querySelector<SVGCircleElement>('circle.neuron[data-column="2"][data-index="0"]')!;
  out.focus();
  key(out, "Enter");
  assert.ok(!popup.hidden);
  assert.match(popup.querySelector(".origin")!.textContent!, /^Output neuron: blame originates here/);
  close(num(popup.querySelector(".origin .blame")), byHand(t, samples[samples.length - 1]!).blame1, "output blame");
  key(out, "Escape");
  assert.ok(popup.hidden);
  assert.equal(document.activeElement, out);
  // A weight's popup there is the full audit: Σ/activation cells filled, blame sources, epoch summary.
  const line = el.querySelector<SVGLineElement>('line.weight[data-layer="0"][data-neuron="1"][data-weight="0"]')!;
  key(line, "Enter");
  assert.equal(popup.querySelectorAll(".forward td.z").length, samples.length);
  assert.ok(nums(popup, ".forward td.z").every(Number.isFinite));
  assert.ok(popup.querySelector(".blame-sources tr.source"));
  close(num(popup.querySelector(".epoch-summary .adj-sum")), (reader.adjustments(runId, 0, 1, 0, 4, 6) as number[]).reduce((a, b) => a + b, 0), "Σ Adj");
});

test("arrow keys walk the graph: weight ↔ neurons, along a column, along a neuron's weights; an open popup follows", async () => {
  const el = await renderOutput(activateNetwork, MIME.network, JSON.parse(JSON.stringify(mimeBundleOf(networkTrace(reader, runId))[MIME.network])));
  const at = () => document.activeElement!;
  const id = (e: Element) => (e.tagName === "line" ? `w${e.getAttribute("data-layer")}.${e.getAttribute("data-neuron")}.${e.getAttribute("data-weight")}` : `n${e.getAttribute("data-column")}.${e.getAttribute("data-index")}`);
  el.querySelector<SVGCircleElement>('circle.neuron[data-column="0"][data-index="0"]')!.focus();
  const walk = (k: string) => (key(at(), k), id(at()));
  assert.equal(walk("ArrowDown"), "n0.1");
  assert.equal(walk("ArrowDown"), "n0.1", "no neuron below the last input");
  assert.equal(walk("ArrowRight"), "w0.0.1", "first outgoing weight of input 1");
  assert.equal(walk("ArrowDown"), "w0.0.2", "the bias of the same neuron");
  assert.equal(walk("ArrowRight"), "n1.0", "the neuron the weight feeds");
  assert.equal(walk("ArrowDown"), "n1.1");
  assert.equal(walk("ArrowLeft"), "w0.1.0", "its first incoming weight");
  assert.equal(walk("ArrowLeft"), "n0.0", "where that weight comes from");
  const popup = el.querySelector<HTMLElement>(".popup")!;
  key(at(), "ArrowRight");
  key(at(), "Enter");
  assert.match(popup.querySelector(".head")!.textContent!, /^layer 0, neuron 0, weight 0 /);
  key(at(), "ArrowDown");
  assert.match(popup.querySelector(".head")!.textContent!, /^layer 0, neuron 0, weight 1 /, "the open popup follows the focus");
});

test("lazy: a payload without snapshots or summaries asks a RunSource over the real file; without one the popup says so", async () => {
  const t = 5;
  const full = JSON.parse(JSON.stringify(mimeBundleOf(networkTrace(reader, runId, t))[MIME.network]));
  // What a large run's payload carries: weights and samples, no traces, snapshots or epoch summaries.
  full.recording.commits[0].traces = null;
  full.recording.commits[0].neurons = null;
  full.recording.epochSummaries = null;
  full.recording.tracesOmitted = "too many";
  const log: string[] = [];
  const el = document.createElement("div");
  document.body.append(el);
  renderNetwork(full, el, readerSource(log));
  const popup = el.querySelector<HTMLElement>(".popup")!;
  const samples = batchOf(t);
  const n = el.querySelector<SVGCircleElement>('circle.neuron[data-column="1"][data-index="2"]')!;
  key(n, "Enter");
  assert.match(popup.querySelector(".loading")!.textContent!, /^Reading sample \d+ from the run file…$/);
  await tick();
  assert.deepEqual(log, [`neuronSnapshot 0/2 e1 s${samples[samples.length - 1]}`]);
  close(num(popup.querySelector("td.z")), byHand(t, samples[samples.length - 1]!).z0[2]!, "z from the source");
  popup.querySelector<HTMLButtonElement>("button.prev-sample")!.click();
  await tick();
  close(num(popup.querySelector("td.z")), byHand(t, samples[samples.length - 2]!).z0[2]!, "z of the previous sample");
  // A weight: its trace, then its neuron's snapshot for each sample of the batch.
  log.length = 0;
  const line = el.querySelector<SVGLineElement>('line.weight[data-layer="0"][data-neuron="2"][data-weight="1"]')!;
  key(line, "Enter");
  await tick();
  await tick();
  // The shown (last) sample first, then the rest of this small batch.
  assert.deepEqual(log, [`weightTrace 0/2/1 t=${t}`, ...[samples[samples.length - 1]!, ...samples.slice(0, -1)].map((s) => `neuronSnapshot 0/2 e1 s${s}`)]);
  nums(popup, ".forward td.z").forEach((z, i) => close(z, byHand(t, samples[i]!).z0[2]!, `z of sample ${samples[i]}`));
  close(num(popup.querySelector(".sources > :not([hidden]) td.blame")), byHand(t, samples[samples.length - 1]!).blame0[2]!, "blame");
  // No host (a saved notebook elsewhere): the renderer shows what is embedded and says plainly what it cannot.
  const saved = await renderOutput(activateNetwork, MIME.network, full);
  const sp = saved.querySelector<HTMLElement>(".popup")!;
  key(saved.querySelector('circle.neuron[data-column="1"][data-index="2"]')!, "Enter");
  assert.equal(sp.querySelector(".snapshots-omitted")!.textContent, `The neuron for each sample (Σ, activation, blame sources): not embedded in this output; with the NeuroForge extension in VS Code they are read from ${path.resolve(reader.path!)}`);
  key(saved.querySelector('line.weight[data-layer="0"][data-neuron="2"][data-weight="1"]')!, "Enter");
  assert.match(sp.querySelector(".traces-omitted")!.textContent!, /^Traces are not embedded in this output; with the NeuroForge extension in VS Code they are read from /);
  assert.equal(saved.querySelectorAll("line.weight").length, 13, "the embedded network still renders");
});

test("markup in a neuron snapshot, an audit's snapshots and an epoch summary stays text", async () => {
  const hostile = `<img src=x onerror="globalThis.pwned=1">`;
  const t = 5;
  const [sample] = batchOf(t);
  const snap = JSON.parse(JSON.stringify(reader.neuronSnapshot(runId, 0, 0, 1, sample!)));
  snap.forward.activation = hostile;
  const el = await renderOutput(activateNeuron, MIME.neuron, snap);
  assert.ok(el.querySelector(".head")!.textContent!.includes(hostile));
  const audit = JSON.parse(JSON.stringify(mimeBundleOf(weightAudit(reader, runId, 0, 0, 0, t))[MIME.audit]));
  audit.neurons[0].forward.activation = hostile;
  audit.epochSummary = { kind: "not-recorded", reason: hostile };
  const ael = await renderOutput(activateAudit, MIME.audit, audit);
  assert.equal(ael.querySelector(".epoch .not-recorded")!.textContent, `Epoch summary: not recorded (${hostile})`);
  for (const root of [el, ael]) assert.equal(root.querySelector("img, script"), null);
  assert.equal((globalThis as { pwned?: number }).pwned, undefined);
});

test("a run recorded with a policy: popups say what was not recorded, in the reader's words", async () => {
  const model = new Model({ inputs: 2, layers: [{ units: 3, activation: "tanh" }, { units: 1, activation: "sigmoid" }] });
  model.initialize({ name: "xavier_uniform" }, 5);
  const file = path.join(dir, "policy.nfrun");
  const rec = await RunRecorder.create(file, { data, seed: 5, epochs: 3, policy: { epochs: { first: 1, last: true }, layers: [1] }, checkpointSeconds: 3600 });
  const trainer = new Trainer({ model, loss: "mse", strategy: getStrategy("adam"), hyperparameters: { lr: 0.05 }, batchSize: 4, shuffle: true, seed: 5, observers: [rec] });
  rec.finish(trainer.fit(data, 3));
  const r = await NfrunReader.open(file);
  try {
    const id = r.runIds()[0]!;
    assert.equal(mimeBundleOf(weightAudit(r, id, 0, 0, 0, 2))["text/plain"], "not recorded: neuron [layer 0, neuron 0] was not recorded (recording policy)");
    const el = await renderOutput(activateNetwork, MIME.network, JSON.parse(JSON.stringify(mimeBundleOf(networkTrace(r, id, [2, 5]))[MIME.network])));
    const popup = el.querySelector<HTMLElement>(".popup")!;
    const scrubber = el.querySelector<HTMLInputElement>("input.scrubber")!;
    scrubber.value = "0";
    scrubber.dispatchEvent(new dom.window.Event("input", { bubbles: true }));
    key(el.querySelector('line.weight[data-layer="0"][data-neuron="0"][data-weight="0"]')!, "Enter");
    assert.equal(popup.querySelector(".not-recorded")!.textContent, "Not recorded: neuron [layer 0, neuron 0] was not recorded (recording policy)");
    key(el.querySelector('circle.neuron[data-column="2"][data-index="0"]')!, "Enter");
    assert.ok(popup.querySelector(".origin"), "the output neuron (recorded) at t=2 shows its snapshot");
    key(el.querySelector('line.weight[data-layer="1"][data-neuron="0"][data-weight="0"]')!, "Enter");
    assert.match(popup.querySelector(".epoch-summary h4")!.textContent!, /^Epoch 0 summary/);
    scrubber.value = "1";
    scrubber.dispatchEvent(new dom.window.Event("input", { bubbles: true }));
    key(el.querySelector('circle.neuron[data-column="2"][data-index="0"]')!, "Enter");
    assert.equal(popup.querySelector(".not-recorded")!.textContent, "Not recorded: the samples of commit t=5's batch are not in the file");
    key(el.querySelector('line.weight[data-layer="1"][data-neuron="0"][data-weight="0"]')!, "Enter");
    assert.equal(popup.querySelector(".not-recorded")!.textContent, "Not recorded: epoch 1 was not recorded (recording policy)");
  } finally {
    r.close();
  }
});

test("lazy audit of a batch larger than ASK_ALL_UP_TO: the shown sample's snapshot is asked first, the others when the stepper reaches them", async () => {
  const model = new Model({ inputs: 2, layers: [{ units: 3, activation: "tanh" }, { units: 1, activation: "sigmoid" }] });
  model.initialize({ name: "xavier_uniform" }, 9);
  const file = path.join(dir, "batch12.nfrun");
  const rec = await RunRecorder.create(file, { data, seed: 9, epochs: 1, policy: {}, checkpointSeconds: 3600 });
  const trainer = new Trainer({ model, loss: "mse", strategy: getStrategy("sgd"), hyperparameters: { lr: 0.1 }, batchSize: 12, shuffle: true, seed: 9, observers: [rec] });
  rec.finish(trainer.fit(data, 1));
  const r = await NfrunReader.open(file);
  try {
    const id = r.runIds()[0]!;
    const trace = r.weightTrace(id, 0, 1, 0, 1) as WeightTrace;
    assert.ok(trace.rows.length > ASK_ALL_UP_TO);
    const asked: number[] = [];
    const source: RunSource = {
      weightTrace: () => Promise.reject(new Error("unused")),
      neuronSnapshot: (q) => (asked.push(q.sample), Promise.resolve(JSON.parse(JSON.stringify(r.neuronSnapshot(q.runId, q.layer, q.neuron, q.epoch, q.sample))))),
    };
    const el = document.createElement("div");
    document.body.append(el);
    renderAudit(JSON.parse(JSON.stringify(trace)), el, source);
    const samples = trace.rows.map((row) => row.sample);
    assert.deepEqual(asked, [samples[samples.length - 1]]);
    await tick();
    const z = (i: number) => el.querySelectorAll(".forward td.z")[i]!.getAttribute("data-value");
    assert.equal(z(samples.length - 2), "", "not asked yet");
    el.querySelector<HTMLButtonElement>("button.prev")!.click();
    assert.deepEqual(asked, [samples[samples.length - 1], samples[samples.length - 2]]);
    await tick();
    const snap = r.neuronSnapshot(id, 0, 1, 0, samples[samples.length - 2]!) as NeuronSnapshot;
    assert.equal(Number(z(samples.length - 2)), snap.forward.z);
    assert.equal(Number(el.querySelector(".sources > :not([hidden])")!.getAttribute("data-sample")), samples[samples.length - 2]);
  } finally {
    r.close();
  }
});
