import type { Model } from "../engine/model";

/**
 * What a recorder keeps. Default: everything. Epochs: all, or the first N, every k-th (epoch % k = 0),
 * and/or the last one. Layers/neurons: only these neurons' z, a, blame and weight adjustments; the
 * neurons of the layer below a selected neuron are recorded too (their activations are the inputs of
 * its weights), without their own adjustments. What is not recorded is listed as such in the file
 * (recorded_epochs, recorded_neurons) and the reader answers "not recorded" instead of numbers.
 */
export interface RecordingPolicy {
  readonly epochs?: "all" | { readonly first?: number; readonly every?: number; readonly last?: boolean };
  readonly layers?: readonly number[];
  readonly neurons?: readonly { readonly layer: number; readonly neuron: number }[];
}

export interface RecordedNeuron {
  readonly layer: number;
  readonly neuron: number;
  /** Its weights' adjustments are recorded (false: only recorded as the input of a selected neuron). */
  readonly weights: boolean;
}

/** Whether epoch `epoch` (0-based) is recorded; `planned` is the run's epoch count when known. */
export function recordsEpoch(policy: RecordingPolicy, epoch: number, planned: number | undefined): boolean {
  const e = policy.epochs ?? "all";
  if (e === "all") return true;
  if (e.first !== undefined && epoch < e.first) return true;
  if (e.every !== undefined && e.every > 0 && epoch % e.every === 0) return true;
  if (e.last && planned !== undefined && epoch === planned - 1) return true;
  return false;
}

export function validatePolicy(policy: RecordingPolicy, model: Model, planned: number | undefined): void {
  const e = policy.epochs ?? "all";
  if (e !== "all") {
    for (const key of ["first", "every"] as const) {
      const v = e[key];
      if (v !== undefined && (!Number.isInteger(v) || v < 0)) throw new RangeError(`record.epochs.${key}: must be an integer ≥ 0, got ${v}`);
    }
    if (e.last && planned === undefined) throw new RangeError("record.epochs.last: the recorder needs the planned epoch count (option `epochs`)");
  }
  for (const l of policy.layers ?? []) {
    if (!model.layers[l]) throw new RangeError(`record.layers: no layer ${l} (the model has ${model.layers.length})`);
  }
  for (const { layer, neuron } of policy.neurons ?? []) {
    const l = model.layers[layer];
    if (!l || !Number.isInteger(neuron) || neuron < 0 || neuron >= l.units) {
      throw new RangeError(`record.neurons: no neuron [layer ${layer}, neuron ${neuron}]`);
    }
  }
}

/** The recorded neurons, ordered by (layer, neuron): their column order in the sample blobs. */
export function recordedNeurons(policy: RecordingPolicy, model: Model): RecordedNeuron[] {
  const all = policy.layers === undefined && policy.neurons === undefined;
  const selected = new Set<number>();
  const flat = (layer: number, neuron: number) => model.layers[layer]!.neuronOffset + neuron;
  if (all) for (let i = 0; i < model.neuronCount; i++) selected.add(i);
  for (const l of policy.layers ?? []) for (let j = 0; j < model.layers[l]!.units; j++) selected.add(flat(l, j));
  for (const { layer, neuron } of policy.neurons ?? []) selected.add(flat(layer, neuron));
  const out: RecordedNeuron[] = [];
  for (const l of model.layers) {
    const next = model.layers[l.index + 1];
    const feedsSelected = next !== undefined && [...Array(next.units).keys()].some((k) => selected.has(next.neuronOffset + k));
    for (let j = 0; j < l.units; j++) {
      const own = selected.has(l.neuronOffset + j);
      if (own || feedsSelected) out.push({ layer: l.index, neuron: j, weights: own });
    }
  }
  return out;
}
