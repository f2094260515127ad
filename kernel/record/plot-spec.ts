/**
 * Panels → one Vega-Lite spec (a column of layered line charts). Pure data in, data out, no imports
 * but types: the signals renderer draws it in a webview and `neuroforge plot` renders it headless to SVG,
 * so both show the same chart.
 */
import type { PlotPanel, SignalsPanelsPayload } from "./signal-types";

const SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json";

/** One panel as a Vega-Lite line chart (what panelsSpec stacks; the .nfrun editor layers a playback cursor on it). */
export function panelSpec(p: PlotPanel, width: number): Record<string, unknown> {
  const values = p.lines.flatMap((l) =>
    l.x.map((x, k) => ({ x, value: l.values[k], line: l.name, role: l.role })).filter((d) => typeof d.value === "number" && Number.isFinite(d.value) && Number.isFinite(d.x) && (!p.logY || d.value > 0)),
  );
  const names = p.lines.map((l) => l.name);
  return {
    title: p.title,
    width,
    height: 180,
    data: { values },
    mark: { type: "line", clip: true },
    encoding: {
      x: { field: "x", type: "quantitative", title: p.xLabel },
      y: { field: "value", type: "quantitative", title: p.unit || null, ...(p.logY ? { scale: { type: "log" } } : { scale: { zero: false } }) },
      color: { field: "line", type: "nominal", title: null, sort: names },
      strokeDash: { field: "role", type: "nominal", title: null, scale: { domain: ["component", "summary", "truth"], range: [[1, 0], [6, 2], [3, 3]] }, legend: null },
      strokeWidth: { condition: { test: "datum.role === 'summary'", value: 2.5 }, value: 1.5 },
      tooltip: [{ field: "line" }, { field: "x", title: p.xLabel }, { field: "value", format: ".4~g" }],
    },
  };
}

export function panelsSpec(payload: SignalsPanelsPayload, width = 480): Record<string, unknown> {
  return {
    $schema: SCHEMA,
    ...(payload.title ? { title: payload.title } : {}),
    vconcat: payload.panels.map((p) => panelSpec(p, width)),
    resolve: { scale: { color: "independent", strokeDash: "independent" } },
  };
}
