import type { LifecycleEventKind } from "./events";
import { stageOf, type LifecycleStage } from "./stages";

/** What a stage replay needs of a lifecycle event (a recorded run's event log has it). */
export interface StageEvent {
  readonly kind: LifecycleEventKind;
  readonly t: number;
  readonly layer: number;
  readonly neuron: number;
}

/**
 * Each neuron's age and stage after commit t, replayed from the lifecycle's events up to t: what
 * `Lifecycle.stage` answered live. Age counts from the last rebirth (0: the run's start); a senescent
 * mark makes a neuron dying until it recovers or is reborn. `units`: neurons per layer.
 */
export function stagesAt(
  units: readonly number[],
  events: readonly StageEvent[],
  t: number,
  maturity: number,
  seniority: number,
): { readonly ages: number[][]; readonly stages: LifecycleStage[][] } {
  const born = units.map((n) => new Array<number>(n).fill(0));
  const dying = units.map((n) => new Array<boolean>(n).fill(false));
  for (const e of events) {
    if (e.t > t || !(e.neuron >= 0 && e.neuron < (units[e.layer] ?? 0))) continue;
    if (e.kind === "rebirth") born[e.layer]![e.neuron] = e.t;
    dying[e.layer]![e.neuron] = e.kind === "senescent";
  }
  const ages = born.map((row) => row.map((b) => t - b));
  return { ages, stages: ages.map((row, l) => row.map((age, j) => stageOf(age, dying[l]![j]!, maturity, seniority))) };
}
