/**
 * Typed queries about the runs of a .nfrun file, asked by a webview (the .nfrun editor, a notebook
 * renderer) and answered by the extension host's run query service (extension/runs/). Plain JSON both
 * ways: `{type: "query", id, query}` → `{type: "answer", id, result}` or `{type: "answer", id, error}`.
 * Large runs are read lazily this way: a webview asks only for what it shows.
 */
import type { RunOverlay } from "../../kernel/record/compare/types";
import type { NeuronSnapshot, NotRecorded, WeightTrace } from "../../kernel/record/reader-types";
import type { SignalsPanelsPayload } from "../../kernel/record/signal-types";
import type { WeightAddress } from "../../kernel/record/weight-refs";
import type { EpochSummary } from "../../kernel/runtime/display/epoch-summary";
import type { HealthViewPayload } from "../../kernel/runtime/display/health-view-types";
import type { EpochSummaryQuery, NeuronSnapshotQuery, WeightTraceQuery } from "./run-source";

export type { EpochSummary, HealthViewPayload, NeuronSnapshot, NotRecorded, WeightTrace };

/** One weight at commit t (the reader's weightTrace): RunSource's query, tagged. */
export type WeightTraceRequest = { readonly kind: "weightTrace" } & WeightTraceQuery;

/** One neuron for one sample (dataset index) of one epoch (the reader's neuronSnapshot): RunSource's query, tagged. */
export type NeuronSnapshotRequest = { readonly kind: "neuronSnapshot" } & NeuronSnapshotQuery;

/** One weight over one epoch (kernel/runtime/display/epoch-summary.ts: every commit's trace): RunSource's optional query, tagged. */
export type EpochSummaryRequest = { readonly kind: "epochSummary" } & EpochSummaryQuery;

/**
 * The weights of the network after commit t (t = 0: before the first commit). With `drawn` = n, only
 * those a view of at most n neurons per column draws: of the first n neurons of each layer, the weights
 * from its first n inputs and its bias (the others are null), which keeps large layers cheap to replay.
 */
export interface WeightsAfterQuery {
  readonly kind: "weightsAfter";
  readonly runId: string;
  readonly t: number;
  readonly drawn?: number;
}

/** The playback timeline of a run: its commits. */
export interface TimelineQuery {
  readonly kind: "timeline";
  readonly runId: string;
}

/** The samples of the batch that commit t committed, in position order. */
export interface BatchQuery {
  readonly kind: "batch";
  readonly runId: string;
  readonly t: number;
}

/** One sample of one epoch: its inputs, the network's prediction and its loss. */
export interface SampleQuery {
  readonly kind: "sample";
  readonly runId: string;
  readonly epoch: number;
  readonly sample: number;
}

/** A weight of the network (weight `inputs` of a neuron is its bias). */
export type { WeightAddress };

/**
 * The .nfrun editor's charts of a run: loss, learning-rate scale, gradient and step norms per commit,
 * the chosen weights' θ[t] (at most MAX_CHART_WEIGHTS), and with a test split the test loss and accuracy
 * per epoch — as plot-recipe panels (kernel/record/plot-recipe.ts).
 */
export interface SignalsQuery {
  readonly kind: "signals";
  readonly runId: string;
  readonly weights: readonly WeightAddress[];
}

export const MAX_CHART_WEIGHTS = 8;

/**
 * The health view after commit t (t = 0: before the first): loss, lifecycle and non-finite events up to
 * t, each neuron's age and stage (extension/runs/health-at.ts).
 */
export interface HealthAtQuery {
  readonly kind: "healthAt";
  readonly runId: string;
  readonly t: number;
}

/** The chart panels, and the chosen weights that were not recorded (with the reason). */
export interface RunCharts {
  readonly kind: "charts";
  readonly runId: string;
  readonly panels: SignalsPanelsPayload;
  readonly notRecorded: readonly { readonly weight: WeightAddress; readonly reason: string }[];
}

