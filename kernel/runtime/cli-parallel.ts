/**
 * `neuroforge train` with several runs and `--jobs N` > 1: the members train on worker threads
 * (sweep-pool.ts) and are reported in member order — label, final loss, run id — as each one and every
 * earlier one has finished; audit-log blocks are appended in that order too.
 */
import { relative } from "node:path";
import type { FitResult } from "../engine/trainer";
import type { RecordingPolicy } from "../record/policy";
import { appendAuditLog, auditBlock, type RunPlan } from "./cli-config";
import { EXIT, type Print } from "./cli-run";
import type { RunOptions } from "./experiment-runs";
import { formatLoss, formatSeconds } from "./progress";
import { MemberError, runMembers } from "./sweep-pool";
import type { StopSignals } from "./stop-signals";

export interface ParallelOutcome {
  /** Per plan, in order: its result (absent for members not run). */
  readonly results: readonly FitResult[];
  readonly code: number;
}

export async function trainInParallel(
  path: string,
  plans: readonly RunPlan[],
  options: RunOptions & { readonly policy: RecordingPolicy; readonly jobs: number },
  stop: StopSignals,
  out: Print,
  err: Print,
): Promise<ParallelOutcome> {
  out(`${Math.min(options.jobs, plans.length)} worker threads`);
  const auditLog = options.auditLog ?? plans[0]!.resolution.experiment.export?.audit_log;
  const start = performance.now();
  let outcomes;
  try {
    outcomes = await runMembers(plans, {
    path,
    ...(options.configDir ? { configDir: options.configDir } : {}),
    ...(options.record ? { record: options.record } : {}),
    policy: options.policy,
    jobs: options.jobs,
    stopped: () => stop.received !== null,
    onMember: (o, plan) => {
      const k = plans.indexOf(plan);
      const r = o.result;
      const how = r.status === "completed" ? `final loss ${formatLoss(r.loss)} after ${r.epochs} epochs` : `${r.status}${r.cause ? `: ${r.cause}` : ""} after ${r.epochs} epochs`;
      (r.status === "completed" ? out : err)(`[run ${k + 1}/${plans.length}] ${plan.label}: ${how} (${formatSeconds(r.seconds)})`);
      if (auditLog) appendAuditLog(auditLog, auditBlock(plan.resolution.experiment, o.hash, plan.overrides, r.status, r.loss, o.runId));
    },
    });
  } catch (error) {
    if (!(error instanceof MemberError)) throw error;
    err(`neuroforge: [run ${error.index + 1}/${plans.length}] ${plans[error.index]!.label}: ${error.message}`);
    return { results: [], code: EXIT.failed };
  }
  const results = outcomes.map((o) => o.result);
  if (options.record && outcomes.some((o) => o.runId)) {
    const rel = relative(process.cwd(), options.record);
    out(`${outcomes.length} runs recorded to ${rel === "" || rel.startsWith("..") ? options.record : rel} in ${formatSeconds((performance.now() - start) / 1000)}`);
  }
  if (stop.received && outcomes.length < plans.length) return { results, code: stop.exitCode(EXIT.interrupted) };
  const failed = results.find((r) => r.status !== "completed");
  return { results, code: failed ? (failed.status === "interrupted" ? EXIT.interrupted : EXIT.failed) : EXIT.ok };
}
