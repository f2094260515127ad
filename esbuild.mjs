// Bundles the CLI: kernel/runtime/cli.ts → dist/cli.js (Node 20, CommonJS, source maps).
// bin/neuroforge.cjs requires dist/cli.js. Run by `npm run build`, `npm start`, `npm test` and on `npm ci`
// (the `prepare` script). Later bundles (extension host, renderers, webviews) are added to `builds`.
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
];

await Promise.all(builds.map((options) => esbuild.build({ absWorkingDir: root, ...options })));
// Type declarations of `neuroforge` for notebook cells (dist/neuroforge-types).
(await import("./kernel/runtime/kernel/build-types.mjs")).buildTypes();
