import { Rng } from "../math/rng";
import { drawValue, isLevels, type Distribution, type SweepValue } from "./values";

/**
 * Adaptive search with a budget: each round proposes members from what the earlier rounds gave. It
 * is a pure function of the spec and the history (the members run so far and their final losses),
 * so it resumes from any record of them — one process, or shards merged between rounds.
 *
 * bandit (UCB1, Auer et al. 2002): the arms are the grid of the params' levels; an arm's pull is a
 *   run with its own seed (`seed=<base + pull>`), its reward the negative final loss. Unpulled arms
 *   first (grid order), then the highest mean + c·√(2 ln N / n) (N pulls in all, n of the arm).
 * evolution: generation 0 is `population` random members; each next generation keeps the best half
 *   of the last (truncation selection, the elite passes unchanged), and fills the rest with children:
 *   two parents by tournament of two, uniform crossover per parameter, then each parameter mutated
 *   with probability `mutation` (a list: another level; a range: a Gaussian step of 10% of the range,
 *   in log space for loguniform, clamped).
 */
export interface AdaptiveSpec {
  readonly design: "bandit" | "evolution";
  readonly params: Readonly<Record<string, readonly SweepValue[] | Distribution>>;
  /** Runs in all, over every round. */
  readonly budget: number;
  /** Members per round (bandit; evolution's round is a generation of `population`). */
  readonly batch?: number;
  readonly population?: number;
  readonly mutation?: number;
  /** UCB exploration weight (default 1). */
  readonly c?: number;
  readonly seed?: number;
}

/** One member run so far: its parameter values (by name) and its final loss (NaN: did not complete). */
export interface Trial {
  readonly values: Readonly<Record<string, SweepValue>>;
  readonly loss: number;
}

export interface Proposal {
  readonly values: Readonly<Record<string, SweepValue>>;
  /** Bandit pulls: the seed of this pull (an override `seed=…`). */
  readonly seed?: number;
}

const key = (values: Readonly<Record<string, SweepValue>>, names: readonly string[]): string => JSON.stringify(names.map((n) => values[n]));

/** The next round's proposals (empty when the budget is spent). */
export function nextRound(spec: AdaptiveSpec, history: readonly Trial[]): Proposal[] {
  const left = spec.budget - history.length;
  if (left <= 0) return [];
  return spec.design === "bandit" ? banditRound(spec, history, left) : evolutionRound(spec, history, left);
}

function grid(params: AdaptiveSpec["params"]): Record<string, SweepValue>[] {
  let rows: Record<string, SweepValue>[] = [{}];
  for (const [name, values] of Object.entries(params)) {
    if (!isLevels(values)) throw new RangeError(`params.${name}: the bandit's arms are lists of levels, not a distribution`);
    rows = rows.flatMap((r) => values.map((v) => ({ ...r, [name]: v })));
  }
  return rows;
}

/** UCB1 score of an arm (negative mean loss is the reward). */
export function ucbScore(losses: readonly number[], totalPulls: number, c = 1): number {
  if (losses.length === 0) return Infinity;
  const mean = -losses.reduce((s, x) => s + x, 0) / losses.length;
  return mean + c * Math.sqrt((2 * Math.log(totalPulls)) / losses.length);
}

function banditRound(spec: AdaptiveSpec, history: readonly Trial[], left: number): Proposal[] {
  const names = Object.keys(spec.params);
  const arms = grid(spec.params);
  const pulls = new Map<string, number[]>(arms.map((a) => [key(a, names), []]));
  for (const t of history) pulls.get(key(t.values, names))?.push(Number.isFinite(t.loss) ? t.loss : Infinity);
  const out: Proposal[] = [];
  let total = history.length;
  const known = history.map((t) => t.loss).filter(Number.isFinite);
  const overall = known.length ? known.reduce((s, x) => s + x, 0) / known.length : 0;
  // Within a round the results are not known yet: each proposal counts as a pull of the arm's mean so
  // far — of every arm's for an arm not pulled yet (a loss of 0 would make it look perfect and be proposed again).
  for (let k = 0; k < Math.min(spec.batch ?? 1, left); k++) {
    let best = arms[0]!;
    let bestScore = -Infinity;
    for (const arm of arms) {
      const score = ucbScore(pulls.get(key(arm, names))!, Math.max(1, total), spec.c ?? 1);
      if (score > bestScore) [best, bestScore] = [arm, score];
    }
    const seen = pulls.get(key(best, names))!;
    out.push({ values: best, seed: (spec.seed ?? 0) + seen.length });
    const mean = seen.length ? seen.reduce((s, x) => s + x, 0) / seen.length : overall;
    seen.push(mean);
    total++;
  }
  return out;
}

const draw = (values: readonly SweepValue[] | Distribution, rng: Rng): SweepValue => (isLevels(values) ? values[rng.int(values.length)]! : drawValue(values, rng));

/** One parameter mutated: another level of a list, or a Gaussian step of 10% of a range (clamped). */
export function mutate(value: SweepValue, values: readonly SweepValue[] | Distribution, rng: Rng): SweepValue {
  if (isLevels(values)) {
    if (values.length < 2) return value;
    const others = values.filter((v) => JSON.stringify(v) !== JSON.stringify(value));
    return others[rng.int(others.length)]!;
  }
  const x = value as number;
  const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
  if ("loguniform" in values) {
    const [lo, hi] = values.loguniform.map(Math.log) as [number, number];
    return Math.exp(clamp(Math.log(x) + rng.normal(0, 0.1 * (hi - lo)), lo, hi));
  }
  if ("uniform" in values) return clamp(x + rng.normal(0, 0.1 * (values.uniform[1] - values.uniform[0])), values.uniform[0], values.uniform[1]);
  const [lo, hi] = values.int;
  return clamp(Math.round(x + rng.normal(0, Math.max(1, 0.1 * (hi - lo)))), lo, hi);
}

function evolutionRound(spec: AdaptiveSpec, history: readonly Trial[], left: number): Proposal[] {
  const size = spec.population ?? 8;
  const generation = Math.floor(history.length / size);
  // Each generation draws from its own stream, so a resumed search proposes what an unbroken one would.
  const rng = new Rng(((spec.seed ?? 0) * 1_000_003 + generation) >>> 0);
  const entries = Object.entries(spec.params);
  const take = Math.min(size, left);
  if (generation === 0) return Array.from({ length: take }, () => ({ values: Object.fromEntries(entries.map(([n, v]) => [n, draw(v, rng)])) }));
  const last = history.slice((generation - 1) * size, generation * size);
  const ranked = [...last].sort((a, b) => (Number.isFinite(a.loss) ? a.loss : Infinity) - (Number.isFinite(b.loss) ? b.loss : Infinity));
  const parents = ranked.slice(0, Math.max(1, Math.floor(size / 2)));
  const pick = (): Trial => {
    const a = parents[rng.int(parents.length)]!;
    const b = parents[rng.int(parents.length)]!;
    return a.loss <= b.loss ? a : b;
  };
  const out: Proposal[] = parents.slice(0, take).map((p) => ({ values: p.values }));
  while (out.length < take) {
    const [a, b] = [pick(), pick()];
    const child = Object.fromEntries(
      entries.map(([n, values]) => {
        const inherited = rng.next() < 0.5 ? a.values[n]! : b.values[n]!;
        return [n, rng.next() < (spec.mutation ?? 0.2) ? mutate(inherited, values, rng) : inherited];
      }),
    );
    out.push({ values: child });
  }
  return out;
}
