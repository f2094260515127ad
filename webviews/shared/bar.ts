/** A small signed bar (positive right in red, negative left in blue), width ∝ |value| / max; CSS in BAR_CSS. */
import { h } from "./dom";

export const BAR_CSS = `
.nf .bar { display: inline-block; width: 60px; height: 8px; position: relative; background: var(--vscode-editorWidget-background, #8882); vertical-align: middle; }
.nf .bar > span { position: absolute; top: 0; height: 8px; }
.nf .bar > span.pos { left: 50%; background: var(--vscode-charts-red, #d9534f); }
.nf .bar > span.neg { right: 50%; background: var(--vscode-charts-blue, #428bca); }
`;

export function bar(value: number, max: number, attrs: Record<string, string>): HTMLElement {
  const fill = h("span", { class: value >= 0 ? "pos" : "neg" });
  fill.style.width = `${Math.round((Math.abs(value) / (max || 1)) * 30)}px`; // CSSOM: allowed under a strict CSP
  return h("span", { class: "bar", role: "img", ...attrs }, fill);
}
