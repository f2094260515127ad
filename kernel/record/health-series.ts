/**
 * A run's recorded health and lifecycle as Trace series (schema version 6, tables `health`,
 * `health_values`, `neuron_fitness`; docs/nfrun-format.md). Runs recorded without `health:` or
 * `lifecycle:`, and files before version 6, have none: empty series, not errors. Every row is checked
 * against the run's model before it is used (a hostile row is a one-line 'corrupt' error naming the table
 * and field, never a crash or a huge allocation: a blob of the wrong length is never decoded).
 */
import type { LayerHealth } from "../engine/health/monitor";
import { BASIS_POINTS, HISTOGRAM_BINS, type ValueSummary } from "../engine/health/summary";
import { lifecycleStages } from "../engine/lifecycle/stages";
import { blobF64, blobI32 } from "./blob";
import type { NfrunReader } from "./reader";
import type { RunContext } from "./reader-types";
import { hasTable } from "./reader-util";
import { PERCENTILE_COLUMNS } from "./schema";

/** One tensor's distribution (a layer's weights or its commit's gradients) at each measured commit. */
export interface ValueSeries {
  readonly count: Float64Array;
  readonly zeros: Float64Array;
  readonly nan: Float64Array;
  readonly inf: Float64Array;
  /** Over the finite values; NaN where none was finite. */
  readonly mean: Float64Array;
  readonly std: Float64Array;
  /** Nine per row (TensorBoard's basis points BASIS_POINTS), row-major. */
  readonly percentiles: Float64Array;
  readonly histLow: Float64Array;
  readonly histHigh: Float64Array;
  /** HISTOGRAM_BINS counts per row (all 0 where no value was finite). */
  readonly histogram: Float64Array;
}

/** One layer's health at each measured commit t[k]. */
export interface HealthSeries {
  readonly layer: number;
  readonly t: Int32Array;
  readonly weights: ValueSeries;
  readonly gradients: ValueSeries;
  readonly activationMean: Float64Array;
  readonly activationStd: Float64Array;
  /** ReDo's dormant fraction of the layer's neurons over the measured commit's batch. */
  readonly dormant: Float64Array;
}

/** Every neuron's fitness terms, age and stage at each lifecycle evaluation t[k]: rows of N (flat neuron order). */
export interface FitnessSeries {
  readonly t: Int32Array;
  readonly neurons: number;
  readonly fitness: Float64Array;
  readonly gradNorm: Float64Array;
  readonly activationVariance: Float64Array;
  readonly stagnation: Float64Array;
  /** Commits since the neuron's last birth, after the evaluation's rebirths (a reborn neuron: 0). */
  readonly age: Float64Array;
  /** Index into `lifecycleStages` (newborn, mature, senior, dying). */
  readonly stage: Int32Array;
}

export const HEALTH_TENSORS = ["weights", "gradients"] as const;
export type HealthTensor = (typeof HEALTH_TENSORS)[number];

const real = (v: unknown): number => (v === null ? NaN : Number(v));

function emptyValues(n: number): ValueSeries {
  const f = (k = 1) => new Float64Array(n * k);
  return { count: f(), zeros: f(), nan: f(), inf: f(), mean: f(), std: f(), percentiles: f(BASIS_POINTS.length), histLow: f(), histHigh: f(), histogram: f(HISTOGRAM_BINS) };
}

/** The measured commits of a run (ascending), each checked to be a commit of the run. */
function measuredTs(r: NfrunReader, ctx: RunContext, table: string, sql: string): number[] {
  const runId = ctx.info.runId;
  return r.query(sql, [runId]).map(([v]) => {
    const t = Number(v);
    if (!Number.isInteger(t) || !ctx.commitIndex.has(t)) throw r.bad(`run ${runId}: table ${table} has a row at t=${String(v)}, which is not a commit of the run`);
    return t;
  });
}

