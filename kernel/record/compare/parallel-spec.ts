/**
 * Parallel coordinates of a comparison as Vega-Lite (pure data in, spec out; drawn by the webviews'
 * vega-embed and headless by `vegaLiteToSvg`): one vertical axis per differing parameter, the last one
 * the final metric, one line per run through its value on each axis. A numeric axis is linear over the
 * runs' range (logarithmic when every value is positive and they span two decades or more: learning
 * rates), a categorical one spaces its levels evenly. Selected runs are drawn bold.
 */
import { valueText } from "./names";
import { METRIC_LABELS, type MetricKey, type ParamValue, type RunComparison } from "./types";

export interface AxisPoint {
  readonly run: string;
  readonly axis: string;
  readonly order: number;
  /** Position on the axis, 0 (bottom) … 1 (top). */
  readonly y: number;
  readonly text: string;
  readonly selected: boolean;
}

const fmt = (x: number): string => String(Number(x.toPrecision(4)));

/** Where each value sits on its axis (0…1), and the axis's tick labels. */
export function axisScale(values: readonly ParamValue[]): { pos: (v: ParamValue) => number | null; ticks: { y: number; text: string }[] } {
  const nums = values.filter((v): v is number => typeof v === "number");
  if (nums.length === values.filter((v) => v !== null).length && nums.length > 0) {
    const lo = nums.reduce((m, x) => Math.min(m, x), Infinity);
    const hi = nums.reduce((m, x) => Math.max(m, x), -Infinity);
    const log = lo > 0 && hi / lo >= 100;
    const f = (x: number) => (log ? Math.log10(x) : x);
    const pos = (v: ParamValue) => (typeof v !== "number" ? null : hi === lo ? 0.5 : (f(v) - f(lo)) / (f(hi) - f(lo)));
    return { pos, ticks: hi === lo ? [{ y: 0.5, text: fmt(lo) }] : [{ y: 0, text: fmt(lo) }, { y: 1, text: `${fmt(hi)}${log ? " (log)" : ""}` }] };
  }
  const levels = [...new Map(values.filter((v) => v !== null).map((v) => [JSON.stringify(v), v])).values()];
  const at = (k: number) => (levels.length === 1 ? 0.5 : k / (levels.length - 1));
  return {
    pos: (v) => (v === null ? null : at(levels.findIndex((l) => JSON.stringify(l) === JSON.stringify(v)))),
    ticks: levels.map((l, k) => ({ y: at(k), text: valueText(l) })),
  };
}

/** The axes' points (one per run and axis where the run has a value) and tick labels. */
export function parallelPoints(c: RunComparison, metric: MetricKey, selected: ReadonlySet<string>): { points: AxisPoint[]; ticks: { axis: string; y: number; text: string }[]; axes: string[] } {
  const columns = [
    ...c.params.map((p, i) => ({ axis: p.label, values: c.runs.map((r) => r.values[i]!) })),
    { axis: METRIC_LABELS[metric], values: c.runs.map((r) => r.metrics[metric]) },
  ];
  const points: AxisPoint[] = [];
  const ticks: { axis: string; y: number; text: string }[] = [];
  columns.forEach((col, order) => {
    const scale = axisScale(col.values);
    for (const t of scale.ticks) ticks.push({ axis: col.axis, ...t });
    c.runs.forEach((r, k) => {
      const y = scale.pos(col.values[k]!);
      if (y !== null) points.push({ run: r.name, axis: col.axis, order, y, text: valueText(col.values[k]!), selected: selected.has(r.runId) });
    });
  });
  return { points, ticks, axes: columns.map((c) => c.axis) };
}

export function parallelSpec(c: RunComparison, metric: MetricKey, selected: ReadonlySet<string> = new Set(), width = 120 * (c.params.length + 1)): Record<string, unknown> {
  const { points, ticks, axes } = parallelPoints(c, metric, selected);
  const x = { field: "axis", type: "nominal", sort: axes, scale: { domain: axes, padding: 0.3 }, axis: { orient: "top", title: null, labelAngle: 0, domain: false, ticks: false } };
  const y = { field: "y", type: "quantitative", scale: { domain: [0, 1] }, axis: null };
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: `parameters → ${METRIC_LABELS[metric]}`,
    // Run names are long by nature; a cut name would not tell the runs apart.
    config: { legend: { labelLimit: 0 } },
    width,
    height: 220,
    layer: [
      { data: { values: axes.map((axis) => ({ axis, y: 0, y2: 1 })) }, mark: { type: "rule", color: "#8888" }, encoding: { x, y, y2: { field: "y2" } } },
      {
        data: { values: points },
        mark: { type: "line", point: true },
        encoding: {
          x,
          y,
          color: { field: "run", type: "nominal", title: "run", sort: c.runs.map((r) => r.name) },
          detail: { field: "run" },
          order: { field: "order" },
          strokeWidth: { condition: { test: "datum.selected", value: 3 }, value: 1.5 },
          tooltip: [{ field: "run" }, { field: "axis" }, { field: "text", title: "value" }],
        },
      },
      { data: { values: ticks }, mark: { type: "text", align: "left", dx: 4, fontSize: 10 }, encoding: { x, y, text: { field: "text" } } },
    ],
  };
}
