/**
 * Which notebook and which of its TypeScript cells a text document is, and what the language service is
 * told about a notebook (its key, folder and TypeScript cells in order). Markdown and other-language
 * cells are not part of the program, as the kernel never sees them.
 */
import * as os from "node:os";
import * as path from "node:path";
import * as vscode from "vscode";
import type { LanguageCalls } from "../../kernel/runtime/language/protocol";

export function typescriptCells(nb: vscode.NotebookDocument): vscode.NotebookCell[] {
  return nb.getCells().filter((c) => c.kind === vscode.NotebookCellKind.Code && c.document.languageId === "typescript");
}

/** The notebook holding a cell document and the cell's index among its TypeScript cells, or undefined. */
export function cellOf(document: vscode.TextDocument): { notebook: vscode.NotebookDocument; index: number } | undefined {
  const uri = document.uri.toString();
  for (const notebook of vscode.workspace.notebookDocuments) {
    const index = typescriptCells(notebook).findIndex((c) => c.document.uri.toString() === uri);
    if (index >= 0) return { notebook, index };
  }
  return undefined;
}

/** The `sync` of a notebook: relative imports and node_modules resolve from its folder, as in its kernel. */
export function syncParams(nb: vscode.NotebookDocument): LanguageCalls["sync"]["params"] {
  const root = nb.uri.scheme === "file" ? path.dirname(nb.uri.fsPath) : (vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? os.homedir());
  return { notebook: nb.uri.toString(), root, cells: typescriptCells(nb).map((c) => c.document.getText()) };
}
