/**
 * What crosses between a sweep's main thread and its worker threads (sweep-worker.ts, sweep-pool.ts):
 * plain data only (structured clone).
 */
import type { FitResult } from "../engine/trainer";
import type { RecordStatus } from "../record/recorder";
import type { RecordingPolicy } from "../record/policy";

/** One member to train: the experiment file with its overrides, recorded to its own file when asked. */
export interface MemberJob {
  readonly index: number;
  readonly path: string;
  readonly overrides: readonly string[];
  readonly configDir?: string;
  /** A file of this member's own (the pool merges them in member order). */
  readonly record?: string;
  readonly policy?: RecordingPolicy;
}

export interface MemberOutcome {
  readonly index: number;
  readonly result: FitResult;
  readonly hash: string;
  readonly runId?: string;
  readonly recorded?: RecordStatus;
}

export type WorkerReply = { readonly kind: "done"; readonly outcome: MemberOutcome } | { readonly kind: "error"; readonly index: number; readonly message: string };
