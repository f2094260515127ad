/**
 * A sweep's worker thread: trains the members it is sent, one at a time, each composed from the
 * experiment file and its overrides and trained exactly as a serial run is (train-member.ts), recording
 * into the member's own file; what it prints is sent back with the outcome. A stop the pool forwards
 * (Ctrl-C, SIGTERM) interrupts the member as the signal would a serial run. Started by sweep-pool.ts.
 */
import { parentPort } from "node:worker_threads";
import { planRun } from "./cli-config";
import type { MemberJob, MemberLine, WorkerReply, WorkerRequest } from "./sweep-member";
import { StopSignals } from "./stop-signals";
import { trainMember } from "./train-member";

const stop = new StopSignals(false);

async function train(job: MemberJob): Promise<WorkerReply> {
  const lines: MemberLine[] = [];
  try {
    const plan = planRun(job.path, job.overrides, [[...job.overrides]], job.configDir);
    const io = { out: (text: string) => lines.push({ to: "out", text }), err: (text: string) => lines.push({ to: "err", text }) };
    const member = await trainMember(plan, job.record ? { record: job.record } : {}, job.policy ? { policy: job.policy } : {}, stop, io, job.view);
    const recorder = member.run?.recorder;
    return {
      kind: "done",
      outcome: {
        index: job.index,
        code: member.code,
        lines,
        ...(member.result ? { result: member.result } : {}),
        ...(member.run ? { hash: member.run.hash } : {}),
        ...(recorder ? { runId: recorder.runId } : {}),
      },
    };
  } catch (error) {
    return { kind: "error", index: job.index, message: error instanceof Error ? error.message : String(error) };
  }
}

parentPort?.on("message", (request: WorkerRequest) => {
  if (request.kind === "stop") stop.receive(request.signal);
  else void train(request.job).then((reply) => parentPort!.postMessage(reply));
});
