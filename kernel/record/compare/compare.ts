/**
 * A file's runs compared: names, how each ended, the parameters that differ, final metrics and (for a
 * balanced design) main effects — all from the file's runs rows, configs, events and test metrics.
 */
import type { NfrunReader } from "../reader";
import { testSeries } from "../series";
import { designEffects } from "./effects";
import { runNames } from "./names";
import type { ComparedRun, MetricKey, RunComparison, RunState } from "./types";

const finite = (x: number | null | undefined): number | null => (typeof x === "number" && Number.isFinite(x) ? x : null);

/** The file's status, `diverged` for a failed run whose events include a non-finite value (the engine's guard). */
export function runState(status: string, eventKinds: readonly string[]): RunState {
  if (status === "failed") return eventKinds.includes("nonfinite") ? "diverged" : "failed";
  return status === "completed" || status === "interrupted" || status === "running" ? status : "failed";
}

export interface RunRow {
  readonly runId: string;
  readonly state: RunState;
  readonly config: unknown;
  readonly metrics: Readonly<Record<MetricKey, number | null>>;
}

/** What the comparison needs of one run, read through the reader's public API. */
export function runRow(reader: NfrunReader, runId: string): RunRow {
  const info = reader.run(runId);
  const test = testSeries(reader, runId);
  const last = test.epoch.length - 1;
  return {
    runId,
    state: runState(info.status, reader.events(runId).map((e) => e.kind)),
    config: reader.config(runId).config,
    metrics: { loss: finite(info.finalLoss), testLoss: last < 0 ? null : finite(test.loss[last]), testAccuracy: last < 0 ? null : finite(test.accuracy[last]) },
  };
}

export function compareRows(rows: readonly RunRow[]): RunComparison {
  const named = runNames(rows.map((r) => r.config), rows.map((r) => r.runId));
  const runs: ComparedRun[] = rows.map((r, i) => ({ runId: r.runId, name: named.names[i]!, state: r.state, values: named.values[i]!, metrics: r.metrics }));
  const metrics = (["loss", "testLoss", "testAccuracy"] as const).filter((m) => runs.some((r) => r.metrics[m] !== null));
  // A run that did not complete is left out of its levels (its metric is not a final one).
  const { effects, note } = designEffects({
    factors: named.factors.map((p) => named.params[p]!.label),
    values: named.values.map((v) => named.factors.map((p) => v[p]!)),
    metrics: runs.map((r) => (r.state === "completed" ? r.metrics : { loss: null, testLoss: null, testAccuracy: null })),
    available: metrics,
  });
  return { params: named.params, metrics, runs, effects, effectsNote: note };
}

export function compareRuns(reader: NfrunReader, runIds: readonly string[] = reader.runIds()): RunComparison {
  return compareRows(runIds.map((id) => runRow(reader, id)));
}

