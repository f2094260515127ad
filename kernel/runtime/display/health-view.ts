/**
 * The live health view's MIME bundle: the payload for the renderer (webviews/renderers/health), an SVG
 * of the same panels for Jupyter and GitHub (loss, each layer's weight and gradient histograms, fitness
 * and age distributions, the events strip) and a text summary.
 */
import { lifecycleStages } from "../../engine/lifecycle/stages";
import { escapeHtml, fmt } from "./escape";
import type { HealthHistogram, HealthViewPayload } from "./health-view-types";
import { MIME, type MimeBundle } from "./mime";
import { STAGE_COLOUR } from "./stage-colours";

const W = 640;
const HIST_W = 300;
const HIST_H = 48;
/** Event kinds' colours in the fallback (the renderer uses the theme's chart colours). */
const KIND_COLOUR: Readonly<Record<string, string>> = { rebirth: "#2a9d4b", senescent: "#c98a00", recovered: "#428bca", nonfinite: "#d9534f" };

const num = (v: number | null): string => (v === null ? "–" : fmt(v));

function histogramSvg(h: HealthHistogram, x: number, y: number, label: string): string {
  const max = h.counts.reduce((m, c) => Math.max(m, c), 0);
  const bw = h.counts.length ? HIST_W / h.counts.length : 0;
  const bars = h.counts
    .map((c, i) => (c > 0 ? `<rect x="${(x + i * bw).toFixed(1)}" y="${(y + 14 + HIST_H * (1 - c / max)).toFixed(1)}" width="${Math.max(1, bw - 1).toFixed(1)}" height="${((HIST_H * c) / max).toFixed(1)}" fill="#4a90d9"/>` : ""))
    .join("");
  const range = h.low === null ? "no finite value" : `${num(h.low)} … ${num(h.high)}`;
  return `<text x="${x}" y="${y + 10}" font-size="11">${escapeHtml(`${label}: ${range}`)}</text>${bars}<line x1="${x}" y1="${y + 14 + HIST_H}" x2="${x + HIST_W}" y2="${y + 14 + HIST_H}" stroke="#888"/>`;
}

function lossSvg(p: HealthViewPayload, y: number): string {
  const pts = p.loss.t.map((t, i) => [t, p.loss.loss[i]] as const).filter((d): d is readonly [number, number] => d[1] !== null);
  if (pts.length < 2) return `<text x="0" y="${y + 12}" font-size="11">loss: ${pts.length ? escapeHtml(fmt(pts[0]![1])) : "–"}</text>`;
  const [t0, t1] = [pts[0]![0], pts[pts.length - 1]![0]];
  const lo = pts.reduce((m, d) => Math.min(m, d[1]), Infinity);
  const hi = pts.reduce((m, d) => Math.max(m, d[1]), -Infinity);
  const line = pts.map(([t, v]) => `${((W * (t - t0)) / (t1 - t0 || 1)).toFixed(1)},${(y + 16 + 60 * (hi > lo ? (hi - v) / (hi - lo) : 0.5)).toFixed(1)}`).join(" ");
  return `<text x="0" y="${y + 12}" font-size="11">${escapeHtml(`loss per commit: ${fmt(pts[pts.length - 1]![1])} at t=${t1} (range ${fmt(lo)} … ${fmt(hi)})`)}</text><polyline points="${line}" fill="none" stroke="#d9534f" stroke-width="1.5"/>`;
}

