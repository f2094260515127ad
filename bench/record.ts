/**
 * The .nfrun recorder's cost: full lossless recording of
 *   (a) 2-8-8-1 tanh (sigmoid output, BCE) on circles, 1000 samples × 50 epochs, batch 10, Adam;
 *   (b) 784-64-10 (ReLU, softmax, CCE) on 4096 seeded random samples, 1 epoch, batch 32, Adam;
 *   (mnist) the same network on the real MNIST digits (the mnist package), `--mnist-count` samples
 *   (default all 10,000), 1 epoch, batch 32, Adam (issue #16's "keeps ≥ 70 % of plain speed").
 * Reports samples/s without and with recording (fit alone, and fit + final write), bytes per sample
 * (and the naive one-row-per-sample-per-weight size for comparison), file open time and weightTrace
 * latency p50/p95 over random weights and commits. Each configuration runs `rounds` times, alternating
 * plain/recorded, and the medians are shown (and the first recorded run alone: it starts the writer thread),
 * with each recorded run divided by the plain fit just before it (the paired ratio, quartiles over the
 * rounds after the first: robust to the host's speed drifting between rounds).
 *
 * `npm run bench -- record [--rounds=3] [--queries=300] [--only=a|b|mnist] [--mnist-count=10000] [--verify=0]`, or
 * standalone `npx tsx bench/record.ts …`. `--against=<checkout>` instead compares this recorder with
 * another checkout's (say, a copy of an older commit's tree) in one process: see `against`.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Dataset } from "../kernel/engine/datasets/dataset";
import { generateDataset } from "../kernel/engine/datasets/generators";
import { loadMnist } from "../kernel/engine/datasets/mnist";
import { Model, type ModelSpec } from "../kernel/engine/model";
import { getStrategy } from "../kernel/engine/optimizers/registry";
import { Trainer } from "../kernel/engine/trainer";
import type { LossName } from "../kernel/engine/losses";
import { NfrunReader, RunRecorder, verifyFile } from "../kernel/record";
import { intOption, median, quantile, type Benchmark, type BenchOptions } from "./lib/harness";
import { busiestOtherThreadMs, mainThreadMs, threadCpuNs } from "./lib/thread-cpu";

export interface Workload {
  readonly key: "a" | "b" | "mnist";
  readonly label: string;
  readonly spec: ModelSpec;
  readonly loss: LossName;
  readonly data: Dataset;
  readonly epochs: number;
  readonly batchSize: number;
  readonly latencyTarget?: number;
  /** Share of the plain speed a recorded run (fit + write) should keep: ≥ 50 % (issue #2), ≥ 70 % for MNIST (issue #16). */
  readonly keepTarget: number;
}

export function mnistLike(count: number, seed: number): Dataset {
  let s = seed >>> 0;
  const rnd = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const inputs = new Float64Array(count * 784);
  for (let i = 0; i < inputs.length; i++) inputs[i] = rnd();
  const targets = new Float64Array(count * 10);
  for (let i = 0; i < count; i++) targets[i * 10 + Math.min(9, Math.floor(rnd() * 10))] = 1;
  return { name: `random-784-${count}`, count, inputSize: 784, targetSize: 10, inputs, targets, inputNames: [], targetNames: [] };
}

/** The two workloads; (a) trains `aEpochs` epochs (the popup benchmark records a shorter (a)). */
export function workloads(aEpochs = 50): Workload[] {
  return [
    {
      key: "a",
      label: `(a) 2-8-8-1 tanh, circles 1000 × ${aEpochs} epochs, batch 10, Adam`,
      spec: { inputs: 2, layers: [{ units: 8, activation: "tanh" }, { units: 8, activation: "tanh" }, { units: 1, activation: "sigmoid" }] },
      loss: "bce",
      data: generateDataset("circles", { count: 1000, seed: 1 }),
      epochs: aEpochs,
      batchSize: 10,
      keepTarget: 0.5,
    },
    {
      key: "b",
      label: "(b) 784-64-10, 4096 samples × 1 epoch, batch 32, Adam",
      spec: { inputs: 784, layers: [{ units: 64, activation: "relu" }, { units: 10, activation: "softmax" }] },
      loss: "cce",
      data: mnistLike(4096, 42),
      epochs: 1,
      batchSize: 32,
      latencyTarget: 20,
      keepTarget: 0.5,
    },
  ];
}

