import type { Trainer } from "../engine/trainer";
import { recordsEpoch, type RecordedNeuron, type RecordingPolicy } from "./policy";
import { sampleBytes } from "./recorder-buffers";

/**
 * What a recording will weigh, estimated before training from the model, the policy and the planned
 * epochs. The writer thread holds the whole run database in memory (sql.js's WebAssembly heap) and a
 * checkpoint copies it once more, so a recording larger than MAX_RECORDING_BYTES is refused before
 * training, with this breakdown and how to record less, instead of exhausting memory mid-run.
 */
export const MAX_RECORDING_BYTES = 1 << 30;

export interface RecordingSize {
  readonly total: number;
  readonly parts: readonly { readonly what: string; readonly bytes: number }[];
}

/** Per-commit row (t, epoch, batch, count, loss, lr_scale, norms) with SQLite's record overhead. */
const COMMIT_ROW_BYTES = 80;

export interface RecordingPlan {
  readonly trainer: Trainer;
  readonly policy: RecordingPolicy;
  readonly neurons: readonly RecordedNeuron[];
  /** Planned epochs (1 when unknown: at least one epoch is recorded). */
  readonly epochs: number;
  readonly samples: number;
  readonly snapshotCommits: number;
}

export function recordingSize(p: RecordingPlan): RecordingSize {
  const model = p.trainer.model;
  const commitsPerEpoch = Math.ceil(p.samples / p.trainer.batchSize);
  const recordedEpochs = countRecordedEpochs(p.policy, p.epochs);
  const recordedCommits = recordedEpochs * commitsPerEpoch;
  let adjustedWeights = 0;
  for (const n of p.neurons) if (n.weights) adjustedWeights += model.layers[n.layer]!.inputs + 1;
  const state = p.trainer.state;
  const perSnapshot =
    8 * model.weightCount * (2 + Object.keys(state.perWeight).length + (p.trainer.lookahead ? 1 : 0)) +
    8 * model.neuronCount * Object.keys(state.perNeuron).length;
  // At each recorded epoch's start and the next epoch's, every snapshotCommits commits, and at the end.
  const snapshots = Math.min(2 * recordedEpochs, p.epochs) + Math.ceil(recordedCommits / p.snapshotCommits) + 1;
  const parts = [
    { what: "weight adjustments", bytes: 8 * adjustedWeights * recordedCommits },
    { what: "samples (activations and blames)", bytes: sampleBytes(p.neurons.length) * p.samples * recordedEpochs },
    { what: "snapshots (weights and optimizer state)", bytes: perSnapshot * snapshots },
    { what: "per-commit rows", bytes: COMMIT_ROW_BYTES * commitsPerEpoch * p.epochs },
  ];
  return { total: parts.reduce((s, x) => s + x.bytes, 0), parts };
}

/** How many of `epochs` epochs the policy records (counted, not iterated: epochs may be in the millions). */
function countRecordedEpochs(policy: RecordingPolicy, epochs: number): number {
  const e = policy.epochs ?? "all";
  if (e === "all") return epochs;
  const first = Math.min(e.first ?? 0, epochs);
  const every = e.every ?? 0;
  const multiples = every > 0 ? Math.max(0, Math.ceil(epochs / every) - Math.ceil(first / every)) : 0;
  const last = e.last && epochs > 0 && !recordsEpoch({ epochs: { first, every } }, epochs - 1, epochs) ? 1 : 0;
  return first + multiples + last;
}

/** "1.9 GB" */
export function formatBytes(bytes: number): string {
  const units = ["B", "kB", "MB", "GB", "TB"];
  let v = bytes;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${u === 0 || v >= 100 ? Math.round(v) : v.toPrecision(2)} ${units[u]}`;
}
