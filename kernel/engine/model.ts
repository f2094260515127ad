import { activations, softmaxInto, type Activation, type ActivationName } from "./activations";
import { initializers, type InitializerName, type InitializerOptions } from "./initializers";
import { Rng } from "./math/rng";

export interface LayerSpec {
  readonly units: number;
  readonly activation: ActivationName;
}

export interface ModelSpec {
  readonly inputs: number;
  readonly layers: readonly LayerSpec[];
}

export interface InitSpec extends InitializerOptions {
  readonly name: InitializerName;
}

/** One dense layer's place in the flat parameter vector. */
export interface LayerInfo {
  readonly index: number;
  readonly inputs: number;
  readonly units: number;
  readonly activation: Activation;
  /** Offset of this layer's first weight in `params`; neuron j's weights start at offset + j·(inputs+1). */
  readonly offset: number;
  /** Flat index of this layer's first neuron. */
  readonly neuronOffset: number;
}

/**
 * A dense network. All weights live in one Float64Array: per neuron, its `inputs` incoming weights
 * followed by its bias (the bias is weight number `inputs`, a weight whose input is always 1).
 * `predict` leaves every neuron's pre-activation z and activation a in `z[l]` / `a[l]` for the blame
 * step and for observers.
 */
export class Model {
  readonly layers: readonly LayerInfo[];
  readonly params: Float64Array;
  readonly weightCount: number;
  readonly neuronCount: number;
  /** neuronOfWeight[i]: flat neuron index owning weight i. */
  readonly neuronOfWeight: Int32Array;
  /** Per layer: pre-activations z and activations a of the last predicted sample. */
  readonly z: Float64Array[];
  readonly a: Float64Array[];
  /** The last predicted sample's input (layer 0's inputs). */
  readonly input: Float64Array;

  constructor(readonly spec: ModelSpec) {
    if (!Number.isInteger(spec.inputs) || spec.inputs < 1) throw new RangeError("model.inputs must be an integer ≥ 1");
    if (spec.layers.length < 1) throw new RangeError("model.layers must have at least one layer");
    const layers: LayerInfo[] = [];
    let offset = 0;
    let neuronOffset = 0;
    let inputs = spec.inputs;
    spec.layers.forEach((l, index) => {
      if (!Number.isInteger(l.units) || l.units < 1) throw new RangeError(`model.layers[${index}].units must be an integer ≥ 1`);
      const activation = Object.hasOwn(activations, l.activation) ? activations[l.activation] : undefined;
      if (!activation) throw new RangeError(`model.layers[${index}].activation: unknown '${l.activation}'`);
      if (l.activation === "softmax" && index !== spec.layers.length - 1) {
        throw new RangeError(`model.layers[${index}].activation: softmax is only allowed on the output layer`);
      }
      layers.push({ index, inputs, units: l.units, activation, offset, neuronOffset });
      offset += l.units * (inputs + 1);
      neuronOffset += l.units;
      inputs = l.units;
    });
    this.layers = layers;
    this.weightCount = offset;
    this.neuronCount = neuronOffset;
    this.params = new Float64Array(offset);
    this.neuronOfWeight = new Int32Array(offset);
    for (const l of layers) {
      for (let j = 0; j < l.units; j++) {
        this.neuronOfWeight.fill(l.neuronOffset + j, l.offset + j * (l.inputs + 1), l.offset + (j + 1) * (l.inputs + 1));
      }
    }
    this.z = layers.map((l) => new Float64Array(l.units));
    this.a = layers.map((l) => new Float64Array(l.units));
    this.input = new Float64Array(spec.inputs);
  }

  get outputs(): number {
    return this.layers[this.layers.length - 1]!.units;
  }

  get outputLayer(): LayerInfo {
    return this.layers[this.layers.length - 1]!;
  }

  /** Flat index of weight `weight` (0 … inputs; `inputs` is the bias) of neuron `neuron` in `layer`. */
  weightIndex(layer: number, neuron: number, weight: number): number {
    const l = this.layers[layer];
    if (!l || neuron < 0 || neuron >= l.units || weight < 0 || weight > l.inputs) {
      throw new RangeError(`no weight [layer ${layer}, neuron ${neuron}, weight ${weight}]`);
    }
    return l.offset + neuron * (l.inputs + 1) + weight;
  }

