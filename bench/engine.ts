/**
 * Engine throughput against TensorFlow.js and a hand-written float64 loop, on one MLP workload
 * (see bench/mlp/workload.ts and docs/benchmarks.md).
 *
 * Protocol: for each round, for each batch size, every implementation in turn (the order rotates from
 * round to round) builds a fresh instance from the same initial weights, trains a warm-up of the first
 * `warmup` samples, then one timed epoch over all `samples` samples in dataset order. Throughput is
 * samples / wall-clock second of the timed epoch; the table shows the median over rounds, and each
 * ratio is the median of the per-round ratios (two implementations measured minutes apart on a noisy
 * machine compare worse than two measured back to back).
 */
import { engineDataset, engineModel, engineTrainer } from "./mlp/engine-runner";
import { HandLoop } from "./mlp/hand-loop";
import { loadTf, TfRun, type TfMode, type WasmInfo } from "./mlp/tfjs-runner";
import { LEARNING_RATE, makeWorkload, type Workload } from "./mlp/workload";
import {
  fmtRate,
  fmtRatio,
  intOption,
  median,
  rotate,
  seconds,
  table,
  targetLine,
  type BenchOptions,
  type Benchmark,
  type Target,
} from "./lib/harness";

type ImplId = "engine" | "hand" | "tfjs-cpu" | "tfjs-wasm";

interface Prepared {
  warmUp(): Promise<void>;
  /** The timed epoch; returns the mean loss. */
  epoch(): Promise<number>;
  /** Final parameters in the engine's layout (float64 implementations only). */
  params?(): Float64Array;
  dispose(): void;
}

interface Impl {
  readonly id: ImplId;
  label: string;
  prepare(batchSize: number): Promise<Prepared>;
}

interface Measurement {
  readonly rate: number;
  readonly loss: number;
  readonly params?: Float64Array;
}

const BATCH_SIZES = [32, 1] as const;

function implementations(work: Workload, warmup: number, tfMode: TfMode, wasm: WasmInfo): Impl[] {
  const all = engineDataset(work, work.count);
  const warm = engineDataset(work, warmup);
  const tfjs = (id: ImplId, backend: "cpu" | "wasm", label: string): Impl => ({
    id,
    label,
    async prepare(batchSize) {
      const run = await TfRun.create(backend, work, work.init, batchSize, tfMode);
      return {
        async warmUp() {
          await run.train(warmup);
          run.sync();
        },
        async epoch() {
          const loss = await run.train(work.count);
          run.sync();
          return loss;
        },
        dispose: () => run.dispose(),
      };
    },
  });
  return [
    {
      id: "engine",
      label: "engine (Trainer + sgd, no observers)",
      async prepare(batchSize) {
        const trainer = engineTrainer(work.init, batchSize);
        return {
          async warmUp() {
            trainer.trainEpoch(warm);
          },
          async epoch() {
            return trainer.trainEpoch(all).loss;
          },
          params: () => Float64Array.from(trainer.model.params),
          dispose() {},
        };
      },
    },
    {
      id: "hand",
      label: "hand-written float64 loop",
      async prepare(batchSize) {
        const loop = new HandLoop(work.init, LEARNING_RATE);
        return {
          async warmUp() {
            loop.trainEpoch(work.x, work.y, warmup, batchSize);
          },
          async epoch() {
            return loop.trainEpoch(work.x, work.y, work.count, batchSize);
          },
          params: () => Float64Array.from(engineModel(loop).params),
          dispose() {},
        };
      },
    },
    tfjs("tfjs-cpu", "cpu", `tfjs 4.22 cpu backend (${tfMode})`),
    tfjs(
      "tfjs-wasm",
      "wasm",
      `tfjs 4.22 wasm backend (${tfMode}; SIMD ${wasm.simd ? "on" : "off"}, ` +
        `threads ${wasm.threads ? "on" : "off"}, ${wasm.threadCount} thread${wasm.threadCount === 1 ? "" : "s"})`,
    ),
  ];
}

/** Largest |a − b| and whether every float64 is bit-for-bit equal. */
function compare(a: Float64Array, b: Float64Array): { identical: boolean; maxAbs: number } {
  const ua = new BigUint64Array(a.buffer, a.byteOffset, a.length);
  const ub = new BigUint64Array(b.buffer, b.byteOffset, b.length);
  let identical = a.length === b.length;
  let maxAbs = 0;
  for (let i = 0; i < a.length; i++) {
    if (ua[i] !== ub[i]) identical = false;
    maxAbs = Math.max(maxAbs, Math.abs(a[i]! - b[i]!));
  }
  return { identical, maxAbs };
}

