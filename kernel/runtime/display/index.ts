/** Rich display of engine objects: one small file per displayable, each giving a MIME bundle with fallbacks. */
import { Model } from "../../engine/model";
import { Trainer } from "../../engine/trainer";
import { liveStages } from "./health-live";
import type { NeuronSnapshot, WeightTrace } from "../../record/reader-types";
import { auditBundle } from "./audit";
import { epochSummaryBundle, type EpochSummary } from "./epoch-summary";
import { isDisplayable, plainText, toMimeBundle, type MimeBundle } from "./mime";
import { networkBundle } from "./network";
import { neuronBundle } from "./neuron";
import { signalsBundle } from "./plot";
import { isRawBundle, rawBundle } from "./raw";
import { isRunInfo, runBundle } from "./run";
import { sweepBundle } from "./sweep";
import type { SweepObject } from "../../engine/sweep/sweep-object";

export { MIME, toMimeBundle, isDisplayable, plainText, type MimeBundle, type Displayable } from "./mime";
export { escapeHtml } from "./escape";

function isTraceSeries(x: object): x is { t: Int32Array; loss: Float64Array; gradNorm: Float64Array; stepNorm: Float64Array } {
  const o = x as Record<string, unknown>;
  return o.t instanceof Int32Array && o.loss instanceof Float64Array && o.gradNorm instanceof Float64Array && o.stepNorm instanceof Float64Array;
}

/** The MIME bundle a value displays as. */
export function mimeBundleOf(value: unknown): MimeBundle {
  if (isDisplayable(value)) return value[toMimeBundle]();
  if (isRawBundle(value)) return rawBundle(value);
  if (value instanceof Model) return networkBundle(value);
  // A trainer with a lifecycle: its network with every neuron coloured by its stage now.
  if (value instanceof Trainer && value.lifecycle) return networkBundle(value.model, undefined, undefined, liveStages(value)!);
  if (typeof value === "object" && value !== null) {
    const kind = (value as { kind?: unknown }).kind;
    if (kind === "weight-trace") return auditBundle(value as WeightTrace);
    if (kind === "neuron-snapshot") return neuronBundle(value as NeuronSnapshot);
    if (kind === "epoch-summary") return epochSummaryBundle(value as EpochSummary);
    if (kind === "sweep") return sweepBundle(value as SweepObject);
    if (kind === "not-recorded") return { "text/plain": `not recorded: ${(value as { reason: string }).reason}` };
    if (isRunInfo(value)) return runBundle(value);
    if (isTraceSeries(value)) {
      return signalsBundle({ title: "trace: loss, gradient and step norms per commit", x: value.t, xLabel: "t (commit)", series: { loss: value.loss, gradNorm: value.gradNorm, stepNorm: value.stepNorm }, logY: true });
    }
  }
  return { "text/plain": plainText(value) };
}
