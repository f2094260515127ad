/**
 * The Trace of a recorded run as series (seed 003): the per-commit scalars (loss, learning-rate scale,
 * gradient and step norms) and θ[t] — one weight's history, a neuron's, a layer's weights as a matrix
 * series, the per-layer update/weight ratio. θ[t] is rebuilt from the run's t = 0 snapshot and the
 * recorded adjustments (after = before − adjustment; sanitizations, rebirths and Lookahead's syncs replayed), one query per neuron.
 */
import type { NfrunReader } from "./reader";
import type { LayerRow, NotRecorded, RunContext } from "./reader-types";
import { notRecorded } from "./reader-util";
import { testMetrics } from "./test-split";
import { ResetReplay, runResets } from "./reset-trace";
import { neuronAdjustments } from "./weight-trace";

/** Per-commit scalars; index k is commit t[k] (t = 1 … T). */
export interface ScalarSeries {
  readonly t: Int32Array;
  readonly epoch: Int32Array;
  readonly loss: Float64Array;
  readonly lrScale: Float64Array;
  readonly gradNorm: Float64Array;
  readonly stepNorm: Float64Array;
}

/** The test split's metrics per completed epoch (empty: no test split); accuracy NaN for a regression loss. */
export interface TestSeries {
  readonly epoch: Int32Array;
  /** The epoch's last commit: the weights the metrics were computed with. */
  readonly t: Int32Array;
  readonly loss: Float64Array;
  readonly accuracy: Float64Array;
}

/** Weights over time: row k holds them after commit k (row 0: at t = 0), `width` values per row. */
export interface WeightSeries {
  readonly t: Int32Array;
  readonly width: number;
  readonly values: Float64Array;
}

/** A layer's weights over time: per row, units × (inputs + 1) values, neuron-major (a neuron's bias last). */
export interface LayerSeries extends WeightSeries {
  readonly layer: number;
  readonly units: number;
  /** Inputs + 1 (the bias). */
  readonly columns: number;
}

export function scalarSeries(r: NfrunReader, runId: string): ScalarSeries {
  const trace = r.trace(runId);
  return { t: trace.t, epoch: trace.epoch, loss: trace.loss, lrScale: trace.lrScale, gradNorm: trace.gradNorm, stepNorm: trace.stepNorm };
}

export function testSeries(r: NfrunReader, runId: string): TestSeries {
  r.context(runId);
  const rows = testMetrics(r, runId);
  return {
    epoch: Int32Array.from(rows, (m) => m.epoch),
    t: Int32Array.from(rows, (m) => m.t),
    loss: Float64Array.from(rows, (m) => m.loss),
    accuracy: Float64Array.from(rows, (m) => m.accuracy ?? NaN),
  };
}

/** Commits 1 … T, checked to be contiguous (a row per commit follows). */
function commitCount(r: NfrunReader, ctx: RunContext): number {
  const t = ctx.trace.t;
  for (let k = 0; k < t.length; k++) if (t[k] !== k + 1) throw r.bad(`run ${ctx.info.runId}: commit ${k + 1} is missing (found t=${t[k]})`);
  return t.length;
}

function layerOf(r: NfrunReader, ctx: RunContext, layer: number): LayerRow {
  const l = ctx.layers[layer];
  if (!l) throw r.bad(`run ${ctx.info.runId} has no layer ${layer}`);
  return l;
}

/**
 * Weights wFrom … wTo of one neuron after every commit, into `out` (row stride `stride`, from column
 * `column`); a NotRecorded when its adjustments are not all in the file.
 */
