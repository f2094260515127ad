/**
 * A sweep on worker threads ends as a serial sweep does. Ctrl-C: the signal is passed to the running
 * members, which stop at their next sample; the first member is recorded as interrupted (the file
 * verifies), no later member is kept, and the exit code is the signal's (130). A member the recorder
 * refuses (too large to record): one line naming the --record file the user gave (not the worker's own
 * file), exit 2, as `--jobs 1` says it.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, describe, it } from "node:test";
import { NfrunReader } from "../../kernel/record";
import { verifyReader } from "../../kernel/record/verify";

const repo = resolve(__dirname, "../..");
const bin = join(repo, "bin", "neuroforge.cjs");
const work = mkdtempSync(join(tmpdir(), "nf-sweep-interrupt-"));
after(() => rmSync(work, { recursive: true, force: true }));

/** The pool's member files appear under the child's own TMPDIR once their recorders have started. */
const membersStarted = (dir: string): boolean =>
  readdirSync(dir).some((d) => d.startsWith("nf-sweep-") && readdirSync(join(dir, d)).some((f) => f.startsWith("member-")));

describe("a parallel sweep interrupted", () => {
  it("SIGINT: running members end interrupted, the first is recorded and verifies, later ones are not kept, exit 130", async () => {
    const temp = join(work, "tmp");
    mkdirSync(temp);
    const record = join(work, "int.nfrun");
    const args = ["train", join(repo, "samples/config/train.yaml"), "-m", "optimizer=adam,sgd,adamw", "training.epochs=100000", "data.count=100", "--jobs", "2", "--record", record, "--record-epochs", "last", "-q"];
    const child = spawn(process.execPath, [bin, ...args], { cwd: work, env: { ...process.env, TMPDIR: temp, NO_COLOR: "1" } });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((done) => child.on("close", (code) => done(code)));
    const deadline = Date.now() + 120_000;
    while (!membersStarted(temp)) {
      assert.ok(Date.now() < deadline, "the members started recording");
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 500));
    child.kill("SIGINT");
    assert.equal(await exited, 130, stderr);
    assert.match(stderr, /interrupted after \d+ of 100000 epochs/);
    assert.ok(existsSync(record));
    const reader = await NfrunReader.open(record);
    try {
      const runs = reader.runs();
      assert.equal(runs.length, 1, "only the first member is kept");
      assert.equal(runs[0]!.status, "interrupted");
      assert.equal((reader.config(runs[0]!.runId).config as { optimizer: { name: string } }).optimizer.name, "adam");
      assert.ok(verifyReader(reader).ok);
    } finally {
      reader.close();
    }
  });

  it("a member too large to record: one line naming the --record file, exit 2, as with --jobs 1", () => {
    const lines = [1, 2].map((jobs) => {
      const args = ["train", join(repo, "samples/config/train.yaml"), "-m", "optimizer=adam,sgd", "training.epochs=100000", "data.count=100", "--jobs", String(jobs), "--record", "big.nfrun", "-q"];
      const r = spawnSync(process.execPath, [bin, ...args], { cwd: work, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
      assert.equal(r.status, 2, r.stderr);
      assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
      assert.match(r.stderr, /^neuroforge: --record: big\.nfrun: recording this run would take about [\d.]+ GB/);
      return r.stderr;
    });
    assert.equal(lines[1], lines[0]);
    assert.ok(!existsSync(join(work, "big.nfrun")));
  });
});
