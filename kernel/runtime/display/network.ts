import type { Model } from "../../engine/model";
import { escapeHtml } from "./escape";
import { MIME, type MimeBundle } from "./mime";

/** The network: custom JSON (layers + weights), an SVG diagram and a text summary. */
export function networkBundle(model: Model): MimeBundle {
  const arch = [String(model.spec.inputs), ...model.spec.layers.map((l) => `${l.units} ${l.activation}`)].join(" → ");
  const text = `Model ${arch} (${model.weightCount} weights incl. biases)`;
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
    },
    "image/svg+xml": networkSvg(model, text),
    "text/plain": text,
  };
}

const MAX_DRAWN = 12;

/** Columns of circles (inputs, then each layer), edges coloured by sign and width by |weight|. */
export function networkSvg(model: Model, title: string): string {
  const columns = [model.spec.inputs, ...model.spec.layers.map((l) => l.units)];
  const tallest = Math.min(MAX_DRAWN, Math.max(...columns));
  const W = 120 * columns.length + 40;
  const H = 40 * tallest + 60;
  const x = (c: number) => 40 + c * 120;
  const y = (i: number, n: number) => 40 + (H - 60) / 2 - ((Math.min(n, MAX_DRAWN) - 1) * 40) / 2 + i * 40;
  const parts: string[] = [];
  let maxAbs = 0;
  for (let i = 0; i < model.params.length; i++) maxAbs = Math.max(maxAbs, Math.abs(model.params[i]!));
  model.layers.forEach((l, li) => {
    for (let j = 0; j < Math.min(l.units, MAX_DRAWN); j++) {
      for (let k = 0; k < Math.min(l.inputs, MAX_DRAWN); k++) {
        const w = model.params[l.offset + j * (l.inputs + 1) + k]!;
        const width = maxAbs > 0 ? 0.5 + 3 * (Math.abs(w) / maxAbs) : 1;
        parts.push(
          `<line x1="${x(li)}" y1="${y(k, l.inputs)}" x2="${x(li + 1)}" y2="${y(j, l.units)}" stroke="${w >= 0 ? "#d9534f" : "#428bca"}" stroke-width="${width.toFixed(2)}" opacity="0.7"><title>layer ${li} neuron ${j} weight ${k}: ${escapeHtml(w)}</title></line>`,
        );
      }
    }
  });
  columns.forEach((n, c) => {
    for (let i = 0; i < Math.min(n, MAX_DRAWN); i++) {
      parts.push(`<circle cx="${x(c)}" cy="${y(i, n)}" r="11" fill="#fff" stroke="#333"/>`);
    }
    const label = c === 0 ? `${n} in` : `${n} ${model.spec.layers[c - 1]!.activation}`;
    parts.push(`<text x="${x(c)}" y="${H - 8}" font-size="11" text-anchor="middle" font-family="sans-serif">${escapeHtml(label)}${n > MAX_DRAWN ? " (first 12)" : ""}</text>`);
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}"><title>${escapeHtml(title)}</title>${parts.join("")}</svg>`;
}
