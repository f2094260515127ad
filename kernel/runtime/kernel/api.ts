/**
 * What `import { … } from "neuroforge"` gives a notebook cell: the engine, the run database (record),
 * and display. Inside the kernel, `Trainer` is the engine's Trainer plus the kernel's observer
 * (interrupt within a sample, one progress display for a long `fit`); elsewhere it is the same class
 * behaviour as the engine's.
 */
import { defineStrategy as engineDefineStrategy, type HyperValue, type Strategy, type StrategyDeclaration } from "../../engine/optimizers/strategy";
import { noteCellSource } from "../../record/strategy-registry";
import { mimeBundleOf, type MimeBundle } from "../display/index";
import { helperBundles } from "../display/raw";
import { kernelHooks } from "./hooks";

export * from "../../engine/index";
export * from "../../record/index";
export * from "../display/public";
export * from "./experiments";
export * from "./sweeps";
export { Trainer } from "./trainer";

/**
 * The engine's defineStrategy; inside the kernel it also notes the cell that defined the strategy, whose
 * text a recorded run stores beside the strategy's fingerprint (docs/optimizers.md).
 */
export function defineStrategy<H extends Record<string, HyperValue>, W extends string = never, N extends string = never, G extends string = never>(
  declaration: StrategyDeclaration<H, W, N, G>,
): Strategy {
  const strategy = engineDefineStrategy(declaration);
  const hooks = kernelHooks.current;
  if (hooks) noteCellSource(strategy, hooks.cellSource());
  return strategy;
}

/** Values carrying this symbol are not shown as a cell's result. */
export const quietResult: unique symbol = Symbol.for("neuroforge.quietResult") as never;

/** A display handle: `update` replaces the output in place. */
export interface DisplayHandle {
  readonly id: string;
  update(value: unknown): void;
}

/**
 * Shows `value` as a rich output (the same as being a cell's last expression) and returns a handle whose
 * `update` replaces it in place. A plain object whose keys are MIME types is shown as that bundle
 * (`display({"image/png": base64, "text/plain": "…"})`). Outside the kernel it prints the text/plain form.
 */
function show(value: unknown): DisplayHandle {
  const hooks = kernelHooks.current;
  if (!hooks) {
    console.log(String(mimeBundleOf(value)["text/plain"] ?? ""));
    return { id: "", update: (v) => console.log(String(mimeBundleOf(v)["text/plain"] ?? "")) };
  }
  const id = hooks.display(value);
  const handle = { id, update: (v: unknown) => void hooks.display(v, { displayId: id, update: true }) };
  // A cell ending in `display(x)` shows x once, not also the handle.
  Object.defineProperty(handle, quietResult, { value: true });
  return handle;
}

/** `display(x)`, and one helper per MIME type (each bundle gets a text/plain fallback). */
export interface Display {
  (value: unknown): DisplayHandle;
  html(html: string): DisplayHandle;
  markdown(markdown: string): DisplayHandle;
  svg(svg: string): DisplayHandle;
  /** PNG bytes, or their base64 text. */
  png(png: string | Uint8Array): DisplayHandle;
  jpeg(jpeg: string | Uint8Array): DisplayHandle;
}

export const display: Display = Object.assign(show, {
    html: (html: string) => show(helperBundles.html(html)),
    markdown: (markdown: string) => show(helperBundles.markdown(markdown)),
    svg: (svg: string) => show(helperBundles.svg(svg)),
    png: (png: string | Uint8Array) => show(helperBundles.png(png)),
    jpeg: (jpeg: string | Uint8Array) => show(helperBundles.jpeg(jpeg)),
  });

/** The MIME bundle `display` would send for a value. */
export function mimeBundle(value: unknown): MimeBundle {
  return mimeBundleOf(value);
}
