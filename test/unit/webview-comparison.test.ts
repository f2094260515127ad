/**
 * Runs compared as a notebook output (issue #15): `runComparison(reader)` over a real multirun file —
 * its fallbacks (HTML tables of the runs and main effects, Vega-Lite parallel coordinates, text) read
 * without our renderer and keep hostile names as text; the real comparison renderer bundle (JSDOM,
 * eval/Function forbidden) draws the run list, the overlay of two selected runs from the embedded curves
 * (= the reader's traces), parallel coordinates and the main effects; beyond the embedded curves it says so.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, test } from "node:test";
import * as esbuild from "esbuild";
import { JSDOM, VirtualConsole } from "jsdom";
import { NfrunReader } from "../../kernel/record";
import { compareRows } from "../../kernel/record/compare/compare";
import type { ComparisonPayload } from "../../kernel/record/compare/types";
import { RunComparisonView, runComparison, sweepComparison } from "../../kernel/runtime/display/comparison";
import { mimeBundleOf } from "../../kernel/runtime/display/index";
import { MIME } from "../../kernel/runtime/display/mime";
import { train } from "../../kernel/runtime/kernel/experiments";
import { until } from "./support/editor-page";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nf-webview-comparison-"));
const file = path.join(dir, "sweep.nfrun");
let reader: NfrunReader;
let bundleJs = "";

before(async () => {
  await train("samples/config/train.yaml", { overrides: ["optimizer=adam,sgd", "optimizer.lr=0.01,0.1", "training.epochs=2"], multirun: true, record: file });
  reader = await NfrunReader.open(file);
  const built = await esbuild.build({ entryPoints: ["webviews/renderers/comparison/index.ts"], bundle: true, platform: "browser", format: "iife", globalName: "nfComparison", footer: { js: "globalThis.nfComparison = nfComparison;" }, target: "es2022", write: false, logLevel: "silent" });
  bundleJs = built.outputFiles[0]!.text;
});
after(() => {
  reader.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

type Renderer = { renderOutputItem(item: unknown, el: HTMLElement): void };

/** The real renderer bundle in a page where eval and Function throw (the webview's CSP). */
function page() {
  const p = new JSDOM(`<!DOCTYPE html><html><body></body></html>`, { runScripts: "outside-only", pretendToBeVisual: true, virtualConsole: new VirtualConsole() });
  const w = p.window as unknown as Window & { eval(code: string): unknown; structuredClone: typeof structuredClone; nfComparison: { activate(ctx: unknown): Renderer } };
  w.structuredClone = structuredClone;
  const run = w.eval.bind(w);
  run(`(() => { const F = Function; const trap = new Proxy(F, { construct() { throw new Error("new Function is forbidden by the CSP"); }, apply() { throw new Error("Function() is forbidden by the CSP"); } });
    F.prototype.constructor = trap; globalThis.Function = trap; globalThis.eval = () => { throw new Error("eval is forbidden by the CSP"); }; })()`);
  run(bundleJs);
  const render = (payload: unknown) => {
    const element = p.window.document.createElement("div");
    p.window.document.body.append(element);
    const json = JSON.stringify(payload);
    w.nfComparison.activate({ workspace: { isTrusted: true } }).renderOutputItem({ id: "o", mime: MIME.comparison, metadata: {}, json: () => p.window.JSON.parse(json), text: () => json }, element);
    return element;
  };
  const check = (el: Element, on: boolean) => {
    const box = el as HTMLInputElement;
    box.checked = on;
    box.dispatchEvent(new p.window.Event("change"));
  };
  return { render, check, close: () => p.window.close() };
}

test("fallbacks: the runs and the main effects as HTML tables and text, parallel coordinates as Vega-Lite; markup stays text", () => {
  const view = runComparison(reader);
  const bundle = mimeBundleOf(view);
  const names = ["train · lr=0.01 · optimizer=adam", "train · lr=0.1 · optimizer=adam", "train · lr=0.01 · optimizer=sgd", "train · lr=0.1 · optimizer=sgd"];
  const payload = bundle[MIME.comparison] as ComparisonPayload;
  assert.deepEqual(payload.comparison.runs.map((r) => r.name), names);
  assert.equal(payload.title, "4 runs of sweep.nfrun");
  const html = new JSDOM(String(bundle["text/html"])).window.document;
  const [runs, effects] = [...html.querySelectorAll("table")];
  assert.deepEqual([...runs!.querySelectorAll("tbody tr td:first-child")].map((td) => td.textContent), names);
  assert.deepEqual([...runs!.querySelectorAll("thead th")].map((th) => th.textContent), ["run", "status", "optimizer", "lr", "final loss"]);
  const y = payload.comparison.runs.map((r) => reader.run(r.runId).finalLoss!);
  const adam = [...effects!.querySelectorAll("tbody tr")].find((tr) => tr.children[0]!.textContent === "optimizer" && tr.children[1]!.textContent === "adam")!;
  assert.equal(Number(adam.children[3]!.textContent), Number(((y[0]! + y[1]!) / 2).toPrecision(4)));
  assert.match(String(bundle["text/plain"]), /train · lr=0\.1 · optimizer=sgd {2}completed/);
  assert.match(String(bundle["text/plain"]), /main effects on final loss/);
  assert.equal((bundle[MIME.vegaLite] as { title: string }).title, "parameters → final loss");
  const hostile = compareRows(["<img src=x onerror=alert(1)>", "<script>x</script>"].map((name, i) => ({ runId: `r${i}`, state: "completed", config: { name, seed: i }, metrics: { loss: i, testLoss: null, testAccuracy: null } })));
  const hostileHtml = String(mimeBundleOf(new RunComparisonView({ kind: "run-comparison", title: "<b>t</b>", comparison: hostile, overlay: { kind: "overlay", panels: [] }, embeddedCurves: 0 }))["text/html"]);
  const doc = new JSDOM(hostileHtml).window.document;
  assert.equal(doc.querySelector("img, script, b"), null);
  assert.equal(doc.querySelector("tbody td")!.textContent, "<img src=x onerror=alert(1)> · seed=0");
});

