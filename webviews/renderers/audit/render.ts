/**
 * The audit table of one weight at one commit (payload: the reader's WeightTrace, MIME
 * application/vnd.neuroforge.audit+json). Layout, left to right (seed 000 §5/§8, seed 001):
 *   forward pass (Input × Weight = Product) │ update per sample (Input × Blame = Leverage, Cum., bar)
 *   │ commit per batch (BatchTot / Count = Avg, the strategy's audit columns) │ LR, Adj, Before, After.
 * With a batch of more than one sample the per-sample rows are the blame bank ("Pending", one colour)
 * and the commit panel ("Committed", another colour) is the same for every sample of the batch. A
 * sample stepper (buttons, arrow keys) moves the current sample; only classes change, so the layout
 * never shifts. All data goes into text nodes.
 */
import type { WeightTrace } from "../../../kernel/record/reader-types";
import { append, h, style } from "../../shared/dom";
import { fmt } from "../../shared/format";
import { THEME_CSS } from "../../shared/theme";

const CSS = `
.nf-audit .head { font-weight: 600; margin-bottom: 4px; }
.nf-audit .panels { display: flex; gap: 12px; align-items: flex-start; flex-wrap: nowrap; overflow-x: auto; }
.nf-audit section { border-top: 3px solid var(--vscode-panel-border, #8884); padding-top: 2px; }
.nf-audit section > h4 { margin: 0 0 2px 0; font-size: 0.9em; }
.nf-audit .badge { display: inline-block; padding: 0 6px; border-radius: 8px; font-size: 0.85em; margin-left: 4px; }
.nf-audit .pending { border-top-color: var(--vscode-charts-orange, #d18616); }
.nf-audit .pending .badge { background: var(--vscode-charts-orange, #d18616); color: var(--vscode-editor-background, #fff); }
.nf-audit .committed { border-top-color: var(--vscode-charts-green, #388a34); }
.nf-audit .committed .badge { background: var(--vscode-charts-green, #388a34); color: var(--vscode-editor-background, #fff); }
.nf-audit tr.current td { background: var(--vscode-list-activeSelectionBackground, #0078d433); color: var(--vscode-list-activeSelectionForeground, inherit); }
.nf-audit tr.later td { opacity: 0.45; }
.nf-audit .bar { display: inline-block; width: 60px; height: 8px; position: relative; background: var(--vscode-editorWidget-background, #8882); vertical-align: middle; }
.nf-audit .bar > span { position: absolute; top: 0; height: 8px; }
.nf-audit .bar > span.pos { left: 50%; background: var(--vscode-charts-red, #d9534f); }
.nf-audit .bar > span.neg { right: 50%; background: var(--vscode-charts-blue, #428bca); }
.nf-audit .formula { margin-top: 4px; font-family: var(--vscode-editor-font-family, monospace); }
.nf-audit .stepper { margin: 4px 0; display: flex; gap: 6px; align-items: center; }
`;

export function isWeightTrace(x: unknown): x is WeightTrace {
  const t = x as Partial<WeightTrace> | null;
  return !!t && t.kind === "weight-trace" && Array.isArray(t.rows) && typeof t.commit === "object" && t.commit !== null && typeof t.strategy === "object";
}

const num = (x: number | null | undefined, extra: Record<string, string> = {}) => h("td", { class: "num", title: x === null || x === undefined ? "" : String(x), "data-value": x === null || x === undefined ? "" : String(x), ...extra }, fmt(x));
const th = (s: string, title?: string) => h("th", title ? { title } : {}, s);

