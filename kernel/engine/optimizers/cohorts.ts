import type { HyperValue, Strategy } from "./strategy";

/**
 * Weights whose optimizer state was reset after commit `born` (a reborn neuron's, a sanitized weight).
 * They step as a fresh optimizer would for them: with their own timestep t − born and their own global
 * state (Adam's bias corrections 1 − βᵗ, NAdam's μ product, AdaGrad's decay, SGD's first-step buffer),
 * while the rest of the run's weights go on with the run's.
 */
export interface Cohort {
  readonly born: number;
  readonly global: Record<string, number>;
}

/** A run of consecutive weights that step with the same timestep and global state; cohort −1: the run's own. */
export interface Segment {
  readonly from: number;
  readonly to: number;
  readonly cohort: number;
}

/** A strategy's global state at its declared start (every name at `initial` or 0). */
export function initialGlobal(strategy: Strategy, h: Readonly<Record<string, HyperValue>>): Record<string, number> {
  const initial = strategy.state?.initial?.(h) ?? {};
  const global: Record<string, number> = {};
  for (const name of strategy.state?.global ?? []) global[name] = initial[name] ?? 0;
  return global;
}

/**
 * The cohorts of one StrategyState: which weight belongs to which, and the weights cut into segments in
 * weight order (one segment, the whole model, while nothing was reset), so a commit steps each segment
 * with its owner's t and global state and its norms still sum in weight order.
 */
export class Cohorts {
  list: Cohort[] = [];
  private cut: readonly Segment[];
  /** Per weight: its index in `list`, −1: the run's own. */
  private owner: Int32Array | null = null;
  /** Weights moved since the segments were cut (recut at the next commit: once per lifecycle evaluation, not per rebirth). */
  private dirty = false;

  constructor(private readonly weightCount: number) {
    this.cut = [{ from: 0, to: weightCount, cohort: -1 }];
  }

  clear(): void {
    this.list = [];
    this.owner = null;
    this.dirty = false;
    this.cut = [{ from: 0, to: this.weightCount, cohort: -1 }];
  }

  /** The weights in weight order, cut where the cohort changes (empty cohorts dropped first). */
  get segments(): readonly Segment[] {
    this.settle();
    return this.cut;
  }

  /** The commit after which each cohort (that still owns a weight) was born: its own timestep at run commit t is t − born. */
  get births(): number[] {
    this.settle();
    return this.list.map((c) => c.born);
  }

  /** Drops the cohorts later moves emptied and recuts the segments, if anything moved. */
  settle(): void {
    if (this.dirty) this.compact(this.owner!);
  }

  /**
   * Moves the weights into the cohort born after commit `born` (made with `global` if there is none),
   * leaving their former cohort; a reset before the first commit is no cohort (the run's own start).
   */
  assign(indices: Iterable<number>, born: number, global: () => Record<string, number>): void {
    let k = -1;
    if (born > 0) {
      k = this.list.findIndex((c) => c.born === born);
      if (k < 0) k = this.list.push({ born, global: global() }) - 1;
    }
    const owner = (this.owner ??= new Int32Array(this.weightCount).fill(-1));
    for (const i of indices) owner[i] = k;
    this.dirty = true;
  }

  /** Drops cohorts no weight belongs to any more and cuts the weights into segments. */
  private compact(owner: Int32Array): void {
    const used = new Int32Array(this.list.length).fill(-1);
    const kept: Cohort[] = [];
    for (const k of owner) if (k >= 0 && used[k] === -1) used[k] = kept.push(this.list[k]!) - 1;
    for (let i = 0; i < owner.length; i++) if (owner[i]! >= 0) owner[i] = used[owner[i]!]!;
    this.list = kept;
    this.dirty = false;
    const segments: Segment[] = [];
    for (let from = 0; from < owner.length; ) {
      let to = from + 1;
      while (to < owner.length && owner[to] === owner[from]) to++;
      segments.push({ from, to, cohort: owner[from]! });
      from = to;
    }
    this.cut = segments;
  }

  /** Each cohort's prepare for run commit t (its own timestep t − born); first the segments, so emptied cohorts are gone. */
  prepare(strategy: Strategy, h: Readonly<Record<string, HyperValue>>, t: number): void {
    const prepare = strategy.prepare;
    this.settle();
    if (!prepare) return;
    for (const c of this.list) prepare({ h, t: t - c.born, global: c.global });
  }
}

/**
 * The global state a cohort born after commit `born` has after run commit t: its prepare replayed for
 * its timesteps 1 … t − born from the declared start, the sequence the live run went through, so the same bits.
 */
export function cohortGlobal(strategy: Strategy, h: Readonly<Record<string, HyperValue>>, born: number, t: number): Record<string, number> {
  const global = initialGlobal(strategy, h);
  if (strategy.prepare) for (let local = 1; local <= t - born; local++) strategy.prepare({ h, t: local, global });
  return global;
}
