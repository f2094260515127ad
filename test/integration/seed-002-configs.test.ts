/**
 * Seed 002's own templates (its appendix, copied verbatim into test/fixtures/seed-002/optimizer/) train
 * with zero edits through `neuroforge train`: the keys without effect here warn once each, the seed's
 * default no-decay list drops what matches nothing with a warning, and `export_json` in a multirun
 * writes each member's own file.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { configHash } from "../../kernel/record";

const repo = resolve(__dirname, "../..");
const bin = join(repo, "bin", "neuroforge.cjs");
const work = mkdtempSync(join(tmpdir(), "nf-seed-002-"));
const seedList = '[ "bias", "LayerNorm.weight", "layer_norm.weight", "ln", "norm", "bn", "BatchNorm.weight" ]';

function cli(args: readonly string[]) {
  return spawnSync(process.execPath, [bin, ...args], { cwd: work, encoding: "utf8", timeout: 120_000, env: { ...process.env, NO_COLOR: "1" } });
}

before(() => {
  cpSync(join(repo, "test/fixtures/seed-002"), work, { recursive: true });
  const build = spawnSync(process.execPath, [join(repo, "esbuild.mjs")], { cwd: repo, encoding: "utf8" });
  assert.equal(build.status, 0, build.stderr);
});
after(() => rmSync(work, { recursive: true, force: true }));

describe("seed 002's templates, verbatim", () => {
  it("the fixtures still hold the seed's keys that have no effect here (they are the point of this test)", () => {
    for (const name of ["adamw", "sgd"]) {
      const template = readFileSync(join(repo, "test/fixtures/seed-002/optimizer", `${name}.yaml`), "utf8");
      for (const key of ["precision_safe: true", "bf16_preferred: true", "fused: false", "log_config: true", "rich_console: true", "hash_to_debuglog: true", "export_json: "]) {
        assert.ok(template.includes(`  ${key}`), `${name}.yaml: ${key}`);
      }
    }
  });

  it("a multirun over both trains unedited: one warning per key, each member's export_json written", () => {
    const r = cli(["train", "train.yaml", "-m", "optimizer=adamw,sgd", `+optimizer.auto_param_groups={enabled: true, no_decay_patterns: ${seedList}}`]);
    assert.equal(r.status, 0, r.stderr);
    const warnings = r.stderr.split("\n").filter((l) => l.startsWith("neuroforge: warning: "));
    const fields = ["bf16_preferred", "precision_safe", "log_config", "rich_console", "hash_to_debuglog"].map((k) => `optimizer.${k}`);
    for (const field of fields) {
      const lines = warnings.filter((l) => l.includes(`: ${field}: no effect`));
      assert.equal(lines.length, 1, `${field}: ${r.stderr}`);
      assert.ok(lines[0]!.includes("optimizer/adamw.yaml") && lines[0]!.includes("optimizer/sgd.yaml"), lines[0]);
    }
    const patterns = warnings.filter((l) => l.includes("no_decay_patterns"));
    assert.equal(patterns.length, 1, r.stderr);
    assert.match(patterns[0]!, /'LayerNorm\.weight', 'layer_norm\.weight', 'ln', 'norm', 'bn', 'BatchNorm\.weight' match no parameter/);
    assert.equal(warnings.length, fields.length + 1, r.stderr);
    assert.match(r.stdout, /final loss [\d.]+ after 3 epochs[\s\S]*final loss [\d.]+ after 3 epochs/);
    for (const name of ["adamw", "sgd"]) {
      const path = join(work, "outputs/diagnostics", `optimizer_${name}.json`);
      assert.ok(existsSync(path), path);
      const config = JSON.parse(readFileSync(path, "utf8")) as Record<string, any>;
      assert.ok(!Array.isArray(config), "one member per file: its object");
      assert.equal(config.optimizer.name, name);
      assert.deepEqual(config.auto_param_groups.no_decay_patterns, ["bias"]);
      assert.equal(config.export.config, path);
      assert.match(r.stdout, new RegExp(`resolved config written to outputs/diagnostics/optimizer_${name}\\.json`));
      assert.match(r.stdout, new RegExp(`sha256 ${configHash(config)}`));
    }
  });

  it("members naming the same export_json share it as an array, in sweep order", () => {
    rmSync(join(work, "outputs"), { recursive: true, force: true });
    const r = cli(["train", "train.yaml", "-m", "optimizer.lr=1e-3,3e-4", "-q"]);
    assert.equal(r.status, 0, r.stderr);
    const configs = JSON.parse(readFileSync(join(work, "outputs/diagnostics/optimizer_adamw.json"), "utf8")) as Record<string, any>[];
    assert.deepEqual(configs.map((c) => c.optimizer.lr), [1e-3, 3e-4]);
    assert.ok(!existsSync(join(work, "outputs/diagnostics/optimizer_sgd.json")));
  });
});
