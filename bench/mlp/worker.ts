/**
 * One implementation of the MLP benchmark, measured in a process of its own (started by bench/engine.ts):
 *
 *   node --import tsx bench/mlp/worker.ts IMPL --samples=4096 --warmup-steps=256 --seed=1234 --batches=32,1 [--tfjs=minimize]
 *
 * For each batch size: a fresh instance from the workload's initial weights, a warm-up of `warmup-steps`
 * training steps (commits) made in WARMUP_CALLS calls — so that whole functions, not just their loops,
 * get optimised, and so that batch 32 gets as many warm-up steps as batch 1, not 32× fewer — each call
 * over the first min(samples, warmup-steps / WARMUP_CALLS × batch) samples; then one timed epoch over
 * all samples. Prints one `RESULT {json}` line per
 * batch size.
 *
 * Why a process per implementation: each one gets a fresh V8 heap, fresh JIT feedback and no wasm
 * memory or garbage left by another (tfjs holds the data as tensors and allocates per step; the engine
 * and the hand loops allocate nothing while training), so the order of the runs cannot favour anyone.
 */
import { createHash } from "node:crypto";
import { timed } from "../lib/harness";
import { engineDataset, engineModel, engineTrainer } from "./engine-runner";
import { HandKernelLoop } from "./hand-kernels";
import { HandLoop } from "./hand-loop";
import { loadTf, TfRun, type TfMode } from "./tfjs-runner";
import { LEARNING_RATE, makeWorkload, type Workload } from "./workload";

export const IMPL_IDS = ["engine", "hand-wasm", "hand", "hand-plain", "tfjs-cpu", "tfjs-wasm"] as const;
export type ImplId = (typeof IMPL_IDS)[number];

export interface WorkerResult {
  /** An ImplId, or a TorchId for PyTorch's runs (bench/mlp/torch.ts). */
  readonly impl: string;
  readonly label: string;
  readonly batchSize: number;
  /** Samples per wall-clock second of the timed epoch. */
  readonly rate: number;
  /** Samples per second of process CPU time (all threads) of the timed epoch. */
  readonly cpuRate: number;
  /** Process CPU time / wall time of the timed epoch. */
  readonly cpuShare: number;
  readonly loss: number;
  /** sha256 of the final float64 parameters in the engine's layout (float64 implementations only). */
  readonly paramsHash?: string;
}

/** The warm-up is split into this many calls of the training function. */
export const WARMUP_CALLS = 4;

interface Prepared {
  /** One warm-up call (made WARMUP_CALLS times). */
  warmUp(): Promise<void>;
  /** The timed epoch; returns the mean loss. */
  epoch(): Promise<number>;
  params?(): Float64Array;
  dispose(): void;
}

/** What the benchmark needs of a hand-written loop. */
interface HandTrainer {
  trainEpoch(x: Float64Array, y: Float64Array, count: number, batch: number): number;
  params(): Float64Array;
}

interface Impl {
  readonly label: string;
  prepare(batchSize: number): Promise<Prepared>;
}

/** Samples in one warm-up call at `batchSize`. */
export function warmupChunk(samples: number, warmupSteps: number, batchSize: number): number {
  return Math.min(samples, (warmupSteps / WARMUP_CALLS) * batchSize);
}

