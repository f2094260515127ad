import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { datasetFromRows, Model, Trainer } from "../../kernel/engine";
import { getStrategy } from "../../kernel/engine/optimizers/registry";
import { NfrunReader, RunRecorder, verifyFile } from "../../kernel/record";
import { loadSqlJs } from "../../kernel/record/sqljs";
import { verifyCommand } from "../../kernel/runtime/verify-command";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nfrun-verify-"));
const repo = path.resolve(__dirname, "../..");

async function recordRun(file: string): Promise<string> {
  const xs: number[][] = [];
  const ys: number[][] = [];
  for (let i = 0; i < 40; i++) {
    const a = Math.sin(i * 0.37) * 2;
    const b = Math.cos(i * 0.91);
    xs.push([a, b]);
    ys.push([a * a + b * b < 1.5 ? 1 : 0]);
  }
  const data = datasetFromRows("rings", xs, ys);
  const model = new Model({ inputs: 2, layers: [{ units: 4, activation: "tanh" }, { units: 4, activation: "relu" }, { units: 1, activation: "sigmoid" }] });
  model.initialize({ name: "he_uniform" }, 3);
  const rec = await RunRecorder.create(file, { data, seed: 3, epochs: 3, checkpointSeconds: 3600 });
  const trainer = new Trainer({ model, loss: "bce", strategy: getStrategy("adam"), hyperparameters: { lr: 0.02, weight_decay: 1e-3 }, batchSize: 8, shuffle: true, seed: 3, observers: [rec] });
  rec.finish(trainer.fit(data, 3));
  return rec.runId;
}

/** Edits the file through SQLite (as a tamperer would) and writes it back. */
async function tamper(src: string, dst: string, edit: (db: import("sql.js").Database) => void): Promise<void> {
  const SQL = await loadSqlJs();
  const db = new SQL.Database(fs.readFileSync(src));
  edit(db);
  fs.writeFileSync(dst, db.export());
  db.close();
}

const quiet = () => {
  const lines: string[] = [];
  return { lines, sink: (l: string) => lines.push(l) };
};

test("verify passes on a good file (exit 0) and on every run in it", async () => {
  const file = path.join(dir, "good.nfrun");
  await recordRun(file);
  const r = await verifyFile(file);
  assert.equal(r.ok, true);
  assert.equal(r.runs[0]!.commitsChecked, 15);
  assert.equal(r.runs[0]!.samplesChecked, 120);
  assert.equal(r.runs[0]!.adjustmentsChecked, 15 * (12 + 20 + 5));
  const out = quiet();
  assert.equal(await verifyCommand(file, out.sink, out.sink), 0);
  assert.match(out.lines.join("\n"), /verified/);
});

test("verify catches one changed adjustment byte, with its location", async () => {
  const good = path.join(dir, "good2.nfrun");
  const runId = await recordRun(good);
  const bad = path.join(dir, "bad-adjustment.nfrun");
  // Adjustment block of [layer 1, neuron 2]; element (weight 3, commit first_t + 1): flip a mantissa byte.
  let firstT = 0;
  let C = 0;
  await tamper(good, bad, (db) => {
    const row = db.exec("SELECT first_t, commits, adjustment FROM adjustment_blocks WHERE run_id = ? AND layer = 1 AND neuron = 2 ORDER BY first_t LIMIT 1", [runId])[0]!.values[0]!;
    firstT = Number(row[0]);
    C = Number(row[1]);
    const blob = Uint8Array.from(row[2] as Uint8Array);
    blob[8 * (3 * C + 1) + 3] ^= 0x10;
    db.run("UPDATE adjustment_blocks SET adjustment = ? WHERE run_id = ? AND layer = 1 AND neuron = 2 AND first_t = ?", [blob, runId, firstT]);
  });
  assert.ok(C >= 2);
  const r = await verifyFile(bad);
  assert.equal(r.ok, false);
  const m = r.mismatch!;
  assert.match(m.what, /adjustment/);
  assert.deepEqual([m.t, m.layer, m.neuron, m.weight], [firstT + 1, 1, 2, 3]);
  const out = quiet();
  assert.equal(await verifyCommand(bad, out.sink, out.sink), 1);
  assert.match(out.lines.join("\n"), new RegExp(`MISMATCH: adjustment.*t=${firstT + 1}.*layer 1, neuron 2, weight 3`));
});

test("verify catches a changed sample blame, with its location", async () => {
  const good = path.join(dir, "good3.nfrun");
  const runId = await recordRun(good);
  const bad = path.join(dir, "bad-blame.nfrun");
  let col = 0;
  await tamper(good, bad, (db) => {
    col = Number(db.exec("SELECT col FROM recorded_neurons WHERE run_id = ? AND layer = 0 AND neuron = 1", [runId])[0]!.values[0]![0]);
    const R = Number(db.exec("SELECT count(*) FROM recorded_neurons WHERE run_id = ?", [runId])[0]!.values[0]![0]);
    const row = db.exec("SELECT blame FROM sample_chunks WHERE run_id = ? AND epoch = 1 AND first_position = 0", [runId])[0]!.values[0]!;
    const blame = new Float64Array(Uint8Array.from(row[0] as Uint8Array).buffer);
    blame[5 * R + col] = blame[5 * R + col]! * 1.0000001;
    db.run("UPDATE sample_chunks SET blame = ? WHERE run_id = ? AND epoch = 1 AND first_position = 0", [new Uint8Array(blame.buffer), runId]);
  });
  const m = (await verifyFile(bad)).mismatch!;
  assert.equal(m.what, "blame");
  assert.deepEqual([m.epoch, m.position, m.layer, m.neuron], [1, 5, 0, 1]);
});

