/**
 * The health view of a recorded run after commit t (the .nfrun editor's health panel, following the
 * playback), the same view a cell shows live: the loss per commit up to t; per layer the weight and
 * gradient histograms and statistics of the last health measure at or before t (tables health,
 * health_values); the fitness distribution of the last lifecycle evaluation at or before t (table
 * neuron_fitness); each neuron's age and stage and the lifecycle and non-finite events up to t
 * (replayed from the event log, kernel/record/run-stages.ts).
 */
import { summarize } from "../../kernel/engine/health/summary";
import type { NfrunReader } from "../../kernel/record";
import { fitnessSeries, healthSeries, layerHealthAt, type FitnessSeries, type HealthSeries } from "../../kernel/record/health-series";
import type { RunContext } from "../../kernel/record/reader-types";
import { runStagesAt } from "../../kernel/record/run-stages";
import { healthValues, healthViewLayer } from "../../kernel/runtime/display/health-live";
import { MAX_VIEW_EVENTS, type HealthValues, type HealthViewPayload } from "../../kernel/runtime/display/health-view-types";
import { decimate } from "../editor/load";

/** A run's recorded measures, read once per run context (a playback asks at every move). */
const measures = new WeakMap<RunContext, { readonly layers: readonly HealthSeries[]; readonly fitness: FitnessSeries }>();

function recorded(reader: NfrunReader, runId: string): { readonly layers: readonly HealthSeries[]; readonly fitness: FitnessSeries } {
  const ctx = reader.context(runId);
  let m = measures.get(ctx);
  if (!m) {
    m = { layers: ctx.layers.map((l) => healthSeries(reader, runId, l.layer)), fitness: fitnessSeries(reader, runId) };
    measures.set(ctx, m);
  }
  return m;
}

/** Index of the last of the ascending `ts` at or before t (−1: none). */
function lastAtOrBefore(ts: Int32Array, t: number): number {
  let lo = 0;
  let hi = ts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ts[mid]! <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

export function healthAt(reader: NfrunReader, runId: string, t: number): HealthViewPayload {
  const info = reader.run(runId);
  const trace = reader.trace(runId);
  const ctx = reader.context(runId);
  const idx = decimate(lastAtOrBefore(trace.t, t) + 1);
  const { ages, stages, events } = runStagesAt(reader, runId, t);
  const counts: Record<string, number> = {};
  for (const e of events) counts[e.kind] = (counts[e.kind] ?? 0) + 1;
  const { layers: series, fitness } = recorded(reader, runId);
  const k = series.length > 0 ? lastAtOrBefore(series[0]!.t, t) : -1;
  const layers = k < 0 ? [] : series.map((s, l) => healthViewLayer(layerHealthAt(s, k), ctx.layers[l]!.units, ctx.layers[l]!.activation.name));
  // The fitness of every neuron at the last evaluation (none yet: an empty distribution; none recorded: null).
  const e = lastAtOrBefore(fitness.t, t);
  const N = fitness.neurons;
  const fitnessValues: HealthValues | null = fitness.t.length === 0 ? null : healthValues(summarize(e < 0 ? [] : fitness.fitness.subarray(e * N, (e + 1) * N)));
  return {
    kind: "health-view",
    t,
    status: info.status,
    measuredT: k < 0 ? null : series[0]!.t[k]!,
    layers,
    lifecycle: ages && stages ? { evaluatedT: e < 0 ? null : fitness.t[e]!, fitness: fitnessValues, ages: healthValues(summarize(ages.flat())), stages } : null,
    events: events.slice(-MAX_VIEW_EVENTS),
    eventCounts: counts,
    loss: { t: idx.map((i) => trace.t[i]!), loss: idx.map((i) => (Number.isFinite(trace.loss[i]!) ? trace.loss[i]! : null)) },
  };
}
