/**
 * Where a view gets the data its payload does not embed: one weight at one commit, one neuron for one
 * sample. Implemented over notebook renderer messaging (the extension host reads the .nfrun) and by the
 * .nfrun editor's host; a view without a source shows what is embedded and says what it cannot show.
 * Answers are the reader's own types (data only).
 */
import type { NeuronSnapshot, NotRecorded, WeightTrace } from "../../kernel/record/reader-types";
import type { EpochSummary } from "../../kernel/runtime/display/epoch-summary";

export interface WeightTraceQuery {
  readonly runId: string;
  readonly layer: number;
  readonly neuron: number;
  readonly weight: number;
  /** The commit's timestep. */
  readonly t: number;
}

export interface NeuronSnapshotQuery {
  readonly runId: string;
  readonly layer: number;
  readonly neuron: number;
  readonly epoch: number;
  /** The sample's dataset index. */
  readonly sample: number;
}

export interface EpochSummaryQuery {
  readonly runId: string;
  readonly layer: number;
  readonly neuron: number;
  readonly weight: number;
  readonly epoch: number;
}

export interface RunSource {
  weightTrace(q: WeightTraceQuery): Promise<WeightTrace | NotRecorded>;
  neuronSnapshot(q: NeuronSnapshotQuery): Promise<NeuronSnapshot | NotRecorded>;
  /** One weight over one epoch (optional: a source without it leaves the audit table's epoch summary out). */
  epochSummary?(q: EpochSummaryQuery): Promise<EpochSummary | NotRecorded>;
}
