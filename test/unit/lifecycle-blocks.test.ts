/**
 * The lifecycle and health take activations a predicted block at a time on the trainer's deferred path,
 * one sample at a time otherwise (an observer reads the blame bank): both must give the same bits — fitness
 * terms, rebirths, health measures, weights — with batches smaller and larger than a block, a partial last
 * batch, and an epoch interrupted mid-block and resumed.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { generators } from "../../kernel/engine/datasets/generators";
import type { LayerHealth } from "../../kernel/engine/health/monitor";
import { Model } from "../../kernel/engine/model";
import type { TrainingObserver } from "../../kernel/engine/observer";
import { adam } from "../../kernel/engine/optimizers/adam";
import { Trainer } from "../../kernel/engine/trainer";

const data = generators.circles({ count: 150, noise: 0.1, seed: 8 });

function run(batchSize: number, readsBank: boolean, stopAt: number | null) {
  const model = new Model({ inputs: 2, layers: [{ units: 12, activation: "relu" }, { units: 7, activation: "relu" }, { units: 1, activation: "sigmoid" }] });
  model.initialize({ name: "he_uniform" }, 13);
  const measures: (readonly LayerHealth[])[] = [];
  const events: string[] = [];
  let stopped = false;
  const stopper: TrainingObserver = {
    readsBank,
    // Once: an interrupted epoch is not counted, so the next one is epoch 1 again.
    onSample: (e) => void (!stopped && e.epoch === 1 && e.position === stopAt && (stopped = true) && e.trainer.requestStop()),
    onNotice: (n) => void (n.kind === "lifecycle" && events.push(n.message)),
  };
  const trainer = new Trainer({
    model, loss: "bce", strategy: adam, hyperparameters: { lr: 0.05 }, batchSize, observers: [stopper],
    lifecycle: { every: 2, fraction: 0.2, maturity: 2, senescence: { steps: 4, grace: 2, flat: 0.5 } }, health: { every: 3 },
  });
  trainer.health!.listen((h) => measures.push(h));
  for (let e = 0; e < 4; e++) trainer.trainEpoch(data);
  if (stopAt !== null) trainer.trainEpoch(data);
  const lc = trainer.lifecycle!;
  return { params: Array.from(model.params), terms: lc.terms, rebirths: Array.from(lc.rebirths), events, measures };
}

describe("lifecycle and health: a block at a time = a sample at a time", () => {
  for (const batchSize of [5, 32, 45]) {
    for (const stopAt of [null, 71]) {
      test(`batch ${batchSize}${stopAt === null ? "" : `, stopped at sample ${stopAt} and resumed`}`, () => {
        const blocks = run(batchSize, false, stopAt);
        const samples = run(batchSize, true, stopAt);
        assert.ok(blocks.events.some((m) => m.includes("reborn")), "neurons were reborn");
        assert.ok(blocks.measures.length >= 5, `health was measured: ${blocks.measures.length}`);
        assert.deepEqual(blocks.events, samples.events);
        assert.deepEqual(blocks.rebirths, samples.rebirths);
        assert.deepEqual(blocks.terms, samples.terms);
        assert.deepEqual(blocks.measures, samples.measures);
        blocks.params.forEach((p, i) => assert.ok(Object.is(p, samples.params[i]), `weight ${i}: ${p} vs ${samples.params[i]}`));
      });
    }
  }
});
