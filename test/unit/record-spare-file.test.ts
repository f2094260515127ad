import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { SpareFile } from "../../kernel/record/spare-file";

test("SpareFile: grown ahead with zeros, then written over, cut to length, renamed over the target", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nfrun-spare-"));
  const target = path.join(dir, "run.nfrun");
  const tmp = `${target}.tmp-${process.pid}`;
  fs.writeFileSync(target, "previous checkpoint");
  const spare = new SpareFile(target);
  let steps = 0;
  while (spare.grow(10 << 20)) steps++;
  assert.equal(steps, 2); // 4 + 4 + 2 MiB
  assert.equal(fs.statSync(tmp).size, 10 << 20);
  // Until the commit renames it, the target is untouched.
  assert.equal(fs.readFileSync(target, "utf8"), "previous checkpoint");
  const bytes = Uint8Array.from({ length: 3 << 20 }, (_, i) => (i * 7) & 255);
  spare.commit(bytes);
  assert.deepEqual(fs.readFileSync(target), Buffer.from(bytes));
  assert.equal(fs.existsSync(tmp), false);
  // The same object serves the next checkpoint; discard removes a started, unused file.
  spare.grow(1000);
  assert.equal(fs.existsSync(tmp), true);
  spare.discard();
  assert.equal(fs.existsSync(tmp), false);
  assert.deepEqual(fs.readFileSync(target), Buffer.from(bytes));
  fs.rmSync(dir, { recursive: true });
});
