/**
 * Curvature for the preconditioners on a network (seed 003: Hutchinson, empirical Fisher, Gauss–Newton
 * as trainer strategies). Their estimate needs more than a commit's average gradient, so the trainer
 * computes it before each refresh commit — at the weights before that commit, over the samples of its
 * batch (./network.ts) — and writes it into the strategy's `curv_est` state; the strategy's step does
 * the rest, as on a built-in problem. `verify` runs the same code on the recorded samples and weights,
 * so the estimate replays bit for bit: Hutchinson's probes for commit t are drawn from Rng(probeSeed(seed, t)),
 * whatever commit replay starts from. The recorder snapshots after every refresh commit of a recorded
 * epoch, which stores each estimate (the snapshot's `curv_est`) for the popup's replay of one weight.
 */
import type { Dataset } from "../datasets/dataset";
import type { Loss } from "../losses";
import { Rng } from "../math/rng";
import type { Model } from "../model";
import { isRefresh } from "../optimizers/precondition";
import type { HyperValue, Strategy } from "../optimizers/strategy";
import type { StrategyState } from "../optimizers/strategy-state";
import { NetworkObjective, type SampleSource } from "./network";
import { preconditioners, type Preconditioner } from "./sources";

/** The preconditioner whose `curv_est` the trainer supplies (null: the strategy needs nothing from outside). */
function suppliedBy(strategy: Strategy | null): Preconditioner | null {
  if (!strategy) return null;
  return Object.values(preconditioners).find((p) => p.strategy === strategy && p.estimate !== null) ?? null;
}

/** Whether the strategy's curvature estimate comes from outside its step (the trainer's NetworkCurvature). */
export function suppliesCurvature(strategy: Strategy | null): boolean {
  return suppliedBy(strategy) !== null;
}

/**
 * Whether commit t of a run with this strategy folds in a curvature estimate supplied from outside, for
 * the run's weights or for those of the cohorts born after `cohortBirths` (NetworkCurvature.refreshesAt).
 */
export function suppliesCurvatureAt(strategy: Strategy | null, h: Readonly<Record<string, HyperValue>>, t: number, cohortBirths: readonly number[]): boolean {
  const K = h.refresh as number;
  return suppliesCurvature(strategy) && (isRefresh(t, K) || cohortBirths.some((born) => isRefresh(t - born, K)));
}

/** The seed of Hutchinson's probes at commit t (mixed, so neighbouring seeds do not share probes). */
export function probeSeed(seed: number, t: number): number {
  return (Math.imul(seed, 0x9e3779b1) + t) >>> 0;
}

export class NetworkCurvature {
  private readonly objective: NetworkObjective;

  private constructor(
    private readonly source: Preconditioner,
    model: Model,
    loss: Loss,
    private readonly h: Readonly<Record<string, HyperValue>>,
  ) {
    this.objective = new NetworkObjective(model, loss, { inputs: new Float64Array(0), targets: new Float64Array(0), inputSize: 0, targetSize: 0 });
  }

  /** The trainer's curvature refresh for `strategy` (null: it needs none). */
  static of(strategy: Strategy, model: Model, loss: Loss, h: Readonly<Record<string, HyperValue>>): NetworkCurvature | null {
    const source = suppliedBy(strategy);
    return source ? new NetworkCurvature(source, model, loss, h) : null;
  }

  /** The last commit that folded in a fresh estimate (0: none yet): the recorder snapshots after it. */
  refreshedAt = 0;

  /**
   * Whether commit t needs a fresh estimate: the run's refresh commit, or that of a cohort of reset weights
   * (a reborn neuron's, a sanitized weight's), whose own timestep t − born restarted at 1 — as a fresh
   * optimizer, they fold in an estimate at their own first step instead of the zero their reset left.
   */
  refreshesAt(t: number, cohortBirths: readonly number[]): boolean {
    const K = this.h.refresh as number;
    return isRefresh(t, K) || cohortBirths.some((born) => isRefresh(t - born, K));
  }

  /**
   * Before commit state.t + 1: at a refresh commit (refreshesAt), the estimate at θ (the weights before the
   * commit) over dataset rows `batch` into the strategy's curv_est. Returns whether it refreshed.
   */
  refresh(state: StrategyState, theta: Float64Array, data: SampleSource | Dataset, batch: Int32Array): boolean {
    const t = state.t + 1;
    if (!this.refreshesAt(t, state.cohortBirths)) return false;
    this.refreshedAt = t;
    this.objective.useSamples(data, batch);
    const probes = this.h.probes as number;
    const rng = new Rng(probeSeed(this.h.seed as number, t));
    this.source.estimate!(this.objective, theta, { probes, hvp: "exact" }, rng, state.perWeight.curv_est!);
    return true;
  }
}
