/**
 * Answers one run query (webviews/shared/queries.ts) from an open reader, through the reader's public
 * API only (run, trace, events, weightTrace, neuronSnapshot, weightsAfter; the epoch summary is the
 * notebook display's, built from weightTrace). A query whose fields are not what its kind needs is
 * refused with BadQuery before the reader sees it.
 */
import type { NfrunReader } from "../../kernel/record";
import type { RunOverlay } from "../../kernel/record/compare/types";
import { compareRuns } from "../../kernel/record/compare/compare";
import { overlayPanels } from "../../kernel/record/compare/overlay";
import { epochSummary } from "../../kernel/runtime/display/epoch-summary";
import { MAX_CHART_WEIGHTS, MAX_OVERLAY_RUNS, type BatchSamples, type NotRecorded, type PlaybackTimeline, type QueryResult, type RunQuery, type SampleDetail, type WeightsAfter } from "../../webviews/shared/queries";
import { healthAt } from "./health-at";
import { runCharts } from "./run-charts";

export class BadQuery extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BadQuery";
  }
}

const FIELDS: Record<RunQuery["kind"], readonly string[]> = {
  weightTrace: ["layer", "neuron", "weight", "t"],
  neuronSnapshot: ["layer", "neuron", "epoch", "sample"],
  epochSummary: ["layer", "neuron", "weight", "epoch"],
  weightsAfter: ["t"],
  timeline: [],
  batch: ["t"],
  sample: ["epoch", "sample"],
  signals: [],
  overlay: [],
  healthAt: ["t"],
};

const nonNegativeInt = (v: unknown): boolean => typeof v === "number" && Number.isInteger(v) && v >= 0;

/** The query, checked: a known kind, a string runId and non-negative integers where numbers belong. */
export function checkQuery(q: unknown): RunQuery {
  const r = q as Record<string, unknown> | null;
  if (!r || typeof r !== "object" || typeof r.kind !== "string" || !Object.hasOwn(FIELDS, r.kind)) throw new BadQuery(`unknown query ${JSON.stringify((r as { kind?: unknown } | null)?.kind ?? null)}`);
  if (typeof r.runId !== "string") throw new BadQuery(`${r.kind}: runId must be a string`);
  const optional = r.kind === "weightsAfter" && r.drawn !== undefined ? ["drawn"] : [];
  for (const f of [...FIELDS[r.kind as RunQuery["kind"]], ...optional]) {
    const v = r[f];
    if (!nonNegativeInt(v)) throw new BadQuery(`${r.kind}: ${f} must be a non-negative integer (got ${JSON.stringify(v ?? null)})`);
  }
  if (r.kind === "signals") {
    const ws = r.weights;
    if (!Array.isArray(ws) || ws.length > MAX_CHART_WEIGHTS) throw new BadQuery(`signals: weights must be a list of at most ${MAX_CHART_WEIGHTS} weights`);
    ws.forEach((w: unknown, i) => {
      const a = w as Record<string, unknown> | null;
      if (!a || typeof a !== "object" || !["layer", "neuron", "weight"].every((k) => nonNegativeInt(a[k]))) {
        throw new BadQuery(`signals: weights[${i}] must be { layer, neuron, weight } of non-negative integers`);
      }
    });
  }
  if (r.kind === "overlay") {
    const ids = r.runIds;
    if (!Array.isArray(ids) || ids.length === 0 || ids.length > MAX_OVERLAY_RUNS || !ids.every((id) => typeof id === "string")) {
      throw new BadQuery(`overlay: runIds must be a list of 1 to ${MAX_OVERLAY_RUNS} run ids`);
    }
  }
  return r as unknown as RunQuery;
}

export function answerQuery(reader: NfrunReader, q: RunQuery): QueryResult {
  switch (q.kind) {
    case "weightTrace":
      return reader.weightTrace(q.runId, q.layer, q.neuron, q.weight, q.t);
    case "neuronSnapshot":
      return reader.neuronSnapshot(q.runId, q.layer, q.neuron, q.epoch, q.sample);
    case "epochSummary":
      return epochSummary(reader, q.runId, q.layer, q.neuron, q.weight, q.epoch);
    case "weightsAfter":
      return networkAfter(reader, q.runId, q.t, q.drawn);
    case "timeline":
      return timeline(reader, q.runId);
    case "batch":
      return batchSamples(reader, q.runId, q.t);
    case "sample":
      return sampleDetail(reader, q.runId, q.epoch, q.sample);
    case "signals":
      return runCharts(reader, q.runId, q.weights);
    case "overlay":
      return runOverlay(reader, q.runIds);
    case "healthAt":
      return healthAt(reader, q.runId, q.t);
  }
}

function hasCommit(reader: NfrunReader, runId: string, t: number): boolean {
  return reader.trace(runId).t.includes(t);
}

