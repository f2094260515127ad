/**
 * The top-level names a cell declares: what later cells see of it (the kernel carries every top-level
 * declaration of a cell into the cells after it, imports included).
 */
import ts from "typescript";

export interface CellNames {
  /** Every top-level name the cell declares or imports, in order, without duplicates. */
  readonly names: readonly string[];
  /** Names a later cell may assign to (`let`/`var`): the kernel allows it, an import binding would not. */
  readonly mutable: ReadonlySet<string>;
  /** Names the cell itself exports (`export const x`): already visible, not exported again. */
  readonly exported: ReadonlySet<string>;
}

function bindingNames(name: ts.BindingName, out: string[]): void {
  if (ts.isIdentifier(name)) out.push(name.text);
  else for (const element of name.elements) if (!ts.isOmittedExpression(element)) bindingNames(element.name, out);
}

function hasExport(node: ts.Node): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
}

function importNames(clause: ts.ImportClause | undefined, out: string[]): void {
  if (!clause) return;
  if (clause.name) out.push(clause.name.text);
  const bindings = clause.namedBindings;
  if (!bindings) return;
  if (ts.isNamespaceImport(bindings)) out.push(bindings.name.text);
  else for (const element of bindings.elements) out.push(element.name.text);
}

/** Names declared by one top-level statement. */
function statementNames(statement: ts.Statement, out: string[]): void {
  if (ts.isVariableStatement(statement)) {
    for (const d of statement.declarationList.declarations) bindingNames(d.name, out);
  } else if (ts.isImportDeclaration(statement)) {
    importNames(statement.importClause, out);
  } else if (ts.isImportEqualsDeclaration(statement)) {
    out.push(statement.name.text);
  } else if (
    (ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement) || ts.isInterfaceDeclaration(statement) ||
      ts.isTypeAliasDeclaration(statement) || ts.isEnumDeclaration(statement) || ts.isModuleDeclaration(statement)) &&
    statement.name && ts.isIdentifier(statement.name)
  ) {
    out.push(statement.name.text);
  }
}

export function cellNames(source: ts.SourceFile): CellNames {
  const names: string[] = [];
  const mutable = new Set<string>();
  const exported = new Set<string>();
  for (const statement of source.statements) {
    const found: string[] = [];
    statementNames(statement, found);
    for (const n of found) names.push(n);
    if (ts.isVariableStatement(statement) && !(statement.declarationList.flags & ts.NodeFlags.Constant)) for (const n of found) mutable.add(n);
    if (hasExport(statement)) for (const n of found) exported.add(n);
  }
  return { names: [...new Set(names)], mutable, exported };
}
