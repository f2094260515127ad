import type { Arena } from "../math/arena";
import { cohortGlobal, Cohorts, initialGlobal } from "./cohorts";
import { StepScope, type HyperValue, type KernelCall, type Strategy } from "./strategy";

/**
 * Weights per `step` call: the values the framework's passes (avg from the bank, scaled copies, the
 * record) write for one chunk are still in the L1 cache when the strategy reads them; one call per chunk
 * costs nothing next to the chunk's work.
 */
const CHUNK = 512;

/** Where the framework writes a commit's per-weight details when somebody is listening. */
export interface CommitRecord {
  /** Batch-average gradient per weight (Avg). */
  readonly avg: Float64Array;
  /** The strategy's audit values, `audit.length` per weight, weight-major. */
  readonly audit: Float64Array;
  readonly lr: Float64Array;
  readonly adjustment: Float64Array;
  readonly before: Float64Array;
}

export function allocateCommitRecord(weightCount: number, auditCount: number): CommitRecord {
  return {
    avg: new Float64Array(weightCount),
    audit: new Float64Array(weightCount * auditCount),
    lr: new Float64Array(weightCount),
    adjustment: new Float64Array(weightCount),
    before: new Float64Array(weightCount),
  };
}

/**
 * A strategy bound to a model: the state it declared, allocated by the framework, and the timestep.
 * `commit` applies one optimizer step to every weight from the blame bank: through the strategy's
 * WebAssembly kernel when it has one, nobody records the commit and every array is in the arena;
 * otherwise through its `step`.
 */
export class StrategyState {
  t = 0;
  /** The last commit's avg and adjustment arrays, for its norms (summed when first read). */
  private lastAvg: Float64Array | null = null;
  private lastAdjustment: Float64Array | null = null;
  private norms = { grad: 0, step: 0 };
  /** Whether the last commit had an avg or adjustment so large (or non-finite) that a norm may not be finite. */
  private outsized = false;
  private readonly s: StepScope;
  /**
   * The batch-average gradient of the commit being made, avg = bank / count: `commit` fills it from the
   * bank; the trainer's deferred path folds a batch's leverage straight into it and calls `commitAverage`.
   */
  readonly avg: Float64Array;
  /**
   * The step's other per-weight inputs and output when nobody records: g = avg × the clipping scale (avg
   * itself when the scale is 1), rate = lr × schedule (lr itself when the factor is 1).
   */
  private readonly g: Float64Array;
  private readonly rate: Float64Array;
  private readonly adjustment: Float64Array;
  /** The sumSquares2 kernel's two results. */
  private sums: Float64Array | null = null;
  /** The strategy kernel's call (byte addresses, t, h), made at the first commit that uses it. */
  private call: Mutable<KernelCall<Record<string, HyperValue>, string>> | null = null;
  /** Parameter groups: groupOf[i] indexes groupH (null: every weight uses `h`). */
  private groupOf: Uint8Array | null = null;
  private groupH: readonly Readonly<Record<string, HyperValue>>[] = [];
  /** The run's global state (the step scope's own while no cohort steps). */
  private readonly runGlobal: Record<string, number>;
  /** Weights whose state was reset mid-run step as a fresh optimizer would (./cohorts). */
  private readonly cohorts: Cohorts;

  constructor(
    readonly strategy: Strategy,
    readonly h: Readonly<Record<string, HyperValue>>,
    readonly weightCount: number,
    /** neuronOfWeight[i] = flat index of the neuron owning weight i. */
    readonly neuronOfWeight: Int32Array,
    readonly neuronCount: number,
    /**
     * The trainer's: the model's arena, where the per-weight arrays are then allocated, so that the
     * strategy's kernel (if it has one) can step them. Without it (replay) every commit uses `step`.
     */
    private readonly arena: Arena | null = null,
  ) {
    const alloc = (n: number): Float64Array => (arena ? arena.alloc(n) : new Float64Array(n));
    const w: Record<string, Float64Array> = {};
    const n: Record<string, Float64Array> = {};
    const global: Record<string, number> = {};
    for (const name of strategy.state?.perWeight ?? []) w[name] = alloc(weightCount);
    for (const name of strategy.state?.perNeuron ?? []) n[name] = new Float64Array(neuronCount);
    for (const name of strategy.state?.global ?? []) global[name] = 0;
    this.avg = alloc(weightCount);
    this.g = alloc(weightCount);
    this.rate = alloc(weightCount);
    this.adjustment = alloc(weightCount);
    this.runGlobal = global;
    this.cohorts = new Cohorts(weightCount);
    this.s = new StepScope(this.g, this.g, this.rate, null, this.adjustment, h, w, n, global, neuronOfWeight);
    this.reset();
  }

