/**
 * The engine benchmark's PyTorch part (bench/mlp/torch.ts): without a Python that imports torch it gives
 * the one-line reason the benchmark prints; the workload file carries the engine's data and weights bit
 * for bit in the layout torch_runner.py reads (checked by reading it back here, not with the writer).
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { torchStatus, writeWorkload } from "../../bench/mlp/torch";
import { HIDDEN, INPUTS, makeWorkload, OUTPUTS } from "../../bench/mlp/workload";

test("no Python to run: one line naming each tried and what to install, no stack", () => {
  const s = torchStatus(["/nonexistent/python3", "/nonexistent/other"]);
  assert.equal(s.ok, false);
  if (s.ok) return;
  assert.equal(s.reason, "/nonexistent/python3 cannot be run (ENOENT); /nonexistent/other cannot be run (ENOENT); on Debian: apt-get install python3-torch");
});

test("a Python without torch: the import error in the reason", () => {
  // A stand-in for a Python whose `import torch` fails: it exits non-zero with the error as its last line.
  const fake = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "nf-torch-")), "python3");
  fs.writeFileSync(fake, "#!/bin/sh\necho \"ModuleNotFoundError: No module named 'torch'\" >&2\nexit 1\n", { mode: 0o755 });
  const s = torchStatus([fake]);
  assert.ok(!s.ok && s.reason === `${fake} cannot import torch (ModuleNotFoundError: No module named 'torch'); on Debian: apt-get install python3-torch`, JSON.stringify(s));
});

test("the workload file: int32 count, inputs, hidden, outputs, then float64 x, y, w1, b1, w2, b2", () => {
  const work = makeWorkload(32, 7);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "nf-torch-")), "w.bin");
  writeWorkload(work, file);
  const b = fs.readFileSync(file);
  assert.deepEqual([0, 4, 8, 12].map((o) => b.readInt32LE(o)), [32, INPUTS, HIDDEN, OUTPUTS]);
  const sizes = [32 * INPUTS, 32 * OUTPUTS, HIDDEN * INPUTS, HIDDEN, OUTPUTS * HIDDEN, OUTPUTS];
  assert.equal(b.length, 16 + 8 * sizes.reduce((a, n) => a + n, 0));
  let offset = 16;
  for (const [i, expected] of [work.x, work.y, work.init.w1, work.init.b1, work.init.w2, work.init.b2].entries()) {
    for (const k of [0, sizes[i]! - 1]) assert.equal(b.readDoubleLE(offset + 8 * k), expected[k], `array ${i}, element ${k}`);
    offset += 8 * sizes[i]!;
  }
});
