/**
 * Notebook renderer for application/vnd.neuroforge.network+json (ESM bundle dist/renderers/network.js).
 * With renderer messaging (VS Code with the NeuroForge extension: `requiresMessaging: optional`), what a
 * recorded network's payload does not embed is asked of the extension host, naming the payload's run
 * file (extension/runs/notebook-queries.ts); without it (no host) the renderer shows what is embedded.
 */
import type { ActivationFunction } from "vscode-notebook-renderer";
import { QueryClient, runSourceOf } from "../../shared/query-client";
import { renderNetwork } from "./render";

/** The run file a recorded network's payload names (absent: not a recording, or not from a file). */
function runFileOf(payload: unknown): string | null {
  const file = (payload as { recording?: { file?: unknown } } | null)?.recording?.file;
  return typeof file === "string" && file.length > 0 ? file : null;
}

export const activate: ActivationFunction = (context) => {
  // One messaging channel serves every output of this renderer: one client, each query names its file.
  const post = context.postMessage;
  const client = post ? new QueryClient((m) => post(m)) : null;
  if (client) context.onDidReceiveMessage?.((m) => client.receive(m));
  return {
    renderOutputItem(item, element) {
      const payload: unknown = item.json();
      const file = runFileOf(payload);
      renderNetwork(payload, element, client && file ? runSourceOf(client, file) : undefined);
    },
    disposeOutputItem() {},
  };
};
