// A course notebook in a real VS Code (samples/course/02-hidden-layers-xor.ipynb, copied into the workspace):
// Run All takes it top to bottom with our controller — no cell fails, both exercise checks say "correct" —
// and hovering a weight of its last output (the recorded network at the last commit) opens the popup whose
// numbers are the .nfrun's (the same checks as the network fixture's, network-popup.mjs).
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { check, log, screenshot } from "../harness.mjs";
import { openNfrun } from "../nfrun-file.mjs";
import { closeAllEditors, notebookOutputs, openFile } from "../workbench.mjs";
import { checkHover } from "./network-popup.mjs";

export const COURSE_LESSON = "02-hidden-layers-xor.ipynb";
const LAST_COMMIT = 600; // 600 epochs of one full batch

/** The newest run file the lesson recorded (it records into a fresh folder under the OS temp dir). */
function lessonRunFile(since) {
  const found = fs
    .readdirSync(os.tmpdir())
    .filter((d) => d.startsWith("nf-lesson2-"))
    .map((d) => path.join(os.tmpdir(), d, "xor.nfrun"))
    .filter((f) => fs.existsSync(f) && fs.statSync(f).mtimeMs >= since)
    .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs);
  check(found.length > 0, `the lesson recorded no ${os.tmpdir()}/nf-lesson2-*/xor.nfrun`);
  return found[0];
}

export async function checkCourseLesson(page) {
  const since = Date.now();
  await closeAllEditors(page); // the lesson's outputs are then the only notebook webview
  await openFile(page, COURSE_LESSON);
  // The committed outputs go first, so every output seen below comes from this run.
  const toolbar = page.locator(".notebookOverlay .notebook-toolbar-container");
  await toolbar.getByText("Clear All Outputs").click({ timeout: 30_000 });
  await toolbar.locator(".codicon-notebook-execute-all").click();
  const outputs = notebookOutputs(page);
  // The recorded network (the only drawing with a commit label; the first cell's model has none), drawn
  // below the fold: attached, not necessarily visible, until checkHover scrolls to it.
  const out = outputs.locator("*:has(> .nf-network .commit-label)");
  const label = out.locator(".nf-network .commit-label");
  await label.filter({ hasText: `t=${LAST_COMMIT}` }).waitFor({ state: "attached", timeout: 180_000 });
  const failed = await page.locator(".notebookOverlay .codicon-notebook-state-error").count();
  check(failed === 0, `${failed} cell(s) of the lesson failed`);
  for (const k of [1, 2]) {
    const said = await outputs.getByText(`Exercise ${k} correct`).count();
    check(said === 1, `the check of exercise ${k} says it is correct (${said} outputs say so)`);
  }
  const runId = /run (\S+) ·/.exec(await label.innerText())?.[1];
  check(runId, `commit label names the run: "${await label.innerText()}"`);
  const file = lessonRunFile(since);
  log(`    lesson 2 recorded ${file}`);
  const db = openNfrun(file);
  try {
    await checkHover({ page, out, runId, db, at: LAST_COMMIT, shot: "course-lesson2-hover" });
  } finally {
    db.close();
  }
  await screenshot(page, "course-lesson2");
}
