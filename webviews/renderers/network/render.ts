/**
 * The network view (payload: application/vnd.neuroforge.network+json from kernel/runtime/display/network.ts).
 * Columns of neurons (inputs, then each layer) with a bias unit "1" above every column that feeds a layer;
 * one SVG line per weight (biases included), coloured by sign (VS Code chart colours; dashed negatives in
 * high contrast) and as wide as |weight| relative to the largest. Every weight and neuron is focusable
 * with an aria-label carrying its value. Hover, click, or Enter on a focused weight opens its popup;
 * Escape (or ×) closes it. When the payload carries a recording, the popup is the audit table of that
 * weight at the shown commit (renderers/audit) and a scrubber steps through the embedded commits.
 * All data goes into text nodes and attributes.
 */
import type { EmbeddedCommit, EmbeddedTrace, NetworkRecording } from "../../../kernel/runtime/display/network";
import type { WeightTrace } from "../../../kernel/record/reader-types";
import { renderAudit } from "../audit/render";
import { append, h, s, style } from "../../shared/dom";
import { fmt } from "../../shared/format";
import { THEME_CSS } from "../../shared/theme";

export interface NetworkPayload {
  readonly inputs: number;
  readonly layers: readonly { readonly units: number; readonly activation: string; readonly weights: readonly (readonly (number | null)[])[] }[];
  readonly weightCount: number;
  readonly recording?: NetworkRecording;
}

/** Neurons drawn per column at most (larger layers show their first ones; the note says so). */
export const MAX_DRAWN = 16;

const CSS = `
.nf-network .stage { position: relative; display: inline-block; }
.nf-network svg { display: block; overflow: visible; }
.nf-network .weight { stroke-opacity: 0.8; cursor: pointer; }
.nf-network .weight.pos { stroke: var(--vscode-charts-red, #d9534f); }
.nf-network .weight.neg { stroke: var(--vscode-charts-blue, #428bca); }
.nf-network .weight.zero, .nf-network .weight.unknown { stroke: var(--vscode-descriptionForeground, #888); }
.nf-network .weight.unknown { stroke-dasharray: 2 3; }
.nf-network .weight:focus, .nf-network .weight.active { stroke-opacity: 1; outline: none; }
.nf-network .ring { stroke: var(--vscode-focusBorder, #0078d4); stroke-opacity: 0.9; fill: none; pointer-events: none; }
.nf-network .neuron { fill: var(--vscode-editor-background, #fff); stroke: var(--vscode-editor-foreground, #333); stroke-width: 1.5; cursor: pointer; }
.nf-network .neuron:focus, .nf-network .neuron.active { stroke: var(--vscode-focusBorder, #0078d4); stroke-width: 3; outline: none; }
.nf-network .bias-node { fill: var(--vscode-editorWidget-background, #eee); stroke: var(--vscode-descriptionForeground, #888); }
.nf-network svg text { fill: var(--vscode-editor-foreground, #333); font-size: 11px; font-family: var(--vscode-font-family, sans-serif); }
.nf-network .legend { display: flex; gap: 12px; align-items: center; margin: 2px 0 4px 0; }
.nf-network .swatch { display: inline-block; width: 18px; height: 0; border-top: 3px solid; vertical-align: middle; margin-right: 3px; }
.nf-network .swatch.pos { border-color: var(--vscode-charts-red, #d9534f); }
.nf-network .swatch.neg { border-color: var(--vscode-charts-blue, #428bca); }
.nf-network .scrub { display: flex; gap: 8px; align-items: center; margin: 4px 0; }
.nf-network .popup { position: absolute; z-index: 10; min-width: 220px; max-width: 720px; padding: 6px 8px;
  background: var(--vscode-editorHoverWidget-background, var(--vscode-editorWidget-background, #f3f3f3));
  color: var(--vscode-editorHoverWidget-foreground, inherit);
  border: 1px solid var(--vscode-editorHoverWidget-border, var(--vscode-widget-border, #8886)); box-shadow: 0 2px 8px var(--vscode-widget-shadow, #0004); }
.nf-network .popup[hidden] { display: none; }
.nf-network .popup .close { float: right; margin-left: 8px; }
.nf-network .popup .title { font-weight: 600; margin-bottom: 4px; }
body.vscode-high-contrast .nf-network .weight, body.vscode-high-contrast-light .nf-network .weight { stroke-opacity: 1; }
body.vscode-high-contrast .nf-network .weight.neg, body.vscode-high-contrast-light .nf-network .weight.neg { stroke-dasharray: 5 3; }
body.vscode-high-contrast .nf-network .swatch.neg, body.vscode-high-contrast-light .nf-network .swatch.neg { border-top-style: dashed; }
body.vscode-high-contrast .nf-network .popup, body.vscode-high-contrast-light .nf-network .popup { border-color: var(--vscode-contrastBorder, currentColor); }
body.vscode-high-contrast .nf-network .neuron, body.vscode-high-contrast-light .nf-network .neuron { stroke: var(--vscode-contrastBorder, currentColor); }
@media (forced-colors: active) {
  .nf-network .weight.pos { stroke: CanvasText; }
  .nf-network .weight.neg { stroke: CanvasText; stroke-dasharray: 5 3; }
  .nf-network .neuron { stroke: CanvasText; fill: Canvas; }
  .nf-network .ring, .nf-network .neuron:focus { stroke: Highlight; }
}
`;

