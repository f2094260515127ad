import { BlameStep } from "./blame";
import { clipScale, globalGradNorm } from "./clipping";
import type { Dataset } from "./datasets/dataset";
import { DEFERRED_BLOCK, DeferredBatch } from "./deferred-batch";
import { HealthMonitor, type HealthOptions } from "./health/monitor";
import { sanitizeWeights, zeroNonFinite, type NonfinitePolicy } from "./health/sanitize";
import { Lifecycle } from "./lifecycle/lifecycle";
import type { LifecycleOptions } from "./lifecycle/options";
import { evaluate, type TestMetrics } from "./evaluate";
import { Lookahead, type LookaheadOptions } from "./lookahead";
import { losses, PROBABILITY_EPS, type Loss, type LossName } from "./losses";
import { Rng } from "./math/rng";
import type { Model } from "./model";
import { lifecycleMessage } from "./lifecycle/message";
import type { TrainingNotice, TrainingObserver } from "./observer";
import { noDecayGroups, type NoDecayGroups } from "./param-groups";
import { NetworkCurvature } from "./precondition/network-curvature";
import { resolveHyperparameters } from "./optimizers/hyperparameters";
import type { HyperValue, Strategy } from "./optimizers/strategy";
import { allocateCommitRecord, StrategyState, type CommitRecord } from "./optimizers/strategy-state";

export interface TrainerOptions {
  readonly model: Model;
  readonly loss: LossName;
  readonly strategy: Strategy;
  /** User-given hyperparameters; defaults fill the rest (see resolveHyperparameters). */
  readonly hyperparameters?: Readonly<Record<string, unknown>>;
  /** Samples per micro-batch, ≥ 1 (samples per commit = batchSize × accumulateSteps). */
  readonly batchSize: number;
  /**
   * Gradient accumulation: commit every `accumulateSteps` micro-batches (default 1). The blame bank
   * simply keeps summing, and the commit divides by the total count, so this is exactly a batch of
   * batchSize × accumulateSteps samples (`trainer.batchSize` is that product).
   */
  readonly accumulateSteps?: number;
  /** Clip by global gradient norm: c > 0 scales the batch gradient by min(1, c/(‖avg‖+1e-6)); 0/absent: off. */
  readonly clipGradNorm?: number;
  /** Lookahead(k, α) around the strategy; absent: off. */
  readonly lookahead?: LookaheadOptions;
  /**
   * Parameter groups without weight decay: parameters whose name matches a pattern (see
   * param-groups.ts) step with `weight_decay` = `weightDecay` (default 0) instead of the optimizer's.
   */
  readonly noDecay?: { readonly patterns: readonly string[]; readonly weightDecay?: number };
  /** Reshuffle the sample order every epoch (seeded). Default false: samples in dataset order. */
  readonly shuffle?: boolean;
  readonly seed?: number;
  /** Learning-rate schedule: factor on the per-weight rates at timestep t (1-based) in `epoch`. */
  readonly schedule?: (t: number, epoch: number) => number;
  readonly observers?: readonly TrainingObserver[];
  /** Neuron lifecycle (fitness, apoptosis, senescence, temperature; see lifecycle/lifecycle.ts); absent: off. */
  readonly lifecycle?: LifecycleOptions;
  /**
   * Held-out samples (the test split, e.g. `splitDataset(data, 0.2).test`), evaluated after every
   * completed epoch: test loss and accuracy go to the epoch's result and observers (EpochEvent.test).
   * Evaluation only predicts: it never changes a weight or the optimizer state.
   */
  readonly test?: Dataset;
  /** Network health measures (health/monitor.ts); absent: off. */
  readonly health?: HealthOptions;
  /** The non-finite guard's policy (health/sanitize.ts): "stop" (default) or "sanitize". */
  readonly nonfinite?: NonfinitePolicy;
}

/** Commits in a row with a sample at the log(0) clamp before the trainer warns (see watchClamp). */
const CLAMP_COMMITS = 50;

export type RunStatus = "completed" | "interrupted" | "diverged";

