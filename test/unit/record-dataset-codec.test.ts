import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { loadMnist } from "../../kernel/engine/datasets/mnist";
import { Model } from "../../kernel/engine/model";
import { getStrategy } from "../../kernel/engine/optimizers/registry";
import { Trainer } from "../../kernel/engine/trainer";
import { NfrunReader, RunRecorder, verifyFile } from "../../kernel/record";
import { decodeValues, encodeValues, PALETTE_HEADER, storedLengthFits } from "../../kernel/record/dataset-codec";

const bits = (a: Float64Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

test("dataset codec: ≤ 256 distinct values in the palette form, bit for bit (−0, NaN payloads, subnormals, Inf), 6.6× smaller for 10,000 values", () => {
  const special = [0, -0, 5e-324, -2.2250738585072014e-308, Infinity, -Infinity, 1 / 3, 0.1 + 0.2];
  const values = new Float64Array(10_000);
  for (let i = 0; i < values.length; i++) values[i] = i % 7 === 0 ? special[i % special.length]! : ((i * 37) % 240) / 255;
  const nanWithPayload = new Float64Array(new Uint32Array([0x12345, 0x7ff80001]).buffer)[0]!;
  values[123] = nanWithPayload;
  const stored = encodeValues(values, values.length);
  assert.equal(stored.byteLength, PALETTE_HEADER + values.length);
  assert.ok(stored.byteLength * 6 < values.length * 8);
  const back = decodeValues(stored, values.length)!;
  assert.ok(bits(back).equals(bits(values)), "decoded bits differ");
  // Only the first n values are stored.
  const head = encodeValues(values, 5000);
  assert.ok(bits(decodeValues(head, 5000)!).equals(bits(values.subarray(0, 5000))));
});

test("dataset codec: raw float64 when there are more than 256 distinct values, or too few values for a palette to pay", () => {
  const many = Float64Array.from({ length: 1000 }, (_, i) => i * 0.001);
  const stored = encodeValues(many, 1000);
  assert.equal(stored.byteLength, 8000);
  assert.ok(bits(decodeValues(stored, 1000)!).equals(bits(many)));
  // 257 distinct values, the 257th last: still raw and exact.
  const almost = Float64Array.from({ length: 4000 }, (_, i) => (i < 3999 ? i % 256 : 1000));
  assert.equal(encodeValues(almost, 4000).byteLength, 32000);
  const few = Float64Array.from({ length: 200 }, () => 1);
  assert.equal(encodeValues(few, 200).byteLength, 1600);
});

test("dataset codec: a hostile blob (wrong length, magic, entry count, an index past the palette) decodes to null, never to garbage", () => {
  const values = Float64Array.from({ length: 1000 }, (_, i) => i % 3);
  const good = encodeValues(values, 1000);
  assert.ok(decodeValues(good, 1000));
  const bad = (edit: (b: Uint8Array) => void) => {
    const b = Uint8Array.from(good);
    edit(b);
    return decodeValues(b, 1000);
  };
  assert.equal(bad((b) => (b[0] = 0)), null);
  assert.equal(bad((b) => new DataView(b.buffer).setUint32(4, 0, true)), null);
  assert.equal(bad((b) => new DataView(b.buffer).setUint32(4, 257, true)), null);
  assert.equal(bad((b) => (b[PALETTE_HEADER + 500] = 3)), null);
  assert.equal(decodeValues(good.subarray(1), 1000), null);
  assert.equal(decodeValues(good, 999), null);
  assert.equal(decodeValues("x", 1000), null);
  assert.ok(storedLengthFits(8000, 1000) && storedLengthFits(PALETTE_HEADER + 1000, 1000) && !storedLengthFits(8001, 1000));
});

test("a recorded MNIST run stores its digits as a palette: verify replays it, the reader and the SQL view v_leverage (read by Python's sqlite3) give back the exact pixels", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nfrun-codec-"));
  const file = path.join(dir, "mnist.nfrun");
  const data = loadMnist({ count: 64 });
  const model = new Model({ inputs: 784, layers: [{ units: 3, activation: "relu" }, { units: 10, activation: "softmax" }] });
  model.initialize({ name: "xavier_uniform" }, 1);
  const rec = await RunRecorder.create(file, { data, epochs: 1, seed: 1 });
  const trainer = new Trainer({ model, loss: "cce", strategy: getStrategy("adam"), hyperparameters: { lr: 1e-3 }, batchSize: 16, seed: 1, observers: [rec] });
  rec.finish(trainer.fit(data, 1));
  const reader = await NfrunReader.open(file);
  try {
    const [runId] = reader.runIds();
    const [[xLength, yLength]] = reader.query("SELECT length(x), length(y) FROM datasets WHERE run_id = ?", [runId!]) as number[][];
    assert.equal(xLength, PALETTE_HEADER + 64 * 784);
    assert.equal(yLength, PALETTE_HEADER + 64 * 10);
    const ctx = reader.context(runId!);
    assert.ok(bits(ctx.x.subarray(0, 64 * 784)).equals(bits(data.inputs.subarray(0, 64 * 784))));
    assert.ok(bits(ctx.y.subarray(0, 64 * 10)).equals(bits(data.targets.subarray(0, 64 * 10))));
    // Python's sqlite3 runs the view's pure-SQL decode: layer 0's inputs are the sample's pixels.
    const py = `
import json, sqlite3, sys
con = sqlite3.connect(sys.argv[1])
print(json.dumps(con.execute("SELECT sample, weight, input FROM v_leverage WHERE layer = 0 AND neuron = 1 AND position < 3 AND weight < 784 ORDER BY position, weight").fetchall()))`;
    const rows = JSON.parse(execFileSync("python3", ["-c", py, file], { encoding: "utf8" })) as [number, number, number][];
    assert.equal(rows.length, 3 * 784);
    for (const [sample, weight, input] of rows) assert.equal(input, data.inputs[sample * 784 + weight]);
    assert.ok(rows.some(([, , input]) => input > 0 && input < 1), "only 0s and 1s: the pixels did not exercise the palette");
  } finally {
    reader.close();
  }
  const v = await verifyFile(file);
  assert.ok(v.ok, JSON.stringify(v.mismatch));
  fs.rmSync(dir, { recursive: true });
});
