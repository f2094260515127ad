/**
 * The audit renderer (webviews/renderers/audit) rendering real weight traces from a recorded run into a
 * DOM (JSDOM), through its notebook-renderer entry point, asserting what a person sees.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, test } from "node:test";
import { Model, Trainer } from "../../kernel/engine";
import { getStrategy } from "../../kernel/engine/optimizers/registry";
import { NfrunReader, RunRecorder, type WeightTrace } from "../../kernel/record";
import { auditBundle } from "../../kernel/runtime/display/audit";
import { MIME } from "../../kernel/runtime/display/mime";
import { checkLine } from "../../webviews/renderers/audit/check-line";
import { fmt } from "../../webviews/shared/format";
import { activate } from "../../webviews/renderers/audit/index";
import { renderOutput } from "./support/render-output";
import { toyDataset } from "./support/toy-data";
import { installDom } from "./support/dom-globals";

const dom = installDom();

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nf-webview-audit-"));
let reader: NfrunReader;
let runId = "";
let batch1Run = "";

/** A 2-3-1 net on 12 samples, recorded twice into one file: batch 5 (adam) and batch 1 (sgd). */
async function record(file: string, batchSize: number, optimizer: string, hyper: Record<string, unknown>): Promise<string> {
  const data = toyDataset();
  const model = new Model({ inputs: 2, layers: [{ units: 3, activation: "tanh" }, { units: 1, activation: "sigmoid" }] });
  model.initialize({ name: "xavier_uniform" }, 7);
  const rec = await RunRecorder.create(file, { data, seed: 7, epochs: 2, policy: {}, checkpointSeconds: 3600 });
  const trainer = new Trainer({ model, loss: "mse", strategy: getStrategy(optimizer), hyperparameters: hyper, batchSize, shuffle: true, seed: 7, observers: [rec] });
  rec.finish(trainer.fit(data, 2));
  return rec.runId;
}

