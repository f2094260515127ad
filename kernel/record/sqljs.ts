import * as fs from "node:fs";
import * as path from "node:path";
import initSqlJs from "sql.js";
import type { SqlJsStatic } from "sql.js";

/**
 * Where sql.js finds its WebAssembly: by default `sql.js/dist/sql-wasm.wasm` resolved from
 * node_modules. A bundle (esbuild) that ships the .wasm elsewhere passes its path or bytes.
 */
export interface SqlJsOptions {
  readonly wasmPath?: string;
  readonly wasmBinary?: Uint8Array;
}

let shared: Promise<SqlJsStatic> | null = null;

function defaultWasmPath(): string {
  try {
    // CommonJS (tsx, the esbuild cjs bundle when node_modules is present).
    if (typeof require === "function") return require.resolve("sql.js/dist/sql-wasm.wasm");
  } catch {
    /* fall through */
  }
  return path.join(process.cwd(), "node_modules", "sql.js", "dist", "sql-wasm.wasm");
}

/** The sql.js module, loaded once per process (or per explicit options). */
export function loadSqlJs(options: SqlJsOptions = {}): Promise<SqlJsStatic> {
  if (!options.wasmPath && !options.wasmBinary && shared) return shared;
  const wasmBinary = options.wasmBinary ?? fs.readFileSync(options.wasmPath ?? defaultWasmPath());
  const loading = initSqlJs({ wasmBinary: wasmBinary as unknown as ArrayBuffer });
  if (!options.wasmPath && !options.wasmBinary) shared = loading;
  return loading;
}
