import type { LayerInfo } from "../model";
import type { NeuronActivity } from "../lifecycle/activity";

/**
 * ReDo's dormant neurons (Sokar et al., ICML 2023): neuron i of a layer scores
 * s_i = E|a_i| / ((1/H) Σ_k E|a_k|) over the window's samples, and is dormant when s_i ≤ τ. A layer whose
 * every mean |a| is 0 is wholly dormant. Returns the dormant fraction (NaN before any sample).
 */
export function dormantFraction(activity: NeuronActivity, layer: LayerInfo, tau: number): number {
  if (activity.samples === 0) return NaN;
  let total = 0;
  for (let j = 0; j < layer.units; j++) total += activity.meanAbs(layer.neuronOffset + j);
  const layerMean = total / layer.units;
  if (!Number.isFinite(layerMean)) return NaN;
  let dormant = 0;
  for (let j = 0; j < layer.units; j++) {
    const s = layerMean > 0 ? activity.meanAbs(layer.neuronOffset + j) / layerMean : 0;
    if (s <= tau) dormant++;
  }
  return dormant / layer.units;
}
