import assert from "node:assert/strict";
import { test } from "node:test";
import { ExportBuffer } from "../../kernel/record/export-buffer";
import { loadSqlJs } from "../../kernel/record/sqljs";
import { createWorkingDb } from "../../kernel/record/working-db";

test("ExportBuffer.exportTo: runs of pages of ≥ 1 MiB at their offsets while the backup goes on, page 1 last, assembling the bytes of export(), in one reused buffer; global restored", async () => {
  const SQL = await loadSqlJs();
  const db = createWorkingDb(SQL).db;
  db.run("PRAGMA page_size = 32768");
  db.run("CREATE TABLE c (i INTEGER PRIMARY KEY, a BLOB)");
  const Real = globalThis.Uint8Array;
  const eb = new ExportBuffer();
  const buffers = new Set<ArrayBufferLike>();
  for (let k = 0; k < 8; k++) {
    db.run("INSERT INTO c (i, a) VALUES (?, ?)", [k, Uint8Array.from({ length: 700_000 }, (_, i) => (i * 31 + k) & 255)]);
    const writes: { at: number; bytes: Buffer }[] = [];
    const { bytes, complete } = eb.exportTo(db, (b, at) => writes.push({ at, bytes: Buffer.from(b) }));
    assert.equal(globalThis.Uint8Array, Real);
    const expected = Buffer.from(db.export());
    assert.ok(complete);
    assert.ok(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).equals(expected));
    buffers.add(bytes.buffer);
    // Handed on as runs of pages (no copy of the whole file at the end), page 1 last: sql.js edits its header after the backup.
    assert.deepEqual(writes.at(-1)!, { at: 0, bytes: expected.subarray(0, 32768) });
    const runs = writes.slice(0, -1);
    assert.ok(runs.length >= 1 && runs.slice(0, -1).every((w) => w.bytes.byteLength >= 1 << 20), JSON.stringify(runs.map((w) => w.bytes.byteLength)));
    const file = Buffer.alloc(bytes.byteLength);
    for (const w of writes) w.bytes.copy(file, w.at);
    assert.ok(file.equals(expected));
  }
  // 1.25× room: growing by one 700 kB row at a time, a new buffer is needed only now and then.
  assert.ok(buffers.size < 8, "the buffer was never reused");
  // A failing export leaves the global as it was.
  db.close();
  assert.throws(() => eb.exportTo(db, () => undefined));
  assert.equal(globalThis.Uint8Array, Real);
});
