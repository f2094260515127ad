/**
 * The .nfrun editor: the host reads the file with the kernel/record reader into plain messages
 * (extension/editor/load.ts); the webview (webviews/editor/view.ts) renders them in a DOM (JSDOM):
 * runs, status, config hash, final loss, the loss chart (Vega, SVG, without eval), and an error panel
 * with the reader's message for a bad file.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, test } from "node:test";
import * as esbuild from "esbuild";
import { JSDOM, VirtualConsole } from "jsdom";
import { runFileMessage } from "../../extension/editor/load";
import { nodeFileAccess, RunFiles } from "../../extension/runs/run-files";
import { datasetFromRows, Model, Trainer } from "../../kernel/engine";
import { buildExperiment } from "../../kernel/engine/config/build";
import { resolveExperiment } from "../../kernel/engine/config/experiment";
import { getStrategy } from "../../kernel/engine/optimizers/registry";
import { NfrunReader, RunRecorder } from "../../kernel/record";
import { loadSqlJs } from "../../kernel/record/sqljs";
import { compareRows } from "../../kernel/record/compare/compare";
import { renderMessage } from "../../webviews/editor/view";
import { fmt } from "../../webviews/shared/format";
import type { RunFileMessage } from "../../webviews/shared/messages";
import { installDom } from "./support/dom-globals";

installDom();

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nf-webview-editor-"));
const file = path.join(dir, "run.nfrun");
let runId = "";
const files = new RunFiles({ ...nodeFileAccess, label: (f) => path.basename(f) });
/** What the host sends for a file on disk (read through the run files cache, as the editor does). */
const loadRunFile = (f: string) => runFileMessage(files, f, path.basename(f));

