/**
 * A network's parameters as an objective (seed 003: "a network's parameters, or built-in problems"):
 * θ = the model's flat parameter vector, L(θ) = (1/n) Σ_k ℓ_k(θ) over chosen samples k, ℓ_k the engine's
 * loss of sample k. Beside loss and gradient (the same blame as the trainer's: dℓ/dz per neuron) it has
 * the three things curvature sources need:
 * - exact Hessian-vector products, by Pearlmutter's R-operator (forward-over-reverse): a forward pass
 *   of R{z}, R{a} and a backward pass of R{δ}, with f″ and the loss's d²ℓ/dŷ²;
 * - per-sample gradients ∇ℓ_k (the empirical Fisher);
 * - the Gauss–Newton diagonal (1/n) Σ_k diag(J_kᵀ H_k J_k), J_k = dz_out/dθ (one backward pass per output).
 *   For the matching pairs, whose loss is convex in the output pre-activations z — a linear output with
 *   MSE, sigmoid with BCE, softmax with cross-entropy — H_k is the exact Hessian of ℓ in z (ŷ(1−ŷ)/n,
 *   Σy·(diag ŷ − ŷŷᵀ)); otherwise the network is split at ŷ, H_k = J_f diag(ℓ″(ŷ)) J_f, which leaves out
 *   the output activation's own curvature and so stays positive semi-definite.
 * It keeps its own activations and blames: evaluating it never touches the model's.
 */
import { softmaxInto } from "../activations";
import type { Dataset } from "../datasets/dataset";
import type { Loss } from "../losses";
import type { LayerInfo, Model } from "../model";
import type { IndexMap, Objective } from "./objective";

/** Where the samples come from (a Dataset, or a run file's stored samples). */
export type SampleSource = Pick<Dataset, "inputs" | "targets" | "inputSize" | "targetSize">;

export class NetworkObjective implements Objective {
  readonly name = "network";
  readonly dim: number;
  readonly theta0: Float64Array;
  readonly optimum = null;
  readonly minLoss = null;
  readonly indexMap: IndexMap;
  readonly settings: Readonly<Record<string, number | string>>;
  readonly samples: { readonly count: number; grad(theta: Float64Array, k: number, out: Float64Array): number };
  private readonly layers: readonly LayerInfo[];
  private readonly softmaxOut: boolean;
  private indices: Int32Array;
  private readonly x: Float64Array;
  private readonly y: Float64Array;
  private readonly z: Float64Array[];
  private readonly a: Float64Array[];
  /** δ = dℓ/dz per layer, and the R-operator's R{z}, R{a}, R{δ}. */
  private readonly delta: Float64Array[];
  private readonly rz: Float64Array[];
  private readonly ra: Float64Array[];
  private readonly rdelta: Float64Array[];
  /** dℓ/dŷ and d²ℓ/dŷ² of the judged sample. */
  private readonly dL: Float64Array;
  private readonly d2L: Float64Array;
  private readonly zeroInput: Float64Array;

  constructor(
    model: Model,
    private readonly lossFunction: Loss,
    private data: SampleSource,
    indices?: Int32Array,
  ) {
    this.layers = model.layers;
    this.dim = model.weightCount;
    this.theta0 = Float64Array.from(model.params);
    const out = model.outputLayer;
    this.softmaxOut = out.activation.name === "softmax";
    if (lossFunction.name === "cce" && !this.softmaxOut) throw new RangeError("loss: cce (categorical cross-entropy) needs a softmax output layer");
    this.indices = indices ?? new Int32Array(0);
    this.indexMap = model.layers.map((l) => ({ name: `layer ${l.index}`, offset: l.offset, size: l.units * (l.inputs + 1) }));
    this.settings = { loss: lossFunction.name, layers: [model.spec.inputs, ...model.layers.map((l) => `${l.units} ${l.activation.name}`)].join(" → ") };
    const units = (f: (l: LayerInfo) => number) => model.layers.map((l) => new Float64Array(f(l)));
    this.z = units((l) => l.units);
    this.a = units((l) => l.units);
    this.delta = units((l) => l.units);
    this.rz = units((l) => l.units);
    this.ra = units((l) => l.units);
    this.rdelta = units((l) => l.units);
    this.x = new Float64Array(model.spec.inputs);
    this.zeroInput = new Float64Array(model.spec.inputs);
    this.y = new Float64Array(out.units);
    this.dL = new Float64Array(out.units);
    this.d2L = new Float64Array(out.units);
    const self = this;
    this.samples = {
      get count() {
        return self.indices.length;
      },
      grad: (theta, k, g) => {
        g.fill(0);
        const l = this.blameOf(theta, this.indices[k]!);
        this.accumulateGradient(g, 1);
        return l;
      },
    };
  }

