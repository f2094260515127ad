/**
 * A reborn weight's trace and popup say so (issue #14): at the rebirth commit the trace keeps the commit's
 * own After (Before − Adj) and names the jump (re-drawn, zeroed, absorbed) to the reborn value, which is
 * the next commit's Before; the next commits replay with the weight's optimizer restarted (its own step 1,
 * 2, …), so every recomputed Adj equals the engine's; θ[t] series follow the jumps. References: the live
 * trainer's weights after every commit and its own adjustments, captured while it trained. The popup,
 * rendered into a DOM, shows the rebirth line and the restarted step in its bias corrections.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { generators } from "../../kernel/engine/datasets/generators";
import type { LifecycleEvent } from "../../kernel/engine/lifecycle/events";
import { Model } from "../../kernel/engine/model";
import { adam } from "../../kernel/engine/optimizers/adam";
import { Trainer } from "../../kernel/engine/trainer";
import { NfrunReader, RunRecorder, weightSeries, type WeightTrace } from "../../kernel/record";
import { auditBundle } from "../../kernel/runtime/display/audit";
import { MIME } from "../../kernel/runtime/display/mime";
import { activate } from "../../webviews/renderers/audit/index";
import { installDom } from "./support/dom-globals";
import { liveCommits } from "./support/live-commits";
import { renderOutput } from "./support/render-output";

installDom();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nf-rebirth-trace-"));
const data = generators.circles({ count: 40, noise: 0.05, seed: 1 });
const model = new Model({ inputs: 2, layers: [{ units: 6, activation: "relu" }, { units: 1, activation: "sigmoid" }] });
const rebirths: LifecycleEvent[] = [];
/** Weights after each commit t (the lifecycle acts before observers see a commit) and the engine's adjustments. */
const { weights: live, adjustments: engineAdj, observer } = liveCommits(model, (n) => void (n.lifecycle?.kind === "rebirth" && rebirths.push(n.lifecycle)));
let reader: NfrunReader;
let runId = "";

