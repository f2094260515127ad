import { rebirthWeights, rebirthWrites, type RebirthLayout } from "../engine/lifecycle/rebirth";
import { cohortGlobal, initialGlobal } from "../engine/optimizers/cohorts";
import type { StepScope, Strategy } from "../engine/optimizers/strategy";
import type { RecordedRebirth } from "./lifecycle-replay";
import type { RebirthAtCommit } from "./reader-types";


/**
 * The rebirths a replay of weights lo … hi (flat, one neuron's) meets between a snapshot and a commit
 * (kernel/record/weight-trace.ts), as the run had them: after a rebirth's commit the weights it wrote
 * take their reborn values, and those whose optimizer state it reset step from then on with their own
 * timestep and global state (StrategyState.resetWeights), so the replay reproduces every adjustment.
 */
export class RebirthReplay {
  /** Per replayed weight: the commit after which its optimizer state was last reset (0: never). */
  private readonly born: Float64Array;
  /** Global optimizer state per `born` value (0: the snapshot's, the run's own). */
  private readonly globals = new Map<number, Record<string, number>>();

  constructor(
    private readonly rebirths: ReadonlyMap<number, readonly RecordedRebirth[]>,
    private readonly layers: RebirthLayout,
    private readonly lo: number,
    private readonly hi: number,
    snapshotT: number,
    snapshotGlobal: Record<string, number>,
    private readonly strategy: Strategy | null,
    private readonly h: Readonly<Record<string, number | boolean>>,
  ) {
    this.born = new Float64Array(hi - lo + 1);
    this.globals.set(0, snapshotGlobal);
    for (const [t, list] of [...rebirths].sort((a, b) => a[0] - b[0])) {
      if (t > snapshotT) continue;
      for (const r of list) this.reset(rebirthWeights(layers, r.layer, r.neuron), t);
    }
    for (const b of this.born) if (b > 0 && !this.globals.has(b) && strategy) this.globals.set(b, cohortGlobal(strategy, h, b, snapshotT));
  }

  /** The commits after which the replayed weights' optimizer state was last reset (their cohorts' births). */
  get births(): number[] {
    return [...new Set(this.born)].filter((b) => b > 0);
  }

  /** Whether any rebirth of the run writes one of the replayed weights (then its whole neuron is replayed). */
  static touches(rebirths: ReadonlyMap<number, readonly RecordedRebirth[]>, layers: RebirthLayout, lo: number, hi: number): boolean {
    for (const list of rebirths.values()) {
      for (const r of list) if (rebirthWrites(layers, r.init, r.seed, r, () => 0).some((w) => w.index >= lo && w.index <= hi)) return true;
    }
    return false;
  }

  private reset(indices: readonly number[], t: number): void {
    for (const i of indices) if (i >= this.lo && i <= this.hi) this.born[i - this.lo] = t;
  }

  /** Each timestep group's prepare for run commit t (the run's own with t, a reborn weight's with t − born). */
  prepare(t: number): void {
    for (const [b, global] of this.globals) this.strategy?.prepare?.({ h: this.h, t: t - b, global });
  }

  /** Points the step scope at replayed weight j's timestep and global state for run commit t. */
  scope(s: StepScope, j: number, t: number): void {
    const b = this.born[j]!;
    s.t = t - b;
    s.global = this.globals.get(b) ?? this.globals.get(0)!;
  }

  /**
   * After commit t: the rebirths of that commit written into `theta` (the replayed weights, lo … hi) and
   * into Lookahead's slow weights `slow` (the same range; rebirth.ts), the reset weights' state `w` back
   * to its start; what each replayed weight met, by local index.
   */
  afterCommit(t: number, theta: Float64Array, w: Record<string, Float64Array>, slow: Float64Array | null): Map<number, RebirthAtCommit> {
    const met = new Map<number, RebirthAtCommit>();
    const list = this.rebirths.get(t);
    if (!list) return met;
    const { lo, hi } = this;
    for (const r of list) {
      const writes = rebirthWrites(this.layers, r.init, r.seed, r, (i) => (i >= lo && i <= hi ? theta[i - lo]! : NaN));
      for (const write of writes) {
        if (write.index < lo || write.index > hi) continue;
        theta[write.index - lo] = write.value;
        met.set(write.index - lo, { t, layer: r.layer, neuron: r.neuron, change: write.change, value: write.value });
      }
      if (slow) {
        for (const write of rebirthWrites(this.layers, r.init, r.seed, r, (i) => (i >= lo && i <= hi ? slow[i - lo]! : NaN))) {
          if (write.index >= lo && write.index <= hi) slow[write.index - lo] = write.value;
        }
      }
      const reset = rebirthWeights(this.layers, r.layer, r.neuron).filter((i) => i >= lo && i <= hi);
      if (reset.length === 0) continue;
      const initial = this.strategy?.state?.initial?.(this.h) ?? {};
      for (const i of reset) for (const [name, arr] of Object.entries(w)) arr[i - lo] = initial[name] ?? 0;
      this.reset(reset, t);
      if (this.strategy && !this.globals.has(t)) this.globals.set(t, initialGlobal(this.strategy, this.h));
    }
    return met;
  }
}
