/**
 * A chart panel of the .nfrun editor as Vega-Lite: the plot recipe's panel (kernel/record/plot-spec.ts,
 * the same lines the notebook and `neuroforge plot` draw) with a playback cursor layered on it — a
 * vertical rule whose x comes from the named dataset CURSOR_DATA, so moving it changes one data row,
 * not the chart.
 */
import { panelSpec } from "../../kernel/record/plot-spec";
import type { PlotPanel } from "../../kernel/record/signal-types";

export const CURSOR_DATA = "cursor";

/** Where the playback stands: the commit whose weights are shown (0: none yet) and its epoch. */
export interface Cursor {
  readonly t: number;
  readonly epoch: number;
}

/** The cursor's x in a panel: the shown commit t, or for a panel over epochs (test metrics) the epoch. */
export function cursorX(panel: PlotPanel, at: Cursor): number {
  return panel.xLabel.startsWith("epoch") ? at.epoch : at.t;
}

/**
 * The panel with its cursor. The x axis is fixed to the panel's extent from 0 (commit 0: before the
 * first commit), so moving the cursor never rescales the chart: its x is linear in the position.
 */
export function cursorSpec(panel: PlotPanel, width = 480): Record<string, unknown> {
  const { title, width: w, height, ...lines } = panelSpec(panel, width);
  let hi = 0;
  let lo = 0;
  for (const l of panel.lines) for (const x of l.x) (hi = x > hi ? x : hi), (lo = x < lo ? x : lo);
  const encoding = lines.encoding as { x: Record<string, unknown> };
  lines.encoding = { ...encoding, x: { ...encoding.x, scale: { domain: [lo, Math.max(hi, lo + 1)], nice: false, zero: false } } };
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title,
    width: w,
    height,
    layer: [
      lines,
      { data: { name: CURSOR_DATA }, mark: { type: "rule", strokeWidth: 2, strokeDash: [4, 2], color: "#d18616" }, encoding: { x: { field: "x", type: "quantitative" } } },
    ],
  };
}