export interface FitResult {
  readonly status: RunStatus;
  readonly epochs: number;
  /** Mean per-sample loss of the last finished epoch (a diverged run: of the samples it saw). */
  readonly loss: number;
  readonly seconds: number;
  /** Why a diverged run stopped: the non-finite guard's words (a non-finite loss, gradient or step norm). */
  readonly cause?: string;
  /** The test split's metrics after the last finished epoch (null: no test split, or no epoch finished). */
  readonly test: TestMetrics | null;
}

/** One epoch's outcome (`cause`: as in FitResult; `test`: the test split's metrics after a completed epoch). */
export interface EpochResult {
  readonly status: RunStatus;
  readonly loss: number;
  readonly cause?: string;
  readonly test: TestMetrics | null;
}

/**
 * Predict → Blame → Adjust over a dataset. Each sample is predicted, judged, blamed, and its leverage
 * added to the blame bank; when the bank holds `batchSize` samples or the epoch ends, the commit divides
 * the bank by its count and the strategy adjusts every weight.
 */
export class Trainer {
  readonly model: Model;
  readonly loss: Loss;
  readonly state: StrategyState;
  readonly hyperparameters: Readonly<Record<string, HyperValue>>;
  /** The blame bank: leverage summed over the samples of the current batch. */
  readonly bank: Float64Array;
  /** Per-weight learning rates (initially the strategy's lr). */
  readonly learningRates: Float64Array;
  readonly blame: BlameStep;
  /** Target of the last judged sample. */
  readonly target: Float64Array;
  /** Samples per commit (micro-batch size × accumulateSteps). */
  readonly batchSize: number;
  /** Samples per micro-batch, and micro-batches per commit. */
  readonly microBatchSize: number;
  readonly accumulateSteps: number;
  /** Global-norm clipping threshold c (0: off). */
  readonly clipGradNorm: number;
  readonly lookahead: Lookahead | null;
  readonly lifecycle: Lifecycle | null;
  readonly health: HealthMonitor | null;
  readonly nonfinite: NonfinitePolicy;
  /** The no-decay parameter group, its patterns and its weight decay (null: one group). */
  readonly noDecay: (NoDecayGroups & { readonly patterns: readonly string[]; readonly weightDecay: number }) | null;
  /** The test split evaluated at each epoch end (null: none). */
  readonly test: Dataset | null;
  /** The curvature refresh of a preconditioner that needs the network (Hutchinson, Fisher, Gauss–Newton); null otherwise. */
  readonly curvature: NetworkCurvature | null;
  epoch = 0;
  private readonly observers: TrainingObserver[];
  private readonly record: CommitRecord | null;
  /** The deferred path (see DeferredBatch), taken when no observer reads the bank during a batch. */
  private readonly deferred: DeferredBatch | null;
  /** Whether some observer reads a commit's norms (else the commit event carries NaN and nobody sums them). */
  private readonly readsNorms: boolean;
  private readonly rng: Rng;
  private order: Int32Array = new Int32Array(0);
  private stopRequested = false;
  /** setLearningRate changed a rate since the last commit: observers hear of it once, at the next commit. */
  private ratesChanged = false;
  /** A sample's loss at or above this sits at the loss's log(0) clamp (Infinity: the loss has none). */
  private readonly clampedLoss: number;
  /** Commits in a row with a sample at the clamp; the warning is given once per run. */
  private clampedCommits = 0;
  private clampWarned = false;
  /** The batch being banked holds a non-finite loss (sanitize policy): its non-finite gradient entries count as 0. */
  private poisoned = false;

