/**
 * An independent reference for the tests: a dense network's forward pass and the losses written
 * directly from their documented formulas (PyTorch's definitions, reduction='mean' over outputs;
 * categorical cross-entropy sums over classes), plus central finite differences. It shares no code
 * with the engine except the documented parameter layout: layers one after another, per neuron its
 * incoming weights followed by its bias.
 */
import assert from "node:assert/strict";

export interface RefLayer {
  readonly units: number;
  readonly activation: string;
}

export interface RefNet {
  readonly inputs: number;
  readonly layers: readonly RefLayer[];
}

/** Leaky ReLU slope for z < 0 (PyTorch's documented default negative_slope). */
export const REF_LEAKY_SLOPE = 0.01;
/** Huber δ (PyTorch's default). */
export const REF_HUBER_DELTA = 1;

export function refParamCount(net: RefNet): number {
  let n = 0;
  let fanIn = net.inputs;
  for (const l of net.layers) {
    n += l.units * (fanIn + 1);
    fanIn = l.units;
  }
  return n;
}

function activate(name: string, z: number[]): number[] {
  switch (name) {
    case "linear":
      return z.slice();
    case "sigmoid":
      return z.map((v) => 1 / (1 + Math.exp(-v)));
    case "tanh":
      return z.map((v) => Math.tanh(v));
    case "relu":
      return z.map((v) => Math.max(0, v));
    case "leaky_relu":
      return z.map((v) => (v > 0 ? v : REF_LEAKY_SLOPE * v));
    case "softmax": {
      const m = z.reduce((m, v) => Math.max(m, v), -Infinity);
      const e = z.map((v) => Math.exp(v - m));
      const s = e.reduce((a, b) => a + b, 0);
      return e.map((v) => v / s);
    }
    default:
      throw new Error(`reference: unknown activation ${name}`);
  }
}

/** Forward pass; returns every layer's pre-activations and the output. */
export function refForward(net: RefNet, params: ArrayLike<number>, x: readonly number[]): { zs: number[][]; output: number[] } {
  let prev = x.slice();
  let offset = 0;
  const zs: number[][] = [];
  for (const l of net.layers) {
    const z: number[] = [];
    for (let j = 0; j < l.units; j++) {
      let s = params[offset + prev.length]!; // bias after the weights
      for (let k = 0; k < prev.length; k++) s += params[offset + k]! * prev[k]!;
      z.push(s);
      offset += prev.length + 1;
    }
    zs.push(z);
    prev = activate(l.activation, z);
  }
  return { zs, output: prev };
}

/** The loss of one sample, from the documented formulas. */
export function refLoss(loss: string, yHat: readonly number[], y: readonly number[]): number {
  const n = yHat.length;
  let s = 0;
  switch (loss) {
    case "mse":
      for (let i = 0; i < n; i++) s += (yHat[i]! - y[i]!) ** 2;
      return s / n;
    case "mae":
      for (let i = 0; i < n; i++) s += Math.abs(yHat[i]! - y[i]!);
      return s / n;
    case "huber":
      for (let i = 0; i < n; i++) {
        const d = Math.abs(yHat[i]! - y[i]!);
        s += d <= REF_HUBER_DELTA ? 0.5 * d * d : REF_HUBER_DELTA * (d - 0.5 * REF_HUBER_DELTA);
      }
      return s / n;
    case "bce":
      for (let i = 0; i < n; i++) s -= y[i]! * Math.log(yHat[i]!) + (1 - y[i]!) * Math.log(1 - yHat[i]!);
      return s / n;
    case "cce":
      for (let i = 0; i < n; i++) s -= y[i]! * Math.log(yHat[i]!);
      return s;
    default:
      throw new Error(`reference: unknown loss ${loss}`);
  }
}

export function refSampleLoss(net: RefNet, params: ArrayLike<number>, loss: string, x: readonly number[], y: readonly number[]): number {
  return refLoss(loss, refForward(net, params, x).output, y);
}

/** dLoss/dθ for every parameter by central differences, (L(θ + h) − L(θ − h)) / 2h. */
export function fdGradient(
  net: RefNet,
  params: ArrayLike<number>,
  loss: string,
  x: readonly number[],
  y: readonly number[],
  h = 1e-6,
): Float64Array {
  const p = Float64Array.from(params);
  const g = new Float64Array(p.length);
  for (let i = 0; i < p.length; i++) {
    const keep = p[i]!;
    p[i] = keep + h;
    const up = refSampleLoss(net, p, loss, x, y);
    p[i] = keep - h;
    const down = refSampleLoss(net, p, loss, x, y);
    p[i] = keep;
    g[i] = (up - down) / (2 * h);
  }
  return g;
}

/** Mean of per-sample FD gradients over the given samples (the full-batch / mini-batch gradient). */
export function fdMeanGradient(
  net: RefNet,
  params: ArrayLike<number>,
  loss: string,
  samples: readonly { x: readonly number[]; y: readonly number[] }[],
): Float64Array {
  const sum = new Float64Array(params.length);
  for (const s of samples) {
    const g = fdGradient(net, params, loss, s.x, s.y);
    for (let i = 0; i < sum.length; i++) sum[i] += g[i]!;
  }
  for (let i = 0; i < sum.length; i++) sum[i] /= samples.length;
  return sum;
}

/** Distance of the sample from every kink of the loss surface (ReLU-family z = 0, MAE d = 0, Huber |d| = δ). */
export function kinkMargin(net: RefNet, params: ArrayLike<number>, loss: string, x: readonly number[], y: readonly number[]): number {
  const { zs, output } = refForward(net, params, x);
  let margin = Infinity;
  net.layers.forEach((l, li) => {
    if (l.activation === "relu" || l.activation === "leaky_relu") for (const z of zs[li]!) margin = Math.min(margin, Math.abs(z));
  });
  output.forEach((o, i) => {
    const d = Math.abs(o - y[i]!);
    if (loss === "mae") margin = Math.min(margin, d);
    if (loss === "huber") margin = Math.min(margin, Math.abs(d - REF_HUBER_DELTA));
  });
  return margin;
}

/** Asserts |actual − expected| ≤ atol + rtol·|expected| element-wise, naming the first offending index. */
export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, atol: number, rtol: number, what: string): void {
  if (actual.length !== expected.length) assert.fail(`${what}: length ${actual.length} ≠ ${expected.length}`);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) {
      assert.fail(`${what}[${i}]: got ${a}, expected ${e} (|Δ| = ${Math.abs(a - e)}, tolerance ${atol + rtol * Math.abs(e)})`);
    }
  }
}
