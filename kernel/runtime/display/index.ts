/** Rich display of engine objects: one small file per displayable, each giving a MIME bundle with fallbacks. */
import { Model } from "../../engine/model";
import { isDisplayable, plainText, toMimeBundle, type MimeBundle } from "./mime";

export { MIME, toMimeBundle, isDisplayable, plainText, type MimeBundle, type Displayable } from "./mime";
export { escapeHtml } from "./escape";

/** The MIME bundle a value displays as. */
export function mimeBundleOf(value: unknown): MimeBundle {
  if (isDisplayable(value)) return value[toMimeBundle]();
  if (value instanceof Model) return networkBundle(value);
  return { "text/plain": plainText(value) };
}

// Filled in by the per-displayable modules (kept as late imports to avoid a cycle).
import { networkBundle } from "./network";
