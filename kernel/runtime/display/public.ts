/** The display part of the `neuroforge` module. */
export { MIME, toMimeBundle, type MimeBundle, type Displayable } from "./mime";
export { escapeHtml } from "./escape";