  constructor(private readonly options: TrainerOptions) {
    const { model, strategy } = options;
    this.model = model;
    const loss = Object.hasOwn(losses, options.loss) ? losses[options.loss] : undefined;
    if (!loss) throw new RangeError(`loss: unknown '${options.loss}'`);
    const softmaxOut = model.outputLayer.activation.name === "softmax";
    if (loss.name === "cce" && !softmaxOut) {
      throw new RangeError("loss: cce (categorical cross-entropy) needs a softmax output layer");
    }
    this.loss = loss;
    this.clampedLoss = loss.clampedAt?.(model.outputs) ?? Infinity;
    if (!Number.isInteger(options.batchSize) || options.batchSize < 1) {
      throw new RangeError(`batch_size: must be an integer ≥ 1, got ${options.batchSize}`);
    }
    const accumulate = options.accumulateSteps ?? 1;
    if (!Number.isInteger(accumulate) || accumulate < 1) {
      throw new RangeError(`accumulate_steps: must be an integer ≥ 1, got ${accumulate}`);
    }
    this.microBatchSize = options.batchSize;
    this.accumulateSteps = accumulate;
    this.batchSize = options.batchSize * accumulate;
    const clip = options.clipGradNorm ?? 0;
    if (!(clip >= 0) || !Number.isFinite(clip)) throw new RangeError(`clip_grad_norm: must be a finite number ≥ 0, got ${clip}`);
    this.clipGradNorm = clip;
    this.hyperparameters = resolveHyperparameters(strategy, options.hyperparameters ?? {});
    this.state = new StrategyState(strategy, this.hyperparameters, model.weightCount, model.neuronOfWeight, model.neuronCount, model.arena);
    this.lookahead = options.lookahead ? new Lookahead(options.lookahead, model.weightCount) : null;
    this.noDecay = null;
    if (options.noDecay && options.noDecay.patterns.length > 0) {
      if (!("weight_decay" in this.hyperparameters)) {
        throw new RangeError(`no_decay_patterns: ${strategy.name} has no weight_decay hyperparameter`);
      }
      const wd = options.noDecay.weightDecay ?? 0;
      if (!(wd >= 0) || !Number.isFinite(wd)) throw new RangeError(`override_no_decay_weight: must be a finite number ≥ 0, got ${wd}`);
      this.noDecay = { ...noDecayGroups(model, options.noDecay.patterns), patterns: [...options.noDecay.patterns], weightDecay: wd };
      this.state.useParamGroups(this.noDecay.mask, [this.hyperparameters, { ...this.hyperparameters, weight_decay: wd }]);
    }
    this.test = options.test ?? null;
    if (this.test) checkShape(this.test, model, "test");
    this.curvature = NetworkCurvature.of(strategy, model, loss, this.hyperparameters);
    this.bank = model.arena.alloc(model.weightCount);
    this.learningRates = model.arena.alloc(model.weightCount).fill(this.hyperparameters.lr as number);
    this.blame = new BlameStep(model, loss);
    this.target = new Float64Array(model.outputs);
    this.lifecycle = options.lifecycle ? new Lifecycle(model, options.lifecycle) : null;
    this.health = options.health ? new HealthMonitor(model, options.health) : null;
    this.nonfinite = options.nonfinite ?? "stop";
    if (this.nonfinite !== "stop" && this.nonfinite !== "sanitize") throw new RangeError(`health.nonfinite: must be stop or sanitize, got '${String(this.nonfinite)}'`);
    // The mechanisms first: a recorder's onCommit then sees this commit's health measure.
    this.observers = [...(this.health ? [this.health] : []), ...(this.lifecycle ? [this.lifecycle] : []), ...(options.observers ?? [])];
    this.record = this.observers.some((o) => o.wantsCommitDetail)
      ? allocateCommitRecord(model.weightCount, strategy.audit.length)
      : null;
    this.readsNorms = this.observers.some((o) => o.onCommit && o.readsNorms !== false);
    this.deferred = this.observers.every((o) => o.readsBank === false || (!o.onSample && !o.onCommit))
      ? new DeferredBatch(model, this.blame, Math.min(DEFERRED_BLOCK, this.batchSize))
      : null;
    this.rng = new Rng((options.seed ?? 0) ^ 0x5eed);
  }

  get strategy(): Strategy {
    return this.state.strategy;
  }

  /** Timestep: commits so far. */
  get t(): number {
    return this.state.t;
  }

