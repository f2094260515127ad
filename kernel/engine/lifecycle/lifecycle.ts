import type { InitSpec, Model } from "../model";
import type { TrainingObserver } from "../observer";
import type { Trainer } from "../trainer";
import { NeuronActivity } from "./activity";
import type { LifecycleEvent, LifecycleEventKind, LifecycleReason } from "./events";
import { allocateFitness, evaluateFitness, type FitnessTerms } from "./fitness";
import { resolveLifecycle, type LifecycleOptions, type ResolvedLifecycle } from "./options";
import { rebirth } from "./rebirth";
import { Senescence } from "./senescence";
import { stageOf, type LifecycleStage } from "./stages";

const NONE: readonly LifecycleEvent[] = [];

/**
 * Neuron lifecycle (seed 004) for one trainer: it watches every sample's activations (handed over by the
 * trainer a predicted block at a time, `observe`) and the gradient of every K-th commit (as an observer
 * that does not read the bank, so the trainer keeps its deferred path), and at
 * every K-th commit boundary the trainer calls `afterCommit`: fitness is evaluated, senescence updated,
 * the lowest-fitness hidden neurons past maturity reborn, learning rates set by age. Output neurons age
 * and are scored but never reborn (they have no outgoing weights to zero).
 */
export class Lifecycle implements TrainingObserver {
  readonly readsBank = false;
  readonly readsNorms = false;
  readonly options: ResolvedLifecycle;
  readonly init: InitSpec;
  /** Last evaluation's fitness and terms, per flat neuron index. */
  readonly terms: FitnessTerms;
  /** Timestep at each neuron's last birth (0: the run's start), and its number of rebirths. */
  readonly bornAt: Float64Array;
  readonly rebirths: Int32Array;
  readonly senescence: Senescence | null;
  /** The commit of the last evaluation (−1: none yet); `terms` are its. */
  evaluatedAt = -1;
  private readonly activity: NeuronActivity;
  private readonly ema: Float64Array;
  /** Per layer: the replacement fraction's carry-over (continual backprop's fractional count). */
  private readonly carry: Float64Array;
  /** Learning-rate factor last applied to each neuron's incoming weights (temperature × boost). */
  private readonly rateFactor: Float64Array;

  constructor(
    private readonly model: Model,
    options: LifecycleOptions,
  ) {
    this.options = resolveLifecycle(options);
    const init = this.options.init ?? model.initSpec;
    if (!init) throw new RangeError("lifecycle.init: the model's weights were not drawn by Model.initialize (loaded weights?): give the initializer reborn neurons draw from");
    this.init = init;
    const n = model.neuronCount;
    this.terms = allocateFitness(n);
    this.bornAt = new Float64Array(n);
    this.rebirths = new Int32Array(n);
    this.senescence = this.options.senescence ? new Senescence(this.options.senescence, n) : null;
    this.activity = new NeuronActivity(model);
    this.ema = new Float64Array(n).fill(NaN);
    this.carry = new Float64Array(model.layers.length);
    this.rateFactor = new Float64Array(n).fill(1);
  }

  /** Samples' activations as they are trained (NeuronActivity.observeRows): the trainer hands them over a block at a time. */
  observe(activations: readonly Float64Array[], rows: number): void {
    this.activity.observeRows(activations, rows);
  }

  /** Neuron i's stage at timestep t. */
  stage(i: number, t: number): LifecycleStage {
    const o = this.options;
    return stageOf(t - this.bornAt[i]!, this.senescence?.senescent[i] === 1, o.maturity, o.seniority);
  }

