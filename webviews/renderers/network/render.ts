/**
 * The network view (payload: application/vnd.neuroforge.network+json from kernel/runtime/display/network.ts).
 * Columns of neurons (inputs, then each layer) with a bias unit "1" above every column that feeds a layer;
 * one SVG line per weight (biases included), coloured by sign (VS Code chart colours; dashed negatives in
 * high contrast) and as wide as |weight| relative to the largest. Every weight and neuron is focusable
 * with an aria-label carrying its value. Hover opens a weight's (the line nearest the pointer, ./pick) or
 * neuron's popup; click or Enter opens and pins it (further hovering leaves it); Escape (or ×) closes it;
 * arrow keys walk the graph (./keyboard) and stay in the output at its ends. When the payload carries a recording,
 * a weight's popup is its audit table at the shown commit (renderers/audit), a neuron's popup the neuron
 * for each sample of that commit's batch (./neuron-popup), and a scrubber steps through the embedded
 * commits. What the payload does not embed is asked of `source` (renderer messaging, the .nfrun
 * editor's host) when there is one. All data goes into text nodes and attributes.
 */
import type { EmbeddedCommit, EmbeddedTrace, NetworkRecording, NeuronStages } from "../../../kernel/runtime/display/network";
import type { PlanePoints } from "../../../kernel/runtime/display/plane";
import type { NotRecorded, WeightTrace } from "../../../kernel/record/reader-types";
import type { RunSource } from "../../shared/run-source";
import { renderAudit } from "../audit/render";
import { NEURON_CSS } from "../neuron/render";
import { BOUNDARY_CSS, boundaryView, type BoundaryView } from "./boundary";
import { arrowTarget } from "./keyboard";
import { neuronPopupBody } from "./neuron-popup";
import { nearestSegment, type Segment } from "./pick";
import { NETWORK_CSS } from "./style";
import { WIDE_CSS, wideView } from "./wide";
import { append, h, s, style } from "../../shared/dom";
import { fmt } from "../../shared/format";
import { isStage, STAGE_CSS, stageLegend } from "../../shared/stages";
import { THEME_CSS } from "../../shared/theme";

export interface NetworkPayload {
  readonly inputs: number;
  readonly layers: readonly { readonly units: number; readonly activation: string; readonly weights: readonly (readonly (number | null)[])[] }[];
  readonly weightCount: number;
  readonly recording?: NetworkRecording;
  /** For 2 inputs: the data points drawn over the decision boundary (absent: the boundary alone, over [−1, 1]²). */
  readonly plane?: PlanePoints;
  /** Per layer, each neuron's lifecycle stage with the weights shown (absent: no lifecycle); an embedded commit's own stages come first. */
  readonly stages?: NeuronStages;
}

/** Neurons drawn per column at most (larger layers show their first ones; the note says so). */
export const MAX_DRAWN = 16;


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

interface WeightRef extends Segment {
  readonly layer: number;
  readonly neuron: number;
  readonly weight: number;
  /** Index in the engine's flat parameter vector (and in an embedded commit's weights/traces). */
  readonly flat: number;
  readonly isBias: boolean;
  readonly el: SVGLineElement;
}

interface NeuronRef {
  /** Column: 0 = inputs, c ≥ 1 = layer c − 1. */
  readonly column: number;
  readonly index: number;
  readonly el: SVGCircleElement;
}

/** Numbers the clip paths of the neurons' heatmaps (ids are document-wide; several outputs share a page). */
let outputs = 0;

const COL_W = 170;
const ROW_H = 46;
const R = 13;

/**
 * Renders the network into `element` (replacing its content). Returns the root element. `source`
 * answers what the payload does not embed (traces beyond the budget); embedded data is used first.
 */
