#!/usr/bin/env node
"use strict";
// The `neuroforge` command. dist/cli.js is built by `npm run build` (esbuild.mjs).
process.setSourceMapsEnabled(true);
require("../dist/cli.js").run();
