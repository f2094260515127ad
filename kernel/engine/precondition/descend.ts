/**
 * Descent on an objective's θ with any strategy (plain GD, Adam, a preconditioner …), through the same
 * StrategyState the trainer uses: each step g = ∇L(θ), one commit. A preconditioner with a curvature
 * source gets a fresh estimate in its `curv_est` state before every refresh commit; the trace keeps
 * those estimates, so `replayDescent` redoes the run bit for bit without re-drawing Hutchinson's probes.
 */
import { Rng } from "../math/rng";
import { ConfigError, resolveHyperparameters } from "../optimizers/hyperparameters";
import { getStrategy } from "../optimizers/registry";
import { isRefresh } from "../optimizers/precondition";
import type { HyperValue, Strategy } from "../optimizers/strategy";
import { allocateCommitRecord, StrategyState, type CommitRecord } from "../optimizers/strategy-state";
import type { HvpMode } from "./hvp";
import type { IndexMap, Objective } from "./objective";
import { preconditioners, type CurvatureSourceName, type Preconditioner } from "./sources";

export interface DescentOptions {
  /** A strategy id: any optimizer of the registry, or a preconditioner (precond_hutchinson, …). */
  readonly optimizer: string;
  readonly hyperparameters?: Readonly<Record<string, unknown>>;
  readonly maxSteps: number;
  /** Stop once L(θ) − minLoss ≤ tolerance (objectives with a known minLoss; default: run maxSteps). */
  readonly tolerance?: number;
  /** Seed of Hutchinson's probes (default: the strategy's `seed` hyperparameter, 0). */
  readonly seed?: number;
  /** Hutchinson: probes per refresh (default: its `probes` hyperparameter, 10) and how H·v is computed (default exact when the problem has it). */
  readonly probes?: number;
  readonly hvp?: HvpMode;
  /** Keep θ[t] and the preconditioner's lr_vec[t] in the trace (default true; off for benchmarks). */
  readonly keepTheta?: boolean;
}

/** Every setting that produced the run (seed 003's meta.json). */
export interface DescentMeta {
  readonly objective: string;
  readonly problem: Readonly<Record<string, number | string>>;
  readonly dim: number;
  readonly indexMap: IndexMap;
  readonly optimizer: string;
  readonly hyperparameters: Readonly<Record<string, HyperValue>>;
  readonly curvature: { readonly source: CurvatureSourceName; readonly probes?: number; readonly hvp?: HvpMode; readonly seed?: number } | null;
  readonly maxSteps: number;
  readonly tolerance: number | null;
}

export interface DescentTrace {
  readonly meta: DescentMeta;
  /** Steps taken. */
  readonly steps: number;
  /** Whether L − minLoss ≤ tolerance was reached. */
  readonly reached: boolean;
  readonly seconds: number;
  /** L(θ_t) for t = 0 … steps. */
  readonly loss: Float64Array;
  /** ‖g_t‖ and ‖θ_{t+1} − θ_t‖ for t = 0 … steps − 1. */
  readonly gradNorm: Float64Array;
  readonly stepNorm: Float64Array;
  /** θ_t row-major, (steps + 1) × dim; null when not kept. */
  readonly theta: Float64Array | null;
  /** The preconditioner's lr_vec per step, steps × dim; null when not kept or not a preconditioner. */
  readonly lrVec: Float64Array | null;
  /** The curvature estimates folded in at refresh commits (t is 1-based), refreshes × dim. */
  readonly curvature: { readonly t: Int32Array; readonly values: Float64Array } | null;
}

function strategyOf(id: string): { strategy: Strategy; preconditioner: Preconditioner | null } {
  // Every preconditioner is in the trainer's registry too: an unknown id gets its did-you-mean.
  const strategy = getStrategy(id);
  return { strategy, preconditioner: Object.hasOwn(preconditioners, id) ? preconditioners[id]! : null };
}

/** The StrategyState of a descent over `dim` parameters (one neuron owns them all). */
function stateFor(strategy: Strategy, h: Readonly<Record<string, HyperValue>>, dim: number): StrategyState {
  return new StrategyState(strategy, h, dim, new Int32Array(dim), 1);
}