/** (mnist): (b)'s network on `count` real MNIST digits, recorded with the default policy (everything). */
export function mnistWorkload(count: number): Workload {
  return { ...workloads(1)[1]!, key: "mnist", label: `(mnist) 784-64-10, real MNIST ${count} samples × 1 epoch, batch 32, Adam`, data: loadMnist({ count }), keepTarget: 0.7 };
}

/** The engine and recorder of one checkout (this one, or another one's for `--against`). */
interface Tree {
  readonly Model: typeof Model;
  readonly Trainer: typeof Trainer;
  readonly getStrategy: typeof getStrategy;
  readonly RunRecorder: typeof RunRecorder;
}
const THIS: Tree = { Model, Trainer, getStrategy, RunRecorder };

function trainer(w: Workload, observers: RunRecorder[] = [], tree: Tree = THIS): Trainer {
  const model = new tree.Model(w.spec);
  model.initialize({ name: "xavier_uniform" }, 1);
  return new tree.Trainer({ model, loss: w.loss, strategy: tree.getStrategy("adam"), hyperparameters: { lr: 1e-3 }, batchSize: w.batchSize, shuffle: true, seed: 1, observers });
}

/**
 * Milliseconds of a recorded run with `tree`'s recorder: create, fit, finish (the "fit + write" total),
 * finish alone, and the CPU time of the writer thread (the busiest thread but the main one meanwhile).
 */
async function recordedRun(w: Workload, file: string, tree: Tree): Promise<{ total: number; finish: number; writerCpu: number; mainCpu: number }> {
  fs.rmSync(file, { force: true });
  const cpu0 = threadCpuNs();
  const t0 = performance.now();
  const rec = await tree.RunRecorder.create(file, { data: w.data, epochs: w.epochs, seed: 1 });
  const result = trainer(w, [rec], tree).fit(w.data, w.epochs);
  const t1 = performance.now();
  rec.finish(result);
  const t2 = performance.now();
  const cpu1 = threadCpuNs();
  fs.rmSync(file, { force: true });
  return { total: t2 - t0, finish: t2 - t1, writerCpu: busiestOtherThreadMs(cpu0, cpu1), mainCpu: mainThreadMs(cpu0, cpu1) };
}

/**
 * `--against=<checkout>`: this recorder against another checkout's (its own engine and recorder,
 * loaded into this process, its writer thread beside ours), interleaved: each round runs, for each
 * checkout, a plain fit and then a recorded run with that checkout's own code (the order of the two
 * alternates), and each recorded run is divided by the plain fit just before it. (Each checkout's
 * engine is warmed by its own plain fits: sharing one engine for the plain fits favoured its checkout.) Medians of those per-pair ratios are robust to the host's
 * speed drifting between runs (on this VM a plain fit of (a) ranges 65–110 ms within minutes); round 1
 * (threads starting, cold code) is left out.
 */
async function against(w: Workload, rounds: number, other: string, dir: string): Promise<string[]> {
  const load = (sub: string) => require(path.join(path.resolve(other), sub)) as Record<string, unknown>;
  const theirs = {
    Model: load("kernel/engine/model").Model,
    Trainer: load("kernel/engine/trainer").Trainer,
    getStrategy: load("kernel/engine/optimizers/registry").getStrategy,
    RunRecorder: load("kernel/record").RunRecorder,
  } as Tree;
  const trees = [
    { name: "this checkout", tree: THIS, keep: [] as number[], plain: [] as number[], total: [] as number[], finish: [] as number[], writerCpu: [] as number[], plainCpu: [] as number[], mainCpu: [] as number[] },
    { name: other, tree: theirs, keep: [] as number[], plain: [] as number[], total: [] as number[], finish: [] as number[], writerCpu: [] as number[], plainCpu: [] as number[], mainCpu: [] as number[] },
  ];
  for (let r = 0; r < rounds; r++) {
    for (const t of r % 2 ? [...trees].reverse() : trees) {
      const cpu0 = threadCpuNs();
      const t0 = performance.now();
      trainer(w, [], t.tree).fit(w.data, w.epochs);
      const plain = performance.now() - t0;
      const plainCpu = mainThreadMs(cpu0, threadCpuNs());
      const run = await recordedRun(w, path.join(dir, "against.nfrun"), t.tree);
      if (r === 0) continue;
      t.keep.push(plain / run.total);
      t.plain.push(plain);
      t.total.push(run.total);
      t.finish.push(run.finish);
      t.writerCpu.push(run.writerCpu);
      t.plainCpu.push(plainCpu);
      t.mainCpu.push(run.mainCpu);
    }
  }
  return [
    `${w.label}: recorders compared in one process, ${rounds - 1} rounds (after round 1)`,
    ...trees.map(
      (t) =>
        `  ${t.name}: fit + write keeps ${fmt(100 * median(t.keep))}% of the plain fit before it (quartiles ${fmt(100 * quantile(t.keep, 0.25))}–${fmt(100 * quantile(t.keep, 0.75))}%); ` +
        `plain fit ${fmt(median(t.plain))} ms, recorded run ${fmt(median(t.total))} ms, of which finish ${fmt(median(t.finish))} ms; ` +
        `CPU: training thread ${fmt(median(t.plainCpu))} ms plain → ${fmt(median(t.mainCpu))} ms recorded, writer thread ${fmt(median(t.writerCpu))} ms`,
    ),
  ];
}

