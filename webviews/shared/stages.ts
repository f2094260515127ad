/**
 * Neuron lifecycle stages (seed 004) as views colour them: the theme's chart colours (light, dark and
 * high-contrast themes each have their own), a legend, and in high contrast / forced colours a pattern
 * (dashed outline for dying) so a stage never depends on colour alone.
 */
import type { LifecycleStage } from "../../kernel/runtime/display/health-view-types";
import { h } from "./dom";

export const STAGES: readonly LifecycleStage[] = ["newborn", "mature", "senior", "dying"];

export const STAGE_LABEL: Readonly<Record<LifecycleStage, string>> = {
  newborn: "newborn",
  mature: "mature",
  senior: "senior",
  dying: "dying (senescent)",
};

export function isStage(x: unknown): x is LifecycleStage {
  return typeof x === "string" && (STAGES as readonly string[]).includes(x);
}

export const STAGE_CSS = `
.nf { --nf-stage-newborn: var(--vscode-charts-green, #388a34); --nf-stage-mature: var(--vscode-charts-blue, #1a85ff);
  --nf-stage-senior: var(--vscode-charts-purple, #652d90); --nf-stage-dying: var(--vscode-charts-red, #e51400); }
.nf .stage-newborn { --nf-stage: var(--nf-stage-newborn); }
.nf .stage-mature { --nf-stage: var(--nf-stage-mature); }
.nf .stage-senior { --nf-stage: var(--nf-stage-senior); }
.nf .stage-dying { --nf-stage: var(--nf-stage-dying); }
.nf .stage-legend { display: flex; flex-wrap: wrap; gap: 10px; align-items: center; margin: 2px 0 4px 0; }
.nf .stage-swatch { display: inline-block; width: 10px; height: 10px; border-radius: 50%; background: var(--nf-stage); margin-right: 3px; vertical-align: middle; }
body.vscode-high-contrast .nf .stage-swatch.stage-dying, body.vscode-high-contrast-light .nf .stage-swatch.stage-dying { outline: 1px dashed currentColor; }
@media (forced-colors: active) { .nf .stage-swatch { forced-color-adjust: none; border: 1px solid CanvasText; } }
`;

/** The stages' legend; with `counts`, how many neurons are in each. */
export function stageLegend(counts?: Readonly<Record<LifecycleStage, number>>): HTMLElement {
  return h(
    "div",
    { class: "stage-legend", role: "list", "aria-label": "neuron stages" },
    ...STAGES.map((s) =>
      h("span", { role: "listitem", class: `stage-key stage-${s}`, "data-stage": s, ...(counts ? { "data-count": counts[s] } : {}) }, h("span", { class: `stage-swatch stage-${s}`, "aria-hidden": "true" }), counts ? `${STAGE_LABEL[s]} ${counts[s]}` : STAGE_LABEL[s]),
    ),
  );
}

/** How many of `stages` are in each stage. */
export function stageCounts(stages: readonly LifecycleStage[]): Record<LifecycleStage, number> {
  const counts: Record<LifecycleStage, number> = { newborn: 0, mature: 0, senior: 0, dying: 0 };
  for (const s of stages) counts[s]++;
  return counts;
}
