/**
 * The neuron lifecycle's and the health monitor's cost: the engine benchmark's MLP 784-64-10 (ReLU,
 * softmax + cross-entropy, SGD) at batch 32, plain against lifecycle (every 50 commits, fraction 0.05,
 * senescence on) + health (every 50 commits). Both trainers live in one process from the same initial
 * weights and alternate timed epochs (the order flips each round), so the machine's drift falls on both;
 * the ratio is the median of the per-round ratios of samples per second (and of process CPU seconds).
 * Target: ≥ 0.90.
 *
 * `npm run bench -- lifecycle [--rounds=7] [--samples=4096]`.
 */
import { datasetFromRows } from "../kernel/engine/datasets/dataset";
import { Model } from "../kernel/engine/model";
import { sgd } from "../kernel/engine/optimizers/sgd";
import { Trainer, type TrainerOptions } from "../kernel/engine/trainer";
import { fmtRate, intOption, median, targetLine, timed, type Benchmark, type BenchOptions } from "./lib/harness";
import { HIDDEN, INPUTS, LEARNING_RATE, makeWorkload, OUTPUTS } from "./mlp/workload";

export const LIFECYCLE_TARGET = 0.9;

function trainer(extra: Partial<TrainerOptions>, samples: number): { trainer: Trainer; fit: () => void } {
  const w = makeWorkload(samples, 1234);
  const rows = (a: Float64Array, n: number) => Array.from({ length: samples }, (_, s) => Array.from(a.subarray(s * n, (s + 1) * n)));
  const data = datasetFromRows("bench", rows(w.x, INPUTS), rows(w.y, OUTPUTS));
  const model = new Model({ inputs: INPUTS, layers: [{ units: HIDDEN, activation: "relu" }, { units: OUTPUTS, activation: "softmax" }] });
  model.initialize({ name: "he_uniform" }, 1);
  const t = new Trainer({ model, loss: "cce", strategy: sgd, hyperparameters: { lr: LEARNING_RATE }, batchSize: 32, ...extra });
  return { trainer: t, fit: () => void t.trainEpoch(data) };
}

export const lifecycleBenchmark: Benchmark = {
  name: "lifecycle",
  description: "lifecycle + health on 784-64-10 at batch 32 against plain training, paired in one process (target ≥ 0.90×)",
  async run(options: BenchOptions) {
    const rounds = intOption(options, "rounds", 7);
    const samples = intOption(options, "samples", 4096, 32);
    const plain = trainer({}, samples);
    const watched = trainer({ lifecycle: { every: 50, fraction: 0.05, senescence: {} }, health: { every: 50 } }, samples);
    plain.fit();
    watched.fit();
    const ratios: number[] = [];
    const cpuRatios: number[] = [];
    const rates: { plain: number[]; watched: number[] } = { plain: [], watched: [] };
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 === 0 ? [plain, watched] : [watched, plain];
      const took = new Map<typeof plain, { wall: number; cpu: number }>();
      for (const run of order) took.set(run, await timed(run.fit));
      const p = took.get(plain)!;
      const w = took.get(watched)!;
      rates.plain.push(samples / p.wall);
      rates.watched.push(samples / w.wall);
      ratios.push(p.wall / w.wall);
      cpuRatios.push(p.cpu / w.cpu);
    }
    const reborn = watched.trainer.lifecycle!.rebirths.reduce((a, b) => a + b, 0);
    console.log(`${samples} samples per epoch, ${rounds} rounds after one warm-up epoch each; ${reborn} rebirths, ${Math.floor(watched.trainer.t / 50)} health measures in the lifecycle run`);
    console.log(`plain               ${fmtRate(median(rates.plain)).padStart(8)} samples/s (median)`);
    console.log(`lifecycle + health  ${fmtRate(median(rates.watched)).padStart(8)} samples/s (median)`);
    console.log(targetLine({ label: "lifecycle + health / plain (paired)", ratio: median(ratios), atLeast: LIFECYCLE_TARGET }));
    // On a busy machine (cpu/wall ≪ 1) the process CPU seconds are the steadier measure.
    console.log(targetLine({ label: "the same in process CPU seconds", ratio: median(cpuRatios), atLeast: LIFECYCLE_TARGET }));
  },
};
