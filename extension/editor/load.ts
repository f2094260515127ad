/**
 * Reads a .nfrun file with the kernel/record reader into the plain data the editor webview shows
 * (no `vscode` import: unit-tested in plain Node).
 */
import type { NfrunReader } from "../../kernel/record";
import { compareRuns } from "../../kernel/record/compare/compare";
import { storedPlane } from "../../kernel/runtime/display/plane";
import type { RunFileMessage, RunSummary } from "../../webviews/shared/messages";
import type { RunFiles } from "../runs/run-files";
import { queryError } from "../runs/service";
import { mechanismsOf } from "./mechanisms";

const MAX_POINTS = 400;

export function decimate(n: number): number[] {
  if (n <= MAX_POINTS) return Array.from({ length: n }, (_, i) => i);
  const step = (n - 1) / (MAX_POINTS - 1);
  return Array.from({ length: MAX_POINTS }, (_, i) => Math.round(i * step));
}

/** A run with a lifecycle or health measures (its config's blocks, or lifecycle / non-finite events in its log). */
function hasHealth(config: unknown, events: readonly { readonly kind: string }[]): boolean {
  const c = config as { lifecycle?: unknown; health?: unknown } | null;
  return (typeof c === "object" && c !== null && (c.lifecycle !== undefined || c.health !== undefined)) || events.some((e) => e.kind === "lifecycle" || e.kind === "nonfinite");
}

export function summarize(reader: NfrunReader, runId: string): RunSummary {
  const info = reader.run(runId);
  const config = reader.config(runId);
  const trace = reader.trace(runId);
  const idx = decimate(trace.t.length);
  const events = reader.events(runId);
  return {
    runId: info.runId,
    status: info.status,
    createdAt: info.createdAt,
    seconds: info.seconds,
    engineVersion: info.engineVersion,
    seed: info.seed,
    configHash: info.configHash,
    hashMatches: config.hashMatches,
    configJson: JSON.stringify(config.config, null, 2),
    architecture: [String(info.inputs), ...info.layers.map((l) => `${l.units} ${l.activation}`)].join(" → "),
    loss: info.loss,
    batchSize: info.batchSize,
    inputs: info.inputs,
    layers: info.layers.map((l) => ({ units: l.units, activation: l.activation })),
    weightCount: info.weightCount,
    strategy: {
      id: info.strategy.id,
      name: info.strategy.name,
      formula: info.strategy.formula,
      auditColumns: [...info.strategy.auditColumns],
      description: info.strategy.description ?? null,
      whenToUse: info.strategy.whenToUse ?? null,
      bestFor: info.strategy.bestFor ?? null,
    },
    hyperparameters: info.hyperparameters,
    epochsDone: info.epochsDone,
    commits: info.commits,
    samplesSeen: info.samplesSeen,
    finalLoss: info.finalLoss,
    lossCurve: { t: idx.map((i) => trace.t[i]!), loss: idx.map((i) => (Number.isFinite(trace.loss[i]!) ? trace.loss[i]! : null)) },
    mechanisms: mechanismsOf(config.config, trace.lrScale, info.policy),
    events: events.map((e) => ({ seq: e.seq, kind: e.kind, message: e.message, t: e.t, epoch: e.epoch, position: e.position })),
    plane: storedPlane(reader, runId),
    health: hasHealth(config.config, events),
  };
}

/**
 * The first message for the webview: every run of the file (summaries only; the network, batches and
 * traces are queried lazily through the run query service), or the reader's error in plain words.
 */
export async function runFileMessage(files: RunFiles, file: string, label = file): Promise<RunFileMessage> {
  try {
    const { reader, bytes } = await files.open(file);
    const ids = reader.runIds();
    return { type: "run-file", file: label, bytes, runs: ids.map((id) => summarize(reader, id)), comparison: compareRuns(reader, ids) };
  } catch (e) {
    return { type: "error", file: label, ...queryError(e) };
  }
}
