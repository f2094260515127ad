/**
 * `neuroforge train` with composed configs: overrides, multirun into one .nfrun (read back with the
 * record reader, verified), --export-config / --audit-log, and error paths (exit 2, nothing written).
 */
import assert from "node:assert/strict";
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { configHash, openRun } from "../../kernel/record";

const repo = resolve(__dirname, "../..");
const bin = join(repo, "bin", "neuroforge.cjs");
const train = join(repo, "samples/config/train.yaml");
const work = mkdtempSync(join(tmpdir(), "nf-cli-config-"));

function cli(args: readonly string[]): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [bin, ...args], { cwd: work, encoding: "utf8", timeout: 120_000, env: { ...process.env, NO_COLOR: "1" } });
}

before(() => {
  const build = spawnSync(process.execPath, [join(repo, "esbuild.mjs")], { cwd: repo, encoding: "utf8" });
  assert.equal(build.status, 0, build.stderr);
});
after(() => rmSync(work, { recursive: true, force: true }));

describe("neuroforge train with composed configs", () => {
  it("overrides switch the optimizer and tune it; the resolved config is exported, hashed and logged", () => {
    const json = join(work, "resolved.json");
    const log = join(work, "audit.md");
    const r = cli(["train", train, "optimizer=sgd", "optimizer.lr=0.05", "training.epochs=3", "--export-config", json, "--audit-log", log]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /optimizer {2}SGD \(sgd\): lr=0\.05 momentum=0\.9/);
    assert.match(r.stdout, /scheduler {2}cosine/);
    const config = JSON.parse(readFileSync(json, "utf8")) as Record<string, any>;
    assert.equal(config.optimizer.name, "sgd");
    assert.equal(config.optimizer.lr, 0.05);
    assert.equal(config.training.epochs, 3);
    const hash = configHash(config);
    assert.match(r.stdout, new RegExp(`config {5}sha256 ${hash}`));
    const md = readFileSync(log, "utf8");
    assert.match(md, /^# NeuroForge audit log/);
    assert.ok(md.includes(`| config sha256 | \`${hash}\` |`), md);
    assert.match(md, /\| optimizer \| sgd \|\n\| lr \| 0\.05 \|\n\| weight decay \| 0 \|\n\| momentum \| 0\.9 \(nesterov\) \|/);
    assert.match(md, /\| overrides \| `optimizer=sgd optimizer\.lr=0\.05 training\.epochs=3` \|/);
    // The exported resolved config trains as it is.
    const again = cli(["train", json, "-q"]);
    assert.equal(again.status, 0, again.stderr);
  });

  it("-m sweeps the cartesian product into one .nfrun; the reader sees every run; verify passes", async () => {
    const file = join(work, "sweep.nfrun");
    const json = join(work, "sweep.json");
    const r = cli(["train", train, "-m", "optimizer=adam,sgd", "optimizer.lr=1e-3,1e-2", "training.epochs=2", "optimizer.clip_grad_norm=0.05", "--record", file, "--export-config", json]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /multirun: 4 runs/);
    assert.match(r.stdout, /\[run 3\/4\] optimizer=sgd optimizer\.lr=1e-3/);
    const exported = JSON.parse(readFileSync(json, "utf8")) as Record<string, any>[];
    const order = exported.map((c) => [c.optimizer.name, c.optimizer.lr]);
    assert.deepEqual(order, [["adam", 1e-3], ["adam", 1e-2], ["sgd", 1e-3], ["sgd", 1e-2]]);
    const reader = await openRun(file);
    try {
      const ids = reader.runIds();
      assert.equal(ids.length, 4);
      const stored = ids.map((id) => reader.config(id));
      assert.ok(stored.every((c) => c.hashMatches));
      assert.deepEqual(stored.map((c) => c.config), exported, "runs stored in sweep order with their resolved configs");
      // The LR of every commit is in the trace: cosine per step over 20 commits with 10 warmup commits.
      const trace = reader.trace(ids[0]!);
      assert.equal(trace.lrScale.length, 20);
      trace.lrScale.forEach((f, k) => {
        const t = k + 1;
        const lr = 1e-4 + 0.5 * (1e-3 - 1e-4) * (1 + Math.cos((Math.PI * (t - 1)) / 20));
        assert.ok(Math.abs(f - (lr / 1e-3) * Math.min(1, t / 10)) < 1e-12, `t=${t}`);
      });
    } finally {
      reader.close();
    }
    const v = cli(["verify", file]);
    assert.equal(v.status, 0, v.stdout + v.stderr);
    assert.match(v.stdout, /verified, every recorded weight change is explained/);
  });

  it("a Lookahead run records, logs its syncs and verifies", async () => {
    const file = join(work, "lookahead.nfrun");
    const r = cli(["train", train, "optimizer=lookahead-sgd", "training.epochs=2", "--record", file]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /lookahead {2}k 6, α 0\.5/);
    const v = cli(["verify", file]);
    assert.equal(v.status, 0, v.stdout + v.stderr);
    const reader = await openRun(file);
    try {
      const runId = reader.runIds()[0]!;
      const syncs = reader.events(runId).filter((e) => e.kind === "lookahead_sync").map((e) => e.t);
      const commits = reader.run(runId).commits;
      assert.ok(commits >= 6);
      assert.deepEqual(syncs, Array.from({ length: Math.floor(commits / 6) }, (_, i) => 6 * (i + 1)));
    } finally {
      reader.close();
    }
  });

  const errorCases: [string, string[], RegExp][] = [
    ["unknown key (did you mean), naming the override", ["optimizer.lrr=0.1"], /override 'optimizer\.lrr=0\.1': optimizer\.lrr: unknown hyperparameter for AdamW \(did you mean 'lr'\?\)/],
    ["wrong type", ["optimizer.lr=fast"], /optimizer\.lr: expected a number/],
    ["out of range", ["training.epochs=0"], /training\.epochs: must be ≥ 1/],
    ["unknown group option", ["optimizer=sdg"], /unknown option for the group 'optimizer' "sdg" \(did you mean 'sgd'\?\)/],
    ["bad override syntax", ["optimizer.lr"], /expected key=value/],
    ["a sweep without -m", ["optimizer.lr=1,2"], /comma list is a sweep: run with -m/],
    ["float32", ["precision=float32"], /precision: float32 is not supported: the engine computes in float64/],
    ["bf16", ["+optimizer.bf16=true"], /optimizer\.bf16: bfloat16 is not supported/],
    ["one bad run of a sweep stops them all", ["-m", "optimizer.lr=0.1,-1"], /override 'optimizer\.lr=-1': optimizer\.lr: must be ≥ 0/],
  ];
  for (const [what, overrides, pattern] of errorCases) {
    it(`exit 2, nothing runs or is written: ${what}`, () => {
      const file = join(work, `err-${what.replace(/\W+/g, "-")}.nfrun`);
      const json = join(work, `err-${what.replace(/\W+/g, "-")}.json`);
      const r = cli(["train", train, ...overrides, "--record", file, "--export-config", json]);
      assert.equal(r.status, 2, r.stdout + r.stderr);
      assert.match(r.stderr, pattern);
      assert.doesNotMatch(r.stdout, /epoch 1/);
      assert.ok(!existsSync(file) && !existsSync(json));
    });
  }

  it("--config-dir: an error in a group file names that file", () => {
    const dir = join(work, "configs");
    for (const g of ["optimizer", "scheduler", "data"]) mkdirSync(join(dir, g), { recursive: true });
    writeFileSync(join(dir, "optimizer", "adamw.yaml"), "optimizer: { name: adamw, lr: 0.01, wieght_decay: 0.1 }\n");
    writeFileSync(join(dir, "scheduler", "cosine.yaml"), "scheduler: { name: cosine }\n");
    writeFileSync(join(dir, "data", "circles.yaml"), "data: { generator: circles }\n");
    const r = cli(["train", train, "--config-dir", dir]);
    assert.equal(r.status, 2, r.stdout);
    assert.ok(r.stderr.includes(`${join(dir, "optimizer", "adamw.yaml")}: optimizer.wieght_decay: unknown hyperparameter for AdamW (did you mean 'weight_decay'?)`), r.stderr);
    const n = cli(["train", train, "--config-dir", join(work, "nowhere")]);
    assert.equal(n.status, 2);
    assert.match(n.stderr, /--config-dir is not a folder/);
  });
});