  /** Fills the parameters from an initializer (seeded); biases are zero unless the initializer sets them. */
  initialize(init: InitSpec, seed: number): void {
    const initializer = Object.hasOwn(initializers, init.name) ? initializers[init.name] : undefined;
    if (!initializer) throw new RangeError(`initializer: unknown '${init.name}'`);
    const rng = new Rng(seed);
    for (const l of this.layers) {
      for (let j = 0; j < l.units; j++) {
        const base = l.offset + j * (l.inputs + 1);
        for (let k = 0; k < l.inputs; k++) this.params[base + k] = initializer.sample(rng, l.inputs, l.units, init);
        this.params[base + l.inputs] = initializer.initBias ? initializer.sample(rng, l.inputs, l.units, init) : 0;
      }
    }
  }

  /** Predict: forward pass of one sample `x[xOffset … xOffset+inputs)`; returns the output activations. */
  predict(x: ArrayLike<number>, xOffset = 0): Float64Array {
    const input = this.input;
    for (let k = 0; k < input.length; k++) input[k] = x[xOffset + k]!;
    let prev: Float64Array = input;
    for (let li = 0; li < this.layers.length; li++) {
      this.forward(li, prev, this.z[li]!, this.a[li]!, 1);
      prev = this.a[li]!;
    }
    return this.a[this.layers.length - 1]!;
  }

  /**
   * Layer `layer` for `rows` samples at once: x holds their inputs (rows × inputs, row-major), z and a
   * receive their pre-activations and activations (rows × units). Every z is
   * (((0 + x_0·w_j0) + x_1·w_j1) + …) + bias_j, summed in input order whatever the blocking, so a
   * sample gets the same bits alone or in a batch. Four neurons × two samples are summed side by side:
   * eight independent addition chains overlap in the CPU, and each weight is loaded once per two samples.
   */
  forward(layer: number, x: Float64Array, z: Float64Array, a: Float64Array, rows: number): void {
    const l = this.layers[layer]!;
    const params = this.params;
    const n = l.inputs;
    const stride = n + 1;
    const units = l.units;
    let j = 0;
    let base = l.offset;
    for (; j + 4 <= units; j += 4, base += 4 * stride) {
      const base1 = base + stride;
      const base2 = base1 + stride;
      const base3 = base2 + stride;
      let r = 0;
      for (; r + 2 <= rows; r += 2) {
        const x0 = r * n;
        const x1 = x0 + n;
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        let t0 = 0;
        let t1 = 0;
        let t2 = 0;
        let t3 = 0;
        for (let k = 0; k < n; k++) {
          const xa = x[x0 + k]!;
          const xb = x[x1 + k]!;
          const w0 = params[base + k]!;
          const w1 = params[base1 + k]!;
          const w2 = params[base2 + k]!;
          const w3 = params[base3 + k]!;
          s0 += xa * w0;
          s1 += xa * w1;
          s2 += xa * w2;
          s3 += xa * w3;
          t0 += xb * w0;
          t1 += xb * w1;
          t2 += xb * w2;
          t3 += xb * w3;
        }
        const z0 = r * units + j;
        const z1 = z0 + units;
        z[z0] = s0 + params[base + n]!;
        z[z0 + 1] = s1 + params[base1 + n]!;
        z[z0 + 2] = s2 + params[base2 + n]!;
        z[z0 + 3] = s3 + params[base3 + n]!;
        z[z1] = t0 + params[base + n]!;
        z[z1 + 1] = t1 + params[base1 + n]!;
        z[z1 + 2] = t2 + params[base2 + n]!;
        z[z1 + 3] = t3 + params[base3 + n]!;
      }
      for (; r < rows; r++) {
        const x0 = r * n;
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        for (let k = 0; k < n; k++) {
          const xk = x[x0 + k]!;
          s0 += xk * params[base + k]!;
          s1 += xk * params[base1 + k]!;
          s2 += xk * params[base2 + k]!;
          s3 += xk * params[base3 + k]!;
        }
        const z0 = r * units + j;
        z[z0] = s0 + params[base + n]!;
        z[z0 + 1] = s1 + params[base1 + n]!;
        z[z0 + 2] = s2 + params[base2 + n]!;
        z[z0 + 3] = s3 + params[base3 + n]!;
      }
    }
    for (; j < units; j++, base += stride) {
      for (let r = 0; r < rows; r++) {
        const x0 = r * n;
        let s = 0;
        for (let k = 0; k < n; k++) s += x[x0 + k]! * params[base + k]!;
        z[r * units + j] = s + params[base + n]!;
      }
    }
    if (l.activation.name === "softmax") {
      for (let r = 0; r < rows; r++) softmaxInto(z, a, units, r * units);
    } else {
      const f = l.activation.apply;
      for (let i = 0, end = rows * units; i < end; i++) a[i] = f(z[i]!);
    }
  }

  /** Inputs of layer `layer` for the last predicted sample (the network input or the previous layer's a). */
  layerInput(layer: number): Float64Array {
    return layer === 0 ? this.input : this.a[layer - 1]!;
  }
}
