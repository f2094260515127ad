import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { datasetFromRows } from "../../kernel/engine/datasets/dataset";
import { Model } from "../../kernel/engine/model";
import { getStrategy } from "../../kernel/engine/optimizers/registry";
import { Trainer } from "../../kernel/engine/trainer";
import { NfrunReader, RunRecorder } from "../../kernel/record";
import { escapeHtml, MIME, mimeBundleOf } from "../../kernel/runtime/display/index";

const HOSTILE = `<img src=x onerror="alert('x')">&`;

test("escapeHtml escapes the five HTML metacharacters and nothing else", () => {
  assert.equal(escapeHtml(HOSTILE), "&lt;img src=x onerror=&quot;alert(&#39;x&#39;)&quot;&gt;&amp;");
  assert.equal(escapeHtml("Σ 0.5 × θ"), "Σ 0.5 × θ");
});

async function recordedRun() {
  const dir = mkdtempSync(join(tmpdir(), "nf-display-"));
  const file = join(dir, "xor.nfrun");
  const data = datasetFromRows("xor", [[0, 0], [0, 1], [1, 0], [1, 1]], [[0], [1], [1], [0]]);
  const model = new Model({ inputs: 2, layers: [{ units: 3, activation: "tanh" }, { units: 1, activation: "sigmoid" }] });
  model.initialize({ name: "xavier_uniform" }, 3);
  const rec = await RunRecorder.create(file, { data, seed: 3, epochs: 5, checkpointSeconds: 3600 });
  const trainer = new Trainer({ model, loss: "bce", strategy: getStrategy("adam"), hyperparameters: { lr: 0.05 }, batchSize: 2, observers: [rec] });
  rec.finish(trainer.fit(data, 5));
  const reader = await NfrunReader.open(file);
  return { reader, runId: rec.runId, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

test("a recorded run displays as our MIME type with HTML and text fallbacks", async () => {
  const { reader, runId, cleanup } = await recordedRun();
  try {
    const run = reader.run(runId);
    const bundle = mimeBundleOf(run);
    assert.deepEqual(Object.keys(bundle).sort(), [MIME.run, "text/html", "text/plain"].sort());
    const text = String(bundle["text/plain"]);
    assert.match(text, /status\s+completed/);
    assert.match(text, /network\s+2 → 3 tanh → 1 sigmoid/);
    assert.match(text, /commits\s+10/); // 4 samples, batch 2, 5 epochs
    assert.ok(String(bundle["text/html"]).includes(run.configHash));
    // Anything read from a file is escaped before it reaches HTML.
    const tampered = mimeBundleOf({ ...run, loss: HOSTILE });
    assert.ok(!String(tampered["text/html"]).includes("<img"));
    assert.ok(String(tampered["text/html"]).includes(escapeHtml(HOSTILE)));
  } finally {
    cleanup();
  }
});

test("a neuron snapshot displays its forward pass: products add up to z", async () => {
  const { reader, runId, cleanup } = await recordedRun();
  try {
    const snap = reader.neuronSnapshot(runId, 0, 1, 2, 1);
    assert.ok(!("kind" in snap && snap.kind === "not-recorded"));
    const bundle = mimeBundleOf(snap);
    assert.ok(MIME.neuron in bundle && "text/html" in bundle && "text/plain" in bundle);
    const s = snap as Exclude<typeof snap, { kind: "not-recorded" }>;
    const sum = s.forward.inputs.reduce((acc, i) => acc + i.value * i.weight, 0) + s.forward.bias;
    assert.ok(Math.abs(sum - s.forward.z) <= 1e-12, `${sum} vs ${s.forward.z}`);
    assert.match(String(bundle["text/plain"]), /layer 0, neuron 1, sample 1 \(epoch 2/);
  } finally {
    cleanup();
  }
});
