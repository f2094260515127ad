/**
 * A notebook's TypeScript cells as virtual module files for the language service: one file per cell,
 * the cell's own text first (so offsets in the cell are offsets in the file), then a suffix that
 * imports the names earlier cells declared (the latest declaration of each, unless this cell declares
 * it again, as the kernel allows) and exports the cell's own names to later cells. Imports may stand
 * after code in a module, so the suffix never shifts a cell position.
 */
import * as path from "node:path";
import ts from "typescript";
import { cellNames, type CellNames } from "./cell-names";

export interface VirtualCell {
  /** Absolute file name: `<notebook folder>/__neuroforge_cell_<notebook>_<n>__.ts`. */
  readonly fileName: string;
  /** The cell's text followed by the suffix. */
  readonly text: string;
  /** Length of the cell's own text: diagnostics at or past it are in the suffix. */
  readonly cellLength: number;
  /** Names this cell imports from earlier cells that the kernel lets it assign to. */
  readonly mutableImports: ReadonlySet<string>;
}

const parsed = new Map<string, CellNames>();

/** Parses a cell for its names; a small cache keyed by text, as most cells do not change between calls. */
function namesOf(text: string): CellNames {
  let names = parsed.get(text);
  if (!names) {
    names = cellNames(ts.createSourceFile("cell.ts", text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS));
    if (parsed.size >= 1000) parsed.clear();
    parsed.set(text, names);
  }
  return names;
}

/**
 * `notebook` tells apart the notebooks of one folder: services sharing a document registry (the worker's)
 * must never name two different texts alike, or one gets the other's parsed cell of the same version.
 */
export function cellFileName(root: string, notebook: number, index: number): string {
  return path.join(root, `__neuroforge_cell_${notebook}_${index}__.ts`);
}

export function virtualCells(root: string, notebook: number, texts: readonly string[]): VirtualCell[] {
  /** name → [index of the cell that declared it last, mutable there]. */
  const visible = new Map<string, { cell: number; mutable: boolean }>();
  return texts.map((text, index) => {
    const own = namesOf(text);
    const ownNames = new Set(own.names);
    const byCell = new Map<number, string[]>();
    const mutableImports = new Set<string>();
    for (const [name, from] of visible) {
      if (ownNames.has(name)) continue;
      byCell.set(from.cell, [...(byCell.get(from.cell) ?? []), name]);
      if (from.mutable) mutableImports.add(name);
    }
    const lines = [...byCell].map(([cell, names]) => `import { ${names.join(", ")} } from "./${path.basename(cellFileName(root, notebook, cell), ".ts")}";`);
    const toExport = own.names.filter((n) => !own.exported.has(n));
    lines.push(`export { ${toExport.join(", ")} };`);
    for (const name of own.names) visible.set(name, { cell: index, mutable: own.mutable.has(name) });
    return { fileName: cellFileName(root, notebook, index), text: `${text}\n;${lines.join("")}`, cellLength: text.length, mutableImports };
  });
}
