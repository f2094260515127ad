/**
 * Runs under the non-finite guard verify: `nonfinite: sanitize` runs that really go non-finite (lr 1e150, or
 * one NaN input) record every sanitization as a `nonfinite` event — the samples left out,
 * the weights a commit set to 0 — and `neuroforge verify` replays them (exit 0), also restored mid-run
 * after sanitized commits it did not replay (their optimizer state resets). A changed weight list, a
 * missing event or a changed sanitized weight in a snapshot fails, naming it (exit 1). A `nonfinite: stop`
 * run verifies as failed, with its event. Real CLI (bin/neuroforge.cjs), real sql.js files.
 */
import assert from "node:assert/strict";
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { generators } from "../../kernel/engine/datasets/generators";
import { Model } from "../../kernel/engine/model";
import { adam } from "../../kernel/engine/optimizers/adam";
import { sgd } from "../../kernel/engine/optimizers/sgd";
import { Trainer, type TrainerOptions } from "../../kernel/engine/trainer";
import { openRun, RunRecorder, thetaSeries, verifyFile } from "../../kernel/record";
import { weightsAfter } from "../../kernel/record/weight-trace";
import type { RecordingPolicy } from "../../kernel/record/policy";
import { tamperedCopy } from "./support/tamper";

const repo = resolve(__dirname, "../..");
const work = mkdtempSync(join(tmpdir(), "nf-verify-sanitize-"));
const cli = (args: readonly string[]): SpawnSyncReturns<string> =>
  spawnSync(process.execPath, [join(repo, "bin", "neuroforge.cjs"), ...args], { cwd: work, encoding: "utf8", timeout: 120_000, env: { ...process.env, NO_COLOR: "1" } });

before(() => {
  const build = spawnSync(process.execPath, [join(repo, "esbuild.mjs")], { cwd: repo, encoding: "utf8" });
  assert.equal(build.status, 0, build.stderr);
});
after(() => rmSync(work, { recursive: true, force: true }));

interface Event {
  readonly seq: number;
  readonly t: number | null;
  readonly position: number | null;
  readonly data: { sanitized?: { weights: number[]; value: number } } | null;
}

async function nonfiniteEvents(file: string): Promise<Event[]> {
  const r = await openRun(file);
  try {
    const rows = r.query("SELECT seq, t, position, data_json FROM events WHERE kind = 'nonfinite' ORDER BY seq");
    return rows.map(([seq, t, position, json]) => ({ seq: Number(seq), t: t === null ? null : Number(t), position: position === null ? null : Number(position), data: json === null ? null : JSON.parse(String(json)) }));
  } finally {
    r.close();
  }
}

/** A 2-4-1 linear net on 40 circles points, SGD with momentum unless `options` say otherwise. */
async function record(name: string, options: Partial<TrainerOptions>, policy: RecordingPolicy = {}, poison?: number): Promise<string> {
  const data = generators.circles({ count: 40, noise: 0.05, seed: 3 });
  if (poison !== undefined) data.inputs[poison * data.inputSize] = NaN;
  const model = new Model({ inputs: 2, layers: [{ units: 4, activation: "linear" }, { units: 1, activation: "linear" }] });
  model.initialize({ name: "xavier_uniform" }, 2);
  const file = join(work, name);
  const rec = await RunRecorder.create(file, { data, epochs: 4, policy });
  const trainer = new Trainer({ model, loss: "mse", strategy: sgd, hyperparameters: { lr: 0.01, momentum: 0.9 }, batchSize: 8, shuffle: true, seed: 4, ...options, observers: [rec, ...(options.observers ?? [])] });
  rec.finish(trainer.fit(data, 4));
  return file;
}

