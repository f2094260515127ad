import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import {
  buildExperiment,
  ExperimentConfigError,
  loadExperiment,
  parseExperimentText,
  resolveExperiment,
  type ResolvedExperiment,
} from "../../kernel/engine/config";
import { ConfigError } from "../../kernel/engine/optimizers/hyperparameters";
import { exportWeights } from "../../kernel/engine/weights-json";

const root = mkdtempSync(join(tmpdir(), "nf-config-"));
after(() => rmSync(root, { recursive: true, force: true }));

/** A valid experiment as a plain object; tests change one thing at a time. */
function base(): Record<string, any> {
  return {
    name: "t",
    model: { layers: [{ units: 3, activation: "tanh" }, { units: 1, activation: "sigmoid" }] },
    data: { generator: "xor", count: 8, noise: 0 },
    loss: "bce",
    optimizer: { name: "sgd", lr: 0.5 },
    training: { batch_size: 4, epochs: 5 },
  };
}

let fileCounter = 0;
/** Writes `config` as YAML-compatible JSON into its own folder and returns the path. */
function writeConfig(config: unknown, ext = ".json", dir = root): string {
  const path = join(dir, `config-${fileCounter++}${ext}`);
  writeFileSync(path, typeof config === "string" ? config : JSON.stringify(config, null, 2));
  return path;
}

/** Asserts that loading `config` fails on `field`, with the file in the message and `pattern` in it. */
function expectError(config: unknown, field: string, pattern?: RegExp, ext = ".json"): ExperimentConfigError {
  const path = writeConfig(config, ext);
  try {
    loadExperiment(path);
  } catch (error) {
    assert.ok(error instanceof ExperimentConfigError, `expected an ExperimentConfigError, got ${String(error)}`);
    assert.ok(error instanceof ConfigError, "ExperimentConfigError is a ConfigError");
    assert.equal(error.field, field, error.message);
    assert.equal(error.file, path);
    assert.ok(error.message.startsWith(`${path}: ${field}: `), error.message);
    if (pattern) assert.match(error.message, pattern);
    return error;
  }
  assert.fail(`expected ${field} to be rejected`);
}

