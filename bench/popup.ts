/**
 * Popup latency on large runs, notebook path: what the extension host does when a notebook's network
 * output opens a popup whose data the output does not embed (the .nfrun editor's hover queries on a
 * 200 MB run are in bench/editor.ts). Records
 *   (a) 2-8-8-1 tanh on circles, 1000 samples × 20 epochs, batch 10, Adam (2000 commits);
 *   (b) 784-64-10 (ReLU, softmax) on 4096 random samples, 1 epoch, batch 32, Adam (128 commits, 50,890 weights);
 * then answers queries through the host's run query service (extension/runs/: cached reader, typed
 * answers) as the notebook renderer sends them (file by absolute path): the first query after opening
 * (cold: reads and checks the file), then random weightTrace (a weight's popup), neuronSnapshot (a
 * neuron's popup, one per sample shown) and epochSummary (the audit table's epoch panel) — p50/p95/max.
 *
 * `npm run bench -- popup [--queries=200] [--only=a|b]`.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { answerNotebookQuery } from "../extension/runs/notebook-queries";
import { RunFiles } from "../extension/runs/run-files";
import { RunQueryService } from "../extension/runs/service";
import { Model } from "../kernel/engine/model";
import { getStrategy } from "../kernel/engine/optimizers/registry";
import { Trainer } from "../kernel/engine/trainer";
import { RunRecorder } from "../kernel/record";
import type { RunQuery } from "../webviews/shared/queries";
import { intOption, quantile, type Benchmark, type BenchOptions } from "./lib/harness";
import { workloads, type Workload } from "./record";


/** What a popup must answer within. */
export const POPUP_TARGET_MS = 100;

const ms = (n: number) => n.toFixed(n < 10 ? 2 : 1);

async function measure(w: Workload, queries: number, dir: string): Promise<string[]> {
  const file = path.join(dir, `popup-${w.key}.nfrun`);
  const model = new Model(w.spec);
  model.initialize({ name: "xavier_uniform" }, 1);
  const rec = await RunRecorder.create(file, { data: w.data, epochs: w.epochs, seed: 1 });
  const trainer = new Trainer({ model, loss: w.loss, strategy: getStrategy("adam"), hyperparameters: { lr: 1e-3 }, batchSize: w.batchSize, shuffle: true, seed: 1, observers: [rec] });
  rec.finish(trainer.fit(w.data, w.epochs));
  const runId = rec.runId;
  const commits = Math.ceil(w.data.count / w.batchSize) * w.epochs;
  const files = new RunFiles();
  const service = new RunQueryService(files);
  let id = 0;
  const ask = async (query: RunQuery): Promise<number> => {
    const t0 = performance.now();
    const a = await answerNotebookQuery(service, { type: "query", id: ++id, query: { ...query, file } }, true);
    const dt = performance.now() - t0;
    if ("error" in a) throw new Error(`${query.kind}: ${a.error.message}`);
    const r = a.result as { kind: string; reason?: string };
    if (r.kind === "not-recorded") throw new Error(`${query.kind}: ${r.reason}`);
    return dt;
  };
  let seed = 12345;
  const rnd = (n: number) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed % n;
  };
  const randomWeight = () => {
    const layer = rnd(model.layers.length);
    const l = model.layers[layer]!;
    return { layer, neuron: rnd(l.units), weight: rnd(l.inputs + 1) };
  };
  const cold = await ask({ kind: "weightTrace", runId, ...randomWeight(), t: 1 + rnd(commits) });
  const lat: Record<string, number[]> = { weightTrace: [], neuronSnapshot: [], epochSummary: [] };
  for (let q = 0; q < queries; q++) {
    lat.weightTrace!.push(await ask({ kind: "weightTrace", runId, ...randomWeight(), t: 1 + rnd(commits) }));
    const { layer, neuron } = randomWeight();
    lat.neuronSnapshot!.push(await ask({ kind: "neuronSnapshot", runId, layer, neuron, epoch: rnd(w.epochs), sample: rnd(w.data.count) }));
    if (q < Math.max(10, queries / 10)) lat.epochSummary!.push(await ask({ kind: "epochSummary", runId, ...randomWeight(), epoch: rnd(w.epochs) }));
  }
  files.dispose();
  const bytes = fs.statSync(file).size;
  fs.rmSync(file, { force: true });
  const line = (k: string) => {
    const v = lat[k]!;
    const p95 = quantile(v, 0.95);
    return `  ${k.padEnd(15)} ${String(v.length).padStart(4)} queries: p50 ${ms(quantile(v, 0.5))} ms, p95 ${ms(p95)} ms, max ${ms(v.reduce((m, x) => Math.max(m, x), -Infinity))} ms` + (k === "epochSummary" ? "" : `   (popup target ≤ ${POPUP_TARGET_MS} ms: ${p95 <= POPUP_TARGET_MS ? "met" : "NOT MET"})`);
  };
  return [
    `${w.label}: ${(bytes / 1e6).toFixed(1)} MB, ${commits} commits, ${model.weightCount} weights`,
    `  first query (open + check + run context + answer) ${ms(cold)} ms`,
    line("weightTrace"),
    line("neuronSnapshot"),
    line("epochSummary"),
  ];
}

export const popupBenchmark: Benchmark = {
  name: "popup",
  description: "host-side latency of the queries a popup sends for a large run (weightTrace, neuronSnapshot, epochSummary)",
  async run(options: BenchOptions): Promise<void> {
    const queries = intOption(options, "queries", 200);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nfrun-popup-"));
    try {
      for (const w of workloads(20)) {
        if (options.only && options.only !== w.key) continue;
        console.log((await measure(w, queries, dir)).join("\n") + "\n");
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
};