/** A layer's health series (empty when the run recorded none). */
export function healthSeries(r: NfrunReader, runId: string, layer: number): HealthSeries {
  const ctx = r.context(runId);
  const l = ctx.layers[layer];
  if (!l) throw r.bad(`run ${runId} has no layer ${layer}`);
  const ts = hasTable(r, "health") ? measuredTs(r, ctx, "health", "SELECT DISTINCT t FROM health WHERE run_id = ? ORDER BY t") : [];
  const H = ts.length;
  const row = new Map(ts.map((t, k) => [t, k]));
  const out: HealthSeries = {
    layer,
    t: Int32Array.from(ts),
    weights: emptyValues(H),
    gradients: emptyValues(H),
    activationMean: new Float64Array(H).fill(NaN),
    activationStd: new Float64Array(H).fill(NaN),
    dormant: new Float64Array(H).fill(NaN),
  };
  if (H === 0) return out;
  const where = (t: unknown, what: string) => `run ${runId}: table health, t=${String(t)}, layer ${layer}: ${what}`;
  // Per measured commit: bit 0 its health row, bits 1 and 2 its weights and gradients rows.
  const seen = new Uint8Array(H);
  for (const [t, mean, std, dormant] of r.query("SELECT t, activation_mean, activation_std, dormant FROM health WHERE run_id = ? AND layer = ? ORDER BY t", [runId, layer])) {
    const k = row.get(Number(t))!;
    const d = real(dormant);
    if (!(Number.isNaN(d) || (d >= 0 && d <= 1))) throw r.bad(where(t, `dormant must be a fraction in [0, 1], found ${String(dormant)}`));
    seen[k]! |= 1;
    out.activationMean[k] = real(mean);
    out.activationStd[k] = real(std);
    out.dormant[k] = d;
  }
  const size = l.units * (l.inputs + 1);
  const bins = HISTOGRAM_BINS;
  const cols = PERCENTILE_COLUMNS.join(", ");
  const rows = r.query(
    `SELECT t, tensor, count, zeros, nan, inf, mean, std, ${cols}, hist_low, hist_high,
            CASE WHEN length(hist) IN (0, ${8 * bins}) THEN hist END, length(hist)
     FROM health_values WHERE run_id = ? AND layer = ? ORDER BY t, tensor`,
    [runId, layer],
  );
  for (const v of rows) {
    const [t, tensor, count, zeros, nan, inf, mean, std] = v;
    const at = (what: string) => where(t, `${String(tensor)}: ${what}`);
    if (tensor !== "weights" && tensor !== "gradients") throw r.bad(at("tensor must be weights or gradients"));
    const k = row.get(Number(t));
    if (k === undefined) throw r.bad(at("no health row at this t"));
    const s = out[tensor];
    seen[k]! |= tensor === "weights" ? 2 : 4;
    const counts = [count, zeros, nan, inf].map(Number);
    if (counts[0] !== size) throw r.bad(at(`count must be the layer's ${size} values, found ${String(count)}`));
    if (counts.some((c) => !Number.isInteger(c) || c < 0 || c > size) || counts[1]! + counts[2]! + counts[3]! > size) {
      throw r.bad(at(`zeros, nan and inf must be counts of the layer's ${size} values, found ${[zeros, nan, inf].map(String).join(", ")}`));
    }
    s.count[k] = counts[0]!;
    s.zeros[k] = counts[1]!;
    s.nan[k] = counts[2]!;
    s.inf[k] = counts[3]!;
    s.mean[k] = real(mean);
    s.std[k] = real(std);
    for (let p = 0; p < BASIS_POINTS.length; p++) s.percentiles[k * BASIS_POINTS.length + p] = real(v[8 + p]);
    s.histLow[k] = real(v[17]);
    s.histHigh[k] = real(v[18]);
    const hist = v[19] === null ? null : blobF64(v[19]);
    if (!hist) throw r.bad(at(`hist must hold ${bins} float64 counts (or none), found ${String(v[20])} bytes`));
    const finite = size - counts[2]! - counts[3]!;
    if ((hist.length === 0) !== (finite === 0)) throw r.bad(at(`hist must hold ${bins} counts when a value is finite and none otherwise, found ${hist.length}`));
    let total = 0;
    for (const c of hist) {
      if (!Number.isInteger(c) || c < 0) throw r.bad(at(`hist counts must be integers ≥ 0, found ${c}`));
      total += c;
    }
    if (total !== finite) throw r.bad(at(`hist counts must add up to the ${finite} finite values, found ${total}`));
    s.histogram.set(hist, k * bins);
  }
  const missing = seen.findIndex((b) => b !== 7);
  if (missing >= 0) throw r.bad(where(ts[missing], "a measured commit lacks this layer's health row or its weights or gradients row (table health_values)"));
  return out;
}

