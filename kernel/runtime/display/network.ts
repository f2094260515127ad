import type { LifecycleStage } from "../../engine/lifecycle/stages";
import { Model } from "../../engine/model";
import type { NfrunReader } from "../../record/reader";
import { runStagesAt } from "../../record/run-stages";
import * as path from "node:path";
import type { NeuronSnapshot, NotRecorded, StrategyInfo, WeightTrace } from "../../record/reader-types";
import { epochSummary, type EpochSummary } from "./epoch-summary";
import { BOUNDARY_SVG_SIZE, boundarySvg } from "./boundary-svg";
import { escapeHtml } from "./escape";
import { planePoints, storedPlane, type PlaneData, type PlanePoints } from "./plane";
import { MIME, toMimeBundle, type Displayable, type MimeBundle } from "./mime";
import { STAGE_COLOUR } from "./stage-colours";

/** Per layer, each neuron's lifecycle stage. */
export type NeuronStages = readonly (readonly LifecycleStage[])[];

/** A weight trace as embedded in a network payload: runId and strategy are stored once, in `recording`. */
export type EmbeddedTrace = Omit<WeightTrace, "runId" | "strategy"> | NotRecorded;

/** A neuron snapshot as embedded in a network payload (runId stored once, in `recording`). */
export type EmbeddedSnapshot = Omit<NeuronSnapshot, "runId"> | NotRecorded;

/** An epoch summary as embedded in a network payload. */
export type EmbeddedEpochSummary = Omit<EpochSummary, "runId"> | NotRecorded;

/**
 * One embedded commit of a recorded run: every weight after commit t and, for small networks, its trace.
 * The optional fields are absent in payloads saved before they existed and in views that ask a RunSource.
 */
export interface EmbeddedCommit {
  readonly t: number;
  readonly epoch: number;
  readonly batch: number;
  /** Weights after commit t in the engine's flat order (per neuron its incoming weights, then its bias); null: unknown. */
  readonly weights: readonly (number | null)[];
  /** The same order: weightTrace(runId, layer, neuron, weight, t) for each weight; null when not embedded. */
  readonly traces: readonly EmbeddedTrace[] | null;
  /** Dataset indices of the samples of this commit's batch, in order (empty when not recorded). */
  readonly samples?: readonly number[];
  /** Per neuron (layer by layer, the engine's order), its snapshot for each sample of the batch; null when not embedded. */
  readonly neurons?: readonly (readonly EmbeddedSnapshot[])[] | null;
  /** Per layer, each neuron's lifecycle stage after commit t (absent: the run has no lifecycle). */
  readonly stages?: NeuronStages | null;
  /**
   * Set when this commit has not happened yet at the place shown (the .nfrun editor at a pending
   * position): `weights` are those before it, and samples 0 … slot of its batch are in the blame bank.
   */
  readonly pending?: { readonly slot: number } | null;
}

/** What application/vnd.neuroforge.network+json carries besides the layers when made from a recorded run. */
export interface NetworkRecording {
  readonly runId: string;
  /** The .nfrun file as the kernel opened it (absolute), so a host can answer what is not embedded; null: not a file. */
  readonly file?: string | null;
  readonly strategy: StrategyInfo;
  readonly commits: readonly EmbeddedCommit[];
  /** Why traces are not embedded (too many weights × commits), or null. */
  readonly tracesOmitted: string | null;
  /** Per epoch of an embedded commit, each weight's epoch summary (weight order as `weights`); null when not embedded. */
  readonly epochSummaries?: Readonly<Record<string, readonly EmbeddedEpochSummary[]>> | null;
}

/** The network: custom JSON (layers + weights), an SVG diagram and a text summary; `stages`: its neurons' lifecycle stages. */
export function networkBundle(model: Model, recording?: NetworkRecording, plane?: PlanePoints | null, stages?: NeuronStages): MimeBundle {
  const arch = [String(model.spec.inputs), ...model.spec.layers.map((l) => `${l.units} ${l.activation}`)].join(" → ");
  const last = recording?.commits[recording.commits.length - 1];
  const text = `Model ${arch} (${model.weightCount} weights incl. biases)` + (recording && last ? `, run ${recording.runId} after commit t=${last.t}` : "");
  return {
    [MIME.network]: {
      inputs: model.spec.inputs,
      layers: model.layers.map((l) => ({
        units: l.units,
        activation: l.activation.name,
        // Per neuron: its incoming weights then its bias, as in the engine's flat parameter vector.
        weights: Array.from({ length: l.units }, (_, j) => Array.from(model.params.subarray(l.offset + j * (l.inputs + 1), l.offset + (j + 1) * (l.inputs + 1)))),
      })),
      weightCount: model.weightCount,
      ...(recording ? { recording } : {}),
      ...(plane ? { plane } : {}),
      ...(stages ? { stages } : {}),
    },
    "image/svg+xml": networkSvg(model, text, plane ?? undefined, stages ?? recording?.commits.at(-1)?.stages ?? undefined),
    "text/plain": text,
  };
}

