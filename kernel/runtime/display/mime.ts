import { inspect } from "node:util";

/** A Jupyter MIME bundle: MIME type → content (string, or JSON for +json types). */
export type MimeBundle = Record<string, unknown>;

/** Our custom MIME types (rendered by the VS Code extension; every bundle also carries fallbacks). */
export const MIME = {
  network: "application/vnd.neuroforge.network+json",
  audit: "application/vnd.neuroforge.audit+json",
  neuron: "application/vnd.neuroforge.neuron+json",
  signals: "application/vnd.neuroforge.signals+json",
  progress: "application/vnd.neuroforge.progress+json",
  health: "application/vnd.neuroforge.health+json",
  run: "application/vnd.neuroforge.run+json",
  comparison: "application/vnd.neuroforge.comparison+json",
  vegaLite: "application/vnd.vegalite.v5+json",
} as const;

/** Objects that know how to display themselves implement this method. */
export const toMimeBundle: unique symbol = Symbol.for("neuroforge.toMimeBundle") as never;

export interface Displayable {
  [toMimeBundle](): MimeBundle;
}

export function isDisplayable(x: unknown): x is Displayable {
  return typeof x === "object" && x !== null && typeof (x as Partial<Displayable>)[toMimeBundle] === "function";
}

/** Plain-text rendering of any value (what a cell shows when nothing richer is known). */
export function plainText(value: unknown): string {
  return typeof value === "string" ? inspect(value) : inspect(value, { depth: 3, maxArrayLength: 20, breakLength: 100 });
}
