/**
 * Runs compared (issue #15), in the .nfrun editor and as a notebook output: the run list (./run-list.ts),
 * the selected runs' curves overlaid (loss, learning-rate scale, test metrics: one line per run, legend
 * by run name, drawn with the plot recipes' panel spec), parallel coordinates of the parameters → a final
 * metric, and for a balanced design the main effects (plot and table). Charts are Vega-Lite specs drawn
 * by `draw` (vega-embed under the CSP in a webview).
 */
import { effectsSpec, rankedEffects } from "../../../kernel/record/compare/effects-spec";
import { parallelSpec } from "../../../kernel/record/compare/parallel-spec";
import { METRIC_LABELS, type MetricKey, type RunComparison, type RunOverlay } from "../../../kernel/record/compare/types";
import { valueText } from "../../../kernel/record/compare/names";
import { panelSpec } from "../../../kernel/record/plot-spec";
import { append, h } from "../dom";
import { fmt } from "../format";
import { renderRunList } from "./run-list";

export type DrawSpec = (element: HTMLElement, spec: Record<string, unknown>) => Promise<void>;

export interface CompareDeps {
  readonly draw: DrawSpec;
  /** The curves of the given runs (asked of the host in the editor; from the payload in a notebook). */
  readonly overlay: (runIds: readonly string[]) => Promise<RunOverlay>;
  readonly onOpen?: (runId: string) => void;
}

/** At most this many runs overlaid at once (more lines than colours are unreadable). */
export const MAX_OVERLAY = 10;

/** Draws a spec into a figure; a failure shows the message in its place. */
async function figure(el: HTMLElement, draw: DrawSpec, spec: Record<string, unknown>): Promise<void> {
  const vega = h("div", { class: "vega" });
  el.replaceChildren(vega);
  try {
    await draw(vega, spec);
  } catch (e) {
    append(el, h("div", { class: "error" }, `chart failed: ${e instanceof Error ? e.message : String(e)}`));
  }
}

function effectsTable(c: RunComparison, metric: MetricKey): HTMLElement {
  const effects = rankedEffects(c.effects?.[metric] ?? []);
  const rows = effects.flatMap((f) =>
    f.levels.map((l, i) =>
      h(
        "tr",
        { "data-factor": f.factor, "data-level": valueText(l.value), class: f.best?.level === l.level ? "best" : undefined },
        i === 0 ? h("th", { scope: "row", rowspan: f.levels.length }, `${f.factor} (range ${fmt(f.range)})`) : null,
        h("td", {}, valueText(l.value)),
        h("td", { class: "num" }, String(l.count)),
        h("td", { class: "num mean", "data-value": String(l.mean) }, fmt(l.mean)),
        h("td", { class: "num sn", "data-value": String(l.sn) }, fmt(l.sn)),
        h("td", {}, f.best?.level === l.level ? "best S/N" : ""),
      ),
    ),
  );
  return h(
    "table",
    { class: "effects-table", "aria-label": `main effects on ${METRIC_LABELS[metric]}` },
    h("thead", {}, h("tr", {}, ...["factor", "level", "runs", `mean ${METRIC_LABELS[metric]}`, "S/N (dB)", ""].map((t) => h("th", { scope: "col" }, t)))),
    h("tbody", {}, ...rows),
  );
}

export interface CompareView {
  readonly root: HTMLElement;
  /** Resolves when the charts of the current selection and metric are drawn. */
  settled(): Promise<void>;
}

