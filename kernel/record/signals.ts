/**
 * Signals of a recorded run and of a descent trace (seed 003): the Trace's series named, with units,
 * decoded through the index map (layer.neuron.weight for networks, the objective's slices for θ-space
 * descent) and, for descent on a problem with a known optimum, with truth.
 */
import type { DescentTrace } from "../engine/precondition/descend";
import type { Objective } from "../engine/precondition/objective";
import type { NfrunReader } from "./reader";
import type { NotRecorded } from "./reader-types";
import type { Signal } from "./signal-types";
import { runHealthSignals } from "./health-signals";
import { layerSeries, scalarSeries, testSeries, updateRatios, weightSeries } from "./series";

export interface WeightRef {
  readonly layer: number;
  readonly neuron: number;
  readonly weight: number;
}

const scalar = (name: string, unit: string, xLabel: string, x: readonly number[], v: ArrayLike<number>): Signal => ({ name, unit, xLabel, x, components: [name], values: [Array.from(v)] });

/**
 * A run's signals: loss, lr_scale, grad_norm, step_norm per commit, update_ratio (one component per
 * layer whose weights are all recorded), with a test split `test_loss` and (classification losses)
 * `test_accuracy` per epoch, `weights` (θ[t] of the chosen weights, when given), and the health and
 * lifecycle series the run recorded (./health-signals: dormant, activation_mean/std, per layer the
 * weights/gradients percentile bands and counts, fitness, age, stages).
 * Chosen weights that were not recorded are a NotRecorded.
 */
export function runSignals(r: NfrunReader, runId: string, weights: readonly WeightRef[] = [], options: { readonly updateRatios?: boolean } = {}): Signal[] | NotRecorded {
  const s = scalarSeries(r, runId);
  const t = Array.from(s.t);
  const signals: Signal[] = [
    scalar("loss", "loss", "t (commit)", t, s.loss),
    scalar("lr_scale", "× lr", "t (commit)", t, s.lrScale),
    scalar("grad_norm", "‖g‖₂", "t (commit)", t, s.gradNorm),
    scalar("step_norm", "‖Δθ‖₂", "t (commit)", t, s.stepNorm),
  ];
  const ratios: { name: string; values: number[] }[] = [];
  // Every layer's whole matrix series: the costly part, which a caller that draws no ratios skips.
  for (const l of options.updateRatios === false ? [] : r.context(runId).layers) {
    const series = layerSeries(r, runId, l.layer);
    if (!("kind" in series)) ratios.push({ name: `layer${l.layer}`, values: Array.from(updateRatios(series)) });
  }
  const test = testSeries(r, runId);
  if (test.epoch.length > 0) {
    const epochs = Array.from(test.epoch);
    signals.push(scalar("test_loss", "loss", "epoch", epochs, test.loss));
    if (test.accuracy.some((a) => !Number.isNaN(a))) signals.push(scalar("test_accuracy", "fraction correct", "epoch", epochs, test.accuracy));
  }
  for (const health of runHealthSignals(r, runId)) signals.push(health);
  if (ratios.length > 0) signals.push({ name: "update_ratio", unit: "‖Δθ‖/‖θ‖", xLabel: "t (commit)", x: t, components: ratios.map((q) => q.name), values: ratios.map((q) => q.values) });
  if (weights.length > 0) {
    const values: number[][] = [];
    let x: number[] = [];
    for (const w of weights) {
      const series = weightSeries(r, runId, w.layer, w.neuron, w.weight);
      if ("kind" in series) return series;
      values.push(Array.from(series.values));
      x = Array.from(series.t);
    }
    const components = weights.map((w) => `layer${w.layer}.neuron${w.neuron}.${w.weight === r.context(runId).layers[w.layer]!.inputs ? "bias" : `w${w.weight}`}`);
    signals.push({ name: "weights", unit: "θ", xLabel: "t (commit)", x, components, values });
  }
  return signals;
}

/**
 * A descent's signals: loss, grad_norm, step_norm, one signal per index-map slice of θ (truth from the
 * objective's optimum when known) and `lr_vec.<slice>` for a preconditioner's per-weight rates.
 */
export function descentSignals(trace: DescentTrace, objective: Objective | null = null): Signal[] {
  const D = trace.meta.dim;
  const steps = trace.steps;
  const t0 = Array.from({ length: steps + 1 }, (_, k) => k);
  const t1 = Array.from({ length: steps }, (_, k) => k + 1);
  const signals: Signal[] = [
    scalar("loss", "loss", "t (step)", t0, trace.loss),
    scalar("grad_norm", "‖g‖₂", "t (step)", t1, trace.gradNorm),
    scalar("step_norm", "‖Δθ‖₂", "t (step)", t1, trace.stepNorm),
  ];
  const column = (m: Float64Array, rows: number, i: number): number[] => Array.from({ length: rows }, (_, k) => m[k * D + i]!);
  for (const slice of trace.meta.indexMap) {
    const components = slice.components ?? Array.from({ length: slice.size }, (_, j) => String(j));
    const idx = Array.from({ length: slice.size }, (_, j) => slice.offset + j);
    if (trace.theta) {
      const optimum = objective?.optimum ?? null;
      signals.push({ name: slice.name, unit: "θ", xLabel: "t (step)", x: t0, components, values: idx.map((i) => column(trace.theta!, steps + 1, i)), ...(optimum ? { truth: idx.map((i) => optimum[i]!) } : {}) });
    }
    if (trace.lrVec) signals.push({ name: `lr_vec.${slice.name}`, unit: "lr", xLabel: "t (step)", x: t1, components, values: idx.map((i) => column(trace.lrVec!, steps, i)) });
  }
  return signals;
}