before(async () => {
  const file = path.join(dir, "audit.nfrun");
  runId = await record(file, 5, "adam", { lr: 0.05 });
  batch1Run = await record(file, 1, "sgd", { lr: 0.1 });
  reader = await NfrunReader.open(file);
});
after(() => {
  reader?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** The payload exactly as a notebook stores it: the bundle's JSON, through JSON text. */
function payloadOf(trace: WeightTrace): unknown {
  const bundle = auditBundle(trace);
  return JSON.parse(JSON.stringify(bundle[MIME.audit]));
}

const render = (payload: unknown) => renderOutput(activate, MIME.audit, payload);

const texts = (root: Element, sel: string) => Array.from(root.querySelectorAll(sel), (e) => e.textContent ?? "");
const values = (root: Element, sel: string) => Array.from(root.querySelectorAll(sel), (e) => Number(e.getAttribute("data-value")));

test("audit renderer, batch 5: per-sample leverage = input × blame, Cum. is the bank, Avg = BatchTot / Count, Before − Adj = After", async () => {
  const trace = reader.weightTrace(runId, 0, 1, 0, 2) as WeightTrace;
  assert.equal(trace.kind, "weight-trace");
  const el = await render(payloadOf(trace));
  const rows = Array.from(el.querySelectorAll("tr.sample-row"));
  assert.equal(rows.length, trace.commit.count);
  assert.equal(rows.length, 5);
  let bank = 0;
  rows.forEach((row, i) => {
    const cells = Array.from(row.querySelectorAll("td"), (td) => td.textContent);
    const r = trace.rows[i]!;
    // What a person reads: sample, Input, Blame, Leverage, Cum. (4 significant digits).
    assert.deepEqual(cells.slice(0, 5), [String(r.sample), fmt(r.input), fmt(r.blame), fmt(r.input * r.blame), fmt(bank + r.input * r.blame)]);
    const [input, blame, leverage, cum] = Array.from(row.querySelectorAll("td.num"), (td) => Number(td.getAttribute("data-value"))).slice(1);
    assert.equal(leverage, input! * blame!);
    bank += leverage!;
    assert.equal(cum, bank);
  });
  const [batchTotal] = values(el, "td.batch-total");
  const [count] = values(el, "td.count");
  const [avg] = values(el, "td.avg");
  assert.equal(batchTotal, bank);
  assert.equal(count, 5);
  assert.equal(avg, batchTotal! / count!);
  assert.deepEqual(texts(el, "td.avg"), [fmt(bank / 5)]);
  // Adam's audit columns, in the strategy's order, with its values.
  assert.deepEqual(Array.from(el.querySelectorAll("td.audit"), (td) => td.getAttribute("data-column")), ["g+λθ", "m", "v", "v_max", "m̂", "v̂", "√v̂+ε", "m̂/(√v̂+ε)"]);
  assert.equal(values(el, 'td.audit[data-column="g+λθ"]')[0], avg);
  const [lr] = values(el, "td.lr");
  const [adj] = values(el, "td.adj");
  const [b] = values(el, "td.before");
  const [a] = values(el, "td.after");
  assert.equal(lr, 0.05);
  assert.equal(a, b! - adj!);
  assert.equal(el.querySelector(".check")!.textContent, checkLine(b!, adj!));
  assert.match(el.querySelector(".head")!.textContent!, /^layer 0, neuron 1, weight 0 · commit t=2 \(epoch 0, batch 1\) · Adam/);
  assert.ok(el.querySelector(".formula")!.textContent!.length > 0);
});

test("audit renderer, batch 5: Pending rows and Committed panel in distinct labels/colours; stepping samples keeps the commit panel and the layout", async () => {
  const trace = reader.weightTrace(runId, 1, 0, 2, 4) as WeightTrace; // epoch 1, batch 0: 5 samples
  assert.equal(trace.rows.length, 5);
  const el = await render(payloadOf(trace));
  const update = el.querySelector("section.update")!;
  const commit = el.querySelector("section.commit")!;
  assert.ok(update.classList.contains("pending"));
  assert.equal(update.querySelector(".badge")!.textContent, "Pending");
  assert.ok(commit.classList.contains("committed"));
  assert.equal(commit.querySelector(".badge")!.textContent, "Committed");
  assert.ok(!commit.classList.contains("pending"));

  const shape = () => Array.from(el.querySelectorAll("*"), (e) => e.tagName).join(",");
  const commitText = commit.textContent;
  const standardText = el.querySelector("section.standard")!.textContent;
  const layout = shape();
  const current = () => Array.from(el.querySelectorAll("tr.sample-row")).findIndex((r) => r.classList.contains("current"));
  assert.equal(current(), 4); // the last sample: the bank is complete
  assert.match(el.querySelector(".current-label")!.textContent!, /^sample 5 of 5 /);
  const prev = el.querySelector<HTMLButtonElement>("button.prev")!;
  for (let i = 3; i >= 0; i--) {
    prev.click();
    assert.equal(current(), i);
    assert.equal(el.querySelectorAll("tr.sample-row.later").length, 4 - i);
    assert.match(el.querySelector(".current-label")!.textContent!, new RegExp(`^sample ${i + 1} of 5 .*bank ${fmt(trace.rows[i]!.cumulative).replace(/[.+-]/g, "\\$&")} pending`));
    assert.equal(commit.textContent, commitText, "the commit panel is identical on every sample of the batch");
    assert.equal(el.querySelector("section.standard")!.textContent, standardText);
    assert.equal(shape(), layout, "no layout shift");
  }
  assert.ok(prev.disabled);
  // Keyboard: rows are focusable; ArrowDown moves the current sample and the focus.
  const first = el.querySelector<HTMLElement>("tr.sample-row")!;
  assert.equal(first.getAttribute("tabindex"), "0");
  first.dispatchEvent(new dom.window.KeyboardEvent("keydown", { key: "ArrowDown", bubbles: true }));
  assert.equal(current(), 1);
  assert.equal(document.activeElement, el.querySelectorAll("tr.sample-row")[1]);
  // Contribution bars: widths proportional to |leverage|, the largest 30px.
  const widths = Array.from(el.querySelectorAll<HTMLElement>(".bar > span"), (s) => parseInt(s.style.width, 10));
  assert.equal(widths.reduce((m, w) => Math.max(m, w), -Infinity), 30);
});

test("audit renderer, batch 1: no pending bank, no stepper; the update is the commit", async () => {
  const trace = reader.weightTrace(batch1Run, 0, 0, 1, 7) as WeightTrace;
  const el = await render(payloadOf(trace));
  assert.equal(el.querySelectorAll("tr.sample-row").length, 1);
  assert.equal(el.querySelector("section.update .badge")!.textContent, "Committed");
  assert.equal(el.querySelector(".stepper"), null);
  assert.equal(el.querySelector(".pending"), null);
  const [lev] = values(el, "td.leverage");
  assert.equal(values(el, "td.avg")[0], lev);
  assert.equal(values(el, "td.adj")[0], 0.1 * lev!); // SGD: Adj = lr × avg
  assert.equal(values(el, "td.after")[0], values(el, "td.before")[0]! - values(el, "td.adj")[0]!);
});

test("audit renderer: data is text, never markup; a wrong payload shows a message", async () => {
  const trace = reader.weightTrace(runId, 0, 0, 0, 1) as WeightTrace;
  const payload = payloadOf(trace) as { strategy: { name: string; formula: string } };
  payload.strategy.name = `<img src=x onerror="globalThis.pwned=1">`;
  payload.strategy.formula = "<script>globalThis.pwned=1</script>";
  const el = await render(payload);
  assert.equal(el.querySelector("img"), null);
  assert.equal(el.querySelector("script"), null);
  assert.ok(el.querySelector(".head")!.textContent!.endsWith(payload.strategy.name));
  assert.equal(el.querySelector(".formula-text")!.textContent, payload.strategy.formula);
  const bad = await render({ kind: "something-else" });
  assert.equal(bad.querySelector('[role="alert"]')!.textContent, "NeuroForge: this output is not a weight trace (application/vnd.neuroforge.audit+json).");
});

/** The check line's three numbers as a person reads them (U+2212 minus, a negative Adj in parentheses). */
function readCheck(text: string): { before: string; adj: string; after: string } {
  const m = /^Before − Adj = (\S+) − (\(−\S+\)|[^\s(−-]\S*) = (\S+)$/.exec(text);
  assert.ok(m, `check line "${text}"`);
  return { before: m[1]!, adj: m[2]!, after: m[3]! };
}
const value = (shown: string) => Number(shown.replace(/[()]/g, "").replace("−", "-"));

test("the check line: no double signs, and Before and After shown with the digits it takes to see the change", async () => {
  // The case: a small negative Adj on a weight near 7 (4 digits would read 6.999 − -8.452e-5 = 6.999).
  assert.equal(checkLine(6.999123, -8.452e-5), "Before − Adj = 6.9991 − (−8.452e-5) = 6.9992");
  assert.equal(checkLine(-0.5, 0.25), "Before − Adj = −0.5 − 0.25 = −0.75");
  assert.equal(checkLine(0.125, 0), "Before − Adj = 0.125 − 0 = 0.125");
  // A change in the 12th digit still shows; no change shows 4 digits.
  const tiny = checkLine(1.2345678901234, 1e-12);
  assert.notEqual(readCheck(tiny).before, readCheck(tiny).after, tiny);
  assert.equal(readCheck(checkLine(2.5e-7, 0)).before, "2.500e-7");
  // Every commit of the recorded run, every weight, as rendered: one sign per operation, Before/After
  // differ as shown exactly when they differ, and the shown numbers round the true ones.
  const info = reader.run(runId);
  let changed = 0;
  for (let t = 1; t <= info.commits; t++) {
    for (const [l, j, k] of [[0, 0, 0], [0, 2, 2], [1, 0, 1], [1, 0, 3]] as const) {
      const trace = reader.weightTrace(runId, l, j, k, t) as WeightTrace;
      const el = await render(payloadOf(trace));
      const text = el.querySelector(".check")!.textContent!;
      assert.doesNotMatch(text, /[−+-] *[−+-]/, text);
      const shown = readCheck(text);
      const { before, adjustment } = trace.commit;
      const after = before - adjustment;
      assert.equal(shown.before === shown.after, before === after, text);
      if (before !== after) changed++;
      for (const [s, v] of [[shown.before, before], [shown.adj, adjustment], [shown.after, after]] as const) {
        assert.ok(Math.abs(value(s) - v) <= Math.abs(v) * 5e-4, `${s} shows ${v} (${text})`);
      }
    }
  }
  assert.ok(changed > 0);
});
