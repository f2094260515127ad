// The .nfrun custom editor in the workbench: a recorded run (status and config hash as the file's `runs` row
// says, the loss chart drawn as SVG) and a truncated file (the error panel).
import { check, log, screenshot } from "../harness.mjs";
import { editorFrame, openFile } from "../workbench.mjs";

export async function checkRecordedRun(page, name, expected) {
  await openFile(page, name);
  await page.locator(".tab.active", { hasText: name }).waitFor({ timeout: 30_000 });
  const run = editorFrame(page).locator(`.run[data-run-id="${expected.runId}"]`);
  await run.waitFor({ timeout: 30_000 });
  const status = (await run.locator(".status").innerText()).trim();
  check(status === expected.status, `status shown "${status}", recorded "${expected.status}"`);
  const hash = (await run.locator(".hash").innerText()).trim();
  check(hash === expected.configHash, `hash shown "${hash}", recorded "${expected.configHash}"`);
  await run.locator(".chart svg").first().waitFor({ timeout: 30_000 });
  await screenshot(page, "nfrun-editor");
}

export async function checkTruncatedFile(page, name) {
  await openFile(page, name);
  await page.locator(".tab.active", { hasText: name }).waitFor({ timeout: 30_000 });
  const panel = editorFrame(page).locator(".error-panel");
  await panel.waitFor({ timeout: 30_000 });
  const message = (await panel.locator(".message").innerText()).trim();
  const detail = (await panel.locator(".muted").innerText()).trim();
  // The file is the first third of a good recording: the reader sees a header promising more pages.
  check(/truncated/.test(message), `error panel message: "${message}"`);
  check(detail === `${name} · reason: truncated`, `error panel detail: "${detail}"`);
  log(`    error panel: "${message}" (${detail})`);
  await screenshot(page, "nfrun-error");
}
