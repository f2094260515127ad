/**
 * The .nfrun editor's word for a damaged file: when what the reader found is impossible for a recorder
 * to have written (the reader's 'corrupt' error: sizes, counts, undecodable chunks, values out of range)
 * or the file is cut short ('truncated'), the editor says the file is damaged and names the command
 * that checks all of it. Other failures (not a run file, a newer schema, …) are not damage.
 */
import { h } from "../shared/dom";

const DAMAGE_KINDS: ReadonlySet<string> = new Set(["corrupt", "truncated"]);

/** Whether a reader/query error kind means the file's contents are damaged. */
export const isDamage = (kind: string): boolean => DAMAGE_KINDS.has(kind);

/** The shell command that checks every run of `file` (quoted when it needs to be). */
export function verifyCommand(file: string): string {
  return `neuroforge verify ${/^[\w./@+-]+$/.test(file) ? file : `'${file.replace(/'/g, `'\\''`)}'`}`;
}

/** The sentence pointing at `neuroforge verify`. */
export function verifyHint(file: string): HTMLElement {
  return h("p", { class: "verify-hint" }, "To check every run in it: ", h("code", { class: "verify" }, verifyCommand(file)));
}

/** The notice shown above a file's runs when a query finds damage in it. */
export function damageNotice(file: string, message: string): HTMLElement {
  return h("div", { class: "damage-panel", role: "alert" }, h("h2", {}, "This file is damaged"), h("p", { class: "message" }, message), verifyHint(file));
}
