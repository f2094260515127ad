import { initializers } from "../initializers";
import { Rng } from "../math/rng";
import type { InitSpec, Model } from "../model";
import type { StrategyState } from "../optimizers/strategy-state";

/** Where a rebirth happens and how its new weights are drawn. */
export interface RebirthSite {
  readonly layer: number;
  readonly neuron: number;
  /** Timestep of the commit after which the neuron is reborn (seeds its draw). */
  readonly t: number;
  /** The neuron's mean activation, added × each outgoing weight to the next layer's biases (0: nothing absorbed). */
  readonly absorb: number;
}

/**
 * The generator a rebirth draws from: seeded by the run's lifecycle seed, t and the neuron, so a replay
 * (`verify`) draws the same bits without knowing any other rebirth of the run.
 */
export function rebirthRng(seed: number, t: number, layer: number, neuron: number): Rng {
  return new Rng((Math.imul(seed ^ 0x11fe, 0x9e3779b1) ^ Math.imul(t, 0x85ebca6b) ^ Math.imul(layer + 1, 0xc2b2ae35) ^ (neuron * 0x27d4eb2f)) >>> 0);
}

/** Flat indices of the weights a rebirth writes: the neuron's incoming weights and bias, then its outgoing weights. */
export function rebirthWeights(model: Model, layer: number, neuron: number): number[] {
  const l = model.layers[layer]!;
  const next = model.layers[layer + 1];
  if (!next) throw new RangeError(`lifecycle: layer ${layer} is the output layer; only hidden neurons are reborn`);
  const base = l.offset + neuron * (l.inputs + 1);
  const indices = Array.from({ length: l.inputs + 1 }, (_, k) => base + k);
  for (let m = 0; m < next.units; m++) indices.push(next.offset + m * (next.inputs + 1) + neuron);
  return indices;
}

/**
 * Rebirth (ReDo, continual backprop): incoming weights re-drawn from `init` (fan-in/fan-out of the
 * layer; the bias as Model.initialize sets it), outgoing weights zero — the new neuron adds nothing to the
 * next layer at this moment — and the optimizer state of all those weights reset. With `absorb` ≠ 0 the
 * next layer's biases take over the old neuron's mean contribution (w_out · absorb), as continual
 * backprop does, so a neuron whose activation was constant leaves the function unchanged.
 */
export function rebirth(model: Model, state: StrategyState | null, init: InitSpec, seed: number, site: RebirthSite): void {
  const initializer = Object.hasOwn(initializers, init.name) ? initializers[init.name] : undefined;
  if (!initializer) throw new RangeError(`lifecycle.init: unknown initializer '${init.name}'`);
  const { layer, neuron } = site;
  const l = model.layers[layer]!;
  const next = model.layers[layer + 1];
  if (!next) throw new RangeError(`lifecycle: layer ${layer} is the output layer; only hidden neurons are reborn`);
  const p = model.params;
  const rng = rebirthRng(seed, site.t, layer, neuron);
  const base = l.offset + neuron * (l.inputs + 1);
  for (let k = 0; k < l.inputs; k++) p[base + k] = initializer.sample(rng, l.inputs, l.units, init);
  p[base + l.inputs] = initializer.initBias ? initializer.sample(rng, l.inputs, l.units, init) : 0;
  for (let m = 0; m < next.units; m++) {
    const row = next.offset + m * (next.inputs + 1);
    if (site.absorb !== 0) p[row + next.inputs] = p[row + next.inputs]! + p[row + neuron]! * site.absorb;
    p[row + neuron] = 0;
  }
  state?.resetWeights(rebirthWeights(model, layer, neuron));
}
