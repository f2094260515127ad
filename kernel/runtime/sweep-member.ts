/**
 * What crosses between a sweep's main thread and its worker threads (sweep-worker.ts, sweep-pool.ts):
 * plain data only (structured clone).
 */
import type { FitResult } from "../engine/trainer";
import type { RecordingPolicy } from "../record/policy";
import type { StopSignal } from "./stop-signals";
import type { MemberView } from "./train-member";

/** One member to train: the experiment file with its overrides, recorded to its own file when asked. */
export interface MemberJob {
  readonly index: number;
  readonly path: string;
  readonly overrides: readonly string[];
  readonly configDir?: string;
  /** A file of this member's own (the pool merges them in member order). */
  readonly record?: string;
  readonly policy?: RecordingPolicy;
  readonly view: MemberView;
}

/** A line the member printed, to stdout or stderr. */
export interface MemberLine {
  readonly to: "out" | "err";
  readonly text: string;
}

export interface MemberOutcome {
  readonly index: number;
  /** EXIT.ok when the member completed (train-member.ts). */
  readonly code: number;
  /** Absent when the member could not be built. */
  readonly result?: FitResult;
  readonly hash?: string;
  readonly runId?: string;
  /** What it printed, in order (the pool prints it in member order). */
  readonly lines: readonly MemberLine[];
}

export type WorkerRequest = { readonly kind: "train"; readonly job: MemberJob } | { readonly kind: "stop"; readonly signal: StopSignal };

export type WorkerReply = { readonly kind: "done"; readonly outcome: MemberOutcome } | { readonly kind: "error"; readonly index: number; readonly message: string };
