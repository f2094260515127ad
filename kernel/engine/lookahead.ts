/**
 * Lookahead (Zhang, Lucas, Hinton & Ba 2019; optax.lookahead) around any strategy. The strategy moves
 * the *fast* weights every commit; every k commits the *slow* weights take a step of size α towards
 * them and the fast weights restart from there:
 *   slow ← slow + α·(fast − slow);   fast ← slow.
 * The slow weights of a period are the weights at its start (after the previous sync they equal the
 * fast weights), so they are copied when a period begins: commits t = 1, k+1, 2k+1, ….
 * The optimizer's own state (momentum buffers, moments, t) is not reset at a sync, as in optax and the
 * paper's reference code.
 */
export interface LookaheadOptions {
  /** Sync period: fast steps between synchronisations (integer ≥ 1). */
  readonly k: number;
  /** Slow step size α in [0, 1] (1: plain optimizer, 0: the weights never move). */
  readonly alpha: number;
}

export class Lookahead {
  readonly k: number;
  readonly alpha: number;
  /** The slow weights of the current period. */
  readonly slow: Float64Array;

  constructor(options: LookaheadOptions, weightCount: number) {
    if (!Number.isInteger(options.k) || options.k < 1) throw new RangeError(`lookahead.k: must be an integer ≥ 1, got ${options.k}`);
    if (!(options.alpha >= 0 && options.alpha <= 1)) throw new RangeError(`lookahead.alpha: must be in [0, 1], got ${options.alpha}`);
    this.k = options.k;
    this.alpha = options.alpha;
    this.slow = new Float64Array(weightCount);
  }

  /** Before commit number `t` (1-based): at the start of a period the slow weights are the current ones. */
  beforeCommit(params: Float64Array, t: number): void {
    if ((t - 1) % this.k === 0) this.slow.set(params);
  }

  /** After commit `t`: on every k-th commit, slow ← slow + α(fast − slow), fast ← slow. True when it synced. */
  afterCommit(params: Float64Array, t: number): boolean {
    if (t % this.k !== 0) return false;
    const slow = this.slow;
    const alpha = this.alpha;
    for (let i = 0, n = params.length; i < n; i++) {
      const s = slow[i]! + alpha * (params[i]! - slow[i]!);
      slow[i] = s;
      params[i] = s;
    }
    return true;
  }
}
