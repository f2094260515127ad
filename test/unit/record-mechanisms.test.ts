/**
 * Recording runs with clipping, no-decay groups, accumulation and Lookahead: recorded and verified,
 * weightTrace replays them (checked against what the engine did and hand formulas); configs that do not
 * describe the trainer are refused before anything is written.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { generators } from "../../kernel/engine/datasets/generators";
import { Model } from "../../kernel/engine/model";
import type { Database } from "sql.js";
import type { TrainingObserver } from "../../kernel/engine/observer";
import { adamw } from "../../kernel/engine/optimizers/adamw";
import { sgd } from "../../kernel/engine/optimizers/sgd";
import { Trainer, type TrainerOptions } from "../../kernel/engine/trainer";
import { NfrunReader, RunRecorder, verifyFile } from "../../kernel/record";
import { loadSqlJs } from "../../kernel/record/sqljs";

const dir = mkdtempSync(join(tmpdir(), "nf-record-mech-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const data = generators.circles({ count: 40, noise: 0.05, seed: 1 });

function trainer(extra: Partial<TrainerOptions>, observers: TrainerOptions["observers"]): Trainer {
  const model = new Model({ inputs: 2, layers: [{ units: 4, activation: "tanh" }, { units: 1, activation: "sigmoid" }] });
  model.initialize({ name: "xavier_uniform" }, 5);
  return new Trainer({ model, loss: "bce", strategy: adamw, hyperparameters: { lr: 0.05, weight_decay: 0.1 }, batchSize: 5, observers, ...extra });
}

describe("recording clipping, parameter groups, accumulation", () => {
  it("records (default config) and verify replays them exactly", async () => {
    const path = join(dir, "mech.nfrun");
    const rec = await RunRecorder.create(path, { data, epochs: 3 });
    const t = trainer({ clipGradNorm: 0.05, accumulateSteps: 2, noDecay: { patterns: ["bias"] } }, [rec]);
    const result = t.fit(data, 3);
    rec.finish(result);
    const v = await verifyFile(path);
    assert.ok(v.ok, JSON.stringify(v.mismatch));
    assert.equal(v.runs[0]!.commitsChecked, 12);
  });

  it("refuses a config that does not describe the trainer (clipping, Lookahead), nothing written", async () => {
    const path = join(dir, "refused.nfrun");
    const rec = await RunRecorder.create(path, { data, epochs: 1, config: { training: { clip_grad_norm: 0 } } });
    assert.throws(() => trainer({ clipGradNorm: 1 }, [rec]).fit(data, 1), /does not describe the trainer's clipping/);
    const rec2 = await RunRecorder.create(path, { data, epochs: 1, config: { lookahead: { enabled: true, k: 2, alpha: 0.6 } } });
    assert.throws(() => trainer({ lookahead: { k: 2, alpha: 0.5 } }, [rec2]).fit(data, 1), /does not describe the trainer's clipping \/ parameter groups \/ Lookahead/);
    assert.ok(!existsSync(path));
  });
});

/** What the engine itself did at one commit for one weight (an observer beside the recorder). */
interface Seen {
  avg: Float64Array;
  before: number;
  adjustment: number;
  clipNorm: number;
  clipScale: number;
}
function watcher(i: number, seen: Map<number, Seen>, params: () => Float64Array, fast: Map<number, number>, synced: Map<number, number>): TrainingObserver {
  return {
    wantsCommitDetail: true,
    onCommit(e) {
      const r = e.record!;
      seen.set(e.t, { avg: Float64Array.from(r.avg), before: r.before[i]!, adjustment: r.adjustment[i]!, clipNorm: e.clipNorm, clipScale: e.clipScale });
      fast.set(e.t, params()[i]!);
    },
    onNotice(n) {
      if (n.kind === "lookahead_sync") synced.set(n.t!, params()[i]!);
    },
  };
}

function sgdTrainer(extra: Partial<TrainerOptions>, observers: TrainerOptions["observers"]): Trainer {
  const model = new Model({ inputs: 2, layers: [{ units: 4, activation: "tanh" }, { units: 1, activation: "sigmoid" }] });
  model.initialize({ name: "xavier_uniform" }, 5);
  return new Trainer({ model, loss: "bce", strategy: sgd, hyperparameters: { lr: 0.3, weight_decay: 0.2 }, batchSize: 5, observers, ...extra });
}