export function renderCompare(c: RunComparison, deps: CompareDeps): CompareView {
  let metric: MetricKey = c.metrics[0] ?? "loss";
  let selected: string[] = [];
  const overlayEl = h("div", { class: "overlay-charts" });
  const overlayNote = h("p", { class: "muted overlay-note", "aria-live": "polite" }, "Select runs to overlay their curves.");
  const parallelEl = h("div", { class: "chart parallel", role: "figure", "aria-label": "parallel coordinates" });
  const effectsEl = h("div", { class: "effects" });
  const metricPick = h("select", { "aria-label": "metric" }, ...c.metrics.map((m) => h("option", { value: m }, METRIC_LABELS[m])));
  const list = renderRunList(c, { onSelect: (ids) => void select(ids), ...(deps.onOpen ? { onOpen: deps.onOpen } : {}) });
  const root = h(
    "section",
    { class: "compare", "aria-label": "compare runs", "aria-busy": "true" },
    h("h3", {}, `Compare runs (${c.runs.length})`),
    list.root,
    h("section", { class: "overlay", "aria-label": "overlay" }, h("h4", {}, "Overlay"), overlayNote, overlayEl),
    h("label", { class: "metric-pick" }, "metric ", metricPick),
    h("section", { "aria-label": "parallel coordinates" }, h("h4", {}, "Parallel coordinates"), parallelEl),
    h("section", { "aria-label": "main effects" }, h("h4", {}, "Main effects"), effectsEl),
  );
  let pending: Promise<void> = Promise.resolve();
  let token = 0;
  const track = (p: Promise<void>) => {
    const mine = ++token;
    root.setAttribute("aria-busy", "true");
    pending = Promise.all([pending, p]).then(() => {
      if (mine === token) root.setAttribute("aria-busy", "false");
    });
  };

  async function drawOverlay(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) {
      overlayEl.replaceChildren();
      overlayNote.textContent = "Select runs to overlay their curves.";
      return;
    }
    const shown = ids.slice(0, MAX_OVERLAY);
    overlayNote.textContent = `${shown.length} run${shown.length === 1 ? "" : "s"} overlaid${ids.length > shown.length ? ` (the first ${MAX_OVERLAY} of ${ids.length} selected)` : ""}`;
    let overlay: RunOverlay;
    try {
      overlay = await deps.overlay(shown);
    } catch (e) {
      overlayEl.replaceChildren(h("div", { class: "error query-error", role: "alert" }, `Cannot read the runs' curves: ${e instanceof Error ? e.message : String(e)}`));
      return;
    }
    if (selected.join() !== ids.join()) return; // the selection moved on
    const figures = overlay.panels.map((p, i) => h("div", { class: "chart overlay-chart", role: "figure", "aria-label": p.title, "data-panel": i }));
    overlayEl.replaceChildren(...figures);
    await Promise.all(overlay.panels.map((p, i) => figure(figures[i]!, deps.draw, { $schema: "https://vega.github.io/schema/vega-lite/v5.json", config: { legend: { labelLimit: 0 } }, ...panelSpec(p, 420) })));
  }

  function drawMetricViews(): Promise<unknown> {
    const chosen = new Set(selected);
    const effects = c.effects?.[metric];
    effectsEl.replaceChildren();
    if (!effects) append(effectsEl, h("p", { class: "muted effects-note" }, c.effectsNote));
    const plot = h("div", { class: "chart effects-chart", role: "figure", "aria-label": `main-effects plot of ${METRIC_LABELS[metric]}` });
    if (effects) append(effectsEl, h("p", { class: "muted effects-note" }, c.effectsNote), plot, effectsTable(c, metric));
    return Promise.all([
      c.params.length > 0 ? figure(parallelEl, deps.draw, parallelSpec(c, metric, chosen)) : Promise.resolve(parallelEl.replaceChildren(h("p", { class: "muted" }, "The runs do not differ in any parameter."))),
      effects ? figure(plot, deps.draw, effectsSpec(effects, metric)) : Promise.resolve(),
    ]);
  }

  function select(ids: string[]): Promise<void> {
    selected = ids;
    const p = Promise.all([drawOverlay(ids), drawMetricViews()]).then(() => undefined);
    track(p);
    return p;
  }
  metricPick.addEventListener("change", () => {
    metric = metricPick.value as MetricKey;
    track(drawMetricViews().then(() => undefined));
  });
  track(drawMetricViews().then(() => undefined));
  return { root, settled: () => pending };
}