export function isNetworkPayload(x: unknown): x is NetworkPayload {
  const p = x as Partial<NetworkPayload> | null;
  if (!p || typeof p !== "object" || !Number.isInteger(p.inputs) || (p.inputs as number) < 1 || !Array.isArray(p.layers) || p.layers.length === 0) return false;
  let inputs = p.inputs as number;
  for (const l of p.layers) {
    if (!l || !Number.isInteger(l.units) || l.units < 1 || !Array.isArray(l.weights) || l.weights.length !== l.units) return false;
    if (!l.weights.every((w: unknown) => Array.isArray(w) && w.length === inputs + 1)) return false;
    inputs = l.units;
  }
  return true;
}

/** Sign class of a weight value. */
export function signOf(v: number | null | undefined): "pos" | "neg" | "zero" | "unknown" {
  if (v === null || v === undefined || !Number.isFinite(v)) return "unknown";
  return v > 0 ? "pos" : v < 0 ? "neg" : "zero";
}

interface WeightRef {
  readonly layer: number;
  readonly neuron: number;
  readonly weight: number;
  /** Index in the engine's flat parameter vector (and in an embedded commit's weights/traces). */
  readonly flat: number;
  readonly isBias: boolean;
  readonly el: SVGLineElement;
  readonly mid: readonly [number, number];
}

interface NeuronRef {
  /** Column: 0 = inputs, c ≥ 1 = layer c − 1. */
  readonly column: number;
  readonly index: number;
  readonly el: SVGCircleElement;
  readonly at: readonly [number, number];
}

const COL_W = 170;
const ROW_H = 46;
const R = 13;

