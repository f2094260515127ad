import type { WeightTrace } from "../../record/reader-types";
import { escapeHtml, fmt } from "./escape";
import { MIME, type MimeBundle } from "./mime";

/**
 * One weight at one commit (the reader's weightTrace): per sample Input × Blame = Leverage and the blame
 * bank (Cum.), then the commit: BatchTot / Count = Avg, the strategy's audit columns, LR, Adj, Before → After.
 */
export function auditBundle(trace: WeightTrace): MimeBundle {
  const c = trace.commit;
  const where = `layer ${trace.layer}, neuron ${trace.neuron}, weight ${trace.weight}`;
  const head = `${where} at commit t=${trace.t} (epoch ${trace.epoch}, batch ${trace.batch}), ${trace.strategy.name}`;
  const sampleRows = trace.rows.map((r) => [r.sample, fmt(r.input), fmt(r.blame), fmt(r.leverage), fmt(r.cumulative)]);
  const auditCols = c.audit ? Object.entries(c.audit) : [];
  const commitCells: [string, string][] = [
    ["BatchTot", fmt(c.batchTotal)],
    ["Count", String(c.count)],
    ["Avg", fmt(c.avg)],
    ...auditCols.map(([k, v]) => [k, fmt(v)] as [string, string]),
    ["LR", fmt(c.lr)],
    ["Adj", fmt(c.adjustment)],
    ["Before", fmt(c.before)],
    ["After", fmt(c.after)],
  ];
  const th = (s: string) => `<th>${escapeHtml(s)}</th>`;
  const td = (s: string | number) => `<td style="text-align:right">${escapeHtml(s)}</td>`;
  const html =
    `<div class="neuroforge-audit"><div><b>${escapeHtml(head)}</b></div>` +
    `<table><thead><tr>${["sample", "Input", "× Blame", "= Leverage", "Cum."].map(th).join("")}</tr></thead><tbody>` +
    sampleRows.map((r) => `<tr>${r.map(td).join("")}</tr>`).join("") +
    `</tbody></table><table><thead><tr>${commitCells.map(([k]) => th(k)).join("")}</tr></thead>` +
    `<tbody><tr>${commitCells.map(([, v]) => td(v)).join("")}</tr></tbody></table>` +
    `<div><code>${escapeHtml(trace.strategy.formula)}</code></div></div>`;
  const text = [
    head,
    "  sample      input      blame   leverage       cum.",
    ...sampleRows.map((r) => r.map((v) => String(v).padStart(10)).join(" ")),
    `  commit: ${commitCells.map(([k, v]) => `${k} ${v}`).join(", ")}`,
  ].join("\n");
  return { [MIME.audit]: trace, "text/html": html, "text/plain": text };
}
