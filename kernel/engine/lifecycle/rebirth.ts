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

/** The layers a rebirth needs: where each layer's weights start, its inputs and units (a Model's, or a run file's). */
export type RebirthLayout = readonly { readonly offset: number; readonly inputs: number; readonly units: number }[];

/** What a rebirth does to one weight. */
export type RebirthChange = "re-drawn" | "zeroed" | "absorbed";

export interface RebirthWrite {
  readonly index: number;
  readonly value: number;
  readonly change: RebirthChange;
}

/** Flat indices of the weights whose optimizer state a rebirth resets: the neuron's incoming weights and bias, then its outgoing weights. */
export function rebirthWeights(layers: RebirthLayout, layer: number, neuron: number): number[] {
  const l = layers[layer]!;
  const next = layers[layer + 1];
  if (!next) throw new RangeError(`lifecycle: layer ${layer} is the output layer; only hidden neurons are reborn`);
  const base = l.offset + neuron * (l.inputs + 1);
  const indices = new Array<number>(l.inputs + 1 + next.units);
  for (let k = 0; k <= l.inputs; k++) indices[k] = base + k;
  for (let m = 0; m < next.units; m++) indices[l.inputs + 1 + m] = next.offset + m * (next.inputs + 1) + neuron;
  return indices;
}

/**
 * Flat indices of the weights a rebirth writes (forEachRebirthWrite's, without drawing the new values):
 * the reset ones (rebirthWeights), and with `absorb` ≠ 0 the next layer's biases.
 */
export function rebirthWritten(layers: RebirthLayout, site: Pick<RebirthSite, "layer" | "neuron" | "absorb">): number[] {
  const indices = rebirthWeights(layers, site.layer, site.neuron);
  const next = layers[site.layer + 1]!;
  if (site.absorb !== 0) for (let m = 0; m < next.units; m++) indices.push(next.offset + m * (next.inputs + 1) + next.inputs);
  return indices;
}

/**
 * The weights a rebirth writes, in the order it writes them: the neuron's incoming weights re-drawn from
 * `init` (fan-in/fan-out of the layer) and its bias as the initializer sets biases ("re-drawn"), each
 * outgoing weight zero ("zeroed") after, with `absorb` ≠ 0, the next layer's bias took over its mean
 * contribution w_out · absorb ("absorbed"). `read` gives a weight's value before the rebirth (only the
 * absorbing biases and outgoing weights are read, each before it is written, so `write` may write through
 * at once). A replay (verify, a weight's trace) gets the same bits.
 */
export function forEachRebirthWrite(
  layers: RebirthLayout,
  init: InitSpec,
  seed: number,
  site: RebirthSite,
  read: (index: number) => number,
  write: (index: number, value: number, change: RebirthChange) => void,
): void {
  const initializer = Object.hasOwn(initializers, init.name) ? initializers[init.name] : undefined;
  if (!initializer) throw new RangeError(`lifecycle.init: unknown initializer '${init.name}'`);
  const { layer, neuron } = site;
  const l = layers[layer]!;
  const next = layers[layer + 1];
  if (!next) throw new RangeError(`lifecycle: layer ${layer} is the output layer; only hidden neurons are reborn`);
  const rng = rebirthRng(seed, site.t, layer, neuron);
  const base = l.offset + neuron * (l.inputs + 1);
  for (let k = 0; k < l.inputs; k++) write(base + k, initializer.sample(rng, l.inputs, l.units, init), "re-drawn");
  write(base + l.inputs, initializer.initBias ? initializer.sample(rng, l.inputs, l.units, init) : 0, "re-drawn");
  for (let m = 0; m < next.units; m++) {
    const row = next.offset + m * (next.inputs + 1);
    if (site.absorb !== 0) write(row + next.inputs, read(row + next.inputs) + read(row + neuron) * site.absorb, "absorbed");
    write(row + neuron, 0, "zeroed");
  }
}

/** forEachRebirthWrite's writes as a list (a replay looks at them; training writes through instead). */
export function rebirthWrites(layers: RebirthLayout, init: InitSpec, seed: number, site: RebirthSite, read: (index: number) => number): RebirthWrite[] {
  const writes: RebirthWrite[] = [];
  forEachRebirthWrite(layers, init, seed, site, read, (index, value, change) => writes.push({ index, value, change }));
  return writes;
}

/**
 * Rebirth (ReDo, continual backprop): the weights of `rebirthWrites` written into the model — the new
 * neuron adds nothing to the next layer at this moment — and the optimizer state of the neuron's incoming
 * and outgoing weights reset (StrategyState.resetWeights: they restart as a fresh optimizer's). With
 * `absorb` ≠ 0 the next layer's biases take over the old neuron's mean contribution (w_out · absorb), as
 * continual backprop does, so a neuron whose activation was constant leaves the function unchanged.
 * Under Lookahead the same rebirth is applied to the slow weights (`slow`): a fresh Lookahead's slow
 * weights are the weights it starts from, so the next sync pulls the reborn weights towards their reborn
 * values, not the dead neuron's (and an absorbing bias's slow weight takes over the slow w_out · absorb).
 */
export function rebirth(model: Model, state: StrategyState | null, init: InitSpec, seed: number, site: RebirthSite, slow: Float64Array | null): void {
  for (const weights of slow ? [model.params, slow] : [model.params]) {
    forEachRebirthWrite(model.layers, init, seed, site, (i) => weights[i]!, (i, value) => (weights[i] = value));
  }
  state?.resetWeights(rebirthWeights(model.layers, site.layer, site.neuron));
}
