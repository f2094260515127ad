import assert from "node:assert/strict";
import { test } from "node:test";
import { ExportBuffer } from "../../kernel/record/export-buffer";
import { loadSqlJs } from "../../kernel/record/sqljs";
import { createWorkingDb } from "../../kernel/record/working-db";

test("ExportBuffer: the same bytes as export(), in one reused buffer while it is large enough, global restored", async () => {
  const SQL = await loadSqlJs();
  const db = createWorkingDb(SQL).db;
  db.run("CREATE TABLE c (i INTEGER PRIMARY KEY, a BLOB)");
  const blob = Uint8Array.from({ length: 100_000 }, (_, i) => (i * 31) & 255);
  const Real = globalThis.Uint8Array;
  const eb = new ExportBuffer();
  const buffers: ArrayBufferLike[] = [];
  for (let k = 0; k < 6; k++) {
    db.run("INSERT INTO c (i, a) VALUES (?, ?)", [k, blob]);
    const reused = eb.export(db);
    assert.equal(globalThis.Uint8Array, Real);
    assert.deepEqual(Buffer.from(reused.buffer, reused.byteOffset, reused.byteLength), Buffer.from(db.export()));
    buffers.push(reused.buffer);
  }
  // 1.25× room: growing by one 100 kB row at a time, a new buffer is needed only now and then.
  assert.ok(new Set(buffers).size < buffers.length, "the buffer was never reused");
  // A failing export leaves the global as it was.
  db.close();
  assert.throws(() => eb.export(db));
  assert.equal(globalThis.Uint8Array, Real);
});

test("ExportBuffer.exportTo: the file's pages one by one at their offsets (page 1 last), assembled the same bytes as export()", async () => {
  const SQL = await loadSqlJs();
  const db = createWorkingDb(SQL).db;
  db.run("PRAGMA page_size = 32768");
  db.run("CREATE TABLE c (i INTEGER PRIMARY KEY, a BLOB)");
  const eb = new ExportBuffer();
  for (let k = 0; k < 4; k++) {
    db.run("INSERT INTO c (i, a) VALUES (?, ?)", [k, Uint8Array.from({ length: 300_000 }, (_, i) => (i * 31 + k) & 255)]);
    const writes: { at: number; bytes: Buffer }[] = [];
    const length = eb.exportTo(db, (bytes, at) => writes.push({ at, bytes: Buffer.from(bytes) }));
    const expected = Buffer.from(db.export());
    assert.equal(length, expected.byteLength);
    // Page by page (no copy of the whole file first), the first page last: sql.js edits its header after the backup.
    assert.ok(writes.every((w) => w.bytes.byteLength === 32768), "a write other than one page: the whole file was copied");
    assert.equal(writes.at(-1)!.at, 0);
    const file = Buffer.alloc(length);
    for (const w of writes) w.bytes.copy(file, w.at);
    assert.ok(file.equals(expected));
  }
  db.close();
});
