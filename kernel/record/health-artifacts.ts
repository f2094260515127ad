/**
 * The recorded health and lifecycle series as trace.npz arrays (`neuroforge export`), each with its
 * meta.json description. Per-layer quantities are [H, L, …] (H measured commits, L layers); per-neuron
 * ones [E, N] (E lifecycle evaluations, N neurons in flat order, meta.json's layers give the offsets).
 */
import { BASIS_POINTS, HISTOGRAM_BINS } from "../engine/health/summary";
import { lifecycleStages } from "../engine/lifecycle/stages";
import { fitnessSeries, healthSeries, HEALTH_TENSORS } from "./health-series";
import type { NpyArray } from "./npz";
import type { NfrunReader } from "./reader";

export interface NamedArrays {
  readonly arrays: Record<string, NpyArray>;
  readonly described: Record<string, string>;
}

/** Health arrays (none when the run measured none) and lifecycle arrays (none without evaluations). */
export function healthArrays(r: NfrunReader, runId: string): NamedArrays {
  const arrays: Record<string, NpyArray> = {};
  const described: Record<string, string> = {};
  const layers = r.context(runId).layers.map((l) => healthSeries(r, runId, l.layer));
  const H = layers[0]?.t.length ?? 0;
  const L = layers.length;
  if (H > 0) {
    arrays.health_t = { data: layers[0]!.t, shape: [H] };
    described.health_t = "commit t of row k of every health_* array (a health measure after that commit)";
    const stack = (width: number, fill: (k: number, l: number, out: Float64Array, o: number) => void): Float64Array => {
      const out = new Float64Array(H * L * width);
      for (let k = 0; k < H; k++) for (let l = 0; l < L; l++) fill(k, l, out, (k * L + l) * width);
      return out;
    };
    arrays.health_activations = {
      data: stack(3, (k, l, out, o) => out.set([layers[l]!.activationMean[k]!, layers[l]!.activationStd[k]!, layers[l]!.dormant[k]!], o)),
      shape: [H, L, 3],
    };
    described.health_activations = "per measured commit and layer: activation mean, activation std (over the commit's batch), dormant fraction (ReDo)";
    const P = BASIS_POINTS.length;
    for (const tensor of HEALTH_TENSORS) {
      const v = (l: number) => layers[l]![tensor];
      arrays[`health_${tensor}`] = {
        data: stack(6, (k, l, out, o) => out.set([v(l).count[k]!, v(l).zeros[k]!, v(l).nan[k]!, v(l).inf[k]!, v(l).mean[k]!, v(l).std[k]!], o)),
        shape: [H, L, 6],
      };
      described[`health_${tensor}`] = `per measured commit and layer, the ${tensor}: count, zeros, NaN, ±Inf, mean and std of the finite values`;
      arrays[`health_${tensor}_percentiles`] = { data: stack(P, (k, l, out, o) => out.set(v(l).percentiles.subarray(k * P, (k + 1) * P), o)), shape: [H, L, P] };
      described[`health_${tensor}_percentiles`] = `the ${tensor}' percentiles at TensorBoard's basis points ${BASIS_POINTS.map((bp) => bp / 100).join(", ")} %`;
      arrays[`health_${tensor}_histogram`] = {
        data: stack(2 + HISTOGRAM_BINS, (k, l, out, o) => {
          out[o] = v(l).histLow[k]!;
          out[o + 1] = v(l).histHigh[k]!;
          out.set(v(l).histogram.subarray(k * HISTOGRAM_BINS, (k + 1) * HISTOGRAM_BINS), o + 2);
        }),
        shape: [H, L, 2 + HISTOGRAM_BINS],
      };
      described[`health_${tensor}_histogram`] = `the ${tensor}' histogram: low, high, then ${HISTOGRAM_BINS} counts of equal bins between them`;
    }
  }
  const f = fitnessSeries(r, runId);
  const E = f.t.length;
  if (E > 0) {
    const N = f.neurons;
    arrays.lifecycle_t = { data: f.t, shape: [E] };
    described.lifecycle_t = "commit t of row k of every lifecycle_* array (a lifecycle evaluation after that commit)";
    const perNeuron: [string, Float64Array | Int32Array, string][] = [
      ["lifecycle_fitness", f.fitness, "fitness = α·grad_norm + β·activation_variance − γ·stagnation"],
      ["lifecycle_grad_norm", f.gradNorm, "grad_norm term"],
      ["lifecycle_activation_variance", f.activationVariance, "activation_variance term"],
      ["lifecycle_stagnation", f.stagnation, "stagnation term"],
      ["lifecycle_age", f.age, "age in commits after the evaluation's rebirths"],
      ["lifecycle_stage", f.stage, `stage code: ${lifecycleStages.map((s, i) => `${i} ${s}`).join(", ")}`],
    ];
    for (const [name, data, text] of perNeuron) {
      arrays[name] = { data, shape: [E, N] };
      described[name] = `per evaluation and neuron (flat order): ${text}`;
    }
  }
  return { arrays, described };
}
