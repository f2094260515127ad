/**
 * The notebook kernel (dist/kernel.js, run `npm run build` first):
 *   - start to ready: spawn → `ready` message, and spawn → first trivial cell done (the type checker is
 *     built during that time), over `starts` fresh kernels;
 *   - round trip of a trivial cell (`1 + 1`, execute → done as seen by the client), p50/p95 over
 *     `cells` cells after `warmup`;
 *   - the cost of the kernel's Trainer observer + progress display on a training loop: the same fit
 *     (2-8-8-1 tanh, circles 1000 samples, batch 10, SGD) with the engine's Trainer and with the kernel's,
 *     alternating, `rounds` times, inside one kernel.
 * `npm run bench -- kernel [--starts=3] [--cells=100] [--warmup=10] [--rounds=3] [--epochs=2000]`
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { KernelClient } from "../kernel/runtime/kernel/client";
import { intOption, median, type Benchmark, type BenchOptions } from "./lib/harness";

const kernelPath = path.resolve(__dirname, "../dist/kernel.js");

function percentile(values: readonly number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

async function run(options: BenchOptions): Promise<void> {
  if (!fs.existsSync(kernelPath)) throw new Error("dist/kernel.js is missing: run `npm run build` first");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nf-bench-kernel-"));
  try {
    const starts = intOption(options, "starts", 3);
    const ready: number[] = [];
    const firstCell: number[] = [];
    for (let i = 0; i < starts; i++) {
      const t0 = performance.now();
      const k = await KernelClient.start({ cwd: dir, kernelPath });
      ready.push(performance.now() - t0);
      await k.execute("1 + 1");
      firstCell.push(performance.now() - t0);
      await k.shutdown();
    }
    console.log(`start → ready:            median ${median(ready).toFixed(0)} ms (${ready.map((v) => v.toFixed(0)).join(", ")}) — target ≤ 2000 ms`);
    console.log(`start → first cell done:  median ${median(firstCell).toFixed(0)} ms (${firstCell.map((v) => v.toFixed(0)).join(", ")})`);

    const k = await KernelClient.start({ cwd: dir, kernelPath });
    const warmup = intOption(options, "warmup", 10);
    const cells = intOption(options, "cells", 100);
    // Distinct cells (the type checker's work is not cached between identical sources).
    for (let i = 0; i < warmup; i++) await k.execute(`${i} + 1`);
    const trips: number[] = [];
    const inKernel: number[] = [];
    for (let i = 0; i < cells; i++) {
      const t0 = performance.now();
      const r = await k.execute(`const v${i} = ${i};\nv${i} + 1`);
      trips.push(performance.now() - t0);
      inKernel.push(r.ms);
    }
    console.log(
      `trivial cell round trip:  p50 ${percentile(trips, 50).toFixed(1)} ms, p95 ${percentile(trips, 95).toFixed(1)} ms ` +
        `(in the kernel: p50 ${percentile(inKernel, 50).toFixed(1)} ms) over ${cells} cells — target p50 ≤ 150 ms`,
    );

    const rounds = intOption(options, "rounds", 3);
    const epochs = intOption(options, "epochs", 2000);
    const setup = await k.execute(`import { Model, Trainer, generateDataset, getStrategy } from "neuroforge";
const benchData = generateDataset("circles", { count: 1000, seed: 1 });
const EngineTrainer = Object.getPrototypeOf(Trainer) as typeof Trainer;
function benchFit(T: typeof Trainer): number {
  const model = new Model({ inputs: 2, layers: [{ units: 8, activation: "tanh" }, { units: 8, activation: "tanh" }, { units: 1, activation: "sigmoid" }] });
  model.initialize({ name: "xavier_uniform" }, 1);
  const trainer = new T({ model, loss: "bce", strategy: getStrategy("sgd"), hyperparameters: { lr: 0.1 }, batchSize: 10 });
  const t0 = performance.now();
  trainer.fit(benchData, ${epochs});
  return performance.now() - t0;
}
EngineTrainer === Trainer`);
    if (setup.status !== "ok" || setup.result?.data["text/plain"] !== "false") throw new Error(`setup failed: ${JSON.stringify(setup.error ?? setup.result)}`);
    const plain: number[] = [];
    const withProgress: number[] = [];
    let updates = 0;
    for (let r = 0; r < rounds; r++) {
      const a = await k.execute("benchFit(EngineTrainer)");
      plain.push(Number(a.result?.data["text/plain"]));
      const b = await k.execute("benchFit(Trainer)");
      withProgress.push(Number(b.result?.data["text/plain"]));
      updates += b.messages.filter((m) => m.type === "display" || m.type === "update").length;
    }
    const p = median(plain);
    const w = median(withProgress);
    console.log(
      `progress display cost:    fit ${epochs} epochs × 1000 samples: engine Trainer ${p.toFixed(0)} ms, kernel Trainer (observer + progress) ${w.toFixed(0)} ms ` +
        `→ ${(((w - p) / p) * 100).toFixed(1)} % (${(updates / rounds).toFixed(0)} display messages per fit; medians of ${rounds}) — target ≤ 2 %`,
    );
    await k.shutdown();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export const kernelBenchmark: Benchmark = {
  name: "kernel",
  description: "notebook kernel: start to ready, trivial cell round trip p50/p95, progress display cost on a training loop",
  run,
};
