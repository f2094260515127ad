/**
 * Reproducibility: the same config and seeds give bit-identical weights (shuffle on); a different seed
 * gives different weights; the JSON weights file round-trips float64 exactly; malformed weight files
 * are RangeErrors naming the offending path.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { generators } from "../../kernel/engine/datasets/generators";
import { Model, type ModelSpec } from "../../kernel/engine/model";
import { sgd } from "../../kernel/engine/optimizers/sgd";
import { Trainer } from "../../kernel/engine/trainer";
import { exportWeights, importWeights, loadWeightsInto } from "../../kernel/engine/weights-json";

const SPEC: ModelSpec = {
  inputs: 2,
  layers: [
    { units: 6, activation: "tanh" },
    { units: 4, activation: "relu" },
    { units: 3, activation: "softmax" },
  ],
};

function bytes(a: Float64Array): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

function run(opts: { initSeed: number; trainerSeed: number; dataSeed: number; order?: number[][] }): Float64Array {
  const data = generators.spiral({ count: 60, classes: 3, noise: 0.05, seed: opts.dataSeed });
  const model = new Model(SPEC);
  model.initialize({ name: "he_uniform" }, opts.initSeed);
  const trainer = new Trainer({
    model,
    loss: "cce",
    strategy: sgd,
    hyperparameters: { lr: 0.1, momentum: 0.9 },
    batchSize: 8,
    shuffle: true,
    seed: opts.trainerSeed,
    observers: opts.order ? [{ onSample: (e) => void (opts.order![e.epoch] ??= []).push(e.sample) }] : [],
  });
  assert.equal(trainer.fit(data, 5).status, "completed");
  return Float64Array.from(model.params);
}

describe("determinism", () => {
  test("same config and seeds → bit-identical weights (shuffle on)", () => {
    const a = run({ initSeed: 1, trainerSeed: 42, dataSeed: 3 });
    const b = run({ initSeed: 1, trainerSeed: 42, dataSeed: 3 });
    assert.ok(bytes(a).equals(bytes(b)), "weights differ between identical runs");
  });

  test("shuffle really reorders the samples, differently each epoch", () => {
    const order: number[][] = [];
    run({ initSeed: 1, trainerSeed: 42, dataSeed: 3, order });
    const identity = Array.from({ length: 60 }, (_, i) => i);
    assert.equal(order.length, 5);
    for (const epoch of order) assert.deepEqual([...epoch].sort((x, y) => x - y), identity, "each epoch is a permutation");
    assert.notDeepEqual(order[0], identity);
    assert.notDeepEqual(order[0], order[1]);
  });

  test("a different shuffle seed, init seed or data seed → different weights", () => {
    const base = bytes(run({ initSeed: 1, trainerSeed: 42, dataSeed: 3 }));
    assert.ok(!base.equals(bytes(run({ initSeed: 1, trainerSeed: 43, dataSeed: 3 }))), "trainer (shuffle) seed");
    assert.ok(!base.equals(bytes(run({ initSeed: 2, trainerSeed: 42, dataSeed: 3 }))), "init seed");
    assert.ok(!base.equals(bytes(run({ initSeed: 1, trainerSeed: 42, dataSeed: 4 }))), "data seed");
  });
});

describe("JSON weights round trip", () => {
  test("trained weights: exportWeights → JSON text → importWeights is bit-exact", () => {
    const trained = run({ initSeed: 5, trainerSeed: 6, dataSeed: 7 });
    const model = new Model(SPEC);
    model.params.set(trained);
    const text = JSON.stringify(exportWeights(model));
    const back = importWeights(JSON.parse(text));
    assert.ok(bytes(back.params).equals(bytes(model.params)));
    assert.deepEqual(
      back.layers.map((l) => [l.inputs, l.units, l.activation.name]),
      model.layers.map((l) => [l.inputs, l.units, l.activation.name]),
    );
    const x = [0.3, -0.7];
    assert.deepEqual(Array.from(back.predict(x)), Array.from(model.predict(x)));
  });

  test("awkward float64 values survive (subnormals, extremes, non-terminating binary fractions)", () => {
    const model = new Model({ inputs: 2, layers: [{ units: 3, activation: "linear" }] });
    const values = [0.1 + 0.2, 1 / 3, 5e-324, -2.2250738585072014e-308, 1.7976931348623157e308, -123456.789e-10, Math.PI, 2 ** 53 + 2, -1e-300];
    model.params.set(values);
    const back = importWeights(JSON.parse(JSON.stringify(exportWeights(model))));
    assert.ok(bytes(back.params).equals(bytes(model.params)));
  });

  test("the file layout is PyTorch's: weights[out][in] and biases[out]", () => {
    const model = new Model({ inputs: 2, layers: [{ units: 2, activation: "sigmoid" }] });
    model.params.set([1, 2, 3, 4, 5, 6]); // neuron 0: w=(1,2) b=3; neuron 1: w=(4,5) b=6
    assert.deepEqual(exportWeights(model).layers[0], { activation: "sigmoid", weights: [[1, 2], [4, 5]], biases: [3, 6] });
  });

  test("loadWeightsInto copies into a model of the same architecture and refuses another", () => {
    const src = new Model(SPEC);
    src.initialize({ name: "normal", value: 0.3 }, 9);
    const dst = new Model(SPEC);
    loadWeightsInto(dst, JSON.parse(JSON.stringify(exportWeights(src))));
    assert.ok(bytes(dst.params).equals(bytes(src.params)));
    const other = new Model({ inputs: 2, layers: [{ units: 6, activation: "tanh" }, { units: 4, activation: "relu" }, { units: 3, activation: "sigmoid" }] });
    assert.throws(() => loadWeightsInto(other, exportWeights(src), "w.json"), (e: unknown) => e instanceof RangeError && /^w\.json: architecture/.test(e.message));
  });
});

describe("malformed weight files", () => {
  const good = (): Record<string, unknown> => ({
    format: "neuroforge.weights",
    version: 1,
    inputs: 2,
    layers: [
      { activation: "tanh", weights: [[1, 2], [3, 4], [5, 6]], biases: [0, 0, 0] },
      { activation: "sigmoid", weights: [[1, 2, 3]], biases: [0.5] },
    ],
  });
  const layer = (f: Record<string, unknown>, i: number): Record<string, unknown> => (f.layers as Record<string, unknown>[])[i]!;

  const cases: [string, (f: Record<string, unknown>) => unknown, RegExp][] = [
    ["not an object", () => 42, /^weights: expected a JSON object/],
    ["null", () => null, /^weights: expected a JSON object/],
    ["wrong format", (f) => ({ ...f, format: "keras" }), /^weights\.format:/],
    ["future version", (f) => ({ ...f, version: 2 }), /^weights\.version: unsupported version 2/],
    ["inputs 0", (f) => ({ ...f, inputs: 0 }), /^weights\.inputs:/],
    ["inputs not an integer", (f) => ({ ...f, inputs: 1.5 }), /^weights\.inputs:/],
    ["no layers", (f) => ({ ...f, layers: [] }), /^weights\.layers:/],
    ["weights not an array", (f) => (layer(f, 1).weights = "x", f), /^weights\.layers\[1\]\.weights:/],
    ["layer with no neurons", (f) => ((layer(f, 1).weights = []), (layer(f, 1).biases = []), f), /^weights\.layers\[1\]\.weights:/],
    ["unknown activation", (f) => ((layer(f, 0).activation = "swish"), f), /^weights\.layers\[0\]\.activation:.*swish/],
    ["activation naming an Object.prototype member", (f) => ((layer(f, 0).activation = "constructor"), f), /^weights\.layers\[0\]\.activation:/],
    ["softmax on a hidden layer", (f) => ((layer(f, 0).activation = "softmax"), f), /^weights\.layers\[0\]\.activation:.*softmax/],
    ["too few biases", (f) => ((layer(f, 0).biases = [0, 0]), f), /^weights\.layers\[0\]\.biases: expected 3 numbers/],
    ["row of the wrong width", (f) => (((layer(f, 1).weights as number[][])[0] = [1, 2]), f), /^weights\.layers\[1\]\.weights\[0\]: expected 3 numbers/],
    ["a string weight", (f) => (((layer(f, 0).weights as unknown[][])[2]![1] = "4"), f), /^weights\.layers\[0\]\.weights\[2\]\[1\]: expected a finite number/],
    ["a null weight (NaN after JSON)", (f) => (((layer(f, 0).weights as unknown[][])[0]![0] = null), f), /^weights\.layers\[0\]\.weights\[0\]\[0\]:/],
    ["a non-finite bias", (f) => (((layer(f, 1).biases as unknown[])[0] = Infinity), f), /^weights\.layers\[1\]\.biases\[0\]: expected a finite number/],
  ];
  for (const [name, mutate, message] of cases) {
    test(name, () => {
      assert.throws(
        () => importWeights(mutate(good())),
        (e: unknown) => {
          assert.ok(e instanceof RangeError, `expected a RangeError, got ${String(e)}`);
          assert.match(e.message, message);
          return true;
        },
      );
    });
  }

  test("the path prefix follows the `where` argument", () => {
    assert.throws(() => importWeights({ ...good(), version: 3 }, "model.json"), /^RangeError: model\.json\.version/);
  });

  test("the unmodified file imports (the cases above fail for their own reason)", () => {
    const m = importWeights(good());
    assert.deepEqual(Array.from(m.params), [1, 2, 0, 3, 4, 0, 5, 6, 0, 1, 2, 3, 0.5]);
  });
});

describe("registry lookups ignore Object.prototype members", () => {
  // `activations["constructor"]` is Object itself; the engine must treat it as unknown, not as a function.
  for (const name of ["constructor", "toString", "__proto__", "hasOwnProperty"]) {
    test(`'${name}' is unknown as activation, initializer and loss`, () => {
      assert.throws(() => new Model({ inputs: 1, layers: [{ units: 1, activation: name as never }] }), /activation: unknown/);
      const model = new Model({ inputs: 1, layers: [{ units: 1, activation: "linear" }] });
      assert.throws(() => model.initialize({ name: name as never }, 1), /initializer: unknown/);
      assert.throws(
        () => new Trainer({ model, loss: name as never, strategy: sgd, hyperparameters: { lr: 0.1 }, batchSize: 1 }),
        /loss: unknown/,
      );
    });
  }
});