  /** Every weight's adjustment at the last commit (the commit record's array when one was kept). */
  get adjustments(): Float64Array {
    return this.s.adjustment;
  }

  /** ‖avg‖₂ over all weights at the last commit (summed in weight order). */
  get gradNorm(): number {
    this.sumNorms();
    return this.norms.grad;
  }

  /** ‖adjustment‖₂ over all weights at the last commit (summed in weight order). */
  get stepNorm(): number {
    this.sumNorms();
    return this.norms.step;
  }

  /**
   * Whether both norms of the last commit are finite — the divergence guard. Decided without summing
   * when every avg and adjustment was below 1e140 (their squares then add up to far less than the largest
   * float64), so the per-weight loop carries no addition chain when nobody reads the norms.
   */
  get normsFinite(): boolean {
    return !this.outsized || (Number.isFinite(this.gradNorm) && Number.isFinite(this.stepNorm));
  }

  private sumNorms(): void {
    const avg = this.lastAvg;
    const adjustment = this.lastAdjustment;
    if (!avg || !adjustment) return;
    let g2 = 0;
    let a2 = 0;
    const arena = this.arena;
    if (arena && arena.owns(avg) && arena.owns(adjustment)) {
      // The same sums in the same order as the loop below, without V8's per-access typed-array checks.
      const out = (this.sums ??= arena.alloc(2));
      arena.kernels.sumSquares2(avg.byteOffset, adjustment.byteOffset, this.weightCount, out.byteOffset);
      g2 = out[0]!;
      a2 = out[1]!;
    } else {
      for (let i = 0, n = this.weightCount; i < n; i++) {
        const v = avg[i]!;
        const a = adjustment[i]!;
        g2 += v * v;
        a2 += a * a;
      }
    }
    this.norms = { grad: Math.sqrt(g2), step: Math.sqrt(a2) };
    this.lastAvg = null;
    this.lastAdjustment = null;
  }

  get auditColumns(): readonly string[] {
    return this.strategy.audit;
  }

  /** State arrays by name (per weight, then per neuron), for recording and inspection. */
  get perWeight(): Readonly<Record<string, Float64Array>> {
    return this.s.w;
  }
  get perNeuron(): Readonly<Record<string, Float64Array>> {
    return this.s.n;
  }
  get global(): Readonly<Record<string, number>> {
    return this.runGlobal;
  }

  /** Back to the state at run start: t = 0 and every state value at its declared initial value. */
  reset(): void {
    this.t = 0;
    const initial = this.strategy.state?.initial?.(this.h) ?? {};
    for (const [name, arr] of Object.entries(this.s.w)) arr.fill(initial[name] ?? 0);
    for (const [name, arr] of Object.entries(this.s.n)) arr.fill(initial[name] ?? 0);
    Object.assign(this.runGlobal, initialGlobal(this.strategy, this.h));
    this.cohorts.clear();
  }

  /**
   * PyTorch-style parameter groups: weight i steps with hyperparameters `groups[groupOf[i]]` instead of
   * `h` (group 0 is normally `h` itself). `prepare` still sees `h`, so groups may differ only in values
   * the per-weight step reads (weight decay is the use: no decay for biases). null: one group.
   */
  useParamGroups(groupOf: Uint8Array | null, groups: readonly Readonly<Record<string, HyperValue>>[] = []): void {
    if (groupOf && groupOf.length !== this.weightCount) throw new RangeError(`param groups: ${groupOf.length} entries for ${this.weightCount} weights`);
    if (groupOf) for (const g of groupOf) if (!groups[g]) throw new RangeError(`param groups: no hyperparameters for group ${g}`);
    this.groupOf = groupOf;
    this.groupH = groups;
  }

