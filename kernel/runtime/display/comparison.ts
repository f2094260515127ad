/**
 * Runs compared as a notebook output (issue #15): `runComparison(reader)` — every run of a .nfrun (or the
 * given ones, e.g. a sweep's), compared as the .nfrun editor compares them (kernel/record/compare/). The
 * bundle: our payload (the comparison renderer: run list, overlay, parallel coordinates, main effects),
 * the parallel coordinates as Vega-Lite (JupyterLab draws it), an HTML table of the runs and the main
 * effects (Jupyter without our renderer, GitHub), and text.
 */
import * as path from "node:path";
import { compareRows, compareRuns } from "../../record/compare/compare";
import { rankedEffects } from "../../record/compare/effects-spec";
import { valueText } from "../../record/compare/names";
import { overlayPanels } from "../../record/compare/overlay";
import { parallelSpec } from "../../record/compare/parallel-spec";
import { METRIC_LABELS, type ComparisonPayload, type MetricKey } from "../../record/compare/types";
import type { NfrunReader } from "../../record/reader";
import { escapeHtml, fmt } from "./escape";
import { MIME, toMimeBundle, type Displayable, type MimeBundle } from "./mime";
import { formatMainEffects } from "../sweep-report";

/** The overlay embeds at most this many runs' curves (a saved notebook stays small); the list has them all. */
export const MAX_EMBEDDED_CURVES = 24;

const num = (x: number | null): string => (x === null ? "—" : fmt(x));

export class RunComparisonView implements Displayable {
  constructor(readonly payload: ComparisonPayload) {}

  [toMimeBundle](): MimeBundle {
    const { comparison: c, title } = this.payload;
    const head = ["run", "status", ...c.params.map((p) => p.label), ...c.metrics.map((m) => METRIC_LABELS[m])];
    const rows = c.runs.map((r) => [r.name, r.state, ...r.values.map(valueText), ...c.metrics.map((m) => num(r.metrics[m]))]);
    const table = (caption: string, h: readonly string[], body: readonly (readonly string[])[]) =>
      `<table><caption>${escapeHtml(caption)}</caption><thead><tr>${h.map((x) => `<th>${escapeHtml(x)}</th>`).join("")}</tr></thead><tbody>${body.map((r) => `<tr>${r.map((x) => `<td>${escapeHtml(x)}</td>`).join("")}</tr>`).join("")}</tbody></table>`;
    const effects = c.effects?.[c.metrics[0] ?? "loss"];
    const effectRows = rankedEffects(effects ?? []).flatMap((f) => f.levels.map((l) => [f.factor, valueText(l.value), String(l.count), fmt(l.mean), fmt(l.sn), f.best?.level === l.level ? "best" : ""]));
    const metric = METRIC_LABELS[c.metrics[0] ?? "loss"];
    return {
      [MIME.comparison]: this.payload,
      ...(c.params.length > 0 ? { [MIME.vegaLite]: parallelSpec(c, c.metrics[0] ?? "loss") } : {}),
      "text/html":
        table(title, head, rows) +
        (effects ? table(`main effects on ${metric} (${c.effectsNote})`, ["factor", "level", "runs", `mean ${metric}`, "S/N (dB)", ""], effectRows) : `<p>${escapeHtml(c.effectsNote)}</p>`),
      "text/plain": [title, ...rows.map((r) => `  ${r.join("  ")}`), ...(effects ? formatMainEffects(effects, metric) : [c.effectsNote])].join("\n"),
    };
  }
}

/** What a comparison needs of a sweep object (`runSweep`'s result, kernel/engine/sweep/sweep-object.ts). */
export interface SweepMembers {
  readonly experiment: string;
  readonly record?: string;
  readonly members: readonly {
    readonly index: number;
    readonly values: Readonly<Record<string, unknown>>;
    readonly status: string;
    readonly metrics: Readonly<Record<MetricKey, number | null>>;
    readonly runId?: string;
  }[];
}

/**
 * A sweep's members compared (names from the swept values, the same main effects and views); its curves
 * are in the run file, so the overlay names it.
 */
export function sweepComparison(sweep: SweepMembers): RunComparisonView {
  const comparison = compareRows(
    sweep.members.map((m) => ({
      runId: m.runId ?? `member ${m.index}`,
      state: m.status === "completed" || m.status === "interrupted" || m.status === "diverged" ? m.status : "failed",
      config: { name: sweep.experiment, ...m.values },
      metrics: m.metrics,
    })),
  );
  const curvesNote = sweep.record
    ? `a sweep output has no curves; runComparison(await NfrunReader.open(${JSON.stringify(sweep.record)})) overlays them`
    : "a sweep output has no curves, and this sweep was not recorded (record: \"sweep.nfrun\" keeps them)";
  return new RunComparisonView({ kind: "run-comparison", title: `${comparison.runs.length} members of the sweep ${sweep.experiment}`, comparison, overlay: { kind: "overlay", panels: [] }, embeddedCurves: 0, curvesNote });
}

/** The runs of `reader` (default: all of them, in the file's order) compared. */
export function runComparison(reader: NfrunReader, runIds: readonly string[] = reader.runIds()): RunComparisonView {
  const comparison = compareRuns(reader, runIds);
  const overlay = overlayPanels(reader, comparison.runs.slice(0, MAX_EMBEDDED_CURVES));
  const file = reader.path === undefined ? "runs" : path.basename(reader.path);
  return new RunComparisonView({ kind: "run-comparison", title: `${comparison.runs.length} runs of ${file}`, comparison, overlay, embeddedCurves: Math.min(MAX_EMBEDDED_CURVES, comparison.runs.length) });
}