test("verify catches a changed commit count", async () => {
  const good = path.join(dir, "good4.nfrun");
  const runId = await recordRun(good);
  const bad = path.join(dir, "bad-count.nfrun");
  await tamper(good, bad, (db) => db.run("UPDATE commits SET count = 7 WHERE run_id = ? AND t = 4", [runId]));
  const m = (await verifyFile(bad)).mismatch!;
  assert.equal(m.what, "count");
  assert.deepEqual([m.t, m.expected, m.found], [4, 8, 7]);
});

test("verify catches a changed snapshot weight (the before/after chain) and a changed a", async () => {
  const good = path.join(dir, "good5.nfrun");
  const runId = await recordRun(good);
  const bad = path.join(dir, "bad-chain.nfrun");
  const final = 15;
  await tamper(good, bad, (db) => {
    const w = new Float64Array(Uint8Array.from(db.exec("SELECT weights FROM snapshots WHERE run_id = ? AND t = ?", [runId, final])[0]!.values[0]![0] as Uint8Array).buffer);
    w[13] = w[13]! + 1e-9; // layer 1, neuron 0, weight 1 (layer 0 has 4 × 3 = 12 weights)
    db.run("UPDATE snapshots SET weights = ? WHERE run_id = ? AND t = ?", [new Uint8Array(w.buffer), runId, final]);
  });
  const m = (await verifyFile(bad)).mismatch!;
  assert.match(m.what, /after ≠ next before/);
  assert.deepEqual([m.t, m.layer, m.neuron, m.weight], [final, 1, 0, 1]);
  const bad2 = path.join(dir, "bad-a.nfrun");
  await tamper(good, bad2, (db) => {
    const a = new Float64Array(Uint8Array.from(db.exec("SELECT a FROM sample_chunks WHERE run_id = ? AND epoch = 2", [runId])[0]!.values[0]![0] as Uint8Array).buffer);
    a[0] = -a[0]!;
    db.run("UPDATE sample_chunks SET a = ? WHERE run_id = ? AND epoch = 2", [new Uint8Array(a.buffer), runId]);
  });
  const m2 = (await verifyFile(bad2)).mismatch!;
  assert.equal(m2.what, "a = f(z)");
  assert.deepEqual([m2.epoch, m2.position, m2.layer, m2.neuron], [2, 0, 0, 0]);
  // A file that cannot be read at all: exit code 2 with a plain message.
  const empty = path.join(dir, "empty.nfrun");
  fs.writeFileSync(empty, "");
  const out = quiet();
  assert.equal(await verifyCommand(empty, out.sink, out.sink), 2);
  assert.match(out.lines.join("\n"), /error \(empty\)/);
});

test("kill -9 during recording leaves a valid file marked interrupted that verifies", { timeout: 60_000 }, async () => {
  const file = path.join(dir, "killed.nfrun");
  const child = path.join(dir, "child.ts");
  const k = (p: string) => JSON.stringify(path.join(repo, p));
  fs.writeFileSync(
    child,
    `
import { datasetFromRows, Model, Trainer } from ${k("kernel/engine")};
import { getStrategy } from ${k("kernel/engine/optimizers/registry")};
import { RunRecorder } from ${k("kernel/record")};
async function main() {
  const xs: number[][] = [];
  const ys: number[][] = [];
  for (let i = 0; i < 200; i++) { const a = Math.sin(i), b = Math.cos(i * 1.7); xs.push([a, b]); ys.push([a * b]); }
  const data = datasetFromRows("long", xs, ys);
  const model = new Model({ inputs: 2, layers: [{ units: 8, activation: "tanh" }, { units: 1, activation: "linear" }] });
  model.initialize({ name: "xavier_uniform" }, 5);
  let told = false;
  const rec = await RunRecorder.create(${JSON.stringify(file)}, {
    data, checkpointSeconds: 0.05, // no planned epochs: it trains until killed, so its recording size is estimated per epoch
    onCheckpoint: () => { if (!told) { told = true; process.stdout.write("CHECKPOINT\\n"); } },
  });
  const trainer = new Trainer({ model, loss: "mse", strategy: getStrategy("adam"), hyperparameters: { lr: 0.001 }, batchSize: 7, shuffle: true, seed: 5, observers: [rec] });
  trainer.fit(data, 1000000);
}
main();
`,
  );
  const proc = spawn(process.execPath, ["--import", "tsx", child], { cwd: repo, stdio: ["ignore", "pipe", "inherit"] });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("child never checkpointed")), 45_000);
    proc.stdout!.on("data", (d: Buffer) => {
      if (d.toString().includes("CHECKPOINT")) {
        clearTimeout(timer);
        // Let it run a little further (more checkpoints, maybe mid-write), then kill without warning.
        setTimeout(() => {
          proc.kill("SIGKILL");
          resolve();
        }, 300);
      }
    });
    proc.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`child exited by itself (${code})`));
    });
  });
  await new Promise((r) => proc.once("exit", r));
  assert.equal(proc.signalCode, "SIGKILL");
  const reader = await NfrunReader.open(file);
  const [runId] = reader.runIds();
  const info = reader.run(runId!);
  assert.equal(info.status, "interrupted");
  assert.ok(info.commits > 0);
  assert.equal(reader.trace(runId!).t.length, info.commits);
  reader.close();
  const v = await verifyFile(file);
  assert.deepEqual(v.mismatch, null);
  assert.ok(v.runs[0]!.commitsChecked > 0);
  // Leftover temporary files (a kill during a checkpoint write) never replace the file itself.
  for (const f of fs.readdirSync(dir).filter((f) => f.startsWith("killed.nfrun.tmp-"))) fs.unlinkSync(path.join(dir, f));
});