/** Traces are embedded when weights × commits stays at or below this (a saved notebook stays small). */
export const MAX_EMBEDDED_TRACES = 2000;

/** Neuron snapshots are embedded when neurons × batch size × commits stays at or below this. */
export const MAX_EMBEDDED_SNAPSHOTS = 400;

/**
 * A recorded run's network at one or more commits (default: the last): the weights after each commit
 * and, for small networks, every weight's trace at that commit (reader.weightTrace), so the network
 * renderer can explain any weight without asking the kernel. Several commits give the renderer a scrubber.
 */
export class NetworkTrace implements Displayable {
  constructor(
    readonly reader: NfrunReader,
    readonly runId: string,
    readonly at?: number | readonly number[],
  ) {}

  [toMimeBundle](): MimeBundle {
    const info = this.reader.run(this.runId);
    const ctx = this.reader.context(this.runId);
    const model = new Model({ inputs: info.inputs, layers: info.layers.map((l) => ({ units: l.units, activation: l.activation })) });
    const lastT = ctx.trace.t.length ? ctx.trace.t[ctx.trace.t.length - 1]! : 0;
    const ts = this.at === undefined ? [lastT] : typeof this.at === "number" ? [this.at] : [...this.at];
    if (ts.length === 0) throw new RangeError("networkTrace: no commit given");
    for (const t of ts) {
      if (!ctx.commitIndex.has(t)) throw new RangeError(`networkTrace: run ${this.runId} has no commit t=${t} (commits 1 … ${lastT})`);
    }
    const embed = model.weightCount * ts.length <= MAX_EMBEDDED_TRACES;
    const snapshots = ctx.info.neuronCount * ctx.info.batchSize * ts.length <= MAX_EMBEDDED_SNAPSHOTS;
    const epochs = [...new Set(ts.map((t) => ctx.trace.epoch[ctx.commitIndex.get(t)!]!))];
    const commitsIn = (e: number) => ctx.trace.epoch.filter((v) => v === e).length;
    const summaries = embed && model.weightCount * epochs.reduce((n, e) => n + commitsIn(e), 0) <= MAX_EMBEDDED_TRACES;
    const commits: EmbeddedCommit[] = ts.map((t) => {
      const k = ctx.commitIndex.get(t)!;
      const epoch = ctx.trace.epoch[k]!;
      const first = ctx.trace.batch[k]! * ctx.info.batchSize;
      const samples: number[] = [];
      for (let slot = 0; slot < ctx.trace.count[k]!; slot++) {
        const at = this.reader.samplAt(this.runId, epoch, first + slot);
        if (!at) break;
        samples.push(at.chunk.sample[at.i]!);
      }
      const weights: (number | null)[] = [];
      const traces: EmbeddedTrace[] = [];
      const neurons: EmbeddedSnapshot[][] = [];
      model.layers.forEach((l, li) => {
        for (let j = 0; j < l.units; j++) {
          const after = this.reader.weightsAfter(ctx, t, li, j);
          for (let w = 0; w <= l.inputs; w++) {
            let value = after ? after[w]! : null;
            if (embed) {
              const tr = this.reader.weightTrace(this.runId, li, j, w, t);
              if (tr.kind === "weight-trace") {
                const { runId: _r, strategy: _s, ...rest } = tr;
                traces.push(rest);
                value ??= tr.commit.after;
              } else traces.push(tr);
            }
            weights.push(value !== null && Number.isFinite(value) ? value : null);
          }
          if (snapshots) neurons.push(samples.map((sample) => withoutRunId(this.reader.neuronSnapshot(this.runId, li, j, epoch, sample))));
        }
      });
      const { stages } = runStagesAt(this.reader, this.runId, t);
      return { t, epoch, batch: ctx.trace.batch[k]!, weights, traces: embed ? traces : null, samples, neurons: snapshots ? neurons : null, ...(stages ? { stages } : {}) };
    });
    const shown = commits[commits.length - 1]!;
    shown.weights.forEach((v, i) => (model.params[i] = v ?? NaN));
    const epochSummaries: Record<string, EmbeddedEpochSummary[]> = {};
    if (summaries) {
      for (const e of epochs) {
        const list: EmbeddedEpochSummary[] = [];
        model.layers.forEach((l, li) => {
          for (let j = 0; j < l.units; j++) for (let w = 0; w <= l.inputs; w++) list.push(withoutRunId(epochSummary(this.reader, this.runId, li, j, w, e)));
        });
        epochSummaries[String(e)] = list;
      }
    }
    return networkBundle(model, {
      runId: this.runId,
      file: this.reader.path === undefined ? null : path.resolve(this.reader.path),
      strategy: info.strategy,
      commits,
      tracesOmitted: embed ? null : `${model.weightCount} weights × ${ts.length} commits > ${MAX_EMBEDDED_TRACES}`,
      epochSummaries: summaries ? epochSummaries : null,
    }, storedPlane(this.reader, this.runId));
  }
}

