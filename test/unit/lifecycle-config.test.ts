/**
 * The experiment file's `lifecycle:` and `health:` blocks: validated with errors naming the field and
 * the file, resolved as written (absent: off, so older configs resolve as before), and built into a
 * trainer that runs the lifecycle and the health monitor.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { buildExperiment, ExperimentConfigError, loadExperiment } from "../../kernel/engine/config";
import { exportWeights } from "../../kernel/engine/weights-json";

const root = mkdtempSync(join(tmpdir(), "nf-lifecycle-config-"));
after(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
function write(extra: Record<string, unknown>): string {
  const path = join(root, `c${n++}.json`);
  const config = {
    model: { layers: [{ units: 6, activation: "relu" }, { units: 1, activation: "sigmoid" }], init: { name: "he_uniform" } },
    data: { generator: "circles", count: 64, noise: 0.05 },
    loss: "bce",
    optimizer: { name: "adam", lr: 0.01 },
    training: { batch_size: 8, epochs: 2 },
    ...extra,
  };
  writeFileSync(path, JSON.stringify(config));
  return path;
}

function rejects(extra: Record<string, unknown>, field: string, pattern: RegExp): void {
  const path = write(extra);
  assert.throws(
    () => loadExperiment(path),
    (e: unknown) => {
      assert.ok(e instanceof ExperimentConfigError, String(e));
      assert.equal(e.field, field, e.message);
      assert.ok(e.message.startsWith(`${path}: ${field}: `) && pattern.test(e.message), e.message);
      return true;
    },
  );
}

describe("lifecycle and health in experiment files", () => {
  it("resolved as written; absent blocks stay absent", () => {
    const given = { every: 4, fraction: 0.2, maturity: 8, senescence: { steps: 40 }, temperature: { start: 2, decay: 50 } };
    const { experiment } = loadExperiment(write({ lifecycle: given, health: { every: 2, nonfinite: "sanitize" } }));
    assert.deepEqual(experiment.lifecycle, given);
    assert.deepEqual(experiment.health, { every: 2, nonfinite: "sanitize" });
    const plain = loadExperiment(write({})).experiment;
    assert.ok(!("lifecycle" in plain) && !("health" in plain));
  });

  it("built: the trainer runs the lifecycle (rebirths from the model's initializer) and the health monitor", () => {
    const built = buildExperiment(loadExperiment(write({ lifecycle: { every: 4, fraction: 0.34, maturity: 4, ema_decay: 0.5 }, health: { every: 4, dormant_threshold: 0.05, nonfinite: "sanitize" } })));
    const t = built.trainer;
    assert.equal(t.lifecycle!.options.every, 4);
    assert.equal(t.lifecycle!.options.emaDecay, 0.5);
    assert.deepEqual(t.lifecycle!.init, { name: "he_uniform" });
    assert.equal(t.health!.options.dormantThreshold, 0.05);
    assert.equal(t.nonfinite, "sanitize");
    let reborn = 0;
    let measures = 0;
    t.health!.listen(() => void measures++);
    built.trainer.fit(built.dataset, 2);
    for (let i = 0; i < 6; i++) if (t.lifecycle!.rebirths[i]! > 0) reborn++;
    assert.ok(reborn > 0, "some neuron was reborn");
    assert.equal(measures, 4, "16 commits, a measure every 4");
  });

  it("each bad value names its field and the file", () => {
    rejects({ lifecycle: { every: 0 } }, "lifecycle.every", /must be ≥ 1, got number 0/);
    rejects({ lifecycle: { fraction: 2 } }, "lifecycle.fraction", /must be ≤ 1, got number 2/);
    rejects({ lifecycle: { evrey: 3 } }, "lifecycle.evrey", /unknown key \(did you mean 'every'\?\)/);
    rejects({ lifecycle: { senescence: { grace: -1 } } }, "lifecycle.senescence.grace", /./);
    rejects({ lifecycle: { init: { name: "hee_uniform" } } }, "lifecycle.init.name", /./);
    rejects({ lifecycle: { maturity: 50, seniority: 10 } }, "lifecycle.seniority", /must be an integer ≥ 50, got 10/);
    rejects({ health: { nonfinite: "ignore" } }, "health.nonfinite", /stop|sanitize/);
    rejects({ health: { dormant_threshold: -0.1 } }, "health.dormant_threshold", /./);
  });

  it("initial weights from a file: lifecycle.init is then required", () => {
    const weights = join(root, "w.json");
    const first = buildExperiment(loadExperiment(write({})));
    writeFileSync(weights, JSON.stringify(exportWeights(first.model)));
    rejects({ model: { layers: [{ units: 6, activation: "relu" }, { units: 1, activation: "sigmoid" }], weights }, lifecycle: {} }, "lifecycle.init", /loaded weights/);
    const ok = loadExperiment(write({ model: { layers: [{ units: 6, activation: "relu" }, { units: 1, activation: "sigmoid" }], weights }, lifecycle: { init: { name: "he_normal" } } }));
    assert.deepEqual(buildExperiment(ok).trainer.lifecycle!.init, { name: "he_normal" });
  });
});
