/**
 * A sweep on worker threads (`--jobs 2`), and in shards run by separate processes then merged
 * (`--shard i/n`, `neuroforge merge`), gives the serial sweep: the same runs with
 * the same rows (every table but wall-clock times and run ids) and the same section digests. And
 * `merge` refuses duplicates and hostile inputs with one line, exit 2, writing nothing.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { NfrunReader } from "../../kernel/record";

const repo = resolve(__dirname, "../..");
const bin = join(repo, "bin", "neuroforge.cjs");
const train = join(repo, "samples/config/train.yaml");
const work = mkdtempSync(join(tmpdir(), "nf-sweep-parallel-"));
const sweep = ["-m", "optimizer=adam,sgd", "optimizer.lr=0.01,0.05", "training.epochs=2", "data.count=60", "-q"];

function cli(args: readonly string[]) {
  return spawnSync(process.execPath, [bin, ...args], { cwd: work, encoding: "utf8", timeout: 180_000, env: { ...process.env, NO_COLOR: "1" } });
}

/** The same, as a child process running beside others. */
function cliAsync(args: readonly string[]): Promise<{ status: number | null; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: work, env: { ...process.env, NO_COLOR: "1" } });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("close", (status) => done({ status, stderr }));
  });
}

/**
 * Per run, in the file's order (the order runs were added: a parallel sweep's and merged shards' are
 * the serial sweep's member order): every deterministic row of every table it has, hashed (times and run ids left out). */
async function content(file: string): Promise<string[]> {
  const reader = await NfrunReader.open(file);
  try {
    const tables = reader.query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").map((r) => String(r[0]));
    return reader.runIds().map((runId) => {
      const h = createHash("sha256");
      for (const table of tables) {
        const cols = reader.query(`PRAGMA table_info(${table})`).map((r) => String(r[1]));
        if (!cols.includes("run_id")) continue;
        const keep = cols.filter((c) => !["run_id", "created_at", "started_ms", "ended_ms", "seconds", "heartbeat_ms", "time_ms", "digest", "rows"].includes(c));
        const where = table === "run_integrity" ? "AND section NOT IN ('run', 'events')" : "";
        for (const row of reader.query(`SELECT ${keep.join(", ")} FROM ${table} WHERE run_id = ? ${where} ORDER BY ${keep.join(", ")}`, [runId])) {
          h.update(`${table}:${JSON.stringify(row.map((v) => (v instanceof Uint8Array ? Buffer.from(v).toString("base64") : v)))}\n`);
        }
      }
      // The digests of the sections without times (they cover every row of those tables).
      for (const row of reader.query("SELECT section, rows, digest FROM run_integrity WHERE run_id = ? AND section NOT IN ('run', 'events') ORDER BY section", [runId])) {
        h.update(`digest:${JSON.stringify(row)}\n`);
      }
      const [hash] = reader.query("SELECT config_hash FROM runs WHERE run_id = ?", [runId])[0]!;
      return `${String(hash)} ${h.digest("hex")}`;
    });
  } finally {
    reader.close();
  }
}

let serial: string[] = [];

before(() => {
  const build = spawnSync(process.execPath, [join(repo, "esbuild.mjs")], { cwd: repo, encoding: "utf8" });
  assert.equal(build.status, 0, build.stderr);
});
after(() => rmSync(work, { recursive: true, force: true }));