before(async () => {
  const xs = Array.from({ length: 8 }, (_, i) => [Math.sin(i), Math.cos(i * 2)]);
  const ys = xs.map(([a, b]) => [a! * b! > 0 ? 1 : 0]);
  const data = datasetFromRows("toy", xs, ys);
  const model = new Model({ inputs: 2, layers: [{ units: 2, activation: "tanh" }, { units: 1, activation: "sigmoid" }] });
  model.initialize({ name: "xavier_uniform" }, 3);
  const rec = await RunRecorder.create(file, { data, seed: 3, epochs: 4, policy: {}, checkpointSeconds: 3600 });
  const trainer = new Trainer({ model, loss: "mse", strategy: getStrategy("sgd"), hyperparameters: { lr: 0.1 }, batchSize: 4, shuffle: true, seed: 3, observers: [rec] });
  rec.finish(trainer.fit(data, 4));
  runId = rec.runId;
});
after(() => {
  files.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

test("host: a recorded file becomes one plain message with every run (JSON-clean)", async () => {
  const msg = await loadRunFile(file);
  assert.equal(msg.type, "run-file");
  if (msg.type !== "run-file") return;
  assert.deepEqual(JSON.parse(JSON.stringify(msg)), msg, "only plain data crosses to the webview");
  assert.equal(msg.runs.length, 1);
  const run = msg.runs[0]!;
  const reader = await NfrunReader.open(file);
  const info = reader.run(runId);
  assert.equal(run.runId, runId);
  assert.equal(run.status, "completed");
  assert.equal(run.configHash, info.configHash);
  assert.equal(run.hashMatches, true);
  assert.equal(run.commits, 8);
  assert.equal(run.architecture, "2 → 2 tanh → 1 sigmoid");
  assert.deepEqual(run.lossCurve.t, Array.from(reader.trace(runId).t));
  assert.deepEqual(run.lossCurve.loss, Array.from(reader.trace(runId).loss));
  reader.close();
});

test("webview: runs, status, hash, final loss and the loss chart are what a person sees", async () => {
  const msg = await loadRunFile(file);
  const root = document.createElement("div");
  let charted = 0;
  renderMessage(msg, root, {
    chart: (el, run) => {
      charted++;
      el.setAttribute("data-points", String(run.lossCurve.t.length));
    },
  });
  if (msg.type !== "run-file") throw new Error("expected a run file");
  const run = msg.runs[0]!;
  const section = root.querySelector(`section.run[data-run-id="${runId}"]`)!;
  assert.equal(section.querySelector("h3")!.textContent, `Run ${runId}`);
  assert.equal(section.querySelector(".status")!.textContent, "completed");
  assert.equal(section.querySelector(".hash")!.textContent, run.configHash);
  assert.equal(section.querySelector(".final-loss")!.textContent, fmt(run.finalLoss));
  assert.match(root.querySelector(".summary")!.textContent!, /^1 run · [\d.]+ KiB · read-only$/);
  assert.equal(charted, 1);
  assert.equal(section.querySelector(".chart")!.getAttribute("data-points"), "8");
  assert.equal(JSON.parse(section.querySelector("pre.config")!.textContent!).seed, 3);
  // The strategy's own words under its formula (the run stores its declaration: table strategies).
  const sgd = getStrategy("sgd");
  assert.equal(section.querySelector(".formula-text")!.textContent, sgd.formula);
  assert.deepEqual(
    Array.from(section.querySelectorAll(".guidance dt, .guidance dd"), (e) => e.textContent),
    ["What it does:", sgd.description, "When to use it:", sgd.whenToUse, "Best for:", sgd.bestFor],
  );
});

test("webview: a changed config shows the hash warning; markup in data stays text", () => {
  const root = document.createElement("div");
  const base = { runId: "<b>r</b>", status: "interrupted", createdAt: "2026-01-01", seconds: 1, engineVersion: "x", seed: null, configHash: "abc", hashMatches: false, configJson: "{}", architecture: "1 → 1 linear", loss: "mse", batchSize: 1, inputs: 1, layers: [{ units: 1, activation: "linear" }], weightCount: 2, strategy: { id: "sgd", name: "<img src=x>", formula: "θ ← θ − η·g", auditColumns: [], description: "<u>d</u>", whenToUse: "<s>w</s>", bestFor: null }, hyperparameters: { lr: 0.1 }, epochsDone: 0, commits: 0, samplesSeen: 0, finalLoss: null, lossCurve: { t: [], loss: [] }, mechanisms: [{ name: "schedule", value: "<i>x</i>" }], events: [{ seq: 1, kind: "interrupted", message: "<script>x</script>", t: 3, epoch: 0, position: null }] };
  renderMessage({ type: "run-file", file: "a.nfrun", bytes: 2048, runs: [base], comparison: compareRows([]) }, root);
  assert.equal(root.querySelector("img"), null);
  assert.equal(root.querySelector("script"), null);
  assert.equal(root.querySelector("b"), null);
  assert.equal(root.querySelector("i"), null);
  assert.equal(root.querySelector(".mechanism-schedule")!.textContent, "<i>x</i>");
  assert.equal(root.querySelector("u"), null);
  assert.equal(root.querySelector("s"), null);
  assert.equal(root.querySelector("dd.description")!.textContent, "<u>d</u>");
  assert.equal(root.querySelector("dd.when-to-use")!.textContent, "<s>w</s>");
  assert.equal(root.querySelector("dd.best-for"), null, "a field the file does not give is left out");
  assert.equal(root.querySelector("h3")!.textContent, "Run <b>r</b>");
  assert.equal(root.querySelector(".hash")!.textContent, "abc  ⚠ does not match the stored config");
  assert.ok(root.querySelector(".hash")!.classList.contains("error"));
  assert.equal(root.querySelector("li")!.textContent, "t=3 · epoch 0 interrupted: <script>x</script>");
  assert.equal(root.querySelector("option")!.textContent, "<b>r</b> · interrupted · <img src=x> · 0 epochs, 0 commits · final loss –");
});

test("bad files: the error panel shows the reader's plain message", async () => {
  const cases: [string, Uint8Array, string, RegExp][] = [
    ["empty.nfrun", new Uint8Array(0), "empty", /empty/],
    ["text.nfrun", new TextEncoder().encode("hello, this is not a database at all, just text ".repeat(4)), "not-sqlite", /not an SQLite database|SQLite/],
    ["cut.nfrun", fs.readFileSync(file).subarray(0, 1500), "truncated", /./],
  ];
  for (const [name, bytes, kind, re] of cases) {
    fs.writeFileSync(path.join(dir, name), bytes);
    const msg: RunFileMessage = await loadRunFile(path.join(dir, name));
    assert.equal(msg.type, "error", name);
    if (msg.type !== "error") continue;
    assert.equal(msg.kind, kind, `${name}: ${msg.message}`);
    assert.match(msg.message, re);
    assert.ok(msg.message.startsWith(`${name}: `), msg.message);
    const root = document.createElement("div");
    renderMessage(msg, root, { chart: () => assert.fail("no chart for a bad file") });
    const panel = root.querySelector('.error-panel[role="alert"]')!;
    // A file cut short is damaged (and `neuroforge verify` says where); an empty or foreign one is not.
    const damaged = kind === "truncated";
    assert.equal(panel.querySelector("h2")!.textContent, damaged ? "This file is damaged" : "This file cannot be shown");
    assert.equal(panel.querySelector(".message")!.textContent, msg.message);
    assert.equal(panel.querySelector(".muted")!.textContent, `${name} · reason: ${kind}`);
    assert.equal(panel.querySelector("code.verify")?.textContent, damaged ? `neuroforge verify ${name}` : undefined);
    assert.equal(root.querySelector("section.run"), null);
  }
});

test("the real webview bundle, with eval and new Function forbidden: says ready, renders the run and its Vega loss chart as SVG", async () => {
  // The same esbuild options as esbuild.mjs's editor entry, built in memory (independent of dist/).
  const built = await esbuild.build({ entryPoints: ["webviews/editor/main.ts"], bundle: true, platform: "browser", format: "iife", target: "es2022", write: false, logLevel: "silent" });
  const jsdomErrors: string[] = [];
  const virtualConsole = new VirtualConsole();
  virtualConsole.on("jsdomError", (e) => jsdomErrors.push(e.message));
  const page = new JSDOM(`<!DOCTYPE html><html><body><div id="root"></div></body></html>`, { runScripts: "outside-only", pretendToBeVisual: true, virtualConsole });
  const w = page.window as unknown as Window & { eval(code: string): unknown; structuredClone: typeof structuredClone; acquireVsCodeApi(): unknown };
  w.structuredClone = structuredClone;
  const posted: unknown[] = [];
  w.acquireVsCodeApi = () => ({ postMessage: (m: unknown) => posted.push(m) });
  const run = w.eval.bind(w);
  // What the CSP (no 'unsafe-eval') enforces in the webview: code generation throws.
  run(`(() => { const F = Function; const trap = new Proxy(F, { construct() { throw new Error("new Function is forbidden by the CSP"); }, apply() { throw new Error("Function() is forbidden by the CSP"); } });
    F.prototype.constructor = trap; globalThis.Function = trap; globalThis.eval = () => { throw new Error("eval is forbidden by the CSP"); }; })()`);
  run(built.outputFiles[0]!.text);
  assert.deepEqual(JSON.parse(JSON.stringify(posted)), [{ type: "ready" }]); // (objects of the page realm)
  const msg = await loadRunFile(file);
  w.dispatchEvent(new page.window.MessageEvent("message", { data: msg }));
  const doc = page.window.document;
  for (let i = 0; i < 200 && !doc.querySelector(".chart svg, .chart .error"); i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(doc.querySelector(".chart .error"), null, doc.querySelector(".chart .error")?.textContent ?? "");
  const svg = doc.querySelector(".chart svg")!;
  assert.ok(svg, "an SVG chart");
  assert.ok(svg.querySelector(".mark-line path")?.getAttribute("d"), "the loss line is drawn");
  assert.match(svg.textContent!, /loss per commit/);
  assert.match(svg.textContent!, /t \(commit\)/);
  assert.equal(doc.querySelector("section.run h3")!.textContent, `Run ${runId}`);
  // The only jsdom complaint: no canvas (Vega falls back to estimated text widths).
  assert.deepEqual([...new Set(jsdomErrors)].filter((e) => !/HTMLCanvasElement.prototype.getContext/.test(e)), []);
  page.window.close();
});

/** The header's mechanism fields of a rendered run: name → value, in order. */
function mechanismFields(msg: RunFileMessage): [string, string][] {
  const root = document.createElement("div");
  renderMessage(msg, root);
  return Array.from(root.querySelectorAll("dd.mechanism"), (dd) => [dd.previousElementSibling!.textContent!, dd.textContent!]);
}

test("the run header names the mechanisms a notebook run used: its schedule (from the recorded lr factors), Lookahead, clipping, parameter groups, recording policy", async () => {
  const xs = Array.from({ length: 8 }, (_, i) => [Math.sin(i), Math.cos(i * 2)]);
  const data = datasetFromRows("toy", xs, xs.map(([a, b]) => [a! * b! > 0 ? 1 : 0]));
  const model = new Model({ inputs: 2, layers: [{ units: 2, activation: "tanh" }, { units: 1, activation: "sigmoid" }] });
  model.initialize({ name: "xavier_uniform" }, 5);
  const f = path.join(dir, "mechanisms.nfrun");
  const rec = await RunRecorder.create(f, { data, seed: 5, epochs: 3, policy: { epochs: { first: 1, last: true } }, checkpointSeconds: 3600 });
  const schedule = (t: number) => 1 / t; // a function: the file keeps its factor per commit
  const trainer = new Trainer({ model, loss: "mse", strategy: getStrategy("sgd"), hyperparameters: { lr: 0.1, weight_decay: 0.01 }, batchSize: 4, seed: 5, observers: [rec], schedule, clipGradNorm: 0.5, lookahead: { k: 3, alpha: 0.6 }, noDecay: { patterns: ["bias"] } });
  rec.finish(trainer.fit(data, 3));
  const commits = 3 * 2;
  assert.deepEqual(mechanismFields(await loadRunFile(f)), [
    ["schedule", `lr × ${Number((1 / commits).toPrecision(4))} … 1 over the run (a schedule function: the run file keeps its factor per commit, not its form)`],
    ["lookahead", "k=3, α=0.6"],
    ["clipping", "global gradient norm ≤ 0.5"],
    ["accumulation", "not in the stored config"],
    ["param groups", "no decay for bias (weight_decay 0)"],
    ["recording", "the first 1 epochs, the last epoch; every neuron"],
  ]);
  // The plain run of this file: constant schedule, everything off, everything recorded.
  assert.deepEqual(mechanismFields(await loadRunFile(file)), [
    ["schedule", "constant (lr × 1 at every commit)"],
    ["lookahead", "off"],
    ["clipping", "off"],
    ["accumulation", "not in the stored config"],
    ["param groups", "off"],
    ["recording", "every epoch; every neuron"],
  ]);
});

test("the run header of an experiment's run names its scheduler with its options, and its gradient accumulation", async () => {
  const { experiment, dataset } = resolveExperiment({
    baseDir: dir,
    raw: {
      name: "mech",
      model: { inputs: 2, layers: [{ units: 2, activation: "tanh" }, { units: 1, activation: "sigmoid" }] },
      data: { generator: "xor", count: 8, noise: 0 },
      loss: "bce",
      optimizer: { name: "sgd", lr: 0.2 },
      scheduler: { name: "cosine", t_max: 4, warmup_steps: 2 },
      training: { batch_size: 2, epochs: 2, accumulate_steps: 2 },
    },
  });
  const f = path.join(dir, "experiment.nfrun");
  const rec = await RunRecorder.create(f, { data: dataset, config: experiment, seed: experiment.seed, epochs: 2, checkpointSeconds: 3600 });
  const built = buildExperiment({ experiment, dataset }, { observers: [rec] });
  rec.finish(built.trainer.fit(built.dataset, 2));
  const fields = new Map(mechanismFields(await loadRunFile(f)));
  assert.equal(fields.get("schedule"), "cosine (t_max=4, min_lr=0, per=epoch), linear warmup over 2 commits");
  assert.equal(fields.get("accumulation"), "2 micro-batches of 2 per commit");
  assert.equal(fields.get("lookahead"), "off");
});

test("a file whose run is impossible for a recorder (a layer of 10⁸ units in a small file) opens as damaged, pointing at neuroforge verify", async () => {
  const SQL = await loadSqlJs();
  const db = new SQL.Database(fs.readFileSync(file));
  db.run("UPDATE layers SET units = 100000000 WHERE layer = 0");
  const doctored = path.join(dir, "doctored.nfrun");
  fs.writeFileSync(doctored, db.export());
  db.close();
  const msg = await loadRunFile(doctored);
  assert.equal(msg.type, "error");
  if (msg.type !== "error") return;
  assert.equal(msg.kind, "corrupt", msg.message);
  const root = document.createElement("div");
  renderMessage(msg, root);
  const panel = root.querySelector('.damage-panel[role="alert"]')!;
  assert.equal(panel.querySelector("h2")!.textContent, "This file is damaged");
  assert.equal(panel.querySelector(".message")!.textContent, msg.message);
  assert.equal(panel.querySelector("code.verify")!.textContent, "neuroforge verify doctored.nfrun");
});
