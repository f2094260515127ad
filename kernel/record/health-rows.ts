/**
 * The rows of a run's health measures and lifecycle evaluations (schema version 6, docs/nfrun-format.md),
 * in the tables' column order: what the writer thread inserts and hashes into the run's digest.
 */
import type { LayerHealth } from "../engine/health/monitor";
import type { Lifecycle } from "../engine/lifecycle/lifecycle";
import { lifecycleStages } from "../engine/lifecycle/stages";
import type { ValueSummary } from "../engine/health/summary";
import { f64Blob, i32Blob } from "./blob";
import type { FitnessSeries } from "./health-series";
import { PERCENTILE_COLUMNS } from "./schema";
import type { DigestValue } from "./run-digest";

export const HEALTH_INSERT = "INSERT INTO health (run_id, t, layer, activation_mean, activation_std, dormant) VALUES (?,?,?,?,?,?)";
export const HEALTH_VALUES_INSERT =
  `INSERT INTO health_values (run_id, t, layer, tensor, count, zeros, nan, inf, mean, std, ${PERCENTILE_COLUMNS.join(", ")}, hist_low, hist_high, hist) ` +
  `VALUES (${new Array(22).fill("?").join(",")})`;
export const NEURON_FITNESS_INSERT =
  "INSERT INTO neuron_fitness (run_id, t, fitness, grad_norm, activation_variance, stagnation, age, stage) VALUES (?,?,?,?,?,?,?,?)";

/** One lifecycle evaluation as the recorder sends it: a series of one row (per neuron, flat order, after the evaluation's rebirths). */
export type FitnessRecord = Omit<FitnessSeries, "t" | "neurons"> & { readonly t: number };

/** A measure's `health` rows (one per layer) and `health_values` rows (weights, then gradients, per layer), without run_id. */
export function healthRows(t: number, layers: readonly LayerHealth[]): { readonly health: DigestValue[][]; readonly values: DigestValue[][] } {
  const values = (h: LayerHealth, tensor: "weights" | "gradients", s: ValueSummary): DigestValue[] => [
    t, h.layer, tensor, s.count, s.zeros, s.nan, s.inf, s.mean, s.std, ...s.percentiles, s.histogram.low, s.histogram.high, f64Blob(Float64Array.from(s.histogram.counts)),
  ];
  return {
    health: layers.map((h) => [t, h.layer, h.activationMean, h.activationStd, h.dormant]),
    values: layers.flatMap((h) => [values(h, "weights", h.weights), values(h, "gradients", h.gradients)]),
  };
}

/** A `neuron_fitness` row, without run_id. */
export function fitnessRow(f: FitnessRecord): DigestValue[] {
  return [f.t, f64Blob(f.fitness), f64Blob(f.gradNorm), f64Blob(f.activationVariance), f64Blob(f.stagnation), f64Blob(f.age), i32Blob(f.stage)];
}

/** The lifecycle's evaluation after commit t (copies: the arrays travel to the writer thread). */
export function fitnessRecord(lifecycle: Lifecycle, t: number): FitnessRecord {
  const n = lifecycle.bornAt.length;
  const terms = lifecycle.terms;
  return {
    t,
    fitness: terms.fitness.slice(),
    gradNorm: terms.gradNorm.slice(),
    activationVariance: terms.activationVariance.slice(),
    stagnation: terms.stagnation.slice(),
    age: Float64Array.from(lifecycle.bornAt, (born) => t - born),
    stage: Int32Array.from({ length: n }, (_, i) => lifecycleStages.indexOf(lifecycle.stage(i, t))),
  };
}
