/**
 * The audit table of one weight at one commit (payload: the reader's WeightTrace, optionally with the
 * neuron's snapshot per sample and the epoch summary: kernel/runtime/display/audit.ts AuditPayload;
 * MIME application/vnd.neuroforge.audit+json). Layout, left to right (seed 000 §5/§8, seed 001):
 *   forward pass (Input × Weight = Product, Σ + bias = z, activation(z) = a) │ update per sample
 *   (Input × Blame = Leverage, Cum., bar) │ commit per batch (BatchTot / Count = Avg, the strategy's
 *   audit columns) │ LR, Adj, Before, After; below: the blame sources of the current sample, then the
 *   weight's epoch summary.
 * With a batch of more than one sample the per-sample rows are the blame bank ("Pending", one colour)
 * and the commit panel ("Committed", another colour) is the same for every sample of the batch. A
 * sample stepper (buttons, arrow keys) moves the current sample; only classes and `hidden` change, so
 * the layout never shifts. What the payload lacks is asked of `source` when there is one. Text only.
 */
import type { NeuronSnapshot, NotRecorded, WeightTrace } from "../../../kernel/record/reader-types";
import { BAR_CSS, bar } from "../../shared/bar";
import { num, th } from "../../shared/cells";
import { append, h, style } from "../../shared/dom";
import { fmt } from "../../shared/format";
import type { RunSource } from "../../shared/run-source";
import { THEME_CSS } from "../../shared/theme";
import { blameSourcesPanel, type Snapshot } from "../neuron/blame-sources";
import { NEURON_CSS } from "../neuron/render";
import { epochSummaryPanel, type Summary } from "./epoch-summary";
import { pendingBatch } from "./pending";
import { reconcilePanel } from "./reconcile";
import { strategyGuidance } from "../../shared/guidance";

/** What the audit table shows: a weight trace, and what it can add about the neuron and the epoch. */
export interface AuditView extends WeightTrace {
  readonly neurons?: readonly (Snapshot | NotRecorded)[];
  readonly epochSummary?: Summary | NotRecorded;
  readonly output?: boolean;
  /** A pending position (the .nfrun editor mid-batch): samples 0 … slot are in the bank, the commit is next. */
  readonly pending?: { readonly slot: number } | null;
}

const CSS = `
.nf-audit .head { font-weight: 600; margin-bottom: 4px; }
.nf-audit .panels { display: flex; gap: 12px; align-items: flex-start; flex-wrap: nowrap; overflow-x: auto; }
.nf-audit section { border-top: 3px solid var(--vscode-panel-border, #8884); padding-top: 2px; margin-top: 4px; }
.nf-audit section > h4 { margin: 0 0 2px 0; font-size: 0.9em; }
.nf-audit .badge { display: inline-block; padding: 0 6px; border-radius: 8px; font-size: 0.85em; margin-left: 4px; }
.nf-audit .pending { border-top-color: var(--vscode-charts-orange, #d18616); }
.nf-audit .pending .badge { background: var(--vscode-charts-orange, #d18616); color: var(--vscode-editor-background, #fff); }
.nf-audit .committed { border-top-color: var(--vscode-charts-green, #388a34); }
.nf-audit .committed .badge { background: var(--vscode-charts-green, #388a34); color: var(--vscode-editor-background, #fff); }
.nf-audit .pending-batch { border-left: 3px solid var(--vscode-charts-orange, #d18616); padding-left: 6px; margin: 4px 0; }
.nf-audit .epoch-summary { border-top-color: var(--vscode-charts-purple, #8a56c2); }
.nf-audit tr.current td { background: var(--vscode-list-activeSelectionBackground, #0078d433); color: var(--vscode-list-activeSelectionForeground, inherit); }
.nf-audit tr.later td { opacity: 0.45; }
.nf-audit .formula { margin-top: 4px; font-family: var(--vscode-editor-font-family, monospace); }
.nf-audit .reconcile { margin-top: 4px; border-left: 3px solid var(--vscode-charts-green, #388a34); padding-left: 6px; }
.nf-audit .reconcile .line, .nf-audit .reconcile .check, .nf-audit .reconcile .check-lookahead { font-family: var(--vscode-editor-font-family, monospace); font-size: 0.9em; }
.nf-audit .guidance dt { font-weight: 600; display: inline; }
.nf-audit .guidance dd { display: inline; margin: 0 8px 0 4px; }
.nf-audit .stepper { margin: 4px 0; display: flex; gap: 6px; align-items: center; }
`;

