/**
 * The .nfrun editor's charts of one run (the `signals` query), built with the plot recipes the notebook
 * and `neuroforge plot` use: loss, learning-rate scale, gradient + step norms per commit, the chosen
 * weights' θ[t], and the test split's loss and accuracy per epoch. Read when the editor asks, never when
 * the file opens; the per-layer update ratios (every layer's matrix series, the slow part) are not drawn.
 */
import type { NfrunReader } from "../../kernel/record";
import { planPanels } from "../../kernel/record/plot-recipe";
import { weightSeries } from "../../kernel/record/series";
import type { PanelRecipe } from "../../kernel/record/signal-types";
import { runSignals } from "../../kernel/record/signals";
import type { RunCharts, WeightAddress } from "../../webviews/shared/queries";

export function runCharts(reader: NfrunReader, runId: string, weights: readonly WeightAddress[]): RunCharts {
  // A chosen weight whose history the file lacks is named with the reason; the others are drawn.
  const notRecorded: { weight: WeightAddress; reason: string }[] = [];
  const drawn = weights.filter((w) => {
    const s = weightSeries(reader, runId, w.layer, w.neuron, w.weight);
    if ("kind" in s) notRecorded.push({ weight: w, reason: s.reason });
    return !("kind" in s);
  });
  const signals = runSignals(reader, runId, drawn, { updateRatios: false });
  if ("kind" in signals) throw new Error(`run ${runId}: ${signals.reason}`);
  const names = new Set(signals.map((s) => s.name));
  const recipes: PanelRecipe[] = [
    { signals: ["loss"] },
    { signals: ["lr_scale"], title: "learning-rate scale", logY: false },
    { signals: ["grad_norm", "step_norm"], title: "gradient and step norms" },
    ...(names.has("weights") ? [{ signals: ["weights"], title: "chosen weights θ[t]", mode: "components" as const, logY: false }] : []),
    ...(names.has("test_loss") ? [{ signals: ["test_loss"], title: "test loss" }] : []),
    ...(names.has("test_accuracy") ? [{ signals: ["test_accuracy"], title: "test accuracy", logY: false }] : []),
  ];
  return { kind: "charts", runId, panels: planPanels(signals, recipes), notRecorded };
}
