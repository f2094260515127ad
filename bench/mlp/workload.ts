/**
 * The shared workload of the engine benchmark: an MLP 784-64-10 (ReLU hidden, softmax output,
 * categorical cross-entropy, plain SGD) trained on seeded random data. Every implementation starts
 * from the same initial weights, given here in one neutral layout (`w1[j·inputs + k]`: hidden neuron j,
 * input k; `w2[o·hidden + j]`), and each converts them to its own.
 *
 * The random numbers come from a small local generator (mulberry32), not from the engine's Rng, so the
 * hand-written loop and the tfjs runs share no code with the engine.
 */
export const INPUTS = 784;
export const HIDDEN = 64;
export const OUTPUTS = 10;
export const LEARNING_RATE = 0.01;

export interface Workload {
  readonly count: number;
  /** count × INPUTS, uniform in [0, 1). */
  readonly x: Float64Array;
  /** count × OUTPUTS, one-hot with a uniformly random class. */
  readonly y: Float64Array;
  readonly init: InitialWeights;
}

export interface InitialWeights {
  readonly w1: Float64Array;
  readonly b1: Float64Array;
  readonly w2: Float64Array;
  readonly b2: Float64Array;
}

/** mulberry32: a tiny seeded 32-bit generator; `next()` is uniform in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function makeWorkload(count: number, seed: number): Workload {
  const rnd = mulberry32(seed);
  const x = new Float64Array(count * INPUTS);
  for (let i = 0; i < x.length; i++) x[i] = rnd();
  const y = new Float64Array(count * OUTPUTS);
  for (let s = 0; s < count; s++) y[s * OUTPUTS + Math.min(OUTPUTS - 1, Math.floor(rnd() * OUTPUTS))] = 1;
  // He-uniform weights (a = √(6 / fan_in)), zero biases, as the engine's `he_uniform` initializer does.
  const uniform = (n: number, fanIn: number): Float64Array => {
    const a = Math.sqrt(6 / fanIn);
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = -a + 2 * a * rnd();
    return out;
  };
  const init: InitialWeights = {
    w1: uniform(HIDDEN * INPUTS, INPUTS),
    b1: new Float64Array(HIDDEN),
    w2: uniform(OUTPUTS * HIDDEN, HIDDEN),
    b2: new Float64Array(OUTPUTS),
  };
  return { count, x, y, init };
}
