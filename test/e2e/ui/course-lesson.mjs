// A course notebook in a real VS Code (samples/course/02-hidden-layers-xor.ipynb, copied into the workspace):
// its committed outputs cleared (and saved: none left on disk), Run All takes it top to bottom with our
// controller; saved again (File: Save, into the temporary workspace), the notebook on disk shows every code cell run, no error output, both exercise
// checks "correct" and the recorded network at the last commit. Hovering a weight of that network opens the
// popup whose numbers are the .nfrun's (the same checks as the network fixture's, network-popup.mjs).
import * as fs from "node:fs";
import * as path from "node:path";
import { check, log, screenshot } from "../harness.mjs";
import { openNfrun } from "../nfrun-file.mjs";
import { closeAllEditors, notebookOutputs, openFile } from "../workbench.mjs";
import { checkHover } from "./network-popup.mjs";

export const COURSE_LESSON = "02-hidden-layers-xor.ipynb";
const LAST_COMMIT = 600; // 600 epochs of one full batch
const NETWORK = "application/vnd.neuroforge.network+json";

const text = (v) => (Array.isArray(v) ? v.join("") : String(v ?? ""));
const codeCells = (nb) => nb.cells.filter((c) => c.cell_type === "code");

/** Saves the active notebook (the palette's File: Save) and reads it back once it is written. */
async function saved(page, file) {
  const before = fs.statSync(file).mtimeMs;
  await page.locator(".monaco-workbench").click({ position: { x: 700, y: 10 } }).catch(() => {});
  await page.keyboard.press("F1");
  await page.locator(".quick-input-widget input").fill(">File: Save");
  // The row "File: Save" (not Save All, Save As… or Compare Active File with Saved).
  const rows = page.locator(".quick-input-widget .monaco-list-row");
  await rows.first().waitFor();
  const labels = await rows.evaluateAll((els) => els.map((el) => el.getAttribute("aria-label") ?? ""));
  log(`    palette rows: ${JSON.stringify(labels)}`);
  const k = labels.findIndex((l) => /^File: Save\b(?! (All|As|without))/.test(l));
  check(k >= 0, `the palette lists File: Save (${JSON.stringify(labels)})`);
  await rows.nth(k).click();
  for (let i = 0; i < 40 && fs.statSync(file).mtimeMs === before; i++) await page.waitForTimeout(250);
  check(fs.statSync(file).mtimeMs !== before, "File: Save wrote the notebook");
  return JSON.parse(fs.readFileSync(file, "utf8"));
}

/** Saves the notebook until its last code cell holds a recorded network of another run than `committed`. */
async function savedWhenDone(page, file, committed) {
  const t0 = Date.now();
  for (;;) {
    const nb = await saved(page, file);
    const net = codeCells(nb).at(-1).outputs?.find((o) => o.data?.[NETWORK])?.data[NETWORK];
    if (net?.recording && net.recording.runId !== committed) return { nb, recording: net.recording };
    check(Date.now() - t0 < 240_000, "the lesson did not reach its last cell within 240 s");
    await page.waitForTimeout(4_000);
  }
}

export async function checkCourseLesson(page, ws) {
  await closeAllEditors(page); // the lesson's outputs are then the only notebook webview
  await openFile(page, COURSE_LESSON);
  // The committed outputs go first, so every output seen below comes from this run.
  const file = path.join(ws, COURSE_LESSON);
  const committed = codeCells(JSON.parse(fs.readFileSync(file, "utf8"))).at(-1).outputs[0].data[NETWORK].recording.runId;
  const toolbar = page.locator(".notebookOverlay .notebook-toolbar-container");
  await toolbar.getByText("Clear All Outputs").click({ timeout: 30_000 });
  const cleared = await saved(page, file);
  check(codeCells(cleared).every((c) => (c.outputs ?? []).length === 0), "Clear All Outputs, saved: no output left on disk");
  await toolbar.locator(".codicon-notebook-execute-all").click();
  const { nb, recording } = await savedWhenDone(page, file, committed);

  const cells = codeCells(nb);
  const errors = cells.flatMap((c) => (c.outputs ?? []).filter((o) => o.output_type === "error").map((o) => `${o.ename}: ${o.evalue}`));
  check(errors.length === 0, `no cell of the lesson fails: ${errors.join(" | ")}`);
  check(cells.every((c) => Number.isInteger(c.execution_count) && (c.outputs ?? []).length > 0), "every code cell ran and has output");
  const said = cells.flatMap((c) => (c.outputs ?? []).map((o) => text(o.data?.["text/plain"])));
  for (const k of [1, 2]) check(said.some((s) => s.includes(`Exercise ${k} correct`)), `the check of exercise ${k} says it is correct`);
  check(recording.commits.at(-1)?.t === LAST_COMMIT, `the network shows commit ${recording.commits.at(-1)?.t}, expected ${LAST_COMMIT}`);
  log(`    lesson 2 ran: ${cells.length} code cells, run ${recording.runId} in ${recording.file}`);

  // The recorded network (the only drawing with a commit label; the first cell's model has none).
  // VS Code renders a cell's outputs once the cell scrolls into view: wheel down to the last one.
  const out = notebookOutputs(page).locator("*:has(> .nf-network .commit-label)");
  const editor = await page.locator(".notebookOverlay").first().boundingBox();
  for (let i = 0; i < 80 && (await out.locator(".nf-network svg.drawing").count()) === 0; i++) {
    await page.mouse.move(editor.x + editor.width / 2, editor.y + editor.height / 2);
    await page.mouse.wheel(0, 600);
    await page.waitForTimeout(150);
  }
  const db = openNfrun(recording.file);
  try {
    await checkHover({ page, out, runId: recording.runId, db, at: LAST_COMMIT, shot: "course-lesson2-hover" });
  } finally {
    db.close();
  }
}
