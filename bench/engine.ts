/**
 * Engine throughput against TensorFlow.js and hand-written float64 loops, on one MLP workload
 * (see bench/mlp/workload.ts and docs/benchmarks.md).
 *
 * Protocol: in each round every implementation in turn (the order rotates from round to round) runs in
 * a fresh Node process (bench/mlp/worker.ts; process-wide V8 state must not leak from one to another)
 * that, for each batch size, builds a fresh instance from the same initial weights, trains a warm-up
 * (`warmup-steps` commits in 4 calls; see worker.ts), then one timed epoch over all `samples` samples in
 * dataset order.
 * Throughput is samples / wall-clock second of the timed epoch; the table shows the median over rounds,
 * and each ratio is the median of the per-round ratios (two implementations measured back to back
 * compare better on a noisy machine than two measured minutes apart). The abstraction's cost (engine
 * against the hand loop on its kernels) is measured paired as well: per round one more process trains
 * both, alternating timed epochs (worker.ts `paired`), since the host's drift between processes is
 * larger than that cost.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { IMPL_IDS, WARMUP_CALLS, warmupChunk, type ImplId, type PairedResult, type WorkerResult } from "./mlp/worker";
import { runTorch, TORCH_IDS, torchStatus, writeWorkload, type TorchId } from "./mlp/torch";
import { LEARNING_RATE, makeWorkload } from "./mlp/workload";
import {
  fmtRate,
  fmtRatio,
  intOption,
  median,
  rotate,
  table,
  targetLine,
  type BenchOptions,
  type Benchmark,
  type Target,
} from "./lib/harness";
import { resultLines } from "./lib/child";

const BATCH_SIZES = [32, 1] as const;

/** Runs bench/mlp/worker.ts with `args` in its own process; resolves with its lines starting with `prefix`, parsed. */
function runWorker<T>(args: readonly string[], prefix: "RESULT" | "PAIRED"): Promise<T[]> {
  return resultLines<T>(process.execPath, [...process.execArgv, path.join(__dirname, "mlp", "worker.ts"), ...args], prefix);
}