describe("weightTrace applies the run's clipping and parameter groups", () => {
  it("clipped SGD with no-decay biases: audit g = avg·scale + λθ (weights), avg·scale (biases); adjustment = before − after", async () => {
    const path = join(dir, "clip-groups.nfrun");
    const c = 0.02;
    const rec = await RunRecorder.create(path, { data, epochs: 2, snapshotCommits: 5 });
    // Weight [1, 0, 2] (output neuron, input 2) and its bias [1, 0, 4]; flat indices 4·3 + 2 and 4·3 + 4.
    const seenW = new Map<number, Seen>();
    const seenB = new Map<number, Seen>();
    let model!: Model;
    const p = () => model.params;
    const t = sgdTrainer({ clipGradNorm: c, noDecay: { patterns: ["bias"] } }, [rec, watcher(14, seenW, p, new Map(), new Map()), watcher(16, seenB, p, new Map(), new Map())]);
    model = t.model;
    rec.finish(t.fit(data, 2));
    const v = await verifyFile(path);
    assert.ok(v.ok, JSON.stringify(v.mismatch));
    const reader = await NfrunReader.open(path);
    try {
      for (const [weight, seen, lambda] of [[2, seenW, 0.2], [4, seenB, 0]] as const) {
        for (const at of [3, 7, 13]) {
          const wt = reader.weightTrace(rec.runId, 1, 0, weight, at);
          if (wt.kind !== "weight-trace") throw new Error(wt.reason);
          const s = seen.get(at)!;
          // ‖avg‖ over every weight, and torch's scale, by hand.
          let sum = 0;
          for (const a of s.avg) sum += a * a;
          const norm = Math.sqrt(sum);
          const scale = Math.min(1, c / (norm + 1e-6));
          assert.ok(scale < 0.5, `the clip must bite (scale ${scale})`);
          assert.deepEqual(wt.commit.clip, { maxNorm: c, norm, scale });
          assert.equal(s.clipScale, scale);
          const avg = s.avg[weight === 2 ? 14 : 16]!;
          assert.equal(wt.commit.avg, avg);
          const g = lambda === 0 ? avg * scale : avg * scale + lambda * s.before;
          assert.equal(wt.commit.before, s.before);
          assert.equal(wt.commit.audit!["g+λθ"], g);
          assert.equal(wt.commit.weightDecay, lambda);
          assert.equal(wt.commit.recomputedAdjustment, 0.3 * g);
          assert.equal(wt.commit.adjustment, s.adjustment);
          assert.equal(wt.commit.recomputedAdjustment, wt.commit.adjustment);
          assert.equal(wt.commit.after, s.before - s.adjustment);
          assert.equal(wt.commit.after, wt.commit.before - wt.commit.adjustment);
          assert.equal(wt.commit.lookahead, null);
        }
      }
    } finally {
      reader.close();
    }
  });

  it("adamw with no-decay groups: the bias's recomputed adjustment equals the recorded one", async () => {
    const path = join(dir, "adamw-groups.nfrun");
    const rec = await RunRecorder.create(path, { data, epochs: 1, snapshotCommits: 3 });
    const t = trainer({ noDecay: { patterns: ["bias"] } }, [rec]);
    rec.finish(t.fit(data, 1));
    const reader = await NfrunReader.open(path);
    try {
      for (const weight of [0, 2]) {
        const wt = reader.weightTrace(rec.runId, 0, 1, weight, 5);
        if (wt.kind !== "weight-trace") throw new Error(wt.reason);
        assert.equal(wt.commit.recomputedAdjustment, wt.commit.adjustment);
        assert.equal(wt.commit.weightDecay, weight === 2 ? 0 : 0.1);
        assert.equal(wt.commit.clip, null);
      }
    } finally {
      reader.close();
    }
  });
});

