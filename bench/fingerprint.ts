/**
 * Bit-identity fingerprint of the engine's arithmetic, for performance work on the hot path
 * (model.ts predict, blame.ts run, strategy-state.ts commit), which must not change a single bit.
 *
 *   node --import tsx bench/fingerprint.ts > before.txt   # on the old code
 *   node --import tsx bench/fingerprint.ts > after.txt    # on the new code
 *   diff before.txt after.txt                             # must be empty
 *
 * Trains a set of small runs (layer widths that are and are not multiples of 4, every activation, several
 * losses, batch sizes 1 / 7 / 32 with partial last batches, every registered optimizer, with and without
 * a commit-detail observer, with a commit-detail observer that does not read the bank (the deferred
 * path), one diverging run) and hashes every float64 an observer can see: per sample the loss, z, a,
 * blame of every layer and the bank (when read); per commit the norms, the full commit record and the
 * parameters; the final parameters, optimizer state and the run status.
 */
import { createHash, type Hash } from "node:crypto";
import type { Dataset } from "../kernel/engine/datasets/dataset";
import type { LossName } from "../kernel/engine/losses";
import { Model, type LayerSpec } from "../kernel/engine/model";
import type { TrainingObserver } from "../kernel/engine/observer";
import { strategies } from "../kernel/engine/optimizers/registry";
import { Trainer } from "../kernel/engine/trainer";
import { mulberry32 } from "./mlp/workload";

interface Case {
  readonly name: string;
  readonly inputs: number;
  readonly layers: readonly LayerSpec[];
  readonly loss: LossName;
  readonly samples: number;
  readonly batchSizes: readonly number[];
  readonly optimizers: readonly string[];
  readonly hyper?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly lr: number;
  readonly epochs: number;
  readonly oneHot: boolean;
}

const ALL = Object.keys(strategies);

const cases: Case[] = [
  {
    name: "mlp-784-64-10",
    inputs: 784,
    layers: [
      { units: 64, activation: "relu" },
      { units: 10, activation: "softmax" },
    ],
    loss: "cce",
    samples: 96,
    batchSizes: [1, 7, 32],
    optimizers: ["sgd", "adam"],
    lr: 0.01,
    epochs: 2,
    oneHot: true,
  },
  {
    name: "odd-widths-softmax",
    inputs: 5,
    layers: [
      { units: 7, activation: "tanh" },
      { units: 6, activation: "leaky_relu" },
      { units: 3, activation: "softmax" },
    ],
    loss: "cce",
    samples: 40,
    batchSizes: [1, 3, 40],
    optimizers: ALL,
    hyper: { sgd: { momentum: 0.9, nesterov: true, weight_decay: 0.01 } },
    lr: 0.05,
    epochs: 3,
    oneHot: true,
  },
  {
    name: "regression",
    inputs: 9,
    layers: [
      { units: 13, activation: "sigmoid" },
      { units: 4, activation: "relu" },
      { units: 2, activation: "linear" },
    ],
    loss: "mse",
    samples: 30,
    batchSizes: [1, 4],
    optimizers: ["sgd", "rmsprop", "adagrad"],
    lr: 0.02,
    epochs: 3,
    oneHot: false,
  },
  {
    name: "softmax-mse",
    inputs: 3,
    layers: [
      { units: 8, activation: "relu" },
      { units: 4, activation: "softmax" },
    ],
    loss: "mse",
    samples: 20,
    batchSizes: [2],
    optimizers: ["sgd", "momentum"],
    lr: 0.1,
    epochs: 2,
    oneHot: true,
  },
  {
    name: "bce",
    inputs: 4,
    layers: [
      { units: 5, activation: "tanh" },
      { units: 1, activation: "sigmoid" },
    ],
    loss: "bce",
    samples: 25,
    batchSizes: [1, 5],
    optimizers: ["sgd", "adamw"],
    lr: 0.1,
    epochs: 2,
    oneHot: false,
  },
  {
    name: "diverges",
    inputs: 6,
    layers: [
      { units: 12, activation: "relu" },
      { units: 3, activation: "linear" },
    ],
    loss: "mse",
    samples: 20,
    batchSizes: [1],
    optimizers: ["sgd"],
    lr: 1e6,
    epochs: 5,
    oneHot: false,
  },
];

