import assert from "node:assert/strict";
import { spawn, spawnSync, type SpawnSyncReturns } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { importWeights } from "../../kernel/engine/weights-json";

/** The built CLI, spawned as a user would run it (bin/neuroforge.cjs → dist/cli.js). */
const repo = resolve(__dirname, "../..");
const bin = join(repo, "bin", "neuroforge.cjs");
const work = mkdtempSync(join(tmpdir(), "nf-cli-"));

function cli(args: readonly string[], cwd = work): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [bin, ...args], { cwd, encoding: "utf8", timeout: 60_000, env: { ...process.env, NO_COLOR: "1" } });
}

/** A small valid experiment (XOR) as YAML, with overrides spliced in as raw YAML lines. */
function xorYaml(extra = ""): string {
  return [
    "name: xor-test",
    "model:",
    "  layers:",
    "    - { units: 4, activation: tanh }",
    "    - { units: 1, activation: sigmoid }",
    "data: { generator: xor, count: 4, noise: 0 }",
    "loss: bce",
    "optimizer: { name: sgd, lr: 0.5, momentum: 0.9 }",
    "training: { batch_size: 4, epochs: 300 }",
    extra,
  ].join("\n");
}

before(() => {
  // Always test the current sources: build dist/cli.js (esbuild takes well under a second).
  const build = spawnSync(process.execPath, [join(repo, "esbuild.mjs")], { cwd: repo, encoding: "utf8" });
  assert.equal(build.status, 0, build.stderr);
});
after(() => rmSync(work, { recursive: true, force: true }));

