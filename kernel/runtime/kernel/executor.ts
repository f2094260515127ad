/**
 * Executes TypeScript cells: tslab's converter (a TypeScript watch program over a virtual file per cell,
 * declarations carried from cell to cell) type-checks and transpiles; the JavaScript runs in this
 * process's main context with the previous cells' values in one `exports` object (as tslab does).
 *
 * What we add to tslab's executor: every cell runs as an async function that first awaits (so a cell's
 * code never runs under the kernel's own stack frames and can be terminated by an interrupt), source maps
 * (runtime errors report cell-relative lines), `neuroforge` resolution, and rich display of the last
 * expression.
 */
import Module from "node:module";
import * as path from "node:path";
import * as vm from "node:vm";
import type { Converter, Diagnostic } from "tslab/dist/converter";
import type { CellDiagnostic } from "./protocol";
import { CELL_CHECK_OPTIONS } from "./cell-options";
import { originalLine, parseSourceMap, type LineMap } from "./sourcemap";
import { cellTypeScript } from "./typescript";

export type CellOutcome =
  | { readonly kind: "ok"; readonly value: unknown; readonly hasValue: boolean }
  | { readonly kind: "type-error"; readonly diagnostics: readonly CellDiagnostic[] }
  | { readonly kind: "runtime-error"; readonly error: unknown };

interface TsModule {
  createWatchCompilerHost: (...args: unknown[]) => Record<string, unknown>;
  transpileModule: (input: string, options: { fileName?: string; compilerOptions?: Record<string, unknown> }) => {
    outputText: string;
    sourceMapText?: string;
  };
  sys: Record<string, (...args: never[]) => unknown>;
  createSourceFile: (name: string, text: string, target: number, setParents: boolean) => unknown;
  forEachChild: (node: TsNode, cb: (n: TsNode) => void) => void;
  SyntaxKind: { ShorthandPropertyAssignment: number };
}

interface Builder {
  emit: (sf: unknown, writeFile: (name: string, data: string, ...rest: unknown[]) => void, ...rest: unknown[]) => unknown;
}

/** Maps `<root>/node_modules/neuroforge/**` (when not really installed there) to the bundled type declarations. */
function patchTypeResolution(ts: TsModule, root: string, typesDir: string): void {
  const fake = path.join(root, "node_modules", "neuroforge");
  const fakeModules = path.join(root, "node_modules");
  const mapped = (p: string): string | null => {
    if (p === fake || p.startsWith(fake + "/")) return path.join(typesDir, p.slice(fake.length));
    return null;
  };
  const sys = ts.sys as unknown as Record<string, (p: string, ...rest: unknown[]) => unknown>;
  const really = { fileExists: sys.fileExists!, directoryExists: sys.directoryExists!, readFile: sys.readFile!, realpath: sys.realpath };
  const realInstalled = (really.directoryExists as (p: string) => boolean)(fake);
  if (realInstalled) return;
  sys.fileExists = (p: string) => {
    const m = mapped(p);
    return (really.fileExists as (p: string) => boolean)(m ?? p);
  };
  sys.directoryExists = (p: string) => {
    if (p === fakeModules) return true;
    const m = mapped(p);
    return (really.directoryExists as (p: string) => boolean)(m ?? p);
  };
  sys.readFile = (p: string, ...rest: unknown[]) => {
    const m = mapped(p);
    return (really.readFile as (p: string, ...r: unknown[]) => unknown)(m ?? p, ...rest);
  };
  if (really.realpath) {
    const rp = really.realpath as (p: string) => string;
    sys.realpath = (p: string) => {
      const m = mapped(p);
      return m ? rp(m) : rp(p);
    };
  }
}

/** Compiler options over tslab's (cell-options.ts; the cell language service uses the same). */
const CELL_COMPILER_OPTIONS = { sourceMap: true, ...CELL_CHECK_OPTIONS } as const;

