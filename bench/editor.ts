/**
 * The .nfrun editor on a ~200 MB run: records 784-64-10 (ReLU, softmax, CCE) on 5400 seeded random
 * samples × 2 epochs, batch 32, Adam, fully (about 203 MB with schema 2), then measures through the host's run query
 * service (extension/runs/) what the editor asks, each answer serialized as postMessage would:
 *   - first view: bytes → reader (RunFiles.open: read + checks + SQLite), the run summaries message,
 *     the playback timeline and the network after the last commit (weightsAfter, drawn weights only),
 *     each round on a fresh cache; beside it, in the same rounds, a plain read of the file's bytes;
 *   - hover queries on the open file: weightTrace and neuronSnapshot at random weights/neurons and
 *     commits/samples, p50/p95 (neuronSnapshot also per layer: a 784-input neuron replays 785 weights);
 *   - a playback step: weightsAfter (drawn weights) + batch at a random commit, and batch + sample for a sample step.
 *
 * `npm run bench -- editor [--rounds=5] [--queries=200] [--file=path.nfrun] [--keep=1]`
 * (`--file` measures an existing run file instead of recording one; `--keep=1` keeps the recorded file).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runFileMessage } from "../extension/editor/load";
import { RunFiles } from "../extension/runs/run-files";
import { RunQueryService } from "../extension/runs/service";
import { Model, Trainer } from "../kernel/engine";
import { getStrategy } from "../kernel/engine/optimizers/registry";
import { RunRecorder } from "../kernel/record";
import { MAX_DRAWN } from "../webviews/renderers/network/render";
import type { PlaybackTimeline, QueryAnswer, RunQuery } from "../webviews/shared/queries";
import { intOption, median, quantile, table, type Benchmark, type BenchOptions } from "./lib/harness";
import { mnistLike } from "./record";

const FIRST_VIEW_TARGET_MS = 3000;
const HOVER_TARGET_MS = 100;

async function recordBigRun(file: string): Promise<void> {
  const data = mnistLike(5400, 42);
  const model = new Model({ inputs: 784, layers: [{ units: 64, activation: "relu" }, { units: 10, activation: "softmax" }] });
  model.initialize({ name: "xavier_uniform" }, 1);
  const rec = await RunRecorder.create(file, { data, epochs: 2, seed: 1 });
  const trainer = new Trainer({ model, loss: "cce", strategy: getStrategy("adam"), hyperparameters: { lr: 1e-3 }, batchSize: 32, shuffle: true, seed: 1, observers: [rec] });
  rec.finish(trainer.fit(data, 2));
}

const ms = (x: number) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));

/** One answer, serialized as postMessage would carry it; throws on an error answer. */
async function ask(service: RunQueryService, file: string, query: RunQuery): Promise<{ result: unknown; chars: number }> {
  const answer: QueryAnswer = await service.answer(file, { type: "query", id: 1, query });
  if ("error" in answer) throw new Error(`${query.kind}: ${answer.error.kind}: ${answer.error.message}`);
  return { result: answer.result, chars: JSON.stringify(answer).length };
}

async function timedMs<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const t0 = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - t0 };
}

