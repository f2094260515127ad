import type { LayerHealth } from "../engine/health/monitor";
import type { NfrunErrorKind } from "./errors";
import type { FitnessRecord } from "./health-rows";
import type { RecordedNeuron } from "./policy";
import type { SqlJsOptions } from "./sqljs";

/**
 * Messages between the recorder (training thread) and the writer thread that owns the SQLite working
 * database (writer-thread.ts, writer-worker.ts, run-writer.ts). Commands are applied in the order they
 * were posted, so a checkpoint holds exactly what was posted before it. Bulk data travels as
 * transferred ArrayBuffers (no copy) which the writer hands back for reuse.
 */

/** Status of a run in the file. On disk, a run being recorded reads 'interrupted' until its final checkpoint. */
export type RecordStatus = "running" | "completed" | "failed" | "interrupted";

/** Where a checkpoint's time went (ms): pending rows → SQLite, database → bytes, write, fsync, rename. */
export interface CheckpointTimings {
  readonly flushMs: number;
  readonly exportMs: number;
  readonly writeMs: number;
  readonly fsyncMs: number;
  readonly renameMs: number;
  readonly totalMs: number;
}

export interface CheckpointInfo {
  readonly t: number;
  readonly epoch: number;
  readonly bytes: number;
  readonly timings: CheckpointTimings;
}

/** The run's metadata rows, as plain data (run-start.ts builds them from the trainer). */
export interface RunMeta {
  readonly runId: string;
  readonly startedMs: number;
  /** Values of the `runs` row in RUN_COLUMNS order. */
  readonly run: readonly (string | number | null)[];
  readonly layers: readonly { readonly index: number; readonly inputs: number; readonly units: number; readonly activation: string; readonly offset: number; readonly neuronOffset: number }[];
  readonly neurons: readonly RecordedNeuron[];
  readonly dataset: {
    readonly name: string;
    readonly count: number;
    readonly inputSize: number;
    readonly targetSize: number;
    readonly inputNames: string;
    readonly targetNames: string;
    readonly x: Float64Array;
    readonly y: Float64Array;
  };
  /** The held-out samples evaluated at each epoch end (null: the run has no test split). */
  readonly test: { readonly name: string; readonly count: number; readonly inputSize: number; readonly targetSize: number; readonly x: Float64Array; readonly y: Float64Array } | null;
  readonly weightCount: number;
  readonly strategy: StrategyRow;
  /** Capacities of the chunk buffers (samples per sample chunk, rows and commits per commit buffer). */
  readonly sampleCap: number;
  readonly rowCap: number;
  readonly blockCap: number;
}

/** The run's `strategies` row (schema version 3; strategy-fingerprint.ts builds it). */
export interface StrategyRow {
  readonly strategyId: string;
  readonly builtin: boolean;
  readonly declarationJson: string;
  /** A user's strategy: its fingerprint text and sha256; null for a built-in one. */
  readonly source: string | null;
  readonly sourceHash: string | null;
  /** The notebook cell that defined it, when known. */
  readonly cellSource: string | null;
}

/** Counters written into the `runs` row at each checkpoint. */
export interface RunProgress {
  readonly epochsDone: number;
  readonly commits: number;
  readonly samplesSeen: number;
  readonly finalLoss: number;
  readonly t: number;
  readonly epoch: number;
}

export type WriterCommand =
  | { readonly kind: "open"; readonly writer: number; readonly path: string; readonly sqlJs?: SqlJsOptions }
  | { readonly kind: "start"; readonly writer: number; readonly meta: RunMeta }
  | { readonly kind: "samples"; readonly writer: number; readonly epoch: number; readonly first: number; readonly n: number; readonly buffer: ArrayBuffer }
  | { readonly kind: "commits"; readonly writer: number; readonly rows: number; readonly blockN: number; readonly firstT: number; readonly buffer: ArrayBuffer }
  | {
      readonly kind: "snapshot";
      readonly writer: number;
      readonly t: number;
      readonly epoch: number;
      readonly weights: Float64Array;
      readonly rates: Float64Array;
      readonly state: Float64Array;
      readonly neuronState: Float64Array;
      readonly globalJson: string;
      readonly slow: Float64Array | null;
    }
  | { readonly kind: "epoch"; readonly writer: number; readonly epoch: number }
  /** The test split's metrics after epoch `epoch`, whose last commit is t (accuracy null: a regression loss). */
  | { readonly kind: "test_metrics"; readonly writer: number; readonly epoch: number; readonly t: number; readonly samples: number; readonly loss: number; readonly accuracy: number | null }
  /** The per-weight learning rates from commit t + 1 on (setLearningRate changed them after commit t). */
  | { readonly kind: "rates"; readonly writer: number; readonly t: number; readonly rates: Float64Array }
  | {
      readonly kind: "event";
      readonly writer: number;
      readonly seq: number;
      readonly timeMs: number;
      readonly t: number | null;
      readonly epoch: number | null;
      readonly position: number | null;
      readonly event: string;
      readonly message: string;
      readonly dataJson: string | null;
    }
  /** The health measure after commit t (tables health, health_values). */
  | { readonly kind: "health"; readonly writer: number; readonly t: number; readonly layers: readonly LayerHealth[] }
  /** The lifecycle evaluation after commit t (table neuron_fitness). */
  | { readonly kind: "fitness"; readonly writer: number; readonly record: FitnessRecord }
  | { readonly kind: "checkpoint"; readonly writer: number; readonly status: RecordStatus; readonly progress: RunProgress }
  /** Final checkpoint with `status`, then the database is closed (only `status` when the run never started). */
  | { readonly kind: "finish"; readonly writer: number; readonly status: RecordStatus; readonly progress: RunProgress | null };

export type WriterReply =
  | { readonly kind: "opened"; readonly writer: number }
  /** A buffer handed back for reuse: a chunk buffer once its rows are in, a dataset copy once the run's metadata is. */
  | { readonly kind: "buffer"; readonly writer: number; readonly of: "samples" | "commits" | "dataset"; readonly buffer: ArrayBuffer }
  | { readonly kind: "checkpoint"; readonly writer: number; readonly info: CheckpointInfo }
  | { readonly kind: "finished"; readonly writer: number; readonly info: CheckpointInfo | null }
  | { readonly kind: "error"; readonly writer: number; readonly errorKind: NfrunErrorKind; readonly message: string };
