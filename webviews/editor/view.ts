/**
 * The .nfrun editor's UI: renders the host's file message (webviews/shared/messages.ts). For a good
 * file with several runs, the comparison (../shared/compare/: the run list by name, sortable, the
 * selected runs' curves overlaid, parallel coordinates, main effects); a run picker (every run of the
 * file: name, status, optimizer, progress, final loss) and the chosen
 * run (./run.ts); for a bad file an error panel with the reader's message; for a damaged one (./damage.ts,
 * found on opening or by any later query) the notice that it is damaged and how to check it.
 */
import { append, h, style } from "../shared/dom";
import { fmt } from "../shared/format";
import type { RunFileMessage } from "../shared/messages";
import { THEME_CSS } from "../shared/theme";
import { damageNotice, isDamage, verifyHint } from "./damage";
import { EDITOR_CSS } from "./style";
import { renderRun, type RunView, type RunViewDeps } from "./run";
import { renderCompare, type DrawSpec } from "../shared/compare/compare-view";

/** The run view's deps, and how the comparison draws its charts (without it, or without a host, no comparison). */
export interface EditorDeps extends RunViewDeps {
  readonly drawSpec?: DrawSpec;
}

/** The shown run's view per root, so a re-render (the file changed) stops its playback and keeps its place. */
const shown = new WeakMap<HTMLElement, { readonly runId: string; readonly view: RunView }>();
/** The file each root shows (for the damage notice's `neuroforge verify`). */
const files = new WeakMap<HTMLElement, string>();

/**
 * A query found damage in the shown file: the notice goes above its runs, once (a file re-sent after a
 * change starts without it). Errors that are not damage are left to the view that asked.
 */
export function reportDamage(root: HTMLElement, error: { readonly kind: string; readonly message: string }): void {
  const file = files.get(root);
  if (file === undefined || !isDamage(error.kind) || root.querySelector(".damage-panel")) return;
  root.querySelector("style")!.after(damageNotice(file, error.message));
}

export function renderMessage(msg: RunFileMessage, root: HTMLElement, deps: EditorDeps = {}): void {
  let before = shown.get(root);
  before?.view.dispose();
  shown.delete(root);
  const previous = root.getAttribute("data-selected-run");
  root.replaceChildren(style(THEME_CSS + EDITOR_CSS));
  root.classList.add("nf", "nf-editor");
  files.set(root, msg.file);
  if (msg.type === "error") {
    root.removeAttribute("data-selected-run");
    const damaged = isDamage(msg.kind);
    append(
      root,
      h(
        "div",
        { class: `error-panel${damaged ? " damage-panel" : ""}`, role: "alert" },
        h("h2", {}, damaged ? "This file is damaged" : "This file cannot be shown"),
        h("p", { class: "message" }, msg.message),
        h("p", { class: "muted" }, `${msg.file} · reason: ${msg.kind}`),
        damaged ? verifyHint(msg.file) : null,
      ),
    );
    return;
  }
  append(root, h("h2", {}, msg.file), h("p", { class: "muted summary" }, `${msg.runs.length} run${msg.runs.length === 1 ? "" : "s"} · ${(msg.bytes / 1024).toFixed(1)} KiB · read-only`));
  if (msg.runs.length === 0) {
    append(root, h("p", { class: "muted" }, "This file holds no runs yet."));
    return;
  }
  const compared = new Map(msg.comparison.runs.map((r) => [r.runId, r]));
  const picker = h("select", { class: "run-picker", "aria-label": "run" });
  for (const run of msg.runs) {
    const c = compared.get(run.runId);
    picker.append(h("option", { value: run.runId }, `${c?.name ?? run.runId} · ${c?.state ?? run.status} · ${run.strategy.name} · ${run.epochsDone} epochs, ${run.commits} commits · final loss ${fmt(run.finalLoss)}`));
  }
  const slot = h("div", { class: "run-slot" });
  const { host, drawSpec } = deps;
  if (msg.runs.length > 1 && host && drawSpec) {
    const compare = renderCompare(msg.comparison, {
      draw: drawSpec,
      overlay: (runIds) => host.ask({ kind: "overlay", runId: runIds[0]!, runIds }),
      onOpen: (runId) => {
        show(runId);
        picker.focus();
      },
    });
    append(root, compare.root);
  }
  append(root, h("label", { class: "picker" }, "run ", picker), slot);
  const show = (runId: string) => {
    shown.get(root)?.view.dispose();
    const run = msg.runs.find((r) => r.runId === runId) ?? msg.runs[msg.runs.length - 1]!;
    picker.value = run.runId;
    root.setAttribute("data-selected-run", run.runId);
    // The same run re-sent (a recording's checkpoint): the playback stays where it was.
    const place = before && before.runId === run.runId ? before.view.position() : null;
    before = undefined; // only the first run shown after a re-send keeps its place
    const view = renderRun(run, deps, place ?? undefined);
    shown.set(root, { runId: run.runId, view });
    slot.replaceChildren(view.section);
  };
  picker.addEventListener("change", () => show(picker.value));
  // The run shown before the file changed stays chosen; else the newest run.
  show(previous ?? msg.runs[msg.runs.length - 1]!.runId);
}
