import type { SqlValue } from "sql.js";
import type { Activation, ActivationName } from "../engine/activations";
import type { RebirthChange } from "../engine/lifecycle/rebirth";
import type { HyperValue, Strategy } from "../engine/optimizers/strategy";
import type { RateChange, RunStrategySource } from "./run-strategy";
import type { ClipAtCommit, MechanismReplay, RunMechanisms } from "./mechanisms";
import type { RecordStatus } from "./recorder";

/**
 * What the reader's query helpers (run-context, chunk-cache, snapshot-cache, …) need of an open file:
 * parameterized queries, its size (which bounds every size read from it) and its 'corrupt' error.
 * The reader implements it; the helpers never see the reader itself.
 */
export interface RunDb {
  readonly path: string | undefined;
  /** Size of the file in bytes. */
  readonly bytes: number;
  query(sql: string, params?: SqlValue[]): SqlValue[][];
  /** One row at a time, for scans in bounded memory. */
  each(sql: string, params: SqlValue[], row: (values: SqlValue[]) => void): void;
  bad(message: string): Error;
}

/** The typed answer for data the run did not record (policy, interruption): never invented numbers. */
export interface NotRecorded {
  readonly kind: "not-recorded";
  readonly reason: string;
}

export interface RunInfo {
  readonly runId: string;
  readonly status: RecordStatus;
  readonly createdAt: string;
  readonly seconds: number | null;
  readonly engineVersion: string;
  readonly seed: number | null;
  readonly configHash: string;
  readonly loss: string;
  readonly batchSize: number;
  readonly inputs: number;
  readonly outputs: number;
  readonly weightCount: number;
  readonly neuronCount: number;
  readonly strategy: StrategyInfo;
  readonly hyperparameters: Record<string, HyperValue>;
  readonly policy: unknown;
  readonly epochsDone: number;
  readonly commits: number;
  readonly samplesSeen: number;
  readonly finalLoss: number | null;
  readonly layers: readonly { layer: number; inputs: number; units: number; activation: ActivationName }[];
  readonly recordedEpochs: readonly number[];
}

export interface StrategyInfo {
  readonly id: string;
  readonly name: string;
  readonly formula: string;
  readonly auditColumns: readonly string[];
  /** What it does, when to use it, what it is best for (its declaration; null when the file does not say). */
  readonly description?: string | null;
  readonly whenToUse?: string | null;
  readonly bestFor?: string | null;
  /**
   * False for a user's strategy (defined in a notebook cell or a module): its code is not part of
   * NeuroForge. Absent in payloads saved before schema version 3 (built in).
   */
  readonly builtin?: boolean;
}

export interface TraceSeries {
  readonly t: Int32Array;
  readonly epoch: Int32Array;
  readonly batch: Int32Array;
  readonly count: Int32Array;
  readonly loss: Float64Array;
  readonly lrScale: Float64Array;
  readonly gradNorm: Float64Array;
  readonly stepNorm: Float64Array;
}

export interface RunEvent {
  readonly seq: number;
  readonly timeMs: number;
  readonly t: number | null;
  readonly epoch: number | null;
  readonly position: number | null;
  readonly kind: string;
  readonly message: string;
  readonly data: unknown;
}

export interface LeverageRow {
  readonly position: number;
  readonly sample: number;
  readonly slot: number;
  readonly input: number;
  readonly blame: number;
  readonly leverage: number;
  /** Running sum of the leverages of the batch so far: the blame bank after this sample. */
  readonly cumulative: number;
}

/** A rebirth as one replayed weight met it: after commit t its value became `value` (reason in the event log). */
export interface RebirthAtCommit {
  readonly t: number;
  /** The reborn neuron. */
  readonly layer: number;
  readonly neuron: number;
  readonly change: RebirthChange;
  readonly value: number;
}

/** A sanitization as one replayed weight met it: commit t left it non-finite, the non-finite guard set it to `value` (its nonfinite event). */
export interface SanitizedAtCommit {
  readonly t: number;
  readonly value: number;
}

/** A batch holding samples whose loss went non-finite (`nonfinite: sanitize`): left out of the loss, the batch's non-finite gradient entries count as 0. */
export interface SanitizedBatch {
  /** Dataset indices of the samples with a non-finite loss. */
  readonly samples: readonly number[];
  /** Whether this weight's batch total was not finite, so counted as 0 (`batchTotal` is then 0). */
  readonly zeroed: boolean;
}

