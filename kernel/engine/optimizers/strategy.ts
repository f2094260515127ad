/**
 * An optimizer is a *strategy*: a declaration (name, formula, guidance, hyperparameters, the state it
 * needs, the audit columns it reports) plus one step function. The framework owns everything else:
 * allocating and resetting state, the blame bank, averaging, the learning-rate schedule, applying the
 * adjustment and recording. See docs/optimizers.md.
 */

import type { Kernels } from "../math/arena";

/** A hyperparameter: numbers and booleans only, so configs and the audit stay plain data. */
export type HyperValue = number | boolean;

export interface HyperParamSpec<V extends HyperValue = HyperValue> {
  /** Default value; `undefined` means the user must give it (PyTorch's `lr=required` for SGD). */
  readonly default: V | undefined;
  readonly doc: string;
  /** Inclusive bounds for numbers. */
  readonly min?: number;
  readonly max?: number;
  /** Exclusive lower bound (e.g. lr > 0 is not required by torch, but eps > 0 is). */
  readonly greaterThan?: number;
  readonly integer?: boolean;
}

export type HyperSpecs<H> = { readonly [K in keyof H]: HyperParamSpec<H[K] & HyperValue> };

/** Values handed to `prepare` once per commit, before the per-weight loop. */
export interface CommitScope<H, G extends string> {
  /** Hyperparameters as resolved for this run. */
  readonly h: Readonly<H>;
  /** Timestep: number of commits so far, including this one (1 on the first commit). */
  readonly t: number;
  /** Global (per-run) state scalars, e.g. NAdam's running μ product. Mutable. */
  readonly global: Record<G, number>;
}

/**
 * What the step function sees at one commit. Per-weight inputs are arrays indexed by the flat weight
 * index (the same index as the per-weight state arrays), so one call steps a range of weights: the
 * framework steps the whole model in a few calls, and replay steps a range of one. Only `h` (per
 * parameter group) changes between the calls of one commit.
 */
export interface StepState<H, W extends string, N extends string, G extends string> {
  /** Batch-average gradient per weight: the blame bank divided by the count ("Avg"). */
  readonly g: Float64Array;
  /** The weights; weight i holds its value before this commit until `s.adjust(i, …)`. */
  readonly theta: Float64Array;
  /** Each weight's learning rate at this commit (per-weight rate × schedule). */
  readonly lr: Float64Array;
  /**
   * Output: `audit.length` values per weight, weight-major (weight i's start at i × audit.length);
   * null when nobody records the commit — then the step writes no audit values.
   */
  readonly audit: Float64Array | null;
  /** neuronOf[i]: index into the per-neuron state arrays of the neuron that owns weight i. */
  readonly neuronOf: Int32Array;
  readonly t: number;
  readonly h: Readonly<H>;
  /** Per-weight state arrays, zeroed (or `initial`) at run start. */
  readonly w: Record<W, Float64Array>;
  /** Per-neuron state arrays. */
  readonly n: Record<N, Float64Array>;
  readonly global: Record<G, number>;
  /**
   * The framework's end of one weight's step, called by `step` once per weight with its adjustment:
   * after = before − adjustment.
   */
  adjust(i: number, adjustment: number): void;
}

/**
 * What a strategy's WebAssembly kernel gets for one commit: the arena's kernels and the byte addresses
 * of element 0 of the step's arrays (all in the model's arena), with t and the chunk's hyperparameters.
 */
export interface KernelCall<H, W extends string> {
  readonly kernels: Kernels;
  readonly theta: number;
  readonly g: number;
  readonly lr: number;
  readonly adjustment: number;
  readonly w: Readonly<Record<W, number>>;
  readonly t: number;
  readonly h: Readonly<H>;
}

type AnyStepState = StepState<Record<string, HyperValue>, string, string, string>;

/**
 * The StepState the framework builds (the trainer's commit, and replay): it sets the arrays, t and h
 * between calls. `adjust` keeps every adjustment (the commit record, ‖adjustment‖) and flags a g or an
 * adjustment of 1e140 or more, or non-finite (NaN fails the test too): below that no sum of their squares
 * can overflow, so the divergence guard need not sum the norms. A method, so that V8 inlines it into
 * every strategy's loop (an imported function is a getter call per weight under tsx's CommonJS output).
 */
