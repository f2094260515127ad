import { NeuronActivity } from "../lifecycle/activity";
import type { Model } from "../model";
import type { CommitEvent, TrainingObserver } from "../observer";
import { dormantFraction } from "./dormant";
import { summarize, type ValueSummary } from "./summary";

export interface HealthOptions {
  /** Measure every `every` commits. Default 50 (a measure of 784-64-10 costs about 4 commits of batch 32). */
  readonly every?: number;
  /** ReDo's τ: a neuron is dormant when its share of the layer's mean |activation| is ≤ τ. Default 0. */
  readonly dormantThreshold?: number;
}

/** One layer's health after commit t (activations and dormancy over that commit's batch). */
export interface LayerHealth {
  readonly t: number;
  readonly layer: number;
  readonly weights: ValueSummary;
  /** The commit's batch-average gradient of the layer's weights. */
  readonly gradients: ValueSummary;
  /** Mean and std of the layer's activations over the commit's samples (all neurons pooled). */
  readonly activationMean: number;
  readonly activationStd: number;
  readonly dormant: number;
}

export function resolveHealth(o: HealthOptions): Required<HealthOptions> {
  const every = o.every ?? 50;
  if (!Number.isInteger(every) || every < 1) throw new RangeError(`health.every: must be an integer ≥ 1, got ${every}`);
  const tau = o.dormantThreshold ?? 0;
  if (!(Number.isFinite(tau) && tau >= 0)) throw new RangeError(`health.dormant_threshold: must be a finite number ≥ 0, got ${tau}`);
  return { every, dormantThreshold: tau };
}

/**
 * Network health (seed 004, Phase 6): every `every` commits, per layer, the weights' and gradients'
 * distributions (zero/NaN/Inf counts, mean, std, TensorBoard's nine percentiles, a histogram), the
 * activations' mean and std and ReDo's dormant fraction over the measured commit's batch. It only reads, so it does not read the bank and
 * the trainer keeps its deferred path. Listeners hear each measure (recorders, live views).
 */
export class HealthMonitor implements TrainingObserver {
  readonly readsBank = false;
  readonly readsNorms = false;
  readonly options: Required<HealthOptions>;
  /** The last measure, one entry per layer (empty before the first). */
  latest: readonly LayerHealth[] = [];
  private readonly listeners: ((health: readonly LayerHealth[]) => void)[] = [];
  private readonly activity: NeuronActivity;

  constructor(
    private readonly model: Model,
    options: HealthOptions,
  ) {
    this.options = resolveHealth(options);
    this.activity = new NeuronActivity(model);
  }

  listen(listener: (health: readonly LayerHealth[]) => void): void {
    this.listeners.push(listener);
  }

  /**
   * Samples' activations as they are trained, before commit t + 1 (the trainer hands them over a block
   * at a time): only a measured commit's (ReDo scores dormancy on one batch), so most cost nothing.
   */
  observe(activations: readonly Float64Array[], rows: number, t: number): void {
    if ((t + 1) % this.options.every === 0) this.activity.observeRows(activations, rows);
  }

  onCommit(e: CommitEvent): void {
    if (e.t % this.options.every !== 0) return;
    const model = this.model;
    const avg = e.trainer.state.avg;
    const activity = this.activity;
    this.latest = model.layers.map((l) => {
      const from = l.offset;
      const to = l.offset + l.units * (l.inputs + 1);
      let sum = 0;
      let squares = 0;
      for (let j = 0; j < l.units; j++) {
        sum += activity.sum[l.neuronOffset + j]!;
        squares += activity.sumSquares[l.neuronOffset + j]!;
      }
      const n = activity.samples * l.units;
      const mean = sum / n;
      return {
        t: e.t,
        layer: l.index,
        weights: summarize(model.params.subarray(from, to)),
        gradients: summarize(avg.subarray(from, to)),
        activationMean: mean,
        activationStd: Math.sqrt(Math.max(0, squares / n - mean * mean)),
        dormant: dormantFraction(activity, l, this.options.dormantThreshold),
      };
    });
    activity.clear();
    for (const listener of this.listeners) listener(this.latest);
  }
}
