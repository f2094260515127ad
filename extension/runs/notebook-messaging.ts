/**
 * Renderer messaging for notebook outputs (package.json: the network renderer has `requiresMessaging:
 * optional`): answers the run queries of network outputs (./notebook-queries.ts) with a run query
 * service of its own, keyed by the path the kernel opened; its readers (whole databases in memory) are
 * released when no notebook is open any more.
 */
import * as vscode from "vscode";
import { answerNotebookQuery } from "./notebook-queries";
import { RunFiles } from "./run-files";
import { RunQueryService } from "./service";

export const NETWORK_RENDERER_ID = "neuroforge.network";

export function registerNotebookRunQueries(context: vscode.ExtensionContext): vscode.Disposable {
  const files = new RunFiles(undefined, { wasmPath: context.asAbsolutePath("node_modules/sql.js/dist/sql-wasm.wasm") });
  const service = new RunQueryService(files);
  const messaging = vscode.notebooks.createRendererMessaging(NETWORK_RENDERER_ID);
  return vscode.Disposable.from(
    messaging.onDidReceiveMessage(async ({ editor, message }) => {
      await messaging.postMessage(await answerNotebookQuery(service, message, vscode.workspace.isTrusted), editor);
    }),
    vscode.workspace.onDidCloseNotebookDocument(() => {
      if (vscode.workspace.notebookDocuments.length === 0) files.dispose();
    }),
    { dispose: () => files.dispose() },
  );
}
