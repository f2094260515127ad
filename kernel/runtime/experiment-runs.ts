/**
 * The steps of training an experiment file, shared by `neuroforge train` (cli.ts) and a notebook cell's
 * `train(…)` (kernel/runtime/kernel/train.ts): plan every run first (nothing runs if one is invalid),
 * then per run open the recorder and build, and after training finish the recording and append the
 * audit log; at the end write the resolved config(s) and the weights.
 */
import { existsSync, statSync } from "node:fs";
import { buildExperiment, preparedData, type BuiltExperiment, type BuildOptions } from "../engine/config/build";
import { formatProblem } from "../engine/config/errors";
import { expandSweep } from "../engine/config/sweep";
import type { TrainingObserver } from "../engine/observer";
import type { FitResult } from "../engine/trainer";
import { configHash } from "../record/config-hash";
import { RunRecorder, type RecordStatus } from "../record/recorder";
import type { RunFileLock } from "../record/run-lock";
import type { RecordingPolicy } from "../record/policy";
import { appendAuditLog, auditBlock, planRun, type RunPlan } from "./cli-config";
import { writeWeightsFile } from "./cli-run";
import { writeTextAtomic } from "./files";
import { planSweep, shardRange, writeSweep, type SweepOptions } from "./sweep-plan";

/** What `neuroforge train` takes besides the experiment file (its flags), and a cell's `train` alike. */
export interface RunOptions extends SweepOptions {
  /** `key=value` overrides (and `group=option` selections), as on the command line. */
  readonly overrides?: readonly string[];
  /** Multirun: comma lists in overrides are sweep axes; every combination is a run. */
  readonly multirun?: boolean;
  readonly configDir?: string;
  /** Record the run(s) into this .nfrun file (appended to its runs when it exists). */
  readonly record?: string;
  /** Write the resolved config JSON here (a JSON array of them for a multirun). */
  readonly exportConfig?: string;
  /** Append a markdown block per run (time, config hash, optimizer, schedule) to this file. */
  readonly auditLog?: string;
  /** Write the trained weights JSON here (overrides export.weights). */
  readonly weightsOut?: string;
}

/**
 * Every run, composed and validated (throws ExperimentConfigError on the first invalid one): one, the
 * `-m` comma lists' product, or a designed sweep's members (their overrides after the command line's).
 */
export function planRuns(path: string, options: RunOptions): RunPlan[] {
  const plans = planAllRuns(path, options);
  if (options.shard === undefined) return plans;
  const { from, to } = shardRange(options.shard, plans.length);
  return plans.slice(from, to);
}

function planAllRuns(path: string, options: RunOptions): RunPlan[] {
  const given = options.overrides ?? [];
  const sweep = planSweep(path, options);
  if (sweep) {
    const runs = sweep.members.map((m) => [...given, ...m.overrides]);
    return sweep.members.map((member, k) => ({ ...planRun(path, runs[k]!, runs, options.configDir), member, sweep }));
  }
  const runs = options.multirun ? expandSweep(given) : [[...given]];
  return runs.map((overrides) => planRun(path, overrides, runs, options.configDir));
}

/**
 * The plans' warnings (keys with no effect here, seed patterns dropped), each once however many runs
 * and files repeat it: `file[, file…]: field: why`.
 */
export function planWarnings(plans: readonly RunPlan[]): string[] {
  const files = new Map<string, Set<string>>();
  for (const w of plans.flatMap((p) => p.resolution.warnings)) {
    const key = formatProblem(undefined, w.field, w.message);
    const seen = files.get(key) ?? new Set<string>();
    if (w.file !== undefined) seen.add(w.file);
    files.set(key, seen);
  }
  return [...files].map(([key, from]) => formatProblem(from.size ? [...from].join(", ") : undefined, key, ""));
}

/** Where the outputs go: the options' paths, else the experiment's `export.*`. */
function outputs(plans: readonly RunPlan[], options: RunOptions): { weights?: string; config?: string; auditLog?: string } {
  const exp = plans[0]!.resolution.experiment.export;
  return { weights: options.weightsOut ?? exp?.weights, config: options.exportConfig ?? exp?.config, auditLog: options.auditLog ?? exp?.audit_log };
}

/**
 * Resolved-config files → the runs each holds. `--export-config` holds every run; otherwise each run
 * goes to its own `export.config` (seed 002's `optimizer.export_json`, which differs per optimizer in
 * a sweep over optimizers), and runs naming the same file share it.
 */
function configTargets<T extends { readonly plan: RunPlan }>(runs: readonly T[], options: RunOptions): Map<string, T[]> {
  const targets = new Map<string, T[]>();
  for (const run of runs) {
    const target = options.exportConfig ?? run.plan.resolution.experiment.export?.config;
    if (target !== undefined) targets.set(target, [...(targets.get(target) ?? []), run]);
  }
  return targets;
}