export class StepScope implements AnyStepState {
  outsized = false;
  constructor(
    public g: Float64Array,
    public theta: Float64Array,
    public lr: Float64Array,
    public audit: Float64Array | null,
    public adjustment: Float64Array,
    public h: Readonly<Record<string, HyperValue>>,
    readonly w: Record<string, Float64Array>,
    readonly n: Record<string, Float64Array>,
    /** The run's global state, or a cohort's while its weights step (./cohorts). */
    public global: Record<string, number>,
    readonly neuronOf: Int32Array,
    public t = 0,
  ) {}

  adjust(i: number, adjustment: number): void {
    const theta = this.theta;
    theta[i] = theta[i]! - adjustment;
    this.adjustment[i] = adjustment;
    const g = this.g[i]!;
    if (!(adjustment * adjustment + g * g < 1e280)) this.outsized = true;
  }
}

export interface StrategyDeclaration<
  H extends Record<string, HyperValue>,
  W extends string = never,
  N extends string = never,
  G extends string = never,
> {
  /** Registry key used in configs (`optimizer: adam`). */
  readonly id: string;
  readonly name: string;
  /** The update in Unicode math, shown in the audit popup. */
  readonly formula: string;
  readonly description: string;
  readonly whenToUse: string;
  readonly bestFor: string;
  readonly hyperparameters: HyperSpecs<H>;
  readonly state?: {
    readonly perWeight?: readonly W[];
    readonly perNeuron?: readonly N[];
    readonly global?: readonly G[];
    /** Initial values (default 0) for named state, which may depend on hyperparameters. */
    readonly initial?: (h: Readonly<H>) => Partial<Record<W | N | G, number>>;
  };
  /** Names of the values `step` writes to `audit` for each weight, in order. Every number between Avg and Adj. */
  readonly audit: readonly string[];
  /** Checks combinations of hyperparameters; returns an error message naming the field, or null. */
  readonly validate?: (h: Readonly<H>) => string | null;
  /**
   * Whether `step` reads the timestep or global state under these hyperparameters (absent: it does).
   * When it does not, a weight whose state was reset steps exactly as the run's own weights do, so the
   * framework keeps no cohort for it (./cohorts.ts): every commit stays one pass over all weights, however
   * many neurons the lifecycle has reborn.
   */
  readonly readsTimestep?: (h: Readonly<H>) => boolean;
  /** Once per commit, before the per-weight loop: update global state, precompute shared factors. */
  readonly prepare?: (scope: CommitScope<H, G>) => void;
  /**
   * Weights `from` … `to − 1`, one commit: for each weight i, compute its adjustment, write exactly
   * `audit.length` values from `s.audit[i × audit.length]` on when `s.audit` is not null, and call
   * `s.adjust(i, adjustment)`. The one implementation of the strategy's math: the framework calls it
   * for long ranges, recording and replay for a range of one.
   */
  readonly step: (s: StepState<H, W, N, G>, from: number, to: number) => void;
  /**
   * Optional, for speed: `step` as a WebAssembly kernel (math/kernels.wat) — the same operations in the
   * same order, so the same bits (test/unit/kernels.test.ts checks it against `step`). The trainer calls
   * it for commits nobody records (no audit values); it applies the adjustments and returns whether one
   * was outsized (see StepScope). Replay and recording always use `step`.
   */
  readonly kernel?: (call: KernelCall<H, W>, from: number, to: number) => boolean;
}

/** A strategy with its type parameters erased, as stored in the registry and used by the framework. */
export type Strategy = StrategyDeclaration<Record<string, HyperValue>, string, string, string>;

/** Declares a strategy; the generic parameters are inferred from the declaration. */
export function defineStrategy<
  H extends Record<string, HyperValue>,
  W extends string = never,
  N extends string = never,
  G extends string = never,
>(declaration: StrategyDeclaration<H, W, N, G>): Strategy {
  return declaration as unknown as Strategy;
}

/**
 * Coupled (L2) weight decay of weight i, as PyTorch applies it before every optimizer but AdamW:
 * g + λθ. θ is read only when λ ≠ 0 (an unconditional load of it costs ~15 % of a plain SGD commit).
 */
export function coupledDecay(g: Float64Array, theta: Float64Array, i: number, weightDecay: number): number {
  return weightDecay === 0 ? g[i]! : g[i]! + weightDecay * theta[i]!;
}