export interface CommitDetail {
  readonly batchTotal: number;
  readonly count: number;
  readonly avg: number;
  /** The strategy's audit values by column name (null when this NeuroForge does not know the strategy). */
  readonly audit: Readonly<Record<string, number>> | null;
  readonly auditValues: readonly number[] | null;
  /** The weight's rate at this commit: `rate` (its own, before the schedule) × `lrScale` (the schedule's factor). */
  readonly lr: number;
  readonly rate: number;
  readonly lrScale: number;
  /** The hyperparameters this weight stepped with (its parameter group's: weight_decay may differ from the run's). */
  readonly hyperparameters: Readonly<Record<string, HyperValue>>;
  /** As recorded by the engine. */
  readonly adjustment: number;
  /** As recomputed by the strategy from the recorded state (equal to `adjustment` in a sound file). */
  readonly recomputedAdjustment: number | null;
  readonly before: number;
  /** The weight after the commit: before − adjustment, then (at a Lookahead sync) the synced value. */
  readonly after: number;
  /**
   * Global-norm clipping at this commit (null: the run does not clip): ‖avg‖₂ over all weights before
   * clipping (= the commit's grad_norm), the threshold c, and scale = min(1, c/(‖avg‖ + 1e-6)); the
   * strategy stepped on g = avg × scale.
   */
  readonly clip: ClipAtCommit | null;
  /** The weight decay this weight stepped with when the run has a no-decay parameter group (else null). */
  readonly weightDecay: number | null;
  /**
   * Lookahead sync after this commit (null: no sync at this commit). fastBeforeSync = before −
   * adjustment; slowAfter = slowBefore + α(fastBeforeSync − slowBefore) = `after`.
   */
  readonly lookahead: {
    readonly k: number;
    readonly alpha: number;
    readonly slowBefore: number;
    readonly fastBeforeSync: number;
    readonly slowAfter: number;
  } | null;
  /**
   * The optimizer timestep this weight stepped with: t, or, after a rebirth or a sanitization reset its
   * optimizer state at commit b, t − b (it restarted as a fresh optimizer's: bias corrections and the like count from there).
   */
  readonly stepT: number;
  /** A rebirth after this commit that wrote this weight (null: none): the next commit's Before is its value. */
  readonly rebirth: RebirthAtCommit | null;
  /**
   * The non-finite guard's sanitization after this commit, when this commit left the weight non-finite
   * (null: none): `after` stays the commit's own (Before − Adj, not finite), the next commit's Before is its value.
   */
  readonly sanitized: SanitizedAtCommit | null;
  /** This commit's batch held samples with a non-finite loss (null: none). */
  readonly sanitizedBatch: SanitizedBatch | null;
}

export interface WeightTrace {
  readonly kind: "weight-trace";
  readonly runId: string;
  readonly layer: number;
  readonly neuron: number;
  readonly weight: number;
  readonly t: number;
  readonly epoch: number;
  readonly batch: number;
  readonly rows: readonly LeverageRow[];
  readonly commit: CommitDetail;
  readonly strategy: StrategyInfo;
}

export interface NeuronSnapshot {
  readonly kind: "neuron-snapshot";
  readonly runId: string;
  readonly layer: number;
  readonly neuron: number;
  readonly epoch: number;
  readonly position: number;
  readonly sample: number;
  readonly batch: number;
  readonly slot: number;
  /** The commit this sample's batch went into; weights shown are those before it. */
  readonly t: number;
  readonly loss: number;
  readonly forward: {
    readonly inputs: readonly { weight: number; input: number; value: number; product: number }[];
    readonly bias: number;
    /** Σ products + bias in the engine's order: equals z. */
    readonly sum: number;
    readonly z: number;
    readonly activation: ActivationName;
    readonly a: number;
  };
  readonly blame: number;
  /** f′(z) (null on a softmax output layer, whose Jacobian is applied by the loss step). */
  readonly fPrime: number | null;
  /** Hidden neurons: W_next[k][neuron] × δ_next,k per downstream neuron k (weights before the commit). */
  readonly sources: readonly { neuron: number; weight: number; downstreamBlame: number; product: number }[] | null;
  readonly sourcesSum: number | null;
  /** Per weight of this neuron: input × blame = leverage, and the bank of the batch up to this sample. */
  readonly backprop: readonly { weight: number; input: number; blame: number; leverage: number; cumulative: number }[];
}

export type WeightAt = number | { readonly epoch: number; readonly sample: number } | { readonly epoch: number; readonly position: number };

/** Decoded sample chunk: typed-array views of one sample_chunks row. */
export interface Chunk {
  readonly first: number;
  readonly count: number;
  readonly sample: Int32Array;
  readonly loss: Float64Array;
  readonly a: Float64Array;
  readonly blame: Float64Array;
}

export interface LayerRow {
  readonly layer: number;
  readonly inputs: number;
  readonly units: number;
  readonly activation: Activation;
  readonly offset: number;
  readonly neuronOffset: number;
}

/** Everything about one run the queries need, loaded once. */
export interface RunContext {
  readonly info: RunInfo;
  readonly layers: readonly LayerRow[];
  /** col of (layer, neuron) in the sample blobs, -1 when not recorded. */
  readonly col: Int32Array[];
  /** Whether (layer, neuron)'s weight adjustments are recorded. */
  readonly weightsRecorded: Uint8Array[];
  readonly R: number;
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly dataCount: number;
  readonly inputSize: number;
  readonly targetSize: number;
  /** The strategy that replays the run (null: unknown here; see strategySource). */
  readonly strategy: Strategy | null;
  readonly strategySource: RunStrategySource;
  /** Per-weight learning rates changed during the run (setLearningRate), in commit order. */
  readonly rateChanges: readonly RateChange[];
  readonly perWeight: readonly string[];
  readonly perNeuron: readonly string[];
  readonly snapshotTs: readonly number[];
  readonly recorded: ReadonlySet<number>;
  readonly commitIndex: Map<number, number>;
  readonly trace: TraceSeries;
  /** The run's clipping / parameter groups / Lookahead, from its stored config. */
  readonly mechanisms: RunMechanisms;
  /** Those mechanisms bound to the model (null when they do not fit it: see replayError). */
  readonly replay: MechanismReplay | null;
  readonly replayError: string | null;
}
