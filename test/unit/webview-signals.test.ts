/**
 * The signals renderer (webviews/renderers/signals): the real bundle (esbuild, in memory) in a JSDOM
 * page where eval and Function throw (what the webview's CSP enforces), rendering the signals payload
 * of a recorded run's trace (loss, gradient and step norms per commit): one SVG line per series.
 * Also: the text-table fallback when the chart fails, and hostile strings staying text.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, test } from "node:test";
import * as esbuild from "esbuild";
import { JSDOM, VirtualConsole } from "jsdom";
import { datasetFromRows, Model, Trainer } from "../../kernel/engine";
import { getStrategy } from "../../kernel/engine/optimizers/registry";
import { NfrunReader, RunRecorder, type TraceSeries } from "../../kernel/record";
import { mimeBundleOf } from "../../kernel/runtime/display/index";
import { MIME } from "../../kernel/runtime/display/mime";
import { signalsBundle } from "../../kernel/runtime/display/plot";
import { fmt } from "../../webviews/shared/format";
import { installDom } from "./support/dom-globals";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nf-webview-signals-"));
let trace: TraceSeries;
let bundleJs = "";

before(async () => {
  const xs = Array.from({ length: 8 }, (_, i) => [Math.sin(i), Math.cos(i * 2)]);
  const ys = xs.map(([a, b]) => [a! * b! > 0 ? 1 : 0]);
  const data = datasetFromRows("toy", xs, ys);
  const model = new Model({ inputs: 2, layers: [{ units: 2, activation: "tanh" }, { units: 1, activation: "sigmoid" }] });
  model.initialize({ name: "xavier_uniform" }, 5);
  const file = path.join(dir, "run.nfrun");
  const rec = await RunRecorder.create(file, { data, seed: 5, epochs: 5, policy: {}, checkpointSeconds: 3600 });
  const trainer = new Trainer({ model, loss: "mse", strategy: getStrategy("sgd"), hyperparameters: { lr: 0.1 }, batchSize: 4, shuffle: true, seed: 5, observers: [rec] });
  rec.finish(trainer.fit(data, 5));
  const reader = await NfrunReader.open(file);
  trace = reader.trace(rec.runId);
  reader.close();
  // The same esbuild options as esbuild.mjs's renderer entries, as an IIFE (strict: its var is exported by a footer) so a JSDOM page can run it.
  const built = await esbuild.build({ entryPoints: ["webviews/renderers/signals/index.ts"], bundle: true, platform: "browser", format: "iife", globalName: "nfSignals", footer: { js: "globalThis.nfSignals = nfSignals;" }, target: "es2022", write: false, logLevel: "silent" });
  bundleJs = built.outputFiles[0]!.text;
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A page with the real renderer bundle loaded after eval/Function were made to throw. */
function page() {
  const jsdomErrors: string[] = [];
  const virtualConsole = new VirtualConsole();
  virtualConsole.on("jsdomError", (e) => jsdomErrors.push(e.message));
  const p = new JSDOM(`<!DOCTYPE html><html><body></body></html>`, { runScripts: "outside-only", pretendToBeVisual: true, virtualConsole });
  const w = p.window as unknown as Window & { eval(code: string): unknown; structuredClone: typeof structuredClone; nfSignals: { activate(ctx: unknown): { renderOutputItem(item: unknown, el: HTMLElement): Promise<void> } } };
  w.structuredClone = structuredClone;
  const run = w.eval.bind(w);
  run(`(() => { const F = Function; const trap = new Proxy(F, { construct() { throw new Error("new Function is forbidden by the CSP"); }, apply() { throw new Error("Function() is forbidden by the CSP"); } });
    F.prototype.constructor = trap; globalThis.Function = trap; globalThis.eval = () => { throw new Error("eval is forbidden by the CSP"); }; })()`);
  run(bundleJs);
  assert.throws(() => run("eval('1')"), /forbidden by the CSP/);
  assert.throws(() => run("new Function('return 1')"), /forbidden by the CSP/);
  const render = async (payload: unknown) => {
    const renderer = w.nfSignals.activate({ workspace: { isTrusted: true } });
    const element = p.window.document.createElement("div");
    p.window.document.body.append(element);
    // The payload as a notebook stores it (JSON text), parsed in the page's realm.
    const json = JSON.stringify(payload);
    await renderer.renderOutputItem({ id: "o", mime: MIME.signals, metadata: {}, json: () => p.window.JSON.parse(json), text: () => json }, element);
    return element;
  };
  return { window: p.window, render, jsdomErrors, close: () => p.window.close() };
}

test("the real bundle with eval/Function forbidden: a recorded run's trace renders as a Vega SVG with one line per series", async () => {
  const payload = mimeBundleOf(trace)[MIME.signals] as { series: Record<string, number[]>; x: number[]; title: string };
  assert.deepEqual(Object.keys(payload.series), ["loss", "gradNorm", "stepNorm"]);
  assert.equal(payload.x.length, 10);
  const pg = page();
  const el = await pg.render(payload);
  assert.equal(el.querySelector(".chart .error"), null, el.querySelector(".chart .error")?.textContent ?? "");
  const svg = el.querySelector(".chart svg")!;
  assert.ok(svg, "an SVG chart");
  const paths = Array.from(svg.querySelectorAll(".mark-line path"));
  assert.equal(paths.length, Object.keys(payload.series).length, "one line per series");
  assert.ok(paths.every((p) => (p.getAttribute("d") ?? "").length > 10), "each line is drawn");
  assert.match(svg.textContent!, new RegExp(payload.title.replace(/[()]/g, "\\$&")));
  assert.match(svg.textContent!, /t \(commit\)/);
  for (const n of ["loss", "gradNorm", "stepNorm"]) assert.ok(svg.textContent!.includes(n), `legend ${n}`);
  assert.match(el.querySelector(".chart")!.getAttribute("aria-label")!, /: 3 series over 10 points of t \(commit\); last loss /);
  assert.deepEqual([...new Set(pg.jsdomErrors)].filter((e) => !/HTMLCanvasElement.prototype.getContext/.test(e)), []);
  pg.close();
});

