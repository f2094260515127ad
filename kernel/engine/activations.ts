/**
 * Activation functions f(z) and their derivatives f′(z). The derivative may use the already computed
 * output a = f(z) (cheaper and exact for sigmoid/tanh). Softmax is vector-valued and handled by the
 * model as an output layer (its Jacobian is applied in the blame step); its `derivative` is unused.
 */
export type ActivationName = "linear" | "sigmoid" | "tanh" | "relu" | "leaky_relu" | "softmax";

export interface Activation {
  readonly name: ActivationName;
  readonly formula: string;
  apply(z: number): number;
  derivative(z: number, a: number): number;
  /** f″(z), for exact Hessian-vector products (precondition/network.ts); 0 where f is piecewise linear. */
  secondDerivative(z: number, a: number): number;
}

/** Slope of leaky ReLU for z < 0 (PyTorch's default negative_slope). */
export const LEAKY_SLOPE = 0.01;

export const activations: Readonly<Record<ActivationName, Activation>> = {
  linear: { name: "linear", formula: "f(z) = z", apply: (z) => z, derivative: () => 1, secondDerivative: () => 0 },
  sigmoid: {
    name: "sigmoid",
    formula: "f(z) = 1 / (1 + e^−z)",
    apply: (z) => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z))),
    derivative: (_z, a) => a * (1 - a),
    secondDerivative: (_z, a) => a * (1 - a) * (1 - 2 * a),
  },
  tanh: { name: "tanh", formula: "f(z) = tanh z", apply: Math.tanh, derivative: (_z, a) => 1 - a * a, secondDerivative: (_z, a) => -2 * a * (1 - a * a) },
  // f′(0) = 0 as in PyTorch's autograd.
  relu: { name: "relu", formula: "f(z) = max(0, z)", apply: (z) => (z > 0 ? z : 0), derivative: (z) => (z > 0 ? 1 : 0), secondDerivative: () => 0 },
  leaky_relu: {
    name: "leaky_relu",
    formula: `f(z) = z if z > 0 else ${LEAKY_SLOPE}·z`,
    apply: (z) => (z > 0 ? z : LEAKY_SLOPE * z),
    derivative: (z) => (z > 0 ? 1 : LEAKY_SLOPE),
    secondDerivative: () => 0,
  },
  softmax: {
    name: "softmax",
    formula: "f(z)ᵢ = e^zᵢ / Σⱼ e^zⱼ",
    apply: () => {
      throw new Error("softmax is applied to a whole layer, not one neuron");
    },
    derivative: () => {
      throw new Error("softmax's Jacobian is applied by the blame step");
    },
    secondDerivative: () => {
      throw new Error("softmax's second derivatives are applied by precondition/network.ts");
    },
  },
};

export const activationNames = Object.keys(activations) as ActivationName[];

/** Numerically stable softmax of z[o..o+n) into a[o..o+n). */
export function softmaxInto(z: Float64Array, a: Float64Array, n: number, o = 0): void {
  const end = o + n;
  let max = -Infinity;
  for (let i = o; i < end; i++) if (z[i]! > max) max = z[i]!;
  let sum = 0;
  for (let i = o; i < end; i++) {
    const e = Math.exp(z[i]! - max);
    a[i] = e;
    sum += e;
  }
  for (let i = o; i < end; i++) a[i] = a[i]! / sum;
}