describe("neuroforge CLI", () => {
  it("--version prints the package version", () => {
    const r = cli(["--version"]);
    assert.equal(r.status, 0, r.stderr);
    const pkg = JSON.parse(readFileSync(join(repo, "package.json"), "utf8")) as { version: string };
    assert.equal(r.stdout.trim(), pkg.version);
  });

  it("trains samples/experiments/xor.yaml to a low loss and writes a valid weights file", () => {
    const out = join(work, "xor-weights.json");
    const r = cli(["train", join(repo, "samples/experiments/xor.yaml"), "--weights-out", out]);
    assert.equal(r.status, 0, r.stderr);
    const m = /final loss (\S+) after (\d+) epochs/.exec(r.stdout);
    assert.ok(m, r.stdout);
    assert.ok(Number(m[1]) < 0.01, `final loss ${m[1]}`);
    assert.match(r.stdout, /weights written to /);

    const json = JSON.parse(readFileSync(out, "utf8")) as Record<string, any>;
    assert.equal(json.format, "neuroforge.weights");
    assert.equal(json.version, 1);
    assert.equal(json.inputs, 2);
    assert.equal(json.layers.length, 2);
    assert.equal(json.layers[0].activation, "tanh");
    assert.equal(json.layers[0].weights.length, 4);
    assert.equal(json.layers[0].weights[0].length, 2);
    assert.equal(json.layers[0].biases.length, 4);
    assert.equal(json.layers[1].activation, "sigmoid");
    assert.deepEqual([json.layers[1].weights.length, json.layers[1].weights[0].length, json.layers[1].biases.length], [1, 4, 1]);
    // The file is a model: it reproduces XOR.
    const model = importWeights(json);
    const truth = [[0, 0, 0], [0, 1, 1], [1, 0, 1], [1, 1, 0]] as const;
    for (const [a, b, y] of truth) assert.equal(Math.round(model.predict([a, b])[0]!), y, `XOR(${a}, ${b})`);
    assert.deepEqual(readdirSync(work).filter((f) => f.endsWith(".tmp")), [], "no temp files left behind");
  });

  it("writes to export.weights (relative to the config file) when --weights-out is not given", () => {
    const dir = mkdtempSync(join(work, "export-"));
    const config = join(dir, "exp.yaml");
    writeFileSync(config, xorYaml("export: { weights: out/w.json }"));
    const r = cli(["train", config, "--quiet"]);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(existsSync(join(dir, "out", "w.json")));
    // --quiet: only the result lines.
    assert.deepEqual(
      r.stdout.trim().split("\n").map((l) => l.split(" ").slice(0, 2).join(" ")),
      ["final loss", "weights written"],
    );
  });

  it("bad config: exit 2, stderr names the field and the file, nothing written", () => {
    const dir = mkdtempSync(join(work, "bad-"));
    const config = join(dir, "bad.yaml");
    writeFileSync(config, xorYaml("export: { weights: exported.json }").replace("units: 4,", "unit: 4,"));
    const out = join(dir, "w.json");
    const r = cli(["train", config, "--weights-out", out]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /model\.layers\[0\]\.unit: unknown key \(did you mean 'units'\?\)/);
    assert.ok(r.stderr.includes(config), r.stderr);
    assert.equal(r.stdout, "");
    assert.deepEqual(readdirSync(dir), ["bad.yaml"], "no weights file, no temp file");

    const range = join(dir, "range.yaml");
    writeFileSync(range, xorYaml().replace("lr: 0.5", "lr: -2"));
    const r2 = cli(["train", range, "--weights-out", out]);
    assert.equal(r2.status, 2);
    assert.match(r2.stderr, /optimizer\.lr: must be ≥ 0, got -2/);
    assert.ok(!existsSync(out));

    const directory = cli(["train", join(repo, "samples/experiments/xor.yaml"), "--weights-out", dir]);
    assert.equal(directory.status, 2);
    assert.match(directory.stderr, /--weights-out: .* is a directory/);

    const missing = cli(["train", join(dir, "nope.yaml")]);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /nope\.yaml: no such file/);
  });

  it("a checkout whose dist/ is not built yet: one line saying to run npm install, exit 2, no stack trace", () => {
    const checkout = mkdtempSync(join(tmpdir(), "nf-unbuilt-"));
    mkdirSync(join(checkout, "bin"));
    copyFileSync(bin, join(checkout, "bin", "neuroforge.cjs"));
    const r = spawnSync(process.execPath, [join(checkout, "bin", "neuroforge.cjs"), "--version"], { encoding: "utf8" });
    assert.equal(r.status, 2);
    assert.equal(r.stdout, "");
    assert.match(r.stderr, /^neuroforge: .*dist\/cli\.js is missing: run `npm install` \(or `npm run build`\) in .*nf-unbuilt-\w+ first\n$/);
    rmSync(checkout, { recursive: true });
  });

  it("usage errors exit 2", () => {
    assert.equal(cli(["train"]).status, 2);
    assert.equal(cli(["nonsense"]).status, 2);
  });

  it("without a TTY, progress is plain lines: about one per 10% of the epochs, no escape codes", () => {
    const config = join(work, "plain.yaml");
    writeFileSync(config, xorYaml().replace("epochs: 300", "epochs: 200"));
    const r = cli(["train", config]);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(!/[\r\u001b]/.test(r.stdout + r.stderr), "no carriage returns or ANSI escapes");
    const progress = r.stdout.split("\n").filter((l) => /^epoch +\d+\/200 {2}loss /.test(l));
    assert.deepEqual(
      progress.map((l) => Number(/^epoch +(\d+)/.exec(l)![1])),
      [1, 20, 40, 60, 80, 100, 120, 140, 160, 180, 200],
    );
    // The preamble teaches what is being trained.
    assert.match(r.stdout, /model +2 → 4 tanh → 1 sigmoid/);
    assert.match(r.stdout, /optimizer +SGD \(sgd\): lr=0\.5 momentum=0\.9/);
    assert.match(r.stdout, /loss +bce: L = /);
  });

  it("a diverging run exits 1 and writes no weights", () => {
    const config = join(work, "diverge.yaml");
    writeFileSync(
      config,
      [
        "model: { layers: [ { units: 1, activation: linear } ] }",
        "data: { generator: plane, count: 20 }",
        "loss: mse",
        "optimizer: { name: sgd, lr: 1.0e+6 }",
        "training: { epochs: 50 }",
      ].join("\n"),
    );
    const out = join(work, "diverged.json");
    const r = cli(["train", config, "-o", out]);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /diverged/);
    assert.ok(!existsSync(out));
  });

  it("Ctrl-C stops training cleanly: says so, exit 130, no weights file", async () => {
    const config = join(work, "long.yaml");
    writeFileSync(
      config,
      [
        "model: { layers: [ { units: 16, activation: tanh }, { units: 1, activation: sigmoid } ] }",
        "data: { generator: circles, count: 200 }",
        "loss: bce",
        "optimizer: { name: adam, lr: 0.01 }",
        "training: { batch_size: 10, epochs: 1000000 }",
      ].join("\n"),
    );
    const out = join(work, "interrupted.json");
    const child = spawn(process.execPath, [bin, "train", config, "-o", out], { cwd: work, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const started = new Promise<void>((res) => {
      child.stdout.on("data", (d: Buffer) => {
        stdout += d.toString();
        // The first progress line means training is under way.
        if (/^epoch +1\//m.test(stdout)) res();
      });
    });
    const exited = new Promise<number | null>((res) => child.on("exit", (code) => res(code)));
    await started;
    child.kill("SIGINT");
    const code = await exited;
    assert.equal(code, 130, stdout + stderr);
    assert.match(stderr, /interrupted after \d+ of 1000000 epochs/);
    assert.ok(!existsSync(out), "no weights written for an interrupted run");
  });

  it("demo runs headless: architecture, optimizer, per-epoch loss, final loss, XOR learnt", () => {
    const r = cli(["demo"]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /model +2 → 4 tanh → 1 sigmoid/);
    assert.match(r.stdout, /optimizer +SGD/);
    assert.match(r.stdout, /^epoch +1\/300 {2}loss /m);
    const m = /final loss (\S+)/.exec(r.stdout);
    assert.ok(m && Number(m[1]) < 0.05, r.stdout);
    assert.match(r.stdout, /after training:/);
  });

  it("trains every sample experiment", () => {
    // The final training loss each reaches (xor.yaml: tested above); MNIST's 4 epochs of 1,600 digits end higher.
    const reaches: Record<string, number> = { "circles.yaml": 0.2, "regression-sine.yaml": 0.2, "exam-csv.json": 0.2, "dead-relus.yaml": 0.2, "mnist.yaml": 0.4 };
    const files = readdirSync(join(repo, "samples/experiments")).filter((f) => /\.(ya?ml|json)$/.test(f) && f !== "xor.yaml");
    assert.deepEqual(files.sort(), Object.keys(reaches).sort(), "every sample experiment has its expected loss here");
    for (const name of files) {
      const r = cli(["train", join(repo, "samples/experiments", name), "--quiet", "--weights-out", join(work, `${name}.weights.json`)]);
      assert.equal(r.status, 0, `${name}: ${r.stderr}`);
      const loss = Number(/final loss (\S+)/.exec(r.stdout)?.[1]);
      assert.ok(loss < reaches[name]!, `${name}: final loss ${loss}`);
    }
  });
});
