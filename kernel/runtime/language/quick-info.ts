/**
 * TypeScript's quick info, shaped for a notebook: a name that comes from an earlier cell reads as its
 * declaration there (not as `(alias) … import x`, an artefact of our cell modules), and a class shows
 * how to construct it (`new Trainer(options: TrainerOptions): Trainer`), which is what a person
 * inspecting `Trainer` wants.
 */
import ts from "typescript";
import type { QuickInfo } from "./answers";
import type { VirtualCell } from "./virtual-cells";

function findToken(source: ts.SourceFile, pos: number): ts.Node | undefined {
  const visit = (node: ts.Node): ts.Node | undefined =>
    node.getStart(source) <= pos && pos < node.getEnd() ? (ts.forEachChild(node, visit) ?? node) : undefined;
  return visit(source);
}

function symbolAt(program: ts.Program, fileName: string, pos: number): { node: ts.Node; symbol: ts.Symbol } | null {
  const source = program.getSourceFile(fileName);
  const node = source && findToken(source, pos);
  const symbol = node && program.getTypeChecker().getSymbolAtLocation(node);
  return node && symbol ? { node, symbol } : null;
}

/**
 * Where a name imported by our cell suffix was declared (file and offset of its name), or null when
 * the name at `pos` is not one. Quick info is then asked there, so it reads `let count: number` even
 * where the cell assigns to it.
 */
export function earlierDeclaration(program: ts.Program, cell: VirtualCell, pos: number): { fileName: string; pos: number } | null {
  const found = symbolAt(program, cell.fileName, pos);
  if (!found || !(found.symbol.flags & ts.SymbolFlags.Alias)) return null;
  const synthetic = (found.symbol.declarations ?? []).some((d) => ts.isImportSpecifier(d) && d.getSourceFile().fileName === cell.fileName && d.getStart() >= cell.cellLength);
  if (!synthetic) return null;
  // import (our suffix) → `export { x }` of the earlier cell → its own declaration of x.
  const checker = program.getTypeChecker();
  const exported = checker.getImmediateAliasedSymbol(found.symbol)?.declarations?.find(ts.isExportSpecifier);
  const declaration = exported && checker.getExportSpecifierLocalTargetSymbol(exported)?.declarations?.[0];
  const name = declaration && ts.getNameOfDeclaration(declaration);
  return name ? { fileName: name.getSourceFile().fileName, pos: name.getStart() } : null;
}

function constructors(checker: ts.TypeChecker, symbol: ts.Symbol, node: ts.Node): string[] {
  const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
  if (!(target.flags & ts.SymbolFlags.Class)) return [];
  const type = checker.getTypeOfSymbolAtLocation(target, node);
  return checker.getSignaturesOfType(type, ts.SignatureKind.Construct).map((s) => `new ${target.name}${checker.signatureToString(s)}`);
}

/** `info` as plain text; `span` is where the name stands in the cell. */
export function quickInfoText(program: ts.Program, fileName: string, info: ts.QuickInfo, span: ts.TextSpan): QuickInfo {
  let signature = ts.displayPartsToString(info.displayParts);
  const found = symbolAt(program, fileName, info.textSpan.start);
  const news = found ? constructors(program.getTypeChecker(), found.symbol, found.node).filter((s) => !signature.includes(s)) : [];
  if (news.length > 0) signature += "\n" + news.join("\n");
  const tags = (info.tags ?? []).map((t) => `@${t.name}${t.text ? " " + ts.displayPartsToString(t.text) : ""}`);
  const documentation = [ts.displayPartsToString(info.documentation), ...tags].filter((s) => s.length > 0).join("\n");
  return { start: span.start, end: span.start + span.length, signature, documentation };
}
