import { activations, type ActivationName } from "./activations";
import { Model } from "./model";

/**
 * The documented weights file (docs/weights-format.md): per layer its activation, `weights[out][in]`
 * (PyTorch's nn.Linear layout) and `biases[out]`. JSON numbers round-trip float64 exactly.
 */
export interface WeightsFile {
  readonly format: "neuroforge.weights";
  readonly version: 1;
  readonly inputs: number;
  readonly layers: readonly {
    readonly activation: ActivationName;
    readonly weights: readonly (readonly number[])[];
    readonly biases: readonly number[];
  }[];
}

export function exportWeights(model: Model): WeightsFile {
  return {
    format: "neuroforge.weights",
    version: 1,
    inputs: model.spec.inputs,
    layers: model.layers.map((l) => {
      const weights: number[][] = [];
      const biases: number[] = [];
      for (let j = 0; j < l.units; j++) {
        const base = l.offset + j * (l.inputs + 1);
        weights.push(Array.from(model.params.subarray(base, base + l.inputs)));
        biases.push(model.params[base + l.inputs]!);
      }
      return { activation: l.activation.name, weights, biases };
    }),
  };
}

/** Builds a model from a weights file; throws a RangeError naming the offending path when malformed. */
export function importWeights(file: unknown, where = "weights"): Model {
  const f = file as Partial<WeightsFile> | null;
  if (!f || typeof f !== "object") throw new RangeError(`${where}: expected a JSON object`);
  if (f.format !== "neuroforge.weights") throw new RangeError(`${where}.format: expected "neuroforge.weights"`);
  if (f.version !== 1) throw new RangeError(`${where}.version: unsupported version ${String(f.version)}`);
  if (!Number.isInteger(f.inputs) || f.inputs! < 1) throw new RangeError(`${where}.inputs: expected an integer ≥ 1`);
  if (!Array.isArray(f.layers) || f.layers.length === 0) throw new RangeError(`${where}.layers: expected a non-empty array`);
  const model = new Model({
    inputs: f.inputs!,
    layers: f.layers.map((l, i, all) => {
      const path = `${where}.layers[${i}]`;
      if (!Array.isArray(l?.weights) || l.weights.length === 0) throw new RangeError(`${path}.weights: expected a non-empty array`);
      if (typeof l.activation !== "string" || !Object.hasOwn(activations, l.activation)) {
        throw new RangeError(`${path}.activation: unknown ${JSON.stringify(l.activation)}`);
      }
      if (l.activation === "softmax" && i !== all.length - 1) throw new RangeError(`${path}.activation: softmax is only allowed on the output layer`);
      return { units: l.weights.length, activation: l.activation };
    }),
  });
  model.layers.forEach((l, i) => {
    const layer = f.layers![i]!;
    const path = `${where}.layers[${i}]`;
    if (!Array.isArray(layer.biases) || layer.biases.length !== l.units) {
      throw new RangeError(`${path}.biases: expected ${l.units} numbers`);
    }
    for (let j = 0; j < l.units; j++) {
      const row = layer.weights[j];
      if (!Array.isArray(row) || row.length !== l.inputs) throw new RangeError(`${path}.weights[${j}]: expected ${l.inputs} numbers`);
      const base = l.offset + j * (l.inputs + 1);
      for (let k = 0; k < l.inputs; k++) model.params[base + k] = finite(row[k], `${path}.weights[${j}][${k}]`);
      model.params[base + l.inputs] = finite(layer.biases[j], `${path}.biases[${j}]`);
    }
  });
  return model;
}

function finite(v: unknown, path: string): number {
  if (typeof v !== "number" || !Number.isFinite(v)) throw new RangeError(`${path}: expected a finite number`);
  return v;
}

/** Copies the weights of `file` into an existing model of the same shape. */
export function loadWeightsInto(model: Model, file: unknown, where = "weights"): void {
  const loaded = importWeights(file, where);
  const same =
    loaded.spec.inputs === model.spec.inputs &&
    loaded.layers.length === model.layers.length &&
    loaded.layers.every((l, i) => l.units === model.layers[i]!.units && l.activation.name === model.layers[i]!.activation.name);
  if (!same) throw new RangeError(`${where}: architecture does not match the model`);
  model.params.set(loaded.params);
}
