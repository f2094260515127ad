/**
 * The blame sources of one neuron for one sample (seed 000 §8, "below the divider"): for a hidden
 * neuron, each downstream neuron's weight × its blame, their Σ, × f′(z) = this neuron's blame; for an
 * output neuron, that the blame originates in the loss. Used by the neuron popup and the audit table.
 */
import type { NeuronSnapshot } from "../../../kernel/record/reader-types";
import { append, h } from "../../shared/dom";
import { num, th } from "../../shared/cells";
import { fmt } from "../../shared/format";

/** A neuron snapshot as a view needs it (embedded payloads store the runId once, elsewhere). */
export type Snapshot = Omit<NeuronSnapshot, "runId">;

/** `output`: whether the neuron is in the output layer (null: the caller does not know). */
export function blameSourcesPanel(n: Snapshot, output: boolean | null): HTMLElement {
  const sec = h("section", { class: "blame-sources", "data-sample": n.sample });
  append(sec, h("h4", {}, `Blame sources · sample ${n.sample}`));
  if (!n.sources) {
    const blame = h("span", { class: "num blame", "data-value": String(n.blame), title: String(n.blame) }, fmt(n.blame));
    if (output === false) append(sec, h("div", { class: "muted not-recorded" }, "The downstream neurons of this sample were not recorded (recording policy): blame ", blame));
    else {
      const why = output ? "Output neuron: blame originates here" : "No downstream neurons: an output neuron's blame originates here";
      append(sec, h("div", { class: "origin" }, `${why}, as the loss's dLoss/dz for this sample: `, blame));
      append(sec, h("div", { class: "muted" }, `loss of this sample ${fmt(n.loss)}`, n.fPrime === null ? " (softmax output: the loss step applies its Jacobian)" : ""));
    }
    return sec;
  }
  const body = h("tbody");
  for (const s of n.sources) {
    body.append(h("tr", { class: "source", "data-neuron": s.neuron }, h("td", {}, `layer ${n.layer + 1}, neuron ${s.neuron}`), num(s.weight, { class: "num weight" }), num(s.downstreamBlame, { class: "num downstream" }), num(s.product, { class: "num product" })));
  }
  const foot = h(
    "tfoot",
    {},
    h("tr", {}, h("td", { colspan: "3" }, "Σ"), num(n.sourcesSum, { class: "num sources-sum" })),
    h("tr", {}, h("td", { colspan: "3" }, `× f′(z) (${n.forward.activation}′ at z = ${fmt(n.forward.z)})`), num(n.fPrime, { class: "num f-prime" })),
    h("tr", { class: "result" }, h("td", { colspan: "3" }, "= blame"), num(n.blame, { class: "num blame" })),
  );
  append(sec, h("table", {}, h("thead", {}, h("tr", {}, th("downstream"), th("Weight", "the downstream neuron's weight from this neuron, before the commit"), th("× Blame", "the downstream neuron's blame for this sample"), th("= Product"))), body, foot));
  return sec;
}