async function run(options: BenchOptions): Promise<void> {
  const samples = intOption(options, "samples", 4096, 32);
  const warmupSteps = intOption(options, "warmup-steps", 256, WARMUP_CALLS);
  const seed = intOption(options, "seed", 1234, 0);
  const tfMode = options.tfjs ?? "minimize";
  if (tfMode !== "minimize" && tfMode !== "fit") throw new RangeError(`--tfjs: 'minimize' or 'fit', got '${tfMode}'`);
  const largest = BATCH_SIZES.reduce<number>((m, b) => Math.max(m, b), 1);
  if (samples % largest !== 0) throw new RangeError(`--samples must be a multiple of ${largest}`);
  if (warmupSteps % WARMUP_CALLS !== 0) throw new RangeError(`--warmup-steps must be a multiple of ${WARMUP_CALLS}`);
  const impls: readonly ImplId[] = IMPL_IDS;
  // PyTorch when python3 imports it: the same data and weights, through a file its processes read.
  const torch = torchStatus();
  const torchIds: readonly TorchId[] = torch.ok ? TORCH_IDS : [];
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "nf-bench-engine-"));
  const workloadFile = path.join(tmp, "workload.bin");
  if (torch.ok) writeWorkload(makeWorkload(samples, seed), workloadFile);
  console.log(torch.ok ? `PyTorch ${torch.version} (${torch.python}): float64 and float32, 1 thread and ${os.cpus().length} threads, the same protocol.` : `skipped PyTorch: ${torch.reason}.`);
  try {
    await measure(options, { samples, warmupSteps, seed, tfMode, impls, torchIds, workloadFile, python: torch.ok ? torch.python : "" });
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

const isTorch = (id: ImplId | TorchId): id is TorchId => (TORCH_IDS as readonly string[]).includes(id);

interface Plan {
  readonly samples: number;
  readonly warmupSteps: number;
  readonly seed: number;
  readonly tfMode: string;
  readonly impls: readonly ImplId[];
  readonly torchIds: readonly TorchId[];
  readonly workloadFile: string;
  readonly python: string;
}

async function measure(options: BenchOptions, plan: Plan): Promise<void> {
  const rounds = intOption(options, "rounds", 3);
  const { samples, warmupSteps, seed, tfMode, impls, torchIds } = plan;
  const all: readonly (ImplId | TorchId)[] = [...impls, ...torchIds];
  console.log(
    `MLP 784-64-10 (ReLU, softmax + categorical cross-entropy, SGD lr ${LEARNING_RATE}), ${samples} seeded random ` +
      `samples, batch ${BATCH_SIZES.join(" and ")}; per run: own process, fresh weights, warm-up of ` +
      `${BATCH_SIZES.map((bs) => `${WARMUP_CALLS} × ${warmupChunk(samples, warmupSteps, bs)} samples at batch ${bs}`).join(", ")}, ` +
      `one timed epoch; ${rounds} interleaved rounds.`,
  );

  const results = new Map<string, WorkerResult[]>(); // key `${id}@${bs}`, one entry per round
  const pairedRatios = new Map<number, number[]>(); // batch size → per-epoch ratios of every round
  const labels = new Map<ImplId | TorchId, string>();
  const key = (id: ImplId | TorchId, bs: number): string => `${id}@${bs}`;
  for (let r = 0; r < rounds; r++) {
    const line: string[] = [];
    // Alternate which batch size runs first inside a process, and which implementation runs first.
    const batches = r % 2 === 0 ? BATCH_SIZES : [...BATCH_SIZES].reverse();
    for (const impl of rotate(all, r)) {
      const args = [`--samples=${samples}`, `--warmup-steps=${warmupSteps}`, `--seed=${seed}`, `--tfjs=${tfMode}`, `--batches=${batches.join(",")}`];
      const torchArgs = [`--workload=${plan.workloadFile}`, `--warmup-steps=${warmupSteps}`, `--warmup-calls=${WARMUP_CALLS}`, `--lr=${LEARNING_RATE}`, `--batches=${batches.join(",")}`];
      const measured = isTorch(impl) ? await runTorch(plan.python, impl, torchArgs) : await runWorker<WorkerResult>([impl, ...args], "RESULT");
      for (const result of measured) {
        labels.set(impl, result.label);
        const list = results.get(key(impl, result.batchSize)) ?? [];
        list.push(result);
        results.set(key(impl, result.batchSize), list);
      }
      line.push(`${impl} ${BATCH_SIZES.map((bs) => fmtRate(results.get(key(impl, bs))!.at(-1)!.rate)).join(" / ")}`);
    }
    console.log(`  round ${r + 1}/${rounds} (samples/s at batch ${BATCH_SIZES.join(" / ")}): ${line.join(", ")}`);
    const pairs = await runWorker<PairedResult>(["paired", `--samples=${samples}`, `--warmup-steps=${warmupSteps}`, `--seed=${seed}`, `--batches=${batches.join(",")}`], "PAIRED");
    for (const p of pairs) pairedRatios.set(p.batchSize, [...(pairedRatios.get(p.batchSize) ?? []), ...p.ratios]);
    console.log(`    paired in one process, engine / hand loop on the kernels per epoch: ${pairs.map((p) => `batch ${p.batchSize} ${p.ratios.map((x) => x.toFixed(2)).join(" ")}`).join("; ")}`);
  }

  type Metric = "rate" | "cpuRate";
  type Id = ImplId | TorchId;
  const get = (id: Id, bs: number): WorkerResult[] => results.get(key(id, bs)) ?? [];
  const rate = (id: Id, bs: number, metric: Metric = "rate"): number => median(get(id, bs).map((m) => m[metric]));
  const ratio = (a: Id, b: Id, bs: number, metric: Metric = "rate"): number => {
    const rb = get(b, bs);
    return median(get(a, bs).map((m, i) => m[metric] / rb[i]![metric]));
  };

  console.log(
    "\nsamples/s, median of rounds: per wall-clock second (the figure), and per CPU second of the process\n" +
      "(all threads; less sensitive to other processes on a busy machine). cpu/wall < 1: the run waited for a core;\n" +
      "> 1: other threads of the process (JIT compiler, garbage collector) worked too.",
  );
  console.log(
    table(
      [
        "implementation",
        ...BATCH_SIZES.map((bs) => `wall @${bs}`),
        ...BATCH_SIZES.map((bs) => `cpu @${bs}`),
        ...BATCH_SIZES.map((bs) => `cpu/wall @${bs}`),
      ],
      all.map((id) => [
        labels.get(id) ?? id,
        ...BATCH_SIZES.map((bs) => fmtRate(rate(id, bs))),
        ...BATCH_SIZES.map((bs) => fmtRate(rate(id, bs, "cpuRate"))),
        ...BATCH_SIZES.map((bs) => median(get(id, bs).map((m) => m.cpuShare)).toFixed(2)),
      ]),
    ),
  );

  const targets: Target[] = [
    { label: "engine / tfjs-wasm, batch 32", ratio: ratio("engine", "tfjs-wasm", 32), atLeast: 1.5 },
    { label: "engine / tfjs-wasm, batch 1", ratio: ratio("engine", "tfjs-wasm", 1), atLeast: 5 },
    { label: "engine / hand loop, batch 32 (paired)", ratio: median(pairedRatios.get(32) ?? []), atLeast: 0.85 },
    { label: "engine / hand loop, batch 1 (paired)", ratio: median(pairedRatios.get(1) ?? []), atLeast: 0.85 },
  ];
  console.log("\nratios of wall-clock throughput (median of per-round ratios, with the ratio of CPU-time throughput in");
  console.log("brackets; engine / hand loop: the loop on the engine's kernels, median of the paired epochs of every");
  console.log("round, with the separate-process ratio in brackets)");
  const bracketed = [
    `cpu ${fmtRatio(ratio("engine", "tfjs-wasm", 32, "cpuRate"))}`,
    `cpu ${fmtRatio(ratio("engine", "tfjs-wasm", 1, "cpuRate"))}`,
    `separate processes ${fmtRatio(ratio("engine", "hand-wasm", 32))}`,
    `separate processes ${fmtRatio(ratio("engine", "hand-wasm", 1))}`,
  ];
  targets.forEach((t, i) => console.log(`  ${targetLine(t).padEnd(78)} (${bracketed[i]!})`));
  console.log("  for reference:");
  const reference: [ImplId, ImplId, string][] = [
    ["engine", "hand", "engine / blocked TS hand loop"],
    ["engine", "hand-plain", "engine / plain TS hand loop"],
    ["engine", "tfjs-cpu", "engine / tfjs-cpu"],
  ];
  for (const [a, b, name] of reference) {
    for (const bs of BATCH_SIZES) {
      const line = `${`${name}, batch ${bs}`.padEnd(32)} ${fmtRatio(ratio(a, b, bs)).padStart(8)}`;
      console.log(`    ${line.padEnd(68)} (cpu ${fmtRatio(ratio(a, b, bs, "cpuRate"))})`);
    }
  }

  if (torchIds.length) {
    console.log("  engine / PyTorch (wall-clock, median of per-round ratios; cpu in brackets):");
    for (const id of torchIds) {
      for (const bs of BATCH_SIZES) {
        const line = `engine / ${labels.get(id) ?? id}, batch ${bs}`;
        console.log(`    ${line.padEnd(56)} ${fmtRatio(ratio("engine", id, bs)).padStart(8)} (cpu ${fmtRatio(ratio("engine", id, bs, "cpuRate"))})`);
      }
    }
  }

  // The engine and the hand loops do the same float64 operations in the same order: their weights after
  // warm-up + epoch must agree bit for bit. A mismatch means one of them is not doing the work measured.
  console.log("\nchecks");
  for (const bs of BATCH_SIZES) {
    const e = get("engine", bs);
    const parts: string[] = [];
    for (const id of ["hand-wasm", "hand", "hand-plain"] as const) {
      const same = get(id, bs).every((m, i) => m.paramsHash === e[i]!.paramsHash);
      parts.push(`${id} ${same ? "bit-identical" : "DIFFERS"}`);
    }
    const engineLoss = median(e.map((m) => m.loss));
    const tfDiff = (["tfjs-cpu", "tfjs-wasm"] as const).reduce((worst, id) => Math.max(worst, Math.abs(median(get(id, bs).map((m) => m.loss)) - engineLoss)), -Infinity);
    // PyTorch float64 does the same math in another order (BLAS): its epoch loss must agree closely.
    const torchDiff = (id: TorchId) => Math.abs(median(get(id, bs).map((m) => m.loss)) - engineLoss);
    const torchPart = torchIds.length ? `, PyTorch float64 within ${torchDiff("torch-f64-1").toExponential(1)}, float32 within ${torchDiff("torch-f32-1").toExponential(1)}` : "";
    console.log(
      `  batch ${String(bs).padEnd(2)}: final weights vs engine: ${parts.join(", ")}; epoch loss ${engineLoss.toFixed(6)}, ` +
        `tfjs (float32) within ${tfDiff.toExponential(1)}${torchPart}`,
    );
  }
}

export const engineBenchmark: Benchmark = {
  name: "engine",
  description: "training throughput: engine vs tfjs (cpu, wasm) vs hand-written float64 loops",
  run,
};
