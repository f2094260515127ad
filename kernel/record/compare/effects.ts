/**
 * Main effects of a file's runs, from what the file holds (the runs' differing parameters and final
 * metrics), with the engine's Taguchi analysis (kernel/engine/sweep/main-effects.ts). Only for a balanced
 * design — a grid or an orthogonal array, where in every pair of factors each pair of levels occurs
 * equally often — since elsewhere a level's mean mixes in the other factors' levels.
 */
import { mainEffects, type Goal } from "../../engine/sweep/main-effects";
import type { FactorEffect, MetricKey, ParamValue } from "./types";

const GOALS: Readonly<Record<MetricKey, Goal>> = { loss: "smaller", testLoss: "smaller", testAccuracy: "larger" };

export interface DesignInput {
  /** The factors' labels. */
  readonly factors: readonly string[];
  /** values[run][factor]. */
  readonly values: readonly (readonly ParamValue[])[];
  readonly metrics: readonly Readonly<Record<MetricKey, number | null>>[];
  readonly available: readonly MetricKey[];
}

/** Levels of one factor: numbers ascending, anything else in order of appearance. */
function levelsOf(column: readonly ParamValue[]): ParamValue[] {
  const distinct = [...new Map(column.map((v) => [JSON.stringify(v), v])).values()];
  return distinct.every((v) => typeof v === "number") ? (distinct as number[]).sort((a, b) => a - b) : distinct;
}

/** Why the runs are not a balanced design (null: they are). */
function unbalanced(factors: readonly string[], levels: readonly (readonly number[])[]): string | null {
  const n = levels.length;
  if (factors.length === 0) return "the runs do not differ in any parameter";
  const counts = factors.map((_, f) => levels.reduce((m, l) => Math.max(m, l[f]!), 0) + 1);
  for (let a = 0; a < factors.length; a++) {
    for (let b = a + 1; b < factors.length; b++) {
      const want = n / (counts[a]! * counts[b]!);
      const pairs = new Map<string, number>();
      for (const l of levels) pairs.set(`${l[a]},${l[b]}`, (pairs.get(`${l[a]},${l[b]}`) ?? 0) + 1);
      if (pairs.size !== counts[a]! * counts[b]! || [...pairs.values()].some((c) => c !== want)) {
        return `${factors[a]} and ${factors[b]} do not occur in every combination of levels equally often`;
      }
    }
  }
  for (let f = 0; f < factors.length; f++) {
    const per = Array.from({ length: counts[f]! }, (_, k) => levels.filter((l) => l[f] === k).length);
    if (per.some((c) => c !== per[0])) return `the levels of ${factors[f]} are not run equally often`;
  }
  return null;
}

export function designEffects(d: DesignInput): { effects: Partial<Record<MetricKey, FactorEffect[]>> | null; note: string } {
  if (d.values.length < 2) return { effects: null, note: "main effects need at least two runs" };
  const lists = d.factors.map((_, f) => levelsOf(d.values.map((v) => v[f]!)));
  const levels = d.values.map((v) => lists.map((list, f) => list.findIndex((x) => JSON.stringify(x) === JSON.stringify(v[f]))));
  const why = unbalanced(d.factors, levels);
  if (why) return { effects: null, note: `no main effects: ${why} (they need a grid or an orthogonal array)` };
  const design = { factors: d.factors.map((name, f) => ({ name, values: lists[f]! })), members: levels.map((l) => ({ levels: l })) };
  const effects: Partial<Record<MetricKey, FactorEffect[]>> = {};
  for (const m of d.available) effects[m] = mainEffects(design, d.metrics.map((x) => x[m] ?? NaN), GOALS[m]);
  return { effects, note: `${d.values.length} runs, ${d.factors.length} factor${d.factors.length === 1 ? "" : "s"}, balanced` };
}
