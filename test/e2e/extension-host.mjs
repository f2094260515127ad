// The extension-host suite (test/e2e/suite/index.cjs) in code-server: the repo as the extension under
// development, the suite as extensionTestsPath, both through the payload URL, which release builds honour
// only with `--vscode-option enable-smoke-test-driver` (hence a code-server of its own, not npm start's).
// The page reports the suite's exit code and log through window.codeAutomationExit / codeAutomationLog.
import * as fs from "node:fs";
import * as path from "node:path";
import { freePort, root, startCodeServer } from "../../bin/code-server.mjs";
import { outDir, timings } from "./harness.mjs";

export async function runExtensionHostSuite(browser, { ws, dataDir }) {
  const port = await freePort();
  const log = fs.createWriteStream(path.join(outDir, "code-server-suite.log"));
  const server = await startCodeServer({
    dataDir,
    port,
    log,
    extraArgs: ["--disable-workspace-trust", "--vscode-option", "enable-smoke-test-driver"],
    // E2E_RUNNER=mocha: @vscode/test-cli's runner (what .vscode-test.mjs uses) reads these in the extension host.
    env: { VSCODE_TEST_OPTIONS: JSON.stringify({ mochaOpts: { ui: "tdd", timeout: 240_000, reporter: "spec" }, colorDefault: false, preload: [], files: [path.join(root, "test/e2e/suite/vscode.test.cjs")] }) },
  });
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  try {
    const page = await context.newPage();
    const lines = [];
    let exit;
    const exited = new Promise((r) => (exit = r));
    await page.exposeFunction("codeAutomationLog", (...args) => {
      const line = args.map((a) => (typeof a === "string" ? a : JSON.stringify(a))).join(" ");
      lines.push(line);
      if (process.env.E2E_VERBOSE) console.log("  [ext host]", line);
    });
    await page.exposeFunction("codeAutomationExit", (code) => exit(code));
    const remote = (p) => `vscode-remote://127.0.0.1:${port}${p}`;
    const runner = process.env.E2E_RUNNER === "mocha" ? "node_modules/@vscode/test-cli/out/runner.cjs" : "test/e2e/suite/index.cjs";
    const payload = JSON.stringify([
      ["extensionDevelopmentPath", remote(root)],
      ["extensionTestsPath", remote(path.join(root, runner))],
    ]);
    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(ws)}&payload=${encodeURIComponent(payload)}`);
    const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r("timeout"), 240_000))]);
    await page.screenshot({ path: path.join(outDir, "extension-host.png") }).catch(() => {});
    fs.writeFileSync(path.join(outDir, "extension-host.log"), lines.join("\n") + "\n");
    const resultsFile = path.join(ws, ".e2e-results.json");
    const results = fs.existsSync(resultsFile) ? JSON.parse(fs.readFileSync(resultsFile, "utf8")) : null;
    if (results) {
      fs.copyFileSync(resultsFile, path.join(outDir, "extension-host-results.json"));
      for (const r of results.results) console.log(`    ${r.ok ? "ok" : "not ok"} - ${r.name} (${r.ms} ms)${r.ok ? "" : "\n" + r.error}`);
      timings.runAllCellsMs = results.runAllMs;
      timings.interruptMs = results.interruptMs;
    }
    if (code !== 0) throw new Error(`extension tests exited with ${code}${results ? "" : " (no results file)"}; log: test-output/e2e/extension-host.log`);
  } finally {
    await context.close();
    await server.stop();
    log.end();
  }
}