test("renderer: the run list, two runs overlaid from the embedded curves (= the reader's), parallel coordinates, main effects", async () => {
  const payload = mimeBundleOf(runComparison(reader))[MIME.comparison] as ComparisonPayload;
  const pg = page();
  try {
    const el = pg.render(payload);
    const compare = el.querySelector('section[aria-label="compare runs"]')!;
    const rows = [...compare.querySelectorAll("table.run-list tbody tr")];
    assert.deepEqual(rows.map((r) => r.querySelector(".run-name")!.textContent), payload.comparison.runs.map((r) => r.name));
    const picked = [payload.comparison.runs[0]!, payload.comparison.runs[3]!];
    for (const r of picked) pg.check(compare.querySelector(`tr[data-run-id="${r.runId}"] input[type=checkbox]`)!, true);
    const charts = await until("the overlay", () => {
      const figs = [...compare.querySelectorAll(".overlay-chart")];
      return compare.getAttribute("aria-busy") === "false" && figs.length > 0 && figs.every((f) => f.querySelector("svg")) && figs;
    });
    assert.deepEqual(charts.map((f) => f.getAttribute("aria-label")), ["loss per commit", "learning-rate scale"]);
    for (const f of charts) {
      assert.equal(f.querySelectorAll(".mark-line path").length, 2);
      assert.deepEqual([...f.querySelectorAll(".role-legend-label text")].map((t) => t.textContent), picked.map((r) => r.name));
    }
    // The embedded lines are the reader's loss per commit.
    const loss = payload.overlay.panels[0]!;
    for (const r of picked) assert.deepEqual(loss.lines.find((l) => l.name === r.name)!.values, Array.from(reader.trace(r.runId).loss));
    assert.equal(compare.querySelectorAll(".parallel .mark-line path").length, 4);
    const table = compare.querySelector('table[aria-label="main effects on final loss"]')!;
    for (const f of payload.comparison.effects!.loss!) {
      for (const l of f.levels) assert.equal(Number(table.querySelector(`tr[data-factor="${f.factor}"][data-level="${String(l.value)}"] .mean`)!.getAttribute("data-value")), l.mean);
    }
    // An output that embeds fewer curves says which runs it cannot draw.
    const few = pg.render({ ...payload, embeddedCurves: 1 });
    pg.check(few.querySelector(`tr[data-run-id="${picked[1]!.runId}"] input[type=checkbox]`)!, true);
    const error = await until("the overlay's message", () => few.querySelector(".overlay .query-error"));
    assert.equal(error.textContent, `Cannot read the runs' curves: this output embeds the curves of its first 1 runs only, not of ${picked[1]!.name}`);
    const bad = pg.render({ kind: "run-comparison", title: "x", comparison: { runs: "nope" } });
    assert.equal(bad.querySelector('[role="alert"]')!.textContent, "This output is not a run comparison NeuroForge can read.");
  } finally {
    pg.close();
  }
});

test("a sweep object's members compared: names from the swept values, a diverged member out of the effects, the overlay names the run file", async () => {
  const members = [
    ["adam", 0.01, "completed", 0.5],
    ["adam", 0.1, "completed", 0.3],
    ["sgd", 0.01, "completed", 0.6],
    ["sgd", 0.1, "diverged", null],
  ] as const;
  const sweep = {
    experiment: "xor",
    record: "runs/sweep.nfrun",
    members: members.map(([optimizer, lr, status, loss], index) => ({ index, values: { optimizer, "optimizer.lr": lr }, status, metrics: { loss, testLoss: null, testAccuracy: null }, runId: `id-${index}` })),
  };
  const payload = mimeBundleOf(sweepComparison(sweep))[MIME.comparison] as ComparisonPayload;
  assert.deepEqual(payload.comparison.runs.map((r) => [r.name, r.state]), [["xor · lr=0.01 · optimizer=adam", "completed"], ["xor · lr=0.1 · optimizer=adam", "completed"], ["xor · lr=0.01 · optimizer=sgd", "completed"], ["xor · lr=0.1 · optimizer=sgd", "diverged"]]);
  const sgd = payload.comparison.effects!.loss!.find((f) => f.factor === "optimizer")!.levels.find((l) => l.value === "sgd")!;
  assert.deepEqual([sgd.count, sgd.mean], [1, 0.6], "the diverged member is left out of its level");
  const pg = page();
  try {
    const el = pg.render(payload);
    pg.check(el.querySelector('tr[data-run-id="id-1"] input[type=checkbox]')!, true);
    const error = await until("the overlay's message", () => el.querySelector(".overlay .query-error"));
    assert.equal(error.textContent, `Cannot read the runs' curves: a sweep output has no curves; runComparison(await NfrunReader.open("runs/sweep.nfrun")) overlays them`);
  } finally {
    pg.close();
  }
});
