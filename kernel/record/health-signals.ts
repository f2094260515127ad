/**
 * A run's recorded health and lifecycle as signals (plottable with `neuroforge plot`, drawn by the signals
 * renderer): per measured commit the dormant fraction and activation mean/std of every layer, each layer's
 * weight and gradient percentile bands and zero/NaN/Inf counts; per lifecycle evaluation each layer's
 * fitness and age per neuron and how many neurons are in each stage. None when the run recorded none.
 */
import { BASIS_POINTS } from "../engine/health/summary";
import { lifecycleStages } from "../engine/lifecycle/stages";
import { fitnessSeries, healthSeries, HEALTH_TENSORS, type HealthSeries, type ValueSeries } from "./health-series";
import type { NfrunReader } from "./reader";
import type { Signal } from "./signal-types";

const X = "t (commit)";
/** p0, p6.68, …, p100: the basis points as percentiles. */
const BANDS = BASIS_POINTS.map((bp) => `p${bp / 100}`);

/** Column c of a row-major matrix with `width` columns. */
const column = (m: ArrayLike<number>, rows: number, width: number, c: number): number[] => Array.from({ length: rows }, (_, k) => m[k * width + c]!);

function healthSignals(series: readonly HealthSeries[]): Signal[] {
  const first = series[0];
  if (!first || first.t.length === 0) return [];
  const x = Array.from(first.t);
  const H = x.length;
  const layers = series.map((s) => `layer${s.layer}`);
  const perLayer = (name: string, unit: string, pick: (s: HealthSeries) => Float64Array): Signal => ({ name, unit, xLabel: X, x, components: layers, values: series.map((s) => Array.from(pick(s))) });
  const signals = [
    perLayer("dormant", "fraction of neurons", (s) => s.dormant),
    perLayer("activation_mean", "a", (s) => s.activationMean),
    perLayer("activation_std", "a", (s) => s.activationStd),
  ];
  for (const s of series) {
    for (const tensor of HEALTH_TENSORS) {
      const v: ValueSeries = s[tensor];
      const unit = tensor === "weights" ? "θ" : "g";
      signals.push({ name: `${tensor}.layer${s.layer}`, unit, xLabel: X, x, components: BANDS, values: BANDS.map((_, p) => column(v.percentiles, H, BANDS.length, p)) });
      signals.push({ name: `${tensor}_counts.layer${s.layer}`, unit: "values", xLabel: X, x, components: ["zeros", "nan", "inf"], values: [v.zeros, v.nan, v.inf].map((a) => Array.from(a)) });
    }
  }
  return signals;
}

function fitnessSignals(r: NfrunReader, runId: string): Signal[] {
  const f = fitnessSeries(r, runId);
  const E = f.t.length;
  if (E === 0) return [];
  const x = Array.from(f.t);
  const N = f.neurons;
  const signals: Signal[] = [];
  for (const l of r.context(runId).layers) {
    const neurons = Array.from({ length: l.units }, (_, j) => `neuron${j}`);
    const of = (m: Float64Array) => neurons.map((_, j) => column(m, E, N, l.neuronOffset + j));
    signals.push({ name: `fitness.layer${l.layer}`, unit: "fitness", xLabel: X, x, components: neurons, values: of(f.fitness) });
    signals.push({ name: `age.layer${l.layer}`, unit: "commits", xLabel: X, x, components: neurons, values: of(f.age) });
    const counts = lifecycleStages.map((_, code) =>
      Array.from({ length: E }, (_, k) => {
        let n = 0;
        for (let j = 0; j < l.units; j++) if (f.stage[k * N + l.neuronOffset + j] === code) n++;
        return n;
      }),
    );
    signals.push({ name: `stages.layer${l.layer}`, unit: "neurons", xLabel: X, x, components: lifecycleStages, values: counts });
  }
  return signals;
}

/** Every health and lifecycle signal the run recorded. */
export function runHealthSignals(r: NfrunReader, runId: string): Signal[] {
  const layers = r.context(runId).layers.map((l) => healthSeries(r, runId, l.layer));
  return [...healthSignals(layers), ...fitnessSignals(r, runId)];
}
