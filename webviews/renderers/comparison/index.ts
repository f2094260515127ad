/** Notebook renderer for application/vnd.neuroforge.comparison+json (ESM bundle dist/renderers/comparison.js). */
import type { ActivationFunction } from "vscode-notebook-renderer";
import { vegaChart } from "../../shared/chart";
import { renderComparison } from "./render";

export const activate: ActivationFunction = () => ({
  renderOutputItem(item, element) {
    renderComparison(item.json(), element, vegaChart);
  },
  disposeOutputItem() {},
});
