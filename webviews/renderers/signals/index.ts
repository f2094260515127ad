/** Notebook renderer for application/vnd.neuroforge.signals+json (ESM bundle dist/renderers/signals.js). */
import type { ActivationFunction } from "vscode-notebook-renderer";
import { vegaChart } from "../../shared/chart";
import { renderSignals } from "./render";

export const activate: ActivationFunction = () => ({
  async renderOutputItem(item, element) {
    await renderSignals(item.json(), element, vegaChart);
  },
  disposeOutputItem() {},
});
