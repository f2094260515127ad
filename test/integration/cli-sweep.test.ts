/**
 * Designed sweeps end to end: `neuroforge train` with a `sweep:` block (an L9) records every member,
 * exports the resolved sweep whose hash it printed, and ends with main effects that match a hand
 * computation from the members' printed losses; the same sweep from a cell (`train(…, { sweep })`).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { configHash, NfrunReader } from "../../kernel/record";
import { sweepEffects, train } from "../../kernel/runtime/kernel/experiments";

const repo = resolve(__dirname, "../..");
const bin = join(repo, "bin", "neuroforge.cjs");
const l9 = join(repo, "samples/config/sweep-l9.yaml");
const work = mkdtempSync(join(tmpdir(), "nf-cli-sweep-"));

function cli(args: readonly string[]) {
  return spawnSync(process.execPath, [bin, ...args], { cwd: work, encoding: "utf8", timeout: 180_000, env: { ...process.env, NO_COLOR: "1" } });
}

before(() => {
  const build = spawnSync(process.execPath, [join(repo, "esbuild.mjs")], { cwd: repo, encoding: "utf8" });
  assert.equal(build.status, 0, build.stderr);
});
after(() => rmSync(work, { recursive: true, force: true }));

describe("designed sweeps", () => {
  it("an L9 from the file's sweep: block: 9 recorded members, the exported sweep's hash printed, main effects by hand", async () => {
    const record = join(work, "l9.nfrun");
    const exported = join(work, "l9-sweep.json");
    const r = cli(["train", l9, "training.epochs=2", "--record", record, "--export-sweep", exported]);
    assert.equal(r.status, 0, r.stderr);
    const sweep = JSON.parse(readFileSync(exported, "utf8")) as { design: string; members: { index: number; levels: number[]; overrides: string[] }[] };
    assert.equal(sweep.design, "L9");
    assert.equal(sweep.members.length, 9);
    assert.match(r.stdout, new RegExp(`sweep: L9, 9 members, factors optimizer, optimizer\\.lr, training\\.batch_size; sweep sha256 ${configHash(sweep)}`));
    // Each member's overrides are the ones printed for its run, after the command line's.
    sweep.members.forEach((m, k) => assert.match(r.stdout, new RegExp(`\\[run ${k + 1}/9\\] ${m.overrides.join(" ").replace(/[.]/g, "\\.")}\\n`)));
    const reader = await NfrunReader.open(record);
    try {
      const runs = reader.runs();
      assert.equal(runs.length, 9);
      assert.deepEqual(runs.map((run) => run.strategy.id), sweep.members.map((m) => m.overrides[0]!.split("=")[1]));
    } finally {
      reader.close();
    }
    // Main effects: each level's mean of the final losses of the members at that level (three each).
    const losses = [...r.stdout.matchAll(/final loss ([\d.]+) after 2 epochs/g)].map((m) => Number(m[1]));
    assert.equal(losses.length, 9);
    const section = r.stdout.slice(r.stdout.indexOf("main effects on final loss"));
    for (const [f, name, values] of [[0, "optimizer", ['"adam"', '"sgd"', '"adamw"']], [1, "optimizer.lr", ["0.003", "0.01", "0.03"]], [2, "training.batch_size", ["10", "20", "40"]]] as const) {
      const block = section.slice(section.indexOf(`  ${name}  range`));
      values.forEach((value, level) => {
        const ys = sweep.members.filter((m) => m.levels[f] === level).map((m) => losses[m.index]!);
        const mean = ys.reduce((s, y) => s + y, 0) / ys.length;
        const sn = -10 * Math.log10(ys.reduce((s, y) => s + y * y, 0) / ys.length);
        const line = new RegExp(`\\n    ${value.replace(/[.]/g, "\\.")} +n 3  mean ([\\d.]+) +S/N ([\\d.-]+)`).exec(block);
        assert.ok(line, `${name} ${value}`);
        assert.ok(Math.abs(Number(line[1]) - mean) < 1e-3 * mean, `${name} ${value} mean ${line[1]} vs ${mean}`);
        assert.ok(Math.abs(Number(line[2]) - sn) < 2e-3 * Math.abs(sn) + 1e-3, `${name} ${value} S/N ${line[2]} vs ${sn}`);
      });
    }
  });

  it("-m comma lists beside a sweep: block: exit 2, one line, nothing runs", () => {
    const r = cli(["train", l9, "-m", "optimizer.lr=0.1,0.2"]);
    assert.equal(r.status, 2);
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
    assert.match(r.stderr, /sweep: -m comma lists and a sweep: block both make runs/);
    assert.doesNotMatch(r.stdout, /final loss/);
  });

  it("a bad sweep: block names its field and the file; --export-sweep without one is refused (exit 2)", () => {
    const dir = join(work, "bad");
    cpSync(join(repo, "samples/config"), dir, { recursive: true });
    const bad = join(dir, "sweep-l9.yaml");
    writeFileSync(bad, readFileSync(bad, "utf8").replace("design: L9", "design: L8"));
    const r = cli(["train", bad]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /bad\/sweep-l9\.yaml: sweep\.design: L8 has columns of 7 of 2 levels; the params give optimizer 3, optimizer\.lr 3, training\.batch_size 3 levels/);
    const plain = cli(["train", join(repo, "samples/config/train.yaml"), "--export-sweep", join(work, "y.json")]);
    assert.equal(plain.status, 2);
    assert.match(plain.stderr, /train\.yaml: --export-sweep: the experiment declares no sweep/);
  });

  it("from a cell: train(path, { sweep }) with the same typed spec, and sweepEffects", async () => {
    const runs = await train(join(repo, "samples/config/train.yaml"), {
      overrides: ["training.epochs=1", "data.count=40"],
      sweep: { design: "L4", params: { optimizer: ["adam", "sgd"], "optimizer.lr": [0.01, 0.1] } },
    });
    assert.equal(runs.length, 4);
    assert.deepEqual(runs.map((run) => run.label), ["optimizer=adam optimizer.lr=0.01", "optimizer=adam optimizer.lr=0.1", "optimizer=sgd optimizer.lr=0.01", "optimizer=sgd optimizer.lr=0.1"]);
    const [optimizer] = sweepEffects(runs);
    assert.equal(optimizer!.factor, "optimizer");
    assert.equal(optimizer!.levels[0]!.mean, (runs[0]!.result.loss + runs[1]!.result.loss) / 2);
    assert.equal(optimizer!.levels[1]!.mean, (runs[2]!.result.loss + runs[3]!.result.loss) / 2);
  });
});
