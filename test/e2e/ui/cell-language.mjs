// Completions, hover and squiggles in a notebook's TypeScript cells (extension/language/, the language
// service in its worker thread), in the real workbench on the installed .vsix: a notebook with the
// kernelspec neuroforge whose first cell imports from "neuroforge" and declares `rate`; nothing runs.
//   - typing `Math.ma` in a cell: the suggest widget lists `max` as a method (TypeScript's lib);
//   - typing `new Tra`: `Trainer`, imported by the first cell (earlier cells and neuroforge's types);
//   - the second cell's `const wrong: string = rate` is a problem of ours with TypeScript's message
//     (the cross-cell type, number), and it is drawn as an error squiggle under `wrong`;
//   - hovering `rate` in the second cell shows `const rate: 0.5`.
// run.mjs runs it while other notebooks of the same folder are open: that once hid every problem (their
// services named cell files alike in the worker's shared document registry).
import * as fs from "node:fs";
import * as path from "node:path";
import { check, screenshot } from "../harness.mjs";
import { openFile, runCommand } from "../workbench.mjs";

export const LANGUAGE_NOTEBOOK = "cell-language.ipynb";

const cells = [`import { Trainer } from "neuroforge";\nconst rate = 0.5;`, "const wrong: string = rate;", ""];

/** The notebook, written with the workspace (before the workbench indexes the folder for Quick Open). */
export function writeLanguageNotebook(ws) {
  const nb = {
    cells: cells.map((source) => ({ cell_type: "code", execution_count: null, metadata: {}, outputs: [], source })),
    metadata: { kernelspec: { name: "neuroforge", display_name: "NeuroForge (TypeScript)", language: "typescript" }, language_info: { name: "typescript" } },
    nbformat: 4,
    nbformat_minor: 5,
  };
  fs.writeFileSync(path.join(ws, LANGUAGE_NOTEBOOK), JSON.stringify(nb, null, 1));
}

const editors = (page) => page.locator(".notebook-editor .cell-editor-container .monaco-editor");
/**
 * The centre of `word` as drawn in a cell editor's lines, or null. Monaco merges neighbouring tokens of one
 * colour into one span (`string = rate;`), so the word is found in the lines' text, not as a span.
 */
function wordCentre(editor, word) {
  return editor.locator(".view-line").filter({ hasText: word }).first().evaluate((line, w) => {
    const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const i = node.textContent.search(new RegExp(`\\b${w}\\b`));
      if (i < 0) continue;
      const range = document.createRange();
      range.setStart(node, i);
      range.setEnd(node, i + w.length);
      const box = range.getBoundingClientRect();
      return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
    }
    return null;
  }, word);
}

/**
 * Types `text` into the (emptied) third cell and waits until the suggest widget lists `label`; returns
 * its rows as {label, icon}. The first answer waits for the worker to load TypeScript and the
 * declarations (seconds), so the typing is repeated once if the widget closed empty.
 */
async function suggestionsAfter(page, text, label) {
  const rowsNow = () =>
    page.locator(".suggest-widget.visible .monaco-list-row").evaluateAll((rows) =>
      rows.map((r) => ({ label: r.querySelector(".label-name")?.textContent ?? "", icon: r.querySelector(".suggest-icon")?.className ?? "" })),
    );
  let rows = [];
  for (let attempt = 0; attempt < 3 && !rows.some((r) => r.label === label); attempt++) {
    // Into the third cell from the second one by the notebook's own keys (command mode, next cell, edit):
    // clicking the empty third cell's editor sometimes left the focus in the first cell.
    await editors(page).filter({ hasText: "const wrong" }).first().click();
    await page.keyboard.press("Escape");
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("Enter");
    await page.keyboard.press("Control+A");
    await page.keyboard.press("Delete");
    await page.keyboard.type(text, { delay: 60 });
    for (let i = 0; i < 40 && !rows.some((r) => r.label === label); i++) {
      if (i % 10 === 0 && !(await page.locator(".suggest-widget.visible").isVisible())) await page.keyboard.press("Control+Space");
      await page.waitForTimeout(500);
      rows = await rowsNow();
    }
  }
  return rows;
}

