/**
 * An optimizer is a *strategy*: a declaration (name, formula, guidance, hyperparameters, the state it
 * needs, the audit columns it reports) plus one step function. The framework owns everything else:
 * allocating and resetting state, the blame bank, averaging, the learning-rate schedule, applying the
 * adjustment and recording. See docs/optimizers.md.
 */

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
 * The state the step function sees for one weight. One object is reused for every weight of a
 * commit (no allocation per weight); only `g`, `theta`, `lr`, `i` and `neuron` change between calls.
 */
export interface StepState<H, W extends string, N extends string, G extends string> {
  /** Batch-average gradient of this weight: the blame bank divided by the count ("Avg"). */
  g: number;
  /** The weight's value before this commit. */
  theta: number;
  /** This weight's learning rate at this commit (per-weight rate × schedule). */
  lr: number;
  /** Flat index of the weight (into the per-weight state arrays). */
  i: number;
  /** Flat index of the neuron that owns the weight (into the per-neuron state arrays). */
  neuron: number;
  readonly t: number;
  readonly h: Readonly<H>;
  /** Per-weight state arrays, zeroed (or `initial`) at run start. */
  readonly w: Record<W, Float64Array>;
  /** Per-neuron state arrays. */
  readonly n: Record<N, Float64Array>;
  readonly global: Record<G, number>;
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
  /** Names of the values `step` writes to `out`, in order. Every number between Avg and Adj. */
  readonly audit: readonly string[];
  /** Checks combinations of hyperparameters; returns an error message naming the field, or null. */
  readonly validate?: (h: Readonly<H>) => string | null;
  /** Once per commit, before the per-weight loop: update global state, precompute shared factors. */
  readonly prepare?: (scope: CommitScope<H, G>) => void;
  /**
   * One weight, one commit: return the adjustment (after = before − adjustment) and write exactly
   * `audit.length` values to `out[o] … out[o + audit.length − 1]`.
   */
  readonly step: (s: StepState<H, W, N, G>, out: Float64Array, o: number) => number;
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

/** Coupled (L2) weight decay, as PyTorch applies it before every optimizer but AdamW: g + λθ. */
export function coupledDecay(g: number, theta: number, weightDecay: number): number {
  return weightDecay === 0 ? g : g + weightDecay * theta;
}
