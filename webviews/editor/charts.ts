/**
 * The .nfrun editor's charts (issue #13): loss, learning-rate scale, gradient and step norms, the chosen
 * weights' θ[t] and the test split's loss and accuracy, asked of the host (the `signals` query: read when
 * shown, never when the file opens) and drawn as Vega-Lite, each with a cursor at the playback position
 * (./charts-spec.ts). Weights are chosen in a field (`layer:neuron:weight`, as `neuroforge plot --weights`)
 * and the weight selected in the network view (its popup open) is drawn too.
 */
import type { PlotPanel } from "../../kernel/record/signal-types";
import { parseWeightList } from "../../kernel/record/weight-refs";
import { append, h } from "../shared/dom";
import { MAX_CHART_WEIGHTS, type RunCharts, type WeightAddress } from "../shared/queries";
import { cursorSpec, cursorX, type Cursor } from "./charts-spec";
import type { Ask } from "./playback";

/** A drawn chart whose cursor can move (in the webview a Vega view; ./charts-draw.ts). */
export interface CursorChart {
  moveCursor(x: number): Promise<void>;
}

export type DrawChart = (element: HTMLElement, spec: Record<string, unknown>) => Promise<CursorChart>;

export interface ChartsPanel {
  readonly root: HTMLElement;
  /** Resolves once the first charts are drawn (true) or the run's signals could not be read (false). */
  readonly ready: Promise<boolean>;
  /** Moves every chart's cursor; resolves once they are redrawn. */
  moveTo(at: Cursor): Promise<void>;
  /** The weight selected in the network view (null: none): drawn beside the chosen ones. */
  select(weight: WeightAddress | null): void;
  dispose(): void;
}

const name = (w: WeightAddress) => `${w.layer}:${w.neuron}:${w.weight}`;
const same = (a: WeightAddress, b: WeightAddress) => a.layer === b.layer && a.neuron === b.neuron && a.weight === b.weight;

/** `1:0:2, 0:3:1` → weight addresses (at most MAX_CHART_WEIGHTS); a phrase naming the problem when not. */
function parseWeights(text: string): WeightAddress[] | string {
  const parsed = parseWeightList(text);
  if ("error" in parsed) return parsed.error;
  return parsed.length > MAX_CHART_WEIGHTS ? `at most ${MAX_CHART_WEIGHTS} weights` : parsed;
}

export function renderCharts(runId: string, host: Ask, draw: DrawChart): ChartsPanel {
  const input = h("input", { type: "text", class: "weights-input", placeholder: "layer:neuron:weight, …", "aria-label": "weights to chart (layer:neuron:weight)" });
  const show = h("button", { type: "button" }, "chart weights");
  const note = h("div", { class: "muted charts-note", "aria-live": "polite" });
  const body = h("div", { class: "charts-body" });
  const root = h(
    "section",
    { class: "charts", "aria-label": "signals charts", "aria-busy": "true" },
    h("h4", {}, "Signals"),
    h("label", { class: "weights-pick" }, "weights ", input, " ", show),
    note,
    body,
  );
  let chosen: WeightAddress[] = [];
  let selected: WeightAddress | null = null;
  let cursor: Cursor | null = null;
  let drawn: { panel: PlotPanel; el: HTMLElement; chart: CursorChart | null }[] = [];
  let token = 0;
  let disposed = false;
  let selectTimer: ReturnType<typeof setTimeout> | undefined;

  const weights = () => (selected && !chosen.some((w) => same(w, selected!)) ? [...chosen, selected].slice(-MAX_CHART_WEIGHTS) : chosen);

  /** Asks for the charts of the current weights and draws them; false when they could not be read (or a newer load took over). */
  async function load(): Promise<boolean> {
    const mine = ++token;
    root.setAttribute("aria-busy", "true");
    let charts: RunCharts;
    try {
      charts = await host.ask({ kind: "signals", runId, weights: weights() });
    } catch (e) {
      if (mine === token && !disposed) {
        note.textContent = `Cannot read the run's signals: ${e instanceof Error ? e.message : String(e)}`;
        root.setAttribute("aria-busy", "false");
      }
      return false;
    }
    if (mine !== token || disposed) return false;
    const missing = charts.notRecorded.map((m) => `${name(m.weight)}: ${m.reason}`);
    note.textContent = missing.length ? `Not drawn — ${missing.join("; ")}` : "";
    // vega-embed labels its own container, so the panel's title goes on the figure around it.
    const next = charts.panels.panels.map((panel, i) => {
      const vega = h("div", { class: "vega" });
      return { panel, vega, el: h("div", { class: "chart signal-chart", role: "figure", "aria-label": panel.title, "data-panel": i }, vega), chart: null as CursorChart | null };
    });
    body.replaceChildren(...next.map((d) => d.el));
    drawn = next;
    await Promise.all(
      next.map(async (d) => {
        try {
          d.chart = await draw(d.vega, cursorSpec(d.panel));
        } catch (e) {
          d.vega.replaceChildren();
          append(d.vega, h("div", { class: "error" }, `chart failed (${e instanceof Error ? e.message : String(e)}): ${d.panel.title}`));
        }
      }),
    );
    if (mine !== token || disposed) return false;
    if (cursor) await moveTo(cursor);
    root.setAttribute("aria-busy", "false");
    return true;
  }

  /** Moves every cursor; a chart's `data-cursor` names its cursor's x once it is drawn there. */
  async function moveTo(at: Cursor): Promise<void> {
    cursor = at;
    await Promise.all(
      drawn.map(async (d) => {
        const x = cursorX(d.panel, at);
        await d.chart?.moveCursor(x);
        if (cursor === at) d.el.setAttribute("data-cursor", String(x));
      }),
    );
  }

  const apply = () => {
    const parsed = parseWeights(input.value);
    if (typeof parsed === "string") {
      note.textContent = `weights: ${parsed}`;
      return;
    }
    chosen = parsed;
    void load();
  };
  show.addEventListener("click", apply);
  input.addEventListener("keydown", (e) => {
    if (e.key !== "Enter") return;
    e.preventDefault();
    apply();
  });

  const ready = load();
  return {
    root,
    ready,
    moveTo,
    select(weight) {
      if (weight === selected || (weight && selected && same(weight, selected))) return;
      selected = weight;
      // Hovering sweeps over many weights: chart the one the pointer settles on.
      clearTimeout(selectTimer);
      selectTimer = setTimeout(() => void load(), 250);
    },
    dispose() {
      disposed = true;
      clearTimeout(selectTimer);
    },
  };
}

/**
 * Calls `onSelect` with the weight whose popup the network view opened (its line gets the class
 * `active`: webviews/renderers/network/render.ts), watched from outside so the renderer stays as it is.
 */
export function watchSelectedWeight(network: HTMLElement, onSelect: (w: WeightAddress) => void): () => void {
  const observer = new MutationObserver((records) => {
    for (const r of records) {
      const el = r.target as Element;
      if (r.attributeName !== "class" || !el.classList.contains("weight") || !el.classList.contains("active")) continue;
      const [layer, neuron, weight] = ["data-layer", "data-neuron", "data-weight"].map((a) => Number(el.getAttribute(a)));
      if ([layer, neuron, weight].every((v) => Number.isInteger(v) && v! >= 0)) onSelect({ layer: layer!, neuron: neuron!, weight: weight! });
    }
  });
  observer.observe(network, { subtree: true, attributes: true, attributeFilter: ["class"] });
  return () => observer.disconnect();
}
