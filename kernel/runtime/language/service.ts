/**
 * A TypeScript language service over a notebook's TypeScript cells (virtual-cells.ts: one module per
 * cell, earlier cells' declarations visible), aware of the `neuroforge` types, without running anything.
 * Used by the VS Code extension (through a worker thread, worker.ts) and the Jupyter adapter.
 * Compiler options are the kernel's (tslab's converter's ES2022 and ESNext modules, plus
 * CELL_CHECK_OPTIONS: strict, Bundler resolution), so a cell the kernel accepts shows no squiggle.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import ts from "typescript";
import { CELL_CHECK_OPTIONS } from "../kernel/cell-options";
import type { Completions, LanguageDiagnostic, QuickInfo } from "./answers";
import { earlierDeclaration, quickInfoText } from "./quick-info";
import { virtualCells, type VirtualCell } from "./virtual-cells";

export interface NotebookServiceOptions {
  /** The notebook's folder: relative imports and node_modules resolve from here, as in the kernel. */
  readonly root: string;
  /** dist/neuroforge-types: what `import … from "neuroforge"` type-checks against. */
  readonly typesDir: string;
  /** @types folders to use when none above the notebook has @types/node (the extension's own copy). */
  readonly fallbackTypeRoots?: readonly string[];
  /** Shared between services so the lib .d.ts files are parsed once per worker. */
  readonly registry?: ts.DocumentRegistry;
}

/** Diagnostics that follow from our cell modules, not from the user's code: assigning to an earlier cell's `let`. */
const CANNOT_ASSIGN_TO_IMPORT = 2632;

function typeRootsFor(root: string, fallbacks: readonly string[]): string[] | undefined {
  const upward: string[] = [];
  for (let dir = root; ; dir = path.dirname(dir)) {
    const types = path.join(dir, "node_modules", "@types");
    if (fs.existsSync(types)) upward.push(types);
    if (path.dirname(dir) === dir) break;
  }
  const hasNode = (d: string): boolean => fs.existsSync(path.join(d, "node", "package.json"));
  if (upward.some(hasNode)) return undefined;
  const fallback = fallbacks.find(hasNode);
  return fallback ? [...upward, fallback] : undefined;
}

/** Numbers each service's cell files apart (virtual-cells.ts cellFileName). */
let servicesCreated = 0;

export class NotebookLanguageService {
  private readonly notebook = servicesCreated++;
  private cells: VirtualCell[] = [];
  private readonly files = new Map<string, { cell: VirtualCell; version: number }>();
  private readonly service: ts.LanguageService;
  private readonly options: ts.CompilerOptions;

  constructor(readonly settings: NotebookServiceOptions) {
    const typeRoots = typeRootsFor(settings.root, settings.fallbackTypeRoots ?? []);
    this.options = {
      target: ts.ScriptTarget.ES2022,
      lib: ["lib.es2022.d.ts"],
      module: ts.ModuleKind.ESNext,
      ...(CELL_CHECK_OPTIONS as ts.CompilerOptions),
      esModuleInterop: true,
      resolveJsonModule: true,
      experimentalDecorators: true,
      skipLibCheck: true,
      types: ["node"],
      ...(typeRoots ? { typeRoots } : {}),
      // The kernel maps node_modules/neuroforge to these declarations; a path mapping says the same.
      paths: { neuroforge: [settings.typesDir] },
    };
    const virtual = (f: string) => this.files.get(f);
    const host: ts.LanguageServiceHost = {
      getCompilationSettings: () => this.options,
      getScriptFileNames: () => this.cells.map((c) => c.fileName),
      getScriptVersion: (f) => String(virtual(f)?.version ?? 0),
      getScriptSnapshot: (f) => {
        const v = virtual(f);
        if (v) return ts.ScriptSnapshot.fromString(v.cell.text);
        const text = ts.sys.readFile(f);
        return text === undefined ? undefined : ts.ScriptSnapshot.fromString(text);
      },
      getCurrentDirectory: () => settings.root,
      getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
      fileExists: (f) => this.files.has(f) || ts.sys.fileExists(f),
      readFile: (f, enc) => virtual(f)?.cell.text ?? ts.sys.readFile(f, enc),
      directoryExists: (d) => ts.sys.directoryExists(d),
      getDirectories: (d) => ts.sys.getDirectories(d),
      readDirectory: (...args) => ts.sys.readDirectory(...args),
      realpath: (p) => (this.files.has(p) ? p : (ts.sys.realpath?.(p) ?? p)),
      useCaseSensitiveFileNames: () => ts.sys.useCaseSensitiveFileNames,
    };
    this.service = ts.createLanguageService(host, settings.registry ?? ts.createDocumentRegistry());
  }

