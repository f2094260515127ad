/**
 * Decision boundaries for networks with two inputs, as TF Playground draws them: the output's decision
 * surface as a heatmap over the input plane with the data points on top (train filled, test ringed), and a
 * small heatmap inside every neuron of the drawing showing what that neuron computes over the same plane.
 * Both are recomputed from the weights of the commit shown (./forward.ts), so they follow the scrubber and
 * the editor's playback. Cells are SVG rects whose shade is a class (`h0` … `h30`, ../../shared/heat.ts),
 * so the light and dark themes each get their colours from the stylesheet.
 */
import type { PlanePoints } from "../../../kernel/runtime/display/plane";
import { append, h, s } from "../../shared/dom";
import { fmt } from "../../shared/format";
import { activationRange, CLASS_COLORS, SHADES, shadeColor, shadeOf } from "../../shared/heat";
import { cellCentre, GRID, MINI, planeBounds } from "../../shared/plane-grid";
import { forward, type ForwardLayer } from "./forward";

const CELL = 6;
const PAD = 34;
export const PLANE_SIZE = GRID * CELL;

/** Where a neuron is drawn: column 0 = inputs, c ≥ 1 = layer c − 1. */
export interface NeuronSpot {
  readonly column: number;
  readonly index: number;
  readonly cx: number;
  readonly cy: number;
  readonly r: number;
}

/** The stylesheet: shades per theme, class colours, points. Generated from ../../shared/heat.ts. */
export const BOUNDARY_CSS = (() => {
  const rules: string[] = [];
  for (let k = 0; k < SHADES; k++) {
    rules.push(`.nf .heat.h${k} { fill: ${shadeColor(k, "light")}; }`);
    rules.push(`body.vscode-dark .nf .heat.h${k}, body.vscode-high-contrast .nf .heat.h${k} { fill: ${shadeColor(k, "dark")}; }`);
  }
  CLASS_COLORS.forEach((c, k) => rules.push(`.nf .heat.k${k}, .nf .pt.k${k} { fill: ${c}; } .nf .legend-swatch.k${k} { background: ${c}; }`));
  rules.push(`.nf .pt.c0 { fill: ${shadeColor(0)}; } .nf .pt.c1 { fill: ${shadeColor(SHADES - 1)}; }`);
  rules.push(`.nf .legend-swatch.c0 { background: ${shadeColor(0)}; } .nf .legend-swatch.c1 { background: ${shadeColor(SHADES - 1)}; }`);
  return `${rules.join("\n")}
.nf .heat.nan { fill: var(--vscode-descriptionForeground, #888); fill-opacity: 0.3; }
.nf .pt { stroke: var(--vscode-editor-background, #fff); stroke-width: 1; }
.nf .pt.test { stroke: var(--vscode-editor-foreground, #000); stroke-width: 1.6; }
.nf .boundary { display: inline-block; vertical-align: top; margin-left: 12px; }
.nf .boundary svg text { fill: var(--vscode-editor-foreground, #333); font-size: 11px; font-family: var(--vscode-font-family, sans-serif); }
.nf .boundary .frame { fill: none; stroke: var(--vscode-panel-border, #8886); }
.nf .neuron.heated { fill-opacity: 0; }
.nf .mini { pointer-events: none; }
.nf .legend-swatch { display: inline-block; width: 10px; height: 10px; border-radius: 50%; margin: 0 3px 0 8px; vertical-align: middle; }
`;
})();

export interface BoundaryView {
  /** The decision surface panel (heatmap, points, axes, legend). */
  readonly panel: HTMLElement;
  /** Repaints the surface and every neuron's heatmap for these weights (engine order; null: unknown). */
  paint(weights: readonly (number | null)[], caption: string): void;
}

/**
 * The boundary view of a 2-input network; the neurons' heatmaps go into `minis` (an SVG group drawn under
 * the neurons' circles, which are marked `heated` so the heatmap shows through).
 */