/** A model's network with a 2-input dataset's points over its decision boundary (a cell's `networkView(model, train, test)`). */
export class NetworkView implements Displayable {
  constructor(
    readonly model: Model,
    readonly train: PlaneData,
    readonly test?: PlaneData | null,
  ) {}

  [toMimeBundle](): MimeBundle {
    return networkBundle(this.model, undefined, planePoints(this.train, this.test));
  }
}

/** The network of `model` as it is now, with the points of `train` (and `test`) behind its decision boundary. */
export function networkView(model: Model, train: PlaneData, test?: PlaneData | null): NetworkView {
  return new NetworkView(model, train, test);
}

/** Drops the runId a payload stores once. */
function withoutRunId<T extends { readonly runId: string; readonly kind: string }>(x: T | NotRecorded): Omit<T, "runId"> | NotRecorded {
  if (x.kind === "not-recorded") return x as NotRecorded;
  const { runId: _r, ...rest } = x as T;
  return rest;
}

/** The network of a recorded run after commit `at` (default the last; an array embeds several commits). */
export function networkTrace(reader: NfrunReader, runId: string, at?: number | readonly number[]): NetworkTrace {
  return new NetworkTrace(reader, runId, at);
}

const MAX_DRAWN = 12;

/**
 * Columns of circles (inputs, then each layer), edges coloured by sign and width by |weight|; with two
 * inputs also the decision boundary beside it and each neuron's heatmap (./boundary-svg.ts).
 */
export function networkSvg(model: Model, title: string, plane?: PlanePoints, stages?: NeuronStages): string {
  const columns = [model.spec.inputs, ...model.spec.layers.map((l) => l.units)];
  const tallest = Math.min(MAX_DRAWN, columns.reduce((m, c) => Math.max(m, c), -Infinity));
  const heated = model.spec.inputs === 2;
  const netW = 120 * columns.length + 40;
  const W = netW + (heated ? BOUNDARY_SVG_SIZE + 40 : 0);
  const H = Math.max(40 * tallest + 60, heated ? BOUNDARY_SVG_SIZE + 60 : 0);
  const x = (c: number) => 40 + c * 120;
  const y = (i: number, n: number) => 40 + (H - 60) / 2 - ((Math.min(n, MAX_DRAWN) - 1) * 40) / 2 + i * 40;
  const parts: string[] = [];
  let maxAbs = 0;
  for (let i = 0; i < model.params.length; i++) if (Number.isFinite(model.params[i]!)) maxAbs = Math.max(maxAbs, Math.abs(model.params[i]!));
  model.layers.forEach((l, li) => {
    for (let j = 0; j < Math.min(l.units, MAX_DRAWN); j++) {
      for (let k = 0; k < Math.min(l.inputs, MAX_DRAWN); k++) {
        const w = model.params[l.offset + j * (l.inputs + 1) + k]!;
        const width = maxAbs > 0 && Number.isFinite(w) ? 0.5 + 3 * (Math.abs(w) / maxAbs) : 1;
        parts.push(
          `<line x1="${x(li)}" y1="${y(k, l.inputs)}" x2="${x(li + 1)}" y2="${y(j, l.units)}" stroke="${w >= 0 ? "#d9534f" : "#428bca"}" stroke-width="${width.toFixed(2)}" opacity="0.7"><title>layer ${li} neuron ${j} weight ${k}: ${escapeHtml(w)}</title></line>`,
        );
      }
    }
  });
  if (heated) {
    const spots = columns.flatMap((n, c) => Array.from({ length: Math.min(n, MAX_DRAWN) }, (_, i) => ({ column: c, index: i, cx: x(c), cy: y(i, n), r: 11 })));
    parts.push(boundarySvg(model, plane, { x: netW + 20, y: 20 }, spots));
  }
  columns.forEach((n, c) => {
    for (let i = 0; i < Math.min(n, MAX_DRAWN); i++) {
      const stage = c > 0 ? stages?.[c - 1]?.[i] : undefined;
      parts.push(
        stage
          ? `<circle cx="${x(c)}" cy="${y(i, n)}" r="11" fill="${heated ? "none" : "#fff"}" stroke="${STAGE_COLOUR[stage]}" stroke-width="3.5"${stage === "dying" ? ' stroke-dasharray="4 2"' : ""}><title>layer ${c - 1} neuron ${i}: ${stage}</title></circle>`
          : `<circle cx="${x(c)}" cy="${y(i, n)}" r="11" fill="${heated ? "none" : "#fff"}" stroke="#333"/>`,
      );
    }
    const label = c === 0 ? `${n} in` : `${n} ${model.spec.layers[c - 1]!.activation}`;
    parts.push(`<text x="${x(c)}" y="${H - 8}" font-size="11" text-anchor="middle" font-family="sans-serif">${escapeHtml(label)}${n > MAX_DRAWN ? " (first 12)" : ""}</text>`);
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}"><title>${escapeHtml(title)}</title>${parts.join("")}</svg>`;
}
