import type { Dataset } from "../../kernel/engine/datasets/dataset";
import { Model } from "../../kernel/engine/model";
import { sgd } from "../../kernel/engine/optimizers/sgd";
import { Trainer } from "../../kernel/engine/trainer";
import { HIDDEN, INPUTS, LEARNING_RATE, OUTPUTS, type InitialWeights, type Workload } from "./workload";

/** The first `count` samples of a workload as an engine Dataset (views, no copies). */
export function engineDataset(w: Workload, count: number): Dataset {
  return {
    name: `random-${count}`,
    count,
    inputSize: INPUTS,
    targetSize: OUTPUTS,
    inputs: w.x.subarray(0, count * INPUTS),
    targets: w.y.subarray(0, count * OUTPUTS),
    inputNames: [],
    targetNames: [],
  };
}

/** The engine's model with the workload's initial weights copied into its layout (per neuron: weights, then bias). */
export function engineModel(init: InitialWeights): Model {
  const model = new Model({
    inputs: INPUTS,
    layers: [
      { units: HIDDEN, activation: "relu" },
      { units: OUTPUTS, activation: "softmax" },
    ],
  });
  const p = model.params;
  for (let j = 0; j < HIDDEN; j++) {
    p.set(init.w1.subarray(j * INPUTS, (j + 1) * INPUTS), model.weightIndex(0, j, 0));
    p[model.weightIndex(0, j, INPUTS)] = init.b1[j]!;
  }
  for (let o = 0; o < OUTPUTS; o++) {
    p.set(init.w2.subarray(o * HIDDEN, (o + 1) * HIDDEN), model.weightIndex(1, o, 0));
    p[model.weightIndex(1, o, HIDDEN)] = init.b2[o]!;
  }
  return model;
}

/** A Trainer as a user would build it: the sgd strategy, lr only, no observers, samples in order. */
export function engineTrainer(init: InitialWeights, batchSize: number): Trainer {
  return new Trainer({
    model: engineModel(init),
    loss: "cce",
    strategy: sgd,
    hyperparameters: { lr: LEARNING_RATE },
    batchSize,
  });
}
