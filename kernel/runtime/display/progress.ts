import { escapeHtml, fmt } from "./escape";
import { MIME, type MimeBundle } from "./mime";

/** One training progress display, replaced in place while `fit` runs. */
export interface ProgressState {
  /** Epochs finished so far and planned. */
  readonly epoch: number;
  readonly epochs: number;
  /** Mean loss of the last finished epoch (NaN before the first). */
  readonly loss: number;
  readonly samplesPerSecond: number;
  readonly elapsedSeconds: number;
  /** Estimated seconds left (NaN when unknown). */
  readonly etaSeconds: number;
  readonly status: "running" | "completed" | "interrupted" | "diverged" | "failed";
}

function duration(s: number): string {
  if (!Number.isFinite(s)) return "–";
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${Math.round(s - m * 60)} s`;
}

export function progressBundle(p: ProgressState): MimeBundle {
  const fraction = p.epochs > 0 ? Math.min(1, p.epoch / p.epochs) : 0;
  const pct = Math.round(fraction * 100);
  const rate = `${Math.round(p.samplesPerSecond).toLocaleString("en-US")} samples/s`;
  const tail = p.status === "running" ? `ETA ${duration(p.etaSeconds)}` : `${p.status} in ${duration(p.elapsedSeconds)}`;
  const text = `epoch ${p.epoch}/${p.epochs} (${pct}%)  loss ${fmt(p.loss)}  ${rate}  ${tail}`;
  const bar = `<div style="width:240px;height:8px;background:#ddd;display:inline-block;vertical-align:middle"><div style="width:${pct}%;height:8px;background:#4a90d9"></div></div>`;
  const html = `<div class="neuroforge-progress">${bar} <code>${escapeHtml(text)}</code></div>`;
  return { [MIME.progress]: { ...p, loss: Number.isFinite(p.loss) ? p.loss : null, etaSeconds: Number.isFinite(p.etaSeconds) ? p.etaSeconds : null }, "text/html": html, "text/plain": text };
}
