/** Notebook renderer for application/vnd.neuroforge.health+json (ESM bundle dist/renderers/health.js): the live health view. */
import type { ActivationFunction } from "vscode-notebook-renderer";
import { renderHealth } from "./render";

export const activate: ActivationFunction = () => ({
  renderOutputItem(item, element) {
    renderHealth(item.json(), element);
  },
  disposeOutputItem() {},
});