  /** The notebook's TypeScript cells, in order (only changed cells are re-checked). */
  setCells(texts: readonly string[]): void {
    const next = virtualCells(this.settings.root, this.notebook, texts);
    const kept = new Set<string>();
    for (const cell of next) {
      kept.add(cell.fileName);
      const old = this.files.get(cell.fileName);
      if (!old) this.files.set(cell.fileName, { cell, version: 1 });
      else if (old.cell.text !== cell.text) this.files.set(cell.fileName, { cell, version: old.version + 1 });
      else old.cell = cell;
    }
    for (const f of [...this.files.keys()]) if (!kept.has(f)) this.files.delete(f);
    this.cells = next;
  }

  get cellCount(): number {
    return this.cells.length;
  }

  private cell(index: number): VirtualCell {
    const cell = this.cells[index];
    if (!cell) throw new RangeError(`cell ${index} does not exist (the notebook has ${this.cells.length} TypeScript cells)`);
    return cell;
  }

  completions(index: number, offset: number): Completions {
    const cell = this.cell(index);
    const at = Math.max(0, Math.min(offset, cell.cellLength));
    const text = cell.text;
    let start = at;
    while (start > 0 && /[\w$]/.test(text[start - 1]!)) start--;
    const info = this.service.getCompletionsAtPosition(cell.fileName, at, {
      includeCompletionsWithInsertText: true,
      includeCompletionsForModuleExports: false,
    });
    const entries = (info?.entries ?? [])
      .filter((e) => !e.name.startsWith("__neuroforge_cell_"))
      .map((e) => ({ name: e.name, kind: e.kind, sortText: e.sortText, ...(e.insertText !== undefined ? { insertText: e.insertText } : {}) }));
    return { start, end: at, entries };
  }

  quickInfo(index: number, offset: number): QuickInfo | null {
    const cell = this.cell(index);
    const at = Math.max(0, Math.min(offset, cell.cellLength));
    // At the end of a word (Jupyter's cursor after `Trainer`) the word is the one before the cursor.
    for (const pos of at > 0 ? [at, at - 1] : [at]) {
      const info = this.service.getQuickInfoAtPosition(cell.fileName, pos);
      const program = this.service.getProgram();
      if (!info || !program) continue;
      const earlier = earlierDeclaration(program, cell, info.textSpan.start);
      const shown = earlier ? this.service.getQuickInfoAtPosition(earlier.fileName, earlier.pos) : info;
      return quickInfoText(program, earlier?.fileName ?? cell.fileName, shown ?? info, info.textSpan);
    }
    return null;
  }

  /** Errors, warnings and suggestions of every cell (what the kernel would report, before running). */
  diagnostics(): LanguageDiagnostic[] {
    const out: LanguageDiagnostic[] = [];
    this.cells.forEach((cell, index) => {
      const found = [...this.service.getSyntacticDiagnostics(cell.fileName), ...this.service.getSemanticDiagnostics(cell.fileName)];
      for (const d of found) {
        if (d.start === undefined || d.start >= cell.cellLength) continue;
        const end = Math.min(d.start + (d.length ?? 0), cell.cellLength);
        if (d.code === CANNOT_ASSIGN_TO_IMPORT && cell.mutableImports.has(cell.text.slice(d.start, end))) continue;
        out.push({
          cell: index,
          start: d.start,
          end,
          message: ts.flattenDiagnosticMessageText(d.messageText, "\n"),
          code: d.code,
          severity: d.category === ts.DiagnosticCategory.Error ? "error" : d.category === ts.DiagnosticCategory.Warning ? "warning" : "suggestion",
        });
      }
    });
    return out;
  }

  dispose(): void {
    this.service.dispose();
  }
}
