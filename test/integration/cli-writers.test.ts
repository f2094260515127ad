import assert from "node:assert/strict";
import { spawn, spawnSync, type SpawnSyncReturns } from "node:child_process";
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, describe, it, type TestContext } from "node:test";
import { loadSqlJs } from "../../kernel/record/sqljs";

/**
 * Writers never lose a run silently: the built CLI, spawned as a user runs it, against real files,
 * real signals, real pipes and (as root) real tmpfs mounts that are read-only or fill up.
 */
const repo = resolve(__dirname, "../..");
const bin = join(repo, "bin", "neuroforge.cjs");
const work = mkdtempSync(join(tmpdir(), "nf-writers-"));
const isRoot = process.getuid?.() === 0;
/** Every fault test ends within this (a hung writer fails the test instead of blocking the suite). */
const BOUND_MS = 60_000;

function cli(args: readonly string[], options: { cwd?: string; uid?: number; env?: NodeJS.ProcessEnv } = {}): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [bin, ...args], {
    cwd: options.cwd ?? work,
    encoding: "utf8",
    timeout: BOUND_MS,
    env: { ...process.env, NO_COLOR: "1", ...options.env },
    ...(options.uid !== undefined ? { uid: options.uid, gid: options.uid } : {}),
  });
}

const XOR = [
  "name: xor",
  "model: { layers: [ { units: 4, activation: tanh }, { units: 1, activation: sigmoid } ] }",
  "data: { generator: xor, count: 4, noise: 0 }",
  "loss: bce",
  "optimizer: { name: sgd, lr: 0.5, momentum: 0.9 }",
  "training: { batch_size: 4, epochs: 50 }",
].join("\n");

/** Trains until stopped: a million epochs of circles. */
const LONG = [
  "model: { layers: [ { units: 8, activation: tanh }, { units: 1, activation: sigmoid } ] }",
  "data: { generator: circles, count: 100 }",
  "loss: bce",
  "optimizer: { name: adam, lr: 0.01 }",
  "training: { batch_size: 10, epochs: 1000000 }",
].join("\n");

function config(name: string, text: string, dir = work): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

/** A running CLI: its output so far, a promise of the first progress line, and of its exit. */
function start(args: readonly string[], cwd = work) {
  const child = spawn(process.execPath, [bin, ...args], { cwd, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1" } });
  const out = { stdout: "", stderr: "" };
  child.stderr.on("data", (d: Buffer) => (out.stderr += d.toString()));
  const training = new Promise<void>((res) =>
    child.stdout.on("data", (d: Buffer) => {
      out.stdout += d.toString();
      if (/^epoch +1\//m.test(out.stdout)) res();
    }),
  );
  const timer = setTimeout(() => child.kill("SIGKILL"), BOUND_MS);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) =>
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      res({ code, signal });
    }),
  );
  return { child, out, training, exited };
}

interface StoredRun {
  status: string;
  commits: number;
  commitRows: number;
  epochsDone: number;
  events: string[];
}

/** The runs in a .nfrun, read with sql.js (the same SQLite the file was written with). */
async function storedRuns(file: string): Promise<StoredRun[]> {
  const SQL = await loadSqlJs();
  const db = new SQL.Database(readFileSync(file));
  try {
    const runs = db.exec("SELECT run_id, status, commits, epochs_done FROM runs ORDER BY started_ms")[0]?.values ?? [];
    return runs.map(([id, status, commits, epochsDone]) => ({
      status: String(status),
      commits: Number(commits),
      epochsDone: Number(epochsDone),
      commitRows: Number(db.exec("SELECT count(*) FROM commits WHERE run_id = ?", [id!])[0]!.values[0]![0]),
      events: (db.exec("SELECT kind FROM events WHERE run_id = ? ORDER BY seq", [id!])[0]?.values ?? []).map((r) => String(r[0])),
    }));
  } finally {
    db.close();
  }
}

const leftovers = (dir: string): string[] => readdirSync(dir).filter((f) => /\.tmp-\d+$|\.lock$/.test(f));
const noTraining = (r: SpawnSyncReturns<string>): void => assert.doesNotMatch(r.stdout, /^epoch /m, "nothing was trained");

