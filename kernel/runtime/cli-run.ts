import type { BuiltExperiment } from "../engine/config/build";
import { isCsvData, isPackagedData } from "../engine/config/data";
import { losses } from "../engine/losses";
import type { TestMetrics } from "../engine/evaluate";
import type { FitResult, RunStatus } from "../engine/trainer";
import { exportWeights } from "../engine/weights-json";
import { writeTextAtomic } from "./files";
import { formatCount, formatLoss, formatSeconds, type ProgressReporter } from "./progress";
import type { StopSignals } from "./stop-signals";

/** Exit codes of the CLI. */
export const EXIT = { ok: 0, failed: 1, badConfig: 2, interrupted: 130 } as const;

export type Print = (line: string) => void;

/** `2 → 4 tanh → 1 sigmoid` */
export function describeArchitecture(b: BuiltExperiment): string {
  return [String(b.model.spec.inputs), ...b.model.spec.layers.map((l) => `${l.units} ${l.activation}`)].join(" → ");
}

const fmt = (x: number): string => Number(x.toPrecision(4)).toString();

/** The preamble: what is about to be trained, in the engine's vocabulary. */
export function describeExperiment(b: BuiltExperiment, print: Print, source?: string): void {
  const e = b.experiment;
  const data = e.data;
  print(`experiment ${e.name}${source ? ` (${source})` : ""}`);
  print(`  model      ${describeArchitecture(b)}   ${b.model.weightCount} weights incl. biases`);
  for (const l of b.model.layers) {
    print(`             layer ${l.index}: ${l.units} × (${l.inputs} weights + bias), ${l.activation.name}: ${l.activation.formula}`);
  }
  const init = e.model.weights
    ? `loaded from ${e.model.weights}`
    : `${e.model.init.name}${e.model.init.value !== undefined ? ` (value ${e.model.init.value})` : ""}, seed ${e.seed}`;
  print(`  init       ${init}`);
  const ds = b.rawDataset;
  const described = (kind: "generator" | "dataset", options: Readonly<Record<string, string | number>>): string =>
    `${kind} ${options[kind]} (${Object.entries(options)
      .filter(([k]) => k !== kind)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")})`;
  const origin = isCsvData(data) ? `${data.csv.path}` : described(isPackagedData(data) ? "dataset" : "generator", data);
  print(`  data       ${ds.count} samples from ${origin}`);
  print(`             inputs ${names(ds.inputNames)} → targets ${names(ds.targetNames)}`);
  if (e.scale.inputs !== "none" || e.scale.targets !== "none") {
    print(`  scale      fitted on this data: x′ = (x − shift) / scale`);
    const columns = (names: readonly string[], s: { kind: string; shift: Float64Array; scale: Float64Array }): string =>
      s.kind === "none" ? "none" : `${s.kind} ${names.map((n, k) => `${n}: shift ${fmt(s.shift[k]!)}, scale ${fmt(s.scale[k]!)}`).join("; ")}`;
    print(`             inputs  ${columns(ds.inputNames, b.scaler.inputs)}`);
    print(`             targets ${columns(ds.targetNames, b.scaler.targets)}`);
  }
  print(`  loss       ${e.loss}: ${losses[e.loss].formula}`);
  const { name: _id, ...h } = e.optimizer;
  print(`  optimizer  ${b.strategy.name} (${b.strategy.id}): ${Object.entries(h).map(([k, v]) => `${k}=${v}`).join(" ")}`);
  print(`             ${b.strategy.formula}`);
  const sch = e.scheduler;
  if (sch.name !== "constant" || sch.warmup_steps > 0) {
    const { name, warmup_steps, ...rest } = sch;
    const opts = Object.entries(rest).map(([k, v]) => `${k} ${v}`).join(", ");
    print(`  scheduler  ${name}${opts ? ` (${opts})` : ""}${warmup_steps > 0 ? `, linear warmup over ${warmup_steps} commits` : ""}; the LR of every commit is in the trace`);
  }
  if (e.lookahead.enabled) {
    print(`  lookahead  k ${e.lookahead.k}, α ${e.lookahead.alpha}: every ${e.lookahead.k} commits slow ← slow + α(fast − slow), fast ← slow`);
  }
  if (e.training.clip_grad_norm > 0) {
    print(`  clipping   global norm ${e.training.clip_grad_norm}: g ← avg · min(1, c/(‖avg‖ + 1e-6))`);
  }
  const groups = b.trainer.noDecay;
  if (groups) {
    print(`  no decay   weight_decay ${e.auto_param_groups.override_no_decay_weight} for ${groups.parameters.join(", ")} (${groups.weights} weights)`);
  }
  const perCommit = e.training.batch_size * e.training.accumulate_steps;
  const perEpoch = Math.ceil(ds.count / perCommit);
  const batch =
    e.training.accumulate_steps > 1
      ? `${e.training.accumulate_steps} micro-batches of ${e.training.batch_size} = ${perCommit} samples per commit`
      : `batch size ${e.training.batch_size}`;
  print(
    `  training   ${e.training.epochs} epochs × ${perEpoch} commit${perEpoch === 1 ? "" : "s"} ` +
      `(${batch}${e.training.shuffle ? ", shuffled each epoch" : ", samples in order"})`,
  );
}