  /** Sets one weight's learning rate (weight `inputs` of a neuron is its bias). */
  setLearningRate(layer: number, neuron: number, weight: number, lr: number): void {
    if (!(lr >= 0) || !Number.isFinite(lr)) throw new RangeError(`learning rate must be a finite number ≥ 0, got ${lr}`);
    this.learningRates[this.model.weightIndex(layer, neuron, weight)] = lr;
    this.ratesChanged = true;
  }

  /** Asks a running `fit`/`trainEpoch` to stop after the current sample (the partial batch is not committed). */
  requestStop(): void {
    this.stopRequested = true;
  }

  /** Trains `epochs` epochs, or until stopped or diverged. */
  fit(data: Dataset, epochs: number): FitResult {
    if (!Number.isInteger(epochs) || epochs < 1) throw new RangeError(`epochs: must be an integer ≥ 1, got ${epochs}`);
    const start = performance.now();
    let loss = NaN;
    let status: RunStatus = "completed";
    let done = 0;
    let cause: string | undefined;
    let test: TestMetrics | null = null;
    for (let e = 0; e < epochs; e++) {
      const result = this.trainEpoch(data);
      if (result.status !== "completed") {
        status = result.status;
        cause = result.cause;
        break;
      }
      loss = result.loss;
      test = result.test;
      done++;
    }
    return { status, epochs: done, loss, seconds: (performance.now() - start) / 1000, ...(cause ? { cause } : {}), test };
  }

  /** One pass over the data. */
  trainEpoch(data: Dataset): EpochResult {
    const model = this.model;
    checkShape(data, model, "data");
    const started = performance.now();
    const epoch = this.epoch;
    const n = data.count;
    if (this.order.length !== n) this.order = Int32Array.from({ length: n }, (_, i) => i);
    else for (let i = 0; i < n; i++) this.order[i] = i;
    if (this.options.shuffle) this.rng.shuffle(this.order);

    const observers = this.observers;
    const hasObservers = observers.length > 0;
    const sampleObservers = observers.filter((o) => o.onSample);
    const batchSize = this.batchSize;
    const bank = this.bank;
    bank.fill(0);
    const deferred = this.deferred;
    // Deferred path: samples of the current block judged but not yet folded into the bank.
    let unfolded = 0;
    let epochLoss = 0;
    let batchLoss = 0;
    /** Samples of the batch whose loss is in batchLoss (sanitize leaves the non-finite ones out). */
    let batchFinite = 0;
    let count = 0;
    let batch = 0;
    let commits = 0;
    let clamped = 0;
    let skipped = 0;
    const clampedLoss = this.clampedLoss;
    for (let position = 0; position < n; position++) {
      if (this.stopRequested) {
        this.stopRequested = false;
        if (deferred) this.fold(deferred, unfolded, unfolded, bank, bank, 1);
        return { status: "interrupted", loss: epochLoss / Math.max(1, position), test: null };
      }
      const sample = this.order[position]!;
      let loss: number;
      if (deferred) {
        if (unfolded === deferred.rows) {
          // The block is used up: bank it (it belongs to a batch larger than one block) and predict the next.
          if (unfolded > 0) this.fold(deferred, unfolded, unfolded, bank, bank, 1);
          deferred.predict(data, this.order, position, Math.min(deferred.capacity, batchSize - count, n - position));
          unfolded = 0;
        }
        deferred.recall(unfolded);
        loss = this.blame.judge(data.targets, sample * data.targetSize, this.target);
        deferred.keep(unfolded++);
      } else {
        model.predict(data.inputs, sample * data.inputSize);
        loss = this.blame.run(data.targets, sample * data.targetSize, this.target, bank);
      }
      if (!Number.isFinite(loss)) {
        const cause = `loss is ${loss} at epoch ${epoch}, sample ${sample}`;
        if (this.nonfinite === "sanitize") {
          this.poisoned = true;
          skipped++;
          this.notify({ kind: "nonfinite", epoch, position, message: `${cause}; sanitized: left out of the loss, its batch's non-finite gradient entries count as 0` });
        } else {
          // The diverging sample is not trained on: the lifecycle and health do not see it.
          if (deferred) this.fold(deferred, unfolded, unfolded - 1, bank, bank, 1);
          this.notify({ kind: "nonfinite", epoch, position, message: cause });
          return { status: "diverged", loss, cause, test: null };
        }
      } else {
        epochLoss += loss;
        batchLoss += loss;
        batchFinite++;
      }
      if (loss >= clampedLoss) clamped++;
      const slot = count++;
      if (!deferred) this.watch(model.a, 1);
      for (const o of sampleObservers) o.onSample!({ trainer: this, epoch, position, sample, batch, slot, loss });
      if (count === batchSize || position === n - 1) {
        // Deferred: the last block goes straight into avg = (bank + Σ leverage) / count.
        // The bank holds earlier blocks of this batch only when the batch is larger than its last block.
        const banked = !deferred || count > unfolded;
        if (deferred) this.fold(deferred, unfolded, unfolded, banked ? bank : null, this.state.avg, count);
        unfolded = 0;
        // The curvature at the weights before this commit, over its batch's samples.
        this.curvature?.refresh(this.state, model.params, data, this.order.subarray(position + 1 - count, position + 1));
        const cause = this.commit(epoch, batch, count, batchLoss / batchFinite, !deferred, banked);
        if (cause !== null) return { status: "diverged", loss: epochLoss / (position + 1), cause, test: null };
        this.watchClamp(epoch, clamped > 0);
        clamped = 0;
        commits++;
        batch++;
        count = 0;
        batchLoss = 0;
        batchFinite = 0;
      }
    }
    const meanLoss = epochLoss / (n - skipped);
    this.epoch++;
    const test = this.test ? evaluate(model, this.loss, this.test) : null;
    if (hasObservers) {
      const seconds = (performance.now() - started) / 1000;
      for (const o of observers) o.onEpoch?.({ trainer: this, epoch, loss: meanLoss, samples: n, commits, seconds, test });
    }
    return { status: "completed", loss: meanLoss, test };
  }

