// End-to-end tests in a real VS Code workbench: code-server (under .tools/, installed by `npm start` itself)
// driven by Debian's Chromium through playwright-core. `npm run test:e2e` runs test/e2e/setup.sh (Chromium),
// then this file; .ci/run runs it on a clean clone, so the README's `npm start` is what installs code-server.
//   1. on a machine without .tools/code-server (CI): the first `npm start`, stopped with Ctrl-C during
//      code-server's install, says so in one line; the next `npm start` resumes (step 2)
//   2. `npm start` (the README's command through npm, --code-server, temporary data dir, PORT) packages and
//      installs the .vsix and prints a URL; every UI test runs against that one server, i.e. the installed
//      .vsix: the first view (the sample notebook, no welcome page, chat or git prompt), the start page
//      (samples/ in the explorer, our commands, the sample notebook's outputs; running it leaves samples/
//      unchanged), the .nfrun editor (recorded and truncated files, VCR playback stepped against the file),
//      runs compared (a multirun: by name, sorted, overlaid, parallel coordinates, main effects),
//      a recorded run's network output (hover → popup numbers = the .nfrun, Escape, Tab + Enter, arrow keys
//      at a column's end, scrubber), the popup of a run with Lookahead and clipping in the .nfrun editor (the
//      reconciled lines parsed, recomputed and = the .nfrun, at a sync and at a clipped commit), themes, course lesson 2 run top to bottom and hovered, a lazily fed
//      network output (renderer messaging), the health views (live in a cell, the editor's panel, stage
//      colours), the kernel status before a run, completions / squiggles +
//      Problems / hover in TypeScript cells (language service), Close All Editors leaving no kernel process;
//      then Ctrl-C and no process of its group is left
//   3. extension-host suite (test/e2e/suite/index.cjs) in a code-server of its own (extension-host.mjs):
//      the XOR notebook runs with our controller, outputs and MIME types, interrupting a long loop, a cell
//      that kills its kernel process
//   4. `npm start` with a stub `code` on the PATH
// Screenshots and logs in test-output/e2e/. Exits non-zero when any step fails.
// Env: E2E_KEEP=1 keeps the temp folder; E2E_ONLY=ui skips the extension-host suite; E2E_VERBOSE=1 prints
// the extension host's log; E2E_RUNNER=mocha runs the suite through @vscode/test-cli's mocha runner;
// E2E_GREP=<regex> runs only the steps whose names match (each other one is logged as skipped), for iterating.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { chromium } from "playwright-core";
import { freePort, isInstalled, root, tools } from "../../bin/code-server.mjs";
import { runExtensionHostSuite } from "./extension-host.mjs";
import { check, finish, log, outDir, screenshot, secs, step, timings, usePage } from "./harness.mjs";
import { openNfrun, runsOf } from "./nfrun-file.mjs";
import { npmStart, npmStartInterruptedInSetup, npmStartWithCode } from "./start-server.mjs";
import { checkRecordedRun, checkTruncatedFile } from "./ui/nfrun-editor.mjs";
import { checkPlayback } from "./ui/playback.mjs";
import { RECONCILE_OVERRIDES, checkReconciledPopup } from "./ui/popup-reconcile.mjs";
import { checkCharts } from "./ui/charts.mjs";
import { checkCompareRuns } from "./ui/compare-runs.mjs";
import { NOTEBOOK, checkHover, checkKeyboard, checkKeyboardEnds, checkScrubber, runNetworkNotebook } from "./ui/network-popup.mjs";
import { checkCloseShutsKernels, checkStatusBeforeRun } from "./ui/kernel-life.mjs";
import { checkFirstView, checkSamplesUnchanged, checkStartPage } from "./ui/start-page.mjs";
import { checkThemes } from "./ui/themes.mjs";
import { WIDE_NOTEBOOK, checkDecisionBoundary, checkWideNetwork } from "./ui/pictures.mjs";
import { LAZY_NOTEBOOK, checkLazyNetwork } from "./ui/lazy-network.mjs";
import { checkCellLanguage, writeLanguageNotebook } from "./ui/cell-language.mjs";
import { COURSE_LESSON, checkCourseLesson } from "./ui/course-lesson.mjs";
import { HEALTH_NOTEBOOK, checkHealthEditor, checkLiveHealth } from "./ui/health.mjs";
import { openWorkbench, setUserSettings } from "./workbench.mjs";

