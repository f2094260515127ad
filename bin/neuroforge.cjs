#!/usr/bin/env node
"use strict";
// The `neuroforge` command. dist/cli.js is built by `npm run build` (esbuild.mjs; `npm install` runs it).
const path = require("node:path");
const fs = require("node:fs");
const cli = path.join(__dirname, "..", "dist", "cli.js");
if (!fs.existsSync(cli)) {
  // A checkout used before `npm install`: one line, as every other error (README, "Exit codes").
  process.stderr.write(`neuroforge: ${cli} is missing: run \`npm install\` (or \`npm run build\`) in ${path.dirname(__dirname)} first\n`);
  process.exit(2);
}
process.setSourceMapsEnabled(true);
require(cli).run();