function fillNeuron(r: NfrunReader, ctx: RunContext, l: LayerRow, neuron: number, wFrom: number, wTo: number, T: number, out: Float64Array, stride: number, column: number): NotRecorded | null {
  if (!ctx.weightsRecorded[l.layer]![neuron]) return notRecorded(`neuron [layer ${l.layer}, neuron ${neuron}] was not recorded (recording policy)`);
  if (ctx.snapshotTs[0] !== 0) return notRecorded("the run has no snapshot at t = 0");
  if (ctx.mechanisms.lookahead && !ctx.replay) throw r.bad(`run ${ctx.info.runId}: its stored mechanisms do not fit its model (${ctx.replayError})`);
  const base = l.offset + neuron * (l.inputs + 1);
  const snap = r.snapshot(ctx, 0);
  // A rebirth that writes the neuron may need its other weights (an absorbing bias reads w_out): replay them all.
  const resets = runResets(r, ctx);
  const [from, to] = ResetReplay.touches(resets, ctx.layers, base, base + l.inputs) ? [0, l.inputs] : [wFrom, wTo];
  const reset = new ResetReplay(resets, ctx.layers, base + from, base + to, 0, {}, null, {});
  const n = to - from + 1;
  const theta = snap.weights.slice(base + from, base + to + 1);
  const adj = T > 0 ? neuronAdjustments(r, ctx.info.runId, l.layer, neuron, from, to, 1, T) : [];
  if (adj.some((a) => a.some((v) => v === null))) return notRecorded(`adjustments of neuron [layer ${l.layer}, neuron ${neuron}] are not all recorded`);
  const la = ctx.replay?.lookahead(n, snap.slow ? snap.slow.slice(base + from, base + to + 1) : null) ?? null;
  const wanted = () => theta.subarray(wFrom - from, wTo - from + 1);
  out.set(wanted(), column);
  for (let t = 1; t <= T; t++) {
    la?.beforeCommit(theta, t);
    for (let w = 0; w < n; w++) theta[w] = theta[w]! - adj[w]![t - 1]!;
    reset.afterCommit(t, theta, {}, la?.slow ?? null);
    la?.afterCommit(theta, t);
    out.set(wanted(), t * stride + column);
  }
  return null;
}

const timesteps = (T: number): Int32Array => Int32Array.from({ length: T + 1 }, (_, k) => k);

/** θ[t] of one weight (weight `inputs` of a neuron is its bias) for t = 0 … T. */
export function weightSeries(r: NfrunReader, runId: string, layer: number, neuron: number, weight: number): WeightSeries | NotRecorded {
  const ctx = r.context(runId);
  const l = layerOf(r, ctx, layer);
  if (!Number.isInteger(neuron) || neuron < 0 || neuron >= l.units || !Number.isInteger(weight) || weight < 0 || weight > l.inputs) {
    throw r.bad(`run ${runId} has no weight [layer ${layer}, neuron ${neuron}, weight ${weight}]`);
  }
  const T = commitCount(r, ctx);
  const values = new Float64Array(T + 1);
  const missing = fillNeuron(r, ctx, l, neuron, weight, weight, T, values, 1, 0);
  return missing ?? { t: timesteps(T), width: 1, values };
}

/** A layer's weights as a matrix series: (T + 1) rows of units × (inputs + 1). */
export function layerSeries(r: NfrunReader, runId: string, layer: number): LayerSeries | NotRecorded {
  const ctx = r.context(runId);
  const l = layerOf(r, ctx, layer);
  const T = commitCount(r, ctx);
  const columns = l.inputs + 1;
  const width = l.units * columns;
  const values = new Float64Array((T + 1) * width);
  for (let j = 0; j < l.units; j++) {
    const missing = fillNeuron(r, ctx, l, j, 0, l.inputs, T, values, width, j * columns);
    if (missing) return missing;
  }
  return { t: timesteps(T), width, values, layer, units: l.units, columns };
}

/** ‖θ_l[t] − θ_l[t−1]‖ / ‖θ_l[t−1]‖ of a layer's weights for t = 1 … T (NaN where the layer was all zero). */
export function updateRatios(s: WeightSeries): Float64Array {
  const T = s.t.length - 1;
  const w = s.width;
  const out = new Float64Array(T);
  for (let t = 1; t <= T; t++) {
    let d2 = 0;
    let b2 = 0;
    for (let i = 0; i < w; i++) {
      const before = s.values[(t - 1) * w + i]!;
      const d = s.values[t * w + i]! - before;
      d2 += d * d;
      b2 += before * before;
    }
    out[t - 1] = b2 === 0 ? NaN : Math.sqrt(d2 / b2);
  }
  return out;
}

/** θ[t] of every weight, (T + 1) × W in the model's flat order (every layer's series side by side). */
export function thetaSeries(r: NfrunReader, runId: string): WeightSeries | NotRecorded {
  const ctx = r.context(runId);
  const W = ctx.info.weightCount;
  const T = commitCount(r, ctx);
  const values = new Float64Array((T + 1) * W);
  for (const l of ctx.layers) {
    for (let j = 0; j < l.units; j++) {
      const missing = fillNeuron(r, ctx, l, j, 0, l.inputs, T, values, W, l.offset + j * (l.inputs + 1));
      if (missing) return missing;
    }
  }
  return { t: timesteps(T), width: W, values };
}