/** Why a commit has no audit values: the strategy's code is not in this process. */
function unknownStrategyNote(s: AuditView["strategy"]): string {
  return s.builtin === false
    ? `audit values: '${s.id}' is a user's strategy; its code stored in the run is never run. They show where it is live (the kernel that recorded the run) or given (neuroforge verify --strategy).`
    : `audit values: this NeuroForge does not know the strategy '${s.id}'`;
}

export function isWeightTrace(x: unknown): x is AuditView {
  const t = x as Partial<WeightTrace> | null;
  return !!t && t.kind === "weight-trace" && Array.isArray(t.rows) && typeof t.commit === "object" && t.commit !== null && typeof t.strategy === "object";
}

/** Batches up to this size have every sample's snapshot asked at once when they come from a RunSource. */
export const ASK_ALL_UP_TO = 8;

const snapshotOf = (x: Snapshot | NotRecorded | undefined): Snapshot | null => (x && x.kind === "neuron-snapshot" ? x : null);

/**
 * Renders the audit table into `element` (replacing its content). Returns the root element.
 * `source` answers the neuron snapshots and epoch summary the payload does not carry; `unavailable`
 * says why they are missing when there is no source.
 */
export function renderAudit(payload: unknown, element: HTMLElement, source?: RunSource, unavailable?: string): HTMLElement {
  element.replaceChildren();
  const root = h("div", { class: "nf nf-audit" });
  element.append(style(THEME_CSS + BAR_CSS + NEURON_CSS + CSS), root);
  if (!isWeightTrace(payload)) {
    append(root, h("div", { class: "error", role: "alert" }, "NeuroForge: this output is not a weight trace (application/vnd.neuroforge.audit+json)."));
    return root;
  }
  const tr = payload;
  const c = tr.commit;
  const slot = tr.pending?.slot;
  const pendingSlot = typeof slot === "number" && Number.isInteger(slot) && slot >= 0 && slot < tr.rows.length ? slot : null;
  const batched = c.count > 1;
  const commitBadge = pendingSlot === null ? "Committed" : "Next commit";
  append(
    root,
    h("div", { class: "head" }, `layer ${tr.layer}, neuron ${tr.neuron}, weight ${tr.weight} · commit t=${tr.t} (epoch ${tr.epoch}, batch ${tr.batch}) · ${tr.strategy.name}`),
  );

  // Stepper: the current sample of the batch (default: the last one, where the bank is complete).
  let current = pendingSlot ?? tr.rows.length - 1;
  const label = h("span", { class: "current-label", "aria-live": "polite" });
  const prev = h("button", { type: "button", class: "prev", "aria-label": "previous sample" }, "◀");
  const next = h("button", { type: "button", class: "next", "aria-label": "next sample" }, "▶");
  if (batched) append(root, h("div", { class: "stepper" }, prev, next, label));

  // Forward pass: Input × Weight (before the commit) = Product for this weight; Σ + bias = z and a for its neuron.
  const fwdBody = h("tbody");
  // Update, per sample: Input × Blame = Leverage, Cum., contribution bar.
  const updBody = h("tbody");
  const maxLev = tr.rows.reduce((m, r) => Math.max(m, Math.abs(r.leverage)), 1e-300);
  const rowEls: [HTMLTableRowElement, HTMLTableRowElement][] = [];
  const zCells: HTMLTableCellElement[] = [];
  const aCells: HTMLTableCellElement[] = [];
  tr.rows.forEach((r, i) => {
    const z = num(null, { class: "num z" });
    const a = num(null, { class: "num a" });
    zCells.push(z);
    aCells.push(a);
    const f = h("tr", { "data-sample": r.sample }, num(r.input), num(c.before), num(r.input * c.before, { class: "num product" }), z, a);
    const contribution = bar(r.leverage, maxLev, { title: `contribution ${fmt((r.leverage / (c.batchTotal || 1)) * 100)} % of the batch total`, "aria-label": `leverage ${fmt(r.leverage)}` });
    const u = h("tr", { class: "sample-row", tabindex: 0, "data-sample": r.sample, "data-index": i }, h("td", { class: "num" }, String(r.sample)), num(r.input), num(r.blame), num(r.leverage, { class: "num leverage" }), num(r.cumulative, { class: "num cum" }), h("td", {}, contribution));
    u.addEventListener("click", () => select(i));
    u.addEventListener("keydown", (e) => {
      if (e.key === "ArrowDown" || e.key === "ArrowRight") select(Math.min(tr.rows.length - 1, current + 1), true);
      else if (e.key === "ArrowUp" || e.key === "ArrowLeft") select(Math.max(0, current - 1), true);
      else return;
      e.preventDefault();
      e.stopPropagation(); // not also to the workbench (VS Code forwards a webview's keys to it)
    });
    fwdBody.append(f);
    updBody.append(u);
    rowEls.push([f, u]);
  });
  const activation = h("span", { class: "activation" }, "f");
  const forward = h(
    "section",
    { class: "forward" },
    h("h4", {}, "Forward pass"),
    h("table", {}, h("thead", {}, h("tr", {}, th("Input"), th("× Weight", "the weight before this commit"), th("= Product"), th("Σ + bias = z", "the neuron's weighted sum of all its inputs plus its bias"), h("th", {}, activation, "(z) = a"))), fwdBody),
  );
  const update = h(
    "section",
    { class: `update ${batched || pendingSlot !== null ? "pending" : "committed"}` },
    h("h4", {}, "Update, per sample", h("span", { class: "badge" }, batched || pendingSlot !== null ? "Pending" : "Committed")),
    h("table", {}, h("thead", {}, h("tr", {}, th("sample"), th("Input"), th("× Blame"), th("= Leverage"), th("Cum.", "the blame bank after this sample"), th(""))), updBody),
  );

  // Commit, per batch: BatchTot / Count = Avg, then the strategy's audit columns.
  // Without values (a strategy this process cannot replay) the columns are still named, and left empty.
  const auditCols: [string, number | null][] = c.audit ? Object.entries(c.audit) : tr.strategy.auditColumns.map((k) => [k, null]);
  const commitRow = h("tr", {}, num(c.batchTotal, { class: "num batch-total" }), num(c.count, { class: "num count" }), num(c.avg, { class: "num avg" }), ...auditCols.map(([k, v]) => num(v, { class: "num audit", "data-column": k })));
  const commit = h(
    "section",
    { class: "commit committed" },
    h("h4", {}, `Commit, per batch (t=${tr.t})`, h("span", { class: "badge" }, commitBadge)),
    h("table", {}, h("thead", {}, h("tr", {}, th("BatchTot"), th("/ Count"), th("= Avg"), ...auditCols.map(([k]) => th(k)))), h("tbody", {}, commitRow)),
    c.audit ? null : h("div", { class: "muted unknown-strategy" }, unknownStrategyNote(tr.strategy)),
  );
  const standard = h(
    "section",
    { class: "standard committed" },
    h("h4", {}, "Weight", pendingSlot === null ? null : h("span", { class: "badge" }, commitBadge)),
    h("table", {}, h("thead", {}, h("tr", {}, th("LR"), th("Adj"), th("Before"), th("After"))), h("tbody", {}, h("tr", {}, num(c.lr, { class: "num lr" }), num(c.adjustment, { class: "num adj" }), num(c.before, { class: "num before" }), num(c.after, { class: "num after" })))),
    c.recomputedAdjustment !== null && c.recomputedAdjustment !== c.adjustment ? h("div", { class: "error" }, `recomputed Adj ${fmt(c.recomputedAdjustment)} differs from the recorded ${fmt(c.adjustment)}`) : null,
  );
  // Below: the blame sources of each sample (only the current one visible) and the epoch summary.
  const sources = h("div", { class: "sources" });
  const sourcePanels: HTMLElement[] = tr.rows.map((r) => h("div", { class: "muted sources-pending", "data-sample": r.sample }));
  sources.append(...sourcePanels);
  const epoch = h("div", { class: "epoch" });
  append(root, pendingSlot === null ? null : pendingBatch(tr, pendingSlot), h("div", { class: "panels" }, forward, update, commit, standard), reconcilePanel(c, tr.t), strategyGuidance(tr.strategy), sources, epoch);

  /** Asks the source for sample i's snapshot (set when there is a source and the payload has none). */
  let ask = (_i: number): void => {};
  function showNeuron(i: number, n: Snapshot | NotRecorded): void {
    const s = snapshotOf(n);
    if (s) {
      zCells[i]!.replaceWith((zCells[i] = num(s.forward.z, { class: "num z" })));
      aCells[i]!.replaceWith((aCells[i] = num(s.forward.a, { class: "num a" })));
      activation.textContent = s.forward.activation;
    }
    const panel = s ? blameSourcesPanel(s, tr.output ?? null) : h("div", { class: "muted not-recorded" }, `Blame sources of sample ${tr.rows[i]!.sample}: not recorded (${(n as NotRecorded).reason})`);
    panel.hidden = i !== current;
    sourcePanels[i]!.replaceWith(panel);
    sourcePanels[i] = panel;
  }
  function showEpoch(e: Summary | NotRecorded): void {
    epoch.replaceChildren(e.kind === "epoch-summary" ? epochSummaryPanel(e, tr.t) : h("div", { class: "muted not-recorded" }, `Epoch summary: not recorded (${e.reason})`));
  }
  const failure = (what: string, e: unknown) => h("div", { class: "error query-failed", role: "alert" }, `Cannot read ${what}: ${e instanceof Error ? e.message : String(e)}`);

  if (tr.neurons && tr.neurons.length === tr.rows.length) tr.neurons.forEach((n, i) => showNeuron(i, n));
  else if (source) {
    // A snapshot can cost the host hundreds of ms on a wide layer: ask for the sample shown, and for
    // the others of a small batch; the rest when the stepper reaches them.
    const asked = new Set<number>();
    ask = (i: number) => {
      if (asked.has(i)) return;
      asked.add(i);
      const r = tr.rows[i]!;
      sourcePanels[i]!.textContent = `Reading the neuron's snapshot for sample ${r.sample}…`;
      source.neuronSnapshot({ runId: tr.runId, layer: tr.layer, neuron: tr.neuron, epoch: tr.epoch, sample: r.sample }).then(
        (n: NeuronSnapshot | NotRecorded) => showNeuron(i, n),
        (e: unknown) => {
          const panel = failure(`the neuron's snapshot for sample ${r.sample}`, e);
          panel.hidden = i !== current;
          sourcePanels[i]!.replaceWith(panel);
          sourcePanels[i] = panel;
        },
      );
    };
    ask(current);
    if (tr.rows.length <= ASK_ALL_UP_TO) tr.rows.forEach((_, i) => ask(i));
  } else {
    sourcePanels.forEach((p) => (p.textContent = `Σ, activation and blame sources: ${unavailable ?? "not in this output (display weightAudit(reader, runId, layer, neuron, weight, t) to include them)"}`));
  }
  if (tr.epochSummary) showEpoch(tr.epochSummary);
  else if (source?.epochSummary) {
    // It traces every commit of the epoch (up to a second or more on a large run, and the host answers
    // one query at a time): read on request, so hovering stays quick.
    const summarize = source.epochSummary.bind(source);
    const read = h("button", { type: "button", class: "read-epoch" }, `Epoch ${tr.epoch} summary`);
    read.addEventListener("click", () => {
      epoch.replaceChildren(h("div", { class: "muted loading" }, `Reading the epoch ${tr.epoch} summary (every commit of the epoch)…`));
      summarize({ runId: tr.runId, layer: tr.layer, neuron: tr.neuron, weight: tr.weight, epoch: tr.epoch }).then(showEpoch, (e: unknown) => epoch.replaceChildren(failure("the epoch summary", e)));
    });
    epoch.append(read, h("span", { class: "muted" }, " reads every commit of this epoch from the run file"));
  }

  function select(i: number, focus = false): void {
    current = i;
    rowEls.forEach(([f, u], k) => {
      for (const el of [f, u]) {
        el.classList.toggle("current", batched && k === i);
        el.classList.toggle("later", batched && k > i);
      }
      u.setAttribute("aria-selected", String(batched && k === i));
    });
    sourcePanels.forEach((p, k) => (p.hidden = k !== i));
    ask(i);
    if (batched) {
      const r = tr.rows[i]!;
      label.textContent = `sample ${i + 1} of ${tr.rows.length} (dataset #${r.sample}): bank ${fmt(r.cumulative)} pending; the commit is the same for every sample of this batch`;
      prev.disabled = i === 0;
      next.disabled = i === tr.rows.length - 1;
    }
    if (focus) rowEls[i]![1].focus();
  }
  prev.addEventListener("click", () => select(Math.max(0, current - 1)));
  next.addEventListener("click", () => select(Math.min(tr.rows.length - 1, current + 1)));
  select(current);
  return root;
}
