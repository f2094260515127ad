import type { NeuronSnapshot } from "../../record/reader-types";
import { escapeHtml, fmt } from "./escape";
import { MIME, type MimeBundle } from "./mime";

/** One neuron for one sample (the popup): forward pass Input × Weight = Product, Σ + bias = z, a; blame and its sources. */
export function neuronBundle(n: NeuronSnapshot): MimeBundle {
  const head = `layer ${n.layer}, neuron ${n.neuron}, sample ${n.sample} (epoch ${n.epoch}, before commit t=${n.t})`;
  const rows = n.forward.inputs.map((i) => [`w${i.input}`, fmt(i.value), fmt(i.weight), fmt(i.product)]);
  const summary = `Σ + bias ${fmt(n.forward.bias)} = z ${fmt(n.forward.z)}, ${n.forward.activation}(z) = ${fmt(n.forward.a)}, blame ${fmt(n.blame)}`;
  const td = (s: string) => `<td style="text-align:right">${escapeHtml(s)}</td>`;
  const html =
    `<div class="neuroforge-neuron"><div><b>${escapeHtml(head)}</b></div><table><thead><tr>` +
    ["", "Input", "× Weight", "= Product"].map((h) => `<th>${escapeHtml(h)}</th>`).join("") +
    `</tr></thead><tbody>${rows.map((r) => `<tr>${r.map(td).join("")}</tr>`).join("")}</tbody></table><div>${escapeHtml(summary)}</div></div>`;
  const text = [head, ...rows.map((r) => r.join("  ")), summary].join("\n");
  return { [MIME.neuron]: n, "text/html": html, "text/plain": text };
}