describe("verify replays the non-finite guard", () => {
  const blown = join(work, "blown.nfrun");

  it("a sanitize run trained by the CLI that overflows verifies: every sanitized commit logged with its weights", async () => {
    const yaml = join(work, "blow.yaml");
    writeFileSync(yaml, [
      "name: blow", "seed: 0", "data: { generator: circles, count: 40, noise: 0.05, seed: 0 }",
      "model:", "  layers:", "    - { units: 4, activation: linear }", "    - { units: 1, activation: linear }",
      "loss: mse", "optimizer: { name: sgd, lr: 1.0e+150, momentum: 0.9 }", "training: { batch_size: 8, epochs: 4, shuffle: true }",
      "health: { nonfinite: sanitize }", "",
    ].join("\n"));
    const train = cli(["train", yaml, "--record", blown]);
    assert.equal(train.status, 0, train.stdout + train.stderr);
    const events = await nonfiniteEvents(blown);
    const commits = events.filter((e) => e.data?.sanitized);
    assert.ok(commits.length >= 3, `${commits.length} sanitized commits`);
    assert.ok(events.some((e) => e.position !== null && e.position >= 0), "samples with a non-finite loss were left out");
    for (const e of commits) {
      assert.equal(e.data!.sanitized!.value, 0);
      assert.ok(e.data!.sanitized!.weights.length > 0);
    }
    const v = cli(["verify", blown]);
    assert.equal(v.status, 0, v.stdout + v.stderr);
    assert.match(v.stdout, /\(failed\): 4 recorded epochs, 20 commits/);
  });

  it("a run restored mid-run after sanitized commits steps their weights from a fresh optimizer state", async () => {
    // Adam at lr 1e308 overflows weights; its bias corrections then run on each sanitized weight's own timestep.
    const sparse = await record("sparse.nfrun", { strategy: adam, hyperparameters: { lr: 1e308 }, nonfinite: "sanitize" }, { epochs: { every: 2 } });
    assert.ok((await nonfiniteEvents(sparse)).some((e) => (e.data?.sanitized?.weights.length ?? 0) > 0 && e.t !== null && e.t <= 5), "sanitized weights in the unrecorded first epoch");
    const v = await verifyFile(sparse);
    assert.ok(v.ok, JSON.stringify(v.mismatch));
    assert.equal(v.runs[0]!.commitsChecked, 10);
  });

  it("θ[t] series follow the sanitizations: every weight equals the live one after every commit", async () => {
    const live = new Map<number, Float64Array>();
    const file = await record("series.nfrun", { strategy: adam, hyperparameters: { lr: 1e308 }, nonfinite: "sanitize", observers: [{ onCommit: (e) => void live.set(e.t, e.trainer.model.params.slice()) }] });
    const sanitized = (await nonfiniteEvents(file)).filter((e) => (e.data?.sanitized?.weights.length ?? 0) > 0);
    assert.ok(sanitized.length >= 2, `${sanitized.length} commits sanitized weights`);
    const r = await openRun(file);
    try {
      const runId = r.runIds()[0]!;
      const s = thetaSeries(r, runId);
      assert.ok(!("kind" in s), JSON.stringify(s));
      for (let t = 1; t <= 20; t++) {
        for (let i = 0; i < s.width; i++) assert.ok(Object.is(s.values[t * s.width + i], live.get(t)![i]), `weight ${i} after t=${t}: ${s.values[t * s.width + i]} vs ${live.get(t)![i]}`);
      }
      // The editor's playback draws weightsAfter: the sanitized weights at 0 right after their commit.
      const ctx = r.context(runId);
      const e = sanitized[0]!;
      const w = e.data!.sanitized!.weights.find((i) => i >= 12)!;
      const after = weightsAfter(r, ctx, e.t!, 1, 0)!;
      assert.ok(Object.is(after[w - 12], 0), `weight ${w} after t=${e.t}: ${after[w - 12]}`);
    } finally {
      r.close();
    }
  });

  it("a sample whose loss is non-finite is left out of its batch's loss, and the run trains on", async () => {
    const poisoned = await record("poisoned.nfrun", { nonfinite: "sanitize" }, {}, 7);
    const events = await nonfiniteEvents(poisoned);
    assert.equal(events.length, 4, "one left-out sample per epoch");
    assert.ok(events.every((e) => e.position !== null && e.position >= 0 && !e.data?.sanitized));
    const r = await openRun(poisoned);
    const trace = r.trace(r.runIds()[0]!);
    r.close();
    assert.ok(trace.loss.every(Number.isFinite), "every batch loss finite: the bad sample is not in it");
    const v = await verifyFile(poisoned);
    assert.ok(v.ok, JSON.stringify(v.mismatch));
    assert.equal(v.runs[0]!.samplesChecked, 160);
    // Without its event the left-out sample is a silent sanitization: a mismatch at that sample.
    const first = events[0]!;
    const silent = await tamperedCopy(poisoned, work, "silent.nfrun", (db) => db.run(`DELETE FROM events WHERE kind = 'nonfinite' AND seq = ${first.seq}`));
    const s = await verifyFile(silent);
    assert.equal(s.mismatch?.what, "non-finite loss without its nonfinite event");
    assert.equal(s.mismatch?.position, first.position);
  });

  it("a changed weight list, a missing event or a changed sanitized weight fails, naming it (exit 1)", async () => {
    const events = await nonfiniteEvents(blown);
    const e = events.find((x) => x.data?.sanitized)!;
    const list = e.data!.sanitized!.weights;
    const other = list.map((i) => (i === 0 ? 1 : i - 1));
    const moved = await tamperedCopy(blown, work, "moved.nfrun", (db) =>
      db.run("UPDATE events SET data_json = ? WHERE kind = 'nonfinite' AND seq = ?", [JSON.stringify({ ...e.data, sanitized: { weights: other, value: 0 } }), e.seq]));
    const m = cli(["verify", moved]);
    assert.equal(m.status, 1, m.stdout + m.stderr);
    assert.match(m.stdout + m.stderr, new RegExp(`sanitize event weights at run [0-9a-f-]+, t=${e.t}, epoch 0: expected \\[${list.join(", ")}\\], found \\[${other.join(", ")}\\]`));
    const dropped = await tamperedCopy(blown, work, "dropped.nfrun", (db) => db.run(`DELETE FROM events WHERE seq = ${e.seq} AND kind = 'nonfinite'`));
    const d = cli(["verify", dropped]);
    assert.equal(d.status, 1);
    assert.match(d.stdout + d.stderr, new RegExp(`non-finite commit without a sanitize event at run [0-9a-f-]+, t=${e.t}`));
    // The final snapshot holds the sanitized weight at 0; a 1 there is found where the replay has 0.
    const r = await openRun(blown);
    const runId = r.runIds()[0]!;
    const lastT = r.run(runId).commits;
    r.close();
    const last = events.filter((x) => x.data?.sanitized && x.t === lastT)[0];
    assert.ok(last, "the last commit was sanitized");
    const w = last.data!.sanitized!.weights[0]!;
    const changed = await tamperedCopy(blown, work, "changed.nfrun", (db) => {
      const blob = db.exec("SELECT weights FROM snapshots WHERE t = ?", [lastT])[0]!.values[0]![0] as Uint8Array;
      const weights = new Float64Array(blob.slice().buffer);
      assert.equal(weights[w], 0);
      weights[w] = 1;
      db.run("UPDATE snapshots SET weights = ? WHERE t = ?", [new Uint8Array(weights.buffer), lastT]);
    });
    const c = cli(["verify", changed]);
    assert.equal(c.status, 1);
    // 2-4-1: layer 0 holds weights 0 … 11 (3 per neuron), layer 1's neuron 12 … 16.
    const at = w < 12 ? `layer 0, neuron ${Math.floor(w / 3)}, weight ${w % 3}` : `layer 1, neuron 0, weight ${w - 12}`;
    assert.match(c.stdout + c.stderr, new RegExp(`weights at snapshot\\) at run [0-9a-f-]+, t=${lastT}, epoch 3, ${at}: expected 0, found 1`));
  });

  it("a nonfinite: stop run verifies, marked failed, with its event", async () => {
    const stopped = await record("stopped.nfrun", { hyperparameters: { lr: 1e150, momentum: 0.9 } });
    const events = await nonfiniteEvents(stopped);
    assert.equal(events.length, 1);
    assert.equal(events[0]!.data?.sanitized, undefined);
    const v = cli(["verify", stopped]);
    assert.equal(v.status, 0, v.stdout + v.stderr);
    assert.match(v.stdout, /\(failed\): 1 recorded epochs?, \d+ commits?/);
  });
});
