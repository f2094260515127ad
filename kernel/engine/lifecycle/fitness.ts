import type { NeuronActivity } from "./activity";

/** A neuron's fitness and its three terms at the last evaluation (per flat neuron index). */
export interface FitnessTerms {
  readonly gradNorm: Float64Array;
  readonly activationVariance: Float64Array;
  readonly stagnation: Float64Array;
  readonly fitness: Float64Array;
  /** Mean activation over the window (continual backprop's bias absorption reads it). */
  readonly mean: Float64Array;
}

export function allocateFitness(neurons: number): FitnessTerms {
  return {
    gradNorm: new Float64Array(neurons),
    activationVariance: new Float64Array(neurons),
    stagnation: new Float64Array(neurons),
    fitness: new Float64Array(neurons),
    mean: new Float64Array(neurons),
  };
}

export interface FitnessWeights {
  readonly alpha: number;
  readonly beta: number;
  readonly gamma: number;
  /** ρ in ema ← ρ·ema + (1−ρ)·mean. */
  readonly emaDecay: number;
}

/** A non-finite term counts as 0 (seed 004's nan_to_num): one NaN activation must not poison the ranking. */
const safe = (v: number): number => (Number.isFinite(v) ? v : 0);

/**
 * Stagnation: how close the window's mean activation m is to the EMA e of earlier means, in [0, 1]:
 * 1 − |m − e| / (|m| + |e| + 1e-12). 1 when nothing moves (a dead ReLU: m = e = 0), near 0 when the mean
 * moved by as much as its size. A neuron without history (e is NaN: newborn, first window) gets 0.
 */
export function stagnation(mean: number, ema: number): number {
  if (Number.isNaN(ema)) return 0;
  return 1 - Math.abs(mean - ema) / (Math.abs(mean) + Math.abs(ema) + 1e-12);
}

/**
 * fitness = α·grad_norm + β·activation_variance − γ·stagnation for every neuron, from the window in
 * `activity` (a neuron whose activation did not vary over the window has stagnation 1); updates each neuron's EMA of activation means (`ema`, NaN: no history yet) after reading it.
 */
export function evaluateFitness(activity: NeuronActivity, ema: Float64Array, w: FitnessWeights, out: FitnessTerms): void {
  for (let i = 0, n = ema.length; i < n; i++) {
    const g = safe(activity.gradNorm(i));
    const v = safe(activity.variance(i));
    const m = safe(activity.mean(i));
    // A constant output over the window (a dead ReLU) is fully stagnant, whatever the EMA: the relative
    // formula would score a neuron that just died 0 (|0 − e| / |e|) until its EMA decayed to 0.
    const s = v === 0 && activity.samples > 0 ? 1 : safe(stagnation(m, ema[i]!));
    out.gradNorm[i] = g;
    out.activationVariance[i] = v;
    out.stagnation[i] = s;
    out.mean[i] = m;
    out.fitness[i] = safe(w.alpha * g + w.beta * v - w.gamma * s);
    ema[i] = Number.isNaN(ema[i]!) ? m : w.emaDecay * ema[i]! + (1 - w.emaDecay) * m;
  }
}