export function renderNetwork(payload: unknown, element: HTMLElement, source?: RunSource): HTMLElement {
  element.replaceChildren();
  const root = h("div", { class: "nf nf-network" });
  element.append(style(THEME_CSS + STAGE_CSS + NEURON_CSS + NETWORK_CSS + BOUNDARY_CSS + WIDE_CSS), root);
  if (!isNetworkPayload(payload)) {
    append(root, h("div", { class: "error", role: "alert" }, "NeuroForge: this output is not a network (application/vnd.neuroforge.network+json)."));
    return root;
  }
  const p = payload;
  const rec = p.recording && Array.isArray(p.recording.commits) && p.recording.commits.length > 0 ? p.recording : null;
  const sizes = [p.inputs, ...p.layers.map((l) => l.units)];
  const drawn = sizes.map((n) => Math.min(n, MAX_DRAWN));
  const rows = drawn.reduce((m, d) => Math.max(m, d), -Infinity) + 1; // + the bias unit row
  const W = 60 + COL_W * (sizes.length - 1) + 60;
  const H = 30 + rows * ROW_H + 30;
  const x = (c: number) => 60 + c * COL_W;
  // Row −1 is the bias unit; neurons are centred vertically below it.
  const y = (i: number, c: number) => (i < 0 ? 30 : 30 + ROW_H + ((rows - 1 - drawn[c]!) * ROW_H) / 2 + i * ROW_H);
  const offsets: number[] = [];
  const neuronOffsets: number[] = [];
  let off = 0;
  let noff = 0;
  p.layers.forEach((l, li) => {
    offsets.push(off);
    neuronOffsets.push(noff);
    off += l.units * (sizes[li]! + 1);
    noff += l.units;
  });
  const arch = [String(p.inputs), ...p.layers.map((l) => `${l.units} ${String(l.activation)}`)].join(" → ");

  const svg = s("svg", { class: "drawing", width: W, height: H, viewBox: `0 0 ${W} ${H}`, role: "group", "aria-label": `network ${arch}, ${p.weightCount} weights incl. biases` });
  const edges = s("g", { class: "weights" });
  const ring = s("line", { class: "ring", visibility: "hidden", "aria-hidden": "true" });
  const nodes = s("g", { class: "neurons" });
  const minis = s("g", { class: "minis" });
  svg.append(ring, edges, minis, nodes);
  // Two inputs: TF Playground's pictures (the decision surface, and what each neuron computes over the plane).
  const heated = p.inputs === 2;
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
        weights.push({ layer: li, neuron: j, weight: k, flat: offsets[li]! + j * (inputs + 1) + k, isBias, el, x1, y1, x2, y2 });
      }
    }
  });
  sizes.forEach((n, c) => {
    if (c < sizes.length - 1) {
      nodes.append(s("circle", { class: "bias-node", cx: x(c), cy: y(-1, c), r: 9, "aria-hidden": "true" }), s("text", { x: x(c), y: y(-1, c) + 4, "text-anchor": "middle", "aria-hidden": "true" }, "1"));
    }
    for (let i = 0; i < drawn[c]!; i++) {
      const el = s("circle", { class: `neuron${c === 0 ? " input" : ""}${heated ? " heated" : ""}`, cx: x(c), cy: y(i, c), r: R, tabindex: 0, role: "button", "aria-haspopup": "dialog", "data-column": c, "data-index": i });
      nodes.append(el);
      neurons.push({ column: c, index: i, el });
    }
    const label = c === 0 ? `${n} input${n === 1 ? "" : "s"}` : `${n} ${String(p.layers[c - 1]!.activation)}`;
    nodes.append(s("text", { x: x(c), y: H - 8, "text-anchor": "middle" }, label + (n > drawn[c]! ? ` (first ${drawn[c]})` : "")));
  });

  const layerShapes = p.layers.map((l, li) => ({ inputs: sizes[li]!, units: l.units, activation: String(l.activation) }));
  const spots = neurons.map((n) => ({ column: n.column, index: n.index, cx: x(n.column), cy: y(n.index, n.column), r: R }));
  const boundary: BoundaryView | null = heated ? boundaryView(layerShapes, p.plane, spots, minis, `nf-heat-clip-${++outputs}`) : null;

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
  const staged = !!p.stages || !!rec?.commits.some((c) => c.stages);
  if (staged) legend.append(stageLegend());
  append(root, head, legend);
  let current = rec ? rec.commits.length - 1 : 0;
  const scrubber = h("input", { type: "range", class: "scrubber", min: 0, max: rec ? rec.commits.length - 1 : 0, step: 1, value: current, "aria-label": "commit" });
  if (rec && rec.commits.length > 1) append(root, h("label", { class: "scrub" }, "commit", scrubber));
  const popup = h("div", { class: "popup", role: "dialog", "aria-modal": "false", hidden: true });
  const stage = h("div", { class: "stage" });
  // Wide layers: their weight matrices (every weight hoverable) above the popup, so it never moves them.
  const wide = sizes.some((n) => n > MAX_DRAWN) ? wideView(layerShapes, { weight: (l, j, k, pinIt) => pointAt(l, j, k, pinIt) }) : null;
  stage.append(boundary ? h("div", { class: "pictures" }, svg, boundary.panel) : svg, ...(wide ? [wide.panel] : []), popup);
  append(root, stage);

  const commit = (): EmbeddedCommit | null => (rec ? rec.commits[current]! : null);
  const unavailable = `not embedded in this output${rec?.file ? `; with the NeuroForge extension in VS Code they are read from ${rec.file}` : ""}`;
  const valueOf = (w: WeightRef): number | null => {
    const c = commit();
    const v = c ? c.weights[w.flat] : p.layers[w.layer]!.weights[w.neuron]![w.weight];
    return typeof v === "number" && Number.isFinite(v) ? v : null;
  };
  const nameOf = (w: WeightRef) =>
    w.isBias ? `layer ${w.layer}, neuron ${w.neuron}, bias` : `layer ${w.layer}, neuron ${w.neuron}, weight ${w.weight} (from ${w.layer === 0 ? "input" : `layer ${w.layer - 1} neuron`} ${w.weight})`;
  const neuronName = (n: NeuronRef) => (n.column === 0 ? `input ${n.index}` : `layer ${n.column - 1}, neuron ${n.index} (${String(p.layers[n.column - 1]!.activation)})`);

  /** Stage of a drawn neuron at the commit shown (null: not known). */
  const stageOf = (n: NeuronRef, c: EmbeddedCommit | null) => {
    const v = (c?.stages ?? p.stages)?.[n.column - 1]?.[n.index];
    return isStage(v) ? v : null;
  };

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
        const stage = staged ? stageOf(n, c) : null;
        if (stage) n.el.setAttribute("data-stage", stage);
        else n.el.removeAttribute("data-stage");
        n.el.setAttribute("aria-label", `${neuronName(n)}${stage ? `, ${stage}` : ""}: bias ${typeof b === "number" ? fmt(b) : "unknown"}`);
      }
    }
    const flat = c ? c.weights : p.layers.flatMap((l) => l.weights.flat());
    boundary?.paint(flat, c ? `output after commit t=${c.t}` : "output with the weights shown");
    wide?.paint(flat);
    if (c && rec) {
      const where = c.pending ? `before commit t=${c.t} (epoch ${c.epoch}, batch ${c.batch} pending: ${c.pending.slot + 1} sample${c.pending.slot === 0 ? "" : "s"} in the blame bank)` : `after commit t=${c.t} (epoch ${c.epoch}, batch ${c.batch})`;
      commitLabel.textContent = `run ${rec.runId} · ${where}${rec.commits.length > 1 ? ` · ${current + 1} of ${rec.commits.length}` : ""}`;
      scrubber.setAttribute("aria-valuetext", `t=${c.t}`);
    }
  }

  // The popup: one weight's details (or one neuron's weights). Hovering opens and switches it; a
  // click or Enter pins it (moving the mouse to it over other weights keeps it) until Escape or ×.
  let openRef: WeightRef | NeuronRef | null = null;
  let pinned = false;
  /** Counts popup contents built: an answer is shown only in the content that asked for it. */
  let opened = 0;
  /** Closes the popup; the focus returns to its weight/neuron when it was inside the popup. */
  function close(): void {
    const was = openRef;
    const inside = popup.contains(document.activeElement);
    openRef = null;
    opened++;
    pinned = false;
    popup.classList.remove("pinned");
    popup.hidden = true;
    popup.replaceChildren();
    ring.setAttribute("visibility", "hidden");
    was?.el.classList.remove("active");
    if (was && inside) was.el.focus();
  }
  function header(title: string): HTMLElement {
    const x = h("button", { type: "button", class: "close", "aria-label": "close" }, "×");
    x.addEventListener("click", () => close());
    return h("div", { class: "title" }, x, title);
  }
  function openWeight(w: WeightRef): void {
    opened++;
    if (openRef && openRef !== w) openRef.el.classList.remove("active");
    openRef = w;
    w.el.classList.add("active");
    // A weight that is not drawn (a wide layer's, opened from its matrix) has no line to ring.
    if (w.el.isConnected) {
      for (const a of ["x1", "y1", "x2", "y2"]) ring.setAttribute(a, w.el.getAttribute(a)!);
      ring.setAttribute("stroke-width", String(Number(w.el.getAttribute("stroke-width")) + 5));
    }
    ring.setAttribute("visibility", w.el.isConnected ? "visible" : "hidden");
    const v = valueOf(w);
    const c = commit();
    popup.replaceChildren();
    popup.setAttribute("aria-label", nameOf(w));
    append(popup, header(nameOf(w)), h("div", { class: "value" }, `value ${c ? `${c.pending ? "before" : "after"} commit t=${c.t}` : "now"}: `, h("span", { class: "num", "data-value": v === null ? "" : String(v), title: v === null ? "" : String(v) }, v === null ? "unknown" : fmt(v))));
    if (!rec || !c) {
      append(popup, h("div", { class: "muted no-recording" }, "No recording is attached to this output: display networkTrace(reader, runId) of a recorded run to see how each weight was adjusted."));
    } else if (c.traces) {
      const tr: EmbeddedTrace | undefined = c.traces[w.flat];
      showTrace(w, tr && tr.kind === "weight-trace" ? { ...tr, runId: rec.runId, strategy: rec.strategy } : (tr ?? { kind: "not-recorded", reason: "no trace for this weight" }));
    } else if (source) {
      const wanted = opened;
      const loading = h("div", { class: "muted loading", "aria-live": "polite" }, `Reading the trace of t=${c.t} from the run file…`);
      append(popup, loading);
      source.weightTrace({ runId: rec.runId, layer: w.layer, neuron: w.neuron, weight: w.weight, t: c.t }).then(
        (tr) => {
          // The popup may have moved on (another weight, another commit, re-opened) while the query ran.
          if (opened !== wanted) return;
          loading.remove();
          showTrace(w, tr);
        },
        (e: unknown) => {
          if (opened !== wanted) return;
          loading.remove();
          append(popup, h("div", { class: "error query-failed", role: "alert" }, `Cannot read the trace: ${e instanceof Error ? e.message : String(e)}`));
        },
      );
    } else {
      append(popup, h("div", { class: "muted traces-omitted" }, `Traces are ${unavailable} (${String(rec.tracesOmitted ?? "")}).`));
    }
    popup.hidden = false;
  }
  /** The weight's audit table, with its neuron's embedded snapshots and epoch summary when the payload has them. */
  function showTrace(w: WeightRef, tr: WeightTrace | NotRecorded): void {
    if (tr.kind !== "weight-trace") {
      append(popup, h("div", { class: "muted not-recorded" }, `Not recorded: ${String(tr.reason)}`));
      return;
    }
    const c = commit()!;
    const neuronsOfCommit = c.neurons?.[neuronOffsets[w.layer]! + w.neuron];
    const summary = rec!.epochSummaries?.[String(c.epoch)]?.[w.flat];
    const audit = h("div", { class: "audit" });
    const pending = c.pending ? { pending: c.pending } : {};
    renderAudit({ ...tr, ...(neuronsOfCommit ? { neurons: neuronsOfCommit } : {}), ...(summary ? { epochSummary: summary } : {}), ...pending, output: w.layer === p.layers.length - 1 }, audit, source, unavailable);
    append(popup, audit);
  }
  function openNeuron(n: NeuronRef): void {
    opened++;
    const built = opened;
    if (openRef && openRef !== n) openRef.el.classList.remove("active");
    openRef = n;
    n.el.classList.add("active");
    ring.setAttribute("visibility", "hidden");
    popup.replaceChildren();
    popup.setAttribute("aria-label", neuronName(n));
    append(popup, header(neuronName(n)));
    const c = commit();
    if (rec && c && n.column > 0) {
      const layer = n.column - 1;
      append(
        popup,
        h(
          "div",
          { class: "nf-neuron" },
          neuronPopupBody({
            runId: rec.runId,
            layer,
            neuron: n.index,
            output: layer === p.layers.length - 1,
            commit: c,
            embedded: c.neurons?.[neuronOffsets[layer]! + n.index] ?? null,
            source,
            unavailable,
            stillOpen: () => opened === built,
          }),
        ),
      );
    } else {
      const mine = weights.filter((w) => (n.column === 0 ? w.layer === 0 && !w.isBias && w.weight === n.index : w.layer === n.column - 1 && w.neuron === n.index));
      const body = h("tbody");
      for (const w of mine) {
        const v = valueOf(w);
        body.append(h("tr", {}, h("td", {}, w.isBias ? "bias" : n.column === 0 ? `→ layer 0, neuron ${w.neuron}` : `weight ${w.weight}`), h("td", { class: "num", "data-value": v === null ? "" : String(v) }, v === null ? "unknown" : fmt(v))));
      }
      append(popup, h("table", {}, h("thead", {}, h("tr", {}, h("th", {}, n.column === 0 ? "outgoing" : "incoming"), h("th", {}, "value"))), body));
    }
    popup.hidden = false;
  }
  /** Arrow keys move the focus along the graph; an open popup follows the focus. */
  function navigate(e: KeyboardEvent, from: WeightRef | NeuronRef): void {
    const to = arrowTarget(e.key, from, weights, neurons);
    // Also at a column's end: VS Code forwards the keys a webview leaves alone to the workbench, where
    // ArrowUp/Down would move the focus into the cell list (and the next Enter would edit a cell).
    e.preventDefault();
    e.stopPropagation();
    if (!to) return;
    to.el.focus();
    if (openRef) {
      if ("flat" in to) openWeight(to);
      else openNeuron(to);
    }
  }

  const pin = () => {
    pinned = true;
    popup.classList.add("pinned");
  };
  /** The weight nearest the pointer (null over a neuron, or far from every line). */
  const pointed = (e: MouseEvent): WeightRef | null => {
    if (neurons.some((n) => n.el === e.target)) return null;
    const box = svg.getBoundingClientRect();
    const scale = box.width > 0 ? W / box.width : 1; // a DOM without layout (JSDOM) has 0 × 0 boxes at 0, 0
    return nearestSegment((e.clientX - box.left) * scale, (e.clientY - box.top) * scale, weights);
  };
  svg.addEventListener("mousemove", (e) => {
    const w = pointed(e);
    svg.classList.toggle("on-weight", w !== null);
    if (w && !pinned && openRef !== w) openWeight(w);
  });
  svg.addEventListener("click", (e) => {
    const w = pointed(e);
    if (!w) return;
    pin();
    if (openRef !== w) openWeight(w);
  });
  for (const w of weights) {
    w.el.addEventListener("keydown", (e) => {
      if (e.key.startsWith("Arrow")) return navigate(e, w);
      if (e.key !== "Enter" && e.key !== " ") return;
      // Handled here: VS Code forwards keys that reach the webview's window to the workbench (Enter would
      // also put the notebook's selected cell into edit mode and take the focus away).
      e.preventDefault();
      e.stopPropagation();
      pin();
      openWeight(w);
    });
  }
  /** Any weight by position (drawn or not): hovering opens its popup unless one is pinned; pinIt pins it. */
  const undrawn = new Map<string, WeightRef>();
  function pointAt(layer: number, neuron: number, k: number, pinIt: boolean): void {
    const inputs = sizes[layer]!;
    const key = `${layer},${neuron},${k}`;
    let w = weights.find((r) => r.layer === layer && r.neuron === neuron && r.weight === k) ?? undrawn.get(key);
    if (!w) {
      w = { layer, neuron, weight: k, flat: offsets[layer]! + neuron * (inputs + 1) + k, isBias: k === inputs, el: s("line", { class: "weight undrawn" }), x1: 0, y1: 0, x2: 0, y2: 0 };
      undrawn.set(key, w);
    }
    if (pinIt) pin();
    else if (pinned) return;
    if (openRef !== w) openWeight(w);
  }
  for (const n of neurons) {
    n.el.addEventListener("mouseenter", () => pinned || openNeuron(n));
    n.el.addEventListener("click", () => {
      if (n.column > 0) wide?.expand(n.column - 1, n.index);
      pin();
      if (openRef !== n) openNeuron(n);
    });
    n.el.addEventListener("keydown", (e) => {
      if (e.key.startsWith("Arrow")) return navigate(e, n);
      if (e.key !== "Enter" && e.key !== " ") return;
      e.preventDefault();
      e.stopPropagation();
      pin();
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
