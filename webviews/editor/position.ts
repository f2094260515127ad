/**
 * Playback positions of a run (the VCR's tape). Position (k, slot) is inside the batch of the k-th
 * commit: slot s < count means samples 0 … s are in the blame bank (Pending), slot = count means the
 * batch is committed. They are numbered in playback order, (0, 0) … (0, count₀), (1, 0) …; stepping at a
 * granularity moves to the next/previous stop of that granularity: every position (sample), every
 * commit (batch), the last commit of every epoch (epoch); the start (0, 0) is a stop of all three.
 */
export type Granularity = "epoch" | "batch" | "sample";

export interface Commits {
  readonly t: readonly number[];
  readonly epoch: readonly number[];
  readonly batch: readonly number[];
  readonly count: readonly number[];
}

export interface Position {
  readonly k: number;
  readonly slot: number;
}

export class Tape {
  /** first[k] = number of the position (k, 0); first[K] = the number of positions. */
  private readonly first: number[];
  private readonly stops: Record<Granularity, number[]>;

  constructor(readonly commits: Commits) {
    const K = commits.t.length;
    this.first = [0];
    for (let k = 0; k < K; k++) this.first.push(this.first[k]! + commits.count[k]! + 1);
    const committed = Array.from({ length: K }, (_, k) => this.first[k + 1]! - 1);
    this.stops = {
      sample: [],
      batch: [0, ...committed],
      epoch: [0, ...committed.filter((_, k) => k === K - 1 || commits.epoch[k + 1] !== commits.epoch[k])],
    };
  }

  get commitCount(): number {
    return this.commits.t.length;
  }

  get size(): number {
    return this.first[this.first.length - 1]!;
  }

  indexOf(p: Position): number {
    return this.first[p.k]! + p.slot;
  }

  at(index: number): Position {
    const i = Math.max(0, Math.min(this.size - 1, index));
    let lo = 0;
    let hi = this.commitCount - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.first[mid]! <= i) lo = mid;
      else hi = mid - 1;
    }
    return { k: lo, slot: i - this.first[lo]! };
  }

  isCommitted(p: Position): boolean {
    return p.slot === this.commits.count[p.k];
  }

  /** The commit whose weights are drawn at p: commit k once committed, else the one before (0: none yet). */
  shownT(p: Position): number {
    if (this.isCommitted(p)) return this.commits.t[p.k]!;
    return p.k === 0 ? 0 : this.commits.t[p.k - 1]!;
  }

  /** The committed position of the commit with timestep t (t = 0 or unknown: the start). */
  afterCommit(t: number): Position {
    const k = this.commits.t.indexOf(t);
    return k < 0 ? { k: 0, slot: 0 } : { k, slot: this.commits.count[k]! };
  }

  start(): Position {
    return { k: 0, slot: 0 };
  }

  end(): Position {
    const k = this.commitCount - 1;
    return { k, slot: this.commits.count[k]! };
  }

  /** The next stop of the granularity after p (null at the end). */
  forward(p: Position, by: Granularity): Position | null {
    const i = this.indexOf(p);
    if (by === "sample") return i + 1 < this.size ? this.at(i + 1) : null;
    const next = this.stops[by].find((s) => s > i);
    return next === undefined ? null : this.at(next);
  }

  /** The previous stop of the granularity before p (null at the start). */
  back(p: Position, by: Granularity): Position | null {
    const i = this.indexOf(p);
    if (by === "sample") return i > 0 ? this.at(i - 1) : null;
    const stops = this.stops[by];
    for (let j = stops.length - 1; j >= 0; j--) if (stops[j]! < i) return this.at(stops[j]!);
    return null;
  }
}
