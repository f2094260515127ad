import type { RunInfo } from "../../record/reader-types";
import { escapeHtml, fmt } from "./escape";
import { MIME, type MimeBundle } from "./mime";

/** Whether a value is a reader's RunInfo (it carries no `kind` tag, so recognise it by shape). */
export function isRunInfo(x: object): x is RunInfo {
  const o = x as Partial<RunInfo>;
  return typeof o.runId === "string" && typeof o.configHash === "string" && typeof o.strategy === "object" && Array.isArray(o.layers);
}

/** A recorded run at a glance: status, architecture, optimizer, progress and the config hash. */
export function runBundle(run: RunInfo): MimeBundle {
  const architecture = [String(run.inputs), ...run.layers.map((l) => `${l.units} ${l.activation}`)].join(" → ");
  const hyper = Object.entries(run.hyperparameters)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(", ");
  const rows: [string, string][] = [
    ["status", run.status],
    ["network", architecture],
    ["loss", run.loss],
    ["optimizer", `${run.strategy.name} (${hyper})`],
    ["formula", run.strategy.formula],
    ["batch size", String(run.batchSize)],
    ["epochs done", String(run.epochsDone)],
    ["commits", String(run.commits)],
    ["final loss", run.finalLoss === null ? "—" : fmt(run.finalLoss)],
    ["seed", run.seed === null ? "—" : String(run.seed)],
    ["config sha256", run.configHash],
    ["engine", run.engineVersion],
  ];
  const head = `run ${run.runId}`;
  const html =
    `<div class="neuroforge-run"><div><b>${escapeHtml(head)}</b></div><table><tbody>` +
    rows.map(([k, v]) => `<tr><th style="text-align:left">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join("") +
    `</tbody></table></div>`;
  const text = [head, ...rows.map(([k, v]) => `  ${k.padEnd(13)} ${v}`)].join("\n");
  return { [MIME.run]: run, "text/html": html, "text/plain": text };
}
