// Driving the VS Code workbench (code-server in Chromium) from Playwright: open a file, run a command,
// reach a webview's document, change user settings. Selectors are VS Code 1.139's.
import { mergeUserSettings } from "../../bin/code-server.mjs";
import { log } from "./harness.mjs";

/** Opens `url` and waits for the workbench and its explorer (a folder is open). */
export async function openWorkbench(page, url) {
  await page.goto(url);
  await page.locator(".monaco-workbench").waitFor({ timeout: 60_000 });
  await page.locator(".explorer-folders-view .monaco-list-row").first().waitFor({ timeout: 60_000 });
}

/** Quick Open (Ctrl+P) → `name` → Enter. */
export async function openFile(page, name) {
  await quickInput(page, "Control+P", name, name);
}

/** Command palette (F1) → the command whose label is `label`. */
export async function runCommand(page, label) {
  await quickInput(page, "F1", `>${label}`, label);
}

/**
 * Opens the quick input with `key` (none: it is open already), types `text`, clicks the row showing `rowText`.
 * Quick Open's file list comes from a file search that can miss a file written moments before (a loaded CI
 * machine once showed no row for 30 s), so with a key the picker is closed and reopened — a new search —
 * up to three times, 15 s each.
 */
async function quickInput(page, key, text, rowText) {
  const input = page.locator(".quick-input-widget input");
  const row = page.locator(".quick-input-widget .monaco-list-row").filter({ hasText: rowText }).first();
  for (let attempt = 1; ; attempt++) {
    if (key) await page.locator(".monaco-workbench").click({ position: { x: 700, y: 10 } }).catch(() => {});
    if (key) await page.keyboard.press(key);
    await input.waitFor();
    await input.fill(text);
    const last = !key || attempt === 3;
    try {
      await row.waitFor({ timeout: last ? 30_000 : 15_000 });
      break;
    } catch (error) {
      if (last) throw error;
      log(`    quick input: no row "${rowText}" for "${text}" after 15 s; reopening (attempt ${attempt + 1})`);
      await page.keyboard.press("Escape");
    }
  }
  await row.click();
}

/** The document inside the visible custom editor / webview panel (iframe.webview → #active-frame). */
export const editorFrame = (page) => page.locator("iframe.webview:visible").last().contentFrame().locator("#active-frame").contentFrame();

/** The document holding the active notebook's outputs (its one output webview, two iframes down). */
export const notebookOutputs = (page) => page.locator(".notebook-editor iframe.webview").first().contentFrame().locator("#active-frame").contentFrame();

/** Picks a colour theme the way a person does (Preferences: Color Theme), which writes the user setting. */
export async function pickColorTheme(page, theme) {
  await runCommand(page, "Preferences: Color Theme");
  await quickInput(page, null, theme, theme);
}

/** Merges `values` into the user settings file (read when the workbench loads). */
export const setUserSettings = (dataDir, values) => mergeUserSettings(dataDir, values);

/** View: Close All Editors, answering "Don't Save" for each changed notebook, until no editor tab is left. */
export async function closeAllEditors(page) {
  await runCommand(page, "View: Close All Editors");
  const dontSave = page.locator(".monaco-dialog-box").getByRole("button", { name: /Don't Save/ });
  for (let i = 0; i < 40 && (await page.locator(".tabs-container .tab").count()) > 0; i++) {
    if (await dontSave.isVisible().catch(() => false)) await dontSave.click();
    await page.waitForTimeout(250);
  }
}

/** Opens a notebook (Quick Open) and runs all its cells with the toolbar's Run All. */
export async function openAndRunNotebook(page, name) {
  await openFile(page, name);
  const runAll = page.locator(".notebookOverlay .notebook-toolbar-container .codicon-notebook-execute-all");
  await runAll.waitFor({ timeout: 30_000 });
  await runAll.click();
}

/**
 * Scrolls the notebook (mouse wheel over it) until `locator`, inside an output, is wholly in view — or, when it
 * is taller than the view, until its top is just below the notebook's toolbar.
 */
export async function scrollNotebookTo(page, locator) {
  const view = page.viewportSize();
  for (let i = 0; i < 30; i++) {
    const box = await locator.boundingBox();
    const tall = box && box.height > view.height - 160;
    if (box && box.y >= 120 && (tall ? box.y <= 240 : box.y + box.height <= view.height - 40)) return;
    // The shown notebook's editor (other notebooks stay open in hidden editors).
    const editor = await page.locator(".notebookOverlay >> visible=true").first().boundingBox();
    await page.mouse.move(editor.x + editor.width / 2, editor.y + editor.height / 2);
    await page.mouse.wheel(0, box ? Math.max(-400, Math.min(400, box.y - 160)) : 400);
    await page.waitForTimeout(150);
  }
  throw new Error("could not scroll the output into view");
}

/** Moves the mouse onto the middle of an element drawn in a webview (real pointer events, any shape). */
export async function hoverMiddle(page, locator) {
  const box = await locator.boundingBox();
  if (!box) throw new Error("element has no box (not rendered)");
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 4 });
}
