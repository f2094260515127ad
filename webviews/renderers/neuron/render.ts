/**
 * One neuron for one sample (payload: the reader's NeuronSnapshot, MIME application/vnd.neuroforge.neuron+json;
 * also the network view's neuron popup). Left to right: forward pass (Input × Weight = Product, Σ + bias
 * = z, activation(z) = a) │ backprop per weight (Input × Blame = Leverage, Cum. = the bank so far);
 * below: the blame sources. Weights are those before the commit of the sample's batch. Text only.
 */
import type { NeuronSnapshot } from "../../../kernel/record/reader-types";
import { num, th } from "../../shared/cells";
import { append, h, style } from "../../shared/dom";
import { fmt } from "../../shared/format";
import { THEME_CSS } from "../../shared/theme";
import { blameSourcesPanel, type Snapshot } from "./blame-sources";

export const NEURON_CSS = `
.nf-neuron .head { font-weight: 600; margin-bottom: 4px; }
.nf-neuron .panels { display: flex; gap: 12px; align-items: flex-start; overflow-x: auto; }
.nf-neuron section, .nf-audit section.blame-sources { border-top: 3px solid var(--vscode-panel-border, #8884); padding-top: 2px; }
.nf-neuron section > h4, .nf-audit section.blame-sources > h4 { margin: 0 0 2px 0; font-size: 0.9em; }
.nf-neuron tfoot td, .nf-audit .blame-sources tfoot td { border-top: 1px solid var(--vscode-panel-border, #8884); }
.nf-neuron tr.result td, .nf-audit .blame-sources tr.result td { font-weight: 600; }
`;

export function isNeuronSnapshot(x: unknown): x is NeuronSnapshot {
  const n = x as Partial<NeuronSnapshot> | null;
  return !!n && n.kind === "neuron-snapshot" && typeof n.forward === "object" && n.forward !== null && Array.isArray(n.forward.inputs) && Array.isArray(n.backprop);
}

/** Name of input k of a neuron in `layer`. */
const fromName = (layer: number, k: number) => (layer === 0 ? `input ${k}` : `layer ${layer - 1}, neuron ${k}`);

/** The neuron's forward pass, backprop rows and blame sources (no stylesheet: callers add NEURON_CSS). */
export function neuronView(n: Snapshot, output: boolean | null): HTMLElement {
  const f = n.forward;
  const fwd = h("tbody");
  for (const i of f.inputs) fwd.append(h("tr", { class: "input-row", "data-weight": i.weight }, h("td", {}, fromName(n.layer, i.weight)), num(i.input, { class: "num input" }), num(i.value, { class: "num weight" }), num(i.product, { class: "num product" })));
  fwd.append(h("tr", { class: "bias-row" }, h("td", {}, "bias"), num(1), num(f.bias, { class: "num bias" }), num(f.bias)));
  const forward = h(
    "section",
    { class: "forward" },
    h("h4", {}, "Forward pass"),
    h(
      "table",
      {},
      h("thead", {}, h("tr", {}, th("from"), th("Input"), th("× Weight", "before the commit of this sample's batch"), th("= Product"))),
      fwd,
      h(
        "tfoot",
        {},
        h("tr", {}, h("td", { colspan: "3" }, "Σ products + bias = z"), num(f.z, { class: "num z" })),
        h("tr", { class: "result" }, h("td", { colspan: "3" }, `${f.activation}(z) = a`), num(f.a, { class: "num a" })),
      ),
    ),
  );
  const bp = h("tbody");
  for (const r of n.backprop) bp.append(h("tr", { class: "backprop-row", "data-weight": r.weight }, h("td", {}, r.weight === f.inputs.length ? "bias" : `weight ${r.weight}`), num(r.input), num(r.blame), num(r.leverage, { class: "num leverage" }), num(r.cumulative, { class: "num cum" })));
  const backprop = h(
    "section",
    { class: "backprop" },
    h("h4", {}, `Backprop · blame ${fmt(n.blame)}`),
    h("table", {}, h("thead", {}, h("tr", {}, th(""), th("Input"), th("× Blame"), th("= Leverage"), th("Cum.", "the blame bank of the batch after this sample"))), bp),
  );
  return h("div", { class: "neuron-view" }, h("div", { class: "panels" }, forward, backprop), blameSourcesPanel(n, output));
}

/** Heading of a neuron snapshot: where it is and which weights it uses. */
export function neuronHeading(n: Snapshot): string {
  return `layer ${n.layer}, neuron ${n.neuron} (${n.forward.activation}) · sample ${n.sample} (epoch ${n.epoch}, batch ${n.batch}, slot ${n.slot}) · weights before commit t=${n.t}`;
}

/** Renders the neuron snapshot into `element` (replacing its content). Returns the root element. */
export function renderNeuron(payload: unknown, element: HTMLElement): HTMLElement {
  element.replaceChildren();
  const root = h("div", { class: "nf nf-neuron" });
  element.append(style(THEME_CSS + NEURON_CSS), root);
  if (!isNeuronSnapshot(payload)) {
    append(root, h("div", { class: "error", role: "alert" }, "NeuroForge: this output is not a neuron snapshot (application/vnd.neuroforge.neuron+json)."));
    return root;
  }
  append(root, h("div", { class: "head" }, neuronHeading(payload)), neuronView(payload, null));
  return root;
}