export function descend(objective: Objective, options: DescentOptions): DescentTrace {
  const { strategy, preconditioner } = strategyOf(options.optimizer);
  if (!Number.isInteger(options.maxSteps) || options.maxSteps < 0) throw new ConfigError("max_steps", `must be an integer ≥ 0, got ${options.maxSteps}`);
  const h = resolveHyperparameters(strategy, options.hyperparameters ?? {});
  const D = objective.dim;
  const estimate = preconditioner?.estimate ?? null;
  const probes = options.probes ?? (typeof h.probes === "number" ? h.probes : 10);
  if (estimate && (!Number.isInteger(probes) || probes < 1)) throw new ConfigError("probes", `must be an integer ≥ 1, got ${probes}`);
  const hvpMode: HvpMode = options.hvp ?? (objective.hvp ? "exact" : "finite-difference");
  const seed = options.seed ?? (typeof h.seed === "number" ? h.seed : 0);
  const tolerance = options.tolerance ?? null;
  const keep = options.keepTheta ?? true;
  const hutchinson = preconditioner?.source === "hutchinson";
  const meta: DescentMeta = {
    objective: objective.name,
    problem: objective.settings,
    dim: D,
    indexMap: objective.indexMap,
    optimizer: strategy.id,
    hyperparameters: h,
    curvature: preconditioner ? { source: preconditioner.source, ...(hutchinson ? { probes, hvp: hvpMode, seed } : {}) } : null,
    maxSteps: options.maxSteps,
    tolerance,
  };

  const state = stateFor(strategy, h, D);
  const record: CommitRecord | null = keep && preconditioner ? allocateCommitRecord(D, strategy.audit.length) : null;
  const lrWidth = strategy.audit.length;
  const lr = new Float64Array(D).fill(h.lr as number);
  const theta = Float64Array.from(objective.theta0);
  const g = new Float64Array(D);
  const rng = new Rng(seed);
  const losses: number[] = [];
  const gradNorms: number[] = [];
  const stepNorms: number[] = [];
  const thetas: Float64Array[] = keep ? [Float64Array.from(theta)] : [];
  const lrVecs: Float64Array[] = [];
  const curvT: number[] = [];
  const curvValues: Float64Array[] = [];
  const target = tolerance !== null && objective.minLoss !== null ? objective.minLoss + tolerance : -Infinity;
  const start = performance.now();
  let reached = false;
  let steps = 0;
  for (;;) {
    const loss = objective.grad(theta, g);
    losses.push(loss);
    if (loss <= target) {
      reached = true;
      break;
    }
    if (steps === options.maxSteps || !Number.isFinite(loss)) break;
    const t = state.t + 1;
    if (estimate && isRefresh(t, h.refresh as number)) {
      const est = state.perWeight.curv_est!;
      estimate(objective, theta, { probes, hvp: hvpMode }, rng, est);
      curvT.push(t);
      curvValues.push(Float64Array.from(est));
    }
    state.commit(theta, g, 1, lr, 1, record);
    gradNorms.push(state.gradNorm);
    stepNorms.push(state.stepNorm);
    steps++;
    if (keep) thetas.push(Float64Array.from(theta));
    if (record) lrVecs.push(Float64Array.from({ length: D }, (_, i) => record.audit[i * lrWidth + lrWidth - 1]!));
  }
  return {
    meta,
    steps,
    reached,
    seconds: (performance.now() - start) / 1000,
    loss: Float64Array.from(losses),
    gradNorm: Float64Array.from(gradNorms),
    stepNorm: Float64Array.from(stepNorms),
    theta: keep ? concat(thetas, D) : null,
    lrVec: record ? concat(lrVecs, D) : null,
    curvature: estimate ? { t: Int32Array.from(curvT), values: concat(curvValues, D) } : null,
  };
}

function concat(rows: readonly Float64Array[], width: number): Float64Array {
  const out = new Float64Array(rows.length * width);
  rows.forEach((r, k) => out.set(r, k * width));
  return out;
}

/** Where a replay first differs from the trace (null: every θ[t] agrees bit for bit). */
export interface ReplayMismatch {
  readonly t: number;
  readonly index: number;
  readonly recorded: number;
  readonly replayed: number;
}

/**
 * Replays a kept trace: the strategy's step from θ₀ with g = ∇L(θ) and, at refresh commits, the
 * recorded curvature estimate; compares every θ[t] bit for bit.
 */
export function replayDescent(objective: Objective, trace: DescentTrace): ReplayMismatch | null {
  if (!trace.theta) throw new RangeError("replay: the trace has no θ[t] (keepTheta was off)");
  const { strategy } = strategyOf(trace.meta.optimizer);
  const D = objective.dim;
  const state = stateFor(strategy, trace.meta.hyperparameters, D);
  const lr = new Float64Array(D).fill(trace.meta.hyperparameters.lr as number);
  const theta = trace.theta.slice(0, D);
  const g = new Float64Array(D);
  let refresh = 0;
  for (let t = 1; t <= trace.steps; t++) {
    objective.grad(theta, g);
    const curvature = trace.curvature;
    if (curvature && curvature.t[refresh] === t) {
      state.perWeight.curv_est!.set(curvature.values.subarray(refresh * D, (refresh + 1) * D));
      refresh++;
    }
    state.commit(theta, g, 1, lr, 1, null);
    for (let i = 0; i < D; i++) {
      const recorded = trace.theta[t * D + i]!;
      if (!Object.is(recorded, theta[i])) return { t, index: i, recorded, replayed: theta[i]! };
    }
  }
  return null;
}
