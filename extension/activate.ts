/**
 * The NeuroForge VS Code extension (extension host side): the notebook controller, its status bar item,
 * output channel and commands, completions/hover/squiggles in cells (extension/language/), the read-only
 * .nfrun editor, and the answers to notebook renderers' run queries (extension/runs/notebook-messaging.ts). Renderers and the editor's UI are
 * browser bundles built from webviews/ (docs/extension.md).
 */
import * as vscode from "vscode";
import { NeuroForgeController } from "./controller/controller";
import { statusText } from "./controller/outputs";
import { NfrunEditorProvider } from "./editor/provider";
import { registerNotebookRunQueries } from "./runs/notebook-messaging";
import { LanguageClient, bundledLanguageOptions } from "../kernel/runtime/language/client";
import { CellLanguageFeatures } from "./language/features";

export function activate(context: vscode.ExtensionContext): { controller: NeuroForgeController } {
  const log = vscode.window.createOutputChannel("NeuroForge Kernel", { log: true });
  const controller = new NeuroForgeController(context.asAbsolutePath("dist/kernel.js"), log);

  const status = vscode.window.createStatusBarItem("neuroforge.kernelStatus", vscode.StatusBarAlignment.Left, 100);
  status.name = "NeuroForge kernel";
  status.command = "neuroforge.showKernelLog";
  const refresh = () => {
    const nb = vscode.window.activeNotebookEditor?.notebook;
    // Shown from the moment a notebook of ours is active (its kernel starts on the first run).
    const state = nb ? (controller.stateOf(nb) ?? (controller.isOurs(nb) ? "not started" : undefined)) : undefined;
    if (!nb || !state) return status.hide();
    status.text = statusText(state);
    status.tooltip = `NeuroForge kernel of ${vscode.workspace.asRelativePath(nb.uri)}: ${state}${state === "not started" ? " (it starts on the first run)" : ""} (click for its log)`;
    status.show();
  };

  const activeNotebook = (): vscode.NotebookDocument | undefined => {
    const nb = vscode.window.activeNotebookEditor?.notebook;
    if (!nb) void vscode.window.showWarningMessage("NeuroForge: open a notebook first.");
    return nb;
  };

  context.subscriptions.push(
    log,
    controller,
    status,
    controller.onDidChangeState(refresh),
    controller.controller.onDidChangeSelectedNotebooks(refresh),
    vscode.window.onDidChangeActiveNotebookEditor(refresh),
    vscode.commands.registerCommand("neuroforge.restartKernel", async () => {
      const nb = activeNotebook();
      if (nb) await controller.restart(nb);
    }),
    vscode.commands.registerCommand("neuroforge.interruptKernel", () => {
      const nb = activeNotebook();
      if (nb) controller.interrupt(nb);
    }),
    vscode.commands.registerCommand("neuroforge.showKernelLog", () => log.show(true)),
    NfrunEditorProvider.register(context),
    registerNotebookRunQueries(context),
    // Completions, hover and squiggles in cells, from the language service in its worker thread.
    new CellLanguageFeatures(new LanguageClient(bundledLanguageOptions(context.asAbsolutePath("dist"))), controller.controller, log),
  );
  refresh(); // a notebook may be active already (the one whose opening activated the extension)
  return { controller };
}

export function deactivate(): void {}