async function run(options: BenchOptions): Promise<void> {
  const rounds = intOption(options, "rounds", 3);
  const samples = intOption(options, "samples", 4096, 32);
  const warmup = intOption(options, "warmup", 256);
  const seed = intOption(options, "seed", 1234, 0);
  const tfMode = (options.tfjs ?? "minimize") as TfMode;
  if (tfMode !== "minimize" && tfMode !== "fit") throw new RangeError(`--tfjs: 'minimize' or 'fit', got '${tfMode}'`);
  for (const bs of BATCH_SIZES) {
    if (samples % bs !== 0 || warmup % bs !== 0) throw new RangeError(`--samples and --warmup must be multiples of ${bs}`);
  }
  if (warmup > samples) throw new RangeError("--warmup must not exceed --samples");

  const work = makeWorkload(samples, seed);
  const { wasm } = await loadTf();
  const impls = implementations(work, warmup, tfMode, wasm);
  console.log(
    `MLP 784-64-10 (ReLU, softmax + categorical cross-entropy, SGD lr ${LEARNING_RATE}), ${samples} seeded random ` +
      `samples; per run: fresh weights, ${warmup}-sample warm-up, one timed epoch; ${rounds} interleaved rounds.`,
  );

  const results = new Map<string, Measurement[]>(); // key `${id}@${bs}`, one entry per round
  const key = (id: ImplId, bs: number): string => `${id}@${bs}`;
  for (let r = 0; r < rounds; r++) {
    for (const bs of BATCH_SIZES) {
      const line: string[] = [];
      for (const impl of rotate(impls, r + (bs === 1 ? 2 : 0))) {
        const p = await impl.prepare(bs);
        await p.warmUp();
        let loss = NaN;
        const s = await seconds(async () => {
          loss = await p.epoch();
        });
        const m: Measurement = { rate: samples / s, loss, ...(p.params ? { params: p.params() } : {}) };
        p.dispose();
        const list = results.get(key(impl.id, bs)) ?? [];
        list.push(m);
        results.set(key(impl.id, bs), list);
        line.push(`${impl.id} ${fmtRate(m.rate)}/s`);
      }
      console.log(`  round ${r + 1}/${rounds}, batch ${String(bs).padStart(2)}: ${line.join(", ")}`);
    }
  }

  const get = (id: ImplId, bs: number): Measurement[] => results.get(key(id, bs)) ?? [];
  const rate = (id: ImplId, bs: number): number => median(get(id, bs).map((m) => m.rate));
  const ratio = (a: ImplId, b: ImplId, bs: number): number => {
    const ra = get(a, bs);
    const rb = get(b, bs);
    return median(ra.map((m, i) => m.rate / rb[i]!.rate));
  };

  console.log("\nsamples/s, median of rounds (mean training loss of the timed epoch in brackets)");
  console.log(
    table(
      ["implementation", ...BATCH_SIZES.map((bs) => `batch ${bs}`), ...BATCH_SIZES.map((bs) => `loss @${bs}`)],
      impls.map((impl) => [
        impl.label,
        ...BATCH_SIZES.map((bs) => fmtRate(rate(impl.id, bs))),
        ...BATCH_SIZES.map((bs) => `(${median(get(impl.id, bs).map((m) => m.loss)).toFixed(6)})`),
      ]),
    ),
  );

  const targets: Target[] = [
    { label: "engine / tfjs-wasm, batch 32", ratio: ratio("engine", "tfjs-wasm", 32), atLeast: 1.5 },
    { label: "engine / tfjs-wasm, batch 1", ratio: ratio("engine", "tfjs-wasm", 1), atLeast: 5 },
    { label: "engine / hand loop, batch 32", ratio: ratio("engine", "hand", 32), atLeast: 0.85 },
    { label: "engine / hand loop, batch 1", ratio: ratio("engine", "hand", 1), atLeast: 0.85 },
  ];
  console.log("\nratios (median of per-round ratios)");
  for (const t of targets) console.log("  " + targetLine(t));
  console.log("  for reference:");
  for (const bs of BATCH_SIZES) {
    console.log(`    engine / tfjs-cpu, batch ${String(bs).padEnd(2)}      ${fmtRatio(ratio("engine", "tfjs-cpu", bs)).padStart(8)}`);
  }

  // The engine and the hand loop do the same float64 operations in the same order: their weights after
  // warm-up + epoch must agree bit for bit. A mismatch means one of them is not doing the work measured.
  console.log("\nchecks");
  for (const bs of BATCH_SIZES) {
    const e = get("engine", bs);
    const h = get("hand", bs);
    const cmp = e.map((m, i) => compare(m.params!, h[i]!.params!));
    const identical = cmp.every((c) => c.identical);
    const maxAbs = Math.max(...cmp.map((c) => c.maxAbs));
    console.log(
      `  batch ${String(bs).padEnd(2)}: engine vs hand loop final weights ${identical ? "bit-identical" : `DIFFER (max |Δ| ${maxAbs.toExponential(2)})`}` +
        `; tfjs (float32) loss differs from the engine's by ` +
        `${Math.max(...(["tfjs-cpu", "tfjs-wasm"] as const).map((id) => Math.abs(median(get(id, bs).map((m) => m.loss)) - median(e.map((m) => m.loss))))).toExponential(1)}`,
    );
  }
}

export const engineBenchmark: Benchmark = {
  name: "engine",
  description: "training throughput: engine vs tfjs (cpu, wasm) vs a hand-written float64 loop",
  run,
};