export function boundaryView(layers: readonly ForwardLayer[], plane: PlanePoints | undefined, spots: readonly NeuronSpot[], minis: SVGGElement, clipId: string): BoundaryView {
  const b = planeBounds(plane);
  const output = layers[layers.length - 1]!;
  const W = PLANE_SIZE + 2 * PAD;
  const svg = s("svg", { width: W, height: W, viewBox: `0 0 ${W} ${W}`, class: "plane", role: "img" });
  const cells = s("g", { class: "surface", transform: `translate(${PAD} ${PAD})` });
  const rects: SVGRectElement[] = [];
  for (let j = 0; j < GRID; j++) {
    for (let i = 0; i < GRID; i++) {
      const [x1, x2] = cellCentre(b, GRID, i, j);
      const r = s("rect", { class: "heat", x: i * CELL, y: j * CELL, width: CELL, height: CELL, "data-x1": x1, "data-x2": x2 });
      rects.push(r);
      cells.append(r);
    }
  }
  svg.append(cells, s("rect", { class: "frame", x: PAD, y: PAD, width: PLANE_SIZE, height: PLANE_SIZE }));
  const names = plane?.names ?? ["x1", "x2"];
  const px = (v: number) => PAD + ((v - b.x1[0]) / (b.x1[1] - b.x1[0])) * PLANE_SIZE;
  const py = (v: number) => PAD + ((b.x2[1] - v) / (b.x2[1] - b.x2[0])) * PLANE_SIZE;
  svg.append(
    s("text", { x: PAD, y: W - PAD + 14, "text-anchor": "start" }, fmt(b.x1[0])),
    s("text", { x: W - PAD, y: W - PAD + 14, "text-anchor": "end" }, fmt(b.x1[1])),
    s("text", { x: W / 2, y: W - 6, "text-anchor": "middle", class: "axis" }, names[0]),
    s("text", { x: PAD - 4, y: W - PAD, "text-anchor": "end" }, fmt(b.x2[0])),
    s("text", { x: PAD - 4, y: PAD + 10, "text-anchor": "end" }, fmt(b.x2[1])),
    s("text", { x: 12, y: W / 2, "text-anchor": "middle", class: "axis", transform: `rotate(-90 12 ${W / 2})` }, names[1]),
  );
  const classes = plane?.classes ?? [];
  const valueRange = valueRangeOf(plane);
  const pointClass = (label: number) => (classes.length === 2 ? `c${label === 1 ? 1 : 0}` : classes.length > 2 ? `k${label % CLASS_COLORS.length}` : `heat h${shadeOf(label, valueRange[0], valueRange[1])}`);
  const points = s("g", { class: "points" });
  for (const [set, split] of [[plane?.train, "train"], [plane?.test, "test"]] as const) {
    if (!set) continue;
    set.x1.forEach((x1, n) => {
      const x2 = set.x2[n]!;
      const label = set.label[n]!;
      if (!Number.isFinite(x1) || !Number.isFinite(x2)) return;
      points.append(s("circle", { class: `pt ${split} ${pointClass(label)}`, cx: px(x1), cy: py(x2), r: split === "test" ? 3.5 : 3, "data-label": label }, s("title", {}, `${split} (${fmt(x1)}, ${fmt(x2)}): ${classes[label] ?? fmt(label)}`)));
    });
  }
  svg.append(points);
  const caption = h("div", { class: "muted caption" });
  const legend = h("div", { class: "muted legend-plane" });
  if (classes.length >= 2) {
    classes.forEach((name, k) => append(legend, h("span", { class: `legend-swatch pt ${classes.length === 2 ? `c${k}` : `k${k % CLASS_COLORS.length}`}`, "aria-hidden": "true" }), `${name} `));
  }
  append(legend, `· ● train${plane?.test ? " · ◯ test (ringed)" : ""}${plane?.omitted ? ` · ${plane.omitted} points not embedded` : ""}${plane ? "" : " · no data attached"}`);
  const panel = h("div", { class: "boundary" }, h("div", { class: "title" }, "Decision boundary"), svg, caption, legend);

  // Each neuron's heatmap: MINI × MINI cells filling the circle's square, clipped to the circle.
  const clip = s("clipPath", { id: clipId, clipPathUnits: "objectBoundingBox" }, s("circle", { cx: 0.5, cy: 0.5, r: 0.5 }));
  minis.append(s("defs", {}, clip));
  const miniRects = spots.map((spot) => {
    const g = s("g", { class: "mini", "clip-path": `url(#${clipId})`, "data-column": spot.column, "data-index": spot.index });
    const side = (2 * spot.r) / MINI;
    const list: SVGRectElement[] = [];
    for (let j = 0; j < MINI; j++) {
      for (let i = 0; i < MINI; i++) {
        const r = s("rect", { class: "heat", x: spot.cx - spot.r + i * side, y: spot.cy - spot.r + j * side, width: side, height: side });
        list.push(r);
        g.append(r);
      }
    }
    minis.append(g);
    return list;
  });

  const setShade = (el: SVGRectElement, cls: string, value: number) => {
    el.setAttribute("class", `heat ${cls}`);
    el.setAttribute("data-value", String(value));
  };
  function paint(weights: readonly (number | null)[], text: string): void {
    caption.textContent = text;
    svg.setAttribute("aria-label", `decision surface of the output over ${names[0]} and ${names[1]}, ${text}`);
    const [lo, hi] = output.units === 1 ? (output.activation === "linear" && classes.length === 0 ? valueRange : activationRange(output.activation)) : [0, 1];
    for (let j = 0; j < GRID; j++) {
      for (let i = 0; i < GRID; i++) {
        const a = forward(layers, weights, cellCentre(b, GRID, i, j));
        const out = a[a.length - 1]!;
        const rect = rects[j * GRID + i]!;
        if (out.length === 1) {
          const k = shadeOf(out[0]!, lo, hi);
          setShade(rect, k < 0 ? "nan" : `h${k}`, out[0]!);
        } else {
          // Several outputs: the winning class's colour, as strong as its probability.
          let best = 0;
          for (let c = 1; c < out.length; c++) if (out[c]! > out[best]!) best = c;
          setShade(rect, Number.isFinite(out[best]!) ? `k${best % CLASS_COLORS.length}` : "nan", best);
          rect.setAttribute("fill-opacity", Number.isFinite(out[best]!) ? (0.25 + 0.75 * out[best]!).toFixed(2) : "1");
        }
      }
    }
    for (let j = 0; j < MINI; j++) {
      for (let i = 0; i < MINI; i++) {
        const x = cellCentre(b, MINI, i, j);
        const a = forward(layers, weights, x);
        spots.forEach((spot, n) => {
          const rect = miniRects[n]![j * MINI + i]!;
          if (spot.column === 0) {
            const range = spot.index === 0 ? b.x1 : b.x2;
            setShade(rect, `h${shadeOf(x[spot.index]!, range[0], range[1])}`, x[spot.index]!);
            return;
          }
          const layer = layers[spot.column - 1]!;
          const v = a[spot.column - 1]![spot.index]!;
          const [l, u] = activationRange(layer.activation);
          const k = shadeOf(v, l, u);
          setShade(rect, k < 0 ? "nan" : `h${k}`, v);
        });
      }
    }
  }
  return { panel, paint };
}

/** The range regression targets are shaded over (their extent), else [−1, 1]. */
function valueRangeOf(plane: PlanePoints | undefined): [number, number] {
  if (!plane || plane.classes.length > 0) return [-1, 1];
  let lo = Infinity;
  let hi = -Infinity;
  for (const set of [plane.train, ...(plane.test ? [plane.test] : [])]) for (const v of set.label) if (Number.isFinite(v)) (lo = Math.min(lo, v)), (hi = Math.max(hi, v));
  return lo < hi ? [lo, hi] : [-1, 1];
}