/** Renders the audit table into `element` (replacing its content). Returns the root element. */
export function renderAudit(payload: unknown, element: HTMLElement): HTMLElement {
  element.replaceChildren();
  const root = h("div", { class: "nf nf-audit" });
  element.append(style(THEME_CSS + CSS), root);
  if (!isWeightTrace(payload)) {
    append(root, h("div", { class: "error", role: "alert" }, "NeuroForge: this output is not a weight trace (application/vnd.neuroforge.audit+json)."));
    return root;
  }
  const tr = payload;
  const c = tr.commit;
  const batched = c.count > 1;
  append(
    root,
    h("div", { class: "head" }, `layer ${tr.layer}, neuron ${tr.neuron}, weight ${tr.weight} · commit t=${tr.t} (epoch ${tr.epoch}, batch ${tr.batch}) · ${tr.strategy.name}`),
  );

  // Stepper: the current sample of the batch (default: the last one, where the bank is complete).
  let current = tr.rows.length - 1;
  const label = h("span", { class: "current-label", "aria-live": "polite" });
  const prev = h("button", { type: "button", class: "prev", "aria-label": "previous sample" }, "◀");
  const next = h("button", { type: "button", class: "next", "aria-label": "next sample" }, "▶");
  if (batched) append(root, h("div", { class: "stepper" }, prev, next, label));

  // Forward pass of this weight: Input × Weight (before the commit) = Product.
  const fwdBody = h("tbody");
  // Update, per sample: Input × Blame = Leverage, Cum., contribution bar.
  const updBody = h("tbody");
  const maxLev = Math.max(1e-300, ...tr.rows.map((r) => Math.abs(r.leverage)));
  const rowEls: [HTMLTableRowElement, HTMLTableRowElement][] = [];
  tr.rows.forEach((r, i) => {
    const f = h("tr", { "data-sample": r.sample }, num(r.input), num(c.before), num(r.input * c.before));
    const fill = h("span", { class: r.leverage >= 0 ? "pos" : "neg" });
    fill.style.width = `${Math.round((Math.abs(r.leverage) / maxLev) * 30)}px`; // CSSOM, allowed under a strict CSP
    const bar = h("span", { class: "bar", title: `contribution ${fmt((r.leverage / (c.batchTotal || 1)) * 100)} % of the batch total`, role: "img", "aria-label": `leverage ${fmt(r.leverage)}` }, fill);
    const u = h("tr", { class: "sample-row", tabindex: 0, "data-sample": r.sample, "data-index": i }, h("td", { class: "num" }, String(r.sample)), num(r.input), num(r.blame), num(r.leverage, { class: "num leverage" }), num(r.cumulative, { class: "num cum" }), h("td", {}, bar));
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
  const forward = h("section", { class: "forward" }, h("h4", {}, "Forward pass"), h("table", {}, h("thead", {}, h("tr", {}, th("Input"), th("× Weight", "the weight before this commit"), th("= Product"))), fwdBody));
  const update = h(
    "section",
    { class: `update ${batched ? "pending" : "committed"}` },
    h("h4", {}, "Update, per sample", h("span", { class: "badge" }, batched ? "Pending" : "Committed")),
    h("table", {}, h("thead", {}, h("tr", {}, th("sample"), th("Input"), th("× Blame"), th("= Leverage"), th("Cum.", "the blame bank after this sample"), th(""))), updBody),
  );

  // Commit, per batch: BatchTot / Count = Avg, then the strategy's audit columns.
  const auditCols = c.audit ? Object.entries(c.audit) : [];
  const commitRow = h("tr", {}, num(c.batchTotal, { class: "num batch-total" }), num(c.count, { class: "num count" }), num(c.avg, { class: "num avg" }), ...auditCols.map(([k, v]) => num(v, { class: "num audit", "data-column": k })));
  const commit = h(
    "section",
    { class: "commit committed" },
    h("h4", {}, `Commit, per batch (t=${tr.t})`, h("span", { class: "badge" }, "Committed")),
    h("table", {}, h("thead", {}, h("tr", {}, th("BatchTot"), th("/ Count"), th("= Avg"), ...auditCols.map(([k]) => th(k)))), h("tbody", {}, commitRow)),
    c.audit ? null : h("div", { class: "muted" }, "audit columns: this NeuroForge does not know the strategy"),
  );
  const standard = h(
    "section",
    { class: "standard committed" },
    h("h4", {}, "Weight"),
    h("table", {}, h("thead", {}, h("tr", {}, th("LR"), th("Adj"), th("Before"), th("After"))), h("tbody", {}, h("tr", {}, num(c.lr, { class: "num lr" }), num(c.adjustment, { class: "num adj" }), num(c.before, { class: "num before" }), num(c.after, { class: "num after" })))),
    h("div", { class: "muted check" }, `Before − Adj = ${fmt(c.before)} − ${fmt(c.adjustment)} = ${fmt(c.before - c.adjustment)}`),
    c.recomputedAdjustment !== null && c.recomputedAdjustment !== c.adjustment ? h("div", { class: "error" }, `recomputed Adj ${fmt(c.recomputedAdjustment)} differs from the recorded ${fmt(c.adjustment)}`) : null,
  );
  append(root, h("div", { class: "panels" }, forward, update, commit, standard), h("div", { class: "formula" }, tr.strategy.formula));

  function select(i: number, focus = false): void {
    current = i;
    rowEls.forEach(([f, u], k) => {
      for (const el of [f, u]) {
        el.classList.toggle("current", batched && k === i);
        el.classList.toggle("later", batched && k > i);
      }
      u.setAttribute("aria-selected", String(batched && k === i));
    });
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
