/**
 * A kernel aborted while it starts (the VS Code controller does this when its notebook closes before the
 * kernel is ready): `start` rejects and no kernel process is left (found in /proc by its command line and
 * its own working directory).
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { KernelClient } from "../../kernel/runtime/kernel/client";

const kernelPath = path.resolve(__dirname, "../../dist/kernel.js");

/** Kernel processes running in `cwd`. */
function kernelsIn(cwd: string): string[] {
  return fs.readdirSync("/proc").filter((pid) => {
    if (!/^\d+$/.test(pid)) return false;
    try {
      return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("kernel.js") && fs.readlinkSync(`/proc/${pid}/cwd`) === cwd;
    } catch {
      return false; // gone meanwhile
    }
  });
}

test("aborting a kernel that is still starting kills its process; start rejects", async () => {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "nf-kernel-abort-")));
  try {
    const abort = new AbortController();
    const starting = KernelClient.start({ cwd: dir, kernelPath, signal: abort.signal });
    for (let i = 0; i < 100 && kernelsIn(dir).length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(kernelsIn(dir).length, 1, "the kernel process runs");
    abort.abort();
    await assert.rejects(starting);
    for (let i = 0; i < 200 && kernelsIn(dir).length > 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(kernelsIn(dir), [], "no kernel process left");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
