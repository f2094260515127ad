/**
 * `neuroforge train` with several runs and `--jobs N` > 1: the members train on worker threads
 * (sweep-pool.ts) and each one's lines — header, preamble, progress, result — are printed in member
 * order as soon as it and every earlier one have finished, as `--jobs 1` prints them; audit-log
 * blocks are appended in that order too. Progress is in lines (a bar cannot be drawn from a thread).
 */
import type { FitResult } from "../engine/trainer";
import type { RecordingPolicy } from "../record/policy";
import type { RunPlan } from "./cli-config";
import { EXIT, type Print } from "./cli-run";
import { auditRun, type RunOptions } from "./experiment-runs";
import { MemberError, runMembers } from "./sweep-pool";
import type { StopSignals } from "./stop-signals";
import type { MemberView } from "./train-member";

export interface ParallelOutcome {
  /** Per plan, in order, up to the first that did not complete: its result. */
  readonly results: readonly FitResult[];
  readonly code: number;
}

export async function trainInParallel(
  path: string,
  plans: readonly RunPlan[],
  options: RunOptions & { readonly policy: RecordingPolicy; readonly jobs: number },
  view: (k: number) => MemberView,
  stop: StopSignals,
  out: Print,
  err: Print,
): Promise<ParallelOutcome> {
  let outcomes;
  try {
    outcomes = await runMembers(plans, {
      path,
      ...(options.configDir ? { configDir: options.configDir } : {}),
      ...(options.record ? { record: options.record } : {}),
      policy: options.policy,
      jobs: options.jobs,
      view,
      stop,
      onMember: (o, plan) => {
        for (const line of o.lines) (line.to === "out" ? out : err)(line.text);
        if (o.result && o.hash) auditRun(plan, o.hash, o.result, options, o.runId);
      },
    });
  } catch (error) {
    if (!(error instanceof MemberError)) throw error;
    err(`neuroforge: [run ${error.index + 1}/${plans.length}] ${plans[error.index]!.label}: ${error.message}`);
    return { results: [], code: EXIT.failed };
  }
  const results = outcomes.flatMap((o) => (o.result ? [o.result] : []));
  const ended = outcomes.find((o) => o.code !== EXIT.ok);
  if (ended) return { results, code: ended.code };
  if (stop.received && outcomes.length < plans.length) return { results, code: stop.exitCode(EXIT.interrupted) };
  return { results, code: EXIT.ok };
}
