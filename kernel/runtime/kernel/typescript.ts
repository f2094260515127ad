/**
 * The TypeScript that checks and transpiles cells: the project's own `typescript` package, the very one
 * `npm run typecheck` uses, handed to tslab's converter in place of tslab's bundled fork
 * (@tslab/typescript-for-tslab 5.0.4, which rejects the engine's config module and zod 4's types).
 *
 * The converter loads `@tslab/typescript-for-tslab`; we put a module object into Node's require cache
 * under that id before the converter is first required. The object has every export of `typescript`
 * as a plain, rewritable property (the executor wraps two functions) plus the three functions the fork
 * adds that `convert` calls, rebuilt on `typescript`'s public API. The fork's completion and quick-info
 * additions are not provided: cells never call the converter's `complete`/`inspect`.
 */
import Module from "node:module";
import * as path from "node:path";
import type * as TS from "typescript";

type Ts = typeof TS;

/** What the fork adds over `typescript` and `convert` uses (tslab/dist/converter.js). */
function forkAdditions(ts: Ts): Record<string, unknown> {
  return {
    // The fork exports its internal getDefaultTypeRoots; getEffectiveTypeRoots computes the same list
    // (every ancestor's node_modules/@types) when the options name no typeRoots.
    getDefaultTypeRoots: (currentDirectory: string, host: { directoryExists?: (p: string) => boolean }) =>
      ts.getEffectiveTypeRoots({}, { getCurrentDirectory: () => currentDirectory, ...(host.directoryExists ? { directoryExists: host.directoryExists } : {}) }),
    getNullTransformationContext: () => (ts as unknown as { nullTransformationContext: TS.TransformationContext }).nullTransformationContext,
    // ts.getPreEmitDiagnostics for several files at once (the fork's body, on the Program's public methods).
    getPreEmitDiagnosticsOfFiles: (program: TS.Program, files: readonly TS.SourceFile[], token?: TS.CancellationToken) => {
      const all: TS.Diagnostic[] = [...program.getConfigFileParsingDiagnostics(), ...program.getOptionsDiagnostics(token), ...program.getGlobalDiagnostics(token)];
      const declarations = program.getCompilerOptions().declaration === true || program.getCompilerOptions().composite === true;
      for (const file of files) {
        // Appended one by one: a spread passes each diagnostic as an argument (a huge cell's could overflow).
        for (const d of program.getSyntacticDiagnostics(file, token)) all.push(d);
        for (const d of program.getSemanticDiagnostics(file, token)) all.push(d);
        if (declarations) for (const d of program.getDeclarationDiagnostics(file, token)) all.push(d);
      }
      // One diagnostic per error with its whole message chain: the converter passes a chained message's
      // file name to none of its parts, so an error in an imported file would read as a cell line.
      return ts.sortAndDeduplicateDiagnostics(all).map((d) => ({ ...d, messageText: ts.flattenDiagnosticMessageText(d.messageText, "\n") }));
    },
  };
}

let installed: Record<string, unknown> | null = null;

/**
 * Makes tslab's converter use the project's TypeScript; returns the module object it will see (its
 * properties may be replaced to wrap a function). Idempotent.
 */
export function cellTypeScript(): Record<string, unknown> {
  if (installed) return installed;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ts = require("typescript") as Ts;
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries({ ...ts, ...forkAdditions(ts) })) {
    Object.defineProperty(copy, key, { value, writable: true, enumerable: true, configurable: true });
  }
  const converter = require.resolve("tslab/dist/converter");
  const id = require.resolve("@tslab/typescript-for-tslab", { paths: [path.dirname(converter)] });
  const mod = new Module(id);
  mod.filename = id;
  mod.exports = copy;
  mod.loaded = true;
  require.cache[id] = mod;
  installed = copy;
  return copy;
}

/** The version of the TypeScript that checks cells. */
export function cellTypeScriptVersion(): string {
  return String(cellTypeScript().version);
}
