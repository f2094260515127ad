/** The language service's answers as VS Code completion items, hovers and diagnostics. */
import * as vscode from "vscode";
import type { CompletionEntry, LanguageDiagnostic, QuickInfo } from "../../kernel/runtime/language/answers";

const K = vscode.CompletionItemKind;
/** TypeScript's ScriptElementKind → VS Code's icon (as VS Code's own TypeScript support maps them). */
const KINDS: Readonly<Record<string, vscode.CompletionItemKind>> = {
  keyword: K.Keyword, "primitive type": K.Keyword, script: K.File, module: K.Module, "external module name": K.Module,
  class: K.Class, "local class": K.Class, interface: K.Interface, type: K.Class, enum: K.Enum, "enum member": K.EnumMember,
  var: K.Variable, "local var": K.Variable, let: K.Variable, const: K.Constant, parameter: K.Variable,
  function: K.Function, "local function": K.Function, method: K.Method, getter: K.Method, setter: K.Method,
  property: K.Field, constructor: K.Constructor, "type parameter": K.TypeParameter, string: K.Value, alias: K.Reference,
};

export function completionItem(entry: CompletionEntry, range: vscode.Range): vscode.CompletionItem {
  const item = new vscode.CompletionItem(entry.name, KINDS[entry.kind] ?? K.Property);
  item.sortText = entry.sortText;
  item.range = range;
  if (entry.insertText !== undefined) item.insertText = entry.insertText;
  return item;
}

export function hoverOf(info: QuickInfo, document: vscode.TextDocument): vscode.Hover {
  const contents = [new vscode.MarkdownString().appendCodeblock(info.signature, "typescript")];
  if (info.documentation) contents.push(new vscode.MarkdownString().appendText(info.documentation));
  return new vscode.Hover(contents, new vscode.Range(document.positionAt(info.start), document.positionAt(info.end)));
}

const SEVERITY = { error: vscode.DiagnosticSeverity.Error, warning: vscode.DiagnosticSeverity.Warning, suggestion: vscode.DiagnosticSeverity.Information } as const;

export function diagnosticOf(d: LanguageDiagnostic, document: vscode.TextDocument): vscode.Diagnostic {
  const diagnostic = new vscode.Diagnostic(new vscode.Range(document.positionAt(d.start), document.positionAt(d.end)), d.message, SEVERITY[d.severity]);
  diagnostic.source = "NeuroForge";
  diagnostic.code = d.code;
  return diagnostic;
}
