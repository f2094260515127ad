/**
 * Adaptive search from the command line: a bandit's rounds, one per `neuroforge train` run, each
 * proposed from the runs already recorded, until the budget is spent; the same search with every
 * round split into two shards (separate processes) and merged between rounds proposes and records
 * exactly the same runs (config hashes).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { NfrunReader } from "../../kernel/record";

const repo = resolve(__dirname, "../..");
const bin = join(repo, "bin", "neuroforge.cjs");
const bandit = join(repo, "samples/config/search-bandit.yaml");
const work = mkdtempSync(join(tmpdir(), "nf-sweep-adaptive-"));
const small = ["training.epochs=1", "data.count=40", "-q", "--jobs", "1"];

function cli(args: readonly string[]) {
  return spawnSync(process.execPath, [bin, ...args], { cwd: work, encoding: "utf8", timeout: 180_000, env: { ...process.env, NO_COLOR: "1" } });
}

async function hashes(file: string): Promise<string[]> {
  const reader = await NfrunReader.open(join(work, file));
  try {
    return reader.runs().map((r) => r.configHash).sort();
  } finally {
    reader.close();
  }
}

before(() => {
  const build = spawnSync(process.execPath, [join(repo, "esbuild.mjs")], { cwd: repo, encoding: "utf8" });
  assert.equal(build.status, 0, build.stderr);
});
after(() => rmSync(work, { recursive: true, force: true }));

describe("adaptive search across rounds and shards", () => {
  let local: string[] = [];

  it("a bandit: three rounds of 4 from the record file, then the budget (12) is spent", async () => {
    for (let round = 1; round <= 3; round++) {
      const r = cli(["train", bandit, ...small, "--record", "local.nfrun"]);
      assert.equal(r.status, 0, r.stderr);
      assert.equal((await hashes("local.nfrun")).length, 4 * round);
    }
    const spent = cli(["train", bandit, ...small, "--record", "local.nfrun"]);
    assert.equal(spent.status, 0);
    assert.match(spent.stdout, /search budget spent: 12 runs in local\.nfrun/);
    local = await hashes("local.nfrun");
    // Every one of the 6 arms was pulled, some more than once (with their own seeds).
    assert.equal(new Set(local).size, 12);
  });

  it("each round in two shards merged between rounds records the same runs", async () => {
    for (let round = 1; round <= 3; round++) {
      const history = `merged-${round - 1}.nfrun`;
      for (const i of [0, 1]) {
        const r = cli(["train", bandit, ...small, "--history-from", history, "--shard", `${i}/2`, "--record", `r${round}-s${i}.nfrun`]);
        assert.equal(r.status, 0, r.stderr);
      }
      const inputs = [...(existsSync(join(work, history)) ? [history] : []), `r${round}-s0.nfrun`, `r${round}-s1.nfrun`];
      const m = cli(["merge", ...inputs, "-o", `merged-${round}.nfrun`]);
      assert.equal(m.status, 0, m.stderr);
    }
    assert.deepEqual(await hashes("merged-3.nfrun"), local);
  });
});