describe("experiment config: defaults and resolution", () => {
  it("fills every default and infers the model's inputs from the data", () => {
    const { experiment } = loadExperiment(writeConfig(base()));
    assert.deepEqual(experiment, {
      name: "t",
      seed: 0,
      precision: "float64",
      model: {
        inputs: 2,
        layers: [
          { units: 3, activation: "tanh" },
          { units: 1, activation: "sigmoid" },
        ],
        init: { name: "xavier_uniform" },
      },
      data: { generator: "xor", count: 8, noise: 0, seed: 0 },
      scale: { inputs: "none", targets: "none" },
      loss: "bce",
      optimizer: { name: "sgd", lr: 0.5, momentum: 0, dampening: 0, weight_decay: 0, nesterov: false },
      scheduler: { name: "constant", warmup_steps: 0 },
      lookahead: { enabled: false, alpha: 0.5, k: 6 },
      auto_param_groups: { enabled: false, no_decay_patterns: ["bias"], override_no_decay_weight: 0 },
      training: { batch_size: 4, epochs: 5, shuffle: false, accumulate_steps: 1, clip_grad_norm: 0 },
    } satisfies ResolvedExperiment);
  });

  it("is plain JSON and resolving it again gives the same experiment", () => {
    const { experiment } = loadExperiment(writeConfig(base()));
    const json = JSON.parse(JSON.stringify(experiment)) as unknown;
    assert.deepEqual(json, experiment);
    const again = resolveExperiment({ raw: json, baseDir: "/nowhere" }).experiment;
    assert.deepEqual(again, experiment);
  });

  it("defaults the name to the file name, batch size to 1 and fills generator and initializer defaults", () => {
    const c = base();
    delete c.name;
    delete c.training.batch_size;
    c.data = { generator: "circles" };
    c.model.init = { name: "uniform" };
    const path = writeConfig(c, ".yaml");
    const { experiment } = loadExperiment(path);
    assert.equal(experiment.name, path.split("/").pop()!.replace(/\.yaml$/, ""));
    assert.equal(experiment.training.batch_size, 1);
    assert.deepEqual(experiment.data, { generator: "circles", count: 200, noise: 0.05, seed: 0 });
    assert.deepEqual(experiment.model.init, { name: "uniform", value: 0.5 });
  });

  it("reads YAML", () => {
    const yaml = [
      "name: y",
      "seed: 3",
      "model:",
      "  layers:",
      "    - { units: 2, activation: relu }",
      "    - { units: 1, activation: sigmoid }",
      "data: { generator: and, count: 4, noise: 0 }",
      "loss: bce",
      "optimizer: { name: adam, lr: 0.01 }",
      "training: { epochs: 2, shuffle: true }",
    ].join("\n");
    const { experiment } = loadExperiment(writeConfig(yaml, ".yaml"));
    assert.equal(experiment.seed, 3);
    assert.equal(experiment.optimizer.name, "adam");
    assert.equal(experiment.optimizer.beta1, 0.9);
    assert.equal(experiment.training.shuffle, true);
  });

  it("resolves relative paths against the config file's folder", () => {
    const dir = join(root, "rel", "configs");
    mkdirSync(join(root, "rel", "data"), { recursive: true });
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(root, "rel", "data", "d.csv"), "a,b,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n");
    const c = base();
    c.data = { csv: { path: "../data/d.csv", inputs: ["a", "b"], targets: ["y"] } };
    c.export = { weights: "out/w.json" };
    const { experiment, dataset } = loadExperiment(writeConfig(c, ".json", dir));
    assert.equal((experiment.data as { csv: { path: string } }).csv.path, join(root, "rel", "data", "d.csv"));
    assert.equal(experiment.export?.weights, join(dir, "out", "w.json"));
    assert.equal(dataset.count, 4);
  });

  it("fills the CSV columns from the header when not given", () => {
    const csv = join(root, "cols.csv");
    writeFileSync(csv, "x1,x2,label\n1,2,0\n3,4,1\n5,6,0\n7,8,1\n");
    const c = base();
    c.data = { csv: { path: csv } };
    const { experiment } = loadExperiment(writeConfig(c));
    assert.deepEqual(experiment.data, { csv: { path: csv, inputs: ["x1", "x2"], targets: ["label"] } });
  });

  it("builds a model, scaled data and a trainer that trains", () => {
    const c = base();
    c.data = { generator: "sine", count: 40, noise: 0 };
    c.model.layers = [{ units: 8, activation: "tanh" }, { units: 1, activation: "linear" }];
    c.loss = "mse";
    c.scale = { inputs: "zscore", targets: "minmax" };
    c.optimizer = { name: "adam", lr: 0.02 };
    c.training = { batch_size: 8, epochs: 200 };
    const built = buildExperiment(loadExperiment(writeConfig(c)));
    assert.equal(built.model.spec.inputs, 1);
    assert.equal(built.scaler.inputs.kind, "zscore");
    let max = -Infinity;
    for (const v of built.dataset.targets) max = Math.max(max, v);
    assert.equal(max, 1, "minmax-scaled targets end at 1");
    const first = built.trainer.trainEpoch(built.dataset).loss;
    const result = built.trainer.fit(built.dataset, 199);
    assert.equal(result.status, "completed");
    assert.ok(result.loss < first / 5, `loss ${result.loss} should fall well below ${first}`);
  });

  it("same experiment, same seed → same weights; a bare ResolvedExperiment builds the same", () => {
    const resolution = loadExperiment(writeConfig(base()));
    const a = buildExperiment(resolution);
    const b = buildExperiment(JSON.parse(JSON.stringify(resolution.experiment)) as ResolvedExperiment);
    assert.deepEqual(Array.from(a.model.params), Array.from(b.model.params));
    a.trainer.fit(a.dataset, 3);
    b.trainer.fit(b.dataset, 3);
    assert.deepEqual(Array.from(a.model.params), Array.from(b.model.params));
  });

  it("starts from a weights file when model.weights is given", () => {
    const first = buildExperiment(loadExperiment(writeConfig(base())));
    first.trainer.fit(first.dataset, 3);
    const weights = join(root, "start-weights.json");
    writeFileSync(weights, JSON.stringify(exportWeights(first.model)));
    const c = base();
    c.model.weights = weights;
    const second = buildExperiment(loadExperiment(writeConfig(c)));
    assert.deepEqual(Array.from(second.model.params), Array.from(first.model.params));
  });
});

