/**
 * The decision boundary in the network's SVG fallback (a saved notebook read without our extension, on
 * GitHub, in Jupyter): the same picture as the renderer (webviews/renderers/network/boundary.ts), the same
 * grid, shades and points, in the light theme, computed here with the engine's Model.predict.
 */
import type { Model } from "../../engine/model";
import { activationRange, CLASS_COLORS, SHADES, shadeColor, shadeOf } from "../../../webviews/shared/heat";
import { cellCentre, GRID, MINI, planeBounds } from "../../../webviews/shared/plane-grid";
import { escapeHtml } from "./escape";
import type { PlanePoints } from "./plane";

const CELL = 6;
export const BOUNDARY_SVG_SIZE = GRID * CELL;
const NAN = "#8884";

/** A drawn neuron of the fallback (column 0 = inputs, c ≥ 1 = layer c − 1). */
export interface SvgSpot {
  readonly column: number;
  readonly index: number;
  readonly cx: number;
  readonly cy: number;
  readonly r: number;
}

/** The surface (at x, y) and every spot's heatmap, as SVG markup; `model` holds the weights shown. */
export function boundarySvg(model: Model, plane: PlanePoints | undefined, at: { x: number; y: number }, spots: readonly SvgSpot[]): string {
  const b = planeBounds(plane);
  const out = model.layers[model.layers.length - 1]!;
  const [lo, hi] = activationRange(out.activation.name);
  const parts: string[] = [`<g transform="translate(${at.x} ${at.y})"><title>decision surface of the output</title>`];
  for (let j = 0; j < GRID; j++) {
    for (let i = 0; i < GRID; i++) {
      const y = model.predict(cellCentre(b, GRID, i, j));
      let fill = NAN;
      let opacity = "";
      if (y.length === 1) {
        const k = shadeOf(y[0]!, lo, hi);
        if (k >= 0) fill = shadeColor(k);
      } else {
        let best = 0;
        for (let c = 1; c < y.length; c++) if (y[c]! > y[best]!) best = c;
        if (Number.isFinite(y[best]!)) (fill = CLASS_COLORS[best % CLASS_COLORS.length]!), (opacity = ` fill-opacity="${(0.25 + 0.75 * y[best]!).toFixed(2)}"`);
      }
      parts.push(`<rect x="${i * CELL}" y="${j * CELL}" width="${CELL}" height="${CELL}" fill="${fill}"${opacity}/>`);
    }
  }
  parts.push(`<rect width="${BOUNDARY_SVG_SIZE}" height="${BOUNDARY_SVG_SIZE}" fill="none" stroke="#8886"/>`);
  const px = (v: number) => ((v - b.x1[0]) / (b.x1[1] - b.x1[0])) * BOUNDARY_SVG_SIZE;
  const py = (v: number) => ((b.x2[1] - v) / (b.x2[1] - b.x2[0])) * BOUNDARY_SVG_SIZE;
  const classes = plane?.classes ?? [];
  const color = (label: number) => (classes.length === 2 ? shadeColor(label === 1 ? SHADES - 1 : 0) : CLASS_COLORS[Math.abs(Math.trunc(label)) % CLASS_COLORS.length]!);
  for (const [set, test] of [[plane?.train, false], [plane?.test, true]] as const) {
    set?.x1.forEach((x1, n) => {
      const x2 = set.x2[n]!;
      if (Number.isFinite(x1) && Number.isFinite(x2)) {
        parts.push(`<circle cx="${px(x1).toFixed(1)}" cy="${py(x2).toFixed(1)}" r="${test ? 3.5 : 3}" fill="${color(set.label[n]!)}" stroke="${test ? "#000" : "#fff"}" stroke-width="${test ? 1.6 : 1}"/>`);
      }
    });
  }
  const names = plane?.names ?? ["x1", "x2"];
  parts.push(`<text x="${BOUNDARY_SVG_SIZE / 2}" y="${BOUNDARY_SVG_SIZE + 14}" font-size="11" text-anchor="middle" font-family="sans-serif">${escapeHtml(names[0])}</text>`);
  parts.push(`<text x="-6" y="${BOUNDARY_SVG_SIZE / 2}" font-size="11" text-anchor="middle" font-family="sans-serif" transform="rotate(-90 -6 ${BOUNDARY_SVG_SIZE / 2})">${escapeHtml(names[1])}</text></g>`);
  // Each neuron's heatmap, clipped to its circle.
  parts.push(`<defs><clipPath id="nf-fallback-clip" clipPathUnits="objectBoundingBox"><circle cx="0.5" cy="0.5" r="0.5"/></clipPath></defs>`);
  const cells = spots.map(() => [] as string[]);
  for (let j = 0; j < MINI; j++) {
    for (let i = 0; i < MINI; i++) {
      const x = cellCentre(b, MINI, i, j);
      model.predict(x);
      spots.forEach((spot, n) => {
        let k: number;
        if (spot.column === 0) {
          const range = spot.index === 0 ? b.x1 : b.x2;
          k = shadeOf(x[spot.index]!, range[0], range[1]);
        } else {
          const layer = model.layers[spot.column - 1]!;
          const [l, u] = activationRange(layer.activation.name);
          k = shadeOf(model.a[spot.column - 1]![spot.index]!, l, u);
        }
        const side = (2 * spot.r) / MINI;
        cells[n]!.push(`<rect x="${(spot.cx - spot.r + i * side).toFixed(2)}" y="${(spot.cy - spot.r + j * side).toFixed(2)}" width="${side.toFixed(2)}" height="${side.toFixed(2)}" fill="${k < 0 ? NAN : shadeColor(k)}"/>`);
      });
    }
  }
  cells.forEach((c) => parts.push(`<g clip-path="url(#nf-fallback-clip)">${c.join("")}</g>`));
  return parts.join("");
}
