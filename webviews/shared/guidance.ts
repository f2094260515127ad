/**
 * A strategy's formula and its own words about it (declared by every strategy: description, when to use
 * it, what it is best for), for the audit popup's formula area and the .nfrun editor's run header.
 * Text nodes only: a run file's strings never become markup.
 */
import { h } from "./dom";

/** What a strategy says about itself (the reader's StrategyInfo, or the editor message's optimizer). */
export interface Guided {
  readonly formula: string;
  readonly description?: string | null;
  readonly whenToUse?: string | null;
  readonly bestFor?: string | null;
}

export function strategyGuidance(s: Guided): HTMLElement {
  const terms: [string, string, string | null | undefined][] = [
    ["description", "What it does", s.description],
    ["when-to-use", "When to use it", s.whenToUse],
    ["best-for", "Best for", s.bestFor],
  ];
  const shown = terms.filter(([, , text]) => typeof text === "string" && text.length > 0);
  return h(
    "div",
    { class: "formula" },
    h("div", { class: "formula-text" }, s.formula),
    shown.length
      ? h("dl", { class: "guidance" }, ...shown.flatMap(([cls, label, text]) => [h("dt", { class: cls }, `${label}:`), h("dd", { class: cls }, text!)]))
      : null,
  );
}
