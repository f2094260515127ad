/**
 * Main-effects analysis of a designed sweep (Taguchi): for each factor and level, the mean response of
 * the members run at that level, and the signal-to-noise ratio
 *   smaller is better (a loss): S/N = −10·log10(mean(y²))
 *   larger is better (accuracy): S/N = −10·log10(mean(1/y²))
 * in decibels, higher is better either way. The range (max − min of the level means) ranks the factors.
 */
export type Goal = "smaller" | "larger";

export interface LevelEffect {
  readonly level: number;
  readonly value: unknown;
  readonly count: number;
  readonly mean: number;
  readonly sn: number;
}

export interface FactorEffect {
  readonly factor: string;
  readonly levels: readonly LevelEffect[];
  /** max − min of the level means. */
  readonly range: number;
  /** The level with the best S/N (null when no member of the factor finished). */
  readonly best: LevelEffect | null;
}

export interface EffectInput {
  /** The swept parameters: a list of levels (a drawn distribution has none, so no main effect). */
  readonly factors: readonly { readonly name: string; readonly values: readonly unknown[] | object }[];
  /** Per member: its level index for each factor. */
  readonly members: readonly { readonly levels: readonly number[] }[];
}

const mean = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;

export function signalToNoise(ys: readonly number[], goal: Goal): number {
  return -10 * Math.log10(mean(ys.map((y) => (goal === "smaller" ? y * y : 1 / (y * y)))));
}

/** Main effects of `responses` (one per member, in member order; NaN for a member that failed: skipped). */
export function mainEffects(sweep: EffectInput, responses: readonly number[], goal: Goal = "smaller"): FactorEffect[] {
  if (responses.length !== sweep.members.length) {
    throw new RangeError(`responses: expected ${sweep.members.length} (one per member), got ${responses.length}`);
  }
  return sweep.factors.map((factor, f) => {
    const values: readonly unknown[] = Array.isArray(factor.values) ? factor.values : [];
    const levels = values.flatMap((value, level) => {
      const ys = sweep.members.flatMap((m, k) => (m.levels[f] === level && Number.isFinite(responses[k]) ? [responses[k]!] : []));
      return ys.length === 0 ? [] : [{ level, value, count: ys.length, mean: mean(ys), sn: signalToNoise(ys, goal) }];
    });
    let [lo, hi] = [Infinity, -Infinity];
    for (const l of levels) [lo, hi] = [Math.min(lo, l.mean), Math.max(hi, l.mean)];
    const best = levels.reduce<LevelEffect | null>((a, b) => (a === null || b.sn > a.sn ? b : a), null);
    return { factor: factor.name, levels, range: levels.length ? hi - lo : NaN, best };
  });
}