before(async () => {
  model.initialize({ name: "he_uniform" }, 5);
  live.set(0, model.params.slice());
  const file = path.join(dir, "reborn.nfrun");
  const rec = await RunRecorder.create(file, { data, epochs: 4, snapshotCommits: 64 });
  const trainer = new Trainer({
    model, loss: "bce", strategy: adam, hyperparameters: { lr: 0.05 }, batchSize: 5,
    lifecycle: { every: 4, maturity: 4, fraction: 0.2, seed: 9 },
    observers: [rec, observer],
  });
  rec.finish(trainer.fit(data, 4));
  runId = rec.runId;
  reader = await NfrunReader.open(file);
});
after(() => {
  reader?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const trace = (layer: number, neuron: number, weight: number, t: number) => {
  const tr = reader.weightTrace(runId, layer, neuron, weight, t) as WeightTrace;
  assert.equal(tr.kind, "weight-trace", JSON.stringify(tr));
  return tr;
};

describe("a reborn weight's trace", () => {
  it("names the jump at the rebirth commit; the next Before is the reborn value; Adj replays with the optimizer restarted", () => {
    const first = rebirths.find((e) => e.absorbed !== 0 && e.t + 1 <= 32)!;
    assert.ok(first, `a rebirth that absorbed (${rebirths.length} rebirths)`);
    const r = first.t;
    const j = first.neuron;
    const cases = [
      { at: [0, j, 0] as const, flat: model.weightIndex(0, j, 0), change: "re-drawn", restarted: true },
      { at: [0, j, 2] as const, flat: model.weightIndex(0, j, 2), change: "re-drawn", restarted: true },
      { at: [1, 0, j] as const, flat: model.weightIndex(1, 0, j), change: "zeroed", restarted: true },
      { at: [1, 0, 6] as const, flat: model.weightIndex(1, 0, 6), change: "absorbed", restarted: false },
    ];
    for (const c of cases) {
      const what = `[${c.at.join(", ")}] at t=${r}`;
      const at = trace(c.at[0], c.at[1], c.at[2], r);
      assert.ok(at.commit.rebirth, what);
      assert.deepEqual({ ...at.commit.rebirth, value: 0 }, { t: r, layer: 0, neuron: j, change: c.change, value: 0 }, what);
      assert.ok(Object.is(at.commit.rebirth.value, live.get(r)![c.flat]), `${what}: reborn value ${at.commit.rebirth.value} vs the live ${live.get(r)![c.flat]}`);
      assert.equal(at.commit.after, at.commit.before - at.commit.adjustment, `${what}: After is the commit's own`);
      assert.ok(Object.is(at.commit.before, live.get(r - 1)![c.flat]));
      const next = trace(c.at[0], c.at[1], c.at[2], r + 1);
      assert.equal(next.commit.rebirth, null);
      assert.ok(Object.is(next.commit.before, live.get(r)![c.flat]), `${what}: the next Before is the reborn value`);
      assert.ok(Object.is(next.commit.after, live.get(r + 1)![c.flat]));
      assert.equal(next.commit.stepT, c.restarted ? 1 : r + 1, `${what}: the optimizer's step`);
      assert.ok(Object.is(next.commit.recomputedAdjustment, engineAdj.get(r + 1)![c.flat]), `${what}: Adj recomputed ${next.commit.recomputedAdjustment} vs the engine's ${engineAdj.get(r + 1)![c.flat]}`);
    }
  });

  it("every commit of every weight of a reborn neuron replays to the engine's Adj and the live weights", () => {
    for (const e of rebirths.slice(0, 3)) {
      for (let k = 0; k <= 2; k++) {
        const flat = model.weightIndex(0, e.neuron, k);
        for (let t = 1; t <= 32; t++) {
          const tr = trace(0, e.neuron, k, t);
          assert.ok(Object.is(tr.commit.recomputedAdjustment, engineAdj.get(t)![flat]), `[0, ${e.neuron}, ${k}] t=${t}`);
          assert.ok(Object.is(tr.commit.rebirth?.value ?? tr.commit.after, live.get(t)![flat]), `[0, ${e.neuron}, ${k}] t=${t} value`);
        }
      }
    }
  });

  it("θ[t] series follow the rebirths: every weight equals the live one after every commit", () => {
    for (let l = 0; l < 2; l++) {
      const layer = model.layers[l]!;
      for (let j = 0; j < layer.units; j++) {
        for (let k = 0; k <= layer.inputs; k++) {
          const s = weightSeries(reader, runId, l, j, k);
          assert.ok(!("kind" in s));
          const flat = model.weightIndex(l, j, k);
          for (let t = 0; t <= 32; t++) assert.ok(Object.is(s.values[t], live.get(t)![flat]), `[${l}, ${j}, ${k}] t=${t}`);
        }
      }
    }
  });

  it("the popup shows the rebirth line, and the restarted step in the next commit's bias corrections", async () => {
    const e = rebirths[0]!;
    const shown = async (t: number) => renderOutput(activate, MIME.audit, JSON.parse(JSON.stringify(auditBundle(trace(0, e.neuron, 0, t))[MIME.audit])));
    const bundle = auditBundle(trace(0, e.neuron, 0, e.t));
    assert.match(String(bundle["text/plain"]), new RegExp(`reborn at t=${e.t} \\(lifecycle, neuron \\[layer 0, neuron ${e.neuron}\\]\\): re-drawn → `), "the text fallback says so too");
    const at = await shown(e.t);
    const line = at.querySelector(".reconcile .check-rebirth")?.textContent ?? "";
    assert.match(line, new RegExp(`^reborn at t=${e.t} \\(lifecycle, neuron \\[layer 0, neuron ${e.neuron}\\]\\): re-drawn from the initializer → `));
    const value = Number(line.split("→ ")[1]!.split(";")[0]!.replace("−", "-"));
    assert.equal(value, live.get(e.t)![model.weightIndex(0, e.neuron, 0)]);
    const next = await shown(e.t + 1);
    assert.equal(next.querySelector(".reconcile .check-rebirth"), null);
    assert.match(next.querySelector(".reconcile .rate")!.textContent!, new RegExp(`this weight.s optimizer restarted after t=${e.t} \\(a rebirth or sanitization reset it\\): its step 1 `));
    const [bc1] = [...next.querySelectorAll(".reconcile .bias-correction")].map((el) => el.textContent!);
    assert.match(bc1!, /^1 − β₁ᵗ = 1 − 0\.9\^1 = 0\.1;/);
  });
});