test("one series, linear scale; hostile names stay text; a wrong payload shows a message", async () => {
  const hostile = "<b>z</b>"; // (legend labels are clipped at ~160px: a short one)
  const payload = signalsBundle({ title: `<img src=x onerror="globalThis.pwned=1"><script>globalThis.pwned=1</script>`, x: [0, 1, 2, 3], xLabel: "epoch", series: { [hostile]: [1, -2, 3, 0.5] } })[MIME.signals];
  const pg = page();
  const el = await pg.render(payload);
  assert.equal(el.querySelectorAll(".chart svg .mark-line path").length, 1);
  assert.equal(el.querySelector("img, script, b"), null);
  assert.ok(el.querySelector(".chart svg")!.textContent!.includes(hostile), el.querySelector(".chart svg")!.textContent!);
  assert.ok(el.querySelector(".chart svg")!.textContent!.includes(`<img src=x onerror="globalThis.pwned=1"><script>globalThis.pwned=1</script>`));
  assert.equal((pg.window as unknown as { pwned?: number }).pwned, undefined);
  const bad = await pg.render({ x: [1, 2], series: { a: [1] } });
  assert.equal(bad.querySelector('[role="alert"]')!.textContent, "NeuroForge: this output is not a signals plot (application/vnd.neuroforge.signals+json).");
  pg.close();
});

test("when the chart cannot be drawn, the values are shown as a text table", async () => {
  installDom();
  const { renderSignals } = await import("../../webviews/renderers/signals/render");
  const payload = JSON.parse(JSON.stringify(signalsBundle({ title: "norms", x: [1, 2, 3], xLabel: "t (commit)", series: { a: [0.5, 0.25, 0.125], "<b>b</b>": [1, NaN, 3] } })[MIME.signals]));
  const el = document.createElement("div");
  await renderSignals(payload, el, () => {
    throw new Error("no SVG today");
  });
  assert.equal(el.querySelector(".chart .error")!.textContent, "chart failed (no SVG today); the values:");
  assert.deepEqual(Array.from(el.querySelectorAll(".fallback th"), (t) => t.textContent), ["t (commit)", "a", "<b>b</b>"]);
  const rows = Array.from(el.querySelectorAll(".fallback tbody tr"), (r) => Array.from(r.querySelectorAll("td"), (td) => td.textContent));
  assert.deepEqual(rows, [["1", fmt(0.5), "1"], ["2", fmt(0.25), "–"], ["3", fmt(0.125), "3"]]);
  assert.equal(el.querySelector("b"), null);
});

test("panels (plot recipes): the real bundle draws every panel with its final value, truth dashed, hostile names as text", async () => {
  const { plotSignals } = await import("../../kernel/runtime/display/signal-panels");
  const hostile = "<img src=x onerror=\"globalThis.pwned=1\">";
  const x = [0, 1, 2, 3];
  const bundle = plotSignals(
    [
      { name: "loss", unit: "loss", xLabel: "t (commit)", x, components: ["loss"], values: [[1, 0.1, 0.01, 0.001]] },
      { name: hostile, unit: "θ", xLabel: "t (commit)", x, components: ["a", "b"], values: [[0, 0.5, 0.9, 1], [0, -0.5, -0.9, -1]], truth: [1, null] },
    ],
    [{ signals: ["loss"] }, { signals: [hostile], mode: "hybrid", top: 2 }],
    "two panels",
  )[toMimeBundleSymbol()]();
  const payload = bundle[MIME.signals] as { panels: { title: string; lines: unknown[] }[] };
  assert.equal(payload.panels[0]!.title, "loss — final 0.001");
  const pg = page();
  const el = await pg.render(payload);
  assert.equal(el.querySelector(".chart .error"), null, el.querySelector(".chart .error")?.textContent ?? "");
  const svg = el.querySelector(".chart svg")!;
  // loss: 1 line; hybrid: rms of the residual + both components + a's truth line (b has none).
  const paths = Array.from(svg.querySelectorAll(".mark-line path"));
  assert.equal(paths.length, 1 + 4);
  assert.equal(paths.filter((p) => p.getAttribute("stroke-dasharray") === "3,3").length, 1, "the truth line is dashed");
  const text = svg.textContent!;
  assert.ok(text.includes("loss — final 0.001"), text);
  assert.ok(text.includes(payload.panels[1]!.title), text);
  assert.equal(el.querySelector("img, script"), null);
  assert.equal((pg.window as unknown as { pwned?: number }).pwned, undefined);
  assert.match(el.querySelector(".chart")!.getAttribute("aria-label")!, /^two panels: loss — final 0\.001; /);
  // Fallbacks a saved notebook reads without the extension: escaped HTML and text.
  assert.ok(!(bundle["text/html"] as string).includes("<img"));
  assert.match(bundle["text/plain"] as string, /loss — final 0\.001/);
  pg.close();
});

function toMimeBundleSymbol(): typeof import("../../kernel/runtime/display/mime").toMimeBundle {
  return Symbol.for("neuroforge.toMimeBundle") as never;
}