/**
 * Several runs' curves overlaid (loss, learning-rate scale, test metrics), each line named by its run's
 * name in the file (kernel/record/compare/). `runId` is the first of `runIds` (every query names a run).
 */
export interface OverlayQuery {
  readonly kind: "overlay";
  readonly runId: string;
  readonly runIds: readonly string[];
}

/** At most this many runs in one overlay query. */
export const MAX_OVERLAY_RUNS = 10;

export type RunQuery = WeightTraceRequest | NeuronSnapshotRequest | EpochSummaryRequest | WeightsAfterQuery | TimelineQuery | BatchQuery | SampleQuery | SignalsQuery | OverlayQuery | HealthAtQuery;

/** Weights after commit t in the engine's flat order (per neuron its incoming weights, then its bias); null: unknown. */
export interface WeightsAfter {
  readonly kind: "weights-after";
  readonly runId: string;
  readonly t: number;
  readonly weights: readonly (number | null)[];
}

/** A run's commits as parallel arrays (index k = the k-th commit). */
export interface PlaybackTimeline {
  readonly kind: "timeline";
  readonly runId: string;
  readonly batchSize: number;
  readonly t: readonly number[];
  readonly epoch: readonly number[];
  readonly batch: readonly number[];
  /** Samples in the batch of each commit. */
  readonly count: readonly number[];
  /** Mean loss of each commit's batch (null: not finite). */
  readonly loss: readonly (number | null)[];
  /** Epochs whose samples and adjustments are in the file. */
  readonly recordedEpochs: readonly number[];
}

/** One entry of a run's event log (reader.events without its free-form data). */
export interface TimelineEvent {
  readonly seq: number;
  readonly kind: string;
  readonly message: string;
  readonly t: number | null;
  readonly epoch: number | null;
  readonly position: number | null;
}

export interface BatchSamples {
  readonly kind: "batch";
  readonly runId: string;
  readonly t: number;
  readonly epoch: number;
  readonly batch: number;
  readonly samples: readonly { readonly position: number; readonly sample: number; readonly slot: number }[];
}

export interface SampleDetail {
  readonly kind: "sample";
  readonly runId: string;
  readonly epoch: number;
  readonly sample: number;
  readonly position: number;
  /** The commit of this sample's batch; the prediction used the weights before it. */
  readonly t: number;
  readonly loss: number;
  readonly inputs: readonly number[];
  /** The output layer's activations for this sample. */
  readonly prediction: readonly number[];
}

/** What each query kind answers. */
export interface QueryResults {
  readonly weightTrace: WeightTrace | NotRecorded;
  readonly neuronSnapshot: NeuronSnapshot | NotRecorded;
  readonly epochSummary: EpochSummary | NotRecorded;
  readonly weightsAfter: WeightsAfter;
  readonly timeline: PlaybackTimeline;
  readonly batch: BatchSamples | NotRecorded;
  readonly sample: SampleDetail | NotRecorded;
  readonly signals: RunCharts;
  readonly overlay: RunOverlay;
  readonly healthAt: HealthViewPayload;
}

export type QueryResult = QueryResults[RunQuery["kind"]];

/** A failed query: the reader's error kind (NfrunErrorKind, or `bad-query`/`unexpected`) and a plain message. */
export interface QueryError {
  readonly kind: string;
  readonly message: string;
}

export interface QueryRequest {
  readonly type: "query";
  readonly id: number;
  readonly query: RunQuery;
}

export type QueryAnswer =
  | { readonly type: "answer"; readonly id: number; readonly result: QueryResult }
  | { readonly type: "answer"; readonly id: number; readonly error: QueryError };

export function isQueryRequest(m: unknown): m is QueryRequest {
  const r = m as Partial<QueryRequest> | null;
  return !!r && typeof r === "object" && r.type === "query" && typeof r.id === "number" && !!r.query && typeof r.query === "object";
}

export function isQueryAnswer(m: unknown): m is QueryAnswer {
  const a = m as { type?: unknown; id?: unknown } | null;
  return !!a && typeof a === "object" && a.type === "answer" && typeof a.id === "number";
}
