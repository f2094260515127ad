// A notebook's kernel in the workbench: the status bar names it before the first run, and "View: Close All
// Editors" shuts every kernel of the workspace down (its process is gone, found by command line and cwd).
import * as fs from "node:fs";
import { check, log, screenshot } from "../harness.mjs";
import { runCommand } from "../workbench.mjs";

/** The status bar item of the active notebook's kernel says it has not started (nothing has run yet). */
export async function checkStatusBeforeRun(page) {
  const item = page.locator(".statusbar").getByText("NeuroForge: not started");
  await item.waitFor({ timeout: 30_000 });
  await screenshot(page, "kernel-status-not-started");
}

/** Pids of NeuroForge kernel processes (dist/kernel.js) running in folder `cwd`. */
export function kernelsIn(cwd) {
  return fs.readdirSync("/proc").filter((pid) => {
    if (!/^\d+$/.test(pid)) return false;
    try {
      return /kernel\.js/.test(fs.readFileSync(`/proc/${pid}/cmdline`, "utf8")) && fs.readlinkSync(`/proc/${pid}/cwd`) === cwd;
    } catch {
      return false; // gone meanwhile, or not ours to read
    }
  });
}

/** Close All Editors (answering "Don't Save" if VS Code asks about a changed notebook): no kernel of `ws` is left. */
export async function checkCloseShutsKernels(page, ws) {
  const before = kernelsIn(ws);
  check(before.length > 0, "a kernel runs for the workspace's notebooks before closing them");
  await runCommand(page, "View: Close All Editors");
  const dontSave = page.locator(".monaco-dialog-box").getByRole("button", { name: /Don't Save/ });
  const t0 = Date.now();
  let left = before;
  while (left.length > 0 && Date.now() - t0 < 15_000) {
    if (await dontSave.isVisible().catch(() => false)) await dontSave.click();
    await page.waitForTimeout(250);
    left = kernelsIn(ws);
  }
  await screenshot(page, "kernels-closed");
  check(left.length === 0, `kernel processes ${left.join(", ")} still run 15 s after Close All Editors (were ${before.join(", ")})`);
  log(`    kernels ${before.join(", ")} gone ${((Date.now() - t0) / 1000).toFixed(1)} s after Close All Editors`);
}
