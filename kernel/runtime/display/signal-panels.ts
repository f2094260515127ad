/**
 * Signals drawn through a plot recipe (kernel/record/plot-recipe.ts), for notebook cells:
 * `plotSignals(runSignals(reader, id), [{ signals: ["loss"] }, { signals: ["weights"], mode: "hybrid" }])`.
 * The bundle: our panels payload (the signals renderer), the same chart as Vega-Lite, an HTML table of
 * every panel's final values, and text.
 */
import { planPanels } from "../../record/plot-recipe";
import { panelsSpec } from "../../record/plot-spec";
import type { PanelRecipe, Signal, SignalsPanelsPayload } from "../../record/signal-types";
import { escapeHtml } from "./escape";
import { MIME, toMimeBundle, type Displayable, type MimeBundle } from "./mime";

export class SignalPanels implements Displayable {
  constructor(readonly payload: SignalsPanelsPayload) {}

  [toMimeBundle](): MimeBundle {
    const p = this.payload;
    const rows = p.panels.map((panel) => `<tr><td>${escapeHtml(panel.title)}</td><td>${escapeHtml(panel.unit)}</td><td>${panel.lines.filter((l) => l.role !== "truth").length}</td></tr>`).join("");
    return {
      [MIME.signals]: p,
      [MIME.vegaLite]: panelsSpec(p),
      "text/html": `<table><caption>${escapeHtml(p.title ?? "signals")}</caption><thead><tr><th>panel (final values)</th><th>unit</th><th>lines</th></tr></thead><tbody>${rows}</tbody></table>`,
      "text/plain": [p.title ?? "signals", ...p.panels.map((panel) => `  ${panel.title}`)].join("\n"),
    };
  }
}

/** Panels of `signals` as the recipes say (default: one panel per signal, components). */
export function plotSignals(signals: readonly Signal[], recipes?: readonly PanelRecipe[], title: string | null = null): SignalPanels {
  return new SignalPanels(planPanels(signals, recipes ?? signals.map((s) => ({ signals: [s.name] })), title));
}
