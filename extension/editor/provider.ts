/**
 * The read-only .nfrun editor. The extension host reads the file with the kernel/record reader
 * (load.ts) and posts plain data to the webview (webviews/editor/), which runs under a strict CSP.
 */
import { randomBytes } from "node:crypto";
import * as vscode from "vscode";
import type { EditorToHost } from "../../webviews/shared/messages";
import { editorHtml } from "./html";
import { loadRunFile } from "./load";

export const NFRUN_VIEW_TYPE = "neuroforge.nfrun";

class RunDocument implements vscode.CustomDocument {
  constructor(readonly uri: vscode.Uri) {}
  dispose(): void {}
}

export class NfrunEditorProvider implements vscode.CustomReadonlyEditorProvider<RunDocument> {
  static register(context: vscode.ExtensionContext): vscode.Disposable {
    return vscode.window.registerCustomEditorProvider(NFRUN_VIEW_TYPE, new NfrunEditorProvider(context), {
      webviewOptions: { retainContextWhenHidden: false },
      supportsMultipleEditorsPerDocument: true,
    });
  }

  constructor(private readonly context: vscode.ExtensionContext) {}

  openCustomDocument(uri: vscode.Uri): RunDocument {
    return new RunDocument(uri);
  }

  async resolveCustomEditor(document: RunDocument, panel: vscode.WebviewPanel): Promise<void> {
    const dist = vscode.Uri.joinPath(this.context.extensionUri, "dist", "webviews");
    panel.webview.options = { enableScripts: true, localResourceRoots: [dist] };
    const nonce = randomBytes(16).toString("base64");
    panel.webview.html = editorHtml(panel.webview, panel.webview.asWebviewUri(vscode.Uri.joinPath(dist, "editor.js")), nonce);
    const send = async () => {
      const file = vscode.workspace.asRelativePath(document.uri);
      let bytes: Uint8Array;
      try {
        bytes = await vscode.workspace.fs.readFile(document.uri);
      } catch (e) {
        return panel.webview.postMessage({ type: "error", file, kind: "io", message: `${file}: cannot read the file (${(e as Error).message})` });
      }
      const wasmPath = this.context.asAbsolutePath("node_modules/sql.js/dist/sql-wasm.wasm");
      return panel.webview.postMessage(await loadRunFile(file, bytes, { wasmPath }));
    };
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.joinPath(document.uri, ".."), document.uri.path.split("/").pop()!));
    panel.onDidDispose(() => watcher.dispose());
    watcher.onDidChange(() => void send());
    panel.webview.onDidReceiveMessage((m: EditorToHost) => {
      if (m.type === "ready") void send();
    });
  }
}
