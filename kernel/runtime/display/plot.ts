import { escapeHtml, fmt } from "./escape";
import { MIME, toMimeBundle, type Displayable, type MimeBundle } from "./mime";

/** Named series over a shared x axis (timestep t or epoch). */
export interface SignalsPlotSpec {
  readonly title?: string;
  readonly x: ArrayLike<number>;
  readonly xLabel?: string;
  readonly series: Readonly<Record<string, ArrayLike<number>>>;
  /** Log-scale y axis (loss curves). */
  readonly logY?: boolean;
}

/** Longer series are decimated (evenly spaced points) to keep saved notebooks small. */
const MAX_POINTS = 400;

/** A line plot of named signals: our JSON, Vega-Lite v5, an SVG fallback and a text summary. */
export class SignalsPlot implements Displayable {
  constructor(readonly spec: SignalsPlotSpec) {}

  [toMimeBundle](): MimeBundle {
    return signalsBundle(this.spec);
  }
}

/** Loss (and gradient/step norms) per commit from a recorded run's trace (reader.trace(runId)). */
export function lossPlot(trace: { t: ArrayLike<number>; loss: ArrayLike<number> }, title = "loss per commit"): SignalsPlot {
  return new SignalsPlot({ title, x: trace.t, xLabel: "t (commit)", series: { loss: trace.loss }, logY: true });
}

export function signalsPlot(spec: SignalsPlotSpec): SignalsPlot {
  return new SignalsPlot(spec);
}

function decimate(n: number): number[] {
  if (n <= MAX_POINTS) return Array.from({ length: n }, (_, i) => i);
  const step = (n - 1) / (MAX_POINTS - 1);
  return Array.from({ length: MAX_POINTS }, (_, i) => Math.round(i * step));
}

export function signalsBundle(spec: SignalsPlotSpec): MimeBundle {
  const names = Object.keys(spec.series);
  const idx = decimate(spec.x.length);
  const xLabel = spec.xLabel ?? "t";
  const values = idx.flatMap((i) =>
    names.map((name) => ({ [xLabel]: spec.x[i]!, series: name, value: Number.isFinite(spec.series[name]![i]!) ? spec.series[name]![i]! : null })),
  );
  const vegaLite = {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: spec.title ?? names.join(", "),
    width: 480,
    height: 240,
    data: { values },
    mark: { type: "line" },
    encoding: {
      x: { field: xLabel, type: "quantitative" },
      y: { field: "value", type: "quantitative", ...(spec.logY ? { scale: { type: "log" } } : {}) },
      color: { field: "series", type: "nominal" },
    },
  };
  const last = names.map((n) => `${n} ${fmt(spec.series[n]![spec.x.length - 1] ?? NaN)}`).join(", ");
  const text = `${spec.title ?? "signals"}: ${spec.x.length} points, last ${last}`;
  return {
    [MIME.signals]: { title: spec.title ?? null, xLabel, x: idx.map((i) => spec.x[i]!), series: Object.fromEntries(names.map((n) => [n, idx.map((i) => spec.series[n]![i]!)])), logY: !!spec.logY },
    [MIME.vegaLite]: vegaLite,
    "image/svg+xml": signalsSvg(spec, idx, names),
    "text/plain": text,
  };
}

const COLORS = ["#4a90d9", "#d9534f", "#5cb85c", "#f0ad4e", "#9b59b6"];

function signalsSvg(spec: SignalsPlotSpec, idx: number[], names: string[]): string {
  const W = 520;
  const H = 280;
  const L = 60;
  const R = 10;
  const T = 24;
  const B = 30;
  const ty = (v: number) => (spec.logY ? Math.log10(v) : v);
  let xmin = Infinity;
  let xmax = -Infinity;
  let ymin = Infinity;
  let ymax = -Infinity;
  for (const i of idx) {
    xmin = Math.min(xmin, spec.x[i]!);
    xmax = Math.max(xmax, spec.x[i]!);
    for (const n of names) {
      const v = spec.series[n]![i]!;
      if (Number.isFinite(v) && (!spec.logY || v > 0)) {
        ymin = Math.min(ymin, ty(v));
        ymax = Math.max(ymax, ty(v));
      }
    }
  }
  if (!(xmax > xmin)) xmax = xmin + 1;
  if (!(ymax > ymin)) ymax = ymin + 1;
  const px = (x: number) => L + ((x - xmin) / (xmax - xmin)) * (W - L - R);
  const py = (y: number) => T + (1 - (y - ymin) / (ymax - ymin)) * (H - T - B);
  const paths = names.map((n, k) => {
    const pts = idx
      .filter((i) => Number.isFinite(spec.series[n]![i]!) && (!spec.logY || spec.series[n]![i]! > 0))
      .map((i) => `${px(spec.x[i]!).toFixed(1)},${py(ty(spec.series[n]![i]!)).toFixed(1)}`);
    return `<polyline fill="none" stroke="${COLORS[k % COLORS.length]}" stroke-width="1.5" points="${pts.join(" ")}"><title>${escapeHtml(n)}</title></polyline>`;
  });
  const yLabel = (y: number) => escapeHtml(fmt(spec.logY ? 10 ** y : y, 3));
  const legend = names.map((n, k) => `<text x="${L + 8 + k * 90}" y="16" font-size="11" fill="${COLORS[k % COLORS.length]}">${escapeHtml(n)}</text>`).join("");
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif">` +
    `<title>${escapeHtml(spec.title ?? names.join(", "))}</title>` +
    `<rect x="${L}" y="${T}" width="${W - L - R}" height="${H - T - B}" fill="none" stroke="#999"/>` +
    `<text x="${L - 4}" y="${T + 10}" font-size="10" text-anchor="end">${yLabel(ymax)}</text>` +
    `<text x="${L - 4}" y="${H - B}" font-size="10" text-anchor="end">${yLabel(ymin)}</text>` +
    `<text x="${L}" y="${H - 12}" font-size="10">${escapeHtml(fmt(xmin))}</text>` +
    `<text x="${W - R}" y="${H - 12}" font-size="10" text-anchor="end">${escapeHtml(fmt(xmax))}</text>` +
    `<text x="${(L + W - R) / 2}" y="${H - 4}" font-size="10" text-anchor="middle">${escapeHtml(spec.xLabel ?? "t")}</text>` +
    legend +
    paths.join("") +
    `</svg>`
  );
}