/** A usage problem with the outputs (a directory given as a file, one weights file for many runs), or null. */
export function outputProblem(plans: readonly RunPlan[], options: RunOptions): string | null {
  if (plans.length > 1 && options.weightsOut) return "--weights-out: a multirun has several runs; record them (--record) instead of one weights file";
  if (plans.length > 1 && plans.some((p) => p.resolution.experiment.export?.weights)) {
    return "export.weights: every run of a multirun would write the same weights file; remove it or use --record";
  }
  const out = outputs(plans, options);
  const configs = [...configTargets(plans.map((plan) => ({ plan })), options).keys()];
  for (const [flag, target] of [
    [options.weightsOut ? "--weights-out" : "export.weights", out.weights],
    ["--record", options.record],
    ...configs.map((c) => [options.exportConfig ? "--export-config" : "export.config", c] as const),
    ["--audit-log", out.auditLog],
  ] as const) {
    if (target && existsSync(target) && statSync(target).isDirectory()) return `${flag}: ${target} is a directory; give a file path`;
  }
  return null;
}

/** One run being trained: what was built, its recorder (with `record`), its config hash. */
export interface PreparedRun {
  readonly plan: RunPlan;
  readonly built: BuiltExperiment;
  readonly recorder: RunRecorder | null;
  readonly hash: string;
}

/**
 * Opens the run's recorder (with `record`, writing under `lock` when the caller holds the file's lock,
 * recording what `policy` selects) and builds the experiment with it and `observers` attached.
 */
export async function prepareRun(
  plan: RunPlan,
  options: RunOptions,
  observers: readonly TrainingObserver[],
  extra: { readonly build?: Omit<BuildOptions, "observers">; readonly lock?: RunFileLock | null; readonly policy?: RecordingPolicy } = {},
): Promise<PreparedRun> {
  const { resolution } = plan;
  const experiment = resolution.experiment;
  let recorder: RunRecorder | null = null;
  if (options.record) {
    // The data the run trains on: split and scaled exactly as buildExperiment does.
    recorder = await RunRecorder.create(options.record, {
      data: preparedData(experiment, resolution.dataset, resolution.file).train,
      config: experiment,
      seed: experiment.seed,
      epochs: experiment.training.epochs,
      ...(extra.policy ? { policy: extra.policy } : {}),
      ...(extra.lock ? { lock: extra.lock } : {}),
    });
  }
  const built = buildExperiment(resolution, { ...extra.build, observers: recorder ? [...observers, recorder] : observers });
  // The recording's policy and estimated size are checked now, before anything is trained.
  recorder?.checkTrainer(built.trainer);
  return { plan, built, recorder, hash: configHash(experiment) };
}

/** After training: finishes the recording and appends the run's audit-log block. */
export function concludeRun(run: PreparedRun, result: FitResult, options: RunOptions): RecordStatus | null {
  const status = run.recorder ? run.recorder.finish(result) : null;
  auditRun(run.plan, run.hash, result, options, run.recorder?.runId);
  return status;
}

/** Appends the run's audit-log block when the options or the experiment name an audit log. */
export function auditRun(plan: RunPlan, hash: string, result: FitResult, options: RunOptions, runId?: string): void {
  const auditLog = outputs([plan], options).auditLog;
  if (auditLog) appendAuditLog(auditLog, auditBlock(plan.resolution.experiment, hash, plan.overrides, result.status, result.loss, runId));
}

/**
 * After the last run: the resolved configs (a file holding one run gets its object, a file holding
 * several an array, in sweep order) and the last run's weights. Returns the absolute paths written.
 */
export function writeRunOutputs(
  plans: readonly RunPlan[],
  trained: readonly { readonly plan: RunPlan; readonly built?: BuiltExperiment }[],
  options: RunOptions,
): { configs: string[]; weights?: string; sweep?: string } {
  const out = outputs(plans, options);
  const written: { configs: string[]; weights?: string; sweep?: string } = { configs: [] };
  const sweep = plans[0]?.sweep;
  if (options.exportSweep && sweep) written.sweep = writeSweep(options.exportSweep, sweep);
  const shared = options.exportConfig !== undefined && plans.length > 1;
  for (const [target, runs] of configTargets(trained, options)) {
    const experiments = runs.map((r) => r.plan.resolution.experiment);
    written.configs.push(writeTextAtomic(target, `${JSON.stringify(shared || runs.length > 1 ? experiments : experiments[0], null, 2)}\n`));
  }
  const last = trained.at(-1)?.built;
  if (out.weights && last) written.weights = writeWeightsFile(last, out.weights);
  return written;
}