/** A tmpfs of `size` at a fresh folder (root only), unmounted after the test. */
function mountTmpfs(t: TestContext, options: string): string | null {
  if (!isRoot) {
    t.skip("needs root to mount a tmpfs");
    return null;
  }
  const dir = mkdtempSync(join(work, "mnt-"));
  const r = spawnSync("mount", ["-t", "tmpfs", "-o", options, "tmpfs", dir], { encoding: "utf8" });
  assert.equal(r.status, 0, `mount -t tmpfs -o ${options}: ${r.stderr}`);
  t.after(() => spawnSync("umount", [dir]));
  return dir;
}

before(() => {
  const build = spawnSync(process.execPath, [join(repo, "esbuild.mjs")], { cwd: repo, encoding: "utf8" });
  assert.equal(build.status, 0, build.stderr);
});
after(() => rmSync(work, { recursive: true, force: true }));

describe("writers never lose a run", { timeout: 4 * BOUND_MS }, () => {
  it("one writer per file: a second recorder of the same file is refused before it trains (exit 2)", async () => {
    const file = join(work, "same.nfrun");
    const long = config("long-lock.yaml", LONG);
    const first = start(["train", long, "--record", file]);
    await first.training;
    const second = cli(["train", config("xor-lock.yaml", XOR), "--record", file]);
    assert.equal(second.status, 2, second.stdout + second.stderr);
    assert.match(second.stderr, new RegExp(`same\\.nfrun: is being recorded by process ${first.child.pid} `));
    assert.equal(second.stderr.trim().split("\n").length, 1, "one line");
    noTraining(second);
    first.child.kill("SIGINT");
    const { code } = await first.exited;
    assert.equal(code, 130, first.out.stderr);
    const runs = await storedRuns(file);
    assert.deepEqual(runs.map((r) => r.status), ["interrupted"], "the first run is recorded, nothing of the second");
    assert.deepEqual(leftovers(work), [], "lock released, no temp file");
  });

  it("a stale lock and temp file of a dead process are taken over and removed", () => {
    const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
    const pid = Number(dead.stdout);
    assert.ok(pid > 0);
    const dir = mkdtempSync(join(work, "stale-"));
    const file = join(dir, "run.nfrun");
    writeFileSync(`${file}.lock`, `${pid}\n`);
    writeFileSync(`${file}.tmp-${pid}`, "half a checkpoint");
    const r = cli(["train", config("xor.yaml", XOR, dir), "--record", file, "-q"]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /recorded to .*run\.nfrun \(completed\)/);
    assert.deepEqual(leftovers(dir), []);
  });

  it("a run that diverges on its first sample is recorded as failed, with its nonfinite event", async () => {
    const file = join(work, "first-sample.nfrun");
    const diverge = config(
      "first-sample.yaml",
      [
        "model: { layers: [ { units: 1, activation: linear } ], init: { name: constant, value: 1.0e+200 } }",
        "data: { generator: plane, count: 20 }",
        "loss: mse",
        "optimizer: { name: sgd, lr: 0.1 }",
        "training: { epochs: 5 }",
      ].join("\n"),
    );
    const r = cli(["train", diverge, "--record", file]);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /recorded to .*first-sample\.nfrun \(failed\)/);
    assert.match(r.stderr, /diverged in epoch 1: loss is Infinity at epoch 0, sample 0/);
    const [run] = await storedRuns(file);
    assert.equal(run?.status, "failed");
    assert.deepEqual(run?.events, ["start", "nonfinite", "end"]);
    assert.equal(cli(["verify", file]).status, 0, "the file is a valid run file");
  });

  it("`train … --record x.nfrun | head -1`: the closed pipe stops the printing, not the run", async () => {
    const file = join(work, "piped.nfrun");
    const child = spawn(process.execPath, [bin, "train", config("xor-pipe.yaml", XOR.replace("epochs: 50", "epochs: 3000")), "--record", file], {
      cwd: work,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    // Like `head -1`: read the first line, then close the pipe.
    child.stdout.once("data", () => child.stdout.destroy());
    const code = await new Promise<number | null>((res) => child.on("exit", res));
    assert.equal(code, 0, stderr);
    assert.equal(stderr, "", "no EPIPE error");
    const [run] = await storedRuns(file);
    assert.equal(run?.status, "completed");
    assert.equal(run?.commits, 3000);
  });

  for (const [signal, code] of [
    ["SIGTERM", 143],
    ["SIGHUP", 129],
  ] as const) {
    it(`${signal} stops like Ctrl-C: the file complete up to the stop, interrupted, 'end' event, no temp file (exit ${code})`, async () => {
      const dir = mkdtempSync(join(work, `${signal}-`));
      const file = join(dir, "run.nfrun");
      const run = start(["train", config("long.yaml", LONG, dir), "--record", file], dir);
      await run.training;
      run.child.kill(signal);
      const exit = await run.exited;
      assert.deepEqual(exit, { code, signal: null }, run.out.stderr);
      assert.match(run.out.stderr, new RegExp(`interrupted \\(${signal}\\) after \\d+ of 1000000 epochs`));
      const [stored] = await storedRuns(file);
      assert.equal(stored?.status, "interrupted");
      assert.equal(stored?.events.at(-1), "end");
      assert.ok(stored!.commits > 0 && stored!.commits === stored!.commitRows, `every commit up to the stop is in the file (${stored!.commits})`);
      assert.deepEqual(leftovers(dir), []);
      assert.equal(cli(["verify", file]).status, 0);
    });
  }

  it("a destination that cannot be written is refused before training: missing folder, no permission", () => {
    const xor = config("xor-dest.yaml", XOR);
    const missing = cli(["train", xor, "--record", join(work, "no-such-folder", "x.nfrun")]);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /^neuroforge: --record: .*no-such-folder\/x\.nfrun: cannot be written: the folder .*no-such-folder does not exist\n$/);
    noTraining(missing);

    // Root writes anywhere: the permission case runs the CLI as `nobody` in a folder it cannot write.
    if (!isRoot) return;
    chmodSync(work, 0o755);
    const locked = mkdtempSync(join(work, "root-only-"));
    chmodSync(locked, 0o755);
    const denied = cli(["train", xor, "--record", join(locked, "x.nfrun")], { uid: 65534 });
    assert.equal(denied.status, 2, denied.stdout + denied.stderr);
    assert.match(denied.stderr, /x\.nfrun: cannot be written: no permission to create files in /);
    noTraining(denied);
  });

  it("a read-only file system is refused before training", (t) => {
    const dir = mountTmpfs(t, "size=1m,ro");
    if (!dir) return;
    const r = cli(["train", config("xor-ro.yaml", XOR), "--record", join(dir, "x.nfrun")]);
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /x\.nfrun: cannot be written: .* is on a read-only file system/);
    noTraining(r);
  });

  it("a disk that fills mid-run: one line naming the path and the cause, exit 1, temp removed, the existing file untouched", async (t) => {
    const dir = mountTmpfs(t, "size=2m");
    if (!dir) return;
    const file = join(dir, "full.nfrun");
    // An existing run file (recorded elsewhere, copied in): ~1.3 MB, so a checkpoint's copy cannot fit beside it.
    const seed = join(work, "seed.nfrun");
    assert.equal(cli(["train", config("xor-seed.yaml", XOR), "--record", seed, "-q"]).status, 0);
    writeFileSync(file, readFileSync(seed));
    const before = readFileSync(file);
    const run = start(["train", config("long-full.yaml", LONG), "--record", file]);
    const exit = await run.exited;
    assert.equal(exit.code, 1, run.out.stdout + run.out.stderr);
    const errors = run.out.stderr.trim().split("\n");
    assert.equal(errors.length, 1, run.out.stderr);
    assert.match(errors[0]!, /^neuroforge: .*full\.nfrun: cannot be written: no space left on the device \(ENOSPC\) \(the file on disk is unchanged\)$/);
    assert.deepEqual(readFileSync(file), before, "the existing file is untouched");
    assert.deepEqual(leftovers(dir), []);
  });
});

describe("the CLI speaks in one line, never a stack trace", () => {
  it("an existing file that is not a run file: one line naming it, exit 2, nothing trained", () => {
    const bogus = join(work, "bogus.nfrun");
    writeFileSync(bogus, "not a database at all, just text that is long enough to have a header of sorts");
    const r = cli(["train", config("xor-bogus.yaml", XOR), "--record", bogus]);
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
    assert.match(r.stderr, /bogus\.nfrun/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
    noTraining(r);
  });
});