  /** The hyperparameters weight i steps with (its parameter group's). */
  hyperparametersOf(i: number): Readonly<Record<string, HyperValue>> {
    return this.groupOf ? this.groupH[this.groupOf[i]!]! : this.h;
  }

  /**
   * Resets the optimizer state of the given weights after the current commit (a neuron reborn by the
   * lifecycle, a sanitized weight): their per-weight state back to its start, and from the next commit on
   * they step as a fresh optimizer would — timestep 1, 2, … and their own global state (./cohorts).
   */
  resetWeights(indices: Iterable<number>): void {
    const list = [...indices];
    const initial = this.strategy.state?.initial?.(this.h) ?? {};
    for (const [name, arr] of Object.entries(this.s.w)) {
      const value = initial[name] ?? 0;
      for (const i of list) arr[i] = value;
    }
    if (this.readsTimestep()) this.cohorts.assign(list, this.t, () => initialGlobal(this.strategy, this.h));
  }

  /** Whether some parameter group's step reads t or global state (else resets need no cohorts). */
  private readsTimestep(): boolean {
    const reads = this.strategy.readsTimestep;
    return !reads || [this.h, ...this.groupH].some(reads);
  }

  /** The commits after which the cohorts of reset weights were born (their own timestep at run commit t is t − born). */
  get cohortBirths(): readonly number[] {
    return this.cohorts.births;
  }

  /**
   * For a replay restored at timestep `t` (from a snapshot, which holds the state arrays): the cohorts of
   * the run's resets after commits ≤ t, in the order they happened, with the global state each has at t.
   */
  restoreResets(resets: Iterable<{ readonly t: number; readonly weights: readonly number[] }>): void {
    this.cohorts.clear();
    if (this.readsTimestep()) for (const r of resets) if (r.t <= this.t) this.cohorts.assign(r.weights, r.t, () => ({}));
    this.cohorts.settle();
    for (const c of this.cohorts.list) Object.assign(c.global, cohortGlobal(this.strategy, this.h, c.born, this.t));
  }

  /**
   * One commit. For every weight i: avg = bank[i] / count, the strategy's step computes the adjustment,
   * params[i] = before − adjustment. `lrScale` is the schedule's factor on the per-weight rates.
   * `gradScale` (global-norm clipping) multiplies the gradient the strategy sees: g = avg × gradScale,
   * while `record.avg` and `gradNorm` stay bank / count. When `record` is given every intermediate
   * value lands there; otherwise nothing is kept.
   */
  commit(
    params: Float64Array,
    bank: Float64Array,
    count: number,
    lr: Float64Array,
    lrScale: number,
    record: CommitRecord | null,
    gradScale = 1,
  ): void {
    this.stepAll(params, bank, count, lr, lrScale, record, gradScale);
  }

  /** `commit` with `avg` already filled (bank / count) by the caller. */
  commitAverage(params: Float64Array, lr: Float64Array, lrScale: number, record: CommitRecord | null, gradScale = 1): void {
    this.stepAll(params, null, 1, lr, lrScale, record, gradScale);
  }

