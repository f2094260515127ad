/**
 * The .nfrun editor's UI: renders the host's messages (webviews/shared/messages.ts). Runs, status,
 * config hash, a loss chart per run; for a bad file an error panel with the reader's message.
 */
import { append, h, style } from "../shared/dom";
import { fmt } from "../shared/format";
import type { RunFileMessage, RunSummary } from "../shared/messages";
import { THEME_CSS } from "../shared/theme";

const CSS = `
.nf-editor { padding: 8px 16px; }
.nf-editor .run { border: 1px solid var(--vscode-panel-border, #8884); padding: 8px; margin: 8px 0; }
.nf-editor dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 4px 0; }
.nf-editor dt { color: var(--vscode-descriptionForeground, #666); }
.nf-editor dd { margin: 0; font-family: var(--vscode-editor-font-family, monospace); }
.nf-editor .status-completed { color: var(--vscode-charts-green, #388a34); }
.nf-editor .status-failed, .nf-editor .status-interrupted { color: var(--vscode-charts-orange, #d18616); }
.nf-editor .error-panel { border: 1px solid var(--vscode-inputValidation-errorBorder, #be1100); background: var(--vscode-inputValidation-errorBackground, #f2dede); padding: 8px 12px; }
.nf-editor pre { max-height: 240px; overflow: auto; background: var(--vscode-textCodeBlock-background, #8881); padding: 4px; }
`;

/** Draws a loss curve into an element (vega-embed in the webview; tests pass their own or none). */
export type ChartFn = (element: HTMLElement, run: RunSummary) => void | Promise<void>;

export function renderMessage(msg: RunFileMessage, root: HTMLElement, chart?: ChartFn): void {
  root.replaceChildren(style(THEME_CSS + CSS));
  root.classList.add("nf", "nf-editor");
  if (msg.type === "error") {
    append(
      root,
      h(
        "div",
        { class: "error-panel", role: "alert" },
        h("h2", {}, "This file cannot be shown"),
        h("p", { class: "message" }, msg.message),
        h("p", { class: "muted" }, `${msg.file} · reason: ${msg.kind}`),
      ),
    );
    return;
  }
  append(root, h("h2", {}, msg.file), h("p", { class: "muted summary" }, `${msg.runs.length} run${msg.runs.length === 1 ? "" : "s"} · ${(msg.bytes / 1024).toFixed(1)} KiB · read-only`));
  for (const run of msg.runs) {
    const chartEl = h("div", { class: "chart", role: "img", "aria-label": `loss per commit of run ${run.runId}` });
    const hyper = Object.entries(run.hyperparameters)
      .map(([k, v]) => `${k}=${typeof v === "object" ? JSON.stringify(v) : String(v)}`)
      .join(", ");
    const field = (k: string, v: string, cls?: string) => [h("dt", {}, k), h("dd", cls ? { class: cls } : {}, v)];
    append(
      root,
      h(
        "section",
        { class: "run", "data-run-id": run.runId, tabindex: 0 },
        h("h3", {}, `Run ${run.runId}`),
        h(
          "dl",
          {},
          ...field("status", run.status, `status status-${run.status}`),
          ...field("created", run.createdAt),
          ...field("duration", run.seconds === null ? "–" : `${fmt(run.seconds)} s`),
          ...field("model", run.architecture),
          ...field("loss", run.loss),
          ...field("optimizer", `${run.strategy.name} (${hyper})`),
          ...field("batch size", String(run.batchSize)),
          ...field("progress", `${run.epochsDone} epochs · ${run.commits} commits · ${run.samplesSeen} samples`),
          ...field("final loss", fmt(run.finalLoss), "final-loss"),
          ...field("seed", run.seed === null ? "–" : String(run.seed)),
          ...field("engine", run.engineVersion),
          ...field("config hash", `${run.configHash}${run.hashMatches ? "" : "  ⚠ does not match the stored config"}`, run.hashMatches ? "hash" : "hash error"),
        ),
        h("div", { class: "formula muted" }, run.strategy.formula),
        chartEl,
        run.events.length ? h("details", {}, h("summary", {}, `${run.events.length} events`), h("ul", {}, ...run.events.map((e) => h("li", {}, `${e.t === null ? "" : `t=${e.t} `}${e.kind}: ${e.message}`)))) : null,
        h("details", {}, h("summary", {}, "config"), h("pre", { class: "config" }, run.configJson)),
      ),
    );
    if (chart) {
      Promise.resolve(chart(chartEl, run)).catch((e: unknown) => append(chartEl, h("div", { class: "error" }, `chart failed: ${e instanceof Error ? e.message : String(e)}`)));
    }
  }
}