/**
 * The weights after commit t, in the engine's flat order; null where the file cannot replay them or
 * the view does not draw them (`drawn`). A whole neuron replays each of its weights from the nearest
 * snapshot, so for a neuron with more inputs than are drawn only the drawn weights are replayed, each
 * through its weightTrace (whose `after` is that weight after commit t). Before the first commit and
 * after the last one there is a snapshot (docs/nfrun-format.md), so nothing is replayed there.
 */
function networkAfter(reader: NfrunReader, runId: string, t: number, drawn = Infinity): WeightsAfter {
  if (t !== 0 && !hasCommit(reader, runId, t)) throw new BadQuery(`weightsAfter: run ${runId} has no commit t=${t}`);
  const ctx = reader.context(runId);
  const ts = reader.trace(runId).t;
  const atSnapshot = t === 0 || t === ts[ts.length - 1];
  const weights: (number | null)[] = [];
  const push = (v: number | null | undefined) => weights.push(v !== null && v !== undefined && Number.isFinite(v) ? v : null);
  for (const l of ctx.info.layers) {
    const isDrawn = (w: number) => w < drawn || w === l.inputs;
    for (let j = 0; j < l.units; j++) {
      if (j >= drawn) {
        for (let w = 0; w <= l.inputs; w++) push(null);
      } else if (atSnapshot || drawn >= l.inputs) {
        const after = reader.weightsAfter(ctx, t, l.layer, j);
        for (let w = 0; w <= l.inputs; w++) push(isDrawn(w) ? after?.[w] : null);
      } else {
        for (let w = 0; w <= l.inputs; w++) {
          const tr = isDrawn(w) ? reader.weightTrace(runId, l.layer, j, w, t) : null;
          push(tr?.kind === "weight-trace" ? tr.commit.after : null);
        }
      }
    }
  }
  return { kind: "weights-after", runId, t, weights };
}

function timeline(reader: NfrunReader, runId: string): PlaybackTimeline {
  const info = reader.run(runId);
  const tr = reader.trace(runId);
  return {
    kind: "timeline",
    runId,
    batchSize: info.batchSize,
    t: Array.from(tr.t),
    epoch: Array.from(tr.epoch),
    batch: Array.from(tr.batch),
    count: Array.from(tr.count),
    loss: Array.from(tr.loss, (v) => (Number.isFinite(v) ? v : null)),
    recordedEpochs: [...info.recordedEpochs],
  };
}

/**
 * The samples of commit t's batch. The reader gives them with any recorded weight's trace (its rows are
 * the batch's samples in position order); the bias of an output neuron needs no recorded input.
 */
function batchSamples(reader: NfrunReader, runId: string, t: number): BatchSamples | NotRecorded {
  if (!hasCommit(reader, runId, t)) throw new BadQuery(`batch: run ${runId} has no commit t=${t}`);
  const info = reader.run(runId);
  let answer: NotRecorded = { kind: "not-recorded", reason: `no neuron of run ${runId} is recorded` };
  for (const l of [...info.layers].reverse()) {
    for (let j = 0; j < l.units; j++) {
      const tr = reader.weightTrace(runId, l.layer, j, l.inputs, t);
      if (tr.kind === "not-recorded") {
        answer = tr;
        continue;
      }
      return { kind: "batch", runId, t, epoch: tr.epoch, batch: tr.batch, samples: tr.rows.map((r) => ({ position: r.position, sample: r.sample, slot: r.slot })) };
    }
  }
  return answer;
}

/** Inputs are listed for runs with at most this many (beyond, a sample's input row is not a readable line). */
const MAX_LISTED_INPUTS = 32;

/** One sample: the output layer's activations (the prediction) and loss, from neuronSnapshot. */
function sampleDetail(reader: NfrunReader, runId: string, epoch: number, sample: number): SampleDetail | NotRecorded {
  const info = reader.run(runId);
  const out = info.layers[info.layers.length - 1]!;
  const prediction: number[] = [];
  let first: Exclude<ReturnType<NfrunReader["neuronSnapshot"]>, NotRecorded> | null = null;
  for (let k = 0; k < out.units; k++) {
    const snap = reader.neuronSnapshot(runId, out.layer, k, epoch, sample);
    if (snap.kind === "not-recorded") return snap;
    first ??= snap;
    prediction.push(snap.forward.a);
  }
  const f = first!;
  let inputs: number[] = [];
  if (info.inputs <= MAX_LISTED_INPUTS) {
    const s0 = out.layer === 0 ? f : reader.neuronSnapshot(runId, 0, 0, epoch, sample);
    if (s0.kind === "neuron-snapshot") inputs = s0.forward.inputs.map((i) => i.input);
  }
  return { kind: "sample", runId, epoch, sample, position: f.position, t: f.t, loss: f.loss, inputs, prediction };
}

/** The runs' curves, each named as the file's run list names it (an unknown id: the reader's no-such-run). */
function runOverlay(reader: NfrunReader, runIds: readonly string[]): RunOverlay {
  for (const id of runIds) reader.run(id);
  const names = new Map(compareRuns(reader).runs.map((r) => [r.runId, r.name]));
  return overlayPanels(reader, runIds.map((runId) => ({ runId, name: names.get(runId)! })));
}