/** Renders the network into `element` (replacing its content). Returns the root element. */
export function renderNetwork(payload: unknown, element: HTMLElement): HTMLElement {
  element.replaceChildren();
  const root = h("div", { class: "nf nf-network" });
  element.append(style(THEME_CSS + CSS), root);
  if (!isNetworkPayload(payload)) {
    append(root, h("div", { class: "error", role: "alert" }, "NeuroForge: this output is not a network (application/vnd.neuroforge.network+json)."));
    return root;
  }
  const p = payload;
  const rec = p.recording && Array.isArray(p.recording.commits) && p.recording.commits.length > 0 ? p.recording : null;
  const sizes = [p.inputs, ...p.layers.map((l) => l.units)];
  const drawn = sizes.map((n) => Math.min(n, MAX_DRAWN));
  const rows = Math.max(...drawn) + 1; // + the bias unit row
  const W = 60 + COL_W * (sizes.length - 1) + 60;
  const H = 30 + rows * ROW_H + 30;
  const x = (c: number) => 60 + c * COL_W;
  // Row −1 is the bias unit; neurons are centred vertically below it.
  const y = (i: number, c: number) => (i < 0 ? 30 : 30 + ROW_H + ((rows - 1 - drawn[c]!) * ROW_H) / 2 + i * ROW_H);
  const offsets: number[] = [];
  let off = 0;
  p.layers.forEach((l, li) => {
    offsets.push(off);
    off += l.units * (sizes[li]! + 1);
  });
  const arch = [String(p.inputs), ...p.layers.map((l) => `${l.units} ${String(l.activation)}`)].join(" → ");

  const svg = s("svg", { width: W, height: H, viewBox: `0 0 ${W} ${H}`, role: "group", "aria-label": `network ${arch}, ${p.weightCount} weights incl. biases` });
  const edges = s("g", { class: "weights" });
  const ring = s("line", { class: "ring", visibility: "hidden", "aria-hidden": "true" });
  const nodes = s("g", { class: "neurons" });
  svg.append(ring, edges, nodes);
  const weights: WeightRef[] = [];
  const neurons: NeuronRef[] = [];

  p.layers.forEach((_l, li) => {
    const inputs = sizes[li]!;
    for (let j = 0; j < drawn[li + 1]!; j++) {
      for (let k = 0; k <= inputs; k++) {
        const isBias = k === inputs;
        if (!isBias && k >= drawn[li]!) continue;
        const x1 = x(li);
        const y1 = y(isBias ? -1 : k, li);
        const x2 = x(li + 1);
        const y2 = y(j, li + 1);
        const el = s("line", { class: "weight", x1, y1, x2, y2, tabindex: 0, role: "button", "aria-haspopup": "dialog", "data-layer": li, "data-neuron": j, "data-weight": k });
        edges.append(el);
        weights.push({ layer: li, neuron: j, weight: k, flat: offsets[li]! + j * (inputs + 1) + k, isBias, el, mid: [(x1 + x2) / 2, (y1 + y2) / 2] });
      }
    }
  });
  sizes.forEach((n, c) => {
    if (c < sizes.length - 1) {
      nodes.append(s("circle", { class: "bias-node", cx: x(c), cy: y(-1, c), r: 9, "aria-hidden": "true" }), s("text", { x: x(c), y: y(-1, c) + 4, "text-anchor": "middle", "aria-hidden": "true" }, "1"));
    }
    for (let i = 0; i < drawn[c]!; i++) {
      const el = s("circle", { class: c === 0 ? "neuron input" : "neuron", cx: x(c), cy: y(i, c), r: R, tabindex: 0, role: "button", "aria-haspopup": "dialog", "data-column": c, "data-index": i });
      nodes.append(el);
      neurons.push({ column: c, index: i, el, at: [x(c), y(i, c)] });
    }
    const label = c === 0 ? `${n} input${n === 1 ? "" : "s"}` : `${n} ${String(p.layers[c - 1]!.activation)}`;
    nodes.append(s("text", { x: x(c), y: H - 8, "text-anchor": "middle" }, label + (n > drawn[c]! ? ` (first ${drawn[c]})` : "")));
  });

  // Head, legend, scrubber, stage (SVG + popup).
  const head = h("div", { class: "head" }, `Network ${arch} · ${p.weightCount} weights incl. biases`);
  const commitLabel = h("span", { class: "commit-label", "aria-live": "polite" });
  const legend = h(
    "div",
    { class: "legend muted" },
    h("span", {}, h("span", { class: "swatch pos" }), "positive"),
    h("span", {}, h("span", { class: "swatch neg" }), "negative"),
    h("span", {}, "width ∝ |weight|"),
    weights.length < p.weightCount ? h("span", { class: "partial" }, `showing ${weights.length} of ${p.weightCount} weights`) : null,
    rec ? commitLabel : h("span", { class: "no-recording" }, "no recording attached"),
  );
  append(root, head, legend);
  let current = rec ? rec.commits.length - 1 : 0;
  const scrubber = h("input", { type: "range", class: "scrubber", min: 0, max: rec ? rec.commits.length - 1 : 0, step: 1, value: current, "aria-label": "commit" });
  if (rec && rec.commits.length > 1) append(root, h("label", { class: "scrub" }, "commit", scrubber));
  const popup = h("div", { class: "popup", role: "dialog", "aria-modal": "false", hidden: true });
  const stage = h("div", { class: "stage" });
  stage.append(svg, popup);
  append(root, stage);

  const commit = (): EmbeddedCommit | null => (rec ? rec.commits[current]! : null);
  const valueOf = (w: WeightRef): number | null => {
    const c = commit();
    const v = c ? c.weights[w.flat] : p.layers[w.layer]!.weights[w.neuron]![w.weight];
    return typeof v === "number" && Number.isFinite(v) ? v : null;
  };
  const nameOf = (w: WeightRef) =>
    w.isBias ? `layer ${w.layer}, neuron ${w.neuron}, bias` : `layer ${w.layer}, neuron ${w.neuron}, weight ${w.weight} (from ${w.layer === 0 ? "input" : `layer ${w.layer - 1} neuron`} ${w.weight})`;
  const neuronName = (n: NeuronRef) => (n.column === 0 ? `input ${n.index}` : `layer ${n.column - 1}, neuron ${n.index} (${String(p.layers[n.column - 1]!.activation)})`);

  function paint(): void {
    const c = commit();
    let maxAbs = 0;
    for (const w of weights) {
      const v = valueOf(w);
      if (v !== null) maxAbs = Math.max(maxAbs, Math.abs(v));
    }
    for (const w of weights) {
      const v = valueOf(w);
      const sign = signOf(v);
      w.el.setAttribute("class", `weight ${sign}${openRef === w ? " active" : ""}`);
      w.el.setAttribute("stroke-width", (v === null || maxAbs === 0 ? 1 : 0.75 + 3.75 * (Math.abs(v) / maxAbs)).toFixed(2));
      w.el.setAttribute("data-value", v === null ? "" : String(v));
      w.el.setAttribute("aria-label", `${nameOf(w)}: ${v === null ? "unknown" : fmt(v)}`);
    }
    for (const n of neurons) {
      if (n.column === 0) n.el.setAttribute("aria-label", `${neuronName(n)}`);
      else {
        const l = n.column - 1;
        const flat = offsets[l]! + n.index * (sizes[l]! + 1) + sizes[l]!;
        const b = c ? c.weights[flat] : p.layers[l]!.weights[n.index]![sizes[l]!];
        n.el.setAttribute("aria-label", `${neuronName(n)}: bias ${typeof b === "number" ? fmt(b) : "unknown"}`);
      }
    }
    if (c && rec) {
      commitLabel.textContent = `run ${rec.runId} · after commit t=${c.t} (epoch ${c.epoch}, batch ${c.batch})${rec.commits.length > 1 ? ` · ${current + 1} of ${rec.commits.length}` : ""}`;
      scrubber.setAttribute("aria-valuetext", `t=${c.t}`);
    }
  }

  // The popup: one weight's details (or one neuron's weights).
  let openRef: WeightRef | NeuronRef | null = null;
  function place(at: readonly [number, number]): void {
    popup.style.left = `${Math.round(Math.min(at[0] + 8, Math.max(0, W - 240)))}px`;
    popup.style.top = `${Math.round(at[1] + 14)}px`;
  }
  /** Closes the popup; the focus returns to its weight/neuron when it was inside the popup. */
  function close(): void {
    const was = openRef;
    const inside = popup.contains(document.activeElement);
    openRef = null;
    popup.hidden = true;
    fitStage();
    popup.replaceChildren();
    ring.setAttribute("visibility", "hidden");
    was?.el.classList.remove("active");
    if (was && inside) was.el.focus();
  }
  /**
   * A notebook output is as tall as its content and clips the rest: the stage grows to hold the popup
   * (absolutely placed, so it adds no height of its own), or a popup near the bottom would be cut off.
   */
  function fitStage(): void {
    stage.style.minHeight = popup.hidden ? "" : `${popup.offsetTop + popup.offsetHeight}px`;
  }
  function header(title: string): HTMLElement {
    const x = h("button", { type: "button", class: "close", "aria-label": "close" }, "×");
    x.addEventListener("click", () => close());
    return h("div", { class: "title" }, x, title);
  }
  function openWeight(w: WeightRef): void {
    if (openRef && openRef !== w) openRef.el.classList.remove("active");
    openRef = w;
    w.el.classList.add("active");
    for (const a of ["x1", "y1", "x2", "y2"]) ring.setAttribute(a, w.el.getAttribute(a)!);
    ring.setAttribute("stroke-width", String(Number(w.el.getAttribute("stroke-width")) + 5));
    ring.setAttribute("visibility", "visible");
    const v = valueOf(w);
    const c = commit();
    popup.replaceChildren();
    popup.setAttribute("aria-label", nameOf(w));
    append(popup, header(nameOf(w)), h("div", { class: "value" }, `value ${c ? `after commit t=${c.t}` : "now"}: `, h("span", { class: "num", "data-value": v === null ? "" : String(v), title: v === null ? "" : String(v) }, v === null ? "unknown" : fmt(v))));
    if (!rec || !c) {
      append(popup, h("div", { class: "muted no-recording" }, "No recording is attached to this output: display networkTrace(reader, runId) of a recorded run to see how each weight was adjusted."));
    } else if (!c.traces) {
      append(popup, h("div", { class: "muted traces-omitted" }, `Traces are not embedded: ${String(rec.tracesOmitted ?? "")}`));
    } else {
      const tr: EmbeddedTrace | undefined = c.traces[w.flat];
      if (!tr || tr.kind !== "weight-trace") {
        append(popup, h("div", { class: "muted not-recorded" }, `Not recorded: ${tr && "reason" in tr ? String(tr.reason) : "no trace for this weight"}`));
      } else {
        const audit = h("div", { class: "audit" });
        renderAudit({ ...tr, runId: rec.runId, strategy: rec.strategy } satisfies WeightTrace, audit);
        append(popup, audit);
      }
    }
    place(w.mid);
    popup.hidden = false;
    fitStage();
  }
  function openNeuron(n: NeuronRef): void {
    if (openRef && openRef !== n) openRef.el.classList.remove("active");
    openRef = n;
    n.el.classList.add("active");
    ring.setAttribute("visibility", "hidden");
    const mine = weights.filter((w) => (n.column === 0 ? w.layer === 0 && !w.isBias && w.weight === n.index : w.layer === n.column - 1 && w.neuron === n.index));
    const body = h("tbody");
    for (const w of mine) {
      const v = valueOf(w);
      body.append(h("tr", {}, h("td", {}, w.isBias ? "bias" : n.column === 0 ? `→ layer 0, neuron ${w.neuron}` : `weight ${w.weight}`), h("td", { class: "num", "data-value": v === null ? "" : String(v) }, v === null ? "unknown" : fmt(v))));
    }
    popup.replaceChildren();
    popup.setAttribute("aria-label", neuronName(n));
    append(popup, header(neuronName(n)), h("table", {}, h("thead", {}, h("tr", {}, h("th", {}, n.column === 0 ? "outgoing" : "incoming"), h("th", {}, "value"))), body));
    place(n.at);
    popup.hidden = false;
    fitStage();
  }

  for (const w of weights) {
    w.el.addEventListener("mouseenter", () => openWeight(w));
    w.el.addEventListener("click", () => openWeight(w));
    w.el.addEventListener("keydown", (e) => {
      if (e.key !== "Enter" && e.key !== " ") return;
      // Handled here: VS Code forwards keys that reach the webview's window to the workbench (Enter would
      // also put the notebook's selected cell into edit mode and take the focus away).
      e.preventDefault();
      e.stopPropagation();
      openWeight(w);
    });
  }
  for (const n of neurons) {
    n.el.addEventListener("click", () => openNeuron(n));
    n.el.addEventListener("keydown", (e) => {
      if (e.key !== "Enter" && e.key !== " ") return;
      e.preventDefault();
      e.stopPropagation();
      openNeuron(n);
    });
  }
  root.addEventListener("keydown", (e) => {
    if (e.key !== "Escape" || !openRef) return;
    e.preventDefault();
    e.stopPropagation();
    close();
  });
  scrubber.addEventListener("input", () => {
    current = Math.max(0, Math.min((rec?.commits.length ?? 1) - 1, Number(scrubber.value) | 0));
    paint();
    if (openRef && "flat" in openRef) openWeight(openRef);
    else if (openRef) openNeuron(openRef);
  });
  paint();
  return root;
}
