// What a newcomer sees at the URL `npm start` printed: the sample notebook as the first view (no welcome
// page, chat panel or git prompt), the samples folder in the explorer (trusted), NeuroForge's commands in
// the palette (the .vsix is installed), the sample notebook's saved outputs drawn by our renderers with
// our controller as its kernel (the extension is active); running it leaves the checkout's samples as they are.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { root } from "../../../bin/code-server.mjs";
import { check, log, screenshot } from "../harness.mjs";
import { notebookOutputs, openWorkbench, runCommand } from "../workbench.mjs";

const NOTEBOOK = "xor-explained.ipynb";
const toolbar = (page) => page.locator(".notebookOverlay .notebook-toolbar-container");

/** The URL's first view: the sample notebook is the active editor; no Welcome or chat tab, no chat panel. */
export async function checkFirstView(page, url) {
  await openWorkbench(page, url);
  await page.locator(".notebook-editor").first().waitFor({ timeout: 60_000 });
  const active = (await page.locator(".editor-group-container.active .tab.active").allInnerTexts()).map((t) => t.replace(/\s+/g, ""));
  check(active.length === 1 && active[0] === NOTEBOOK, `the active editor is ${NOTEBOOK} (active tab ${JSON.stringify(active)})`);
  const tabs = await page.locator(".tabs-container .tab").allInnerTexts();
  check(!tabs.some((t) => /welcome|walkthrough|chat/i.test(t)), `no welcome or chat tab among ${JSON.stringify(tabs)}`);
  check(!(await page.locator(".part.auxiliarybar").isVisible()), "the secondary side bar (chat) is hidden");
  await screenshot(page, "start-first-view");
}

export async function checkStartPage(page) {
  const folder = (await page.locator(".explorer-folders-view .pane-header, .explorer-viewlet .pane-header").allInnerTexts()).join(" ");
  const rows = await page.locator(".explorer-folders-view .monaco-list-row").allInnerTexts();
  check(/samples/i.test(folder), `explorer header "${folder}" names the samples folder`);
  for (const name of ["config", "data", "experiments", "notebooks"]) check(rows.some((r) => r.trim() === name), `explorer rows ${JSON.stringify(rows)} include ${name}`);
  // Cells run at once: the folder is not in Restricted Mode (untrusted), VS Code's default for a new folder.
  check((await page.locator(".statusbar").getByText("Restricted Mode").count()) === 0, "the status bar says Restricted Mode");
  await screenshot(page, "start-explorer");

  // Contributed commands reach the palette once the extension host has scanned the extensions.
  const commands = page.locator(".quick-input-widget .monaco-list-row");
  for (let attempt = 0; ; attempt++) {
    await page.keyboard.press("F1");
    await page.locator(".quick-input-widget input").fill(">NeuroForge:");
    const found = await commands.filter({ hasText: "Show Kernel Log" }).first().waitFor({ timeout: 5_000 }).then(() => true, () => false);
    if (found) break;
    await page.keyboard.press("Escape");
    check(attempt < 6, "NeuroForge's commands did not appear in the palette within 30 s");
  }
  const labels = await commands.allInnerTexts();
  for (const c of ["Restart Kernel", "Interrupt Kernel", "Show Kernel Log"]) check(labels.some((l) => l.includes(`NeuroForge: ${c}`)), `palette ${JSON.stringify(labels)} has NeuroForge: ${c}`);
  await screenshot(page, "start-commands");
  await page.keyboard.press("Escape");

  await toolbar(page).waitFor({ timeout: 30_000 });
  await toolbar(page).getByText("NeuroForge (TypeScript)").waitFor({ timeout: 30_000 });
  await notebookOutputs(page).locator(".nf-network svg line.weight").first().waitFor({ timeout: 60_000 });
  await screenshot(page, "start-notebook");

  // By now (the extension host is up, the git extension has looked at the folder) a prompt would be there.
  await runCommand(page, "Notifications: Show Notifications");
  const notes = await page.locator(".notifications-center .notification-list-item").allInnerTexts();
  log(`    notifications: ${JSON.stringify(notes)}`);
  check(!notes.some((n) => /git repository/i.test(n)), `no git prompt among the notifications ${JSON.stringify(notes)}`);
  await runCommand(page, "Notifications: Hide Notifications");
}

/** Runs every cell of the open sample notebook (dirtying it), then checks samples/ is unchanged on disk. */
export async function checkSamplesUnchanged(page) {
  const file = path.join(root, "samples/notebooks", NOTEBOOK);
  const gitStatus = () => execFileSync("git", ["status", "--porcelain", "--", "samples"], { cwd: root, encoding: "utf8" });
  const before = fs.readFileSync(file);
  check(gitStatus() === "", `samples/ is clean before the run: ${gitStatus()}`);
  await toolbar(page).locator(".codicon-notebook-execute-all").click();
  // While a cell runs the toolbar offers Interrupt instead of Run All (our kernel is interruptible).
  await toolbar(page).locator(".codicon-notebook-stop").waitFor({ timeout: 30_000 });
  await toolbar(page).locator(".codicon-notebook-execute-all").waitFor({ timeout: 120_000 });
  check((await page.locator(".notebook-editor .codicon-notebook-state-error").count()) === 0, "no cell failed");
  check((await page.locator(".editor-group-container.active .tab.active.dirty").count()) === 1, "running the cells changed the notebook (its tab is dirty)");
  await page.waitForTimeout(3_000); // longer than autosave's afterDelay (1 s), were it on
  check(fs.readFileSync(file).equals(before), `${NOTEBOOK} was rewritten on disk`);
  check(gitStatus() === "", `git status -- samples after running the notebook: ${gitStatus()}`);
  await screenshot(page, "start-notebook-run");
  await runCommand(page, "File: Revert File"); // leaves the page without unsaved changes for the next steps
}