export interface ExecutorOptions {
  /** The notebook's folder: relative imports, node_modules and the type checker's root. */
  readonly root: string;
  /** Folder holding package.json + .d.ts files for `neuroforge`. */
  readonly typesDir: string;
  /** What `require("neuroforge")` returns. */
  readonly api: unknown;
}

export class Executor {
  private readonly converter: Converter;
  private readonly exportsObject: Record<string, unknown> = {};
  private readonly exportsProxy: Record<string, unknown>;
  private readonly requireFn: NodeJS.Require;
  private readonly sideOutputs = new Map<string, string>();
  private readonly sideModules = new Map<string, Module>();
  private readonly maps = new Map<string, LineMap>();
  private prevDecl = "";
  private readonly ts: TsModule;
  private lastEsmMap: string | null = null;
  private lastCjsMap: string | null = null;

  constructor(private readonly options: ExecutorOptions) {
    const ts = (this.ts = cellTypeScript() as unknown as TsModule);
    patchTypeResolution(ts, options.root, options.typesDir);
    this.patchSourceMaps(ts);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { createConverter } = require("tslab/dist/converter") as typeof import("tslab/dist/converter");
    this.converter = createConverter({ isJS: false, isBrowser: false });

    const target = this.exportsObject;
    this.exportsProxy = new Proxy(target, {
      // TypeScript turns named imports into defineProperty getters; keep them plain, rewritable values.
      defineProperty: (_t, prop, attrs) => {
        if (prop === "__esModule") return true;
        target[prop as string] = attrs.get ? attrs.get() : attrs.value;
        return true;
      },
    });
    this.requireFn = this.wrapRequire(Module.createRequire(path.join(options.root, "__cell__.js")), options.root);
    vm.runInThisContext("(x) => { globalThis.__neuroforge_cells__ = x; }")({ exports: this.exportsProxy, require: this.requireFn });
  }

  /**
   * The converter's watch host, with our compiler options (CELL_COMPILER_OPTIONS) and its timers
   * sorted; the two maps of the last cell compile are kept (tslab compiles without source maps).
   */
  private patchSourceMaps(ts: TsModule): void {
    const createHost = ts.createWatchCompilerHost;
    ts.createWatchCompilerHost = (...args: unknown[]) => {
      const [roots, options, ...rest] = args;
      const host = createHost(roots, { ...(options as object), ...CELL_COMPILER_OPTIONS }, ...rest);
      separateTimers(host);
      let after: ((b: Builder) => void) | undefined;
      Object.defineProperty(host, "afterProgramCreate", {
        configurable: true,
        get: () => after,
        set: (fn: (b: Builder) => void) => {
          after = (b: Builder) => {
            const emit = b.emit.bind(b);
            b.emit = (sf, writeFile, ...r) =>
              emit(
                sf,
                (name: string, data: string, ...w: unknown[]) => {
                  if (name.endsWith(".js.map")) {
                    if (name.endsWith("__tslab__.js.map")) this.lastEsmMap = data;
                    return;
                  }
                  writeFile(name, data, ...w);
                },
                ...r,
              );
            fn(b);
          };
        },
      });
      return host;
    };
    const transpile = ts.transpileModule;
    ts.transpileModule = (input, opts) => {
      if (opts.fileName !== "custom.js") return transpile(input, opts);
      const out = transpile(input, { ...opts, compilerOptions: { ...opts.compilerOptions, sourceMap: true } });
      this.lastCjsMap = out.sourceMapText ?? null;
      return out;
    };
  }

