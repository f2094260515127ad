/**
 * One run of `neuroforge train`, printed as the CLI prints it: its header in a sweep, the preamble,
 * the config hash, progress, how it ended, where it was recorded. The same function trains a run in the
 * CLI's thread (one after the other) and in a sweep's worker thread, whose lines the pool prints in
 * member order — so `--jobs N` prints what `--jobs 1` prints.
 */
import { ExperimentConfigError } from "../engine/config/errors";
import type { TrainingObserver } from "../engine/observer";
import type { FitResult } from "../engine/trainer";
import { NfrunError } from "../record/errors";
import type { RecordingPolicy } from "../record/policy";
import type { RunFileLock } from "../record/run-lock";
import type { RunPlan } from "./cli-config";
import { describeExperiment, EXIT, reportResult, trainInterruptibly, type Print } from "./cli-run";
import { prepareRun, type PreparedRun, type RunOptions } from "./experiment-runs";
import { ProgressReporter, type ProgressMode } from "./progress";
import type { StopSignals } from "./stop-signals";

export interface MemberIo {
  readonly out: Print;
  readonly err: Print;
}

/** How the run is shown: names as the user gave them, the progress mode, and whether only results print. */
export interface MemberView {
  /** `[run k/n] label`, printed first in a sweep. */
  readonly header?: string;
  /** The experiment file as shown. */
  readonly source: string;
  /** The record file as shown (a worker records into a file of its own, merged into this one). */
  readonly recordShown?: string;
  readonly quiet: boolean;
  readonly progress: ProgressMode;
}

export interface MemberRun {
  /** EXIT.ok when the run completed; otherwise the CLI's code for how it ended. */
  readonly code: number;
  /** Absent when the run could not be built (its error printed). */
  readonly run?: PreparedRun;
  readonly result?: FitResult;
}

export async function trainMember(
  plan: RunPlan,
  options: RunOptions,
  extra: { readonly lock?: RunFileLock | null; readonly policy?: RecordingPolicy },
  stop: StopSignals,
  io: MemberIo,
  view: MemberView,
): Promise<MemberRun> {
  const experiment = plan.resolution.experiment;
  const out: Print = view.quiet ? () => {} : io.out;
  const bad = (message: string): MemberRun => (io.err(`neuroforge: ${message}`), { code: EXIT.badConfig });
  if (view.header) out(`\n${view.header}`);
  const reporter = new ProgressReporter({ mode: view.progress, epochs: experiment.training.epochs, print: io.out });
  // Warnings the engine gives while training goes on (the recorder stores them as events too).
  const warnings: TrainingObserver = { onNotice: (n) => n.kind === "loss_clamped" && io.err(`warning: ${n.message}`) };
  let run: PreparedRun;
  try {
    run = await prepareRun(plan, options, [reporter, warnings], extra);
  } catch (error) {
    if (error instanceof ExperimentConfigError) return bad(`invalid experiment: ${error.describeAll()}`);
    // The recorder's refusals before training: the file, its policy, its estimated size.
    if (error instanceof NfrunError || error instanceof RangeError) {
      // A worker records into a file of its own: the message names the file the user gave.
      const named = options.record && view.recordShown ? error.message.split(options.record).join(view.recordShown) : error.message;
      return bad(`--record: ${named}`);
    }
    throw error;
  }
  describeExperiment(run.built, out, view.source);
  out(`  config     sha256 ${run.hash}${plan.overrides.length ? `   overrides: ${plan.overrides.join(" ")}` : ""}`);
  out("");
  reporter.start();
  const result = await trainInterruptibly(run.built, experiment.training.epochs, stop);
  const code = reportResult(run.built, result, reporter, io.out, io.err, stop);
  const status = run.recorder ? run.recorder.finish(result) : null;
  if (run.recorder) io.out(`run ${run.recorder.runId} recorded to ${view.recordShown ?? options.record} (${status})`);
  return { code, run, result };
}