async function implementation(id: ImplId, work: Workload, warmupSteps: number, tfMode: TfMode): Promise<Impl> {
  const all = engineDataset(work, work.count);
  const engine = (label: string): Impl => ({
    label,
    async prepare(batchSize) {
      const trainer = engineTrainer(work.init, batchSize);
      const warm = engineDataset(work, warmupChunk(work.count, warmupSteps, batchSize));
      return {
        async warmUp() {
          trainer.trainEpoch(warm);
        },
        async epoch() {
          return trainer.trainEpoch(all).loss;
        },
        params: () => trainer.model.params,
        dispose() {},
      };
    },
  });
  /** A hand-written loop: `make` builds one from the initial weights; `params` gives them in the engine's layout. */
  const hand = (label: string, make: () => HandTrainer): Impl => ({
    label,
    async prepare(batchSize) {
      const loop = make();
      const warmup = warmupChunk(work.count, warmupSteps, batchSize);
      return {
        async warmUp() {
          loop.trainEpoch(work.x, work.y, warmup, batchSize);
        },
        async epoch() {
          return loop.trainEpoch(work.x, work.y, work.count, batchSize);
        },
        params: () => loop.params(),
        dispose() {},
      };
    },
  });
  const handTs = (blocked: boolean): HandTrainer => {
    const loop = new HandLoop(work.init, LEARNING_RATE, blocked);
    return { trainEpoch: (x, y, count, batch) => loop.trainEpoch(x, y, count, batch), params: () => engineModel(loop).params };
  };
  const handKernels = (): HandTrainer => {
    const loop = new HandKernelLoop(work.init, LEARNING_RATE);
    return { trainEpoch: (x, y, count, batch) => loop.trainEpoch(x, y, count, batch), params: () => loop.params };
  };
  const tfjs = async (backend: "cpu" | "wasm"): Promise<Impl> => {
    const { wasm } = await loadTf();
    const features =
      backend === "wasm"
        ? `; SIMD ${wasm.simd ? "on" : "off"}, threads ${wasm.threads ? "on" : "off"}, ${wasm.threadCount} thread${wasm.threadCount === 1 ? "" : "s"}`
        : "";
    return {
      label: `tfjs 4.22 ${backend} backend (float32, ${tfMode}${features})`,
      async prepare(batchSize) {
        const run = await TfRun.create(backend, work, work.init, batchSize, tfMode);
        const warmup = warmupChunk(work.count, warmupSteps, batchSize);
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
    };
  };
  switch (id) {
    case "engine":
      return engine("engine (Trainer + sgd, no observers)");
    case "hand-wasm":
      return hand("hand-written loop on the engine's WebAssembly kernels (forward, fold, sgd)", handKernels);
    case "hand":
      return hand("hand-written TypeScript float64 loop (blocked: 4×2 forward, leverage folded per block)", () => handTs(true));
    case "hand-plain":
      return hand("hand-written TypeScript float64 loop (plain)", () => handTs(false));
    case "tfjs-cpu":
      return tfjs("cpu");
    case "tfjs-wasm":
      return tfjs("wasm");
  }
}

function option(args: readonly string[], key: string, fallback: string): string {
  const prefix = `--${key}=`;
  return args.find((a) => a.startsWith(prefix))?.slice(prefix.length) ?? fallback;
}

/** Alternated timed epochs per batch size in `paired` mode. */
export const PAIRED_EPOCHS = 6;

/** `paired` mode's result: per alternated epoch pair, hand loop time / engine time (= engine / hand throughput). */
export interface PairedResult {
  readonly batchSize: number;
  readonly ratios: readonly number[];
}

/**
 * `worker.ts paired …`: the engine and the hand loop on its kernels in one process, each warmed up as
 * above, then PAIRED_EPOCHS timed epochs of each, alternated (which one goes first alternates too). Two
 * epochs measured a second apart see the same host speed, which two processes seconds apart do not:
 * on this VM that drift (±25 % between processes) is larger than the abstraction cost being measured.
 */
async function paired(work: Workload, warmupSteps: number, batches: readonly number[]): Promise<void> {
  const engine = await implementation("engine", work, warmupSteps, "minimize");
  const hand = await implementation("hand-wasm", work, warmupSteps, "minimize");
  for (const batchSize of batches) {
    const e = await engine.prepare(batchSize);
    const h = await hand.prepare(batchSize);
    for (let c = 0; c < WARMUP_CALLS; c++) {
      await e.warmUp();
      await h.warmUp();
    }
    const ratios: number[] = [];
    for (let i = 0; i < PAIRED_EPOCHS; i++) {
      const timeOf = async (p: Prepared) => (await timed(() => p.epoch())).wall;
      let te: number;
      let th: number;
      if (i % 2 === 0) {
        te = await timeOf(e);
        th = await timeOf(h);
      } else {
        th = await timeOf(h);
        te = await timeOf(e);
      }
      ratios.push(th / te);
    }
    const result: PairedResult = { batchSize, ratios };
    process.stdout.write(`PAIRED ${JSON.stringify(result)}\n`);
  }
}

async function main(args: readonly string[]): Promise<void> {
  if (args[0] === "paired") {
    const work = makeWorkload(Number(option(args, "samples", "4096")), Number(option(args, "seed", "1234")));
    return paired(work, Number(option(args, "warmup-steps", "256")), option(args, "batches", "32,1").split(",").map(Number));
  }
  const id = args[0] as ImplId;
  if (!IMPL_IDS.includes(id)) throw new RangeError(`worker: unknown implementation '${args[0]}' (known: ${IMPL_IDS.join(", ")})`);
  const samples = Number(option(args, "samples", "4096"));
  const warmupSteps = Number(option(args, "warmup-steps", "256"));
  const seed = Number(option(args, "seed", "1234"));
  const tfMode = option(args, "tfjs", "minimize") as TfMode;
  const batches = option(args, "batches", "32,1").split(",").map(Number);
  const work = makeWorkload(samples, seed);
  const impl = await implementation(id, work, warmupSteps, tfMode);
  for (const batchSize of batches) {
    const p = await impl.prepare(batchSize);
    for (let c = 0; c < WARMUP_CALLS; c++) await p.warmUp();
    let loss = NaN;
    const time = await timed(async () => {
      loss = await p.epoch();
    });
    const params = p.params?.();
    const result: WorkerResult = {
      impl: id,
      label: impl.label,
      batchSize,
      rate: samples / time.wall,
      cpuRate: samples / time.cpu,
      cpuShare: time.cpu / time.wall,
      loss,
      ...(params ? { paramsHash: createHash("sha256").update(new Uint8Array(params.buffer, params.byteOffset, params.byteLength)).digest("hex") } : {}),
    };
    p.dispose();
    process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
