/**
 * A kernel process that dies under a cell, through the real KernelClient and the built dist/kernel.js:
 * the running cell gets a KernelDied error naming the signal or exit code, the kernel's last stderr
 * lines and the client's restart hint (also through the cell's message callback, which is what the VS
 * Code controller and the Jupyter adapter show); a cell queued behind it and one sent afterwards end at
 * once with the same error (nothing hangs); a restart runs cells again.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { KernelClient } from "../../kernel/runtime/kernel/client";
import type { KernelMessage } from "../../kernel/runtime/kernel/protocol";

const kernelPath = path.resolve(__dirname, "../../dist/kernel.js");
const HINT = "Restart to go on (test hint).";

describe("a kernel process that dies under a cell", { timeout: 120_000 }, () => {
  let dir: string;
  before(() => {
    assert.ok(fs.existsSync(kernelPath), "dist/kernel.js is built (node esbuild.mjs)");
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "nf-kernel-death-"));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("SIGKILL: the running cell names the signal and the hint; queued and later cells end at once; restart works", async () => {
    const kernel = await KernelClient.start({ cwd: dir, kernelPath, restartHint: HINT });
    try {
      assert.equal((await kernel.execute("1 + 1")).status, "ok");
      const streamed: KernelMessage[] = [];
      const killing = kernel.execute(`process.kill(process.pid, "SIGKILL");`, (m) => streamed.push(m));
      const queued = kernel.execute("2 + 2");
      const [killed, behind] = await Promise.all([killing, queued]);
      assert.equal(killed.status, "error");
      assert.equal(killed.error?.ename, "KernelDied");
      assert.equal(killed.error?.evalue, `The kernel process was killed by SIGKILL (out of memory?). ${HINT}`);
      assert.equal(killed.error?.traceback.at(-1), HINT);
      assert.deepEqual(
        streamed.filter((m) => m.type === "error"),
        [killed.error],
        "the error reaches the cell's message callback (what the front ends show)",
      );
      assert.equal(behind.error?.ename, "KernelDied", "the queued cell ends too");
      const t0 = performance.now();
      const later = await kernel.execute("3 + 3");
      assert.equal(later.error?.evalue, killed.error?.evalue, "a cell sent to the dead kernel gets the same answer");
      assert.ok(performance.now() - t0 < 1000, "at once");

      await kernel.restart();
      const again = await kernel.execute("20 + 22");
      assert.equal(again.status, "ok");
      assert.equal(again.result?.data["text/plain"], "42");
    } finally {
      await kernel.shutdown();
    }
  });

  it("an exit code, with the kernel's last stderr lines", async () => {
    const kernel = await KernelClient.start({ cwd: dir, kernelPath });
    try {
      const r = await kernel.execute(`require("node:fs").writeSync(2, "native trouble: last words\\n"); process.exit(3);`);
      assert.equal(r.error?.ename, "KernelDied");
      assert.equal(r.error?.evalue, "The kernel process exited with code 3. Restart the kernel to run cells again.");
      assert.deepEqual(r.error?.traceback, ["KernelDied: the kernel process exited with code 3.", "Its last output on stderr:", "  native trouble: last words", "Restart the kernel to run cells again."]);
    } finally {
      await kernel.shutdown();
    }
  });

  it("killed from outside while a cell runs a loop", async () => {
    const kernel = await KernelClient.start({ cwd: dir, kernelPath });
    try {
      const started = new Promise<void>((resolve) => kernel.on("message", (m: KernelMessage) => m.type === "stream" && resolve()));
      const running = kernel.execute(`console.log("looping"); for (;;) {}`);
      await started;
      process.kill(kernel.pid, "SIGTERM");
      const r = await running;
      assert.equal(r.stdout, "looping\n", "output sent before the death is kept");
      assert.match(r.error?.evalue ?? "", /^The kernel process was killed by SIGTERM\. /);
    } finally {
      await kernel.shutdown();
    }
  });
});
