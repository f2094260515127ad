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
