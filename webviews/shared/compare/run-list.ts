/**
 * The runs of a file (or of a sweep) as a table a person can read: one row per run, by name (experiment
 * + the overrides that differ), how it ended, the differing parameters and the final metrics; a click
 * on a column heading sorts by it (again: the other way), a checkbox selects the run for the overlay.
 */
import { METRIC_LABELS, type ComparedRun, type MetricKey, type ParamValue, type RunComparison } from "../../../kernel/record/compare/types";
import { h } from "../dom";
import { fmt } from "../format";

type Column = { readonly id: string; readonly label: string; readonly numeric: boolean; readonly value: (r: ComparedRun) => ParamValue };

export interface RunList {
  readonly root: HTMLElement;
  /** The selected runs, in the file's order. */
  selected(): string[];
}

export interface RunListOptions {
  /** Called with the selected run ids whenever the selection changes. */
  readonly onSelect: (runIds: string[]) => void;
  /** When given, each name is a button that shows that run (the .nfrun editor's run view). */
  readonly onOpen?: (runId: string) => void;
}

const text = (v: ParamValue): string => (typeof v === "number" ? fmt(v) : v === null ? "–" : String(v));

/** Ascending order of two cells: numbers by value, text by locale; missing values last either way. */
function compareCells(a: ParamValue, b: ParamValue): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
  return typeof a === "number" && typeof b === "number" ? a - b : String(a).localeCompare(String(b), undefined, { numeric: true });
}

export function renderRunList(c: RunComparison, options: RunListOptions): RunList {
  const columns: Column[] = [
    { id: "name", label: "run", numeric: false, value: (r) => r.name },
    { id: "status", label: "status", numeric: false, value: (r) => r.state },
    ...c.params.map((p, i) => ({ id: `param-${p.key}`, label: p.label, numeric: c.runs.every((r) => typeof r.values[i] === "number"), value: (r: ComparedRun) => r.values[i]! })),
    ...c.metrics.map((m: MetricKey) => ({ id: `metric-${m}`, label: METRIC_LABELS[m], numeric: true, value: (r: ComparedRun) => r.metrics[m] })),
  ];
  const chosen = new Set<string>();
  const body = h("tbody");
  const rows = new Map(
    c.runs.map((r) => {
      const box = h("input", { type: "checkbox", "aria-label": `select ${r.name}` });
      box.addEventListener("change", () => {
        if (box.checked) chosen.add(r.runId);
        else chosen.delete(r.runId);
        options.onSelect(list.selected());
      });
      const name = options.onOpen ? h("button", { type: "button", class: "link run-name", title: `show run ${r.runId}` }, r.name) : h("span", { class: "run-name" }, r.name);
      if (options.onOpen) name.addEventListener("click", () => options.onOpen!(r.runId));
      const cells = columns.slice(2).map((col) => h("td", col.numeric ? { class: "num", "data-value": String(col.value(r)) } : {}, text(col.value(r))));
      const row = h("tr", { "data-run-id": r.runId }, h("td", {}, box), h("td", { class: "name" }, name), h("td", { class: `state state-${r.state}` }, r.state), ...cells);
      return [r.runId, row] as const;
    }),
  );
  const heads = columns.map((col) => {
    const button = h("button", { type: "button", class: "sort" }, col.label);
    const th = h("th", { scope: "col", "data-column": col.id, "aria-sort": "none" }, button);
    button.addEventListener("click", () => sortBy(col, th));
    return th;
  });
  let order: ComparedRun[] = [...c.runs];
  function sortBy(col: Column, th: HTMLElement): void {
    const descending = th.getAttribute("aria-sort") === "ascending";
    for (const other of heads) other.setAttribute("aria-sort", "none");
    th.setAttribute("aria-sort", descending ? "descending" : "ascending");
    // Stable sort from the file's order, so ties keep the order the runs were recorded in.
    order = [...c.runs].sort((a, b) => {
      const [x, y] = [col.value(a), col.value(b)];
      if (x === null || y === null) return compareCells(x, y);
      return descending ? compareCells(y, x) : compareCells(x, y);
    });
    body.replaceChildren(...order.map((r) => rows.get(r.runId)!));
  }
  body.replaceChildren(...order.map((r) => rows.get(r.runId)!));
  const table = h("table", { class: "run-list", "aria-label": "runs" }, h("thead", {}, h("tr", {}, h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, "select")), ...heads)), body);
  const list: RunList = {
    root: h("div", { class: "run-list-wrap" }, table),
    selected: () => c.runs.filter((r) => chosen.has(r.runId)).map((r) => r.runId),
  };
  return list;
}
