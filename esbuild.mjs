// Bundles the CLI: kernel/runtime/cli.ts → dist/cli.js (Node 20, CommonJS, source maps).
// bin/neuroforge.cjs requires dist/cli.js. Run by `npm run build`, `npm start`, `npm test` and on `npm ci`
// (the `prepare` script). Also the kernel process, the VS Code extension, its renderers and webviews.
import * as esbuild from "esbuild";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL(".", import.meta.url));

/** @type {esbuild.BuildOptions[]} */
const builds = [
  {
    entryPoints: ["kernel/runtime/cli.ts"],
    outfile: "dist/cli.js",
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    sourcemap: true,
    logLevel: "warning",
  },
  // The notebook kernel process, its control thread and the Jupyter adapter (docs/kernel.md).
  ...[
    ["kernel/runtime/kernel/main.ts", "dist/kernel.js"],
    ["kernel/runtime/kernel/control.ts", "dist/kernel-control.js"],
    ["kernel/runtime/kernel/jupyter.ts", "dist/jupyter-kernel.js"],
  ].map(([entry, outfile]) => ({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    sourcemap: true,
    logLevel: "warning",
    external: ["tslab", "@tslab/typescript-for-tslab", "zeromq"],
  })),
  // The VS Code extension host (docs/extension.md): CommonJS for Node, `vscode` provided by VS Code.
  {
    entryPoints: ["extension/activate.ts"],
    outfile: "dist/extension.js",
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    sourcemap: true,
    logLevel: "warning",
    external: ["vscode"],
  },
  // Notebook renderers: ESM for the notebook webview (one folder per renderer under webviews/renderers/).
  ...["audit", "network", "signals"].map((name) => ({
    entryPoints: [`webviews/renderers/${name}/index.ts`],
    outfile: `dist/renderers/${name}.js`,
    bundle: true,
    platform: "browser",
    format: "esm",
    target: "es2022",
    sourcemap: true,
    logLevel: "warning",
  })),
  // The .nfrun editor's webview script (loaded with a nonce under a strict CSP).
  {
    entryPoints: ["webviews/editor/main.ts"],
    outfile: "dist/webviews/editor.js",
    bundle: true,
    platform: "browser",
    format: "iife",
    target: "es2022",
    sourcemap: true,
    logLevel: "warning",
  },
];

await Promise.all(builds.map((options) => esbuild.build({ absWorkingDir: root, ...options })));
// Type declarations of `neuroforge` for notebook cells (dist/neuroforge-types).
(await import("./kernel/runtime/kernel/build-types.mjs")).buildTypes();