function dataset(c: Case, seed: number): Dataset {
  const rnd = mulberry32(seed);
  const outputs = c.layers[c.layers.length - 1]!.units;
  const inputs = new Float64Array(c.samples * c.inputs).map(() => rnd() * 2 - 1);
  const targets = new Float64Array(c.samples * outputs);
  for (let s = 0; s < c.samples; s++) {
    if (c.oneHot) targets[s * outputs + Math.floor(rnd() * outputs)] = 1;
    else for (let o = 0; o < outputs; o++) targets[s * outputs + o] = c.loss === "bce" ? (rnd() < 0.5 ? 0 : 1) : rnd() * 4 - 2;
  }
  return { name: c.name, count: c.samples, inputSize: c.inputs, targetSize: outputs, inputs, targets, inputNames: [], targetNames: [] };
}

function f64(hash: Hash, values: ArrayLike<number>): void {
  const a = Float64Array.from(values as ArrayLike<number>);
  hash.update(new Uint8Array(a.buffer));
}

/** `readsBank` false keeps the trainer on its deferred path; the bank is then not hashed per sample. */
function observer(hash: Hash, detail: boolean, readsBank = true): TrainingObserver {
  return {
    wantsCommitDetail: detail,
    readsBank,
    onSample(e) {
      const t = e.trainer;
      f64(hash, [e.loss, e.position, e.sample]);
      for (let l = 0; l < t.model.layers.length; l++) {
        f64(hash, t.model.z[l]!);
        f64(hash, t.model.a[l]!);
        f64(hash, t.blame.blame[l]!);
      }
      if (readsBank) f64(hash, t.bank);
    },
    onCommit(e) {
      f64(hash, [e.t, e.count, e.loss, e.gradNorm, e.stepNorm, e.lrScale]);
      if (e.record) {
        f64(hash, e.record.avg);
        f64(hash, e.record.audit);
        f64(hash, e.record.lr);
        f64(hash, e.record.adjustment);
        f64(hash, e.record.before);
      }
      f64(hash, e.trainer.model.params);
    },
    onNotice(n) {
      hash.update(`${n.kind}:${n.epoch}:${n.position}:${n.message}`);
    },
  };
}

for (const c of cases) {
  const data = dataset(c, 7);
  for (const optimizer of c.optimizers) {
    for (const batchSize of c.batchSizes) {
      for (const mode of ["plain", "observed", "detail", "unbanked"] as const) {
        const model = new Model({ inputs: c.inputs, layers: c.layers });
        model.initialize({ name: "he_uniform" }, 11);
        const hash = createHash("sha256");
        const trainer = new Trainer({
          model,
          loss: c.loss,
          strategy: strategies[optimizer]!,
          hyperparameters: { lr: c.lr, ...(c.hyper?.[optimizer] ?? {}) },
          batchSize,
          shuffle: true,
          seed: 3,
          schedule: (t) => 1 / (1 + 0.01 * t),
          observers: mode === "plain" ? [] : [observer(hash, mode !== "observed", mode !== "unbanked")],
        });
        const result = trainer.fit(data, c.epochs);
        hash.update(`${result.status}:${result.epochs}`);
        f64(hash, [result.loss, trainer.state.gradNorm, trainer.state.stepNorm, trainer.t]);
        f64(hash, model.params);
        for (const arr of Object.values(trainer.state.perWeight)) f64(hash, arr);
        console.log(`${c.name.padEnd(22)} ${optimizer.padEnd(9)} batch ${String(batchSize).padEnd(3)} ${mode.padEnd(8)} ${result.status.padEnd(9)} ${hash.digest("hex").slice(0, 24)}`);
      }
    }
  }
}
