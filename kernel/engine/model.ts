import { activations, softmaxInto, type Activation, type ActivationName } from "./activations";
import { initializers, type InitializerName, type InitializerOptions } from "./initializers";
import { Arena } from "./math/arena";
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
  /**
   * Where the parameters and every array a kernel works on live (the trainer allocates its bank and
   * strategy state here too); see math/arena.ts.
   */
  readonly arena: Arena;
  /** The initializer `initialize` last drew from (null: never initialized): what a reborn neuron draws from. */
  initSpec: InitSpec | null = null;
  /** The forward kernel's scratch: sample pairs' inputs interleaved. */
  private pairs: Float64Array;
  /** Byte addresses of params and pairs in the arena. */
  private readonly paramsAt: number;
  private pairsAt: number;

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
    const widest = layers.reduce((m, l) => Math.max(m, l.units), spec.inputs);
    // Room for the parameters, the trainer's bank and strategy state, and a block of samples.
    this.arena = new Arena(8 * (6 * offset + 256 * widest));
    this.params = this.arena.alloc(offset);
    this.neuronOfWeight = new Int32Array(offset);
    for (const l of layers) {
      for (let j = 0; j < l.units; j++) {
        this.neuronOfWeight.fill(l.neuronOffset + j, l.offset + j * (l.inputs + 1), l.offset + (j + 1) * (l.inputs + 1));
      }
    }
    this.z = layers.map((l) => this.arena.alloc(l.units));
    this.a = layers.map((l) => this.arena.alloc(l.units));
    this.input = this.arena.alloc(spec.inputs);
    this.pairs = this.arena.alloc(spec.inputs);
    this.paramsAt = this.arena.address(this.params);
    this.pairsAt = this.arena.address(this.pairs);
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
    this.initSpec = init;
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
   * receive their pre-activations and activations (rows × units); all three are arrays of this model's
   * arena. Every z is (((0 + x_0·w_j0) + x_1·w_j1) + …) + bias_j, summed in input order whatever the
   * blocking (the `forward` kernel, kernels.wat), so a sample gets the same bits alone or in a batch.
   */
  forward(layer: number, x: Float64Array, z: Float64Array, a: Float64Array, rows: number): void {
    this.forwardAt(layer, this.arena.address(x), this.arena.address(z), z, a, rows);
  }

  /**
   * `forward` with x and z also given by their byte addresses in the arena (callers that run it per
   * block keep their addresses: checking a typed array's buffer costs ~20 ns, much of a small layer's work).
   */
  forwardAt(layer: number, x: number, zAt: number, z: Float64Array, a: Float64Array, rows: number): void {
    const l = this.layers[layer]!;
    const arena = this.arena;
    if (rows * l.inputs > this.pairs.length) {
      this.pairs = arena.alloc(rows * l.inputs);
      this.pairsAt = arena.address(this.pairs);
    }
    arena.kernels.forward(this.paramsAt + l.offset * 8, x, zAt, l.inputs, l.units, rows, this.pairsAt);
    const units = l.units;
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
