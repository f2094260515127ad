import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { datasetFromRows, Model, Trainer } from "../../kernel/engine";
import { getStrategy } from "../../kernel/engine/optimizers/registry";
import { RunRecorder, verifyFile } from "../../kernel/record";
import { ExportBuffer } from "../../kernel/record/export-buffer";
import { loadSqlJs } from "../../kernel/record/sqljs";

test("ExportBuffer: same bytes as export(), reuses its buffer while it fits, restores Uint8Array", async () => {
  const SQL = await loadSqlJs();
  const db = new SQL.Database();
  db.run("CREATE TABLE t (b BLOB)");
  const buf = new ExportBuffer();
  const Real = Uint8Array;
  let previous: ArrayBufferLike | null = null;
  for (let round = 0; round < 4; round++) {
    db.run("INSERT INTO t VALUES (?)", [new Uint8Array(round === 0 ? 40_000 : 3000).fill(round + 1)]);
    const expected = db.export();
    const got = buf.export(db);
    assert.equal(globalThis.Uint8Array, Real);
    assert.deepEqual(Buffer.from(got), Buffer.from(expected));
    if (previous) assert.ok(got.buffer === previous, "the kept buffer (2× headroom) is reused while the file fits");
    previous = got.buffer;
  }
  assert.equal(buf.misses, 1);
  assert.equal(buf.hits, 3);
  // A database larger than the kept buffer: a new, larger buffer, same bytes.
  db.run("INSERT INTO t VALUES (?)", [new Uint8Array(200_000).fill(9)]);
  const got = buf.export(db);
  assert.ok(got.buffer !== previous);
  assert.deepEqual(Buffer.from(got), Buffer.from(db.export()));
  // export() failing (closed database) leaves the global constructor intact.
  db.close();
  assert.throws(() => buf.export(db));
  assert.equal(globalThis.Uint8Array, Real);
});

test("checkpoints through the kept buffer write files that verify, with phase timings", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nfrun-export-"));
  try {
    const xs: number[][] = [];
    const ys: number[][] = [];
    for (let i = 0; i < 40; i++) {
      xs.push([Math.sin(i), Math.cos(i * 0.3)]);
      ys.push([i % 2]);
    }
    const data = datasetFromRows("toy", xs, ys);
    const file = path.join(dir, "run.nfrun");
    const seen: { bytes: number; exportMs: number; fsyncMs: number }[] = [];
    const rec = await RunRecorder.create(file, {
      data,
      epochs: 6,
      seed: 1,
      checkpointEpochs: 1,
      onCheckpoint: (c) => seen.push({ bytes: c.bytes, exportMs: c.timings.exportMs, fsyncMs: c.timings.fsyncMs }),
    });
    const model = new Model({ inputs: 2, layers: [{ units: 3, activation: "tanh" }, { units: 1, activation: "sigmoid" }] });
    model.initialize({ name: "xavier_uniform" }, 3);
    const trainer = new Trainer({ model, loss: "bce", strategy: getStrategy("adam"), hyperparameters: { lr: 0.01 }, batchSize: 8, shuffle: true, seed: 2, observers: [rec] });
    assert.equal(rec.finish(trainer.fit(data, 6)), "completed");
    assert.ok(seen.length >= 7, `one checkpoint per epoch and the final one (${seen.length})`);
    assert.ok(seen.every((c) => c.exportMs >= 0 && c.fsyncMs >= 0));
    assert.equal(rec.lastCheckpoint!.bytes, fs.statSync(file).size);
    assert.equal(rec.lastCheckpoint!.warm, true, "the final export reuses the buffer of the previous checkpoint");
    const v = await verifyFile(file);
    assert.equal(v.ok, true);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