  /** The samples L averages over: dataset rows `indices` of `data` (a batch, or every sample). */
  useSamples(data: SampleSource, indices: Int32Array): void {
    this.data = data;
    this.indices = indices;
  }

  loss(theta: Float64Array): number {
    let sum = 0;
    for (const k of this.indices) sum += this.judge(theta, k);
    return sum / this.indices.length;
  }

  grad(theta: Float64Array, out: Float64Array): number {
    out.fill(0);
    const n = this.indices.length;
    let sum = 0;
    for (const k of this.indices) {
      sum += this.blameOf(theta, k);
      this.accumulateGradient(out, 1 / n);
    }
    return sum / n;
  }

  /** H(θ)·v, exact: Pearlmutter's R-operator over every sample. */
  hvp(theta: Float64Array, v: Float64Array, out: Float64Array): void {
    out.fill(0);
    const n = this.indices.length;
    for (const k of this.indices) {
      this.blameOf(theta, k);
      this.rForward(theta, v);
      this.rBackward(theta, v, out, 1 / n);
    }
  }

  /** diag(H) from D exact HVPs against the unit vectors (small networks: tests and teaching). */
  hessianDiag(theta: Float64Array, out: Float64Array): void {
    const e = new Float64Array(this.dim);
    const column = new Float64Array(this.dim);
    for (let i = 0; i < this.dim; i++) {
      e[i] = 1;
      this.hvp(theta, e, column);
      out[i] = column[i]!;
      e[i] = 0;
    }
  }

  gaussNewtonDiag(theta: Float64Array, out: Float64Array): void {
    out.fill(0);
    const m = this.y.length;
    const n = this.indices.length;
    const H = new Float64Array(m * m);
    const J = Array.from({ length: m }, () => new Float64Array(this.dim));
    const top = this.delta[this.layers.length - 1]!;
    for (const k of this.indices) {
      this.judge(theta, k);
      this.outputGaussNewton(H);
      // Row j of J = dz_out[j]/dθ: a backward pass from the unit blame e_j.
      for (let j = 0; j < m; j++) {
        top.fill(0);
        top[j] = 1;
        this.backpropagate(theta);
        J[j]!.fill(0);
        this.accumulateGradient(J[j]!, 1);
      }
      for (let i = 0; i < this.dim; i++) {
        let s = 0;
        for (let j = 0; j < m; j++) {
          const Jj = J[j]![i]!;
          if (Jj === 0) continue;
          for (let q = 0; q < m; q++) s += Jj * H[j * m + q]! * J[q]![i]!;
        }
        out[i] = out[i]! + s / n;
      }
    }
  }

  /** Forward pass of dataset row `sample` at θ and its loss ℓ (dℓ/dŷ in dL, d²ℓ/dŷ² in d2L). */
  private judge(theta: Float64Array, sample: number): number {
    const { data, x, y } = this;
    for (let q = 0; q < x.length; q++) x[q] = data.inputs[sample * data.inputSize + q]!;
    for (let q = 0; q < y.length; q++) y[q] = data.targets[sample * data.targetSize + q]!;
    let prev = x;
    this.layers.forEach((l, li) => {
      const z = this.z[li]!;
      const a = this.a[li]!;
      for (let j = 0; j < l.units; j++) {
        const base = l.offset + j * (l.inputs + 1);
        let s = 0;
        for (let q = 0; q < l.inputs; q++) s += prev[q]! * theta[base + q]!;
        z[j] = s + theta[base + l.inputs]!;
      }
      if (l.activation.name === "softmax") softmaxInto(z, a, l.units);
      else for (let j = 0; j < l.units; j++) a[j] = l.activation.apply(z[j]!);
      prev = a;
    });
    const yHat = this.a[this.layers.length - 1]!;
    const value = this.lossFunction.judge(yHat, y, y.length, this.dL);
    this.lossFunction.curvature(yHat, y, y.length, this.d2L);
    return value;
  }

  /** `judge`, then every blame δ = dℓ/dz (the trainer's Blame step); returns ℓ. */
  private blameOf(theta: Float64Array, sample: number): number {
    const value = this.judge(theta, sample);
    const L = this.layers.length - 1;
    const out = this.layers[L]!;
    const { dL, y } = this;
    const a = this.a[L]!;
    const z = this.z[L]!;
    const delta = this.delta[L]!;
    if (this.softmaxOut) {
      if (this.lossFunction.name === "cce") {
        const sumY = y.reduce((s, v) => s + v, 0);
        for (let i = 0; i < y.length; i++) delta[i] = a[i]! * sumY - y[i]!;
      } else {
        let dot = 0;
        for (let i = 0; i < y.length; i++) dot += dL[i]! * a[i]!;
        for (let i = 0; i < y.length; i++) delta[i] = a[i]! * (dL[i]! - dot);
      }
    } else {
      for (let i = 0; i < y.length; i++) delta[i] = dL[i]! * out.activation.derivative(z[i]!, a[i]!);
    }
    this.backpropagate(theta);
    return value;
  }