const fmt = (n: number, d = 0) => n.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d });

async function measure(w: Workload, rounds: number, queries: number, dir: string, verify: boolean): Promise<string[]> {
  const samples = w.data.count * w.epochs;
  const plain: number[] = [];
  const fitRec: number[] = [];
  const totalRec: number[] = [];
  const writerCpu: number[] = [];
  const phases: { create: number; fit: number; finish: number; export: number; write: number; fsync: number }[] = [];
  let file = "";
  for (let r = 0; r < rounds; r++) {
    {
      const tr = trainer(w);
      const t0 = performance.now();
      tr.fit(w.data, w.epochs);
      plain.push(samples / ((performance.now() - t0) / 1000));
    }
    {
      file = path.join(dir, `bench-${r}.nfrun`);
      fs.rmSync(file, { force: true });
      const cpu0 = threadCpuNs();
      const t0 = performance.now();
      const rec = await RunRecorder.create(file, { data: w.data, epochs: w.epochs, seed: 1 });
      const tr = trainer(w, [rec]);
      const t1 = performance.now();
      const result = tr.fit(w.data, w.epochs);
      const t2 = performance.now();
      rec.finish(result);
      const t3 = performance.now();
      writerCpu.push(busiestOtherThreadMs(cpu0, threadCpuNs()));
      const c = rec.lastCheckpoint!;
      phases.push({ create: t1 - t0, fit: t2 - t1, finish: t3 - t2, export: c.exportMs, write: c.writeMs, fsync: c.fsyncMs });
      fitRec.push(samples / ((t2 - t1) / 1000));
      totalRec.push(samples / ((t3 - t0) / 1000));
    }
  }
  const bytes = fs.statSync(file).size;
  // Naive size: one row per sample per weight (input, blame, leverage, cumulative + 4 integer keys ≈ 48 B)
  // plus one row per commit per weight (count, avg, audit columns, lr, adjustment, before, after + keys).
  const model = new Model(w.spec);
  const commits = Math.ceil(w.data.count / w.batchSize) * w.epochs;
  const auditCols = getStrategy("adam").audit.length;
  const naive = samples * model.weightCount * 48 + commits * model.weightCount * (8 * (6 + auditCols) + 16);
  // Open time (file read + checks + run context) and weightTrace latency.
  const opens: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const reader = await NfrunReader.open(file);
    reader.context(reader.runIds()[0]!);
    opens.push(performance.now() - t0);
    reader.close();
  }
  const reader = await NfrunReader.open(file);
  const runId = reader.runIds()[0]!;
  let seed = 12345;
  const rnd = (n: number) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed % n;
  };
  const lat: number[] = [];
  // The first query on a freshly opened file is the cold one (it loads the run's samples, decodes an
  // epoch's chunks and a snapshot); the rest are warm (caches filled as the queries go).
  let cold = NaN;
  for (let q = 0; q < queries; q++) {
    const layer = rnd(model.layers.length);
    const l = model.layers[layer]!;
    const neuron = rnd(l.units);
    const weight = rnd(l.inputs + 1);
    const t = 1 + rnd(commits);
    const t0 = performance.now();
    const tr = reader.weightTrace(runId, layer, neuron, weight, t);
    if (q === 0) cold = performance.now() - t0;
    else lat.push(performance.now() - t0);
    if (tr.kind !== "weight-trace") throw new Error(`weightTrace: ${tr.reason}`);
  }
  reader.close();
  let verifySeconds = NaN;
  if (verify) {
    const tv = performance.now();
    const verified = await verifyFile(file);
    verifySeconds = (performance.now() - tv) / 1000;
    if (!verified.ok) throw new Error("verify failed on the benchmark file");
  }
  const keep = median(totalRec) / median(plain);
  // Paired: each recorded run against the plain fit just before it (round 1 left out: it starts the writer thread).
  const paired = totalRec.slice(1).map((v, r) => v / plain[r + 1]!);
  const pairedKeep = median(paired);
  const target = `target ≥ ${fmt(100 * w.keepTarget)}%`;
  const p95 = quantile(lat, 0.95);
  const lines = [
    w.label,
    `  samples/s without recording      ${fmt(median(plain)).padStart(12)}`,
    `  samples/s recording, fit only    ${fmt(median(fitRec)).padStart(12)}   (${fmt((100 * median(fitRec)) / median(plain))}% of plain)`,
    `  samples/s recording, fit + write ${fmt(median(totalRec)).padStart(12)}   (${fmt(100 * keep)}% of plain; ${target}: ${keep >= w.keepTarget ? "met" : "NOT MET"})`,
    `  paired: recorded run ÷ the plain fit before it, ${paired.length} rounds after the first: ${fmt(100 * pairedKeep)}% (quartiles ${fmt(100 * quantile(paired, 0.25))}–${fmt(100 * quantile(paired, 0.75))}%; ${target}: ${pairedKeep >= w.keepTarget ? "met" : "NOT MET"}); writer thread CPU ${fmt(median(writerCpu))} ms per recorded run`,
    `  first recorded run of the process ${fmt(totalRec[0]!).padStart(11)}   (${fmt((100 * totalRec[0]!) / plain[0]!)}% of round 1's plain run; it starts the writer thread)`,
    `  file size                        ${fmt(bytes / 1e6, 1).padStart(12)} MB   ${fmt(bytes / samples)} bytes/sample   (naive rows ≈ ${fmt(naive / samples)} bytes/sample; ${fmt((100 * bytes) / naive, 2)}%)`,
    `  file open (read + checks + run)  ${fmt(median(opens), 1).padStart(12)} ms`,
    `  final write (median)             create ${fmt(median(phases.map((p) => p.create)), 1)} ms, fit ${fmt(median(phases.map((p) => p.fit)))} ms, finish ${fmt(median(phases.map((p) => p.finish)))} ms ` +
      `(the writer thread's backlog, then export ${fmt(median(phases.map((p) => p.export)))} ms + write ${fmt(median(phases.map((p) => p.write)))} ms + fsync ${fmt(median(phases.map((p) => p.fsync)))} ms)`,
    `  weightTrace cold (1st query after open) ${fmt(cold, 1)} ms; warm (${lat.length} random) p50 ${fmt(quantile(lat, 0.5), 2)} ms, p95 ${fmt(p95, 2)} ms, max ${fmt(lat.reduce((m, v) => Math.max(m, v), -Infinity), 1)} ms` +
      (w.latencyTarget ? `   (target p95 ≤ ${w.latencyTarget} ms: ${p95 <= w.latencyTarget ? "met" : "NOT MET"})` : ""),
    verify ? `  verify (full replay)             ${fmt(verifySeconds, 2).padStart(12)} s` : "  verify skipped (--verify=0)",
  ];
  for (const f of fs.readdirSync(dir)) fs.rmSync(path.join(dir, f), { force: true });
  return lines;
}

export const recordBenchmark: Benchmark = {
  name: "record",
  description: "cost of lossless .nfrun recording: speed kept, bytes/sample, open time, weightTrace latency",
  async run(options: BenchOptions): Promise<void> {
    const rounds = Number(options.rounds ?? 3);
    const queries = Number(options.queries ?? 300);
    const verify = options.verify !== "0";
    const only = options.only;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nfrun-bench-"));
    try {
      const selected: Workload[] = workloads().filter((w) => !only || only === w.key);
      if (!only || only === "mnist") selected.push(mnistWorkload(intOption(options, "mnist-count", 10_000)));
      if (selected.length === 0) throw new RangeError(`--only: expected a, b or mnist, got '${only}'`);
      for (const w of selected) {
        const lines = options.against ? await against(w, rounds, options.against, dir) : await measure(w, rounds, queries, dir, verify);
        console.log(lines.join("\n") + "\n");
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
};

if (typeof require !== "undefined" && require.main === module) {
  const options: Record<string, string> = {};
  for (const a of process.argv.slice(2)) {
    const m = /^--([^=]+)=(.*)$/.exec(a);
    if (m) options[m[1]!] = m[2]!;
  }
  recordBenchmark.run(options).catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
