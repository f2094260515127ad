/** Notebook renderer for application/vnd.neuroforge.network+json (ESM bundle dist/renderers/network.js). */
import type { ActivationFunction } from "vscode-notebook-renderer";
import { renderNetwork } from "./render";

export const activate: ActivationFunction = () => ({
  renderOutputItem(item, element) {
    renderNetwork(item.json(), element);
  },
  disposeOutputItem() {},
});
