/**
 * The read-only .nfrun editor. The extension host opens the file with the kernel/record reader (cached
 * per file by the run query service, extension/runs/), posts the run summaries (load.ts) and answers
 * the webview's queries (network after a commit, batches, weight traces, …); the webview
 * (webviews/editor/) runs under a strict CSP.
 */
import { randomBytes } from "node:crypto";
import * as vscode from "vscode";
import type { EditorToHost } from "../../webviews/shared/messages";
import { RunFiles, type FileAccess } from "../runs/run-files";
import { RunQueryService } from "../runs/service";
import { editorHtml } from "./html";
import { runFileMessage } from "./load";

export const NFRUN_VIEW_TYPE = "neuroforge.nfrun";

class RunDocument implements vscode.CustomDocument {
  constructor(readonly uri: vscode.Uri) {}
  dispose(): void {}
}

/** The run files cache reads through workspace.fs (keys are URI strings). */
const workspaceFiles: FileAccess = {
  stat: async (key) => {
    const st = await vscode.workspace.fs.stat(vscode.Uri.parse(key));
    return { mtimeMs: st.mtime, size: st.size };
  },
  read: (key) => Promise.resolve(vscode.workspace.fs.readFile(vscode.Uri.parse(key))),
  label: (key) => vscode.workspace.asRelativePath(vscode.Uri.parse(key)),
};

export class NfrunEditorProvider implements vscode.CustomReadonlyEditorProvider<RunDocument> {
  static register(context: vscode.ExtensionContext): vscode.Disposable {
    const provider = new NfrunEditorProvider(context);
    return vscode.Disposable.from(
      vscode.window.registerCustomEditorProvider(NFRUN_VIEW_TYPE, provider, {
        webviewOptions: { retainContextWhenHidden: false },
        supportsMultipleEditorsPerDocument: true,
      }),
      { dispose: () => provider.service.files.dispose() },
    );
  }

  readonly service: RunQueryService;
  /** Open editors per file: a file's reader (the whole database in memory) is dropped with its last editor. */
  private readonly panels = new Map<string, number>();

  constructor(private readonly context: vscode.ExtensionContext) {
    this.service = new RunQueryService(new RunFiles(workspaceFiles, { wasmPath: context.asAbsolutePath("node_modules/sql.js/dist/sql-wasm.wasm") }));
  }

  openCustomDocument(uri: vscode.Uri): RunDocument {
    return new RunDocument(uri);
  }

  async resolveCustomEditor(document: RunDocument, panel: vscode.WebviewPanel): Promise<void> {
    const dist = vscode.Uri.joinPath(this.context.extensionUri, "dist", "webviews");
    panel.webview.options = { enableScripts: true, localResourceRoots: [dist] };
    const nonce = randomBytes(16).toString("base64");
    panel.webview.html = editorHtml(panel.webview, panel.webview.asWebviewUri(vscode.Uri.joinPath(dist, "editor.js")), nonce);
    const key = document.uri.toString();
    const send = async () => panel.webview.postMessage(await runFileMessage(this.service.files, key, vscode.workspace.asRelativePath(document.uri)));
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.joinPath(document.uri, ".."), document.uri.path.split("/").pop()!));
    this.panels.set(key, (this.panels.get(key) ?? 0) + 1);
    panel.onDidDispose(() => {
      watcher.dispose();
      const left = (this.panels.get(key) ?? 1) - 1;
      if (left > 0) this.panels.set(key, left);
      else {
        this.panels.delete(key);
        this.service.files.forget(key);
      }
    });
    watcher.onDidChange(() => void send());
    panel.webview.onDidReceiveMessage(async (m: EditorToHost) => {
      if (m.type === "ready") void send();
      else if (m.type === "query") void panel.webview.postMessage(await this.service.answer(key, m));
    });
  }
}
