/**
 * A sweep object (`runSweep`) at a glance: the comparison views (run list by name, parallel coordinates,
 * main effects; the comparison renderer, with its Vega-Lite fallback) and, as the text and HTML every
 * notebook front end shows, a table with one row per member (its swept values, status, final metrics),
 * the best member, and the main effects of a balanced design (mean and S/N per level, ranked by range).
 */
import type { SweepObject } from "../../engine/sweep/sweep-object";
import { formatMainEffects } from "../sweep-report";
import { sweepComparison } from "./comparison";
import { escapeHtml, fmt } from "./escape";
import { toMimeBundle, type MimeBundle } from "./mime";

const valueText = (v: unknown): string => (typeof v === "string" ? v : JSON.stringify(v));
const metricText = (x: number | null): string => (x === null ? "—" : fmt(x));

export function sweepBundle(sweep: SweepObject): MimeBundle {
  const done = sweep.members.filter((m) => m.status === "completed").length;
  const budget = sweep.budget === undefined ? "" : ` of a budget of ${sweep.budget}`;
  const head = `sweep ${sweep.design} of ${sweep.experiment}: ${sweep.members.length} members${budget}, ${done} completed; sweep sha256 ${sweep.hash}`;
  const testLoss = sweep.members.some((m) => m.metrics.testLoss !== null);
  const columns = ["#", ...(sweep.design === "bandit" || sweep.design === "evolution" ? ["round"] : []), ...sweep.params, "status", "final loss", ...(testLoss ? ["test loss"] : [])];
  const rows = sweep.members.map((m) => [
    String(m.index),
    ...(columns[1] === "round" ? [String(m.round)] : []),
    ...sweep.params.map((p) => valueText(m.values[p])),
    m.status,
    metricText(m.metrics.loss),
    ...(testLoss ? [metricText(m.metrics.testLoss)] : []),
  ]);
  const best = sweep.members.find((m) => m.index === sweep.best);
  const bestLine = best ? `best: #${best.index} ${best.label} (final loss ${metricText(best.metrics.loss)})` : "best: none completed";
  const effects = sweep.effects ? formatMainEffects(sweep.effects) : [];

  const widths = columns.map((c, j) => rows.reduce((w, r) => Math.max(w, r[j]!.length), c.length));
  const line = (cells: readonly string[]) => `  ${cells.map((c, j) => c.padEnd(widths[j]!)).join("  ")}`.trimEnd();
  const text = [head, line(columns), ...rows.map(line), bestLine, ...effects].join("\n");

  const cell = (tag: "th" | "td", c: string) => `<${tag} style="text-align:left">${escapeHtml(c)}</${tag}>`;
  const table = (head: readonly string[], body: readonly (readonly string[])[]) =>
    `<table><thead><tr>${head.map((c) => cell("th", c)).join("")}</tr></thead><tbody>` +
    body.map((r) => `<tr>${r.map((c) => cell("td", c)).join("")}</tr>`).join("") +
    `</tbody></table>`;
  const effectRows = (sweep.effects ?? []).flatMap((f) => f.levels.map((l) => [f.factor, valueText(l.value), String(l.count), fmt(l.mean), fmt(l.sn)]));
  const html =
    `<div class="neuroforge-sweep"><div><b>${escapeHtml(head)}</b></div>` +
    table(columns, rows) +
    `<div>${escapeHtml(bestLine)}</div>` +
    (sweep.effects ? `<div><b>main effects on final loss</b> (S/N in dB, higher is better)</div>${table(["factor", "level", "n", "mean", "S/N"], effectRows)}` : "") +
    `</div>`;
  return { ...sweepComparison(sweep)[toMimeBundle](), "text/html": html, "text/plain": text };
}
