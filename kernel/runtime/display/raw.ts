/**
 * MIME bundles given as they are (`display({"image/png": base64, "text/plain": "…"})`, as Jupyter
 * carries them) and the `display.html/markdown/svg/png/jpeg` helpers' bundles. Content is the user's own
 * and shown as given (HTML is not escaped: that is what asking for text/html means); a text/plain
 * fallback is added when the bundle has none.
 */
import type { MimeBundle } from "./mime";

const MIME_KEY = /^[a-z]+\/[a-z0-9.+-]+$/i;

/** A plain object whose keys are all MIME types: shown as that bundle, not inspected as an object. */
export function isRawBundle(value: unknown): value is MimeBundle {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  const keys = Object.keys(value);
  return keys.length > 0 && keys.every((k) => MIME_KEY.test(k));
}

/** The bundle with a text/plain fallback naming what it holds when none was given. */
export function rawBundle(bundle: MimeBundle): MimeBundle {
  if ("text/plain" in bundle) return { ...bundle };
  return { ...bundle, "text/plain": `<${Object.keys(bundle).join(", ")} output>` };
}

/** Base64 text of image bytes (Jupyter carries binary MIME types as base64). */
function base64(data: string | Uint8Array): string {
  return typeof data === "string" ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("base64");
}

/** The bundles of `display.html(…)` and its siblings. */
export const helperBundles = {
  html: (html: string): MimeBundle => rawBundle({ "text/html": html }),
  markdown: (markdown: string): MimeBundle => ({ "text/markdown": markdown, "text/plain": markdown }),
  svg: (svg: string): MimeBundle => rawBundle({ "image/svg+xml": svg }),
  /** PNG bytes, or their base64 text. */
  png: (png: string | Uint8Array): MimeBundle => rawBundle({ "image/png": base64(png) }),
  jpeg: (jpeg: string | Uint8Array): MimeBundle => rawBundle({ "image/jpeg": base64(jpeg) }),
};
