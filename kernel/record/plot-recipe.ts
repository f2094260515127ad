/**
 * Plot recipes: Signals → panels of lines (seed 003's plotting strategy). Vector-valued signals are
 * drawn as components, as one summary curve (RMS, norm, mean-abs — of the residual when truth is
 * known) or both (summary + the top-N components); truth becomes dashed lines; each panel's title ends
 * with its final value(s); the y axis goes logarithmic when the values are positive and span decades.
 */
import type { PanelRecipe, PlotLine, PlotPanel, Signal, SignalsPanelsPayload, SummaryKind } from "./signal-types";

/** Longer series are thinned to evenly spaced points (the last one kept) to keep outputs small. */
export const MAX_POINTS = 1000;

function thin(n: number): number[] {
  if (n <= MAX_POINTS) return Array.from({ length: n }, (_, i) => i);
  const step = (n - 1) / (MAX_POINTS - 1);
  return Array.from({ length: MAX_POINTS }, (_, i) => Math.round(i * step));
}

const finite = (v: number | null | undefined): v is number => typeof v === "number" && Number.isFinite(v);

/** The summary of one x position's components (residuals when truth is given). */
export function summarize(kind: SummaryKind, values: readonly number[]): number {
  let s = 0;
  for (const v of values) s += kind === "mean-abs" ? Math.abs(v) : v * v;
  if (kind === "norm") return Math.sqrt(s);
  if (kind === "rms") return Math.sqrt(s / values.length);
  return s / values.length;
}

/** Shortest text that shows a final value (4 significant digits). */
export function formatValue(v: number | null | undefined): string {
  if (!finite(v)) return String(v ?? "—");
  if (v === 0) return "0";
  const a = Math.abs(v);
  return a >= 1e-3 && a < 1e5 ? String(Number(v.toPrecision(4))) : v.toExponential(3);
}

function componentName(s: Signal, c: number): string {
  return s.components.length === 1 ? s.name : `${s.name}.${s.components[c]}`;
}

function linesOf(s: Signal, recipe: PanelRecipe, idx: readonly number[]): PlotLine[] {
  const mode = recipe.mode ?? "components";
  const kind = recipe.summary ?? "rms";
  const x = idx.map((k) => s.x[k]!);
  const truth = s.truth;
  const residual = (c: number, k: number): number => s.values[c]![k]! - (truth && finite(truth[c]) ? truth[c]! : 0);
  const hasTruth = !!truth && truth.some(finite);
  const lines: PlotLine[] = [];
  const component = (c: number): void => {
    lines.push({ name: componentName(s, c), role: "component", x, values: idx.map((k) => (finite(s.values[c]![k]) ? s.values[c]![k]! : null)) });
    if (truth && finite(truth[c])) lines.push({ name: `${componentName(s, c)} truth`, role: "truth", x: [x[0]!, x[x.length - 1]!], values: [truth[c]!, truth[c]!] });
  };
  if (mode === "components" || s.components.length === 1) {
    s.components.forEach((_, c) => component(c));
    return lines;
  }
  const label = hasTruth ? `${kind}(${s.name} − truth)` : `${kind}(${s.name})`;
  lines.push({ name: label, role: "summary", x, values: idx.map((k) => summarize(kind, s.components.map((_, c) => (hasTruth ? residual(c, k) : s.values[c]![k]!)))) });
  if (mode === "hybrid") {
    const last = s.x.length - 1;
    const top = Math.max(0, Math.min(recipe.top ?? 3, s.components.length));
    const order = s.components.map((_, c) => c).sort((a, b) => Math.abs(residual(b, last)) - Math.abs(residual(a, last)) || a - b);
    for (const c of order.slice(0, top)) component(c);
  }
  return lines;
}

function decideLog(recipe: PanelRecipe, lines: readonly PlotLine[]): boolean {
  if (recipe.logY === true || recipe.logY === false) return recipe.logY;
  let min = Infinity;
  let max = -Infinity;
  for (const l of lines) {
    for (const v of l.values) {
      if (v === null) continue;
      if (v <= 0) return false;
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  return max / min > 100;
}

function titleOf(recipe: PanelRecipe, signals: readonly Signal[], lines: readonly PlotLine[]): string {
  const base = recipe.title ?? signals.map((s) => s.name).join(", ");
  const shown = lines.filter((l) => l.role !== "truth");
  const finals = shown.slice(0, 3).map((l) => {
    const v = l.values[l.values.length - 1];
    return shown.length === 1 ? `final ${formatValue(v)}` : `${l.name} ${formatValue(v)}`;
  });
  return `${base} — ${finals.join(", ")}${shown.length > 3 ? ", …" : ""}`;
}

/** The panels of a recipe; an unknown signal name is a RangeError naming it and the known ones. */
export function planPanels(signals: readonly Signal[], recipes: readonly PanelRecipe[], title: string | null = null): SignalsPanelsPayload {
  const byName = new Map(signals.map((s) => [s.name, s]));
  const panels: PlotPanel[] = recipes.map((recipe, p) => {
    if (recipe.signals.length === 0) throw new RangeError(`panel ${p}: no signals`);
    const chosen = recipe.signals.map((name) => {
      const s = byName.get(name);
      if (!s) throw new RangeError(`panel ${p}: unknown signal '${name}' (known: ${[...byName.keys()].join(", ")})`);
      return s;
    });
    const lines = chosen.flatMap((s) => linesOf(s, recipe, thin(s.x.length)));
    const units = [...new Set(chosen.map((s) => s.unit).filter((u) => u))];
    return { title: titleOf(recipe, chosen, lines), unit: units.join(", "), xLabel: chosen[0]!.xLabel, logY: decideLog(recipe, lines), lines };
  });
  return { kind: "signals-panels", title, panels };
}
