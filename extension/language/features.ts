/**
 * Completions, hover and squiggles in the TypeScript cells of notebooks whose kernel is ours (selected,
 * or preferred by the kernelspec `neuroforge` while no other kernel is selected). The language service
 * runs in a worker thread (kernel/runtime/language/worker.ts): its first answer takes seconds and a
 * type check of many cells can take hundreds of milliseconds, which must not stall the extension host.
 * Diagnostics are recomputed for the whole notebook 300 ms after its last edit (a cell's change can
 * break a later cell).
 */
import * as vscode from "vscode";
import type { LanguageClient } from "../../kernel/runtime/language/client";
import { prefersNeuroForge } from "../controller/outputs";
import { NOTEBOOK_TYPE } from "../controller/controller";
import { completionItem, diagnosticOf, hoverOf } from "./items";
import { cellOf, syncParams, typescriptCells } from "./notebook-cells";

const DEBOUNCE_MS = 300;
const SELECTOR: vscode.DocumentSelector = { notebookType: NOTEBOOK_TYPE, language: "typescript" };

export class CellLanguageFeatures implements vscode.Disposable {
  private readonly diagnostics = vscode.languages.createDiagnosticCollection("neuroforge");
  /** Notebooks whose kernel the user picked: ours (true) or another one (false). */
  private readonly selected = new Map<string, boolean>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Bumped per notebook on every change, so a late answer for older text is dropped. */
  private readonly generation = new Map<string, number>();
  private readonly disposables: vscode.Disposable[];

  constructor(
    private readonly client: LanguageClient,
    controller: vscode.NotebookController,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.disposables = [
      this.diagnostics,
      vscode.languages.registerCompletionItemProvider(SELECTOR, { provideCompletionItems: (d, p, t) => this.complete(d, p, t) }, "."),
      vscode.languages.registerHoverProvider(SELECTOR, { provideHover: (d, p, t) => this.hover(d, p, t) }),
      controller.onDidChangeSelectedNotebooks(({ notebook, selected }) => {
        this.selected.set(notebook.uri.toString(), selected);
        this.schedule(notebook);
      }),
      vscode.workspace.onDidOpenNotebookDocument((nb) => this.schedule(nb)),
      vscode.workspace.onDidChangeNotebookDocument((e) => this.schedule(e.notebook)),
      vscode.workspace.onDidChangeTextDocument((e) => {
        const found = e.contentChanges.length > 0 ? cellOf(e.document) : undefined;
        if (found) this.schedule(found.notebook);
      }),
      vscode.workspace.onDidCloseNotebookDocument((nb) => this.close(nb)),
    ];
    vscode.workspace.notebookDocuments.forEach((nb) => this.schedule(nb));
  }

  private isOurs(nb: vscode.NotebookDocument): boolean {
    return nb.notebookType === NOTEBOOK_TYPE && (this.selected.get(nb.uri.toString()) ?? prefersNeuroForge(nb.metadata));
  }

  private target(document: vscode.TextDocument): { notebook: vscode.NotebookDocument; index: number } | undefined {
    const found = cellOf(document);
    return found && this.isOurs(found.notebook) ? found : undefined;
  }

  private async complete(document: vscode.TextDocument, position: vscode.Position, token: vscode.CancellationToken): Promise<vscode.CompletionList | undefined> {
    const found = this.target(document);
    if (!found) return undefined;
    await this.client.call("sync", syncParams(found.notebook));
    const answer = await this.client.call("completions", { notebook: found.notebook.uri.toString(), cell: found.index, offset: document.offsetAt(position) });
    if (token.isCancellationRequested) return undefined;
    const range = new vscode.Range(document.positionAt(answer.start), document.positionAt(answer.end));
    return new vscode.CompletionList(answer.entries.map((e) => completionItem(e, range)));
  }

  private async hover(document: vscode.TextDocument, position: vscode.Position, token: vscode.CancellationToken): Promise<vscode.Hover | undefined> {
    const found = this.target(document);
    if (!found) return undefined;
    await this.client.call("sync", syncParams(found.notebook));
    const info = await this.client.call("quickInfo", { notebook: found.notebook.uri.toString(), cell: found.index, offset: document.offsetAt(position) });
    return info && !token.isCancellationRequested ? hoverOf(info, document) : undefined;
  }

  private schedule(nb: vscode.NotebookDocument): void {
    if (nb.notebookType !== NOTEBOOK_TYPE) return;
    const key = nb.uri.toString();
    const generation = (this.generation.get(key) ?? 0) + 1;
    this.generation.set(key, generation);
    clearTimeout(this.timers.get(key));
    this.timers.set(key, setTimeout(() => void this.check(nb, generation), DEBOUNCE_MS));
  }

  private async check(nb: vscode.NotebookDocument, generation: number): Promise<void> {
    const key = nb.uri.toString();
    this.timers.delete(key);
    const cells = typescriptCells(nb);
    if (!this.isOurs(nb)) return cells.forEach((c) => this.diagnostics.delete(c.document.uri));
    try {
      await this.client.call("sync", syncParams(nb));
      const found = await this.client.call("diagnostics", { notebook: key });
      if (this.generation.get(key) !== generation || nb.isClosed) return;
      cells.forEach((cell, index) => {
        const mine = found.filter((d) => d.cell === index).map((d) => diagnosticOf(d, cell.document));
        this.diagnostics.set(cell.document.uri, mine);
      });
    } catch (error) {
      this.log.warn(`language service: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private close(nb: vscode.NotebookDocument): void {
    const key = nb.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    this.generation.delete(key);
    this.selected.delete(key);
    typescriptCells(nb).forEach((c) => this.diagnostics.delete(c.document.uri));
    this.client.call("close", { notebook: key }).catch(() => undefined);
  }

  dispose(): void {
    this.timers.forEach((t) => clearTimeout(t));
    this.disposables.forEach((d) => d.dispose());
    void this.client.dispose();
  }
}