/**
 * Trains epoch by epoch, yielding to the event loop between epochs (every ~20 ms) so a stop signal
 * (Ctrl-C, SIGTERM, SIGHUP: stop-signals.ts) is seen: it calls trainer.requestStop() and the run ends
 * "interrupted" at the next sample.
 */
export async function trainInterruptibly(b: BuiltExperiment, epochs: number, stop: StopSignals): Promise<FitResult> {
  const { trainer, dataset } = b;
  stop.whenStopped(() => trainer.requestStop());
  const start = performance.now();
  let status: RunStatus = "completed";
  let loss = NaN;
  let done = 0;
  let cause: string | undefined;
  let test: TestMetrics | null = null;
  let lastYield = performance.now();
  for (let e = 0; e < epochs && !stop.received; e++) {
    const result = trainer.trainEpoch(dataset);
    if (result.status !== "completed") {
      status = result.status;
      if (status === "diverged") ({ loss, cause } = result);
      break;
    }
    loss = result.loss;
    test = result.test;
    done++;
    if (performance.now() - lastYield > 20) {
      await new Promise((r) => setImmediate(r));
      lastYield = performance.now();
    }
  }
  // A signal that arrived during the last epoch still counts as an interruption.
  await new Promise((r) => setImmediate(r));
  if (stop.received && status !== "diverged") status = "interrupted";
  return { status, epochs: done, loss, seconds: (performance.now() - start) / 1000, ...(cause ? { cause } : {}), test };
}

/** Writes the weights JSON via a temp file + rename, so a reader never sees half a file. */
export function writeWeightsFile(b: BuiltExperiment, path: string): string {
  return writeTextAtomic(path, formatWeightsJson(exportWeights(b.model)));
}

/** JSON with two-space indentation, but every list of numbers (a weight row, the biases) on one line. */
export function formatWeightsJson(value: unknown): string {
  const text = JSON.stringify(value, null, 2).replace(/\[\s*(-?[\d.eE+-]+(?:,\s*-?[\d.eE+-]+)*)\s*\]/g, (_m, inner: string) =>
    `[${inner.split(/,\s*/).join(", ")}]`,
  );
  return `${text}\n`;
}

/** Prints how the run ended and returns the exit code. */
export function reportResult(
  b: BuiltExperiment,
  result: FitResult,
  reporter: ProgressReporter,
  print: Print,
  printError: Print,
  stop: StopSignals,
): number {
  reporter.finish();
  const samples = result.epochs * b.dataset.count;
  const speed = result.seconds > 0 ? `, ${formatCount(samples / result.seconds)} samples/s` : "";
  if (result.status === "interrupted") {
    printError(
      `interrupted${stop.received && stop.received !== "SIGINT" ? ` (${stop.received})` : ""} after ${result.epochs} of ${b.experiment.training.epochs} epochs` +
        (result.epochs > 0 ? ` (last full epoch's loss ${formatLoss(result.loss)})` : "") +
        "; no weights written",
    );
    return stop.exitCode(EXIT.interrupted);
  }
  if (result.status === "diverged") {
    printError(
      `training diverged in epoch ${result.epochs + 1}: ${result.cause ?? `loss ${formatLoss(result.loss)}`} (timestep ${b.trainer.t}); ` +
        "no weights written. Try a smaller learning rate (optimizer.lr) or scaled data (scale).",
    );
    return EXIT.failed;
  }
  print(`final loss ${formatLoss(result.loss)} after ${result.epochs} epochs, ${b.trainer.t} commits (${formatSeconds(result.seconds)}${speed})`);
  const test = result.test;
  if (test) {
    const accuracy = test.accuracy === null ? "" : `, accuracy ${(100 * test.accuracy).toFixed(1)} %`;
    print(`test split: loss ${formatLoss(test.loss)}${accuracy} on ${test.samples} held-out samples`);
  }
  return EXIT.ok;
}

/** A column list for the terminal: MNIST's 784 pixel names shortened to the first and last few. */
function names(list: readonly string[]): string {
  return list.length <= 12 ? list.join(", ") : `${list.slice(0, 3).join(", ")}, … ${list.length - 6} more …, ${list.slice(-3).join(", ")}`;
}
