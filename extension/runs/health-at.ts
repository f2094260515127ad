/**
 * The health view of a recorded run after commit t (the .nfrun editor's health panel, following the
 * playback): the loss per commit up to t, the lifecycle and non-finite events up to t and each neuron's
 * age and stage (kernel/record/run-stages.ts).
 */
import { summarize } from "../../kernel/engine/health/summary";
import type { NfrunReader } from "../../kernel/record";
import { runStagesAt } from "../../kernel/record/run-stages";
import { healthValues } from "../../kernel/runtime/display/health-live";
import { MAX_VIEW_EVENTS, type HealthViewPayload } from "../../kernel/runtime/display/health-view-types";
import { decimate } from "../editor/load";

export function healthAt(reader: NfrunReader, runId: string, t: number): HealthViewPayload {
  const info = reader.run(runId);
  const trace = reader.trace(runId);
  let upTo = 0;
  while (upTo < trace.t.length && trace.t[upTo]! <= t) upTo++;
  const idx = decimate(upTo);
  const { ages, stages, events } = runStagesAt(reader, runId, t);
  const counts: Record<string, number> = {};
  for (const e of events) counts[e.kind] = (counts[e.kind] ?? 0) + 1;
  return {
    kind: "health-view",
    t,
    status: info.status,
    measuredT: null,
    layers: [],
    lifecycle: ages && stages ? { evaluatedT: null, fitness: null, ages: healthValues(summarize(ages.flat())), stages } : null,
    events: events.slice(-MAX_VIEW_EVENTS),
    eventCounts: counts,
    loss: { t: idx.map((i) => trace.t[i]!), loss: idx.map((i) => (Number.isFinite(trace.loss[i]!) ? trace.loss[i]! : null)) },
  };
}
