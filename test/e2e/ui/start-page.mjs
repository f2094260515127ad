// What a newcomer sees at the URL `npm start` printed: the samples folder in the explorer (trusted), NeuroForge's
// commands in the palette (the .vsix is installed), and the sample notebook's saved outputs drawn by our
// renderers with our controller as the notebook's kernel (the extension is active).
import { check, screenshot } from "../harness.mjs";
import { notebookOutputs, openFile, openWorkbench } from "../workbench.mjs";

export async function checkStartPage(page, url) {
  await openWorkbench(page, url);
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

  await openFile(page, "xor-explained.ipynb");
  await page.locator(".notebookOverlay .notebook-toolbar-container").waitFor({ timeout: 30_000 });
  const kernel = page.locator(".notebookOverlay .notebook-toolbar-container").getByText("NeuroForge (TypeScript)");
  await kernel.waitFor({ timeout: 30_000 });
  await notebookOutputs(page).locator(".nf-network svg line.weight").first().waitFor({ timeout: 60_000 });
  await screenshot(page, "start-notebook");
}
