/**
 * Vega-Lite charts under a strict CSP: vega-embed with `ast: true` and Vega's expression interpreter
 * (vega-interpreter), so no code is generated with eval/new Function.
 */
import embed from "vega-embed";
import type { View } from "vega";
import { expressionInterpreter } from "vega-interpreter";

export async function vegaChart(element: HTMLElement, spec: Record<string, unknown>): Promise<void> {
  await vegaView(element, spec);
}

/** Draws the spec and returns its Vega view (to change a named dataset later, e.g. a cursor). */
export async function vegaView(element: HTMLElement, spec: Record<string, unknown>): Promise<View> {
  const result = await embed(element, spec as never, {
    ast: true,
    expr: expressionInterpreter,
    renderer: "svg",
    actions: false,
    config: {
      background: null as never,
      axis: { labelColor: cssVar("--vscode-descriptionForeground", "#666"), titleColor: cssVar("--vscode-editor-foreground", "#222"), gridColor: cssVar("--vscode-panel-border", "#8884"), domainColor: cssVar("--vscode-panel-border", "#8884") },
      title: { color: cssVar("--vscode-editor-foreground", "#222") },
      legend: { labelColor: cssVar("--vscode-editor-foreground", "#222"), titleColor: cssVar("--vscode-editor-foreground", "#222") },
      range: { category: [cssVar("--vscode-charts-blue", "#1a85ff"), cssVar("--vscode-charts-orange", "#d18616"), cssVar("--vscode-charts-green", "#388a34"), cssVar("--vscode-charts-red", "#e51400"), cssVar("--vscode-charts-purple", "#652d90")] },
    },
  });
  return result.view;
}

function cssVar(name: string, fallback: string): string {
  const v = typeof getComputedStyle === "function" ? getComputedStyle(document.documentElement).getPropertyValue(name).trim() : "";
  return v || fallback;
}

/** The loss-per-commit spec of a run (log scale, as the kernel's lossPlot). */
export function lossSpec(t: readonly number[], loss: readonly (number | null)[], title = "loss per commit"): Record<string, unknown> {
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title,
    width: 480,
    height: 200,
    data: { values: t.map((x, i) => ({ t: x, loss: loss[i] })).filter((d) => d.loss !== null && d.loss > 0) },
    mark: { type: "line" },
    encoding: { x: { field: "t", type: "quantitative", title: "t (commit)" }, y: { field: "loss", type: "quantitative", scale: { type: "log" } } },
  };
}
