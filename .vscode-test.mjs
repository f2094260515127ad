// @vscode/test-cli configuration: the extension-host suite of test/e2e/suite/ (the one test/e2e/run.mjs runs
// in code-server) in DESKTOP VS Code, on a machine that has one:
//   VSCODE_PATH=/path/to/code npx vscode-test          (VSCODE_PATH: the VS Code executable)
// Never downloads VS Code (the machines of this project cannot): without VSCODE_PATH it stops here.
// The suite needs a workspace holding samples/notebooks/xor-explained.ipynb: a temporary copy.
import { defineConfig } from "@vscode/test-cli";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.dirname(fileURLToPath(import.meta.url));
const vscodePath = process.env.VSCODE_PATH;
if (!vscodePath || !fs.existsSync(vscodePath)) {
  throw new Error(`.vscode-test.mjs: set VSCODE_PATH to a local VS Code executable (got ${vscodePath ? `"${vscodePath}", which does not exist` : "nothing"}); this config never downloads VS Code`);
}
if (!fs.existsSync(path.join(root, "dist/extension.js"))) throw new Error(".vscode-test.mjs: build first (npm run build)");

const workspace = fs.mkdtempSync(path.join(os.tmpdir(), "neuroforge-vscode-test-"));
fs.copyFileSync(path.join(root, "samples/notebooks/xor-explained.ipynb"), path.join(workspace, "xor-explained.ipynb"));

export default defineConfig({
  label: "extension-host",
  files: "test/e2e/suite/vscode.test.cjs",
  extensionDevelopmentPath: root,
  workspaceFolder: workspace,
  useInstallation: { fromPath: vscodePath },
  // Only our extension (plus VS Code's built-ins, e.g. the .ipynb serializer); no trust prompt.
  launchArgs: ["--disable-extensions", "--disable-workspace-trust", "--skip-welcome", "--skip-release-notes"],
  mocha: { ui: "tdd", timeout: 240_000 },
});
