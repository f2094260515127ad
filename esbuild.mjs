// Bundles the CLI: kernel/runtime/cli.ts → dist/cli.js (Node 20, CommonJS, source maps).
// bin/neuroforge.cjs requires dist/cli.js. Run by `npm run build`, `npm start`, `npm test` and on `npm ci`
// (the `prepare` script). Also the kernel process, the VS Code extension, its renderers and webviews.
import * as esbuild from "esbuild";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL(".", import.meta.url));

/** @type {esbuild.BuildOptions[]} */
/** Options every bundle shares; each entry below names only what differs. */
const common = { bundle: true, sourcemap: true, logLevel: "warning" };
// esbuild itself stays external (it runs its native binary): the recorder fingerprints a user's strategy
// with it and `verify --strategy` compiles the user's module (kernel/record/strategy-fingerprint.ts).
// mnist too: its digit files (21 MB of JSON) are read from the package at run time (kernel/engine/datasets/mnist.ts).
const node = (entry, outfile, extra = {}) => ({ ...common, entryPoints: [entry], outfile, platform: "node", format: "cjs", target: "node20", ...extra, external: ["esbuild", "mnist", ...(extra.external ?? [])] });
const browser = (entry, outfile, format) => ({ ...common, entryPoints: [entry], outfile, platform: "browser", format, target: "es2022" });

const builds = [
  // Vega is an ES module with top-level await: the CLI imports it at run time (kernel/runtime/plot-svg.ts).
  node("kernel/runtime/cli.ts", "dist/cli.js", { external: ["vega", "vega-lite", "vega-interpreter", "@resvg/resvg-js"] }),
  // The .nfrun writer thread (a worker_thread started by kernel/record/writer-thread.ts beside the bundle).
  node("kernel/record/writer-worker.ts", "dist/nfrun-writer.js"),
  // A sweep's worker threads (kernel/runtime/sweep-pool.ts starts them beside the bundle: `--jobs N`).
  node("kernel/runtime/sweep-worker.ts", "dist/sweep-worker.js"),
  // The notebook kernel process, its control thread and the Jupyter adapter (docs/kernel.md).
  ...[
    ["kernel/runtime/kernel/main.ts", "dist/kernel.js"],
    ["kernel/runtime/kernel/control.ts", "dist/kernel-control.js"],
    ["kernel/runtime/kernel/jupyter.ts", "dist/jupyter-kernel.js"],
  ].map(([entry, outfile]) => node(entry, outfile, { external: ["tslab", "@tslab/typescript-for-tslab", "typescript", "zeromq"] })),
  // The notebook language service's worker thread (kernel/runtime/language/; the extension and the Jupyter
  // adapter start it). TypeScript stays a package (its lib .d.ts files sit beside it) rather than 9 MB inlined.
  node("kernel/runtime/language/worker.ts", "dist/language-worker.js", { external: ["typescript"] }),
  // The VS Code extension host (docs/extension.md): CommonJS for Node, `vscode` provided by VS Code.
  node("extension/activate.ts", "dist/extension.js", { external: ["vscode"] }),
  // Notebook renderers: ESM for the notebook webview (one folder per renderer under webviews/renderers/).
  ...["audit", "network", "neuron", "signals", "comparison", "health"].map((name) => browser(`webviews/renderers/${name}/index.ts`, `dist/renderers/${name}.js`, "esm")),
  // The .nfrun editor's webview script (loaded with a nonce under a strict CSP).
  browser("webviews/editor/main.ts", "dist/webviews/editor.js", "iife"),
];

await Promise.all(builds.map((options) => esbuild.build({ absWorkingDir: root, ...options })));
// Type declarations of `neuroforge` for notebook cells (dist/neuroforge-types).
(await import("./kernel/runtime/kernel/build-types.mjs")).buildTypes();
