/**
 * The health view (payload: kernel/runtime/display/health-view-types.ts): the loss per commit, each
 * layer's weight and gradient histograms with their statistics and dormant fraction, the fitness and age
 * distributions with every neuron's stage, and the events timeline (rebirths, senescence, non-finite).
 * The notebook renders it live while a cell trains; the .nfrun editor renders one per playback position.
 * SVG drawn with the DOM (no markup parsing), theme colours, every data string a text node.
 */
import type { HealthValues, HealthViewEvent, HealthViewLayer, HealthViewPayload, LifecycleStage } from "../../../kernel/runtime/display/health-view-types";
import { append, h, s, style } from "../../shared/dom";
import { fmt } from "../../shared/format";
import { isStage, STAGE_CSS, stageCounts, stageLegend } from "../../shared/stages";
import { THEME_CSS } from "../../shared/theme";

const HIST_W = 260;
const HIST_H = 56;
const LOSS_W = 540;
const LOSS_H = 90;
/** Events listed below the strip (the strip marks all of them). */
const LISTED_EVENTS = 12;

export const HEALTH_CSS = `
.nf-health .head { font-weight: 600; margin-bottom: 4px; }
.nf-health h5 { margin: 8px 0 2px 0; font-size: inherit; }
.nf-health .row { display: flex; flex-wrap: wrap; gap: 8px 20px; align-items: flex-start; }
.nf-health figure { margin: 0; }
.nf-health figcaption { font-size: 11px; }
.nf-health svg { display: block; overflow: visible; }
.nf-health .bar { fill: var(--vscode-charts-blue, #1a85ff); }
.nf-health .gradients .bar { fill: var(--vscode-charts-orange, #d18616); }
.nf-health .fitness .bar { fill: var(--vscode-charts-green, #388a34); }
.nf-health .ages .bar { fill: var(--vscode-charts-purple, #652d90); }
.nf-health .axis { stroke: var(--vscode-panel-border, #8888); }
.nf-health .loss-line { fill: none; stroke: var(--vscode-charts-red, #e51400); stroke-width: 1.5; }
.nf-health .stats { font-family: var(--vscode-editor-font-family, monospace); font-size: 11px; }
.nf-health .stage-grid { display: flex; flex-wrap: wrap; gap: 2px; max-width: 540px; margin: 2px 0; }
.nf-health .stage-cell { width: 9px; height: 9px; background: var(--nf-stage); }
.nf-health .event-strip { position: relative; height: 12px; width: ${LOSS_W}px; max-width: 100%; border-bottom: 1px solid var(--vscode-panel-border, #8884); }
.nf-health .event-strip .mark { position: absolute; top: 0; width: 2px; height: 12px; background: var(--vscode-charts-blue, #1a85ff); }
.nf-health .event-strip .kind-rebirth { background: var(--vscode-charts-green, #388a34); }
.nf-health .event-strip .kind-senescent { background: var(--vscode-charts-orange, #d18616); }
.nf-health .event-strip .kind-nonfinite { background: var(--vscode-charts-red, #e51400); }
.nf-health ol.events { max-height: 160px; overflow: auto; padding-left: 20px; margin: 4px 0; font-size: 12px; }
`;

const str = (v: unknown): string => String(v).replace(/[^a-z0-9_-]/gi, "");

export function isHealthPayload(x: unknown): x is HealthViewPayload {
  const p = x as Partial<HealthViewPayload> | null;
  if (!p || typeof p !== "object" || p.kind !== "health-view" || !Number.isInteger(p.t) || !Array.isArray(p.layers) || !Array.isArray(p.events)) return false;
  if (!p.loss || !Array.isArray(p.loss.t) || !Array.isArray(p.loss.loss) || p.loss.t.length !== p.loss.loss.length) return false;
  if (typeof p.eventCounts !== "object" || p.eventCounts === null) return false;
  const values = (v: Partial<HealthValues> | undefined) => !!v && !!v.histogram && Array.isArray(v.histogram.counts) && v.histogram.counts.every((c) => Number.isFinite(c) && c >= 0);
  if (!p.layers.every((l) => l && Number.isInteger(l.layer) && values(l.weights) && values(l.gradients))) return false;
  if (p.lifecycle && !((p.lifecycle.fitness === null || values(p.lifecycle.fitness)) && values(p.lifecycle.ages) && Array.isArray(p.lifecycle.stages) && p.lifecycle.stages.every((row) => Array.isArray(row) && row.every(isStage)))) return false;
  return p.events.every((e) => e && Number.isFinite(e.t) && typeof e.kind === "string" && typeof e.message === "string");
}