  /** After commit t (the trainer calls it at every commit boundary): the events of this boundary. */
  afterCommit(trainer: Trainer): readonly LifecycleEvent[] {
    const t = trainer.t;
    if (t % this.options.every !== 0) return NONE;
    // grad_norm is the evaluation commit's: summing every commit's per-neuron norms cost a third of
    // 784-64-10's training time at batch 32 (docs/benchmarks.md).
    this.activity.observeCommit(trainer.state.avg);
    evaluateFitness(this.activity, this.ema, this.options, this.terms);
    this.evaluatedAt = t;
    const events: LifecycleEvent[] = [];
    const model = this.model;
    for (const l of model.layers) {
      const hidden = l.index < model.layers.length - 1;
      const doomed = new Map<number, LifecycleReason>();
      const eligible: number[] = [];
      for (let j = 0; j < l.units; j++) {
        const i = l.neuronOffset + j;
        if (t - this.bornAt[i]! < this.options.maturity) continue;
        const change = this.senescence?.update(i, this.terms.fitness[i]!, this.options.every) ?? "none";
        if (change === "senescent" || change === "recovered") events.push(this.event(change, "senescence", t, l.index, j, 0));
        if (!hidden) continue;
        if (change === "kill") doomed.set(j, "senescence");
        else if (this.options.threshold !== null && this.terms.fitness[i]! <= this.options.threshold) doomed.set(j, "threshold");
        else eligible.push(j);
      }
      if (hidden && this.options.fraction > 0) {
        this.carry[l.index] += this.options.fraction * (eligible.length + doomed.size);
        const fitness = this.terms.fitness;
        eligible.sort((a, b) => fitness[l.neuronOffset + a]! - fitness[l.neuronOffset + b]! || a - b);
        for (const j of eligible) {
          if (this.carry[l.index]! < 1) break;
          doomed.set(j, "apoptosis");
          this.carry[l.index]--;
        }
      }
      for (const [j, reason] of doomed) events.push(this.reborn(trainer, reason, t, l.index, j));
    }
    this.setRates(trainer, t);
    this.activity.clear();
    return events;
  }

  private reborn(trainer: Trainer, reason: LifecycleReason, t: number, layer: number, neuron: number): LifecycleEvent {
    const i = this.model.layers[layer]!.neuronOffset + neuron;
    const absorb = this.terms.mean[i]!;
    const event = this.event("rebirth", reason, t, layer, neuron, absorb);
    rebirth(this.model, trainer.state, this.init, this.options.seed, { layer, neuron, t, absorb }, trainer.lookahead?.slow ?? null);
    this.bornAt[i] = t;
    this.rebirths[i]++;
    this.ema[i] = NaN;
    this.senescence?.forget(i);
    return event;
  }

  private event(kind: LifecycleEventKind, reason: LifecycleReason, t: number, layer: number, neuron: number, absorbed: number): LifecycleEvent {
    const i = this.model.layers[layer]!.neuronOffset + neuron;
    const terms = this.terms;
    return {
      kind,
      reason,
      t,
      layer,
      neuron,
      age: t - this.bornAt[i]!,
      fitness: terms.fitness[i]!,
      gradNorm: terms.gradNorm[i]!,
      activationVariance: terms.activationVariance[i]!,
      stagnation: terms.stagnation[i]!,
      absorbed,
    };
  }

  /**
   * Temperature and senescence's boost on each neuron's incoming rates: lr × factor, set through the
   * trainer (so recorders hear of it) only where the factor changed.
   */
  private setRates(trainer: Trainer, t: number): void {
    const temp = this.options.temperature;
    const boost = this.options.senescence?.boost ?? 1;
    if (!temp && boost === 1) return;
    const lr = trainer.hyperparameters.lr as number;
    for (const l of this.model.layers) {
      for (let j = 0; j < l.units; j++) {
        const i = l.neuronOffset + j;
        const age = t - this.bornAt[i]!;
        const warm = temp ? 1 + (temp.start - 1) * Math.exp(-age / temp.decay) : 1;
        const factor = warm * (this.senescence?.senescent[i] ? boost : 1);
        if (factor === this.rateFactor[i]) continue;
        this.rateFactor[i] = factor;
        for (let k = 0; k <= l.inputs; k++) trainer.setLearningRate(l.index, j, k, lr * factor);
      }
    }
  }
}
