/**
 * Reading a run's Trace as series (kernel/record/series.ts): one weight's θ[t] over every commit of a
 * 10,000-commit run (target ≤ 50 ms), a layer's matrix series, and the per-commit scalars. Records
 * 2-16-16-1 tanh on 200 circles samples, batch 2, 100 epochs, Adam (10,000 commits, 337 weights), then reads with a fresh reader: the first weight (cold: the
 * run context is loaded too) and `--queries` random weights (warm), p50 / p95 / max.
 *
 * `npm run bench -- trace [--queries=50]`.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { generateDataset } from "../kernel/engine/datasets/generators";
import { Model } from "../kernel/engine/model";
import { Rng } from "../kernel/engine/math/rng";
import { getStrategy } from "../kernel/engine/optimizers/registry";
import { Trainer } from "../kernel/engine/trainer";
import { NfrunReader, RunRecorder } from "../kernel/record";
import { layerSeries, scalarSeries, weightSeries } from "../kernel/record/series";
import { intOption, quantile, type Benchmark, type BenchOptions } from "./lib/harness";

/** What one weight's history over 10,000 commits must be read within. */
export const WEIGHT_SERIES_TARGET_MS = 50;

const ms = (n: number) => n.toFixed(n < 10 ? 2 : 1);

export const traceBenchmark: Benchmark = {
  name: "trace",
  description: "series from a 10,000-commit run: one weight's θ[t] (target ≤ 50 ms), a layer's matrix series, the scalars",
  async run(options: BenchOptions) {
    const queries = intOption(options, "queries", 50);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nf-bench-trace-"));
    const file = path.join(dir, "trace.nfrun");
    try {
      const data = generateDataset("circles", { count: 200, seed: 1 });
      const model = new Model({ inputs: 2, layers: [{ units: 16, activation: "tanh" }, { units: 16, activation: "tanh" }, { units: 1, activation: "sigmoid" }] });
      model.initialize({ name: "xavier_uniform" }, 1);
      const rec = await RunRecorder.create(file, { data, epochs: 100, seed: 1 });
      const trainer = new Trainer({ model, loss: "bce", strategy: getStrategy("adam"), hyperparameters: { lr: 1e-3 }, batchSize: 2, shuffle: true, seed: 1, observers: [rec] });
      rec.finish(trainer.fit(data, 100));
      console.log(`recorded ${trainer.t} commits, ${model.weightCount} weights, ${(fs.statSync(file).size / 2 ** 20).toFixed(1)} MB`);
      const r = await NfrunReader.open(file);
      const runId = r.runIds()[0]!;
      let start = performance.now();
      const first = weightSeries(r, runId, 1, 3, 5);
      const cold = performance.now() - start;
      if ("kind" in first) throw new Error(first.reason);
      const rng = new Rng(7);
      const times: number[] = [];
      for (let q = 0; q < queries; q++) {
        const layer = rng.int(3);
        const l = r.context(runId).layers[layer]!;
        start = performance.now();
        weightSeries(r, runId, layer, rng.int(l.units), rng.int(l.inputs + 1));
        times.push(performance.now() - start);
      }
      start = performance.now();
      layerSeries(r, runId, 1);
      const layer = performance.now() - start;
      start = performance.now();
      scalarSeries(r, runId);
      const scalars = performance.now() - start;
      r.close();
      const p95 = quantile(times, 0.95);
      console.log(`one weight's θ[t], ${first.values.length} values: first ${ms(cold)} ms (with the run context); warm p50 ${ms(quantile(times, 0.5))} / p95 ${ms(p95)} / max ${ms(times.reduce((m, v) => Math.max(m, v), -Infinity))} ms over ${queries}`);
      console.log(`layer 1's matrix series (16 × 17 weights × 10,001 rows): ${ms(layer)} ms; the per-commit scalars: ${ms(scalars)} ms`);
      console.log(`target: one weight's history ≤ ${WEIGHT_SERIES_TARGET_MS} ms — ${p95 <= WEIGHT_SERIES_TARGET_MS ? "met" : "NOT met"} (warm p95)`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
};