  /** δ of every hidden layer from the output layer's: δ_l = (W_{l+1}ᵀ δ_{l+1}) ⊙ f′(z_l). */
  private backpropagate(theta: Float64Array): void {
    for (let li = this.layers.length - 1; li > 0; li--) {
      const l = this.layers[li]!;
      const prev = this.layers[li - 1]!;
      const d = this.delta[li]!;
      const dPrev = this.delta[li - 1]!;
      const zPrev = this.z[li - 1]!;
      const aPrev = this.a[li - 1]!;
      for (let q = 0; q < l.inputs; q++) {
        let s = 0;
        for (let j = 0; j < l.units; j++) s += theta[l.offset + j * (l.inputs + 1) + q]! * d[j]!;
        dPrev[q] = s * prev.activation.derivative(zPrev[q]!, aPrev[q]!);
      }
    }
  }

  /** out += scale × leverage (input × blame; the bias's input is 1) of the sample just blamed. */
  private accumulateGradient(out: Float64Array, scale: number): void {
    this.layers.forEach((l, li) => {
      const input = li === 0 ? this.x : this.a[li - 1]!;
      const d = this.delta[li]!;
      for (let j = 0; j < l.units; j++) {
        const base = l.offset + j * (l.inputs + 1);
        const dj = scale * d[j]!;
        for (let q = 0; q < l.inputs; q++) out[base + q] = out[base + q]! + dj * input[q]!;
        out[base + l.inputs] = out[base + l.inputs]! + dj;
      }
    });
  }

  /** R{z}, R{a} along v: R{z_l} = W_l R{a_{l−1}} + V_l a_{l−1} + v_bias, R{a} = f′(z) R{z} (softmax: its Jacobian). */
  private rForward(theta: Float64Array, v: Float64Array): void {
    let prev = this.x;
    let rPrev = this.zeroInput;
    this.layers.forEach((l, li) => {
      const rz = this.rz[li]!;
      const ra = this.ra[li]!;
      const z = this.z[li]!;
      const a = this.a[li]!;
      for (let j = 0; j < l.units; j++) {
        const base = l.offset + j * (l.inputs + 1);
        let s = 0;
        for (let q = 0; q < l.inputs; q++) s += theta[base + q]! * rPrev[q]! + v[base + q]! * prev[q]!;
        rz[j] = s + v[base + l.inputs]!;
      }
      if (l.activation.name === "softmax") softmaxJacobian(a, rz, ra);
      else for (let j = 0; j < l.units; j++) ra[j] = l.activation.derivative(z[j]!, a[j]!) * rz[j]!;
      prev = a;
      rPrev = ra;
    });
  }

  /**
   * R{δ} from the output down, and out += scale × R{∇ℓ}: R{leverage} = R{δ}·input + δ·R{input}.
   * Hidden: R{δ_l} = (V_{l+1}ᵀ δ_{l+1} + W_{l+1}ᵀ R{δ_{l+1}}) ⊙ f′(z_l) + (W_{l+1}ᵀ δ_{l+1}) ⊙ f″(z_l) R{z_l}.
   */
  private rBackward(theta: Float64Array, v: Float64Array, out: Float64Array, scale: number): void {
    const L = this.layers.length - 1;
    this.outputRDelta();
    for (let li = L; li >= 0; li--) {
      const l = this.layers[li]!;
      const d = this.delta[li]!;
      const rd = this.rdelta[li]!;
      const input = li === 0 ? this.x : this.a[li - 1]!;
      const rInput = li === 0 ? this.zeroInput : this.ra[li - 1]!;
      for (let j = 0; j < l.units; j++) {
        const base = l.offset + j * (l.inputs + 1);
        for (let q = 0; q < l.inputs; q++) out[base + q] = out[base + q]! + scale * (rd[j]! * input[q]! + d[j]! * rInput[q]!);
        out[base + l.inputs] = out[base + l.inputs]! + scale * rd[j]!;
      }
      if (li === 0) break;
      const prev = this.layers[li - 1]!;
      const zPrev = this.z[li - 1]!;
      const aPrev = this.a[li - 1]!;
      const rzPrev = this.rz[li - 1]!;
      const rdPrev = this.rdelta[li - 1]!;
      for (let q = 0; q < l.inputs; q++) {
        let s = 0;
        let rs = 0;
        for (let j = 0; j < l.units; j++) {
          const at = l.offset + j * (l.inputs + 1) + q;
          s += theta[at]! * d[j]!;
          rs += v[at]! * d[j]! + theta[at]! * rd[j]!;
        }
        const f1 = prev.activation.derivative(zPrev[q]!, aPrev[q]!);
        const f2 = prev.activation.secondDerivative(zPrev[q]!, aPrev[q]!);
        rdPrev[q] = rs * f1 + s * f2 * rzPrev[q]!;
      }
    }
  }

