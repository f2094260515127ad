/**
 * Stages replayed from a run's lifecycle events (kernel/engine/lifecycle/stage-history.ts) against the
 * live Lifecycle's own answer after every commit of a real training run with rebirths, senescent marks
 * and recoveries; and the same replay from a recorded .nfrun's event log (kernel/record/run-stages.ts).
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, test } from "node:test";
import { generators } from "../../kernel/engine/datasets/generators";
import type { LifecycleEvent } from "../../kernel/engine/lifecycle/events";
import { stagesAt } from "../../kernel/engine/lifecycle/stage-history";
import { Model } from "../../kernel/engine/model";
import { adam } from "../../kernel/engine/optimizers/adam";
import { Trainer } from "../../kernel/engine/trainer";
import { NfrunReader, RunRecorder } from "../../kernel/record";
import { runStagesAt } from "../../kernel/record/run-stages";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nf-stage-history-"));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const data = generators.circles({ count: 60, noise: 0.05, seed: 3 });
const MATURITY = 20;
const SENIORITY = 120;

function trainer(observers: ConstructorParameters<typeof Trainer>[0]["observers"]): Trainer {
  const model = new Model({ inputs: 2, layers: [{ units: 8, activation: "relu" }, { units: 6, activation: "relu" }, { units: 1, activation: "sigmoid" }] });
  model.initialize({ name: "he_uniform" }, 5);
  for (const j of [1, 3]) model.params[model.weightIndex(0, j, 2)] = -100; // two dead neurons from the start
  return new Trainer({
    model, loss: "bce", strategy: adam, hyperparameters: { lr: 0.05 }, batchSize: 10, shuffle: true, seed: 1,
    lifecycle: { every: 10, maturity: MATURITY, seniority: SENIORITY, fraction: 0, senescence: { steps: 20, flat: 0.05, exit: 2, grace: 30 } },
    observers,
  });
}

test("stages replayed from the events equal the live lifecycle's after every commit (newborn, mature, senior, dying)", () => {
  const events: LifecycleEvent[] = [];
  const seen = new Set<string>();
  let checked = 0;
  const tr: Trainer = trainer([
    {
      readsBank: false,
      onNotice(n) {
        if (n.lifecycle) events.push(n.lifecycle);
      },
      onCommit(e) {
        const life = e.trainer.lifecycle!;
        const units = e.trainer.model.layers.map((l) => l.units);
        const replay = stagesAt(units, events, e.t, MATURITY, SENIORITY);
        e.trainer.model.layers.forEach((l) => {
          for (let j = 0; j < l.units; j++) {
            const live = life.stage(l.neuronOffset + j, e.t);
            assert.equal(replay.stages[l.index]![j], live, `t=${e.t} layer ${l.index} neuron ${j}`);
            seen.add(live);
          }
        });
        checked++;
      },
    },
  ]);
  tr.fit(data, 30);
  assert.equal(checked, 180);
  assert.deepEqual([...seen].sort(), ["dying", "mature", "newborn", "senior"], "every stage occurs in this run");
  assert.ok(events.some((e) => e.kind === "senescent") && events.some((e) => e.kind === "rebirth"));
});

test("a recorded run's stages after commit t: the same replay from its event log", async () => {
  const file = path.join(dir, "stages.nfrun");
  const rec = await RunRecorder.create(file, { data, seed: 1, epochs: 30, policy: {}, checkpointSeconds: 3600 });
  const live: { t: number; stages: string[][]; ages: number[][] }[] = [];
  const tr = trainer([
    rec,
    {
      readsBank: false,
      onCommit(e) {
        const life = e.trainer.lifecycle!;
        const per = <T>(f: (i: number) => T) => e.trainer.model.layers.map((l) => Array.from({ length: l.units }, (_, j) => f(l.neuronOffset + j)));
        if (e.t % 25 === 0) live.push({ t: e.t, stages: per((i) => life.stage(i, e.t)), ages: per((i) => e.t - life.bornAt[i]!) });
      },
    },
  ]);
  rec.finish(tr.fit(data, 30));
  const reader = await NfrunReader.open(file);
  try {
    for (const { t, stages, ages } of live) {
      // The stored config of a cell's trainer has no lifecycle block: the engine's defaults (maturity 100,
      // seniority 1000) are used, so compare the ages and the dying marks, and the stages the defaults give.
      const r = runStagesAt(reader, rec.runId, t);
      assert.deepEqual(r.ages, ages, `ages at t=${t}`);
      const dying = stages.map((row) => row.map((s) => s === "dying"));
      assert.deepEqual(r.stages!.map((row) => row.map((s) => s === "dying")), dying, `dying at t=${t}`);
      r.ages!.forEach((row, l) => row.forEach((age, j) => !dying[l]![j] && assert.equal(r.stages![l]![j], age < 100 ? "newborn" : age < 1000 ? "mature" : "senior")));
      assert.ok(r.events.every((e) => e.t <= t));
    }
    const all = runStagesAt(reader, rec.runId, 180);
    assert.equal(all.events.filter((e) => e.kind === "rebirth").length, tr.lifecycle!.rebirths.reduce((a, b) => a + b, 0));
  } finally {
    reader.close();
  }
});