  /**
   * The strategy steps a chunk of weights per call (a run of one parameter group at most), after the
   * framework's passes over the same chunk that are needed: avg from the bank (unless given), g and the
   * rates when a scale is not 1, the record's copies. The step applies each adjustment itself (`adjust`),
   * in the same loop as its math.
   */
  private stepAll(
    params: Float64Array,
    bank: Float64Array | null,
    count: number,
    lr: Float64Array,
    lrScale: number,
    record: CommitRecord | null,
    gradScale: number,
  ): void {
    const strategy = this.strategy;
    const step = strategy.step;
    const s = this.s;
    const t = ++this.t;
    s.t = t;
    strategy.prepare?.({ h: this.h, t, global: this.runGlobal });
    this.cohorts.prepare(strategy, this.h, t);
    const avg = this.avg;
    // × 1 changes no bit, so the copies are skipped when the scale or the factor is 1.
    const g = gradScale === 1 ? avg : this.g;
    const rate = record ? record.lr : lrScale === 1 ? lr : this.rate;
    s.g = g;
    s.theta = params;
    s.lr = rate;
    s.adjustment = record ? record.adjustment : this.adjustment;
    s.audit = record ? record.audit : null;
    s.outsized = false;
    const kernel = strategy.kernel && !record ? this.kernelCall(params, g, rate) : null;
    const scaled = g !== avg;
    const rated = rate !== lr;
    const copies = scaled || rated || record !== null;
    let g2 = 0;
    let a2 = 0;
    const groupOf = this.groupOf;
    const groupH = this.groupH;
    // With nothing to do per chunk before the kernel, one call steps every weight.
    const chunk = kernel && !bank && !copies && !groupOf ? this.weightCount : CHUNK;
    const cohorts = this.cohorts.list;
    for (const segment of this.cohorts.segments) {
      // A cohort's weights step with its own timestep and global state (./cohorts).
      const cohort = segment.cohort < 0 ? null : cohorts[segment.cohort]!;
      s.t = cohort ? t - cohort.born : t;
      s.global = cohort ? cohort.global : this.runGlobal;
      if (kernel) kernel.t = s.t;
      for (let from = segment.from, n = segment.to; from < n; ) {
        let to = Math.min(n, from + chunk);
        if (groupOf) {
          const group = groupOf[from]!;
          for (let i = from + 1; i < to; i++) {
            if (groupOf[i] !== group) {
              to = i;
              break;
            }
          }
          s.h = groupH[group]!;
        }
        if (bank) for (let i = from; i < to; i++) avg[i] = bank[i]! / count;
        if (copies) {
          // One pass for whatever else the chunk needs before the step: g, the rates, the record's copies.
          for (let i = from; i < to; i++) {
            const v = avg[i]!;
            if (scaled) {
              g[i] = v * gradScale;
              // `adjust` checks g; avg is checked here (see StepScope).
              if (!(v * v < 1e280)) s.outsized = true;
            }
            if (rated) rate[i] = lr[i]! * lrScale;
            if (record) {
              record.avg[i] = v;
              record.before[i] = params[i]!;
            }
          }
        }
        if (kernel) {
          kernel.h = s.h;
          if (strategy.kernel!(kernel, from, to)) s.outsized = true;
        } else step(s, from, to);
        if (record) {
          // Somebody records, so the norms will be read: sum them while the chunk is in the cache.
          const adjustment = s.adjustment;
          for (let i = from; i < to; i++) {
            const v = avg[i]!;
            const a = adjustment[i]!;
            g2 += v * v;
            a2 += a * a;
          }
        }
        from = to;
      }
    }
    s.t = t;
    s.global = this.runGlobal;
    s.h = this.h;
    this.outsized = s.outsized;
    if (record) {
      this.norms = { grad: Math.sqrt(g2), step: Math.sqrt(a2) };
      this.lastAvg = null;
      this.lastAdjustment = null;
    } else {
      this.lastAvg = avg;
      this.lastAdjustment = s.adjustment;
    }
  }

  /**
   * The strategy's kernel call with the byte addresses of this commit's arrays, or null when one of them
   * is not in the arena (then `step` runs). One object per StrategyState, refilled at each commit.
   */
  private kernelCall(params: Float64Array, g: Float64Array, rate: Float64Array): Mutable<KernelCall<Record<string, HyperValue>, string>> | null {
    const arena = this.arena;
    if (!arena || !arena.owns(params) || !arena.owns(g) || !arena.owns(rate)) return null;
    let call = this.call;
    if (!call) {
      const w: Record<string, number> = {};
      for (const [name, arr] of Object.entries(this.s.w)) w[name] = arena.address(arr);
      call = { kernels: arena.kernels, theta: 0, g: 0, lr: 0, adjustment: arena.address(this.adjustment), w, t: 0, h: this.h };
      this.call = call;
    }
    call.theta = params.byteOffset;
    call.g = g.byteOffset;
    call.lr = rate.byteOffset;
    call.t = this.t;
    return call;
  }
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
