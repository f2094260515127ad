import type { HyperValue, StepState, Strategy } from "./strategy";

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
 * `commit` applies one optimizer step to every weight from the blame bank.
 */
export class StrategyState {
  t = 0;
  /** ‖avg‖₂ over all weights at the last commit. */
  gradNorm = 0;
  /** ‖adjustment‖₂ over all weights at the last commit. */
  stepNorm = 0;
  private readonly s: StepState<Record<string, HyperValue>, string, string, string>;
  private readonly scratch: Float64Array;
  /** Parameter groups: groupOf[i] indexes groupH (null: every weight uses `h`). */
  private groupOf: Uint8Array | null = null;
  private groupH: readonly Readonly<Record<string, HyperValue>>[] = [];

  constructor(
    readonly strategy: Strategy,
    readonly h: Readonly<Record<string, HyperValue>>,
    readonly weightCount: number,
    /** neuronOfWeight[i] = flat index of the neuron owning weight i. */
    readonly neuronOfWeight: Int32Array,
    readonly neuronCount: number,
  ) {
    const w: Record<string, Float64Array> = {};
    const n: Record<string, Float64Array> = {};
    const global: Record<string, number> = {};
    for (const name of strategy.state?.perWeight ?? []) w[name] = new Float64Array(weightCount);
    for (const name of strategy.state?.perNeuron ?? []) n[name] = new Float64Array(neuronCount);
    for (const name of strategy.state?.global ?? []) global[name] = 0;
    this.s = { g: 0, theta: 0, lr: 0, i: 0, neuron: 0, t: 0, h, w, n, global };
    this.scratch = new Float64Array(Math.max(1, strategy.audit.length));
    this.reset();
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
    return this.s.global;
  }

  /** Back to the state at run start: t = 0 and every state value at its declared initial value. */
  reset(): void {
    this.t = 0;
    const initial = this.strategy.state?.initial?.(this.h) ?? {};
    for (const [name, arr] of Object.entries(this.s.w)) arr.fill(initial[name] ?? 0);
    for (const [name, arr] of Object.entries(this.s.n)) arr.fill(initial[name] ?? 0);
    for (const name of Object.keys(this.s.global)) this.s.global[name] = initial[name] ?? 0;
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

  /** Resets the per-weight state of the given weights (e.g. a neuron reborn by the lifecycle). */
  resetWeights(indices: Iterable<number>): void {
    const initial = this.strategy.state?.initial?.(this.h) ?? {};
    for (const i of indices) for (const [name, arr] of Object.entries(this.s.w)) arr[i] = initial[name] ?? 0;
  }

  /**
   * One commit. For every weight i: g = bank[i] / count, adjustment = step(…),
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
    const strategy = this.strategy;
    const step = strategy.step;
    const s = this.s;
    const t = ++this.t;
    (s as { t: number }).t = t;
    strategy.prepare?.({ h: this.h, t, global: s.global });
    const width = strategy.audit.length;
    const out = record ? record.audit : this.scratch;
    const neuronOf = this.neuronOfWeight;
    const groupOf = this.groupOf;
    const groupH = this.groupH;
    let g2 = 0;
    let a2 = 0;
    for (let i = 0, n = this.weightCount; i < n; i++) {
      const avg = bank[i]! / count;
      const before = params[i]!;
      const rate = lr[i]! * lrScale;
      if (groupOf) (s as { h: Readonly<Record<string, HyperValue>> }).h = groupH[groupOf[i]!]!;
      s.g = avg * gradScale;
      s.theta = before;
      s.lr = rate;
      s.i = i;
      s.neuron = neuronOf[i]!;
      const adjustment = step(s, out, record ? i * width : 0);
      params[i] = before - adjustment;
      g2 += avg * avg;
      a2 += adjustment * adjustment;
      if (record) {
        record.avg[i] = avg;
        record.lr[i] = rate;
        record.adjustment[i] = adjustment;
        record.before[i] = before;
      }
    }
    if (groupOf) (s as { h: Readonly<Record<string, HyperValue>> }).h = this.h;
    this.gradNorm = Math.sqrt(g2);
    this.stepNorm = Math.sqrt(a2);
  }
}
