/**
 * Pure mapping of kernel messages to notebook output items (no `vscode` import, so it is unit-tested in
 * plain Node). controller.ts wraps these plain items into vscode.NotebookCellOutputItem.
 */
import type { KernelMessage } from "../../kernel/runtime/kernel/protocol";

export interface PlainOutputItem {
  readonly mime: string;
  /**
   * "json": `value` is any JSON value (NotebookCellOutputItem.json); "text": `value` is a string;
   * "bytes": `value` is a Uint8Array (binary types, which Jupyter bundles carry as base64 text).
   */
  readonly kind: "json" | "text" | "bytes";
  readonly value: unknown;
}

const NEUROFORGE_PREFIX = "application/vnd.neuroforge.";

/** JSON-valued MIME types (Jupyter's rule: application/json and every +json type). */
export function isJsonMime(mime: string): boolean {
  return mime === "application/json" || mime.endsWith("+json");
}

/** Binary MIME types (images but SVG, audio, video, PDF): base64 text in a Jupyter bundle, bytes for VS Code. */
export function isBinaryMime(mime: string): boolean {
  return (/^(image|audio|video)\//.test(mime) && mime !== "image/svg+xml") || mime === "application/pdf";
}

/**
 * A MIME bundle → output items, our custom types first, then the other rich types in bundle order,
 * text/plain last (VS Code picks the first type it has a renderer for, in the order of the items,
 * unless the user chose otherwise).
 */
export function bundleToItems(bundle: Readonly<Record<string, unknown>>): PlainOutputItem[] {
  const rank = (mime: string) => (mime.startsWith(NEUROFORGE_PREFIX) ? 0 : mime === "text/plain" ? 2 : 1);
  return Object.keys(bundle)
    .map((mime, order) => ({ mime, order }))
    .sort((a, b) => rank(a.mime) - rank(b.mime) || a.order - b.order)
    .map(({ mime }) => {
      const value = bundle[mime];
      if (isJsonMime(mime)) return { mime, kind: "json" as const, value };
      if (isBinaryMime(mime) && typeof value === "string") return { mime, kind: "bytes" as const, value: new Uint8Array(Buffer.from(value, "base64")) };
      return { mime, kind: "text" as const, value: Array.isArray(value) ? value.join("") : String(value) };
    });
}

/** The error output of a failed cell: what VS Code shows as name, message and stack. */
export function errorOf(m: Extract<KernelMessage, { type: "error" }>): { name: string; message: string; stack: string } {
  return { name: m.ename, message: m.evalue, stack: m.traceback.join("\n") };
}

/** The error output of a cell queued behind one whose kernel process died: it was not run. */
export const NOT_RUN_AFTER_DEATH: Readonly<{ name: string; message: string }> = {
  name: "NotRun",
  message: "Not run: the kernel process died while an earlier cell ran (see that cell). Run this cell again to start a new kernel process.",
};

/** The kernelspec of a notebook's metadata, wherever the ipynb serializer puts it (it moved between VS Code versions). */
export function kernelspecName(metadata: unknown): string | undefined {
  const md = (metadata ?? {}) as Record<string, any>;
  const spec = md.metadata?.kernelspec ?? md.custom?.metadata?.kernelspec ?? md.kernelspec;
  return typeof spec?.name === "string" ? spec.name : undefined;
}

/** Notebooks whose kernelspec is `neuroforge` prefer our controller. */
export function prefersNeuroForge(metadata: unknown): boolean {
  return kernelspecName(metadata) === "neuroforge";
}

export type KernelState = "not started" | "starting" | "idle" | "busy" | "interrupting" | "restarting" | "dead";

/** The status bar text of a kernel state (codicons). */
export function statusText(state: KernelState): string {
  const icon: Record<KernelState, string> = {
    "not started": "$(circle-outline)",
    starting: "$(loading~spin)",
    idle: "$(circle-large-outline)",
    busy: "$(circle-large-filled)",
    interrupting: "$(debug-pause)",
    restarting: "$(loading~spin)",
    dead: "$(error)",
  };
  return `${icon[state]} NeuroForge: ${state}`;
}
