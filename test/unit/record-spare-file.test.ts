import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { writeFileAtomic, writeFileAtomicAsync } from "../../kernel/record/spare-file";

const MiB = 1 << 20;

function scratch(): { dir: string; target: string; tmp: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nfrun-spare-"));
  const target = path.join(dir, "run.nfrun");
  return { dir, target, tmp: `${target}.tmp-${process.pid}` };
}

test("writeFileAtomicAsync: ranges written at their offsets in any order, past the background flushes, then renamed over the target", async () => {
  const { dir, target, tmp } = scratch();
  fs.writeFileSync(target, "previous checkpoint");
  // 40 one-MiB ranges (two 16 MiB background flushes), the first one last, as an export hands them on.
  const expected = Buffer.alloc(40 * MiB);
  for (let p = 0; p < 40; p++) expected.fill((p * 37 + 1) & 255, p * MiB, (p + 1) * MiB);
  const timings = await writeFileAtomicAsync(target, (sink) => {
    for (let p = 39; p >= 1; p--) sink(expected.subarray(p * MiB, (p + 1) * MiB), p * MiB);
    // Until the rename, the target is the previous file and the bytes go to the temporary one.
    assert.equal(fs.readFileSync(target, "utf8"), "previous checkpoint");
    assert.ok(fs.existsSync(tmp));
    sink(expected.subarray(0, MiB), 0);
    return { bytes: expected, complete: true };
  });
  assert.equal(timings.bytes, 40 * MiB);
  assert.ok(timings.fillMs >= 0 && timings.writeMs >= 0 && timings.fsyncMs >= 0);
  assert.ok(fs.readFileSync(target).equals(expected));
  assert.equal(fs.existsSync(tmp), false);
  fs.rmSync(dir, { recursive: true });
});

test("writeFileAtomicAsync: ranges that did not cover the file (complete: false) are made good by writing it whole; cut to its length", async () => {
  const { dir, target } = scratch();
  fs.writeFileSync(target, Buffer.alloc(5 * MiB, 7));
  const bytes = Buffer.alloc(2 * MiB + 3, 42);
  await writeFileAtomicAsync(target, (sink) => {
    sink(Buffer.alloc(MiB, 1), MiB); // stale bytes for the second MiB
    return { bytes, complete: false };
  });
  assert.ok(fs.readFileSync(target).equals(bytes));
  fs.rmSync(dir, { recursive: true });
});

test("writeFileAtomicAsync and writeFileAtomic: a failure leaves the target as it was and no temporary file, in one line naming the cause", async () => {
  const { dir, target, tmp } = scratch();
  fs.writeFileSync(target, "previous checkpoint");
  await assert.rejects(
    writeFileAtomicAsync(target, (sink) => {
      sink(Buffer.alloc(3 * MiB, 5), 0);
      throw new Error("export failed");
    }),
    /run\.nfrun: cannot be written: export failed \(the file on disk is unchanged\)/,
  );
  assert.equal(fs.readFileSync(target, "utf8"), "previous checkpoint");
  assert.equal(fs.existsSync(tmp), false);
  // A folder that does not exist: the cause in words, with its code.
  assert.throws(() => writeFileAtomic(path.join(dir, "gone", "x.nfrun"), Buffer.from("x")), /cannot be written: its folder no longer exists \(ENOENT\)/);
  writeFileAtomic(target, Buffer.from("next"));
  assert.equal(fs.readFileSync(target, "utf8"), "next");
  assert.equal(fs.existsSync(tmp), false);
  fs.rmSync(dir, { recursive: true });
});
