/**
 * The network view's popup for a neuron of a recorded run: the neuron for one sample of the shown
 * commit's batch (forward pass Σ → activation, backprop rows, blame sources: renderers/neuron), with a
 * stepper over the batch's samples. Snapshots come from the payload, else from the RunSource.
 */
import type { NeuronSnapshot, NotRecorded } from "../../../kernel/record/reader-types";
import type { EmbeddedCommit, EmbeddedSnapshot } from "../../../kernel/runtime/display/network";
import { append, h } from "../../shared/dom";
import type { RunSource } from "../../shared/run-source";
import type { Snapshot } from "../neuron/blame-sources";
import { neuronHeading, neuronView } from "../neuron/render";

export interface NeuronPopupInput {
  readonly runId: string;
  readonly layer: number;
  readonly neuron: number;
  readonly output: boolean;
  readonly commit: EmbeddedCommit;
  /** This neuron's embedded snapshots (one per sample of the batch), or null. */
  readonly embedded: readonly EmbeddedSnapshot[] | null;
  readonly source: RunSource | undefined;
  /** Why snapshots cannot be shown without a source. */
  readonly unavailable: string;
  /** Whether the popup still shows this neuron at this commit (answers that come later are dropped otherwise). */
  readonly stillOpen: () => boolean;
}

export function neuronPopupBody(p: NeuronPopupInput): HTMLElement {
  const samples: readonly number[] = p.commit.samples ?? [];
  const body = h("div", { class: "neuron-popup" });
  if (!p.commit.samples) {
    append(body, h("div", { class: "muted snapshots-omitted" }, `This view does not carry the samples of commit t=${p.commit.t}'s batch.`));
    return body;
  }
  if (samples.length === 0) {
    append(body, h("div", { class: "muted not-recorded" }, `Not recorded: the samples of commit t=${p.commit.t}'s batch are not in the file`));
    return body;
  }
  if (!p.embedded && !p.source) {
    append(body, h("div", { class: "muted snapshots-omitted" }, `The neuron for each sample (Σ, activation, blame sources): ${p.unavailable}`));
    return body;
  }
  let current = samples.length - 1;
  const answers = new Map<number, Snapshot | NotRecorded | Error>();
  const label = h("span", { class: "sample-label", "aria-live": "polite" });
  const prev = h("button", { type: "button", class: "prev-sample", "aria-label": "previous sample of the batch" }, "◀");
  const next = h("button", { type: "button", class: "next-sample", "aria-label": "next sample of the batch" }, "▶");
  const view = h("div", { class: "neuron-sample" });
  if (samples.length > 1) append(body, h("div", { class: "stepper" }, prev, next, label));
  append(body, view);

  function show(): void {
    const i = current;
    label.textContent = `sample ${i + 1} of ${samples.length} of the batch of commit t=${p.commit.t} (dataset #${samples[i]})`;
    prev.disabled = i === 0;
    next.disabled = i === samples.length - 1;
    const got = p.embedded ? p.embedded[i] : answers.get(i);
    if (got === undefined) {
      view.replaceChildren(h("div", { class: "muted loading" }, `Reading sample ${samples[i]} from the run file…`));
      p.source!.neuronSnapshot({ runId: p.runId, layer: p.layer, neuron: p.neuron, epoch: p.commit.epoch, sample: samples[i]! }).then(
        (n: NeuronSnapshot | NotRecorded) => answer(i, n),
        (e: unknown) => answer(i, e instanceof Error ? e : new Error(String(e))),
      );
      return;
    }
    if (got instanceof Error) view.replaceChildren(h("div", { class: "error query-failed", role: "alert" }, `Cannot read the neuron: ${got.message}`));
    else if (got.kind !== "neuron-snapshot") view.replaceChildren(h("div", { class: "muted not-recorded" }, `Not recorded: ${String(got.reason)}`));
    else view.replaceChildren(h("div", { class: "title snapshot-head" }, neuronHeading(got)), neuronView(got, p.output));
  }
  function answer(i: number, n: Snapshot | NotRecorded | Error): void {
    answers.set(i, n);
    if (p.stillOpen() && current === i) show();
  }
  prev.addEventListener("click", () => ((current = Math.max(0, current - 1)), show()));
  next.addEventListener("click", () => ((current = Math.min(samples.length - 1, current + 1)), show()));
  show();
  return body;
}
