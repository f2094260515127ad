/**
 * Main-effects plots as Vega-Lite (pure; drawn like ./parallel-spec.ts): per factor, ranked by range,
 * the mean of the metric at each level (a line through the levels), with each level's S/N as a label.
 * The y scale is shared, so the factors' ranges compare at a glance.
 */
import { valueText } from "./names";
import { METRIC_LABELS, type FactorEffect, type MetricKey } from "./types";

export function rankedEffects(effects: readonly FactorEffect[]): FactorEffect[] {
  return [...effects].sort((a, b) => (Number.isFinite(b.range) ? b.range : -1) - (Number.isFinite(a.range) ? a.range : -1));
}

export function effectsSpec(effects: readonly FactorEffect[], metric: MetricKey): Record<string, unknown> {
  const ranked = rankedEffects(effects);
  const values = ranked.flatMap((f) =>
    f.levels.map((l) => ({ factor: f.factor, level: valueText(l.value), index: l.level, mean: l.mean, sn: `S/N ${l.sn.toFixed(2)} dB`, count: l.count, best: f.best?.level === l.level })),
  );
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: `main effects on ${METRIC_LABELS[metric]}`,
    data: { values },
    facet: { column: { field: "factor", type: "nominal", sort: ranked.map((f) => f.factor), title: null } },
    spec: {
      width: 140,
      height: 160,
      layer: [
        { mark: { type: "line", point: true }, encoding: { x: { field: "level", type: "ordinal", sort: { field: "index" }, title: null, axis: { labelAngle: 0 } }, y: { field: "mean", type: "quantitative", scale: { zero: false }, title: `mean ${METRIC_LABELS[metric]}` }, tooltip: [{ field: "level" }, { field: "mean", format: ".4~g" }, { field: "sn" }, { field: "count", title: "runs" }] } },
        { mark: { type: "text", dy: -10, fontSize: 9 }, encoding: { x: { field: "level", type: "ordinal", sort: { field: "index" } }, y: { field: "mean", type: "quantitative" }, text: { field: "sn" } } },
      ],
    },
    resolve: { scale: { x: "independent" } },
  };
}
