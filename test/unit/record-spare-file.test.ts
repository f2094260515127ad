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

test("SpareFile: the background flush of a grown file never recreates, truncates or delays what a commit wrote", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nfrun-spare-"));
  const target = path.join(dir, "run.nfrun");
  const tmp = `${target}.tmp-${process.pid}`;
  const spare = new SpareFile(target);
  const first = Uint8Array.from({ length: 1 << 20 }, (_, i) => (i * 13) & 255);
  while (spare.grow(2 << 20));
  // The flush is in flight (libuv's thread pool): commit at once, racing it.
  spare.commit(first);
  assert.deepEqual(fs.readFileSync(target), Buffer.from(first));
  // The next file grows while the previous file's flush may still run.
  assert.equal(spare.grow(1 << 20), false);
  assert.equal(fs.statSync(tmp).size, 1 << 20);
  await new Promise((resolve) => setTimeout(resolve, 200));
  // Once this file's flush is done it grows on toward a larger size, then commits as usual.
  while (spare.grow(3 << 20)) await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal(fs.statSync(tmp).size, 3 << 20);
  const second = Uint8Array.from({ length: 5 << 20 }, (_, i) => (i * 31) & 255);
  spare.commit(second);
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.deepEqual(fs.readFileSync(target), Buffer.from(second));
  assert.equal(fs.existsSync(tmp), false);
  fs.rmSync(dir, { recursive: true });
});

test("SpareFile.commitWith: writes at their offsets in any order (a later one over an earlier one), past the background flushes, cut to the length given; a failing fill leaves the target and no temporary file", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nfrun-spare-"));
  const target = path.join(dir, "run.nfrun");
  const tmp = `${target}.tmp-${process.pid}`;
  fs.writeFileSync(target, "previous checkpoint");
  const spare = new SpareFile(target);
  while (spare.grow(48 << 20));
  const page = 1 << 20;
  // 40 one-MiB pages, page 0 last and once before with other bytes (as sql.js's backup sends them): past two 16 MiB background flushes.
  const expected = Buffer.alloc(40 * page);
  for (let p = 0; p < 40; p++) expected.fill((p * 37 + 1) & 255, p * page, (p + 1) * page);
  const timings = spare.commitWith((write) => {
    write(new Uint8Array(page).fill(99), 0);
    for (let p = 39; p >= 1; p--) write(expected.subarray(p * page, (p + 1) * page), p * page);
    write(expected.subarray(0, page), 0);
    return 40 * page;
  });
  assert.equal(timings.bytes, 40 * page);
  assert.ok(timings.writeMs > 0 && timings.fsyncMs >= 0);
  assert.ok(fs.readFileSync(target).equals(expected));
  assert.equal(fs.existsSync(tmp), false);
  // A fill that throws (the export failed): the target as it was, the temporary file gone.
  assert.throws(
    () =>
      spare.commitWith((write) => {
        write(new Uint8Array(page), 0);
        throw new Error("export failed");
      }),
    /cannot be written: export failed/,
  );
  assert.ok(fs.readFileSync(target).equals(expected));
  assert.equal(fs.existsSync(tmp), false);
  await new Promise((resolve) => setTimeout(resolve, 200));
  fs.rmSync(dir, { recursive: true });
});
