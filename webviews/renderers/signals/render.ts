/**
 * The signals plot (payload: application/vnd.neuroforge.signals+json from kernel/runtime/display/plot.ts:
 * named series over a shared x axis). A Vega-Lite line chart compiled in the renderer and drawn by
 * vega-embed as SVG through webviews/shared/chart.ts (ast + Vega's expression interpreter: no eval under
 * the webview's CSP). If the chart cannot be drawn, a text table of the values is shown instead.
 * The panels form (kind "signals-panels", kernel/record/plot-recipe.ts) is drawn with the spec builder
 * `neuroforge plot` uses (kernel/record/plot-spec.ts: pure data → data, no Node), so both show the same chart.
 */
import { panelsSpec } from "../../../kernel/record/plot-spec";
import type { PlotLine, SignalsPanelsPayload } from "../../../kernel/record/signal-types";
import { append, h, style } from "../../shared/dom";
import { fmt } from "../../shared/format";
import { THEME_CSS } from "../../shared/theme";

export interface SignalsPayload {
  readonly title: string | null;
  readonly xLabel: string;
  readonly x: readonly number[];
  readonly series: Readonly<Record<string, readonly (number | null)[]>>;
  readonly logY: boolean;
}

export type ChartFn = (element: HTMLElement, spec: Record<string, unknown>) => Promise<void> | void;

const CSS = `
.nf-signals .head { font-weight: 600; margin-bottom: 4px; }
.nf-signals .fallback { max-height: 320px; overflow: auto; }
`;

export function isSignalsPayload(x: unknown): x is SignalsPayload {
  const p = x as Partial<SignalsPayload> | null;
  if (!p || typeof p !== "object" || !Array.isArray(p.x) || typeof p.series !== "object" || p.series === null || Array.isArray(p.series)) return false;
  return Object.values(p.series).every((v) => Array.isArray(v) && v.length === p.x!.length);
}

/** The panels form, checked field by field (an output is untrusted data). */
export function isPanelsPayload(x: unknown): x is SignalsPanelsPayload {
  const p = x as Partial<SignalsPanelsPayload> | null;
  if (!p || typeof p !== "object" || p.kind !== "signals-panels" || !Array.isArray(p.panels)) return false;
  return p.panels.every(
    (panel) =>
      panel && typeof panel.title === "string" && typeof panel.unit === "string" && typeof panel.xLabel === "string" && typeof panel.logY === "boolean" && Array.isArray(panel.lines) &&
      panel.lines.every((l: Partial<PlotLine> | null) => !!l && typeof l.name === "string" && ["component", "summary", "truth"].includes(String(l.role)) && Array.isArray(l.x) && Array.isArray(l.values) && l.x.length === l.values.length),
  );
}

/** Every panel's title (which carries its final values) as text: the fallback when the chart fails. */
function panelList(p: SignalsPanelsPayload): HTMLElement {
  return h("ul", { class: "fallback" }, ...p.panels.map((panel) => h("li", {}, `${panel.title}${panel.unit ? ` [${panel.unit}]` : ""}`)));
}

async function renderPanels(p: SignalsPanelsPayload, root: HTMLElement, chart: ChartFn): Promise<HTMLElement> {
  const chartEl = h("div", { class: "vega" });
  const label = `${p.title ?? "signals"}: ${p.panels.map((panel) => panel.title).join("; ")}`;
  append(root, h("div", { class: "chart", role: "figure", "aria-label": label }, chartEl));
  try {
    await chart(chartEl, panelsSpec(p));
  } catch (e) {
    chartEl.replaceChildren();
    append(chartEl, h("div", { class: "error" }, `chart failed (${e instanceof Error ? e.message : String(e)}); the panels:`), panelList(p));
  }
  return root;
}

const finite = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

/** The Vega-Lite spec: one line per series (colour by series), log y axis when asked. */
export function signalsSpec(p: SignalsPayload): Record<string, unknown> {
  const names = Object.keys(p.series);
  const xLabel = typeof p.xLabel === "string" && p.xLabel ? p.xLabel : "t";
  const values = p.x.flatMap((x, i) =>
    names
      .map((name) => ({ x, series: name, value: p.series[name]![i] }))
      .filter((d) => finite(d.x) && finite(d.value) && (!p.logY || d.value > 0)),
  );
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: typeof p.title === "string" && p.title ? p.title : names.join(", "),
    width: 480,
    height: 240,
    data: { values },
    mark: { type: "line" },
    encoding: {
      x: { field: "x", type: "quantitative", title: xLabel },
      y: { field: "value", type: "quantitative", title: null, ...(p.logY ? { scale: { type: "log" } } : {}) },
      color: { field: "series", type: "nominal", title: null, sort: names },
    },
  };
}

/** The values as a table (the fallback when the chart fails). */
function table(p: SignalsPayload): HTMLElement {
  const names = Object.keys(p.series);
  const body = h("tbody");
  p.x.forEach((x, i) => body.append(h("tr", {}, h("td", { class: "num" }, fmt(x)), ...names.map((n) => h("td", { class: "num", "data-value": String(p.series[n]![i]) }, fmt(p.series[n]![i]))))));
  return h("div", { class: "fallback" }, h("table", {}, h("thead", {}, h("tr", {}, h("th", {}, String(p.xLabel ?? "t")), ...names.map((n) => h("th", {}, n)))), body));
}

/**
 * Renders the plot into `element` (replacing its content). Resolves when the chart (or its fallback
 * table) is in place. `chart` draws a Vega-Lite spec (the entry point passes webviews/shared/chart.ts's
 * vega-embed helper: SVG, no eval; this module does not import Vega so it loads anywhere).
 */
export async function renderSignals(payload: unknown, element: HTMLElement, chart: ChartFn): Promise<HTMLElement> {
  element.replaceChildren();
  const root = h("div", { class: "nf nf-signals" });
  element.append(style(THEME_CSS + CSS), root);
  if (isPanelsPayload(payload)) return renderPanels(payload, root, chart);
  if (!isSignalsPayload(payload)) {
    append(root, h("div", { class: "error", role: "alert" }, "NeuroForge: this output is not a signals plot (application/vnd.neuroforge.signals+json)."));
    return root;
  }
  const p = payload;
  const names = Object.keys(p.series);
  const last = names.map((n) => `${n} ${fmt(p.series[n]![p.x.length - 1])}`).join(", ");
  const title = typeof p.title === "string" && p.title ? p.title : names.join(", ");
  // vega-embed labels its own container ("Vega visualization"); the summary goes on the figure around it.
  const chartEl = h("div", { class: "vega" });
  append(root, h("div", { class: "chart", role: "figure", "aria-label": `${title}: ${names.length} series over ${p.x.length} points of ${String(p.xLabel)}; last ${last}` }, chartEl));
  try {
    await chart(chartEl, signalsSpec(p));
  } catch (e) {
    chartEl.replaceChildren();
    append(chartEl, h("div", { class: "error" }, `chart failed (${e instanceof Error ? e.message : String(e)}); the values:`), h("div", { class: "head" }, title), table(p));
  }
  return root;
}