describe("recording Lookahead", () => {
  const k = 3;
  const alpha = 0.5;
  async function record(path: string) {
    const rec = await RunRecorder.create(path, { data, epochs: 2, snapshotCommits: 4 });
    const seen = new Map<number, Seen>();
    const fast = new Map<number, number>();
    const synced = new Map<number, number>();
    let model!: Model;
    // Weight [0, 1, 0]: flat index 1·3 + 0.
    const t = sgdTrainer({ hyperparameters: { lr: 0.3 }, lookahead: { k, alpha } }, [rec, watcher(3, seen, () => model.params, fast, synced)]);
    model = t.model;
    rec.finish(t.fit(data, 2));
    return { runId: rec.runId, seen, fast, synced };
  }

  it("records, verifies, logs every sync with its t; weightTrace at a sync shows slow/fast by the formula", async () => {
    const path = join(dir, "lookahead.nfrun");
    const { runId, seen, fast, synced } = await record(path);
    const v = await verifyFile(path);
    assert.ok(v.ok, JSON.stringify(v.mismatch));
    assert.equal(v.runs[0]!.commitsChecked, 16);
    const reader = await NfrunReader.open(path);
    try {
      const syncs = reader.events(runId).filter((e) => e.kind === "lookahead_sync").map((e) => e.t);
      assert.deepEqual(syncs, [3, 6, 9, 12, 15]);
      assert.deepEqual([...synced.keys()], [3, 6, 9, 12, 15]);
      // Snapshots at t = 4 and 8 fall inside a period: their slow weights are stored.
      assert.deepEqual(reader.query("SELECT t FROM lookahead_slow WHERE run_id = ? ORDER BY t", [runId]).map((r) => Number(r[0])), reader.context(runId).snapshotTs);
      for (const at of [6, 9, 12]) {
        const wt = reader.weightTrace(runId, 0, 1, 0, at);
        if (wt.kind !== "weight-trace") throw new Error(wt.reason);
        const slowBefore = synced.get(at - k)!; // the weights at the period's start = the previous sync
        const fastBeforeSync = fast.get(at)!;
        const slowAfter = slowBefore + alpha * (fastBeforeSync - slowBefore);
        assert.deepEqual(wt.commit.lookahead, { k, alpha, slowBefore, fastBeforeSync, slowAfter });
        assert.equal(slowAfter, synced.get(at));
        assert.equal(wt.commit.after, slowAfter);
        assert.equal(wt.commit.before, fast.get(at - 1));
        assert.equal(wt.commit.before - wt.commit.adjustment, fastBeforeSync);
        assert.equal(wt.commit.adjustment, seen.get(at)!.adjustment);
        assert.equal(wt.commit.recomputedAdjustment, wt.commit.adjustment);
      }
      // The commit after a sync starts from the synced weight.
      const next = reader.weightTrace(runId, 0, 1, 0, 7);
      if (next.kind !== "weight-trace") throw new Error(next.reason);
      assert.equal(next.commit.before, synced.get(6));
      assert.equal(next.commit.lookahead, null);
      assert.equal(next.commit.after, next.commit.before - next.commit.adjustment);
    } finally {
      reader.close();
    }
  });

  it("verify catches a tampered synced weight, slow weight or sync event", async () => {
    const path = join(dir, "lookahead-good.nfrun");
    await record(path);
    const cases: [string, (db: Database) => void, RegExp][] = [
      ["synced weight at t=12", (db) => bump(db, "snapshots", "weights", 12), /Lookahead sync \(synced weights at snapshot\)/],
      ["slow weight at t=8", (db) => bump(db, "lookahead_slow", "slow", 8), /Lookahead slow weights at snapshot/],
      ["sync event removed", (db) => db.run("DELETE FROM events WHERE kind = 'lookahead_sync' AND t = 9"), /Lookahead sync event/],
    ];
    for (const [name, edit, what] of cases) {
      const bad = join(dir, `lookahead-bad-${name.replace(/\W+/g, "-")}.nfrun`);
      const SQL = await loadSqlJs();
      const db = new SQL.Database(readFileSync(path));
      edit(db);
      writeFileSync(bad, db.export());
      db.close();
      const v = await verifyFile(bad);
      assert.equal(v.ok, false, name);
      assert.match(v.mismatch!.what, what, name);
    }
  });
});

/** Adds 1e-9 to element 3 (weight [0, 1, 0]) of a float64 blob column at snapshot t. */
function bump(db: Database, table: string, column: string, t: number): void {
  const row = db.exec(`SELECT ${column} FROM ${table} WHERE t = ${t}`)[0]!.values[0]![0] as Uint8Array;
  const f = new Float64Array(row.slice().buffer);
  f[3] = f[3]! + 1e-9;
  db.run(`UPDATE ${table} SET ${column} = ? WHERE t = ?`, [new Uint8Array(f.buffer), t]);
}