export async function checkCellLanguage(page) {
  await openFile(page, LANGUAGE_NOTEBOOK);
  await editors(page).nth(2).waitFor({ timeout: 30_000 });

  let rows = await suggestionsAfter(page, "Math.ma", "max");
  const max = rows.find((r) => r.label === "max");
  check(max && /codicon-symbol-method/.test(max.icon), `Math.ma suggests max as a method: ${JSON.stringify(rows)}`);
  await screenshot(page, "cell-completion");
  await page.keyboard.press("Escape");

  // Trainer is imported by the first cell: an alias (VS Code's reference icon), not known to any other provider.
  rows = await suggestionsAfter(page, "new Tra", "Trainer");
  const trainer = rows.find((r) => r.label === "Trainer");
  check(trainer && /codicon-symbol-reference/.test(trainer.icon), `new Tra suggests Trainer (an import of cell 1): ${JSON.stringify(rows)}`);
  await page.keyboard.press("Escape");
  await page.keyboard.press("Control+A");
  await page.keyboard.press("Delete");

  // Problems: ours (source NeuroForge, not VS Code's built-in TypeScript, which checks each cell alone), with
  // TypeScript's message for the cross-cell type, at `wrong` (line 1, column 7 of the second cell).
  await runCommand(page, "View: Focus Problems (Errors, Warnings, Infos)");
  const problem = page
    .locator(".markers-panel .monaco-list-row")
    .filter({ hasText: "Type 'number' is not assignable to type 'string'." })
    .filter({ hasText: /NeuroForge\W*2322/ }); // drawn "NeuroForge(2322)", the brackets by CSS
  await problem.first().waitFor({ timeout: 30_000 });
  const problemText = await problem.first().innerText();
  check(/Ln 1, Col 7/.test(problemText), `the problem is at wrong (Ln 1, Col 7): ${problemText}`);
  const panelText = await page.locator(".markers-panel").innerText();
  check(!/Cannot find module 'neuroforge'/.test(panelText), `neuroforge resolves: ${panelText}`);
  // The squiggle: an error decoration in the second cell under `wrong`. The cell is found by its text: the
  // list view does not keep its rows in DOM order, so an index picked another cell (or a hidden notebook's).
  const second = editors(page).filter({ hasText: "const wrong" });
  check((await second.count()) === 1, `one editor shows const wrong, not ${await second.count()}`);
  const squiggle = second.locator(".squiggly-error");
  await squiggle.first().waitFor({ timeout: 10_000 });
  const [under, wrong] = [await squiggle.first().boundingBox(), await wordCentre(second, "wrong")];
  check(wrong && under.x <= wrong.x && wrong.x <= under.x + under.width, `the squiggle ${JSON.stringify(under)} lies under wrong ${JSON.stringify(wrong)}`);
  await screenshot(page, "cell-diagnostics");

  // Hover `rate` in the second cell: its type from the first cell (the built-in TypeScript says `any`).
  let hoverText = "";
  for (let i = 0; i < 5 && !hoverText.includes("const rate: 0.5"); i++) {
    const at = await wordCentre(second, "rate");
    check(at, "the second cell shows the word rate");
    await page.mouse.move(at.x - 3, at.y);
    await page.mouse.move(at.x, at.y, { steps: 3 });
    await page.locator(".monaco-hover:visible").first().waitFor({ timeout: 10_000 }).catch(() => {});
    hoverText = (await page.locator(".monaco-hover:visible").allInnerTexts()).join("\n");
  }
  check(hoverText.includes("const rate: 0.5"), `hover on rate shows its type: ${JSON.stringify(hoverText)}`);
  await page.waitForTimeout(300); // the hover's fade-in, for the screenshot
  await screenshot(page, "cell-hover");
}
