/**
 * Runs compared as a notebook output (application/vnd.neuroforge.comparison+json, from
 * kernel/runtime/display/comparison.ts): the same view as the .nfrun editor's comparison
 * (../../shared/compare/), its overlay drawn from the curves the payload embeds.
 */
import type { ComparisonPayload, RunOverlay } from "../../../kernel/record/compare/types";
import { append, h, style } from "../../shared/dom";
import { renderCompare, type CompareView, type DrawSpec } from "../../shared/compare/compare-view";
import { THEME_CSS } from "../../shared/theme";
import { COMPARE_CSS } from "../../shared/compare/style";

/** The payload, checked where the view relies on it (an output is untrusted data). */
export function isComparisonPayload(x: unknown): x is ComparisonPayload {
  const p = x as Partial<ComparisonPayload> | null;
  const c = p?.comparison;
  return (
    !!p && typeof p === "object" && p.kind === "run-comparison" && typeof p.title === "string" && !!c && Array.isArray(c.params) && Array.isArray(c.metrics) &&
    Array.isArray(c.runs) && c.runs.every((r) => typeof r?.runId === "string" && typeof r.name === "string" && Array.isArray(r.values) && r.values.length === c.params.length && typeof r.metrics === "object") &&
    !!p.overlay && Array.isArray(p.overlay.panels) && p.overlay.panels.every((q) => Array.isArray(q?.lines))
  );
}

/** The embedded curves of the given runs (lines are named by run). */
function embeddedOverlay(p: ComparisonPayload, runIds: readonly string[]): RunOverlay {
  if (p.embeddedCurves === 0) throw new Error(p.curvesNote ?? "this output embeds no curves");
  const names = new Set(p.comparison.runs.filter((r) => runIds.includes(r.runId)).map((r) => r.name));
  const missing = p.comparison.runs.filter((r) => runIds.includes(r.runId) && p.comparison.runs.indexOf(r) >= p.embeddedCurves);
  if (missing.length > 0) throw new Error(`this output embeds the curves of its first ${p.embeddedCurves} runs only, not of ${missing.map((r) => r.name).join(", ")}`);
  return { kind: "overlay", panels: p.overlay.panels.map((q) => ({ ...q, lines: q.lines.filter((l) => names.has(l.name)) })).filter((q) => q.lines.length > 0) };
}

export function renderComparison(payload: unknown, element: HTMLElement, draw: DrawSpec): CompareView | null {
  element.replaceChildren(style(THEME_CSS + COMPARE_CSS));
  element.classList.add("nf", "nf-comparison");
  if (!isComparisonPayload(payload)) {
    append(element, h("div", { class: "error", role: "alert" }, "This output is not a run comparison NeuroForge can read."));
    return null;
  }
  const view = renderCompare(payload.comparison, { draw, overlay: async (ids) => embeddedOverlay(payload, ids) });
  append(element, h("div", { class: "muted" }, payload.title), view.root);
  return view;
}