  /** R{δ} of the output layer, from R{z}, R{a} and the loss's dℓ/dŷ, d²ℓ/dŷ². */
  private outputRDelta(): void {
    const L = this.layers.length - 1;
    const out = this.layers[L]!;
    const { dL, d2L, y } = this;
    const z = this.z[L]!;
    const a = this.a[L]!;
    const rz = this.rz[L]!;
    const ra = this.ra[L]!;
    const rd = this.rdelta[L]!;
    const m = y.length;
    if (this.softmaxOut && this.lossFunction.name === "cce") {
      // δ = ŷ·Σy − y, so R{δ} = Σy·R{ŷ}.
      const sumY = y.reduce((s, v) => s + v, 0);
      for (let i = 0; i < m; i++) rd[i] = sumY * ra[i]!;
    } else if (this.softmaxOut) {
      // δ_i = ŷ_i (dL_i − Σ_k dL_k ŷ_k), R{dL} = ℓ″ ⊙ R{ŷ}.
      let dot = 0;
      let rdot = 0;
      for (let k = 0; k < m; k++) {
        dot += dL[k]! * a[k]!;
        rdot += d2L[k]! * ra[k]! * a[k]! + dL[k]! * ra[k]!;
      }
      for (let i = 0; i < m; i++) rd[i] = ra[i]! * (dL[i]! - dot) + a[i]! * (d2L[i]! * ra[i]! - rdot);
    } else {
      // δ = dL ⊙ f′(z), so R{δ} = ℓ″ R{ŷ} f′(z) + dL f″(z) R{z}.
      const f = out.activation;
      for (let i = 0; i < m; i++) rd[i] = d2L[i]! * ra[i]! * f.derivative(z[i]!, a[i]!) + dL[i]! * f.secondDerivative(z[i]!, a[i]!) * rz[i]!;
    }
  }

  /** The output's Gauss–Newton matrix H (m × m, row-major) in the output pre-activations (see the file's comment). */
  private outputGaussNewton(H: Float64Array): void {
    const L = this.layers.length - 1;
    const out = this.layers[L]!;
    const { d2L, y } = this;
    const z = this.z[L]!;
    const a = this.a[L]!;
    const m = y.length;
    H.fill(0);
    if (this.softmaxOut && this.lossFunction.name === "cce") {
      const sumY = y.reduce((s, v) => s + v, 0);
      for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) H[i * m + j] = sumY * ((i === j ? a[i]! : 0) - a[i]! * a[j]!);
    } else if (this.softmaxOut) {
      // J_s diag(ℓ″) J_s with the softmax Jacobian J_s = diag(ŷ) − ŷŷᵀ (symmetric).
      const Js = (i: number, k: number) => (i === k ? a[i]! : 0) - a[i]! * a[k]!;
      for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) for (let k = 0; k < m; k++) H[i * m + j] += Js(i, k) * d2L[k]! * Js(k, j);
    } else {
      // Sigmoid with BCE: ℓ″f′² + ℓ′f″ = ŷ(1−ŷ)/n, the exact (convex) curvature in z.
      const matching = out.activation.name === "sigmoid" && this.lossFunction.name === "bce";
      for (let i = 0; i < m; i++) {
        const f1 = out.activation.derivative(z[i]!, a[i]!);
        const own = matching ? this.dL[i]! * out.activation.secondDerivative(z[i]!, a[i]!) : 0;
        H[i * m + i] = d2L[i]! * f1 * f1 + own;
      }
    }
  }
}

/** R{ŷ} = J_s R{z} for ŷ = softmax(z): ŷ ⊙ (R{z} − ŷ·R{z}). */
function softmaxJacobian(a: Float64Array, rz: Float64Array, out: Float64Array): void {
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i]! * rz[i]!;
  for (let i = 0; i < a.length; i++) out[i] = a[i]! * (rz[i]! - dot);
}
