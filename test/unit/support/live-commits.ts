import type { Model } from "../../../kernel/engine/model";
import type { TrainingNotice, TrainingObserver } from "../../../kernel/engine/observer";

/** What a live trainer did, the reference a replay from the run file must match bit for bit. */
export interface LiveCommits {
  /** Weights after each commit t (observers see it after the non-finite guard and the lifecycle; after a Lookahead sync, the synced ones). */
  readonly weights: Map<number, Float64Array>;
  /** The engine's adjustments per commit. */
  readonly adjustments: Map<number, Float64Array>;
  readonly observer: TrainingObserver;
}

/** An observer keeping the model's weights from now (t = 0) and the engine's adjustments; `notice` sees every notice too. */
export function liveCommits(model: Model, notice?: (n: TrainingNotice) => void): LiveCommits {
  const weights = new Map([[0, model.params.slice()]]);
  const adjustments = new Map<number, Float64Array>();
  const observer: TrainingObserver = {
    wantsCommitDetail: true,
    onCommit: (e) => {
      weights.set(e.t, model.params.slice());
      adjustments.set(e.t, e.record!.adjustment.slice());
    },
    onNotice: (n) => {
      if (n.kind === "lookahead_sync") weights.set(n.t!, model.params.slice());
      notice?.(n);
    },
  };
  return { weights, adjustments, observer };
}