const CHROMIUM = process.env.E2E_CHROMIUM ?? "/usr/bin/chromium";
if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run bash test/e2e/setup.sh`);

// ---- workspace: the sample notebook, the network fixture, a recorded run, a corrupt run -----------------
const work = fs.mkdtempSync(path.join(os.tmpdir(), "neuroforge-e2e-"));
const ws = path.join(work, "ws");
fs.mkdirSync(ws);
fs.copyFileSync(path.join(root, "samples/notebooks/xor-explained.ipynb"), path.join(ws, "xor-explained.ipynb"));
fs.copyFileSync(path.join(root, "test/e2e/fixtures", NOTEBOOK), path.join(ws, NOTEBOOK));
fs.copyFileSync(path.join(root, "test/e2e/fixtures", WIDE_NOTEBOOK), path.join(ws, WIDE_NOTEBOOK));
fs.copyFileSync(path.join(root, "samples/course", COURSE_LESSON), path.join(ws, COURSE_LESSON));
fs.copyFileSync(path.join(root, "test/e2e/fixtures", HEALTH_NOTEBOOK), path.join(ws, HEALTH_NOTEBOOK));
writeLanguageNotebook(ws);
if (!fs.existsSync(path.join(root, "dist/cli.js"))) execFileSync(process.execPath, ["esbuild.mjs"], { cwd: root, stdio: "inherit" });
execFileSync(process.execPath, ["bin/neuroforge.cjs", "train", "samples/experiments/xor.yaml", "--record", path.join(ws, "x.nfrun")], { cwd: root, stdio: "ignore" });
// A run with a test split (20 % of the circles held out), for the editor's charts of test loss and accuracy.
execFileSync(process.execPath, ["bin/neuroforge.cjs", "train", "samples/experiments/circles.yaml", "data.test_fraction=0.2", "training.epochs=6", "--record", path.join(ws, "split.nfrun")], { cwd: root, stdio: "ignore" });
// Adam with Lookahead (k = 3) and a global-norm clip that bites (c = 0.05), batch 4: the popup's reconciled lines.
execFileSync(process.execPath, ["bin/neuroforge.cjs", "train", "samples/config/train.yaml", ...RECONCILE_OVERRIDES, "--record", path.join(ws, "reconcile.nfrun")], { cwd: root, stdio: "ignore" });
// A 2×2 multirun, for comparing runs (issue #15).
execFileSync(process.execPath, ["bin/neuroforge.cjs", "train", "samples/config/train.yaml", "-m", "optimizer=adam,sgd", "optimizer.lr=0.01,0.1", "training.epochs=3", "--record", path.join(ws, "sweep.nfrun")], { cwd: root, stdio: "ignore" });
// Dead ReLUs reborn by the lifecycle, with health measures: the editor's health panel and stage colours.
execFileSync(process.execPath, ["bin/neuroforge.cjs", "train", "samples/experiments/dead-relus.yaml", "training.epochs=20", "--record", path.join(ws, "life.nfrun")], { cwd: root, stdio: "ignore" });
const good = fs.readFileSync(path.join(ws, "x.nfrun"));
fs.writeFileSync(path.join(ws, "corrupt.nfrun"), good.subarray(0, Math.floor(good.length / 3)));
execFileSync(process.execPath, ["--import", "tsx", "test/e2e/lazy-network-notebook.ts", path.join(ws, "x.nfrun"), path.join(ws, LAZY_NOTEBOOK)], { cwd: root, stdio: "inherit" });
const db = openNfrun(path.join(ws, "x.nfrun"));
const [recorded] = runsOf(db);
db.close();
log(`workspace ${ws}; recorded run ${recorded.runId} (${recorded.status}, hash ${recorded.configHash})`);

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
});
let started = null;
let steps = 0;
const only = process.env.E2E_GREP ? new RegExp(process.env.E2E_GREP, "i") : null;
const test = (name, fn) => (only && !only.test(name) ? log(`skipped (E2E_GREP) - ${name}`) : (steps++, step(name, fn)));
try {
  // ---- npm start, and every UI test on the server it started -----------------------------------------
  const dataDir = path.join(work, "start-data");
  const port = await freePort();
  const fresh = !isInstalled();
  if (fresh) {
    await test("first npm start on a fresh clone, Ctrl-C during code-server's install: one line, no stack trace, nothing marked installed", async () => {
      const { code, signal, output } = await npmStartInterruptedInSetup({ dataDir, port, logFile: path.join(outDir, "npm-start-interrupted.log"), afterMs: 15_000 });
      check(signal === "SIGINT" || code === 130, `npm start ended with ${code ?? signal}, expected SIGINT / 130:\n${output}`);
      const said = output.split("\n").filter((l) => /interrupted|failed|error/i.test(l));
      check(said.length === 1 && said[0] === "code-server setup: interrupted; run npm start again to resume", `one line says what happened:\n${output}`);
      check(!/^\s+at /m.test(output), `no stack trace:\n${output}`);
      check(!isInstalled(), `${tools}/code-server is not marked installed`);
    });
  } else log(`${tools}/code-server exists: the interrupted first start is checked only on a fresh clone (as in CI)`);
  // The harness's own choice (the theme test starts from light); npm start adds its first-view settings.
  setUserSettings(dataDir, { "workbench.colorTheme": "Light Modern" });
  const tStart = Date.now();
  started = await npmStart({ dataDir, port, logFile: path.join(outDir, "npm-start.log") });
  timings.npmStartS = secs(tStart);
  log(`npm start printed ${started.url} after ${timings.npmStartS}s${fresh ? " (it installed code-server after the interrupted start)" : ""}`);
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = usePage(await context.newPage());

  await test("npm start: a quiet start (no vsce file tree or update warning), URL on 127.0.0.1:$PORT; the first view is the sample notebook (no welcome page, chat or git prompt)", async () => {
    const output = started.output();
    check(!/DONE\s+Packaged|├─|└─|latest version of @vscode\/vsce|WARNING/m.test(output), `npm start's output is quiet:\n${output}`);
    if (fresh) check(/code-server@[\d.]+ → /.test(output) && /code-server [\d.]+ under Node v24\.[\d.]+ ready/.test(output), `npm start resumed the install:\n${output}`);
    check(started.port === port && new URL(started.url).hostname === "127.0.0.1", `URL ${started.url} uses 127.0.0.1:${port}`);
    check(new URL(started.url).searchParams.get("folder") === path.join(root, "samples"), `URL ${started.url} opens samples/`);
    await checkFirstView(page, started.url);
  });
  await test("UI: the kernel's status bar item is there before the first run (not started)", () => checkStatusBeforeRun(page));
  await test("npm start: samples/ in the explorer, NeuroForge installed and active, the sample notebook's outputs drawn", () => checkStartPage(page));
  await test("npm start: running the sample notebook leaves samples/ unchanged (no autosave)", () => checkSamplesUnchanged(page));

  const wsUrl = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(ws)}`;
  // When E2E_GREP skipped the steps that open the workspace, the next step opens it.
  const inWorkspace = async () => new URL(page.url()).searchParams.get("folder") !== ws && (await openWorkbench(page, wsUrl));
  await test("UI: recorded .nfrun in the custom editor (status, hash, chart)", async () => {
    await openWorkbench(page, wsUrl);
    await checkRecordedRun(page, "x.nfrun", recorded);
  });
  await test("UI: corrupt .nfrun shows the error panel", () => checkTruncatedFile(page, "corrupt.nfrun"));
  await test("UI: .nfrun editor playback: go to start, step forward by batch (position text, scrubber and every drawn weight = the .nfrun after that commit)", () =>
    checkPlayback(page, path.join(ws, "x.nfrun"), recorded.runId),
  );
  await test("UI: .nfrun editor charts: loss, learning rate, norms, test loss and accuracy (= the .nfrun); the cursor rule follows the playback", () => {
    const splitDb = openNfrun(path.join(ws, "split.nfrun"));
    const [split] = runsOf(splitDb);
    splitDb.close();
    return checkCharts(page, path.join(ws, "split.nfrun"), split.runId);
  });

  await test("UI: .nfrun editor, a run with Lookahead and clipping: run header names both and the strategy's description; popup at a Lookahead sync (slow before, fast, slow after) and at a clipped commit (‖Avg‖, c, scale, g): Before − Adj = After reconciles (numbers parsed and recomputed, = the .nfrun)", async () => {
    await inWorkspace();
    await checkReconciledPopup(page, path.join(ws, "reconcile.nfrun"));
  });

  await test("UI: .nfrun editor compares runs: a multirun's runs by name with status, sorted by final loss (= ORDER BY final_loss), two overlaid, parallel coordinates, main effects", async () => {
    await inWorkspace(); // on its own too (E2E_GREP)
    await checkCompareRuns(page, path.join(ws, "sweep.nfrun"));
  });

  await test("UI: .nfrun editor health panel follows the playback (start: all newborn, no event; a rebirth chosen: events up to it, the reborn neuron drawn newborn, the recorded histograms drawn and moving to the end)", async () => {
    await inWorkspace();
    const lifeDb = openNfrun(path.join(ws, "life.nfrun"));
    const [life] = runsOf(lifeDb);
    lifeDb.close();
    return checkHealthEditor(page, path.join(ws, "life.nfrun"), life.runId);
  });

  let network = null;
  await test("UI: network output, hover a weight: popup numbers = the .nfrun (Input × Blame = Leverage, Cum., BatchTot / Count = Avg, Before − Adj = After = drawn)", async () => {
    network = await runNetworkNotebook(page, ws);
    await checkHover(network);
  });
  await test("UI: network popup from the keyboard (Escape closes, Tab to the next weight, Enter opens)", async () => {
    check(network, "the network output is there");
    await checkKeyboard(network);
  });
  await test("UI: arrow keys at a column's end keep the focus in the output; the next Enter opens its popup, no cell is edited", async () => {
    check(network, "the network output is there");
    await checkKeyboardEnds(network);
  });
  await test("UI: network scrubber steps to the other embedded commit (weights and popup = the .nfrun)", async () => {
    check(network, "the network output is there");
    await checkScrubber(network);
  });
  await test("UI: decision boundary of the 2-input network: every cell its output's shade, 4 points, a heatmap per neuron, recomputed at another commit", async () => {
    check(network, "the network output is there");
    await checkDecisionBoundary(network);
  });
  await test("UI: themes (light/dark colours differ, high contrast dashes negatives)", async () => {
    check(network, "the network output is there");
    const seen = await checkThemes(network, dataDir);
    log(`    positive weight stroke: light ${seen.light.positive}, dark ${seen.dark.positive}, high contrast ${seen["high-contrast"].positive}`);
  });
  network?.db.close();
  await test("UI: live health view while a cell trains (updates, final state: histograms, stages, rebirths); the trainer's network coloured by stage in light and dark", async () => {
    await inWorkspace();
    await checkLiveHealth(page);
  });
  await test("UI: course lesson 2 runs top to bottom (no cell fails, both exercises correct); hovering a weight of its recorded network: popup = the .nfrun", async () => {
    await inWorkspace();
    await checkCourseLesson(page, ws);
  });
  await test("UI: a notebook network output asks the host for what it does not embed (renderer messaging: trace, epoch summary, neuron snapshot)", () => checkLazyNetwork(page));
  await test("UI: a 784-64-10 network: weight matrices painted, hovering an undrawn weight opens its popup, a click expands its neuron (28 × 28)", () => checkWideNetwork(page));
  await test("UI: cells get completions (Math.ma → max, new Tra → Trainer), squiggle + Problems entry for a cross-cell type error (other notebooks of the folder open), hover types", async () => {
    await inWorkspace();
    await checkCellLanguage(page);
  });
  await test("UI: Close All Editors shuts the notebooks' kernels down (no kernel process of the workspace left)", () => checkCloseShutsKernels(page, ws));
  await screenshot(page, "last").catch(() => {});
  await context.close();

  await test("npm start: Ctrl-C stops it and leaves no process of code-server's group", async () => {
    const { code, signal, output, groupBefore, left } = await started.stop();
    started = null;
    // npm re-raises the SIGINT it got; start itself says it stops code-server and reports no failure.
    check(signal === "SIGINT" || code === 0, `npm start ended with ${code ?? signal} after SIGINT`);
    check(/stopping code-server/.test(output) && !/failed|exited \(/.test(output), `npm start stopped cleanly:\n${output}`);
    check(groupBefore > 1, `code-server's group had ${groupBefore} processes while running`);
    check(left.length === 0, `left running: ${JSON.stringify(left)}`);
    log(`    group of ${groupBefore} processes stopped`);
  });

  if (process.env.E2E_ONLY !== "ui") {
    await test("extension-host suite (notebook, outputs, interrupt, a dying kernel)", () => runExtensionHostSuite(browser, { ws, dataDir: path.join(work, "suite-data") }));
  }

  await test("npm start with `code` on the PATH installs the .vsix into it and opens samples/ (a recording stub: no desktop VS Code here)", async () => {
    const { status, output, calls } = npmStartWithCode(path.join(work, "code-bin"));
    check(status === 0, `npm start exited with ${status}:\n${output}`);
    const want = [`--install-extension ${path.join(root, "neuroforge.vsix")} --force`, `${path.join(root, "samples")} ${path.join(root, "samples/notebooks/xor-explained.ipynb")}`];
    check(JSON.stringify(calls) === JSON.stringify(want), `code was called with ${JSON.stringify(calls)}, expected ${JSON.stringify(want)}`);
    check(!/code-server/.test(output.replace(/--code-server/g, "")), `no code-server when code is on the PATH:\n${output}`);
  });
} finally {
  await browser.close();
  started?.kill();
  if (!process.env.E2E_KEEP) fs.rmSync(work, { recursive: true, force: true });
  else log(`kept ${work}`);
}
finish(steps);
