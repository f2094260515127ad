// A course notebook in a real VS Code (samples/course/02-hidden-layers-xor.ipynb, copied into the workspace):
// its committed outputs cleared, Run All takes it top to bottom with our controller; saved (File: Save, into
// the temporary workspace), the notebook on disk shows every code cell run, no error output, both exercise
// checks "correct" and the recorded network at the last commit. Hovering a weight of that network opens the
// popup whose numbers are the .nfrun's (the same checks as the network fixture's, network-popup.mjs).
import * as fs from "node:fs";
import * as path from "node:path";
import { check, log, screenshot } from "../harness.mjs";
import { openNfrun } from "../nfrun-file.mjs";
import { closeAllEditors, notebookOutputs, openFile, runCommand } from "../workbench.mjs";
import { checkHover } from "./network-popup.mjs";

export const COURSE_LESSON = "02-hidden-layers-xor.ipynb";
const LAST_COMMIT = 600; // 600 epochs of one full batch
const NETWORK = "application/vnd.neuroforge.network+json";

const text = (v) => (Array.isArray(v) ? v.join("") : String(v ?? ""));
const codeCells = (nb) => nb.cells.filter((c) => c.cell_type === "code");

/** Saves the notebook until its last code cell holds the recorded network (the run has finished); returns it. */
async function savedWhenDone(page, file) {
  const t0 = Date.now();
  for (;;) {
    await runCommand(page, "File: Save");
    await page.waitForTimeout(1_000);
    const nb = JSON.parse(fs.readFileSync(file, "utf8"));
    const last = codeCells(nb).at(-1);
    const net = last.outputs?.find((o) => o.data?.[NETWORK])?.data[NETWORK];
    if (net?.recording) return { nb, recording: net.recording };
    check(Date.now() - t0 < 240_000, "the lesson did not reach its last cell within 240 s");
    await page.waitForTimeout(4_000);
  }
}

export async function checkCourseLesson(page, ws) {
  await closeAllEditors(page); // the lesson's outputs are then the only notebook webview
  await openFile(page, COURSE_LESSON);
  // The committed outputs go first, so every output seen below comes from this run.
  const toolbar = page.locator(".notebookOverlay .notebook-toolbar-container");
  await toolbar.getByText("Clear All Outputs").click({ timeout: 30_000 });
  await toolbar.locator(".codicon-notebook-execute-all").click();
  const { nb, recording } = await savedWhenDone(page, path.join(ws, COURSE_LESSON));

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
