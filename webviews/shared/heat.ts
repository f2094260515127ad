/**
 * The heatmap colours of decision boundaries (TF Playground's: orange for low, grey in the middle, blue for
 * high, in 31 shades), for the light and the dark theme, and the shade of a value. Pure data and arithmetic,
 * no DOM: the kernel's SVG fallback (kernel/runtime/display/boundary-svg.ts) paints with the same shades.
 */
export const SHADES = 31;

/** Low, middle and high colours per theme (the dark middle is near VS Code's dark editor background). */
const STOPS = {
  light: ["#f59322", "#e8eaeb", "#0877bd"],
  dark: ["#f59322", "#2d2d30", "#3d9be9"],
} as const;

export type HeatTheme = keyof typeof STOPS;

const rgb = (hex: string): [number, number, number] => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];
const hex2 = (v: number): string => Math.round(v).toString(16).padStart(2, "0");

/** Colour of shade k (0 … SHADES − 1): linear in RGB from low to middle to high. */
export function shadeColor(k: number, theme: HeatTheme = "light"): string {
  const [lo, mid, hi] = STOPS[theme].map(rgb);
  const f = k / (SHADES - 1);
  const [a, b, u] = f <= 0.5 ? [lo!, mid!, f * 2] : [mid!, hi!, f * 2 - 1];
  return `#${a.map((c, i) => hex2(c + (b[i]! - c) * u)).join("")}`;
}

/** The shade of v on [lo, hi] (clamped, as TF Playground clamps unbounded activations); −1 for a non-finite v. */
export function shadeOf(v: number, lo: number, hi: number): number {
  if (!Number.isFinite(v)) return -1;
  const f = (v - lo) / (hi - lo);
  return Math.max(0, Math.min(SHADES - 1, Math.round(f * (SHADES - 1))));
}

/** The range a neuron's value is shaded over: its activation's range, else [−1, 1] (clamped beyond). */
export function activationRange(activation: string): readonly [number, number] {
  return activation === "sigmoid" || activation === "softmax" ? [0, 1] : [-1, 1];
}

/** Colours of classes when there are more than two (a categorical palette; class k uses CLASS_COLORS[k mod 10]). */
export const CLASS_COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"] as const;