  /**
   * The lifecycle and health take samples' activations (per layer, rows × units) as they are trained:
   * a deferred block's at once when it is folded, else each sample's (model.a), instead of an event per sample.
   */
  private watch(activations: readonly Float64Array[], rows: number): void {
    this.lifecycle?.observe(activations, rows);
    this.health?.observe(activations, rows, this.state.t);
  }

  /** DeferredBatch.fold of the block's first `rows` samples, after the lifecycle and health saw the first `watched`. */
  private fold(deferred: DeferredBatch, rows: number, watched: number, from: Float64Array | null, out: Float64Array, divisor: number): void {
    this.watch(deferred.activations, watched);
    deferred.fold(rows, from, out, divisor);
  }

  /**
   * Adjust: avg = bank / count (clipped by the global norm when asked), the strategy steps every
   * weight, then Lookahead may sync; returns why when the step went non-finite (null: it did not). `fromBank` false: the
   * deferred path has already put avg in `state.avg`; `banked` false: the bank was not touched (all zero).
   */
  private commit(epoch: number, batch: number, count: number, loss: number, fromBank: boolean, banked: boolean): string | null {
    const state = this.state;
    const params = this.model.params;
    const t = state.t + 1;
    const lrScale = this.options.schedule ? this.options.schedule(t, epoch) : 1;
    if (this.poisoned) {
      this.poisoned = false;
      zeroNonFinite(fromBank ? this.bank : state.avg);
    }
    let clipNorm = NaN;
    let scale = 1;
    if (this.clipGradNorm > 0) {
      // avg / 1 = avg: the same sum of the same squares in the same order.
      clipNorm = fromBank ? globalGradNorm(this.bank, count) : globalGradNorm(state.avg, 1);
      scale = clipScale(clipNorm, this.clipGradNorm);
    }
    if (this.ratesChanged) {
      this.ratesChanged = false;
      this.notify({ kind: "learning_rates", epoch, position: -1, t: state.t, message: `learning rates changed (setLearningRate) before commit t=${t}` });
    }
    this.lookahead?.beforeCommit(params, t);
    if (fromBank) state.commit(params, this.bank, count, this.learningRates, lrScale, this.record, scale);
    else state.commitAverage(params, this.learningRates, lrScale, this.record, scale);
    const finite = state.normsFinite;
    const cause = finite ? null : `commit t=${state.t} produced a non-finite ${Number.isFinite(state.gradNorm) ? "step" : "gradient"} norm`;
    if (cause !== null && this.nonfinite === "sanitize") {
      // Before observers see the commit: a recorder's snapshot holds the weights the run goes on with, as verify replays them.
      const sanitized = sanitizeWeights(params, state, this.lookahead?.slow ?? null);
      const message = `${cause}; sanitized: ${sanitized.weights.length} non-finite weights set to ${sanitized.value}, their optimizer state reset`;
      this.notify({ kind: "nonfinite", epoch, position: -1, t: state.t, message, sanitized });
    }
    // The lifecycle acts at the boundary before observers see the commit: a recorder's snapshot after
    // commit t then holds the reborn weights, as a replay has them (kernel/record/lifecycle-replay.ts).
    if (this.lifecycle && finite) {
      for (const event of this.lifecycle.afterCommit(this)) {
        this.notify({ kind: "lifecycle", epoch, position: -1, t: state.t, message: lifecycleMessage(event), lifecycle: event });
      }
    }
    if (this.observers.length > 0) {
      const e = {
        trainer: this,
        epoch,
        batch,
        t: state.t,
        count,
        loss,
        lrScale,
        gradNorm: this.readsNorms ? state.gradNorm : NaN,
        stepNorm: this.readsNorms ? state.stepNorm : NaN,
        clipNorm,
        clipScale: scale,
        adjustment: state.adjustments,
        record: this.record,
      };
      for (const o of this.observers) o.onCommit?.(e);
    }
    // Emptied only after observers saw the batch total.
    if (banked) this.bank.fill(0);
    if (cause !== null && this.nonfinite === "stop") {
      this.notify({ kind: "nonfinite", epoch, position: -1, message: cause });
      return cause;
    }
    const lookahead = this.lookahead;
    if (lookahead && lookahead.afterCommit(params, state.t)) {
      this.notify({
        kind: "lookahead_sync",
        epoch,
        position: -1,
        t: state.t,
        message: `lookahead sync after commit t=${state.t}: slow ← slow + ${lookahead.alpha}·(fast − slow), fast ← slow (k=${lookahead.k})`,
      });
    }
    return null;
  }

