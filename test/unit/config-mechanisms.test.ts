/**
 * Experiment keys for schedulers, Lookahead, clipping, accumulation, parameter groups and precision:
 * resolution (defaults, seed-contract spellings), the build (the trainer really gets them), and every
 * error path naming its field.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildExperiment, ExperimentConfigError, resolveExperiment } from "../../kernel/engine/config";
import type { CommitEvent, TrainingNotice } from "../../kernel/engine/observer";
import { scheduledRate } from "../../kernel/engine/schedules";

function base(): Record<string, any> {
  return {
    name: "t",
    model: { layers: [{ units: 3, activation: "tanh" }, { units: 1, activation: "sigmoid" }] },
    data: { generator: "xor", count: 8, noise: 0 },
    loss: "bce",
    optimizer: { name: "adamw", lr: 0.01 },
    training: { batch_size: 2, epochs: 4 },
  };
}

const resolve = (raw: unknown) => resolveExperiment({ raw, baseDir: "/nowhere", file: "/cfg/train.yaml" });

function expectError(raw: unknown, field: string, pattern?: RegExp): void {
  assert.throws(
    () => resolve(raw),
    (e: unknown) => {
      assert.ok(e instanceof ExperimentConfigError, String(e));
      assert.equal(e.field, field, e.message);
      assert.equal(e.file, "/cfg/train.yaml");
      if (pattern) assert.match(e.message, pattern);
      return true;
    },
  );
}

describe("config: schedulers", () => {
  it("fills each scheduler's defaults, with run-dependent t_max / max_lr / total_steps", () => {
    const c = base();
    c.scheduler = { name: "cosine", min_lr: 0.001, warmup_steps: 3 };
    assert.deepEqual(resolve(c).experiment.scheduler, { name: "cosine", min_lr: 0.001, per: "epoch", warmup_steps: 3, t_max: 4 });
    c.scheduler = { name: "cosine", per: "step" };
    assert.equal(resolve(c).experiment.scheduler.t_max, 16); // 4 epochs × 4 commits
    c.scheduler = { name: "onecycle" };
    assert.deepEqual(resolve(c).experiment.scheduler, {
      name: "onecycle", pct_start: 0.3, div_factor: 25, final_div_factor: 1e4, warmup_steps: 0, max_lr: 0.01, total_steps: 16,
    });
    c.scheduler = { name: "StepLR", step_size: 2 };
    assert.deepEqual(resolve(c).experiment.scheduler, { name: "step", step_size: 2, gamma: 0.1, per: "epoch", warmup_steps: 0 });
    c.scheduler = { name: "none" };
    assert.deepEqual(resolve(c).experiment.scheduler, { name: "constant", warmup_steps: 0 });
  });

  it("the trainer's lrScale at every commit is the documented formula (cosine + warmup, per step)", () => {
    const c = base();
    c.scheduler = { name: "cosine", per: "step", min_lr: 0.001, warmup_steps: 5 };
    const scales: number[] = [];
    const built = buildExperiment(resolve(c), { observers: [{ onCommit: (e: CommitEvent) => scales.push(e.lrScale) }] });
    built.trainer.fit(built.dataset, 4);
    assert.equal(scales.length, 16);
    scales.forEach((f, k) => {
      const t = k + 1;
      const lr = 0.001 + 0.5 * (0.01 - 0.001) * (1 + Math.cos((Math.PI * (t - 1)) / 16));
      const expected = (lr / 0.01) * Math.min(1, t / 5);
      assert.ok(Math.abs(f - expected) < 1e-12, `t=${t}: ${f} vs ${expected}`);
    });
    assert.equal(scheduledRate({ name: "cosine", t_max: 16, min_lr: 0.001, per: "step" }, 0.01, 17, 0), 0.001);
  });

  it("optimizer.scheduler_hook: false detaches the scheduler; optimizer.warmup_steps is the seed's spelling", () => {
    const c = base();
    c.scheduler = { name: "cosine" };
    c.optimizer.scheduler_hook = false;
    assert.deepEqual(resolve(c).experiment.scheduler, { name: "constant", warmup_steps: 0 });
    const d = base();
    d.optimizer.warmup_steps = 7;
    assert.deepEqual(resolve(d).experiment.scheduler, { name: "constant", warmup_steps: 7 });
  });

  it("errors: unknown name (did you mean), unknown option, missing option, out of range, lr = 0", () => {
    const c = base();
    c.scheduler = { name: "cosin" };
    expectError(c, "scheduler.name", /unknown scheduler "cosin" \(did you mean 'cosine'\?\)/);
    c.scheduler = { name: "cosine", min_lrr: 0.1 };
    expectError(c, "scheduler.min_lrr", /unknown key \(did you mean 'min_lr'\?\)/);
    c.scheduler = { name: "step" };
    expectError(c, "scheduler.step_size", /required/);
    c.scheduler = { name: "step", step_size: 0 };
    expectError(c, "scheduler.step_size", /must be ≥ 1/);
    c.scheduler = { name: "onecycle", pct_start: 1 };
    expectError(c, "scheduler.pct_start", /must be < 1/);
    c.scheduler = { name: "cosine", warmup_steps: "5" };
    expectError(c, "scheduler.warmup_steps", /expected a number, got string "5"|expected an integer/);
    c.scheduler = "cosine";
    expectError(c, "scheduler", /expected a mapping/);
    c.scheduler = { name: "cosine" };
    c.optimizer = { name: "sgd", lr: 0 };
    expectError(c, "scheduler", /optimizer\.lr, which is 0/);
    const d = base();
    d.optimizer.clip_grad_norm = 2;
    d.training.clip_grad_norm = 3;
    expectError(d, "optimizer.clip_grad_norm", /also given as training\.clip_grad_norm/);
    // optimizer.warmup_steps is a hint: the scheduler's own value wins.
    const h = base();
    h.optimizer.warmup_steps = 2;
    h.scheduler = { name: "cosine", warmup_steps: 3 };
    assert.equal(resolve(h).experiment.scheduler.warmup_steps, 3);
  });
});

describe("config: Lookahead, clipping, accumulation, parameter groups", () => {
  it("seed spellings under optimizer move to their resolved places", () => {
    const c = base();
    Object.assign(c.optimizer, {
      type: "AdamW",
      betas: [0.8, 0.99],
      lookahead: { enabled: true, alpha: 0.6, k: 3 },
      clip_grad_norm: 1.5,
      accumulate_steps: 2,
      auto_param_groups: { enabled: true, no_decay_patterns: ["bias"] },
      detect_anomaly: true,
    });
    const e = resolve(c).experiment;
    assert.deepEqual(e.optimizer, { name: "adamw", lr: 0.01, beta1: 0.8, beta2: 0.99, eps: 1e-8, weight_decay: 0.01, amsgrad: false });
    assert.deepEqual(e.lookahead, { enabled: true, alpha: 0.6, k: 3 });
    assert.deepEqual(e.auto_param_groups, { enabled: true, no_decay_patterns: ["bias"], override_no_decay_weight: 0 });
    assert.equal(e.training.clip_grad_norm, 1.5);
    assert.equal(e.training.accumulate_steps, 2);
    // The resolved experiment resolves to itself.
    assert.deepEqual(resolve(JSON.parse(JSON.stringify(e))).experiment, e);
    const built = buildExperiment(resolve(c));
    assert.equal(built.trainer.batchSize, 4);
    assert.equal(built.trainer.lookahead?.k, 3);
    assert.equal(built.trainer.clipGradNorm, 1.5);
    assert.deepEqual(built.trainer.noDecay?.parameters, ["layers.0.bias", "layers.1.bias"]);
  });

  it("a built experiment clips, accumulates and syncs (events visible to observers)", () => {
    const c = base();
    c.lookahead = { enabled: true, k: 2 };
    c.training.clip_grad_norm = 0.01;
    c.training.accumulate_steps = 2;
    const commits: CommitEvent[] = [];
    const notices: TrainingNotice[] = [];
    const built = buildExperiment(resolve(c), { observers: [{ onCommit: (e) => commits.push({ ...e }), onNotice: (n) => notices.push(n) }] });
    built.trainer.fit(built.dataset, 2);
    assert.deepEqual(commits.map((e) => e.count), [4, 4, 4, 4]);
    assert.ok(commits.every((e) => e.clipScale < 1 && Math.abs(e.clipScale - 0.01 / (e.clipNorm + 1e-6)) < 1e-15));
    assert.deepEqual(notices.map((n) => [n.kind, n.t]), [["lookahead_sync", 2], ["lookahead_sync", 4]]);
  });

  it("errors name the field the user wrote", () => {
    let c = base();
    c.optimizer.lookahead = { enabled: true, alpha: 2 };
    expectError(c, "optimizer.lookahead.alpha", /must be ≤ 1/);
    c = base();
    c.lookahead = { enabled: true, kk: 2 };
    expectError(c, "lookahead.kk", /did you mean 'k'/);
    c = base();
    c.optimizer.lookahead = { enabled: true };
    c.lookahead = { enabled: true };
    expectError(c, "optimizer.lookahead", /also given as lookahead/);
    c = base();
    c.training.clip_grad_norm = -1;
    expectError(c, "training.clip_grad_norm", /must be ≥ 0/);
    c = base();
    c.optimizer.clip_grad_norm = "big";
    expectError(c, "optimizer.clip_grad_norm", /expected a number/);
    c = base();
    c.training.accumulate_steps = 5; // 2 × 5 > 8 samples
    expectError(c, "training.accumulate_steps", /10 samples per commit, more than the 8 samples/);
    c = base();
    c.auto_param_groups = { enabled: true, no_decay_patterns: ["bias", "LayerNorm.weight"] };
    expectError(c, "auto_param_groups.no_decay_patterns[1]", /'LayerNorm\.weight' matches no parameter/);
    c = base();
    c.optimizer.auto_param_groups = { enabled: true, no_decay_patterns: ["bais"] };
    expectError(c, "optimizer.auto_param_groups.no_decay_patterns[0]", /matches no parameter/);
    c = base();
    c.optimizer.type = "Adam";
    expectError(c, "optimizer.type", /does not match optimizer\.name \(AdamW\)/);
    c = base();
    c.optimizer.betas = [0.9];
    expectError(c, "optimizer.betas", /two numbers/);
    c = base();
    c.optimizer = { name: "sgd", lr: 0.1, betas: [0.9, 0.99] };
    expectError(c, "optimizer.beta1", /unknown hyperparameter for SGD/);
  });
});

describe("config: precision keys", () => {
  it("precision: float64 is accepted and is the default", () => {
    const c = base();
    assert.equal(resolve(c).experiment.precision, "float64");
    c.precision = "float64";
    assert.equal(resolve(c).experiment.precision, "float64");
  });

  it("float32 / bf16 / unknown precisions are rejected with the reason", () => {
    const c = base();
    c.precision = "float32";
    expectError(c, "precision", /float32 is not supported: the engine computes in float64/);
    c.precision = "bf16";
    expectError(c, "precision", /bf16 is not supported/);
    c.precision = "float65";
    expectError(c, "precision", /unknown precision "float65" \(did you mean 'float64'\?\)/);
  });

  it("amp / bf16 / fused: false accepted and dropped, true rejected with the reason", () => {
    const ok = base();
    Object.assign(ok.optimizer, { bf16: false, fused: false });
    ok.amp = false;
    const r = resolve(ok);
    assert.ok(!("amp" in r.experiment) && !("fused" in r.experiment.optimizer) && !("bf16" in r.experiment.optimizer));
    assert.deepEqual(r.warnings, []);
    for (const [key, re] of [["amp", /automatic mixed precision/], ["bf16", /bfloat16 is not supported/], ["fused", /no fused kernels/]] as const) {
      const c = base();
      c.optimizer[key] = true;
      expectError(c, `optimizer.${key}`, re);
      const top = base();
      top[key] = true;
      expectError(top, key, re);
    }
    const s = base();
    s.optimizer.fused = "yes";
    expectError(s, "optimizer.fused", /expected true or false/);
  });

  it("seed keys with no effect (bf16_preferred, precision_safe, log_config, rich_console, hash_to_debuglog): true accepted with one warning each saying why, false silently; dropped", () => {
    const reasons: Record<string, RegExp> = {
      bf16_preferred: /no effect: the engine computes in float64/,
      precision_safe: /no effect: the engine computes in float64, without AMP or bf16/,
      log_config: /no effect: `neuroforge train` always prints the resolved experiment/,
      rich_console: /no effect: the CLI picks a progress bar/,
      hash_to_debuglog: /no effect: use export\.audit_log/,
    };
    const plain = resolve(base()).experiment;
    const c = base();
    for (const key of Object.keys(reasons)) c.optimizer[key] = true;
    c.log_config = true;
    const r = resolve(c);
    assert.deepEqual(r.experiment, plain, "the keys change nothing in the resolved experiment");
    assert.deepEqual(r.warnings.map((w) => w.field), ["log_config", ...Object.keys(reasons).map((k) => `optimizer.${k}`)]);
    for (const w of r.warnings) {
      assert.match(w.message, reasons[w.field.replace("optimizer.", "")]!);
      assert.equal(w.file, "/cfg/train.yaml");
    }
    const off = base();
    for (const key of Object.keys(reasons)) off.optimizer[key] = false;
    assert.deepEqual(resolve(off).warnings, []);
    const bad = base();
    bad.optimizer.log_config = "yes";
    expectError(bad, "optimizer.log_config", /expected true or false, got "yes"/);
  });

  it("seed 002's default no-decay list: patterns matching nothing dropped with one warning; one's own list still refuses them", () => {
    const seedList = ["bias", "LayerNorm.weight", "layer_norm.weight", "ln", "norm", "bn", "BatchNorm.weight"];
    const c = base();
    c.optimizer.auto_param_groups = { enabled: true, no_decay_patterns: [...seedList].reverse() };
    const r = resolve(c);
    assert.deepEqual(r.experiment.auto_param_groups.no_decay_patterns, ["bias"]);
    assert.equal(r.warnings.length, 1);
    assert.equal(r.warnings[0]!.field, "optimizer.auto_param_groups.no_decay_patterns");
    assert.match(r.warnings[0]!.message, /'BatchNorm\.weight', 'bn', 'norm', 'ln', 'layer_norm\.weight', 'LayerNorm\.weight' match no parameter/);
    // The resolved experiment resolves to itself, without a warning.
    assert.deepEqual(resolve(r.experiment).warnings, []);
    assert.deepEqual(buildExperiment(r).trainer.noDecay?.parameters, ["layers.0.bias", "layers.1.bias"]);
    const own = base();
    own.auto_param_groups = { enabled: true, no_decay_patterns: seedList.slice(0, 6) };
    expectError(own, "auto_param_groups.no_decay_patterns[1]", /'LayerNorm\.weight' matches no parameter/);
  });

  it("detect_anomaly maps to the always-on non-finite guard: true and false accepted", () => {
    const c = base();
    c.detect_anomaly = true;
    assert.doesNotThrow(() => resolve(c));
    c.detect_anomaly = "on";
    expectError(c, "detect_anomaly", /expected true or false/);
  });
});
