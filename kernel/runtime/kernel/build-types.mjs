// Writes dist/neuroforge-types/: package.json + .d.ts files for `import … from "neuroforge"` in notebook
// cells (the kernel's type checker maps node_modules/neuroforge here). Run by esbuild.mjs; skipped when
// the declarations are newer than every source under kernel/.
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const root = fileURLToPath(new URL("../../..", import.meta.url));
const outDir = path.join(root, "dist", "neuroforge-types");
const entry = path.join(root, "kernel/runtime/kernel/api.ts");
const stamp = path.join(outDir, "package.json");

function newestSource(dir) {
  let newest = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (e.name.endsWith(".ts")) newest = Math.max(newest, fs.statSync(p).mtimeMs);
  }
  return newest;
}

export function buildTypes() {
  if (fs.existsSync(stamp) && fs.statSync(stamp).mtimeMs > newestSource(path.join(root, "kernel"))) return false;
  const program = ts.createProgram([entry], {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    strict: true,
    esModuleInterop: true,
    skipLibCheck: true,
    resolveJsonModule: true,
    types: ["node"],
    declaration: true,
    emitDeclarationOnly: true,
    rootDir: root,
    outDir,
  });
  const result = program.emit();
  const errors = result.diagnostics.filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (errors.length > 0) {
    throw new Error(ts.formatDiagnostics(errors, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => root, getNewLine: () => "\n" }));
  }
  fs.writeFileSync(
    stamp,
    JSON.stringify({ name: "neuroforge", private: true, types: "kernel/runtime/kernel/api.d.ts" }, null, 2) + "\n",
  );
  return true;
}
