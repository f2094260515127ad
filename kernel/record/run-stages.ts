/**
 * A recorded run's lifecycle as the views show it: the events of its log up to commit t (lifecycle and
 * non-finite) and each neuron's age and stage after t, replayed from the lifecycle events
 * (engine/lifecycle/stage-history.ts) with the maturity and seniority of the run's stored `lifecycle:`
 * block (the engine's defaults when a run with lifecycle events stored none, as a cell's trainer does).
 * Rows are checked: a lifecycle row whose fields are not a lifecycle event's is listed by its message only.
 */
import { lifecycleOptions, lifecycleSchema } from "../engine/config/lifecycle";
import type { LifecycleEventKind } from "../engine/lifecycle/events";
import { resolveLifecycle } from "../engine/lifecycle/options";
import { stagesAt, type StageEvent } from "../engine/lifecycle/stage-history";
import type { LifecycleStage } from "../engine/lifecycle/stages";
import type { NfrunReader } from "./reader";

const KINDS: readonly LifecycleEventKind[] = ["rebirth", "senescent", "recovered"];

/** One event as the health views list it: the lifecycle event's kind, or `nonfinite`. */
export interface RunHealthEvent {
  readonly t: number;
  readonly kind: string;
  readonly layer: number | null;
  readonly neuron: number | null;
  readonly message: string;
}

export interface RunStages {
  /** Per layer, each neuron's commits since its last birth and its stage; null: the run has no lifecycle. */
  readonly ages: number[][] | null;
  readonly stages: LifecycleStage[][] | null;
  readonly events: readonly RunHealthEvent[];
}

/** The lifecycle event a log row's data holds (null: none, or not well-formed). */
function stageEvent(data: unknown, t: number): StageEvent | null {
  const e = (data as { lifecycle?: Record<string, unknown> } | null)?.lifecycle;
  if (!e || typeof e !== "object") return null;
  const { kind, layer, neuron } = e;
  if (!KINDS.includes(kind as LifecycleEventKind) || !Number.isInteger(layer) || !Number.isInteger(neuron)) return null;
  return { kind: kind as LifecycleEventKind, t, layer: layer as number, neuron: neuron as number };
}

/** Maturity and seniority of a stored lifecycle block (defaults where it has none or they do not resolve). */
function stageAges(block: unknown): { readonly maturity: number; readonly seniority: number } {
  const parsed = lifecycleSchema.safeParse(block);
  let o;
  try {
    o = resolveLifecycle(parsed.success ? lifecycleOptions(parsed.data) : {});
  } catch {
    o = resolveLifecycle({}); // cross-field rules the schema does not check (seniority < maturity)
  }
  return { maturity: o.maturity, seniority: o.seniority };
}

export function runStagesAt(reader: NfrunReader, runId: string, t: number): RunStages {
  const events: RunHealthEvent[] = [];
  const replay: StageEvent[] = [];
  const log = reader.events(runId);
  for (const e of log) {
    if ((e.kind !== "lifecycle" && e.kind !== "nonfinite") || e.t === null || e.t > t) continue;
    const life = e.kind === "lifecycle" ? stageEvent(e.data, e.t) : null;
    if (life) replay.push(life);
    events.push({ t: e.t, kind: life?.kind ?? e.kind, layer: life?.layer ?? null, neuron: life?.neuron ?? null, message: e.message });
  }
  const block = (reader.config(runId).config as { lifecycle?: unknown } | null)?.lifecycle;
  if (block === undefined && !log.some((e) => e.kind === "lifecycle")) return { ages: null, stages: null, events };
  const { maturity, seniority } = stageAges(block);
  const units = reader.run(runId).layers.map((l) => l.units);
  return { ...stagesAt(units, replay, t, maturity, seniority), events };
}
