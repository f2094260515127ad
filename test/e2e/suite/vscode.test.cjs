// The extension-host suite of index.cjs as mocha tests (TDD UI), for @vscode/test-cli (.vscode-test.mjs) on
// a machine with desktop VS Code (also run in code-server by `E2E_RUNNER=mocha node test/e2e/run.mjs`).
// The tests depend on each other (one notebook, run once), in order.
const vscode = require("vscode");
const { tests } = require("./index.cjs");

suite("NeuroForge extension host", function () {
  this.timeout(240_000);
  for (const [name, fn] of tests) test(name, fn);
  // Leave the notebook unsaved (the suite added cells): no save prompt at shutdown.
  suiteTeardown(() => vscode.commands.executeCommand("workbench.action.revertAndCloseActiveEditor").then(undefined, () => {}));
});
