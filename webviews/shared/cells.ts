/** Table cells for numbers: 4 significant digits shown, the full value in title (hover) and data-value. */
import { h } from "./dom";
import { fmt } from "./format";

export function num(x: number | null | undefined, extra: Record<string, string> = {}): HTMLTableCellElement {
  const full = x === null || x === undefined ? "" : String(x);
  return h("td", { class: "num", title: full, "data-value": full, ...extra }, fmt(x));
}

export function th(label: string, title?: string): HTMLTableCellElement {
  return h("th", title ? { title } : {}, label);
}
