/**
 * Wide networks in the .nfrun editor (issue #16): a 784-64-10 ReLU/softmax network recorded on one epoch
 * of real MNIST digits (the mnist package, `--count` samples, batch 32, Adam), then the queries its views
 * send through the host's run query service, as the editor sends them: the weights after a commit for
 * the weight matrices (every weight, `weightsAfter` without `drawn`; with `drawn: 16` as before for
 * comparison) and a hovered weight's trace (`weightTrace` of a random weight of the matrix at a random
 * commit) — p50/p95/max against the 100 ms popup target.
 *
 * `npm run bench -- wide [--count=2000] [--queries=100]`.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { RunFiles } from "../extension/runs/run-files";
import { RunQueryService } from "../extension/runs/service";
import { loadMnist } from "../kernel/engine/datasets/mnist";
import { Model } from "../kernel/engine/model";
import { getStrategy } from "../kernel/engine/optimizers/registry";
import { Trainer } from "../kernel/engine/trainer";
import { RunRecorder } from "../kernel/record";
import type { RunQuery } from "../webviews/shared/queries";
import { intOption, quantile, type Benchmark, type BenchOptions } from "./lib/harness";
import { POPUP_TARGET_MS } from "./popup";

const ms = (n: number) => n.toFixed(n < 10 ? 2 : 1);

export const wideBenchmark: Benchmark = {
  name: "wide",
  description: "784-64-10 on a recorded MNIST epoch: the editor's weight-matrix and hovered-weight queries",
  async run(options: BenchOptions): Promise<void> {
    const count = intOption(options, "count", 2000);
    const queries = intOption(options, "queries", 100);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nfrun-wide-"));
    const file = path.join(dir, "mnist.nfrun");
    try {
      const data = loadMnist({ count });
      const model = new Model({ inputs: 784, layers: [{ units: 64, activation: "relu" }, { units: 10, activation: "softmax" }] });
      model.initialize({ name: "xavier_uniform" }, 1);
      const rec = await RunRecorder.create(file, { data, epochs: 1, seed: 1 });
      const trainer = new Trainer({ model, loss: "cce", strategy: getStrategy("adam"), hyperparameters: { lr: 1e-3 }, batchSize: 32, shuffle: true, seed: 1, observers: [rec] });
      const result = trainer.fit(data, 1);
      rec.finish(result);
      const commits = Math.ceil(count / 32);
      const service = new RunQueryService(new RunFiles());
      let id = 0;
      const ask = async (query: RunQuery): Promise<number> => {
        const t0 = performance.now();
        const a = (await service.answer(file, { type: "query", id: ++id, query })) as { error?: { message: string }; result?: { kind: string; reason?: string } };
        const dt = performance.now() - t0;
        if (a.error) throw new Error(`${query.kind}: ${a.error.message}`);
        if (a.result?.kind === "not-recorded") throw new Error(`${query.kind}: ${a.result.reason}`);
        return dt;
      };
      let seed = 4242;
      const rnd = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0), seed % n);
      const runId = rec.runId;
      await ask({ kind: "timeline", runId }); // opens and checks the file (cold)
      const lat: Record<string, number[]> = { "weightsAfter (all)": [], "weightsAfter (drawn 16)": [], "weightTrace (hover)": [] };
      for (let q = 0; q < queries; q++) {
        const t = 1 + rnd(commits);
        lat["weightsAfter (all)"]!.push(await ask({ kind: "weightsAfter", runId, t }));
        lat["weightsAfter (drawn 16)"]!.push(await ask({ kind: "weightsAfter", runId, t: 1 + rnd(commits), drawn: 16 }));
        const layer = rnd(2);
        const l = model.layers[layer]!;
        lat["weightTrace (hover)"]!.push(await ask({ kind: "weightTrace", runId, layer, neuron: rnd(l.units), weight: rnd(l.inputs + 1), t: 1 + rnd(commits) }));
      }
      console.log(`MNIST ${count} samples, 1 epoch, batch 32: ${commits} commits, ${model.weightCount} weights, ${(fs.statSync(file).size / 1e6).toFixed(1)} MB, final loss ${result.loss.toFixed(3)}`);
      for (const [k, v] of Object.entries(lat)) {
        const p95 = quantile(v, 0.95);
        console.log(`  ${k.padEnd(24)} ${v.length} queries: p50 ${ms(quantile(v, 0.5))} ms, p95 ${ms(p95)} ms, max ${ms(v.reduce((m, x) => Math.max(m, x), -Infinity))} ms   (≤ ${POPUP_TARGET_MS} ms: ${p95 <= POPUP_TARGET_MS ? "met" : "NOT MET"})`);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
};
