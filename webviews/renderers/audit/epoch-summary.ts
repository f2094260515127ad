/**
 * The epoch summary of one weight (seed 001's "full epoch summary"): start → end value over the epoch,
 * Σ Adj and its check, every commit's Avg and Adj (with a bar; the shown commit highlighted), and the
 * samples whose leverage weighed most in the commits' Avg (leverage / count, with their share).
 */
import type { EpochSummary } from "../../../kernel/runtime/display/epoch-summary";
import { bar } from "../../shared/bar";
import { num, th } from "../../shared/cells";
import { append, h } from "../../shared/dom";
import { fmt } from "../../shared/format";

/** Commit rows shown at most (a window around the shown commit). */
export const MAX_COMMIT_ROWS = 40;

export type Summary = Omit<EpochSummary, "runId">;

export function epochSummaryPanel(e: Summary, currentT: number): HTMLElement {
  const n = e.commits.length;
  const cur = Math.max(0, e.commits.findIndex((c) => c.t === currentT));
  const from = n <= MAX_COMMIT_ROWS ? 0 : Math.min(n - MAX_COMMIT_ROWS, Math.max(0, cur - MAX_COMMIT_ROWS / 2));
  const shown = e.commits.slice(from, from + MAX_COMMIT_ROWS);
  const maxAdj = e.commits.reduce((m, c) => Math.max(m, Math.abs(c.adjustment)), 0);
  const commits = h("tbody");
  for (const c of shown) {
    commits.append(
      h(
        "tr",
        { class: c.t === currentT ? "epoch-commit current" : "epoch-commit", "data-t": c.t },
        h("td", { class: "num" }, String(c.t)),
        h("td", { class: "num" }, String(c.batch)),
        num(c.count),
        num(c.avg, { class: "num avg" }),
        num(c.adjustment, { class: "num adj" }),
        num(c.after, { class: "num after" }),
        h("td", {}, bar(-c.adjustment, maxAdj, { "aria-label": `change ${fmt(-c.adjustment)}` })),
      ),
    );
  }
  const top = h("tbody");
  for (const s of e.top) {
    const share = e.contributionAbsSum > 0 ? Math.abs(s.contribution) / e.contributionAbsSum : 0;
    top.append(h("tr", { class: "top-sample", "data-sample": s.sample }, h("td", { class: "num" }, String(s.sample)), h("td", { class: "num" }, String(s.t)), num(s.leverage, { class: "num leverage" }), num(s.contribution, { class: "num contribution" }), num(share * 100, { class: "num share" })));
  }
  const check = e.start - e.adjustmentSum;
  const sec = h(
    "section",
    { class: "epoch-summary" },
    h("h4", {}, `Epoch ${e.epoch} summary · this weight`),
    h(
      "div",
      { class: "totals" },
      `${n} commit${n === 1 ? "" : "s"}, ${e.samples} samples · `,
      h("span", { class: "num start", "data-value": String(e.start), title: String(e.start) }, fmt(e.start)),
      " → ",
      h("span", { class: "num end", "data-value": String(e.end), title: String(e.end) }, fmt(e.end)),
      " · Σ Adj ",
      h("span", { class: "num adj-sum", "data-value": String(e.adjustmentSum), title: String(e.adjustmentSum) }, fmt(e.adjustmentSum)),
    ),
    h("div", { class: "muted check" }, `start − Σ Adj = ${fmt(e.start)} − ${fmt(e.adjustmentSum)} = ${fmt(check)}`, Math.abs(check - e.end) > 1e-9 * Math.max(1, Math.abs(e.end)) ? ` (the end differs: a Lookahead sync or a gap moved the weight)` : ""),
  );
  append(
    sec,
    h("div", { class: "panels" },
      h("div", {},
        n > shown.length ? h("div", { class: "muted" }, `commits t=${shown[0]!.t} … ${shown[shown.length - 1]!.t} of ${n}`) : null,
        h("table", { class: "epoch-commits" }, h("thead", {}, h("tr", {}, th("t"), th("batch"), th("Count"), th("Avg"), th("Adj"), th("After"), th("change"))), commits),
      ),
      h("div", {},
        h("div", { class: "muted" }, "largest contributions to the commits' Avg"),
        h("table", { class: "top-samples" }, h("thead", {}, h("tr", {}, th("sample"), th("t"), th("Leverage"), th("/ Count", "leverage / count: this sample's part of its commit's Avg"), th("% of Σ|·|", "share of the epoch's summed |leverage / count|"))), top),
      ),
    ),
  );
  return sec;
}
