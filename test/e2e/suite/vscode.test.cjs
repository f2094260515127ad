// The extension-host suite of index.cjs as mocha tests (TDD UI), for @vscode/test-cli (.vscode-test.mjs) on
// a machine with desktop VS Code. The tests depend on each other (one notebook, run once), in order.
const { tests } = require("./index.cjs");

suite("NeuroForge extension host", function () {
  this.timeout(240_000);
  for (const [name, fn] of tests) test(name, fn);
});
