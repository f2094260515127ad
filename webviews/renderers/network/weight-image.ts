/**
 * Pictures of many weights at once, for networks too wide to draw line by line (784-64-10): a neuron's
 * incoming weights as a square image (784 → 28 × 28, pixel p = weight from input p, row-major, as MNIST
 * lays out its pixels) and a whole layer's weight matrix (a row per neuron, a column per input, the bias
 * last). Shades as the decision boundary's (../../shared/heat.ts) on [−m, m], m = the largest |weight|
 * shown: orange negative, grey 0, blue positive. The image is SVG (one rect per weight, its shade a
 * class, so themes restyle it); the matrix (50,240 weights for 784 → 64) is a canvas filled from
 * `matrixPixels`, repainted for the theme of the moment.
 */
import { s } from "../../shared/dom";
import { SHADES, shadeColor, shadeOf, type HeatTheme } from "../../shared/heat";

/** The largest finite |v| (1 when there is none, so an all-zero picture is the middle grey). */
export function magnitude(values: readonly (number | null)[]): number {
  let m = 0;
  for (const v of values) if (v !== null && Number.isFinite(v)) m = Math.max(m, Math.abs(v));
  return m > 0 ? m : 1;
}

/** Side of the square image of n weights, or null when n is not a square (they are then shown in a strip). */
export function squareSide(n: number): number | null {
  const side = Math.round(Math.sqrt(n));
  return side > 1 && side * side === n ? side : null;
}

/** Pixel size of the incoming-weights image and the matrix's cells. */
const PIXEL = 8;

/**
 * The image of `weights` (a neuron's incoming weights, bias excluded): `side` columns (a square when the
 * count is, else one strip per row of `side`). Each rect carries `data-weight` (the input index).
 */
export function incomingImage(weights: readonly (number | null)[], side: number, label: string): SVGSVGElement {
  const rows = Math.ceil(weights.length / side);
  const m = magnitude(weights);
  const svg = s("svg", { class: "incoming", width: side * PIXEL, height: rows * PIXEL, viewBox: `0 0 ${side * PIXEL} ${rows * PIXEL}`, role: "img", "aria-label": label });
  weights.forEach((v, p) => {
    const k = v === null ? -1 : shadeOf(v, -m, m);
    svg.append(s("rect", { class: `heat ${k < 0 ? "nan" : `h${k}`}`, x: (p % side) * PIXEL, y: Math.floor(p / side) * PIXEL, width: PIXEL, height: PIXEL, "data-weight": p, "data-value": v === null ? "" : String(v) }));
  });
  return svg;
}

/** RGBA pixels of a rows × cols weight matrix (row-major values), one pixel per weight, shaded on [−m, m]. */
export function matrixPixels(values: readonly (number | null)[], rows: number, cols: number, theme: HeatTheme): Uint8ClampedArray {
  const m = magnitude(values);
  const palette = Array.from({ length: SHADES }, (_, k) => shadeColor(k, theme)).map((hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)));
  const px = new Uint8ClampedArray(rows * cols * 4);
  for (let i = 0; i < rows * cols; i++) {
    const v = values[i];
    const k = v === null || v === undefined ? -1 : shadeOf(v, -m, m);
    const [r, g, b] = k < 0 ? [136, 136, 136] : palette[k]!;
    px.set([r!, g!, b!, k < 0 ? 80 : 255], i * 4);
  }
  return px;
}
