/**
 * Lazy queries from the notebook network renderer to the extension host, without VS Code but with every
 * real part: the renderer's entry point (webviews/renderers/network/index.ts) in JSDOM with a renderer
 * context whose postMessage reaches the host's answerNotebookQuery (extension/runs/notebook-queries.ts),
 * the run query service and its reader cache (extension/runs/), and .nfrun files recorded by the engine.
 * Checks the answers against the reader, a bad file's typed message, a file that changes between
 * queries, refusals (relative path, not .nfrun, untrusted workspace) and the host-side time of a popup.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, test } from "node:test";
import { answerNotebookQuery } from "../../extension/runs/notebook-queries";
import { RunFiles } from "../../extension/runs/run-files";
import { RunQueryService } from "../../extension/runs/service";
import { Model, Trainer } from "../../kernel/engine";
import { getStrategy } from "../../kernel/engine/optimizers/registry";
import { NfrunReader, RunRecorder, type NeuronSnapshot, type WeightTrace } from "../../kernel/record";
import { mimeBundleOf } from "../../kernel/runtime/display/index";
import { MIME } from "../../kernel/runtime/display/mime";
import { networkTrace } from "../../kernel/runtime/display/network";
import { activate } from "../../webviews/renderers/network/index";
import type { QueryAnswer } from "../../webviews/shared/queries";
import { renderOutput } from "./support/render-output";
import { toyDataset } from "./support/toy-data";
import { installDom, pointAtLine, pressKey } from "./support/dom-globals";

const dom = installDom();

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nf-notebook-queries-"));
const data = toyDataset();
const files = new RunFiles();
const service = new RunQueryService(files);

async function record(file: string, seed: number): Promise<string> {
  const model = new Model({ inputs: 2, layers: [{ units: 3, activation: "tanh" }, { units: 1, activation: "sigmoid" }] });
  model.initialize({ name: "xavier_uniform" }, seed);
  const rec = await RunRecorder.create(file, { data, seed, epochs: 2, policy: {}, checkpointSeconds: 3600 });
  const trainer = new Trainer({ model, loss: "mse", strategy: getStrategy("adam"), hyperparameters: { lr: 0.05 }, batchSize: 4, shuffle: true, seed, observers: [rec] });
  rec.finish(trainer.fit(data, 2));
  return rec.runId;
}

/** A large run's payload: weights, samples and the file; no traces, snapshots or summaries. */
async function lazyPayload(file: string): Promise<Record<string, unknown>> {
  const reader = await NfrunReader.open(file);
  try {
    const p = JSON.parse(JSON.stringify(mimeBundleOf(networkTrace(reader, reader.runIds()[0]!, 5))[MIME.network]));
    for (const c of p.recording.commits) Object.assign(c, { traces: null, neurons: null });
    Object.assign(p.recording, { epochSummaries: null, tracesOmitted: "lazy" });
    return p;
  } finally {
    reader.close();
  }
}

/** A renderer context wired to the host as VS Code's renderer messaging is; logs the host-side time of each answer. */
function hostContext(trusted = true) {
  const listeners: ((m: unknown) => void)[] = [];
  const hostMs: { kind: string; ms: number }[] = [];
  return {
    hostMs,
    context: {
      postMessage: (m: unknown) => {
        void (async () => {
          const t0 = performance.now();
          const answer: QueryAnswer = await answerNotebookQuery(service, JSON.parse(JSON.stringify(m)), trusted);
          hostMs.push({ kind: (m as { query: { kind: string } }).query.kind, ms: performance.now() - t0 });
          const copy = JSON.parse(JSON.stringify(answer));
          for (const l of listeners) l(copy);
        })();
      },
      onDidReceiveMessage: (l: (m: unknown) => void) => {
        listeners.push(l);
        return { dispose() {} };
      },
    },
  };
}

const key = (el: Element, k: string) => pressKey(dom, el, k);
const num = (el: Element | null) => Number(el!.getAttribute("data-value"));
const until = async (what: string, f: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!f()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
};