  /**
   * A loss stuck at the log(0) clamp: some sample's prediction has saturated at 0 or 1 on the wrong side
   * for CLAMP_COMMITS commits in a row. Its loss then stays at −log ε whatever the error, and the
   * saturated activation passes no gradient back, so training cannot correct it: a warning, not a stop.
   */
  private watchClamp(epoch: number, clamped: boolean): void {
    this.clampedCommits = clamped ? this.clampedCommits + 1 : 0;
    if (this.clampedCommits < CLAMP_COMMITS || this.clampWarned) return;
    this.clampWarned = true;
    this.notify({
      kind: "loss_clamped",
      epoch,
      position: -1,
      t: this.state.t,
      message:
        `loss stuck at the log(0) clamp for ${CLAMP_COMMITS} commits (up to t=${this.state.t}): predictions saturated at 0 or 1 on the wrong side, ` +
        `where the loss stays −log(${PROBABILITY_EPS}) and no gradient flows back. Try a smaller learning rate (optimizer.lr) or scaled data (scale).`,
    });
  }

  private notify(n: Omit<TrainingNotice, "trainer">): void {
    const notice = { trainer: this, ...n };
    for (const o of this.observers) o.onNotice?.(notice);
  }
}

/** A dataset must fit the model: as many inputs and targets per sample as it has inputs and outputs. */
function checkShape(data: Dataset, model: Model, field: "data" | "test"): void {
  if (data.inputSize !== model.spec.inputs) {
    throw new RangeError(`${field}: ${data.inputSize} inputs per sample but the model takes ${model.spec.inputs}`);
  }
  if (data.targetSize !== model.outputs) {
    throw new RangeError(`${field}: ${data.targetSize} targets per sample but the model has ${model.outputs} outputs`);
  }
}
