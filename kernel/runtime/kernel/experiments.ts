/**
 * Experiment files from a notebook cell, as the CLI has them (docs/configs.md): compose with overrides,
 * build, train one run or a multirun sweep with recording, the resolved-config export and the audit log.
 * Trainers built here are the kernel's (interruptible, with a progress display).
 */
import { buildExperiment as buildEngineExperiment, type BuildOptions, type BuiltExperiment } from "../../engine/config/build";
import { loadComposedExperiment, type ComposeOptions, type Composed } from "../../engine/config/compose";
import { ExperimentConfigError } from "../../engine/config/errors";
import type { Resolution, ResolvedExperiment } from "../../engine/config/experiment";
import type { FitResult } from "../../engine/trainer";
import type { RecordStatus } from "../../record/recorder";
import { RunFileLock } from "../../record/run-lock";
import type { RunPlan } from "../cli-config";
import { concludeRun, outputProblem, planRuns, planWarnings, prepareRun, writeRunOutputs, type PreparedRun, type RunOptions } from "../experiment-runs";
import { Trainer } from "./trainer";
import type { ResolvedSweep, SweepMember } from "../../engine/sweep/design";
import { mainEffects, type FactorEffect, type Goal } from "../../engine/sweep/main-effects";

export {
  composeExperiment,
  resolveExperiment,
  readExperimentFile,
  parseExperimentText,
  expandSweep,
  sweepLabel,
  parseOverride,
  overrideLabel,
  trainerMechanisms,
  scheduleFor,
  experimentSchema,
  ExperimentConfigError,
  type Composed,
  type ComposeOptions,
  type ConfigProblem,
  type ExperimentInput,
  type Override,
  type RawExperiment,
  type Resolution,
  type ResolvedExperiment,
  type ResolvedScheduler,
  type BuiltExperiment,
} from "../../engine/config/index";
export { scheduleFactor, scheduledRate, warmupFactor, scheduleNames, type ScheduleSpec, type ScheduleName } from "../../engine/schedules";
export type { LookaheadOptions } from "../../engine/lookahead";
export { parameterNames, noDecayGroups, type NoDecayGroups } from "../../engine/param-groups";
export { auditBlock, appendAuditLog } from "../cli-config";
export { resolveSweep, overrideText, type SweepSpec, type ResolvedSweep, type SweepMember, type SweepValue, type Distribution } from "../../engine/sweep/design";
export { orthogonalArray, smallestArrayFor, ARRAY_NAMES, type ArrayName, type OrthogonalArray } from "../../engine/sweep/orthogonal-arrays";
export { nextRound, ucbScore, type AdaptiveSpec, type Trial, type Proposal } from "../../engine/sweep/adaptive";
export { mainEffects, signalToNoise, type FactorEffect, type LevelEffect, type Goal } from "../../engine/sweep/main-effects";
export type { RunOptions } from "../experiment-runs";

/**
 * An experiment file composed with its defaults list and `overrides` (as on the command line:
 * `["optimizer=adam", "optimizer.lr=1e-3"]`), validated, every default filled in, data loaded.
 */
export function loadExperiment(path: string, overrides: readonly string[] = [], options: ComposeOptions = {}): Resolution & { composed: Composed } {
  return loadComposedExperiment(path, overrides, options);
}

/** Model, scaled data and trainer for a loaded (or resolved) experiment; the trainer is the kernel's. */
export function buildExperiment(source: Omit<Resolution, "warnings"> | ResolvedExperiment, options: Omit<BuildOptions, "createTrainer"> = {}): BuiltExperiment {
  return buildEngineExperiment(source, { ...options, createTrainer: (o) => new Trainer(o) });
}

/** One trained run of `train`. */
export interface TrainedRun {
  /** The overrides that differ between the runs of a multirun ("" for a single run). */
  readonly label: string;
  readonly overrides: readonly string[];
  readonly experiment: ResolvedExperiment;
  /** sha256 of the resolved experiment's canonical JSON (what the .nfrun stores). */
  readonly configHash: string;
  readonly built: BuiltExperiment;
  readonly result: FitResult;
  /** Keys accepted with no effect here and seed patterns dropped (`file: field: why`), as the CLI prints them. */
  readonly warnings: readonly string[];
  /** In a designed sweep (`sweep` option or the file's `sweep:` block): this member and the sweep. */
  readonly member?: SweepMember;
  readonly sweep?: ResolvedSweep;
  /** With `record`: the run's id in the .nfrun and how its recording ended. */
  readonly runId?: string;
  readonly recorded?: RecordStatus;
}

/**
 * The main effects of a designed sweep's runs (as `train` returned them) on their final loss, or on
 * `response` of each run; members that did not complete count as missing.
 */
export function sweepEffects(runs: readonly TrainedRun[], options: { goal?: Goal; response?: (run: TrainedRun) => number } = {}): FactorEffect[] {
  const sweep = runs[0]?.sweep;
  if (!sweep) throw new ExperimentConfigError("sweep", "these runs are not a designed sweep (train with a sweep option or a sweep: block)");
  const responses = sweep.members.map((m) => {
    const run = runs.find((r) => r.member?.index === m.index);
    if (!run || run.result.status !== "completed") return NaN;
    return options.response ? options.response(run) : run.result.loss;
  });
  return mainEffects(sweep, responses, options.goal);
}

/**
 * `neuroforge train <path> [overrides…]` from a cell: every run planned and validated first (an
 * ExperimentConfigError names the key and where it came from), then each built, trained, recorded
 * (`record`), logged (`auditLog`); then the resolved config(s) (`exportConfig`) and the last run's
 * weights (`weightsOut`) are written. A run that does not complete ends the sweep, as in the CLI.
 */
export async function train(path: string, options: RunOptions = {}): Promise<TrainedRun[]> {
  const plans = planRuns(path, options);
  // An adaptive search whose budget is spent proposes no run.
  if (plans.length === 0) return [];
  const problem = outputProblem(plans, options);
  if (problem) throw new ExperimentConfigError("", problem);
  // One writer per .nfrun, as in the CLI (another process recording into it is an NfrunError now).
  const lock = options.record ? RunFileLock.acquire(options.record) : null;
  try {
    return await trainPlans(plans, options, lock);
  } finally {
    lock?.release();
  }
}

async function trainPlans(plans: readonly RunPlan[], options: RunOptions, lock: RunFileLock | null): Promise<TrainedRun[]> {
  const prepared: PreparedRun[] = [];
  const runs: TrainedRun[] = [];
  for (const plan of plans) {
    const run = await prepareRun(plan, options, [], { build: { createTrainer: (o) => new Trainer(o) }, lock });
    const result = run.built.trainer.fit(run.built.dataset, plan.resolution.experiment.training.epochs);
    const recorded = concludeRun(run, result, options);
    prepared.push(run);
    runs.push({
      label: plan.label,
      overrides: plan.overrides,
      experiment: run.built.experiment,
      configHash: run.hash,
      built: run.built,
      result,
      warnings: planWarnings([plan]),
      ...(plan.member && plan.sweep ? { member: plan.member, sweep: plan.sweep } : {}),
      ...(run.recorder ? { runId: run.recorder.runId } : {}),
      ...(recorded ? { recorded } : {}),
    });
    if (result.status !== "completed") break;
  }
  writeRunOutputs(plans, prepared, options);
  return runs;
}