describe("sweeps on every core and beyond one machine", () => {
  it("serial (--jobs 1) and worker threads (--jobs 2) record the same runs, rows and digests", async () => {
    const one = cli(["train", train, ...sweep, "--jobs", "1", "--record", "serial.nfrun"]);
    assert.equal(one.status, 0, one.stderr);
    const two = cli(["train", train, ...sweep, "--jobs", "2", "--record", "parallel.nfrun"]);
    assert.equal(two.status, 0, two.stderr);
    serial = await content(join(work, "serial.nfrun"));
    assert.equal(serial.length, 4);
    assert.equal(new Set(serial).size, 4, "four different runs");
    assert.deepEqual(await content(join(work, "parallel.nfrun")), serial);
    assert.equal(cli(["verify", "parallel.nfrun"]).status, 0);
    // Appending a parallel sweep to an existing file keeps its runs first.
    copyFileSync(join(work, "serial.nfrun"), join(work, "both.nfrun"));
    const again = cli(["train", train, ...sweep, "optimizer.weight_decay=0.001", "--jobs", "2", "--record", "both.nfrun"]);
    assert.equal(again.status, 0, again.stderr);
    const both = await content(join(work, "both.nfrun"));
    assert.equal(both.length, 8);
    assert.deepEqual(both.slice(0, 4), serial);
  });

  it("--jobs 2 prints what --jobs 1 prints, member by member in order (times, speeds and run ids aside), and the same audit log", () => {
    const shown = (jobs: number) => {
      const r = cli(["train", train, "-m", "optimizer=adam,sgd,adamw", "training.epochs=3", "data.count=40", "--jobs", String(jobs), "--record", `j${jobs}-out.nfrun`, "--audit-log", `j${jobs}-audit.md`]);
      assert.equal(r.status, 0, r.stderr);
      const plain = (text: string) =>
        text
          .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, "RUN-ID")
          .replace(/[\d.]+k? samples\/s/g, "N samples/s")
          .replace(/\b\d+(\.\d+)?(ms|s|min)\b/g, "T")
          .replace(/\| time \| [^|]+\|/g, "| time |")
          .replace(/j\d-/g, "DIR-");
      return { out: plain(r.stdout), err: plain(r.stderr), audit: plain(readFileSync(join(work, `j${jobs}-audit.md`), "utf8")) };
    };
    const one = shown(1);
    const two = shown(2);
    assert.match(one.out, /\[run 1\/3\] optimizer=adam\n[^]*\[run 2\/3\] optimizer=sgd\n[^]*\[run 3\/3\] optimizer=adamw\n/);
    assert.equal((one.out.match(/run RUN-ID recorded to DIR-out\.nfrun \(completed\)/g) ?? []).length, 3);
    assert.equal(two.out, one.out);
    assert.equal(two.err, one.err);
    assert.equal(two.audit, one.audit);
  });

  it("three shards in separate processes, merged, are the serial run; the merged file verifies", async () => {
    const shards = await Promise.all([0, 1, 2].map((i) => cliAsync(["train", train, ...sweep, "--jobs", "1", "--shard", `${i}/3`, "--record", `shard-${i}.nfrun`])));
    for (const s of shards) assert.equal(s.status, 0, s.stderr);
    const merged = cli(["merge", "shard-0.nfrun", "shard-1.nfrun", "shard-2.nfrun", "-o", "all.nfrun"]);
    assert.equal(merged.status, 0, merged.stderr);
    assert.match(merged.stdout, /merged 4 runs from 3 files \(each verified\) into all\.nfrun/);
    assert.deepEqual(await content(join(work, "all.nfrun")), serial);
    assert.equal(cli(["verify", "all.nfrun"]).status, 0);
  });

  const refusals: [string, () => string[], RegExp][] = [
    ["the same file twice", () => ["serial.nfrun", "serial.nfrun"], /serial\.nfrun: run [0-9a-f-]+ is also in serial\.nfrun; a run is merged once/],
    ["a shard run again (same configs, new run ids)", () => ["serial.nfrun", "parallel.nfrun"], /parallel\.nfrun: run [0-9a-f-]+ has the config .* of a run in serial\.nfrun: the same run twice/],
    ["not a run file", () => (writeFileSync(join(work, "junk.nfrun"), "not sqlite at all"), ["serial.nfrun", "junk.nfrun"]), /junk\.nfrun: not a NeuroForge run file/],
    ["a truncated run file", () => (writeFileSync(join(work, "cut.nfrun"), readFileSync(join(work, "shard-0.nfrun")).subarray(0, 5000)), ["serial.nfrun", "cut.nfrun"]), /cut\.nfrun: /],
    ["a missing file", () => ["serial.nfrun", "nowhere.nfrun"], /nowhere\.nfrun: /],
    ["one input", () => ["serial.nfrun"], /merge: give two or more run files/],
  ];
  for (const [what, inputs, pattern] of refusals) {
    it(`merge refuses ${what}: one line, exit 2, nothing written`, () => {
      const out = `out-${what.replace(/\W+/g, "-")}.nfrun`;
      const r = cli(["merge", ...inputs(), "-o", out]);
      assert.equal(r.status, 2, r.stdout + r.stderr);
      assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
      assert.match(r.stderr, pattern);
      assert.ok(!existsSync(join(work, out)));
    });
  }

  it("merge refuses an existing output, and a tampered input that no longer verifies", async () => {
    const r = cli(["merge", "shard-0.nfrun", "shard-1.nfrun", "-o", "serial.nfrun"]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /-o serial\.nfrun: exists; merge writes a new file/);
    // Change one committed loss in a copy: the digest (and the replay) no longer match.
    const reader = await NfrunReader.open(join(work, "shard-1.nfrun"));
    reader.db.run("UPDATE commits SET loss = loss + 1 WHERE t = 1");
    writeFileSync(join(work, "tampered.nfrun"), reader.db.export());
    reader.close();
    const t = cli(["merge", "shard-0.nfrun", "tampered.nfrun", "-o", "t.nfrun"]);
    assert.equal(t.status, 2, t.stderr);
    assert.match(t.stderr, /tampered\.nfrun: does not verify: /);
    assert.ok(!existsSync(join(work, "t.nfrun")));
  });

  it("--shard errors name the flag (exit 2)", () => {
    for (const [shard, pattern] of [["3/3", /--shard: expected i\/n with 0 ≤ i < n/], ["0/5", /--shard 0\/5: 5 shards for 4 runs/], ["x", /--shard: expected i\/n/]] as const) {
      const r = cli(["train", train, ...sweep, "--shard", shard]);
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, pattern);
    }
  });
});