  private wrapRequire(req: NodeJS.Require, dirname: string): NodeJS.Require {
    const load = (id: string): unknown => {
      if (id.startsWith(".") || path.isAbsolute(id)) {
        let filename = path.resolve(dirname, id);
        if (path.extname(filename) === "" || path.extname(filename) === ".ts") filename = filename.replace(/\.ts$/, "") + ".js";
        const cached = this.sideModules.get(filename);
        if (cached) return cached.exports;
        const code = this.sideOutputs.get(filename);
        if (code !== undefined) {
          const mod = new Module(filename, module);
          mod.filename = filename;
          mod.paths = (Module as unknown as { _nodeModulePaths(d: string): string[] })._nodeModulePaths(path.dirname(filename));
          mod.require = this.wrapRequire(mod.require as NodeJS.Require, path.dirname(filename)) as typeof mod.require;
          this.sideModules.set(filename, mod);
          (mod as unknown as { _compile(c: string, f: string): void })._compile(code, filename);
          return mod.exports;
        }
      }
      return req(id);
    };
    return new Proxy(req, {
      apply: (_t, _this, args: unknown[]) => (args.length === 1 && typeof args[0] === "string" ? load(args[0]) : Reflect.apply(req, _this, args)),
    });
  }

  /** Type-checks and transpiles a cell; returns diagnostics or a function that runs it. */
  compile(src: string, cell: number): { diagnostics: readonly CellDiagnostic[] } | { run: () => Promise<CellOutcome> } {
    this.lastEsmMap = null;
    this.lastCjsMap = null;
    const expanded = expandShorthands(this.ts, src);
    const converted = this.converter.convert(this.prevDecl, expanded.text);
    for (const out of converted.sideOutputs ?? []) {
      this.sideModules.delete(out.path);
      this.sideOutputs.set(out.path, out.data);
    }
    if (converted.diagnostics.length > 0) {
      return { diagnostics: converted.diagnostics.map((d) => cellDiagnostic(d, d.fileName ? [] : expanded.insertions)) };
    }
    const declOutput = converted.declOutput ?? "";
    const filename = `neuroforge-cell-${cell}.js`;
    if (!converted.output) {
      this.prevDecl = declOutput;
      return { run: async () => ({ kind: "ok", value: undefined, hasValue: false }) };
    }
    this.registerMap(filename);
    // One line: the generated line numbers of the output are unchanged (line 1 shifts by its columns).
    const wrapped = `(async function (exports, require) { await undefined; ${converted.output}\n})(__neuroforge_cells__.exports, __neuroforge_cells__.require)`;
    const lastVar = converted.lastExpressionVar;
    return {
      run: async () => {
        try {
          await (vm.runInThisContext(wrapped, { filename }) as Promise<void>);
        } catch (error) {
          // Declarations made before the throw stay usable (as in tslab).
          this.prevDecl = declOutput;
          return { kind: "runtime-error", error };
        }
        this.prevDecl = declOutput;
        if (lastVar && Object.hasOwn(this.exportsObject, lastVar)) {
          const value = this.exportsObject[lastVar];
          delete this.exportsObject[lastVar];
          return { kind: "ok", value, hasValue: value !== undefined };
        }
        return { kind: "ok", value: undefined, hasValue: false };
      },
    };
  }

  private registerMap(filename: string): void {
    if (!this.lastEsmMap || !this.lastCjsMap) return;
    try {
      const esm = parseSourceMap(this.lastEsmMap);
      const cjs = parseSourceMap(this.lastCjsMap);
      // generated (CJS) line → ESM line → virtual TS line (line 0 of which is tslab's `export {};` prefix).
      const combined: LineMap = cjs.map((segs) =>
        segs.flatMap(([col, esmLine]) => {
          const tsLine = originalLine(esm, esmLine, 0);
          return tsLine === null ? [] : [[col, tsLine - 1] as const];
        }),
      );
      this.maps.set(filename, combined);
    } catch {
      // No map: errors then report generated lines.
    }
  }

  /** Cell-relative 1-based line for a generated position in a cell file, or null. */
  cellLine(filename: string, line: number, column: number): { cell: number; line: number } | null {
    const m = /^neuroforge-cell-(\d+)\.js$/.exec(filename);
    const map = this.maps.get(filename);
    if (!m || !map) return null;
    const l = originalLine(map, line - 1, Math.max(0, column - 1));
    return l === null || l < 0 ? null : { cell: Number(m[1]), line: l + 1 };
  }