export const editorBenchmark: Benchmark = {
  name: "editor",
  description: ".nfrun editor on a ~200 MB run: bytes → first view (≤ 3 s), hover query latency (≤ 100 ms)",
  async run(options: BenchOptions): Promise<void> {
    const rounds = intOption(options, "rounds", 5);
    const queries = intOption(options, "queries", 200);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nfrun-editor-bench-"));
    const file = options.file ?? path.join(dir, "big.nfrun");
    try {
      if (!options.file) {
        const t0 = performance.now();
        await recordBigRun(file);
        console.log(`recorded ${file} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      }
      const bytes = fs.statSync(file).size;
      console.log(`file: ${(bytes / 1e6).toFixed(1)} MB`);

      // First view, on a fresh cache each round, interleaved with a plain read of the same bytes.
      const phases: Record<"read" | "open" | "summaries" | "timeline" | "network" | "total", number[]> = { read: [], open: [], summaries: [], timeline: [], network: [], total: [] };
      const sizes = { summaries: 0, timeline: 0, network: 0 };
      for (let r = 0; r < rounds; r++) {
        phases.read.push((await timedMs(() => fs.promises.readFile(file))).ms);
        const files = new RunFiles();
        const service = new RunQueryService(files);
        const t0 = performance.now();
        phases.open.push((await timedMs(() => files.open(file))).ms);
        const summaries = await timedMs(() => runFileMessage(files, file));
        if (summaries.value.type !== "run-file") throw new Error(summaries.value.message);
        sizes.summaries = JSON.stringify(summaries.value).length;
        phases.summaries.push(summaries.ms);
        const runId = summaries.value.runs[summaries.value.runs.length - 1]!.runId;
        const timeline = await timedMs(() => ask(service, file, { kind: "timeline", runId }));
        phases.timeline.push(timeline.ms);
        sizes.timeline = timeline.value.chars;
        const tl = timeline.value.result as PlaybackTimeline;
        const network = await timedMs(() => ask(service, file, { kind: "weightsAfter", runId, t: tl.t[tl.t.length - 1]!, drawn: MAX_DRAWN }));
        phases.network.push(network.ms);
        sizes.network = network.value.chars;
        phases.total.push(performance.now() - t0);
        files.dispose();
      }
      const totalMedian = median(phases.total);
      console.log(
        `\nfirst view (bytes → run summaries, timeline, network after the last commit), ${rounds} rounds, medians:\n` +
          table(
            ["phase", "ms", "message chars"],
            [
              ["plain read of the file (baseline)", ms(median(phases.read)), ""],
              ["open: read + checks + SQLite", ms(median(phases.open)), ""],
              ["run summaries message", ms(median(phases.summaries)), String(sizes.summaries)],
              ["timeline query", ms(median(phases.timeline)), String(sizes.timeline)],
              [`network: weightsAfter(last t, drawn ${MAX_DRAWN})`, ms(median(phases.network)), String(sizes.network)],
              ["total (without the baseline read)", ms(totalMedian), ""],
            ],
          ) +
          `\n  = ${(totalMedian / median(phases.read)).toFixed(1)}× a plain read of the file; max ${ms(phases.total.reduce((m, v) => Math.max(m, v), -Infinity))} ms; target ≤ ${FIRST_VIEW_TARGET_MS} ms: ${totalMedian <= FIRST_VIEW_TARGET_MS ? "met" : "NOT MET"}`,
      );

      // Queries on the open file (as while the editor is open).
      const files = new RunFiles();
      const service = new RunQueryService(files);
      const { reader } = await files.open(file);
      const runId = reader.runIds()[0]!;
      const info = reader.run(runId);
      const tl = (await ask(service, file, { kind: "timeline", runId })).result as PlaybackTimeline;
      let seed = 12345;
      const rnd = (n: number) => {
        seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
        return seed % n;
      };
      const K = tl.t.length;
      const lat = { weightTrace: [] as number[], neuronSnapshot: [] as number[][], step: [] as number[], sampleStep: [] as number[] };
      info.layers.forEach(() => lat.neuronSnapshot.push([]));
      for (let q = 0; q < queries; q++) {
        const layer = rnd(info.layers.length);
        const l = info.layers[layer]!;
        const t = tl.t[rnd(K)]!;
        lat.weightTrace.push((await timedMs(() => ask(service, file, { kind: "weightTrace", runId, layer, neuron: rnd(l.units), weight: rnd(l.inputs + 1), t }))).ms);
        // A sample step: the batch's samples (cached by the webview per commit), then the sample.
        const k = rnd(K);
        const sampleStep = await timedMs(async () => {
          const batch = (await ask(service, file, { kind: "batch", runId, t: tl.t[k]! })).result as { epoch: number; samples: { sample: number }[] };
          const s = batch.samples[rnd(batch.samples.length)]!.sample;
          await ask(service, file, { kind: "sample", runId, epoch: batch.epoch, sample: s });
          return { epoch: batch.epoch, sample: s };
        });
        lat.sampleStep.push(sampleStep.ms);
        const nsLayer = q % info.layers.length;
        const nl = info.layers[nsLayer]!;
        lat.neuronSnapshot[nsLayer]!.push((await timedMs(() => ask(service, file, { kind: "neuronSnapshot", runId, layer: nsLayer, neuron: rnd(nl.units), ...sampleStep.value }))).ms);
        if (q % 10 === 0) {
          // What the playback asks for the commit it draws: its weights and its batch (for neuron popups).
          const t2 = tl.t[rnd(K)]!;
          lat.step.push((await timedMs(() => Promise.all([ask(service, file, { kind: "weightsAfter", runId, t: t2, drawn: MAX_DRAWN }), ask(service, file, { kind: "batch", runId, t: t2 })]))).ms);
        }
      }
      files.dispose();
      const row = (label: string, v: number[], target?: number) => [label, String(v.length), ms(quantile(v, 0.5)), ms(quantile(v, 0.95)), ms(v.reduce((m, x) => Math.max(m, x), -Infinity)), target === undefined ? "" : quantile(v, 0.95) <= target ? `≤ ${target}: met` : `≤ ${target}: NOT MET`];
      const allSnapshots = lat.neuronSnapshot.flat();
      console.log(
        `\nqueries on the open file (random weights/neurons, commits, samples):\n` +
          table(
            ["query", "n", "p50 ms", "p95 ms", "max ms", "p95 target"],
            [
              row("hover: weightTrace", lat.weightTrace, HOVER_TARGET_MS),
              row("neuronSnapshot (all layers)", allSnapshots, HOVER_TARGET_MS),
              ...lat.neuronSnapshot.map((v, i) => row(`  neuronSnapshot layer ${i} (${info.layers[i]!.inputs} inputs)`, v)),
              row("sample step: batch + sample", lat.sampleStep),
              row(`commit step: weightsAfter (drawn ${MAX_DRAWN}) + batch`, lat.step),
            ],
          ),
      );
    } finally {
      if (options.keep === "1" && !options.file) console.log(`kept ${file}`);
      else fs.rmSync(dir, { recursive: true, force: true });
    }
  },
};
