/**
 * The network renderer (webviews/renderers/network) in JSDOM, through its notebook-renderer entry point,
 * rendering real payloads: a model (no recording) and networkTrace(reader, runId, at) of a recorded run.
 * Asserts what a person sees: one element per weight, colour by sign, width by magnitude, labels with
 * values, the popup's numbers against the reader, keyboard, the commit scrubber, hostile strings as text.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, test } from "node:test";
import { Model, Trainer } from "../../kernel/engine";
import { getStrategy } from "../../kernel/engine/optimizers/registry";
import { NfrunReader, RunRecorder, type WeightTrace } from "../../kernel/record";
import { mimeBundleOf } from "../../kernel/runtime/display/index";
import { MIME } from "../../kernel/runtime/display/mime";
import { MAX_EMBEDDED_TRACES, networkTrace } from "../../kernel/runtime/display/network";
import { renderNetwork } from "../../webviews/renderers/network/render";
import { fmt } from "../../webviews/shared/format";
import type { RunSource } from "../../webviews/shared/run-source";
import { activate } from "../../webviews/renderers/network/index";
import { renderOutput } from "./support/render-output";
import { toyDataset } from "./support/toy-data";
import { coords, distance, installDom, mouseAt, pointAtLine, pointOnLine, pressKey } from "./support/dom-globals";

const dom = installDom();

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nf-webview-network-"));
let reader: NfrunReader;
let runId = "";
let model: Model;

/** A 2-3-1 net (13 weights incl. biases) on 12 samples, batch 4, Adam, 2 epochs = 6 commits. */
before(async () => {
  const data = toyDataset();
  model = new Model({ inputs: 2, layers: [{ units: 3, activation: "tanh" }, { units: 1, activation: "sigmoid" }] });
  model.initialize({ name: "xavier_uniform" }, 11);
  const file = path.join(dir, "net.nfrun");
  const rec = await RunRecorder.create(file, { data, seed: 11, epochs: 2, policy: {}, checkpointSeconds: 3600 });
  const trainer = new Trainer({ model, loss: "mse", strategy: getStrategy("adam"), hyperparameters: { lr: 0.05 }, batchSize: 4, shuffle: true, seed: 11, observers: [rec] });
  rec.finish(trainer.fit(data, 2));
  runId = rec.runId;
  reader = await NfrunReader.open(file);
});
after(() => {
  reader?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** The payload exactly as a notebook stores it: the bundle's JSON, through JSON text. */
function payloadOf(value: unknown): unknown {
  return JSON.parse(JSON.stringify(mimeBundleOf(value)[MIME.network]));
}

const render = (payload: unknown) => renderOutput(activate, MIME.network, payload);

const key = (el: Element, k: string) => pressKey(dom, el, k);
const weightEls = (el: Element) => Array.from(el.querySelectorAll<SVGLineElement>("line.weight"));
const num = (el: Element | null) => Number(el!.getAttribute("data-value"));
const popupOf = (el: Element) => el.querySelector<HTMLElement>(".popup")!;

test("a model without a recording: one focusable line per weight (biases included), colour by sign, width by magnitude, labels carry the values", async () => {
  const el = await render(payloadOf(model));
  const lines = weightEls(el);
  assert.equal(lines.length, model.weightCount);
  assert.equal(lines.length, 13);
  const maxAbs = model.params.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  for (const line of lines) {
    const [l, j, k] = ["data-layer", "data-neuron", "data-weight"].map((a) => Number(line.getAttribute(a)));
    const w = model.params[model.weightIndex(l!, j!, k!)]!;
    assert.equal(num(line), w);
    assert.ok(line.classList.contains(w > 0 ? "pos" : "neg"), `${line.getAttribute("class")} for ${w}`);
    assert.ok(!line.classList.contains(w > 0 ? "neg" : "pos"));
    assert.equal(Number(line.getAttribute("stroke-width")), Number((0.75 + 3.75 * (Math.abs(w) / maxAbs)).toFixed(2)));
    assert.equal(line.getAttribute("tabindex"), "0");
    assert.equal(line.getAttribute("role"), "button");
    const isBias = k === (l === 0 ? 2 : 3);
    assert.equal(line.getAttribute("aria-label"), `${isBias ? `layer ${l}, neuron ${j}, bias` : `layer ${l}, neuron ${j}, weight ${k} (from ${l === 0 ? "input" : `layer ${l! - 1} neuron`} ${k})`}: ${fmt(w)}`);
  }
  // Theme colours: positive = charts red, negative = charts blue; high contrast dashes negatives.
  const css = el.querySelector("style")!.textContent!;
  assert.match(css, /\.weight\.pos \{ stroke: var\(--vscode-charts-red/);
  assert.match(css, /\.weight\.neg \{ stroke: var\(--vscode-charts-blue/);
  assert.match(css, /body\.vscode-high-contrast \.nf-network \.weight\.neg[^{]*\{ stroke-dasharray/);
  // Neurons: 2 inputs + 3 + 1, focusable, labelled (bias value for layer neurons).
  const neurons = Array.from(el.querySelectorAll("circle.neuron"));
  assert.equal(neurons.length, 6);
  assert.ok(neurons.every((n) => n.getAttribute("tabindex") === "0" && n.getAttribute("role") === "button"));
  assert.equal(neurons[2]!.getAttribute("aria-label"), `layer 0, neuron 0 (tanh): bias ${fmt(model.params[model.weightIndex(0, 0, 2)]!)}`);
  assert.equal(el.querySelector(".scrub"), null);

  // Focus + Enter opens the popup: the value, and that no recording is attached; Escape closes it.
  const line = lines[4]!;
  line.focus();
  assert.equal(document.activeElement, line);
  const popup = popupOf(el);
  assert.ok(popup.hidden);
  key(line, "Enter");
  assert.ok(!popup.hidden);
  assert.equal(popup.getAttribute("role"), "dialog");
  assert.equal(num(popup.querySelector(".value .num")), num(line));
  assert.match(popup.querySelector(".no-recording")!.textContent!, /^No recording is attached/);
  assert.ok(line.classList.contains("active"));
  key(line, "Escape");
  assert.ok(popup.hidden);
  assert.equal(popup.childNodes.length, 0);
  assert.ok(!line.classList.contains("active"));
  assert.equal(document.activeElement, line);
  // Hover opens it too.
  pointAtLine(lines[0]!, "mousemove");
  assert.ok(!popup.hidden);
  assert.equal(num(popup.querySelector(".value .num")), num(lines[0]!));
  // Hovering switches the popup; a click pins it (moving over other weights leaves it) until Escape.
  pointAtLine(lines[1]!, "mousemove");
  assert.equal(num(popup.querySelector(".value .num")), num(lines[1]!));
  pointAtLine(lines[2]!, "click");
  assert.ok(popup.classList.contains("pinned"));
  pointAtLine(lines[3]!, "mousemove");
  assert.equal(num(popup.querySelector(".value .num")), num(lines[2]!), "pinned: hovering another weight keeps the popup");
  key(lines[2]!, "Escape");
  assert.ok(popup.hidden && !popup.classList.contains("pinned"));
  pointAtLine(lines[3]!, "mousemove");
  assert.equal(num(popup.querySelector(".value .num")), num(lines[3]!));
  // A neuron's popup lists its incoming weights and bias.
  key(neurons[5]!, "Enter");
  assert.deepEqual(Array.from(popup.querySelectorAll("td.num"), (td) => Number(td.getAttribute("data-value"))), [0, 1, 2, 3].map((k) => model.params[model.weightIndex(1, 0, k)]!));
});

test("networkTrace of a recorded run: the popup is the weight's audit at the shown commit, numbers as the reader gives them", async () => {
  const info = reader.run(runId);
  const lastT = info.commits;
  assert.equal(lastT, 6);
  const bundle = mimeBundleOf(networkTrace(reader, runId));
  // Fallbacks for readers without the extension: the SVG diagram and a text line naming run and commit.
  assert.equal(bundle["text/plain"], `Model 2 → 3 tanh → 1 sigmoid (13 weights incl. biases), run ${runId} after commit t=${lastT}`);
  assert.equal((String(bundle["image/svg+xml"]).match(/<line /g) ?? []).length, 9); // the fallback draws weights, not biases
  const el = await render(payloadOf(networkTrace(reader, runId)));
  const lines = weightEls(el);
  assert.equal(lines.length, info.weightCount);
  assert.equal(el.querySelector(".scrub"), null, "one commit: no scrubber");
  assert.match(el.querySelector(".commit-label")!.textContent!, new RegExp(`^run ${runId} · after commit t=${lastT} `));
  // Shown weights = the weights after the last commit (= the trained model's).
  for (const line of lines) {
    const [l, j, k] = ["data-layer", "data-neuron", "data-weight"].map((a) => Number(line.getAttribute(a)));
    assert.equal(num(line), model.params[model.weightIndex(l!, j!, k!)]);
  }
  const popup = popupOf(el);
  for (const line of lines) {
    const [l, j, k] = ["data-layer", "data-neuron", "data-weight"].map((a) => Number(line.getAttribute(a)));
    line.focus();
    key(line, "Enter");
    assert.ok(!popup.hidden);
    const trace = reader.weightTrace(runId, l!, j!, k!, lastT) as WeightTrace;
    assert.equal(trace.kind, "weight-trace");
    // Each sample: Input × Blame = Leverage, Cum. the bank.
    const rows = Array.from(popup.querySelectorAll("tr.sample-row"));
    assert.equal(rows.length, trace.commit.count);
    let bank = 0;
    rows.forEach((row, i) => {
      const [input, blame, leverage, cum] = Array.from(row.querySelectorAll("td.num"), (td) => Number(td.getAttribute("data-value"))).slice(1);
      assert.equal(input, trace.rows[i]!.input);
      assert.equal(blame, trace.rows[i]!.blame);
      assert.equal(leverage, input! * blame!);
      bank += leverage!;
      assert.equal(cum, bank);
    });
    const v = (sel: string) => num(popup.querySelector(sel));
    assert.equal(v("td.batch-total"), bank);
    assert.equal(v("td.count"), trace.commit.count);
    assert.equal(v("td.avg"), v("td.batch-total") / v("td.count"));
    assert.equal(v("td.lr"), trace.commit.lr);
    assert.equal(v("td.adj"), trace.commit.adjustment);
    assert.equal(v("td.before"), trace.commit.before);
    assert.equal(v("td.after"), v("td.before") - v("td.adj"));
    assert.equal(v("td.after"), num(line), "After is the weight drawn");
    assert.deepEqual(Array.from(popup.querySelectorAll("td.audit"), (td) => td.getAttribute("data-column")), [...info.strategy.auditColumns]);
    assert.equal(popup.querySelector(".formula-text")!.textContent, info.strategy.formula);
    key(line, "Escape");
    assert.ok(popup.hidden);
  }
  // Escape from inside the popup (its stepper) closes it and returns the focus to the weight.
  lines[3]!.focus();
  key(lines[3]!, "Enter");
  const next = popup.querySelector<HTMLButtonElement>("button.prev")!;
  next.focus();
  assert.equal(document.activeElement, next);
  key(next, "Escape");
  assert.ok(popup.hidden);
  assert.equal(document.activeElement, lines[3]);
});

test("networkTrace with several commits: the scrubber steps through them, weights and the open popup follow", async () => {
  const ts = [1, 2, 3, 6];
  const el = await render(payloadOf(networkTrace(reader, runId, ts)));
  const scrubber = el.querySelector<HTMLInputElement>("input.scrubber")!;
  assert.ok(el.querySelector(".scrub"));
  assert.equal(scrubber.type, "range");
  assert.equal(scrubber.max, "3");
  assert.equal(scrubber.value, "3");
  const lines = weightEls(el);
  const line = lines.find((l) => l.getAttribute("data-layer") === "1" && l.getAttribute("data-weight") === "1")!;
  key(line, "Enter");
  const popup = popupOf(el);
  const ctx = reader.context(runId);
  for (let i = 0; i < ts.length; i++) {
    scrubber.value = String(i);
    scrubber.dispatchEvent(new dom.window.Event("input", { bubbles: true }));
    assert.equal(scrubber.getAttribute("aria-valuetext"), `t=${ts[i]}`);
    assert.match(el.querySelector(".commit-label")!.textContent!, new RegExp(`after commit t=${ts[i]} .* · ${i + 1} of 4$`));
    for (const w of lines) {
      const [l, j, k] = ["data-layer", "data-neuron", "data-weight"].map((a) => Number(w.getAttribute(a)));
      const expected = reader.weightsAfter(ctx, ts[i]!, l!, j!)![k!]!;
      assert.equal(num(w), expected);
      assert.ok(w.classList.contains(expected > 0 ? "pos" : "neg"));
    }
    assert.ok(!popup.hidden, "the popup stays open and follows the commit");
    assert.match(popup.querySelector(".head")!.textContent!, new RegExp(`^layer 1, neuron 0, weight 1 · commit t=${ts[i]} `));
    assert.equal(num(popup.querySelector("td.after")), num(line));
    assert.equal(num(popup.querySelector("td.after")), num(popup.querySelector("td.before")) - num(popup.querySelector("td.adj")));
  }
});

test("hostile strings stay text; payloads that are not networks show a message; big networks skip traces honestly", async () => {
  const payload = payloadOf(networkTrace(reader, runId)) as { layers: { activation: string }[]; recording: { runId: string; strategy: { name: string; formula: string } } };
  payload.layers[0]!.activation = `<img src=x onerror="globalThis.pwned=1">`;
  payload.recording.runId = "<script>globalThis.pwned=1</script>";
  payload.recording.strategy.name = "<b>bold</b>";
  payload.recording.strategy.formula = "<iframe src=x></iframe>";
  const el = await render(payload);
  pointAtLine(weightEls(el)[0]!, "click");
  assert.equal(el.querySelector("img, script, b, iframe"), null);
  assert.ok(el.querySelector(".head")!.textContent!.includes(payload.layers[0]!.activation));
  assert.ok(el.querySelector(".commit-label")!.textContent!.includes(payload.recording.runId));
  assert.equal(el.querySelector(".popup .formula-text")!.textContent, payload.recording.strategy.formula);
  assert.equal((globalThis as { pwned?: number }).pwned, undefined);
  for (const bad of [null, { inputs: 2 }, { inputs: 2, layers: [{ units: 1, activation: "x", weights: [[1]] }] }]) {
    const b = await render(bad);
    assert.equal(b.querySelector('[role="alert"]')!.textContent, "NeuroForge: this output is not a network (application/vnd.neuroforge.network+json).");
  }
  // More weights × commits than the budget: weights are embedded, traces are not, and the popup says why.
  const many = Array.from({ length: Math.ceil(MAX_EMBEDDED_TRACES / 13) + 1 }, (_, i) => (i % 6) + 1);
  const big = payloadOf(networkTrace(reader, runId, many)) as { recording: { commits: { traces: unknown }[]; tracesOmitted: string } };
  assert.ok(big.recording.commits.every((c) => c.traces === null));
  const bel = await render(big);
  key(weightEls(bel)[0]!, "Enter");
  assert.equal(bel.querySelector(".popup .traces-omitted")!.textContent!, `Traces are not embedded in this output; with the NeuroForge extension in VS Code they are read from ${path.resolve(reader.path!)} (13 weights × ${many.length} commits > 2000).`);
  assert.throws(() => mimeBundleOf(networkTrace(reader, runId, 99)), /has no commit t=99/);
});

/** A RunSource over a real reader, as the extension host or the .nfrun editor answers (async, data through JSON). */
function readerSource(r: NfrunReader, log: string[] = []): RunSource {
  const json = <T>(x: T): Promise<T> => new Promise((resolve) => setTimeout(() => resolve(JSON.parse(JSON.stringify(x)) as T), 1));
  return {
    weightTrace: (q) => (log.push(`weightTrace ${q.layer} ${q.neuron} ${q.weight} t=${q.t}`), json(r.weightTrace(q.runId, q.layer, q.neuron, q.weight, q.t))),
    neuronSnapshot: (q) => (log.push(`neuronSnapshot ${q.layer} ${q.neuron} ${q.epoch} ${q.sample}`), json(r.neuronSnapshot(q.runId, q.layer, q.neuron, q.epoch, q.sample))),
  };
}

test("traces beyond the budget come from a RunSource (a real reader): the popup asks for the shown commit's trace and shows its audit", async () => {
  const many = Array.from({ length: Math.ceil(MAX_EMBEDDED_TRACES / 13) + 1 }, (_, i) => (i % 6) + 1);
  const log: string[] = [];
  const el = document.createElement("div");
  document.body.append(el);
  renderNetwork(payloadOf(networkTrace(reader, runId, many)), el, readerSource(reader, log));
  const popup = popupOf(el);
  const line = weightEls(el).find((l) => l.getAttribute("data-layer") === "0" && l.getAttribute("data-neuron") === "2" && l.getAttribute("data-weight") === "1")!;
  key(line, "Enter");
  const t = many[many.length - 1]!;
  assert.deepEqual(log, [`weightTrace 0 2 1 t=${t}`]);
  assert.match(popup.querySelector(".loading")!.textContent!, new RegExp(`^Reading the trace of t=${t} `));
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(popup.querySelector(".loading"), null);
  const trace = reader.weightTrace(runId, 0, 2, 1, t) as WeightTrace;
  assert.match(popup.querySelector(".head")!.textContent!, new RegExp(`^layer 0, neuron 2, weight 1 · commit t=${t} `));
  const v = (sel: string) => num(popup.querySelector(sel));
  assert.equal(v("td.before"), trace.commit.before);
  assert.equal(v("td.after"), v("td.before") - v("td.adj"));
  assert.equal(v("td.after"), num(line), "After is the weight drawn");
  // A slow answer for a popup that has moved on is dropped: the popup shows the weight now open.
  const other = weightEls(el)[0]!;
  key(line, "Escape");
  key(line, "Enter");
  key(other, "Enter");
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(popup.querySelectorAll(".nf-audit").length, 1);
  assert.match(popup.querySelector(".head")!.textContent!, new RegExp(`^layer ${other.getAttribute("data-layer")}, neuron ${other.getAttribute("data-neuron")}, weight ${other.getAttribute("data-weight")} `));
});

/** What the workbench would get: keydowns that bubble out of the output (VS Code forwards those). */
function escaped(): { keys: string[]; stop(): void } {
  const keys: string[] = [];
  const listen = (e: Event) => keys.push((e as KeyboardEvent).key);
  dom.window.addEventListener("keydown", listen);
  return { keys, stop: () => dom.window.removeEventListener("keydown", listen) };
}

test("arrow keys at the ends of a column hold: no key leaves the output, the focus stays (every weight and neuron, every arrow)", async () => {
  const el = await render(payloadOf(model));
  const neuron = (c: number, i: number) => el.querySelector<SVGCircleElement>(`circle.neuron[data-column="${c}"][data-index="${i}"]`)!;
  const weight = (l: number, j: number, k: number) => el.querySelector<SVGLineElement>(`line.weight[data-layer="${l}"][data-neuron="${j}"][data-weight="${k}"]`)!;
  const out = escaped();
  try {
    // The ends a person reaches (2 inputs, 3 tanh, 1 sigmoid; a neuron's weights end with its bias).
    const ends: [string, Element, string][] = [
      ["first input", neuron(0, 0), "ArrowUp"],
      ["last input", neuron(0, 1), "ArrowDown"],
      ["an input, leftwards", neuron(0, 1), "ArrowLeft"],
      ["first hidden neuron", neuron(1, 0), "ArrowUp"],
      ["last hidden neuron", neuron(1, 2), "ArrowDown"],
      ["the single output neuron, up", neuron(2, 0), "ArrowUp"],
      ["the single output neuron, down", neuron(2, 0), "ArrowDown"],
      ["the output neuron, rightwards", neuron(2, 0), "ArrowRight"],
      ["first weight into a hidden neuron", weight(0, 1, 0), "ArrowUp"],
      ["last weight (bias) into a hidden neuron", weight(0, 1, 2), "ArrowDown"],
      ["first weight into the output neuron", weight(1, 0, 0), "ArrowUp"],
      ["last weight (bias) into the output neuron", weight(1, 0, 3), "ArrowDown"],
    ];
    for (const [what, at, k] of ends) {
      (at as SVGElement).focus();
      assert.equal(key(at, k), false, `${what}: ${k} is cancelled`);
      assert.equal(document.activeElement, at, `${what}: ${k} keeps the focus`);
    }
    assert.deepEqual(out.keys, [], "no arrow key at an end reached the window (the workbench)");
    // Every element and every arrow: handled in the output, the focus on the key's target or kept.
    const all = [...el.querySelectorAll<SVGElement>("line.weight, circle.neuron")];
    for (const at of all) {
      for (const k of ["ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight"]) {
        at.focus();
        assert.equal(key(at, k), false, `${at.getAttribute("aria-label")}: ${k} is cancelled`);
        assert.ok(all.includes(document.activeElement as SVGElement), `${at.getAttribute("aria-label")}: ${k} leaves the focus in the network`);
      }
    }
    assert.deepEqual(out.keys, []);
    // Moves that have a target still move: down a column, along a neuron's weights.
    neuron(1, 0).focus();
    key(neuron(1, 0), "ArrowDown");
    assert.equal(document.activeElement, neuron(1, 1));
    weight(0, 1, 1).focus();
    key(weight(0, 1, 1), "ArrowDown");
    assert.equal(document.activeElement, weight(0, 1, 2));
  } finally {
    out.stop();
  }
});

test("hovering picks the weight line nearest the pointer: near each line, at a crossing (the line under the top one), not over a neuron, nothing far away", async () => {
  const el = await render(payloadOf(model));
  const lines = weightEls(el);
  const svg = el.querySelector("svg")!;
  const active = () => el.querySelectorAll("line.weight.active");
  const activeIs = (line: SVGLineElement, what: string) => {
    assert.equal(active().length, 1, what);
    assert.equal(active()[0], line, `${what}: picked ${active()[0]?.getAttribute("aria-label")}`);
  };
  // A grid of points over the diagram: the weight opened is the nearest line within 8 px (by the
  // segment-distance formula); farther from every line, the popup stays on the last one.
  let picked = 0;
  const [w, hgt] = [Number(svg.getAttribute("width")), Number(svg.getAttribute("height"))];
  for (let y = 0; y < hgt; y += 5) {
    for (let x = 0; x < w; x += 5) {
      const before = active()[0];
      mouseAt(svg, "mousemove", x, y);
      const d = lines.map((l) => distance(x, y, coords(l)));
      const min = d.reduce((m, v) => Math.min(m, v), Infinity);
      if (min <= 8) {
        const nearest = lines.filter((_, i) => d[i] === min);
        assert.ok(nearest.includes(active()[0] as SVGLineElement), `(${x}, ${y}): nearest ${nearest[0]!.getAttribute("aria-label")} at ${min.toFixed(2)} px, picked ${active()[0]?.getAttribute("aria-label")}`);
        picked++;
      } else assert.equal(active()[0], before, `(${x}, ${y}) is ${min.toFixed(1)} px from every line: nothing new opens`);
    }
  }
  assert.ok(picked > 200, `${picked} grid points near a line`);
  // Near each line (4 px beside it, where a 0.75 px line is not under the pointer) picks it.
  for (const line of lines) {
    const { x, y } = pointOnLine(line);
    const [x1, y1, x2, y2] = coords(line);
    const len = Math.hypot(x2 - x1, y2 - y1);
    mouseAt(svg, "mousemove", x + (4 * -(y2 - y1)) / len, y + (4 * (x2 - x1)) / len);
    mouseAt(svg, "mousemove", x, y); // and on it
    activeIs(line, `pointing beside and at ${line.getAttribute("aria-label")}`);
  }
  // A crossing: input 0 → hidden 2 is drawn over input 1 → hidden 1; 3 px along either from the crossing picks that one.
  const under = lines.find((l) => l.getAttribute("data-layer") === "0" && l.getAttribute("data-neuron") === "1" && l.getAttribute("data-weight") === "1")!;
  const over = lines.find((l) => l.getAttribute("data-layer") === "0" && l.getAttribute("data-neuron") === "2" && l.getAttribute("data-weight") === "0")!;
  assert.ok(lines.indexOf(over) > lines.indexOf(under), "drawn later, on top");
  const [a, b] = [coords(under), coords(over)];
  // Intersection of the two segments (they cross between the columns).
  const den = (a[0] - a[2]) * (b[1] - b[3]) - (a[1] - a[3]) * (b[0] - b[2]);
  const u = ((a[0] - b[0]) * (b[1] - b[3]) - (a[1] - b[1]) * (b[0] - b[2])) / den;
  assert.ok(u > 0 && u < 1, "the lines cross");
  const cross = { x: a[0] + u * (a[2] - a[0]), y: a[1] + u * (a[3] - a[1]) };
  for (const [line, [x1, y1, x2, y2]] of [[under, a], [over, b]] as const) {
    const len = Math.hypot(x2 - x1, y2 - y1);
    mouseAt(svg, "mousemove", cross.x + (3 * (x2 - x1)) / len, cross.y + (3 * (y2 - y1)) / len);
    activeIs(line, `3 px from the crossing along ${line.getAttribute("aria-label")}`);
  }
  // A click picks the same way and pins; over a neuron, its own popup stays (no weight picked through it).
  mouseAt(svg, "click", cross.x - 3 * ((a[2] - a[0]) / Math.hypot(a[2] - a[0], a[3] - a[1])), cross.y - 3 * ((a[3] - a[1]) / Math.hypot(a[2] - a[0], a[3] - a[1])));
  activeIs(under, "click near the crossing, on the lower line");
  assert.ok(popupOf(el).classList.contains("pinned"));
  key(under, "Escape");
  const hidden = el.querySelector<SVGCircleElement>('circle.neuron[data-column="1"][data-index="0"]')!;
  hidden.dispatchEvent(new dom.window.MouseEvent("mouseenter"));
  mouseAt(hidden, "mousemove", Number(hidden.getAttribute("cx")) - 12, Number(hidden.getAttribute("cy")));
  assert.deepEqual([...el.querySelectorAll(".active")], [hidden], "the neuron under the pointer keeps its popup");
  assert.equal(popupOf(el).getAttribute("aria-label"), "layer 0, neuron 0 (tanh)");
});
