import type { Rng } from "./math/rng";

/**
 * Weight initializers, as torch.nn.init documents them (fan_in = inputs, fan_out = outputs of the layer).
 * Biases start at zero unless the initializer says otherwise (`constant` sets both).
 */
export type InitializerName =
  | "zeros"
  | "constant"
  | "uniform"
  | "normal"
  | "xavier_uniform"
  | "xavier_normal"
  | "he_uniform"
  | "he_normal"
  | "lecun_uniform"
  | "lecun_normal";

export interface InitializerOptions {
  /** `constant`: the value; `uniform`: half-width a of U(−a, a); `normal`: the std. */
  readonly value?: number;
}

export interface Initializer {
  readonly name: InitializerName;
  readonly formula: string;
  sample(rng: Rng, fanIn: number, fanOut: number, options: InitializerOptions): number;
  /** Whether biases get a sampled value too (else zero). */
  readonly initBias?: boolean;
}

const u = (rng: Rng, a: number): number => rng.uniform(-a, a);

export const initializers: Readonly<Record<InitializerName, Initializer>> = {
  zeros: { name: "zeros", formula: "w = 0", sample: () => 0 },
  constant: { name: "constant", formula: "w = value", sample: (_r, _i, _o, opt) => opt.value ?? 0, initBias: true },
  uniform: { name: "uniform", formula: "w ~ U(−a, a), a = value (default 0.5)", sample: (r, _i, _o, o) => u(r, o.value ?? 0.5) },
  normal: { name: "normal", formula: "w ~ N(0, σ²), σ = value (default 0.1)", sample: (r, _i, _o, o) => r.normal(0, o.value ?? 0.1) },
  xavier_uniform: {
    name: "xavier_uniform",
    formula: "w ~ U(−a, a), a = √(6 / (fan_in + fan_out))",
    sample: (r, i, o) => u(r, Math.sqrt(6 / (i + o))),
  },
  xavier_normal: {
    name: "xavier_normal",
    formula: "w ~ N(0, 2 / (fan_in + fan_out))",
    sample: (r, i, o) => r.normal(0, Math.sqrt(2 / (i + o))),
  },
  he_uniform: { name: "he_uniform", formula: "w ~ U(−a, a), a = √(6 / fan_in)", sample: (r, i) => u(r, Math.sqrt(6 / i)) },
  he_normal: { name: "he_normal", formula: "w ~ N(0, 2 / fan_in)", sample: (r, i) => r.normal(0, Math.sqrt(2 / i)) },
  lecun_uniform: { name: "lecun_uniform", formula: "w ~ U(−a, a), a = √(3 / fan_in)", sample: (r, i) => u(r, Math.sqrt(3 / i)) },
  lecun_normal: { name: "lecun_normal", formula: "w ~ N(0, 1 / fan_in)", sample: (r, i) => r.normal(0, Math.sqrt(1 / i)) },
};

export const initializerNames = Object.keys(initializers) as InitializerName[];
