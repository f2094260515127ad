import { rebirthWeights, rebirthWrites, rebirthWritten, type RebirthLayout } from "../engine/lifecycle/rebirth";
import { cohortGlobal, initialGlobal } from "../engine/optimizers/cohorts";
import type { StepScope, Strategy } from "../engine/optimizers/strategy";
import { runRebirths, type RecordedRebirth } from "./lifecycle-replay";
import type { NfrunReader } from "./reader";
import type { RebirthAtCommit, RunContext, SanitizedAtCommit } from "./reader-types";
import { runSanitizations, type RecordedSanitizations } from "./sanitize-replay";

/**
 * The run's logged writes that reset weights' optimizer state after a commit: rebirths (lifecycle events)
 * and sanitized commits (nonfinite events; a commit that sanitized has no lifecycle step, and the trainer
 * sanitizes before the lifecycle acts).
 */
export interface RecordedResets {
  readonly rebirths: ReadonlyMap<number, readonly RecordedRebirth[]>;
  readonly sanitized: RecordedSanitizations;
}

export function runResets(r: NfrunReader, ctx: RunContext): RecordedResets {
  return { rebirths: runRebirths(r, ctx), sanitized: runSanitizations(r, ctx) };
}

/** What one replayed weight met after a commit (null: not that). */
export interface ResetAtCommit {
  rebirth: RebirthAtCommit | null;
  sanitized: SanitizedAtCommit | null;
}

/** Positions k of an ascending index list whose index lies in [lo, hi]: [from, to). */
function within(list: readonly number[], lo: number, hi: number): [number, number] {
  let a = 0;
  let b = list.length;
  while (a < b) {
    const m = (a + b) >> 1;
    if (list[m]! < lo) a = m + 1;
    else b = m;
  }
  let to = a;
  while (to < list.length && list[to]! <= hi) to++;
  return [a, to];
}

/**
 * The rebirths and sanitizations a replay of weights lo … hi (flat, one neuron's) meets between a
 * snapshot and a commit (kernel/record/weight-trace.ts, the θ series), as the run had them: after such a
 * commit the weights it wrote take their logged values (and so do their Lookahead slow weights), and
 * those whose optimizer state it reset step from then on with their own timestep and global state
 * (StrategyState.resetWeights), so the replay reproduces every adjustment.
 */
export class ResetReplay {
  /** Per replayed weight: the commit after which its optimizer state was last reset (0: never). */
  private readonly born: Float64Array;
  /** Global optimizer state per `born` value (0: the snapshot's, the run's own). */
  private readonly globals = new Map<number, Record<string, number>>();

  constructor(
    private readonly resets: RecordedResets,
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
    const before = [...new Set([...resets.sanitized.weights.keys(), ...resets.rebirths.keys()])].filter((t) => t <= snapshotT).sort((a, b) => a - b);
    for (const t of before) {
      const s = resets.sanitized.weights.get(t);
      if (s) this.restart(this.sanitizedHere(s.weights), t);
      for (const r of resets.rebirths.get(t) ?? []) this.restart(this.rebornHere(r), t);
    }
    for (const b of this.born) if (b > 0 && !this.globals.has(b) && strategy) this.globals.set(b, cohortGlobal(strategy, h, b, snapshotT));
  }

  /** The commits after which the replayed weights' optimizer state was last reset (their cohorts' births). */
  get births(): number[] {
    return [...new Set(this.born)].filter((b) => b > 0);
  }

  /** Whether any rebirth of the run writes one of the replayed weights (then its whole neuron is replayed: a write may read the others). */
  static touches(resets: RecordedResets, layers: RebirthLayout, lo: number, hi: number): boolean {
    for (const list of resets.rebirths.values()) {
      for (const r of list) if (rebirthWritten(layers, r).some((i) => i >= lo && i <= hi)) return true;
    }
    return false;
  }

  /** Replayed weights (flat) a sanitization listed. */
  private sanitizedHere(list: readonly number[]): readonly number[] {
    const [from, to] = within(list, this.lo, this.hi);
    return list.slice(from, to);
  }

  /** Replayed weights (flat) whose optimizer state a rebirth reset. */
  private rebornHere(r: RecordedRebirth): number[] {
    return rebirthWeights(this.layers, r.layer, r.neuron).filter((i) => i >= this.lo && i <= this.hi);
  }

  /** Replayed weights (flat) step from commit t on with their own timestep (t − born). */
  private restart(indices: readonly number[], t: number): void {
    for (const i of indices) this.born[i - this.lo] = t;
  }

  /** Replayed weights' (flat) per-weight state `w` and global state back to the strategy's start after commit t, as a fresh optimizer's. */
  private reset(indices: readonly number[], t: number, w: Record<string, Float64Array>): void {
    if (indices.length === 0) return;
    const initial = this.strategy?.state?.initial?.(this.h) ?? {};
    for (const i of indices) for (const [name, arr] of Object.entries(w)) arr[i - this.lo] = initial[name] ?? 0;
    this.restart(indices, t);
    if (this.strategy && !this.globals.has(t)) this.globals.set(t, initialGlobal(this.strategy, this.h));
  }

  /** Each timestep group's prepare for run commit t (the run's own with t, a reset weight's with t − born). */
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
   * After commit t, in the trainer's order: its sanitization (the listed weights to the logged value, their
   * slow weights too, sanitize.ts), then its rebirths (written into `theta`, the replayed weights lo … hi,
   * and into Lookahead's slow weights `slow`, rebirth.ts); the reset weights' state `w` back to its start.
   * What each replayed weight met, by local index.
   */
  afterCommit(t: number, theta: Float64Array, w: Record<string, Float64Array>, slow: Float64Array | null): Map<number, ResetAtCommit> {
    const met = new Map<number, ResetAtCommit>();
    const { lo, hi } = this;
    const at = (j: number): ResetAtCommit => {
      let m = met.get(j);
      if (!m) met.set(j, (m = { rebirth: null, sanitized: null }));
      return m;
    };
    const s = this.resets.sanitized.weights.get(t);
    if (s) {
      const here = this.sanitizedHere(s.weights);
      for (const i of here) {
        theta[i - lo] = s.value;
        if (slow) slow[i - lo] = s.value;
        at(i - lo).sanitized = { t, value: s.value };
      }
      this.reset(here, t, w);
    }
    for (const r of this.resets.rebirths.get(t) ?? []) {
      const writes = rebirthWrites(this.layers, r.init, r.seed, r, (i) => (i >= lo && i <= hi ? theta[i - lo]! : NaN));
      for (const write of writes) {
        if (write.index < lo || write.index > hi) continue;
        theta[write.index - lo] = write.value;
        at(write.index - lo).rebirth = { t, layer: r.layer, neuron: r.neuron, change: write.change, value: write.value };
      }
      if (slow) {
        for (const write of rebirthWrites(this.layers, r.init, r.seed, r, (i) => (i >= lo && i <= hi ? slow[i - lo]! : NaN))) {
          if (write.index >= lo && write.index <= hi) slow[write.index - lo] = write.value;
        }
      }
      this.reset(this.rebornHere(r), t, w);
    }
    return met;
  }
}
