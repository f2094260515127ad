/**
 * Wide networks (a column of more than MAX_DRAWN neurons, e.g. 784-64-10): every layer's weight matrix as
 * a heatmap (a row per neuron, a column per input, the bias last), where hovering any weight opens its
 * trace and a click pins it and expands its neuron; the expanded neuron shows its incoming weights as an
 * image (784 → 28 × 28) whose pixels open their weight's trace too. A picker expands any neuron, drawn or
 * not. Repainted from the weights of the commit shown.
 */
import { append, h } from "../../shared/dom";
import { fmt } from "../../shared/format";
import type { HeatTheme } from "../../shared/heat";
import { incomingImage, matrixPixels, squareSide } from "./weight-image";

export interface WideLayer {
  readonly inputs: number;
  readonly units: number;
  readonly activation: string;
}

export interface WideCallbacks {
  /** A weight pointed at (hover), or chosen (click / Enter: pinned). */
  weight(layer: number, neuron: number, weight: number, pin: boolean): void;
}

export interface WideView {
  readonly panel: HTMLElement;
  paint(weights: readonly (number | null)[]): void;
  /** Shows neuron `neuron` of layer `layer` expanded (its incoming weights as an image). */
  expand(layer: number, neuron: number): void;
}

export const WIDE_CSS = `
.nf-network .wide { margin-top: 6px; }
.nf-network .wide canvas { image-rendering: pixelated; cursor: crosshair; border: 1px solid var(--vscode-panel-border, #8886); display: block; }
.nf-network .wide .matrix { margin: 4px 0 8px 0; }
.nf-network .wide .expanded svg.incoming { border: 1px solid var(--vscode-panel-border, #8886); cursor: crosshair; }
.nf-network .wide .picker { display: flex; gap: 6px; align-items: center; margin: 4px 0; }
.nf-network .wide .picker input { width: 5em; }
`;

const theme = (): HeatTheme => (document.body.classList.contains("vscode-dark") || document.body.classList.contains("vscode-high-contrast") ? "dark" : "light");

/** The wide view of these layers; `offsets[l]` is layer l's first weight in the engine's flat order. */
export function wideView(layers: readonly WideLayer[], on: WideCallbacks): WideView {
  const offsets: number[] = [];
  let off = 0;
  for (const l of layers) {
    offsets.push(off);
    off += l.units * (l.inputs + 1);
  }
  let current: readonly (number | null)[] = [];
  const matrices = layers.map((l, li) => {
    const cols = l.inputs + 1;
    const canvas = h("canvas", { width: cols, height: l.units, class: "matrix-canvas", "data-layer": li, tabindex: 0, role: "img", "aria-label": `layer ${li} weights: ${l.units} neurons × ${l.inputs} inputs + bias; hover a weight for its trace, click to expand its neuron` });
    // One canvas pixel per weight, shown enlarged (CSSOM sizes: the CSP allows no style attributes).
    const cw = Math.max(1, Math.min(12, Math.floor(800 / cols)));
    const ch = Math.max(3, Math.min(12, Math.floor(256 / l.units)));
    canvas.style.width = `${cols * cw}px`;
    canvas.style.height = `${l.units * ch}px`;
    const at = (e: MouseEvent): [number, number] | null => {
      const box = canvas.getBoundingClientRect();
      // A DOM without layout (JSDOM) has 0 × 0 boxes: there the event's offset is in canvas pixels × cell size.
      const fx = box.width > 0 ? (e.clientX - box.left) / box.width : (e.clientX - box.left) / (cols * cw);
      const fy = box.height > 0 ? (e.clientY - box.top) / box.height : (e.clientY - box.top) / (l.units * ch);
      const col = Math.floor(fx * cols);
      const row = Math.floor(fy * l.units);
      return col >= 0 && col < cols && row >= 0 && row < l.units ? [row, col] : null;
    };
    canvas.addEventListener("mousemove", (e) => {
      const rc = at(e);
      if (rc) on.weight(li, rc[0], rc[1], false);
    });
    canvas.addEventListener("click", (e) => {
      const rc = at(e);
      if (!rc) return;
      on.weight(li, rc[0], rc[1], true);
      expand(li, rc[0]);
    });
    return { canvas, cols, rows: l.units, section: h("div", { class: "matrix" }, h("div", { class: "muted" }, `Layer ${li} (${l.activation}): ${l.units} × ${cols} weights (a row per neuron, the bias last)`), canvas) };
  });

  const expanded = h("div", { class: "expanded", "aria-live": "polite" });
  const layerPick = h("select", { "aria-label": "layer to expand" });
  layers.forEach((l, li) => layerPick.append(h("option", { value: li }, `layer ${li} (${l.units} ${l.activation})`)));
  const neuronPick = h("input", { type: "number", min: 0, step: 1, value: 0, "aria-label": "neuron to expand" });
  const show = h("button", { type: "button" }, "expand");
  show.addEventListener("click", () => {
    const li = Number(layerPick.value) | 0;
    const j = Math.max(0, Math.min(layers[li]!.units - 1, Number(neuronPick.value) | 0));
    expand(li, j);
  });
  const panel = h(
    "div",
    { class: "wide" },
    h("div", { class: "title" }, "Weight matrices"),
    h("div", { class: "muted" }, "orange negative · grey 0 · blue positive, on ± the layer's largest |weight|"),
    ...matrices.map((m) => m.section),
    h("div", { class: "picker" }, "expand a neuron:", layerPick, neuronPick, show),
    expanded,
  );

  let shown: [number, number] | null = null;
  function expand(li: number, j: number): void {
    shown = [li, j];
    const l = layers[li]!;
    const base = offsets[li]! + j * (l.inputs + 1);
    const incoming = current.slice(base, base + l.inputs);
    const bias = current[base + l.inputs];
    const side = squareSide(l.inputs) ?? Math.min(l.inputs, 32);
    const image = incomingImage(incoming, side, `layer ${li}, neuron ${j}: its ${l.inputs} incoming weights as a ${side}-wide image`);
    const pixel = (e: Event) => {
      const w = (e.target as Element).getAttribute?.("data-weight");
      return w === null || w === undefined ? null : Number(w);
    };
    image.addEventListener("mousemove", (e) => {
      const w = pixel(e);
      if (w !== null) on.weight(li, j, w, false);
    });
    image.addEventListener("click", (e) => {
      const w = pixel(e);
      if (w !== null) on.weight(li, j, w, true);
    });
    expanded.replaceChildren();
    append(expanded, h("div", { class: "title" }, `Layer ${li}, neuron ${j} (${l.activation}): incoming weights`), image, h("div", { class: "muted bias" }, `bias ${bias === null || bias === undefined ? "unknown" : fmt(bias)}`));
    layerPick.value = String(li);
    neuronPick.value = String(j);
  }

  function paint(weights: readonly (number | null)[]): void {
    current = weights;
    const t = theme();
    matrices.forEach((m, li) => {
      const ctx = m.canvas.getContext?.("2d");
      if (!ctx) return;
      const start = offsets[li]!;
      const px = matrixPixels(weights.slice(start, start + m.rows * m.cols), m.rows, m.cols, t);
      const image = ctx.createImageData(m.cols, m.rows);
      image.data.set(px);
      ctx.putImageData(image, 0, 0);
    });
    if (shown) expand(shown[0], shown[1]);
  }
  return { panel, paint, expand };
}
