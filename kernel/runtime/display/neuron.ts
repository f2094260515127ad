import type { NeuronSnapshot } from "../../record/reader-types";
import { escapeHtml, fmt } from "./escape";
import { MIME, type MimeBundle } from "./mime";

/** A fallback table: its title, header and rows of cells (the custom renderer's tables, row for row). */
interface Table {
  readonly title: string;
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

/** The neuron renderer's tables (webviews/renderers/neuron/render.ts), with the same labels and numbers. */
function neuronTables(n: NeuronSnapshot): Table[] {
  const f = n.forward;
  const from = (k: number) => (n.layer === 0 ? `input ${k}` : `layer ${n.layer - 1}, neuron ${k}`);
  const tables: Table[] = [
    {
      title: "Forward pass",
      header: ["from", "Input", "× Weight", "= Product"],
      rows: [
        ...f.inputs.map((i) => [from(i.weight), fmt(i.input), fmt(i.value), fmt(i.product)]),
        ["bias", "1", fmt(f.bias), fmt(f.bias)],
        ["Σ products + bias = z", fmt(f.z)],
        [`${f.activation}(z) = a`, fmt(f.a)],
      ],
    },
    {
      title: `Backprop · blame ${fmt(n.blame)}`,
      header: ["", "Input", "× Blame", "= Leverage", "Cum."],
      rows: n.backprop.map((r) => [r.weight === f.inputs.length ? "bias" : `weight ${r.weight}`, fmt(r.input), fmt(r.blame), fmt(r.leverage), fmt(r.cumulative)]),
    },
  ];
  if (n.sources) {
    tables.push({
      title: `Blame sources · sample ${n.sample}`,
      header: ["downstream", "Weight", "× Blame", "= Product"],
      rows: [
        ...n.sources.map((s) => [`layer ${n.layer + 1}, neuron ${s.neuron}`, fmt(s.weight), fmt(s.downstreamBlame), fmt(s.product)]),
        ["Σ", n.sourcesSum === null ? "–" : fmt(n.sourcesSum)],
        [`× f′(z) (${f.activation}′ at z = ${fmt(f.z)})`, n.fPrime === null ? "–" : fmt(n.fPrime)],
        ["= blame", fmt(n.blame)],
      ],
    });
  }
  return tables;
}

/** One neuron for one sample (the popup): forward pass, backprop per weight, blame sources. */
export function neuronBundle(n: NeuronSnapshot): MimeBundle {
  const head = `layer ${n.layer}, neuron ${n.neuron}, sample ${n.sample} (epoch ${n.epoch}, before commit t=${n.t})`;
  const tables = neuronTables(n);
  const origin = n.sources ? [] : [`blame originates here (no downstream neurons): blame ${fmt(n.blame)}, loss of this sample ${fmt(n.loss)}`];
  const td = (s: string) => `<td style="text-align:right">${escapeHtml(s)}</td>`;
  const html =
    `<div class="neuroforge-neuron"><div><b>${escapeHtml(head)}</b></div>` +
    tables
      .map(
        (t) =>
          `<div>${escapeHtml(t.title)}</div><table><thead><tr>${t.header.map((h) => `<th>${escapeHtml(h)}</th>`).join("")}</tr></thead>` +
          `<tbody>${t.rows.map((r) => `<tr>${r.map(td).join("")}</tr>`).join("")}</tbody></table>`,
      )
      .join("") +
    origin.map((o) => `<div>${escapeHtml(o)}</div>`).join("") +
    `</div>`;
  const text = [head, ...tables.flatMap((t) => [`${t.title}: ${t.header.filter((h) => h !== "").join(" | ")}`, ...t.rows.map((r) => `  ${r.join("  ")}`)]), ...origin].join("\n");
  return { [MIME.neuron]: n, "text/html": html, "text/plain": text };
}