/** The panels as one SVG (what Jupyter shows without the extension). */
export function healthSvg(p: HealthViewPayload): string {
  const parts: string[] = [`<text x="0" y="14" font-size="13" font-weight="bold">${escapeHtml(headline(p))}</text>`];
  let y = 24;
  parts.push(lossSvg(p, y));
  y += 84;
  for (const l of p.layers) {
    parts.push(`<text x="0" y="${y + 12}" font-size="12" font-weight="bold">${escapeHtml(layerLine(l))}</text>`);
    y += 18;
    parts.push(histogramSvg(l.weights.histogram, 0, y, "weights"), histogramSvg(l.gradients.histogram, HIST_W + 30, y, "gradients"));
    y += HIST_H + 24;
  }
  if (p.lifecycle) {
    parts.push(`<text x="0" y="${y + 12}" font-size="12" font-weight="bold">${escapeHtml(stageLine(p))}</text>`);
    y += 18;
    if (p.lifecycle.fitness) parts.push(histogramSvg(p.lifecycle.fitness.histogram, 0, y, "fitness"));
    parts.push(histogramSvg(p.lifecycle.ages.histogram, HIST_W + 30, y, "age (commits)"));
    y += HIST_H + 24;
    // Each neuron as a square coloured by its stage, a row per layer (at most 64 a row).
    p.lifecycle.stages.forEach((stages, li) => {
      parts.push(`<text x="0" y="${y + 10}" font-size="11">layer ${li}</text>`);
      stages.slice(0, 64).forEach((s, j) => parts.push(`<rect x="${50 + j * 9}" y="${y + 1}" width="8" height="8" fill="${STAGE_COLOUR[s]}"><title>layer ${li} neuron ${j}: ${s}</title></rect>`));
      y += 12;
    });
    y += 6;
  }
  parts.push(`<text x="0" y="${y + 12}" font-size="12" font-weight="bold">${escapeHtml(eventsLine(p))}</text>`);
  y += 18;
  parts.push(`<rect x="0" y="${y}" width="${W}" height="14" fill="#8882"/>`);
  for (const e of p.events) {
    const x = p.t > 0 ? (W * e.t) / p.t : 0;
    parts.push(`<rect x="${x.toFixed(1)}" y="${y}" width="2" height="14" fill="${KIND_COLOUR[e.kind] ?? "#888"}"><title>${escapeHtml(`t=${e.t} ${e.kind}${e.layer === null ? "" : ` layer ${e.layer} neuron ${e.neuron}`}`)}</title></rect>`);
  }
  y += 22;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${y}" viewBox="0 0 ${W} ${y}" font-family="sans-serif">${parts.join("")}</svg>`;
}

const headline = (p: HealthViewPayload): string =>
  `Network health · t=${p.t} · ${p.status}${p.measuredT === null ? " · not measured yet" : ` · measured after commit t=${p.measuredT}`}`;

const layerLine = (l: HealthViewPayload["layers"][number]): string =>
  `layer ${l.layer} (${l.units} ${l.activation}): weights mean ${num(l.weights.mean)} std ${num(l.weights.std)}, zeros ${l.weights.zeros}, NaN ${l.weights.nan}, Inf ${l.weights.inf}; gradient std ${num(l.gradients.std)}; dormant ${l.dormant === null ? "–" : `${fmt(100 * l.dormant, 3)} %`}`;

function stageLine(p: HealthViewPayload): string {
  const life = p.lifecycle!;
  const all = life.stages.flat();
  const counts = lifecycleStages.map((s) => `${s} ${all.filter((x) => x === s).length}`).join(", ");
  return `lifecycle: ${counts}${life.evaluatedT === null ? " · fitness not evaluated yet" : ` · fitness at t=${life.evaluatedT}`}`;
}

function eventsLine(p: HealthViewPayload): string {
  const kinds = Object.entries(p.eventCounts);
  return `events: ${kinds.length ? kinds.map(([k, n]) => `${k} ${n}`).join(", ") : "none"}`;
}

export function healthViewBundle(p: HealthViewPayload): MimeBundle {
  const lines = [headline(p), lossLine(p), ...p.layers.map(layerLine), ...(p.lifecycle ? [stageLine(p)] : []), eventsLine(p), ...p.events.slice(-5).map((e) => `  t=${e.t} ${e.kind}: ${e.message}`)];
  return { [MIME.health]: p, "image/svg+xml": healthSvg(p), "text/plain": lines.join("\n") };
}

function lossLine(p: HealthViewPayload): string {
  const last = p.loss.loss.length ? p.loss.loss[p.loss.loss.length - 1]! : null;
  return `loss ${num(last)} at t=${p.loss.t.length ? p.loss.t[p.loss.t.length - 1] : 0}`;
}
