import type { InitSpec } from "../model";

/**
 * The neuron lifecycle's settings (seed 004), as a cell or an experiment's `lifecycle:` block gives them.
 * Ages and periods count commits (timesteps). Every field is optional; `resolveLifecycle` fills defaults.
 */
export interface LifecycleOptions {
  /** Fitness is evaluated (and apoptosis runs) every `every` commits (K). Default 50. */
  readonly every?: number;
  /**
   * fitness = α·grad_norm + β·activation_variance − γ·stagnation. Defaults 1, 1, 1. grad_norm is ‖avg‖ over
   * the neuron's incoming weights and bias at the evaluation commit; the variance and stagnation are over
   * the samples since the previous evaluation.
   */
  readonly alpha?: number;
  readonly beta?: number;
  readonly gamma?: number;
  /** EMA factor ρ of the activation means stagnation compares with: ema ← ρ·ema + (1−ρ)·mean. Default 0.9. */
  readonly emaDecay?: number;
  /** Stages by age: newborn below `maturity`, mature up to `seniority`, senior after. Defaults 100, 1000. */
  readonly maturity?: number;
  readonly seniority?: number;
  /**
   * Apoptosis per hidden layer at each evaluation, among neurons past their maturity: the lowest-fitness
   * `fraction` of them (carried over between evaluations, as continual backprop's replacement rate), and
   * any with fitness ≤ `threshold`. Default: fraction 0.05, no threshold. `fraction: 0` and no threshold: off.
   */
  readonly fraction?: number;
  readonly threshold?: number;
  /** Senescence: see SenescenceOptions; absent: off. */
  readonly senescence?: SenescenceOptions;
  /**
   * Age-dependent learning rate: a neuron's incoming weights learn at lr × (1 + (start − 1)·e^(−age/decay))
   * (hot when newborn, cooling to lr). Absent: off.
   */
  readonly temperature?: { readonly start: number; readonly decay: number };
  /** How reborn incoming weights are drawn; default: the model's own initializer (Model.initialize). */
  readonly init?: InitSpec;
  /** Seed of the rebirths' draws (each rebirth draws from a generator seeded by seed, t and neuron). Default 0. */
  readonly seed?: number;
}

/**
 * A neuron whose fitness stops moving: its relative fitness slope |Δf| / (|f| + 1e-8) between evaluations
 * stays below `flat` for `steps` commits → senescent (stage dying; its learning rate × `boost`: escalate);
 * still flat `grace` commits later → killed and reborn (reason senescence) and it starts a new life
 * (retry). Hysteresis: a slope above `flat × exit` clears the flat count and a senescent mark; a slope in
 * between changes nothing, so a slope wobbling around `flat` does not toggle the state.
 */
export interface SenescenceOptions {
  readonly steps?: number;
  readonly flat?: number;
  readonly exit?: number;
  readonly boost?: number;
  readonly grace?: number;
}

export interface ResolvedLifecycle {
  readonly every: number;
  readonly alpha: number;
  readonly beta: number;
  readonly gamma: number;
  readonly emaDecay: number;
  readonly maturity: number;
  readonly seniority: number;
  readonly fraction: number;
  readonly threshold: number | null;
  readonly senescence: Required<SenescenceOptions> | null;
  readonly temperature: { readonly start: number; readonly decay: number } | null;
  readonly init: InitSpec | null;
  readonly seed: number;
}

const integer = (field: string, v: number, min: number): number => {
  if (!Number.isInteger(v) || v < min) throw new RangeError(`lifecycle.${field}: must be an integer ≥ ${min}, got ${v}`);
  return v;
};
const finite = (field: string, v: number, min = -Infinity, max = Infinity): number => {
  if (!(Number.isFinite(v) && v >= min && v <= max)) {
    const range = min === -Infinity ? "" : max === Infinity ? ` ≥ ${min}` : ` in [${min}, ${max}]`;
    throw new RangeError(`lifecycle.${field}: must be a finite number${range}, got ${v}`);
  }
  return v;
};
const positive = (field: string, v: number): number => {
  if (!(Number.isFinite(v) && v > 0)) throw new RangeError(`lifecycle.${field}: must be a finite number > 0, got ${v}`);
  return v;
};

/** Defaults filled in and every field checked (a RangeError naming the field). */
export function resolveLifecycle(o: LifecycleOptions): ResolvedLifecycle {
  const maturity = integer("maturity", o.maturity ?? 100, 0);
  const s = o.senescence;
  const senescence = s
    ? {
        steps: integer("senescence.steps", s.steps ?? 500, 1),
        flat: finite("senescence.flat", s.flat ?? 0.01, 0),
        exit: finite("senescence.exit", s.exit ?? 2, 1),
        boost: finite("senescence.boost", s.boost ?? 1, 0),
        grace: integer("senescence.grace", s.grace ?? 200, 0),
      }
    : null;
  const temp = o.temperature;
  return {
    every: integer("every", o.every ?? 50, 1),
    alpha: finite("alpha", o.alpha ?? 1),
    beta: finite("beta", o.beta ?? 1),
    gamma: finite("gamma", o.gamma ?? 1),
    emaDecay: finite("ema_decay", o.emaDecay ?? 0.9, 0, 1),
    maturity,
    seniority: integer("seniority", o.seniority ?? 1000, maturity),
    fraction: finite("fraction", o.fraction ?? 0.05, 0, 1),
    threshold: o.threshold === undefined ? null : finite("threshold", o.threshold),
    senescence,
    temperature: temp ? { start: finite("temperature.start", temp.start, 0), decay: positive("temperature.decay", temp.decay) } : null,
    init: o.init ?? null,
    seed: integer("seed", o.seed ?? 0, 0),
  };
}
