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
  "training: { batch_size: 10, epochs: 20000 }",
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
      assert.match(run.out.stderr, new RegExp(`interrupted \\(${signal}\\) after \\d+ of 20000 epochs`));
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

describe("clear words: config limits, divergence causes, paths, terminal text", { timeout: 4 * BOUND_MS }, () => {
  it("a YAML alias bomb and a deeply nested JSON experiment: one line each, exit 2", () => {
    const levels = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"];
    for (const [k, name] of [..."bcdefghi"].entries()) levels.push(`${name}: &${name} [${Array(9).fill(`*${"abcdefghi"[k]}`).join(", ")}]`);
    const bomb = cli(["train", config("bomb.yaml", levels.join("\n"))]);
    assert.equal(bomb.status, 2, bomb.stderr);
    assert.match(bomb.stderr, /^neuroforge: invalid experiment: .*bomb\.yaml: invalid YAML: aliases expand to too much data/);
    assert.equal(bomb.stderr.trim().split("\n").length, 1, bomb.stderr);

    const deep = cli(["train", config("deep.json", `{"name": ${"[".repeat(100_000)}${"]".repeat(100_000)}}`)]);
    assert.equal(deep.status, 2, deep.stderr);
    assert.match(deep.stderr, /^neuroforge: invalid experiment: .*deep\.json: nested deeper than 64 levels/);
    assert.equal(deep.stderr.trim().split("\n").length, 1, deep.stderr);
  });

  it("divergence names its real cause: a step that overflows says 'non-finite step norm', not a loss", () => {
    const r = cli(["train", config("overflow.yaml", XOR.replace("lr: 0.5, momentum: 0.9", "lr: 1.0e+300"))]);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /training diverged in epoch 1: commit t=1 produced a non-finite step norm \(timestep 1\)/);
    assert.doesNotMatch(r.stderr, /\(loss /);
  });

  it("a loss stuck at the log(0) clamp for many commits is a warning on stderr and an event in the run", async () => {
    const file = join(work, "clamped.nfrun");
    const r = cli(["train", config("clamped.yaml", XOR.replace("lr: 0.5, momentum: 0.9", "lr: 1000").replace("epochs: 50", "epochs: 120")), "--record", file, "-q"]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /^warning: loss stuck at the log\(0\) clamp for 50 commits \(up to t=\d+\)/m);
    assert.equal(r.stderr.match(/warning:/g)?.length, 1, "warned once");
    const [run] = await storedRuns(file);
    assert.deepEqual(run?.events, ["start", "loss_clamped", "end"]);
    // The same XOR at a sane rate never reaches the clamp: no warning.
    const sane = cli(["train", config("sane.yaml", XOR), "-q"]);
    assert.equal(sane.stderr, "");
  });

  it("a OneCycle schedule whose first rate would be 0/0 is refused when the config loads, naming the field", () => {
    const r = cli(["train", config("onecycle.yaml", `${XOR}\nscheduler: { name: onecycle, pct_start: 0.25, total_steps: 4 }`)]);
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /onecycle\.yaml: scheduler\.pct_start: pct_start 0\.25 × total_steps 4 = 1 ends the warm-up at step 0, where the learning rate would be 0\/0/);
    noTraining(r);
    const fine = cli(["train", config("onecycle-ok.yaml", `${XOR}\nscheduler: { name: onecycle, pct_start: 0.3, total_steps: 50 }`), "-q"]);
    assert.equal(fine.status, 0, fine.stderr);
  });

  it("an experiment file cannot write outside its own folder; the command line can", () => {
    const dir = mkdtempSync(join(work, "exports-"));
    const outside = join(work, "outside.json");
    for (const [name, path, field] of [
      ["up.yaml", "../../escaped.json", "weights"],
      ["abs.yaml", outside, "audit_log"],
      ["cfg.yaml", "../x/../../cfg.json", "config"],
    ] as const) {
      const r = cli(["train", config(name, `${XOR}\nexport: { ${field}: ${JSON.stringify(path)} }`, dir)]);
      assert.equal(r.status, 2, `${name}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, new RegExp(`export\\.${field}: ".*" is outside the experiment's folder`));
      noTraining(r);
    }
    assert.ok(!readdirSync(work).includes("outside.json"));
    const inside = cli(["train", config("inside.yaml", `${XOR}\nexport: { weights: out/w.json }`, dir), "-q"]);
    assert.equal(inside.status, 0, inside.stderr);
    assert.ok(readdirSync(join(dir, "out")).includes("w.json"));
    const flag = cli(["train", config("plain.yaml", XOR, dir), "-q", "--weights-out", outside]);
    assert.equal(flag.status, 0, flag.stderr);
    assert.ok(readdirSync(work).includes("outside.json"), "a path given on the command line may go anywhere");
  });

  it("strings from files printed to the terminal have their control characters escaped", () => {
    const dir = mkdtempSync(join(work, "ctrl-"));
    writeFileSync(join(dir, "data.csv"), "hours\u001b]0;pwned\u0007,slept\u202e,passed\n1,2,0\n3,4,1\n5,1,1\n0,0,0\n");
    const exp = [
      'name: "evil\\e[31mred"',
      "model: { layers: [ { units: 2, activation: tanh }, { units: 1, activation: sigmoid } ] }",
      "data: { csv: { path: data.csv, targets: [passed] } }",
      "loss: bce",
      "optimizer: { name: sgd, lr: 0.1 }",
      "training: { epochs: 3 }",
    ].join("\n");
    const r = cli(["train", config("ctrl.yaml", exp, dir)]);
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stdout + r.stderr, /[\u001b\u0007\u202e]/, "no raw control characters");
    assert.match(r.stdout, /experiment evil\\x1b\[31mred/);
    assert.match(r.stdout, /inputs hours\\x1b\]0;pwned\\x07, slept\\u202e → targets passed/);
  });

  it("recording a model too large for memory is refused before training, with the estimate and how to record less", () => {
    const dir = mkdtempSync(join(work, "huge-"));
    const file = join(dir, "huge.nfrun");
    const started = performance.now();
    const r = cli(["train", config("huge.yaml", XOR.replace("units: 4,", "units: 1000000,"), dir), "--record", file]);
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /^neuroforge: --record: .*huge\.nfrun: recording this run would take about \d+(\.\d+)? [GT]B \(.* of weight adjustments, .* of snapshots/);
    assert.match(r.stderr, /more than the recorder holds in memory \(1\.1 GB\)\. Record less: .*--record-epochs last.*--record-layers, --record-neurons/);
    noTraining(r);
    assert.deepEqual(readdirSync(dir), ["huge.yaml"], "no file, no lock, no temp file");
    assert.ok(performance.now() - started < 20_000, "refused without training");
  });

  it("--record-epochs, --record-layers, --record-neurons choose what is recorded", async () => {
    const file = join(work, "policy.nfrun");
    const r = cli(["train", config("policy.yaml", XOR), "--record", file, "--record-epochs", "first=2,every=20,last", "--record-neurons", "1:0", "-q"]);
    assert.equal(r.status, 0, r.stderr);
    const SQL = await loadSqlJs();
    const db = new SQL.Database(readFileSync(file));
    const epochs = db.exec("SELECT epoch FROM recorded_epochs ORDER BY epoch")[0]!.values.map((v) => Number(v[0]));
    const neurons = db.exec("SELECT layer, neuron, weights FROM recorded_neurons ORDER BY layer, neuron")[0]!.values.map((v) => v.map(Number).join(":"));
    db.close();
    assert.deepEqual(epochs, [0, 1, 20, 40, 49]);
    // Neuron 1:0 with its adjustments; layer 0's four neurons as its inputs, without theirs.
    assert.deepEqual(neurons, ["0:0:0", "0:1:0", "0:2:0", "0:3:0", "1:0:1"]);
    assert.equal(cli(["verify", file]).status, 0);
    const bad = cli(["train", config("policy-bad.yaml", XOR), "--record", join(work, "p2.nfrun"), "--record-epochs", "sometimes"]);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--record-epochs: unknown part 'sometimes'/);
    const noLayer = cli(["train", config("policy-bad2.yaml", XOR), "--record", join(work, "p3.nfrun"), "--record-layers", "7"]);
    assert.equal(noLayer.status, 2, noLayer.stderr);
    assert.match(noLayer.stderr, /record\.layers: no layer 7/);
    noTraining(noLayer);
  });
});