/** A histogram as bars (each bar's count in data-count), its range in the caption. */
function histogram(v: HealthValues, cls: string, label: string): HTMLElement {
  const { low, high, counts } = v.histogram;
  const max = counts.reduce((m, c) => Math.max(m, c), 0);
  const bw = counts.length ? HIST_W / counts.length : 0;
  const svg = s("svg", { width: HIST_W, height: HIST_H + 1, viewBox: `0 0 ${HIST_W} ${HIST_H + 1}`, "aria-hidden": "true" });
  counts.forEach((c, i) => {
    const bh = max > 0 ? (HIST_H * c) / max : 0;
    svg.append(s("rect", { class: "bar", x: i * bw, y: HIST_H - bh, width: Math.max(1, bw - 1), height: bh, "data-count": c }, s("title", {}, `${c}`)));
  });
  svg.append(s("line", { class: "axis", x1: 0, y1: HIST_H + 0.5, x2: HIST_W, y2: HIST_H + 0.5 }));
  const range = low === null ? "no finite value" : `${fmt(low)} … ${fmt(high)}`;
  const total = counts.reduce((a, c) => a + c, 0);
  return h("figure", { class: `histogram ${cls}`, role: "img", "aria-label": `${label}: ${total} values in ${counts.length} bins, ${range}`, "data-low": String(low), "data-high": String(high) }, svg, h("figcaption", { class: "muted" }, `${label}: ${range}`));
}

const stats = (name: string, v: HealthValues): string =>
  `${name}: mean ${fmt(v.mean)} · std ${fmt(v.std)} · min ${fmt(v.percentiles[0])} · median ${fmt(v.percentiles[4])} · max ${fmt(v.percentiles[8])} · zeros ${v.zeros} · NaN ${v.nan} · Inf ${v.inf}`;

function layerSection(l: HealthViewLayer): HTMLElement {
  const dormant = l.dormant === null ? "–" : `${fmt(100 * l.dormant, 3)} %`;
  return h(
    "section",
    { class: "layer", "data-layer": l.layer, "aria-label": `layer ${l.layer}` },
    h("h5", {}, `layer ${l.layer} · ${l.units} ${String(l.activation)} · dormant `, h("span", { class: "dormant", "data-value": String(l.dormant) }, dormant), ` · activations mean ${fmt(l.activationMean)}, std ${fmt(l.activationStd)}`),
    h("div", { class: "row" }, histogram(l.weights, "weights", "weights"), histogram(l.gradients, "gradients", "gradients")),
    h("div", { class: "stats weights-stats" }, stats("weights", l.weights)),
    h("div", { class: "stats gradients-stats" }, stats("gradients", l.gradients)),
  );
}

function lossChart(p: HealthViewPayload): HTMLElement {
  const pts = p.loss.t.map((t, i) => [t, p.loss.loss[i]] as const).filter((d): d is readonly [number, number] => Number.isFinite(d[0]) && typeof d[1] === "number" && Number.isFinite(d[1]));
  const last = pts.length ? pts[pts.length - 1]! : null;
  const caption = last ? `loss per commit: ${fmt(last[1])} at t=${last[0]}` : "loss: no commit yet";
  const svg = s("svg", { width: LOSS_W, height: LOSS_H, viewBox: `0 0 ${LOSS_W} ${LOSS_H}`, "aria-hidden": "true" });
  if (pts.length >= 2) {
    const t0 = pts[0]![0];
    const t1 = last![0];
    const lo = pts.reduce((m, d) => Math.min(m, d[1]), Infinity);
    const hi = pts.reduce((m, d) => Math.max(m, d[1]), -Infinity);
    const points = pts.map(([t, v]) => `${((LOSS_W * (t - t0)) / (t1 - t0 || 1)).toFixed(1)},${(4 + (LOSS_H - 8) * (hi > lo ? (hi - v) / (hi - lo) : 0.5)).toFixed(1)}`).join(" ");
    svg.append(s("polyline", { class: "loss-line", points, "data-points": pts.length }), s("text", { x: 2, y: 10, class: "muted" }, fmt(hi)), s("text", { x: 2, y: LOSS_H - 2 }, fmt(lo)));
  }
  return h("figure", { class: "loss", role: "img", "aria-label": caption }, svg, h("figcaption", { class: "muted" }, caption));
}

