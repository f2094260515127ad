/**
 * Composition (defaults list, group files, _self_), overrides (set, +add, ++force, ~delete, list
 * indices, YAML values), multirun product order, and every error path naming the file or override.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, describe, it } from "node:test";
import {
  composeExperiment,
  expandSweep,
  ExperimentConfigError,
  loadComposedExperiment,
  loadExperiment,
  parseOverride,
  sweepLabel,
} from "../../kernel/engine/config";
import { buildExperiment } from "../../kernel/engine/config/build";
import { strategyIds } from "../../kernel/engine/optimizers/registry";
import { parse as parseYaml } from "yaml";

const root = mkdtempSync(join(tmpdir(), "nf-compose-"));
after(() => rmSync(root, { recursive: true, force: true }));

function write(rel: string, text: string): string {
  const path = join(root, rel);
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, text);
  return path;
}

const primary = write(
  "train.yaml",
  [
    "defaults:",
    "  - optimizer: adamw",
    "  - data: xor",
    "name: composed",
    "model: { layers: [ { units: 3, activation: tanh }, { units: 1, activation: sigmoid } ] }",
    "loss: bce",
    "optimizer: { weight_decay: 0.05 }",
    "training: { batch_size: 2, epochs: 3 }",
  ].join("\n"),
);
write("optimizer/adamw.yaml", "optimizer:\n  name: adamw\n  lr: 0.01\n  weight_decay: 0.01\n");
write("optimizer/sgd.yaml", "name: sgd\nlr: 0.1\nmomentum: 0.9\n"); // without the group key: merged under it
write("optimizer/bad.yaml", "optimizer:\n  name: sgd\n  lr: 0.1\n  momentun: 0.9\n");
write("data/xor.yaml", "data: { generator: xor, count: 8, noise: 0 }\n");
write("scheduler/cosine.yaml", "scheduler: { name: cosine, min_lr: 0.001 }\n");
write("extra.yaml", "# @package _global_\nseed: 42\n");

function expectError(fn: () => unknown, file: string, field: string, pattern?: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ExperimentConfigError, String(e));
    assert.equal(e.field, field, e.message);
    assert.equal(e.file, file, e.message);
    if (pattern) assert.match(e.message, pattern);
    return true;
  });
}

describe("composition", () => {
  it("defaults merge under their group; the primary's keys override them (_self_ last)", () => {
    const r = loadComposedExperiment(primary);
    assert.equal(r.experiment.optimizer.name, "adamw");
    assert.equal(r.experiment.optimizer.lr, 0.01);
    assert.equal(r.experiment.optimizer.weight_decay, 0.05, "primary overrides the group file");
    assert.equal((r.experiment.data as { generator: string }).generator, "xor");
    assert.deepEqual(r.composed.groups.map((g) => [g.group, g.option]), [["optimizer", "adamw"], ["data", "xor"]]);
    assert.equal(r.composed.provenance.get("optimizer.lr"), resolve(root, "optimizer/adamw.yaml"));
    assert.equal(r.composed.provenance.get("optimizer.weight_decay"), primary);
  });

  it("_self_ first: the defaults override the primary", () => {
    const p = write("self-first.yaml", "defaults: [ _self_, { optimizer: adamw }, { data: xor } ]\nmodel: { layers: [ { units: 1, activation: sigmoid } ] }\nloss: bce\noptimizer: { weight_decay: 0.05 }\ntraining: { epochs: 1 }\n");
    assert.equal(loadComposedExperiment(p).experiment.optimizer.weight_decay, 0.01);
  });

  it("group=option switches, +group=option adds, ~group removes, key=value sets (YAML values)", () => {
    let r = loadComposedExperiment(primary, ["optimizer=sgd", "optimizer.lr=5e-4"]);
    assert.equal(r.experiment.optimizer.name, "sgd");
    assert.equal(r.experiment.optimizer.lr, 5e-4);
    assert.equal(r.experiment.optimizer.momentum, 0.9);
    r = loadComposedExperiment(primary, ["+scheduler=cosine", "scheduler.warmup_steps=2"]);
    assert.deepEqual(r.experiment.scheduler, { name: "cosine", min_lr: 0.001, per: "epoch", warmup_steps: 2, t_max: 3 });
    r = loadComposedExperiment(primary, ["model.layers.0.units=5", "training.shuffle=true", "+seed=3", "++loss=mse", "optimizer.betas=[0.8, 0.9]"]);
    assert.equal(r.experiment.model.layers[0]!.units, 5);
    assert.equal(r.experiment.training.shuffle, true);
    assert.equal(r.experiment.seed, 3);
    assert.equal(r.experiment.loss, "mse");
    assert.equal(r.experiment.optimizer.beta1, 0.8);
    r = loadComposedExperiment(primary, ["~optimizer.weight_decay"]);
    assert.equal(r.experiment.optimizer.weight_decay, 0.01);
    const p = write("with-extra.yaml", "defaults: [ extra, { optimizer: sgd }, { data: xor } ]\nmodel: { layers: [ { units: 1, activation: sigmoid } ] }\nloss: bce\ntraining: { epochs: 1 }\n");
    assert.equal(loadComposedExperiment(p).experiment.seed, 42);
  });

  it("a single experiment file without defaults composes to itself", () => {
    const xor = resolve(__dirname, "../../samples/experiments/xor.yaml");
    assert.deepEqual(loadComposedExperiment(xor).experiment, loadExperiment(xor).experiment);
    assert.equal(loadComposedExperiment(xor, ["optimizer.lr=0.25"]).experiment.optimizer.lr, 0.25);
  });

  it("samples/config composes with every optimizer and scheduler option", () => {
    const train = resolve(__dirname, "../../samples/config/train.yaml");
    const groupFiles = readdirSync(resolve(__dirname, "../../samples/config/optimizer")).map((f) => f.replace(/\.yaml$/, ""));
    for (const o of groupFiles) {
      for (const s of ["cosine", "onecycle", "step", "constant"]) {
        assert.doesNotThrow(() => loadComposedExperiment(train, [`optimizer=${o}`, `scheduler=${s}`]), `${o} × ${s}`);
      }
    }
    assert.doesNotThrow(() => loadComposedExperiment(train, ["data=xor", "training.batch_size=4"]));
  });
});

describe("composition errors name the file or the override", () => {
  const adamw = resolve(root, "optimizer/adamw.yaml");
  it("unknown key with did-you-mean, in a group file and on the command line", () => {
    expectError(() => loadComposedExperiment(primary, ["optimizer=bad"]), resolve(root, "optimizer/bad.yaml"), "optimizer.momentun", /did you mean 'momentum'/);
    expectError(() => loadComposedExperiment(primary, ["optimizer.lrr=0.1"]), "override 'optimizer.lrr=0.1'", "optimizer.lrr", /did you mean 'lr'/);
    expectError(() => loadComposedExperiment(primary, ["training.epoch=3"]), "override 'training.epoch=3'", "training.epoch", /did you mean 'epochs'/);
  });

  it("wrong type and out of range, attributed to where the value came from", () => {
    expectError(() => loadComposedExperiment(primary, ["optimizer.lr=fast"]), "override 'optimizer.lr=fast'", "optimizer.lr", /expected a number/);
    expectError(() => loadComposedExperiment(primary, ["optimizer.lr=-1"]), "override 'optimizer.lr=-1'", "optimizer.lr", /must be ≥ 0/);
    const p = write("bad-range.yaml", "defaults: [ { optimizer: adamw }, { data: xor } ]\nmodel: { layers: [ { units: 1, activation: sigmoid } ] }\nloss: bce\ntraining: { epochs: 0 }\n");
    expectError(() => loadComposedExperiment(p), p, "training.epochs", /must be ≥ 1/);
    expectError(() => loadComposedExperiment(primary, ["optimizer.eps=0"]), "override 'optimizer.eps=0'", "optimizer.eps");
    assert.ok(adamw);
  });

  it("unknown group option (did you mean), group not in defaults, + on an existing key", () => {
    expectError(() => loadComposedExperiment(primary, ["optimizer=sdg"]), "override 'optimizer=sdg'", "optimizer", /unknown option for the group 'optimizer' "sdg" \(did you mean 'sgd'\?\); known: adamw, bad, sgd/);
    expectError(() => loadComposedExperiment(primary, ["scheduler=cosine"]), "override 'scheduler=cosine'", "scheduler", /no 'scheduler' in the defaults list .* write \+scheduler=cosine/);
    expectError(() => loadComposedExperiment(primary, ["+optimizer=sgd"]), "override '+optimizer=sgd'", "optimizer", /already in the defaults list/);
    expectError(() => loadComposedExperiment(primary, ["+loss=mse"]), "override '+loss=mse'", "loss", /already set/);
    const p = write("bad-default.yaml", "defaults: [ { optimizer: adamx } ]\n");
    expectError(() => composeExperiment(p), p, "defaults[0].optimizer", /"adamx" \(did you mean 'adamw'\?\)/);
    const q = write("bad-defaults.yaml", "defaults: { optimizer: adamw }\n");
    expectError(() => composeExperiment(q), q, "defaults", /expected a list/);
    const r = write("dup-defaults.yaml", "defaults: [ { optimizer: adamw }, { optimizer: sgd } ]\n");
    expectError(() => composeExperiment(r), r, "defaults[1].optimizer", /listed twice/);
  });

  it("bad override syntax", () => {
    expectError(() => parseOverride("optimizer.lr"), "override 'optimizer.lr'", "optimizer.lr", /expected key=value/);
    expectError(() => parseOverride("=3"), "override '=3'", "", /missing key/);
    expectError(() => parseOverride("optimizer..lr=3"), "override 'optimizer..lr=3'", "optimizer..lr", /empty segment/);
    expectError(() => parseOverride("optim izer=3"), "override 'optim izer=3'", "optim izer", /is not a key/);
    expectError(() => parseOverride("optimizer.lr=[1,"), "override 'optimizer.lr=[1,'", "optimizer.lr", /not valid YAML/);
    expectError(() => parseOverride("optimizer.lr=1e-3,1e-2"), "override 'optimizer.lr=1e-3,1e-2'", "optimizer.lr", /comma list is a sweep: run with -m/);
    expectError(() => parseOverride("~optimizer.lr=3"), "override '~optimizer.lr=3'", "optimizer.lr", /takes no value/);
    expectError(() => loadComposedExperiment(primary, ["~optimizer.nesterov"]), "override '~optimizer.nesterov'", "optimizer.nesterov", /nothing to delete/);
    expectError(() => loadComposedExperiment(primary, ["loss.kind=x"]), "override 'loss.kind=x'", "loss", /not a mapping/);
    assert.deepEqual(parseOverride("a.b='x,y'").value, "x,y");
    assert.deepEqual(parseOverride("a=[1, 2]").value, [1, 2]);
    assert.equal(parseOverride("a=5e-4").value, 5e-4);
    assert.equal(parseOverride("a=").value, null);
  });
});

describe("multirun", () => {
  it("the cartesian product, first axis slowest, in a stable order", () => {
    const runs = expandSweep(["optimizer=adam,sgd", "training.epochs=3", "optimizer.lr=1e-3,1e-2"]);
    assert.deepEqual(runs, [
      ["optimizer=adam", "training.epochs=3", "optimizer.lr=1e-3"],
      ["optimizer=adam", "training.epochs=3", "optimizer.lr=1e-2"],
      ["optimizer=sgd", "training.epochs=3", "optimizer.lr=1e-3"],
      ["optimizer=sgd", "training.epochs=3", "optimizer.lr=1e-2"],
    ]);
    assert.equal(sweepLabel(runs[2]!, runs), "optimizer=sgd optimizer.lr=1e-3");
    assert.deepEqual(expandSweep(["a=[1,2]", "b='x,y'"]), [["a=[1,2]", "b='x,y'"]]);
    assert.deepEqual(expandSweep([]), [[]]);
  });

  it("sweep errors: empty or repeated values", () => {
    expectError(() => expandSweep(["optimizer.lr=1,,2"]), "override 'optimizer.lr=1,,2'", "optimizer.lr", /empty value/);
    expectError(() => expandSweep(["optimizer=sgd,sgd"]), "override 'optimizer=sgd,sgd'", "optimizer", /listed twice/);
  });
});

describe("samples/config: a group file for every optimizer", () => {
  const samples = resolve(__dirname, "../../samples/config");
  for (const id of strategyIds) {
    it(`optimizer=${id} picks samples/config/optimizer/${id}.yaml, whose every key reaches the trainer`, () => {
      const file = resolve(samples, "optimizer", `${id}.yaml`);
      const given = (parseYaml(readFileSync(file, "utf8")) as { optimizer: Record<string, unknown> }).optimizer;
      const r = loadComposedExperiment(resolve(samples, "train.yaml"), [`optimizer=${id}`, "training.epochs=1"]);
      assert.equal(r.experiment.optimizer.name, given.name);
      const { trainer } = buildExperiment(r);
      const h = trainer.hyperparameters;
      for (const [key, value] of Object.entries(given)) {
        if (key === "name" || key === "type" || key === "lookahead" || key === "auto_param_groups" || key === "scheduler_hook"
          || key === "warmup_steps" || key === "clip_grad_norm" || key === "accumulate_steps") continue;
        if (key === "betas") {
          assert.deepEqual([h.beta1, h.beta2], value, `${id}: betas`);
          continue;
        }
        assert.equal(h[key], value, `${id}: ${key}`);
      }
    });
  }
});