  /** Clears all values and declarations (the kernel restarts by replacing its process; this is for tests). */
  reset(): void {
    this.prevDecl = "";
    for (const k of Object.keys(this.exportsObject)) delete this.exportsObject[k];
  }

  close(): void {
    this.converter.close();
  }

  get root(): string {
    return this.options.root;
  }
}

/**
 * tslab's converter owns the watch host's one timer and runs it itself at each compile: it throws
 * ("Unexpected pending rebuildTimer") when TypeScript sets a second one. TypeScript (≥ 5) also sets a
 * timer to retry failed module lookups when a watched folder changes (a cell writing a file into the
 * notebook folder does it); that one gets a real, unref'd Node timer. TypeScript names its timers.
 */
function separateTimers(host: Record<string, unknown>): void {
  const set = host.setTimeout as (cb: () => void, ms: number, label?: string) => unknown;
  const clear = host.clearTimeout as (handle: unknown) => void;
  const own = new WeakSet<object>();
  host.setTimeout = (cb: () => void, ms: number, label?: string) => {
    if (label === undefined || label === "timerToUpdateProgram") return set(cb, ms, label);
    const timer = setTimeout(cb, ms).unref();
    own.add(timer);
    return timer;
  };
  host.clearTimeout = (handle: unknown) => (handle instanceof Object && own.has(handle) ? clearTimeout(handle as NodeJS.Timeout) : clear(handle));
}

interface Insertion {
  readonly line: number;
  readonly character: number;
  readonly length: number;
}

/**
 * `{ data }` → `{ data: data }`. tslab's converter rewrites references to earlier cells' values
 * (`data` → `exports.data`) but not shorthand properties, which then fail at run time; the long form
 * means the same. Returns the insertions so diagnostics columns can be mapped back.
 */
function expandShorthands(ts: TsModule, src: string): { text: string; insertions: Insertion[] } {
  if (!/[{,]\s*[A-Za-z_$][\w$]*\s*[,}]/.test(src)) return { text: src, insertions: [] };
  const sf = ts.createSourceFile("cell.ts", src, 99, true) as TsNode;
  const found: { pos: number; name: string }[] = [];
  const visit = (node: TsNode): void => {
    if (node.kind === ts.SyntaxKind.ShorthandPropertyAssignment && !node.objectAssignmentInitializer && node.name) {
      found.push({ pos: node.name.end, name: node.name.text ?? "" });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  if (found.length === 0) return { text: src, insertions: [] };
  found.sort((a, b) => b.pos - a.pos);
  let text = src;
  const insertions: Insertion[] = [];
  for (const f of found) {
    const insert = `: ${f.name}`;
    text = text.slice(0, f.pos) + insert + text.slice(f.pos);
    const before = src.slice(0, f.pos);
    const line = before.split("\n").length - 1;
    insertions.push({ line, character: f.pos - (before.lastIndexOf("\n") + 1), length: insert.length });
  }
  return { text, insertions };
}

interface TsNode {
  kind: number;
  end: number;
  name?: { end: number; text?: string };
  objectAssignmentInitializer?: unknown;
}

function unshift(line: number, character: number, insertions: readonly Insertion[]): number {
  let c = character;
  for (const i of insertions) if (i.line === line && i.character < character) c -= i.length;
  return Math.max(0, Math.min(c, character));
}

function cellDiagnostic(d: Diagnostic, insertions: readonly Insertion[]): CellDiagnostic {
  return {
    line: d.start.line + 1,
    column: unshift(d.start.line, d.start.character, insertions) + 1,
    endLine: d.end.line + 1,
    endColumn: unshift(d.end.line, d.end.character, insertions) + 1,
    code: d.code,
    message: d.messageText,
    ...(d.fileName ? { file: d.fileName } : {}),
  };
}