function lifecycleSection(p: HealthViewPayload): HTMLElement | null {
  const life = p.lifecycle;
  if (!life) return null;
  const all: LifecycleStage[] = life.stages.flat();
  const grids = life.stages.map((row, li) =>
    h("div", { class: "stage-row" }, h("span", { class: "muted" }, `layer ${li} `), h("div", { class: "stage-grid", "data-layer": li }, ...row.map((st, j) => h("span", { class: `stage-cell stage-${st}`, "data-stage": st, title: `layer ${li} neuron ${j}: ${st}` })))),
  );
  return h(
    "section",
    { class: "lifecycle", "aria-label": "lifecycle" },
    h("h5", {}, life.evaluatedT === null ? (life.fitness ? "Lifecycle · fitness not evaluated yet" : "Lifecycle") : `Lifecycle · fitness evaluated at t=${life.evaluatedT}`),
    stageLegend(stageCounts(all)),
    ...grids,
    h("div", { class: "row" }, life.fitness ? histogram(life.fitness, "fitness", "fitness") : h("p", { class: "muted fitness-unknown" }, "fitness: not recorded"), histogram(life.ages, "ages", "age (commits)")),
  );
}

function eventsSection(p: HealthViewPayload): HTMLElement {
  const counts = Object.entries(p.eventCounts).filter(([, n]) => typeof n === "number");
  const strip = h("div", { class: "event-strip", "aria-hidden": "true" });
  for (const e of p.events) {
    const mark = h("span", { class: `mark kind-${str(e.kind)}`, title: `t=${e.t} ${e.kind}` });
    mark.style.left = `${p.t > 0 ? Math.min(100, (100 * e.t) / p.t) : 0}%`; // CSSOM: allowed under a strict CSP
    strip.append(mark);
  }
  const listed: HealthViewEvent[] = p.events.slice(-LISTED_EVENTS).reverse();
  return h(
    "section",
    { class: "events-timeline", "aria-label": "events timeline" },
    h("h5", {}, counts.length ? `Events: ${counts.map(([k, n]) => `${k} ${n}`).join(", ")}` : "Events: none"),
    p.events.length ? strip : null,
    listed.length ? h("ol", { class: "events", reversed: true }, ...listed.map((e) => h("li", { class: `event kind-${str(e.kind)}`, "data-t": e.t, "data-kind": e.kind }, `t=${e.t} · ${e.kind}: ${e.message}`))) : null,
  );
}

/** Renders the view into `element` (replacing its content). */
export function renderHealth(payload: unknown, element: HTMLElement): HTMLElement {
  element.replaceChildren();
  const root = h("div", { class: "nf nf-health" });
  element.append(style(THEME_CSS + STAGE_CSS + HEALTH_CSS), root);
  if (!isHealthPayload(payload)) {
    append(root, h("div", { class: "error", role: "alert" }, "NeuroForge: this output is not a health view (application/vnd.neuroforge.health+json)."));
    return root;
  }
  const p = payload;
  root.setAttribute("data-t", String(p.t));
  root.setAttribute("data-status", str(p.status));
  const measured = p.measuredT === null ? "health not measured yet" : `measured after commit t=${p.measuredT}`;
  append(
    root,
    h("div", { class: "head" }, `Network health after commit t=${p.t} · ${p.status === "running" ? "training…" : String(p.status)} · ${measured}`),
    lossChart(p),
    ...p.layers.map(layerSection),
    lifecycleSection(p),
    eventsSection(p),
  );
  return root;
}