describe("experiment config: every error names its field and the file", () => {
  it("unknown key, top level, with did-you-mean", () => {
    const c = base();
    c.trainig = c.training;
    delete c.training;
    expectError(c, "trainig", /unknown key \(did you mean 'training'\?\)/);
  });

  it("unknown key deep inside a list, with did-you-mean; the follow-up 'required' is listed too", () => {
    const c = base();
    c.model.layers[1] = { unit: 1, activation: "sigmoid" };
    const e = expectError(c, "model.layers[1].unit", /did you mean 'units'/);
    assert.ok(e.problems.some((p) => p.field === "model.layers[1].units" && p.message === "required"));
    assert.match(e.describeAll(), /model\.layers\[1\]\.units: required/);
  });

  it("unknown keys in training, scale, model.init, export and data.csv", () => {
    const t = base();
    t.training.epoch = 3;
    expectError(t, "training.epoch", /did you mean 'epochs'/);
    const s = base();
    s.scale = { input: "zscore" };
    expectError(s, "scale.input", /did you mean 'inputs'/);
    const i = base();
    i.model.init = { name: "normal", valu: 1 };
    expectError(i, "model.init.valu", /did you mean 'value'/);
    const x = base();
    x.export = { weight: "w.json" };
    expectError(x, "export.weight", /did you mean 'weights'/);
    const v = base();
    v.data = { csv: { path: "x.csv", input: ["a"] } };
    expectError(v, "data.csv.input", /did you mean 'inputs'/);
  });

  it("unknown hyperparameter, with did-you-mean", () => {
    const c = base();
    c.optimizer.momentun = 0.9;
    expectError(c, "optimizer.momentun", /did you mean 'momentum'/);
  });

  it("unknown generator option, naming the generator", () => {
    const c = base();
    c.data.nois = 0.1;
    expectError(c, "data.nois", /not an option of the 'xor' generator \(did you mean 'noise'\?\)/);
    const k = base();
    k.data.classes = 3;
    expectError(k, "data.classes", /not an option of the 'xor' generator/);
  });

  it("wrong types", () => {
    const c = base();
    c.training.epochs = "ten";
    expectError(c, "training.epochs", /expected a number, got string "ten"/);
    const s = base();
    s.training.shuffle = "yes";
    expectError(s, "training.shuffle", /expected true or false/);
    const l = base();
    l.model.layers = { units: 3 };
    expectError(l, "model.layers", /expected a list, got a mapping/);
    const h = base();
    h.optimizer.nesterov = 1;
    expectError(h, "optimizer.nesterov", /expected a boolean/);
    const f = base();
    f.training.batch_size = 2.5;
    expectError(f, "training.batch_size", /expected an integer, got number 2\.5/);
  });

  it("out of range", () => {
    const c = base();
    c.optimizer.lr = -1;
    expectError(c, "optimizer.lr", /must be ≥ 0, got -1/);
    const u = base();
    u.model.layers[0].units = 0;
    expectError(u, "model.layers[0].units", /must be ≥ 1, got number 0/);
    const n = base();
    n.data.noise = -0.5;
    expectError(n, "data.noise", /must be ≥ 0/);
    const b = base();
    b.training.batch_size = 9;
    expectError(b, "training.batch_size", /must be ≤ the number of samples \(8\), got 9/);
    const l = base();
    l.model.layers = [];
    expectError(l, "model.layers", /at least 1 item/);
    const d = base();
    d.optimizer.dampening = 2;
    expectError(d, "optimizer.dampening", /must be ≤ 1/);
  });

  it("missing required values", () => {
    const c = base();
    delete c.loss;
    expectError(c, "loss", /required/);
    const lr = base();
    delete lr.optimizer.lr;
    expectError(lr, "optimizer.lr", /required for SGD/);
  });

  it("unknown optimizer, activation, loss, initializer, scaler, generator — with did-you-mean", () => {
    const o = base();
    o.optimizer.name = "adamm";
    expectError(o, "optimizer.name", /unknown optimizer "adamm" \(did you mean 'adam'\?\)/);
    const a = base();
    a.model.layers[0].activation = "tahn";
    expectError(a, "model.layers[0].activation", /unknown value "tahn" \(did you mean 'tanh'\?\)/);
    const l = base();
    l.loss = "bse";
    expectError(l, "loss", /unknown value "bse" \(did you mean 'mse'\?\)/);
    const i = base();
    i.model.init = { name: "xavier_uniforn" };
    expectError(i, "model.init.name", /did you mean 'xavier_uniform'/);
    const s = base();
    s.scale = { inputs: "zscor" };
    expectError(s, "scale.inputs", /did you mean 'zscore'/);
    const g = base();
    g.data.generator = "xro";
    expectError(g, "data.generator", /unknown generator "xro" \(did you mean 'xor'\?\)/);
  });

  it("combinations: shapes against the data, softmax, cce, initializer value, nesterov", () => {
    const out = base();
    out.model.layers[1].units = 2;
    expectError(out, "model.layers[1].units", /2 units but the data has 1 targets/);
    const inp = base();
    inp.model.inputs = 3;
    expectError(inp, "model.inputs", /data has 2 inputs/);
    const sm = base();
    sm.model.layers[0].activation = "softmax";
    expectError(sm, "model.layers[0].activation", /softmax is only allowed on the output layer/);
    const cce = base();
    cce.loss = "cce";
    expectError(cce, "loss", /needs a softmax output layer/);
    const v = base();
    v.model.init = { name: "xavier_uniform", value: 2 };
    expectError(v, "model.init.value", /not used by xavier_uniform/);
    const n = base();
    n.optimizer.nesterov = true;
    expectError(n, "optimizer", /nesterov needs momentum > 0/);
  });

  it("data: neither or both sources; generator-only keys beside csv", () => {
    const none = base();
    none.data = {};
    expectError(none, "data", /give data\.generator/);
    const both = base();
    both.data = { generator: "xor", csv: { path: "x.csv" } };
    expectError(both, "data", /not both/);
    const mixed = base();
    mixed.data = { csv: { path: "x.csv" }, count: 3 };
    expectError(mixed, "data.count", /only data\.csv/);
  });

  it("csv: missing file, missing column (with did-you-mean), non-numeric cell", () => {
    const csv = join(root, "bad.csv");
    writeFileSync(csv, "x1,x2,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n");
    const missing = base();
    missing.data = { csv: { path: "does-not-exist.csv" } };
    expectError(missing, "data.csv.path", /no such file/);
    const column = base();
    column.data = { csv: { path: csv, inputs: ["x1", "x3"], targets: ["y"] } };
    expectError(column, "data.csv.inputs[1]", /no column 'x3' in bad\.csv \(did you mean 'x1'\?\)|no column 'x3'/);
    const target = base();
    target.data = { csv: { path: csv, inputs: ["x1", "x2"], targets: ["label"] } };
    expectError(target, "data.csv.targets[0]", /no column 'label'/);
    const text = join(root, "text.csv");
    writeFileSync(text, "x1,x2,y\n0,0,0\n0,one,1\n");
    const nan = base();
    nan.data = { csv: { path: text } };
    nan.training.batch_size = 1;
    expectError(nan, "data.csv", /line 3, column 'x2': "one" is not a number/);
  });

  it("bad weights file: missing, not JSON, wrong layout, wrong architecture", () => {
    const missing = base();
    missing.model.weights = "nope.json";
    expectError(missing, "model.weights", /no such file/);
    const notJson = join(root, "not.json");
    writeFileSync(notJson, "{ nope");
    const bad = base();
    bad.model.weights = notJson;
    expectError(bad, "model.weights", /not valid JSON/);
    const layout = join(root, "layout.json");
    writeFileSync(layout, JSON.stringify({ format: "neuroforge.weights", version: 1, inputs: 2, layers: [{ activation: "tanh", weights: [[1, 2]], biases: [] }] }));
    const wrong = base();
    wrong.model.weights = layout;
    expectError(wrong, "model.weights", /biases: expected 1 numbers/);
    const other = buildExperiment(loadExperiment(writeConfig({ ...base(), model: { layers: [{ units: 1, activation: "sigmoid" }] } })));
    const arch = join(root, "arch.json");
    writeFileSync(arch, JSON.stringify(exportWeights(other.model)));
    const mismatch = base();
    mismatch.model.weights = arch;
    expectError(mismatch, "model.weights", /architecture does not match/);
  });

  it("files: missing, bad extension, YAML and JSON syntax, duplicate keys, not a mapping", () => {
    assert.throws(() => loadExperiment(join(root, "missing.yaml")), (e: unknown) => e instanceof ExperimentConfigError && /missing\.yaml: no such file/.test(e.message));
    assert.throws(() => loadExperiment(writeConfig("a: 1", ".toml")), /expected a \.yaml, \.yml or \.json file/);
    assert.throws(() => loadExperiment(writeConfig("model: [1,\n", ".yaml")), /invalid YAML at line \d+, column \d+/);
    assert.throws(() => loadExperiment(writeConfig("{ nope", ".json")), /invalid JSON/);
    assert.throws(() => loadExperiment(writeConfig("loss: bce\nloss: mse\n", ".yaml")), /invalid YAML.*(unique|duplicate)/i);
    assert.throws(() => loadExperiment(writeConfig("- 1\n- 2\n", ".yaml")), /expected a mapping/);
    assert.throws(() => parseExperimentText("a: [", "x.yml"), ExperimentConfigError);
  });
});
