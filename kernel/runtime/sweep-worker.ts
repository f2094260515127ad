/**
 * A sweep's worker thread: trains the members it is sent, one at a time, each composed from the
 * experiment file and its overrides exactly as a serial run is (experiment-runs.ts), recording into the
 * member's own file. Started by sweep-pool.ts.
 */
import { parentPort } from "node:worker_threads";
import { planRun } from "./cli-config";
import { prepareRun } from "./experiment-runs";
import type { MemberJob, WorkerReply } from "./sweep-member";

async function train(job: MemberJob): Promise<WorkerReply> {
  try {
    const plan = planRun(job.path, job.overrides, [[...job.overrides]], job.configDir);
    const run = await prepareRun(plan, job.record ? { record: job.record } : {}, [], job.policy ? { policy: job.policy } : {});
    const result = run.built.trainer.fit(run.built.dataset, plan.resolution.experiment.training.epochs);
    const recorded = run.recorder ? run.recorder.finish(result) : undefined;
    return {
      kind: "done",
      outcome: { index: job.index, result, hash: run.hash, ...(run.recorder ? { runId: run.recorder.runId } : {}), ...(recorded ? { recorded } : {}) },
    };
  } catch (error) {
    return { kind: "error", index: job.index, message: error instanceof Error ? error.message : String(error) };
  }
}

parentPort?.on("message", (job: MemberJob) => {
  void train(job).then((reply) => parentPort!.postMessage(reply));
});