let file = "";
let runId = "";
before(async () => {
  file = path.join(dir, "run.nfrun");
  runId = await record(file, 3);
});
after(() => {
  files.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

test("a weight's and a neuron's popup get their data from the host through renderer messaging, equal to the reader's", async () => {
  const { context, hostMs } = hostContext();
  const el = await renderOutput(activate, MIME.network, await lazyPayload(file), context);
  const popup = el.querySelector<HTMLElement>(".popup")!;
  key(el.querySelector('line.weight[data-layer="1"][data-neuron="0"][data-weight="2"]')!, "Enter");
  await until("the audit table", () => !!popup.querySelector(".nf-audit td.after"));
  const reader = await NfrunReader.open(file);
  try {
    const trace = reader.weightTrace(runId, 1, 0, 2, 5) as WeightTrace;
    assert.equal(num(popup.querySelector("td.before")), trace.commit.before);
    assert.equal(num(popup.querySelector("td.adj")), trace.commit.adjustment);
    await until("every sample's Σ", () => Array.from(popup.querySelectorAll(".forward td.z")).every((td) => td.getAttribute("data-value") !== ""));
    Array.from(popup.querySelectorAll(".forward td.z")).forEach((td, i) => assert.equal(num(td), (reader.neuronSnapshot(runId, 1, 0, 1, trace.rows[i]!.sample) as NeuronSnapshot).forward.z));
    assert.ok(!hostMs.some((h) => h.kind === "epochSummary"), "the epoch summary is read on request only");
    popup.querySelector<HTMLButtonElement>("button.read-epoch")!.click();
    await until("the epoch summary", () => !!popup.querySelector(".epoch-summary .adj-sum"));
    assert.equal(num(popup.querySelector(".epoch-summary .adj-sum")), (reader.adjustments(runId, 1, 0, 2, 4, 6) as number[]).reduce((a, b) => a + b, 0));
    key(el.querySelector('circle.neuron[data-column="1"][data-index="0"]')!, "Enter");
    await until("the neuron's snapshot", () => !!popup.querySelector(".snapshot-head"));
    const last = trace.rows[trace.rows.length - 1]!.sample;
    assert.equal(num(popup.querySelector("td.z")), (reader.neuronSnapshot(runId, 0, 0, 1, last) as NeuronSnapshot).forward.z);
  } finally {
    reader.close();
  }
  assert.deepEqual([...new Set(hostMs.map((h) => h.kind))].sort(), ["epochSummary", "neuronSnapshot", "weightTrace"]);
  // Hover then click on the same weight (as a mouse does): one query, one audit table, pinned.
  key(el.querySelector(".popup button.close")!, "Escape");
  const before = hostMs.length;
  const other = el.querySelector('line.weight[data-layer="0"][data-neuron="2"][data-weight="1"]')!;
  pointAtLine(other, "mousemove");
  pointAtLine(other, "click");
  await until("the audit table", () => !!popup.querySelector(".nf-audit td.after"));
  await until("the snapshots", () => hostMs.length >= before + 5);
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(popup.querySelectorAll(".nf-audit").length, 1);
  assert.equal(hostMs.slice(before).filter((h) => h.kind === "weightTrace").length, 1);
  // A weight's answer that arrives after a neuron's popup replaced it stays out of it.
  key(other, "Escape");
  pointAtLine(other, "mousemove");
  el.querySelector('circle.neuron[data-column="2"][data-index="0"]')!.dispatchEvent(new dom.window.MouseEvent("mouseenter"));
  await until("the neuron's snapshot", () => !!popup.querySelector(".snapshot-head"));
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(popup.querySelector(".nf-audit"), null);
});

test("a bad file answers with the reader's typed message; a changed file is re-opened; refusals say why", async () => {
  const bad = path.join(dir, "bad.nfrun");
  fs.writeFileSync(bad, "this is not a run file\n");
  const payload = await lazyPayload(file);
  (payload.recording as { file: string }).file = bad;
  const { context } = hostContext();
  const el = await renderOutput(activate, MIME.network, payload, context);
  key(el.querySelector("line.weight")!, "Enter");
  await until("the error", () => !!el.querySelector(".popup .query-failed"));
  assert.match(el.querySelector(".popup .query-failed")!.textContent!, /^Cannot read the trace: .*bad\.nfrun: .*not an SQLite/i);
  // The file changes under the host's cached reader: the next query reads the new file.
  const changing = path.join(dir, "changing.nfrun");
  const first = await record(changing, 4);
  const ask = (q: Record<string, unknown>, trusted = true) => answerNotebookQuery(service, { type: "query", id: 1, query: { kind: "weightTrace", layer: 0, neuron: 0, weight: 0, t: 1, ...q } }, trusted);
  const a1 = await ask({ runId: first, file: changing });
  assert.ok("result" in a1 && (a1.result as WeightTrace).kind === "weight-trace");
  const second = await record(changing + ".tmp", 5);
  fs.renameSync(changing + ".tmp", changing);
  const a2 = await ask({ runId: second, file: changing });
  assert.ok("result" in a2 && (a2.result as WeightTrace).runId === second, JSON.stringify(a2).slice(0, 300));
  const a3 = await ask({ runId: first, file: changing });
  assert.ok("error" in a3 && a3.error.kind === "no-such-run", JSON.stringify(a3));
  for (const [q, trusted, why] of [
    [{ runId: first, file: "run.nfrun" }, true, /absolute path to a \.nfrun file/],
    [{ runId: first, file: path.join(dir, "notes.txt") }, true, /absolute path to a \.nfrun file/],
    [{ runId: first }, true, /absolute path to a \.nfrun file/],
    [{ runId: first, file: changing }, false, /only in a trusted workspace/],
  ] as const) {
    const a = await ask(q, trusted);
    assert.ok("error" in a && a.error.kind === "bad-query" && why.test(a.error.message), JSON.stringify(a));
  }
});

test("without messaging (no host) the renderer shows the embedded network and says where the data is", async () => {
  const el = await renderOutput(activate, MIME.network, await lazyPayload(file));
  key(el.querySelector("line.weight")!, "Enter");
  assert.match(el.querySelector(".popup .traces-omitted")!.textContent!, new RegExp(`read from ${file.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}`));
  assert.equal(el.querySelectorAll("line.weight").length, 13);
});
