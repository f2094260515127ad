/**
 * Predict in the webview: every neuron's activation for one input, from a network's weights in the engine's
 * flat order (per neuron its incoming weights, then its bias). The decision boundary and the neurons'
 * heatmaps are drawn from it at the commit shown. Activation formulas as docs/optimizers.md and
 * kernel/engine/activations.ts define them (a test checks this against the engine's Model.predict).
 */
export interface ForwardLayer {
  readonly inputs: number;
  readonly units: number;
  readonly activation: string;
}

const LEAKY_SLOPE = 0.01;

function activate(name: string, z: number): number {
  switch (name) {
    case "sigmoid":
      return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
    case "tanh":
      return Math.tanh(z);
    case "relu":
      return z > 0 ? z : 0;
    case "leaky_relu":
      return z > 0 ? z : LEAKY_SLOPE * z;
    default:
      return z;
  }
}

/** Per layer, its neurons' activations for input x; null weights (unknown) make NaN activations. */
export function forward(layers: readonly ForwardLayer[], weights: readonly (number | null)[], x: readonly number[]): Float64Array[] {
  const out: Float64Array[] = [];
  let input: ArrayLike<number> = x;
  let offset = 0;
  for (const l of layers) {
    const a = new Float64Array(l.units);
    for (let j = 0; j < l.units; j++) {
      const base = offset + j * (l.inputs + 1);
      let z = weights[base + l.inputs] ?? NaN;
      for (let k = 0; k < l.inputs; k++) z += (weights[base + k] ?? NaN) * input[k]!;
      a[j] = z;
    }
    if (l.activation === "softmax") {
      let max = -Infinity;
      for (const z of a) max = Math.max(max, z);
      let sum = 0;
      for (let j = 0; j < l.units; j++) sum += a[j] = Math.exp(a[j]! - max);
      for (let j = 0; j < l.units; j++) a[j] = a[j]! / sum;
    } else for (let j = 0; j < l.units; j++) a[j] = activate(l.activation, a[j]!);
    out.push(a);
    offset += l.units * (l.inputs + 1);
    input = a;
  }
  return out;
}