/**
 * Row k of a value series as the engine's summary of the live measure it was recorded from (a view that
 * draws live measures draws recorded ones the same way); no finite value: an empty histogram, as summarize gives.
 */
export function valueSummaryAt(v: ValueSeries, k: number): ValueSummary {
  const P = BASIS_POINTS.length;
  const finite = v.count[k]! - v.nan[k]! - v.inf[k]!;
  return {
    count: v.count[k]!,
    zeros: v.zeros[k]!,
    nan: v.nan[k]!,
    inf: v.inf[k]!,
    mean: v.mean[k]!,
    std: v.std[k]!,
    percentiles: Array.from(v.percentiles.subarray(k * P, (k + 1) * P)),
    histogram: { low: v.histLow[k]!, high: v.histHigh[k]!, counts: finite > 0 ? Array.from(v.histogram.subarray(k * HISTOGRAM_BINS, (k + 1) * HISTOGRAM_BINS)) : [] },
  };
}

/** A layer's measure at row k of its series, as the engine's live measure (HealthMonitor.latest) gave it. */
export function layerHealthAt(s: HealthSeries, k: number): LayerHealth {
  return {
    t: s.t[k]!,
    layer: s.layer,
    weights: valueSummaryAt(s.weights, k),
    gradients: valueSummaryAt(s.gradients, k),
    activationMean: s.activationMean[k]!,
    activationStd: s.activationStd[k]!,
    dormant: s.dormant[k]!,
  };
}

/** The lifecycle's per-neuron evaluations (empty when the run recorded none). */
export function fitnessSeries(r: NfrunReader, runId: string): FitnessSeries {
  const ctx = r.context(runId);
  const N = ctx.info.neuronCount;
  const ts = hasTable(r, "neuron_fitness") ? measuredTs(r, ctx, "neuron_fitness", "SELECT t FROM neuron_fitness WHERE run_id = ? ORDER BY t") : [];
  const E = ts.length;
  const f = () => new Float64Array(E * N);
  const out: FitnessSeries = { t: Int32Array.from(ts), neurons: N, fitness: f(), gradNorm: f(), activationVariance: f(), stagnation: f(), age: f(), stage: new Int32Array(E * N) };
  if (E === 0) return out;
  const names = ["fitness", "grad_norm", "activation_variance", "stagnation", "age"] as const;
  const checked = names.map((c) => `CASE WHEN length(${c}) = ?2 THEN ${c} END`).join(", ");
  const rows = r.query(`SELECT t, ${checked}, CASE WHEN length(stage) = ?3 THEN stage END FROM neuron_fitness WHERE run_id = ?1 ORDER BY t`, [runId, 8 * N, 4 * N]);
  const targets = [out.fitness, out.gradNorm, out.activationVariance, out.stagnation, out.age];
  rows.forEach((v, k) => {
    const at = (what: string) => `run ${runId}: table neuron_fitness, t=${String(v[0])}: ${what}`;
    names.forEach((name, c) => {
      const values = blobF64(v[1 + c]);
      if (!values) throw r.bad(at(`${name} must hold ${N} float64 values (one per neuron)`));
      targets[c]!.set(values, k * N);
    });
    const stage = blobI32(v[6]);
    if (!stage) throw r.bad(at(`stage must hold ${N} int32 values (one per neuron)`));
    for (const s of stage) if (!(s >= 0 && s < lifecycleStages.length)) throw r.bad(at(`stage must be 0 … ${lifecycleStages.length - 1} (${lifecycleStages.join(", ")}), found ${s}`));
    out.stage.set(stage, k * N);
    for (let i = k * N; i < (k + 1) * N; i++) {
      const age = out.age[i]!;
      if (!Number.isInteger(age) || age < 0 || age > ts[k]!) throw r.bad(at(`age must be an integer in 0 … t, found ${age}`));
    }
  });
  return out;
}
