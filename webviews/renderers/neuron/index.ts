/** Notebook renderer for application/vnd.neuroforge.neuron+json (ESM bundle dist/renderers/neuron.js). */
import type { ActivationFunction } from "vscode-notebook-renderer";
import { renderNeuron } from "./render";

export const activate: ActivationFunction = () => ({
  renderOutputItem(item, element) {
    renderNeuron(item.json(), element);
  },
  disposeOutputItem() {},
});
