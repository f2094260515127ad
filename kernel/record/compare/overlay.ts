/**
 * Several runs' curves overlaid (issue #15): per signal — loss per commit, the learning-rate scale, and
 * with a test split the test loss and accuracy per epoch — one panel with a line per run, named by the
 * run's name. The panels are the plot recipes' (signal-types.ts), drawn with the same spec (plot-spec.ts).
 */
import { MAX_POINTS } from "../plot-recipe";
import type { NfrunReader } from "../reader";
import type { PlotLine, PlotPanel, Signal } from "../signal-types";
import { runSignals } from "../signals";
import type { RunOverlay } from "./types";

const PANELS: readonly { readonly signal: string; readonly title: string; readonly log: boolean }[] = [
  { signal: "loss", title: "loss per commit", log: true },
  { signal: "lr_scale", title: "learning-rate scale", log: false },
  { signal: "test_loss", title: "test loss", log: true },
  { signal: "test_accuracy", title: "test accuracy", log: false },
];

function line(name: string, s: Signal): PlotLine {
  const n = s.x.length;
  const step = n <= MAX_POINTS ? 1 : (n - 1) / (MAX_POINTS - 1);
  const idx = Array.from({ length: Math.min(n, MAX_POINTS) }, (_, i) => Math.round(i * step));
  const v = s.values[0]!;
  return { name, role: "component", x: idx.map((k) => s.x[k]!), values: idx.map((k) => (Number.isFinite(v[k]!) ? v[k]! : null)) };
}

/** The overlay of `runs` (id and name); a signal none of them has gets no panel. */
export function overlayPanels(reader: NfrunReader, runs: readonly { readonly runId: string; readonly name: string }[]): RunOverlay {
  const signals = runs.map((r) => {
    const s = runSignals(reader, r.runId, [], { updateRatios: false });
    return "kind" in s ? [] : s;
  });
  const panels: PlotPanel[] = [];
  for (const p of PANELS) {
    const lines = runs.flatMap((r, i) => signals[i]!.filter((s) => s.name === p.signal).map((s) => line(r.name, s)));
    if (lines.length === 0) continue;
    const values = lines.flatMap((l) => l.values).filter((v): v is number => v !== null);
    const logY = p.log && values.length > 0 && values.every((v) => v > 0);
    panels.push({ title: p.title, unit: "", xLabel: signals.flat().find((s) => s.name === p.signal)!.xLabel, logY, lines });
  }
  return { kind: "overlay", panels };
}
