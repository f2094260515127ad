/** Notebook renderer for application/vnd.neuroforge.audit+json (ESM bundle dist/renderers/audit.js). */
import type { ActivationFunction } from "vscode-notebook-renderer";
import { renderAudit } from "./render";

export const activate: ActivationFunction = () => ({
  renderOutputItem(item, element) {
    renderAudit(item.json(), element);
  },
  disposeOutputItem() {},
});
