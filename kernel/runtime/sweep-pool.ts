/**
 * Runs a sweep's members on worker threads (`--jobs N`): up to N members train at once, each in its
 * own thread (sweep-worker.ts), recording into a file of its own in a temporary folder; the files are
 * then merged into the record file in member order (kernel/record/merge.ts), so the result is the
 * serial sweep's: the same runs, rows and digests, in the same order (a file lists runs in the order
 * they were added). Members are reported (onMember) in member order too, whichever finishes first. As in a serial sweep, a member
 * that does not complete ends the sweep: later members are not started, and those already running are
 * left out of the record.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import path from "node:path";
import { Worker } from "node:worker_threads";
import { mergeRunFiles } from "../record/merge";
import type { RecordingPolicy } from "../record/policy";
import type { RunPlan } from "./cli-config";
import { EXIT } from "./cli-run";
import type { MemberOutcome, WorkerReply, WorkerRequest } from "./sweep-member";
import type { StopSignals } from "./stop-signals";
import type { MemberView } from "./train-member";

export interface PoolOptions {
  readonly path: string;
  readonly configDir?: string;
  readonly record?: string;
  readonly policy?: RecordingPolicy;
  readonly jobs: number;
  /** How member k is shown (its header, names, progress mode); default: quiet, no header. */
  readonly view?: (k: number) => MemberView;
  /** Called in member order as soon as every earlier member has been reported. */
  readonly onMember?: (outcome: MemberOutcome, plan: RunPlan) => void;
  /** A stop signal: no member is started after it, and the running ones are told (they end interrupted). */
  readonly stop?: StopSignals;
}

/** The default number of workers: the machine's cores. */
export const defaultJobs = (): number => availableParallelism();

/** The worker's script: the bundle's sibling `sweep-worker.js`, or the TypeScript source under tsx. */
function workerScript(): { file: string; eval: boolean } {
  if (__filename.endsWith(".ts")) {
    return { file: `require("tsx/cjs"); require(${JSON.stringify(path.join(__dirname, "sweep-worker.ts"))});`, eval: true };
  }
  const bundled = path.join(__dirname, "sweep-worker.js");
  if (!existsSync(bundled)) throw new Error(`the sweep worker script is missing: ${bundled}`);
  return { file: bundled, eval: false };
}

/** Thrown when a member could not be built or trained in its worker (a config that failed late, an I/O error). */
export class MemberError extends Error {
  constructor(readonly index: number, message: string) {
    super(message);
    this.name = "MemberError";
  }
}

/**
 * Trains `plans` on `jobs` threads; returns the outcomes in member order, up to and including the
 * first member that did not complete. With `record`, their runs are merged into it (appended when it exists).
 */
export async function runMembers(plans: readonly RunPlan[], options: PoolOptions): Promise<MemberOutcome[]> {
  const folder = options.record ? mkdtempSync(path.join(tmpdir(), "nf-sweep-")) : null;
  const fileOf = (k: number): string => path.join(folder!, `member-${String(k).padStart(6, "0")}.nfrun`);
  const outcomes: (MemberOutcome | undefined)[] = new Array(plans.length);
  const script = workerScript();
  const workers = Array.from({ length: Math.max(1, Math.min(options.jobs, plans.length)) }, () => new Worker(script.file, { eval: script.eval }));
  const quiet: MemberView = { source: options.path, quiet: true, progress: "quiet" };
  let next = 0;
  let reported = 0;
  let end = plans.length; // members at or past `end` are not started (a member failed, or a stop)
  let failure: MemberError | null = null;
  const report = () => {
    while (reported < end && outcomes[reported]) {
      options.onMember?.(outcomes[reported]!, plans[reported]!);
      reported++;
    }
  };
  options.stop?.whenStopped(() => {
    end = Math.min(end, next);
    const request: WorkerRequest = { kind: "stop", signal: options.stop!.received! };
    for (const worker of workers) worker.postMessage(request);
  });
  try {
    await Promise.all(
      workers.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            const give = () => {
              if (next >= end) return resolve();
              const index = next++;
              const request: WorkerRequest = {
                kind: "train",
                job: {
                  index,
                  path: options.path,
                  overrides: plans[index]!.overrides,
                  view: options.view?.(index) ?? quiet,
                  ...(options.configDir ? { configDir: options.configDir } : {}),
                  ...(folder ? { record: fileOf(index) } : {}),
                  ...(options.policy ? { policy: options.policy } : {}),
                },
              };
              worker.postMessage(request);
            };
            worker.on("message", (reply: WorkerReply) => {
              if (reply.kind === "error") {
                failure ??= new MemberError(reply.index, reply.message);
                end = Math.min(end, reply.index);
              } else {
                outcomes[reply.outcome.index] = reply.outcome;
                if (reply.outcome.code !== EXIT.ok) end = Math.min(end, reply.outcome.index + 1);
              }
              report();
              give();
            });
            worker.on("error", reject);
            give();
          }),
      ),
    );
    report();
    if (failure) throw failure;
    const done = outcomes.slice(0, end).filter((o): o is MemberOutcome => o !== undefined);
    const recorded = done.filter((o) => o.runId !== undefined);
    if (options.record && recorded.length > 0) {
      await mergeRunFiles(recorded.map((o) => fileOf(o.index)), options.record, { appendTo: existsSync(options.record) });
    }
    return done;
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
    if (folder) rmSync(folder, { recursive: true, force: true });
  }
}
