import type { SanitizedWeights } from "./health/sanitize";
import type { LifecycleEvent } from "./lifecycle/events";
import type { TestMetrics } from "./evaluate";
import type { CommitRecord } from "./optimizers/strategy-state";
import type { Trainer } from "./trainer";

/**
 * What the engine tells observers (the recorder, progress displays, lifecycle managers). The engine
 * knows nothing of recording: with no observer it computes exactly the same and pays nothing.
 * Buffers reachable through `trainer` are only valid during the call (they are reused).
 */
export interface SampleEvent {
  readonly trainer: Trainer;
  readonly epoch: number;
  /** Position of the sample within the epoch (0-based, after shuffling). */
  readonly position: number;
  /** Index of the sample in the dataset. */
  readonly sample: number;
  /** Batch number within the epoch (0-based) and this sample's slot in it. */
  readonly batch: number;
  readonly slot: number;
  readonly loss: number;
}

export interface CommitEvent {
  readonly trainer: Trainer;
  readonly epoch: number;
  readonly batch: number;
  /** Timestep after this commit (1 on the first). */
  readonly t: number;
  /** Samples in the blame bank at the commit (a partial last batch commits its true count). */
  readonly count: number;
  /** Mean loss over the batch's samples. */
  readonly loss: number;
  /** Schedule factor applied to the per-weight learning rates. */
  readonly lrScale: number;
  /** ‖avg‖₂ over all weights (before any clipping); NaN when no observer reads the norms (`readsNorms`). */
  readonly gradNorm: number;
  /** ‖adjustment‖₂ over all weights; NaN when no observer reads the norms. */
  readonly stepNorm: number;
  /**
   * Global-norm clipping (`clip_grad_norm` c > 0): ‖avg‖₂ before clipping and the scale the strategy's
   * gradient was multiplied by, min(1, c / (‖avg‖ + 1e-6)) (torch.nn.utils.clip_grad_norm_). With
   * clipping off: clipNorm is NaN and clipScale 1.
   */
  readonly clipNorm: number;
  readonly clipScale: number;
  /**
   * Every weight's adjustment at this commit (after = before − adjustment), whether or not anybody asked
   * for commit detail: the step writes it anyway. Read-only, valid during onCommit.
   */
  readonly adjustment: Float64Array;
  /** Every per-weight intermediate value, when an observer asked for them (`wantsCommitDetail`). */
  readonly record: CommitRecord | null;
}

export interface EpochEvent {
  readonly trainer: Trainer;
  readonly epoch: number;
  /** Mean per-sample loss over the epoch. */
  readonly loss: number;
  readonly samples: number;
  readonly commits: number;
  readonly seconds: number;
  /** The test split's loss and accuracy after this epoch (null: the trainer has no test split). */
  readonly test: TestMetrics | null;
}

/**
 * Something worth a line in the run's event log: the non-finite guard, a Lookahead synchronisation
 * (after commit `t` the weights moved to slow + α(fast − slow)), learning rates changed by
 * `setLearningRate` (told once, before the first commit that uses them: `t` = commits done, the new
 * rates are `trainer.learningRates`), a loss stuck at the log(0) clamp (a warning: training goes
 * on), a lifecycle event (a neuron reborn, senescent or recovered after commit `t`; see lifecycle/events.ts).
 */
export interface TrainingNotice {
  readonly trainer: Trainer;
  readonly kind: "nonfinite" | "lookahead_sync" | "learning_rates" | "loss_clamped" | "lifecycle";
  readonly epoch: number;
  readonly position: number;
  readonly message: string;
  /** Timestep the notice belongs to (lookahead_sync: the commit after which the sync happened; learning_rates: the commit after which the rates changed). */
  readonly t?: number;
  /** kind lifecycle: what happened to which neuron, with its fitness terms. */
  readonly lifecycle?: LifecycleEvent;
  /** kind nonfinite, a commit sanitized (policy sanitize): the weights set to a value (what a replay checks and repeats). */
  readonly sanitized?: SanitizedWeights;
}

export interface TrainingObserver {
  /**
   * Ask the commit loop to keep every per-weight intermediate value (avg, audit values, rates, before):
   * costs copies and the strategy's audit writes, and forgoes its kernel. Not needed for the adjustments
   * (CommitEvent.adjustment) or the norms.
   */
  readonly wantsCommitDetail?: boolean;
  /**
   * Whether onSample or onCommit reads `trainer.bank` (the blame bank, "Pending"). Default: yes, when the
   * observer has either. When no observer reads it, the trainer takes its deferred path: it predicts a
   * block of samples at once and folds their leverage into the bank (or straight into the average) at the
   * commit — the same bits, several times faster — so the bank is not filled sample by sample. z, a,
   * blames and losses are still those of each sample at onSample. Such an observer must not change the
   * parameters during a batch (the block is predicted ahead).
   */
  readonly readsBank?: boolean;
  /**
   * Whether onCommit reads the commit's gradNorm / stepNorm. Default: yes, when the observer has onCommit.
   * Summing them costs two passes over every weight per commit; when no observer reads them they are NaN.
   */
  readonly readsNorms?: boolean;
  onSample?(e: SampleEvent): void;
  onCommit?(e: CommitEvent): void;
  onEpoch?(e: EpochEvent): void;
  onNotice?(n: TrainingNotice): void;
}
