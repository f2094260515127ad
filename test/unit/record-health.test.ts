/**
 * Recorded health and lifecycle series (schema version 6): what the trainer measured live lands in the
 * .nfrun (tables health, health_values, neuron_fitness) and reads back through the series API bit for bit;
 * the weights' min, max and mean against values computed here from the live weights; ages by hand from
 * the rebirth events; the rows are in the run's digest (an edit fails verify); hostile rows are one-line
 * errors naming the table and field; a version 5 file reads (no series) and gains the tables when a run is
 * appended; `export` writes the arrays (read back with numpy) and `runSignals` plots them.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { generators } from "../../kernel/engine/datasets/generators";
import type { LayerHealth } from "../../kernel/engine/health/monitor";
import { lifecycleStages } from "../../kernel/engine/lifecycle/stages";
import { Model } from "../../kernel/engine/model";
import { adam } from "../../kernel/engine/optimizers/adam";
import { Trainer } from "../../kernel/engine/trainer";
import { fitnessSeries, healthSeries, NfrunError, NfrunReader, RunRecorder, runSignals, SCHEMA_VERSION, verifyFile } from "../../kernel/record";
import { runFileArtifacts } from "../../kernel/record/artifacts";
import { tamperedCopy } from "../integration/support/tamper";

const dir = mkdtempSync(join(tmpdir(), "nf-record-health-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const data = generators.circles({ count: 40, noise: 0.05, seed: 1 });

interface Live {
  health: { t: number; layers: readonly LayerHealth[]; params: Float64Array }[];
  fitness: { t: number; fitness: Float64Array; stagnation: Float64Array }[];
  rebirths: { t: number; flat: number }[];
}

async function record(path: string): Promise<Live> {
  const model = new Model({ inputs: 2, layers: [{ units: 6, activation: "relu" }, { units: 1, activation: "sigmoid" }] });
  model.initialize({ name: "he_uniform" }, 5);
  for (const j of [1, 4]) model.params[model.weightIndex(0, j, 2)] = -100;
  const live: Live = { health: [], fitness: [], rebirths: [] };
  const rec = await RunRecorder.create(path, { data, epochs: 3 });
  const trainer = new Trainer({
    model, loss: "bce", strategy: adam, hyperparameters: { lr: 0.05 }, batchSize: 5,
    health: { every: 3 },
    lifecycle: { every: 4, maturity: 4, threshold: -0.99, seed: 9 },
    observers: [
      {
        readsBank: false,
        onCommit: (e) => {
          const lc = e.trainer.lifecycle!;
          if (lc.evaluatedAt === e.t) live.fitness.push({ t: e.t, fitness: lc.terms.fitness.slice(), stagnation: lc.terms.stagnation.slice() });
        },
        onNotice: (n) => {
          if (n.lifecycle?.kind === "rebirth") live.rebirths.push({ t: n.lifecycle.t, flat: model.layers[n.lifecycle.layer]!.neuronOffset + n.lifecycle.neuron });
        },
      },
      rec,
    ],
  });
  trainer.health!.listen((layers) => live.health.push({ t: layers[0]!.t, layers, params: model.params.slice() }));
  rec.finish(trainer.fit(data, 3));
  return live;
}

/** A copy of `src` as `dst` (in `dir`) edited by SQL (`params` bound to its one statement). */
async function tamper(src: string, dst: string, sql: string, params: (string | Uint8Array)[] = []): Promise<void> {
  await tamperedCopy(src, dir, basename(dst), (db) => (params.length > 0 ? db.run(sql, params) : db.exec(sql)));
}

async function open<T>(path: string, f: (r: NfrunReader, runId: string) => T | Promise<T>): Promise<T> {
  const r = await NfrunReader.open(path);
  try {
    return await f(r, r.runIds()[0]!);
  } finally {
    r.close();
  }
}

describe("recorded health and lifecycle series", () => {
  const good = join(dir, "good.nfrun");
  let live: Live;
  before(async () => {
    live = await record(good);
  });

  it("health per layer and measured commit reads back as measured; min, max, mean of the weights by hand", async () => {
    // 40 samples, batch 5: 8 commits per epoch, 24 in all; measured every 3.
    assert.deepEqual(live.health.map((h) => h.t), [3, 6, 9, 12, 15, 18, 21, 24]);
    await open(good, (r, runId) => {
      for (const layer of [0, 1]) {
        const s = healthSeries(r, runId, layer);
        assert.deepEqual(Array.from(s.t), [3, 6, 9, 12, 15, 18, 21, 24]);
        live.health.forEach((h, k) => {
          const m = h.layers[layer]!;
          assert.ok(Object.is(s.dormant[k], m.dormant) && Object.is(s.activationMean[k], m.activationMean) && Object.is(s.activationStd[k], m.activationStd), `t=${h.t}`);
          for (const tensor of ["weights", "gradients"] as const) {
            const want = m[tensor];
            const got = s[tensor];
            assert.deepEqual([got.count[k], got.zeros[k], got.nan[k], got.inf[k], got.mean[k], got.std[k]], [want.count, want.zeros, want.nan, want.inf, want.mean, want.std], `${tensor} t=${h.t}`);
            assert.deepEqual(Array.from(got.percentiles.subarray(k * 9, k * 9 + 9)), want.percentiles);
            assert.deepEqual(Array.from(got.histogram.subarray(k * 30, k * 30 + 30)), want.histogram.counts);
          }
          // By hand from the weights after commit t (the live model's).
          const l = [{ from: 0, to: 18 }, { from: 18, to: 25 }][layer]!;
          const w = Array.from(h.params.subarray(l.from, l.to));
          const k9 = k * 9;
          assert.equal(s.weights.percentiles[k9], w.reduce((a, b) => Math.min(a, b)));
          assert.equal(s.weights.percentiles[k9 + 8], w.reduce((a, b) => Math.max(a, b)));
          assert.ok(Math.abs(s.weights.mean[k]! - w.reduce((a, b) => a + b, 0) / w.length) <= 1e-15);
        });
      }
      // The two dead ReLUs of layer 0 show as dormant at the first measure (ReDo τ = 0: exactly zero activity).
      assert.ok(healthSeries(r, runId, 0).dormant[0]! >= 2 / 6);
    });
  });

  it("fitness per neuron at each evaluation reads back as evaluated; ages by hand from the rebirth events", async () => {
    assert.ok(live.rebirths.length >= 2, `${live.rebirths.length} rebirths`);
    await open(good, (r, runId) => {
      const f = fitnessSeries(r, runId);
      assert.deepEqual(Array.from(f.t), live.fitness.map((e) => e.t));
      assert.equal(f.neurons, 7);
      live.fitness.forEach((e, k) => {
        assert.deepEqual(Array.from(f.fitness.subarray(k * 7, k * 7 + 7)), Array.from(e.fitness));
        assert.deepEqual(Array.from(f.stagnation.subarray(k * 7, k * 7 + 7)), Array.from(e.stagnation));
        for (let i = 0; i < 7; i++) {
          const born = live.rebirths.filter((b) => b.flat === i && b.t <= e.t).reduce((last, b) => Math.max(last, b.t), 0);
          assert.equal(f.age[k * 7 + i], e.t - born, `neuron ${i} at t=${e.t}`);
          // maturity 4, seniority 1000 (default), no senescence.
          assert.equal(lifecycleStages[f.stage[k * 7 + i]!], e.t - born < 4 ? "newborn" : "mature");
        }
      });
    });
  });

  it("the rows are in the run's digest: the run verifies, an edited health row does not", async () => {
    const v = await verifyFile(good);
    assert.ok(v.ok, JSON.stringify(v.mismatch));
    const edited = join(dir, "edited.nfrun");
    await tamper(good, edited, "UPDATE health_values SET p5000 = p5000 + 1 WHERE t = 6 AND layer = 0 AND tensor = 'weights'");
    const e = await verifyFile(edited);
    assert.equal(e.ok, false);
    assert.match(e.mismatch!.what, /table health_values: rows edited/);
  });

  const hostile: [string, string, RegExp][] = [
    ["a dormant fraction of 5", "UPDATE health SET dormant = 5 WHERE t = 3", /table health, t=3, layer 0: dormant must be a fraction/],
    ["a histogram of the wrong size", "UPDATE health_values SET hist = zeroblob(7) WHERE t = 3", /hist must hold 30 float64 counts/],
    ["counts beyond the layer", "UPDATE health_values SET nan = 99 WHERE t = 3", /zeros, nan and inf must be counts of the layer's 18 values/],
    ["a measure at no commit", "UPDATE health SET t = 999 WHERE t = 3 AND layer = 0", /table health has a row at t=999, which is not a commit/],
    ["a missing gradients row", "DELETE FROM health_values WHERE t = 6 AND tensor = 'gradients'", /lacks this layer's health row or its weights or gradients row/],
  ];
  for (const [what, sql, message] of hostile) {
    it(`hostile health rows: ${what} is a one-line error naming the table`, async () => {
      const path = join(dir, "hostile.nfrun");
      await tamper(good, path, sql);
      await open(path, (r, runId) => {
        assert.throws(() => healthSeries(r, runId, 0), (e: unknown) => e instanceof NfrunError && message.test(e.message) && !e.message.includes("\n"));
      });
    });
  }

  it("hostile fitness rows: a stage code out of range or a blob of the wrong length", async () => {
    const path = join(dir, "hostile-fitness.nfrun");
    const stage = await open(good, (r, runId) => Uint8Array.from(r.query("SELECT stage FROM neuron_fitness WHERE run_id = ? AND t = 4", [runId])[0]![0] as Uint8Array));
    stage[0] = 9;
    await tamper(good, path, "UPDATE neuron_fitness SET stage = ? WHERE t = 4", [stage]);
    await open(path, (r, runId) => assert.throws(() => fitnessSeries(r, runId), /table neuron_fitness, t=4: stage must be 0 … 3/));
    await tamper(good, path, "UPDATE neuron_fitness SET fitness = zeroblob(1e6) WHERE t = 4");
    await open(path, (r, runId) => assert.throws(() => fitnessSeries(r, runId), /table neuron_fitness, t=4: fitness must hold 7 float64 values/));
  });

  it("a version 5 file (no health tables) reads without series and gains the tables when a run is appended", async () => {
    const old = join(dir, "v5.nfrun");
    await tamper(good, old, "DROP TABLE health; DROP TABLE health_values; DROP TABLE neuron_fitness; DELETE FROM run_integrity WHERE section IN ('health', 'health_values', 'neuron_fitness'); UPDATE nf_meta SET value = '5' WHERE key = 'schema_version'; PRAGMA user_version = 5");
    await open(old, (r, runId) => {
      assert.equal(healthSeries(r, runId, 0).t.length, 0);
      assert.equal(fitnessSeries(r, runId).t.length, 0);
    });
    assert.ok((await verifyFile(old)).ok);
    await record(old);
    await open(old, (r) => {
      const ids = r.runIds();
      assert.equal(ids.length, 2);
      assert.equal(healthSeries(r, ids[0]!, 0).t.length, 0);
      assert.equal(healthSeries(r, ids[1]!, 0).t.length, 8);
      assert.equal(r.query("PRAGMA user_version")[0]![0], SCHEMA_VERSION);
    });
    const v = await verifyFile(old);
    assert.ok(v.ok, JSON.stringify(v.mismatch));
  });

  it("export writes the series into trace.npz (numpy reads them) and runSignals names them for plots", async () => {
    const artifacts = await open(good, (r) => runFileArtifacts(r, good));
    const npz = join(dir, "trace.npz");
    writeFileSync(npz, artifacts.get("trace.npz") as Uint8Array);
    const script = [
      "import numpy, json, sys",
      "d = numpy.load(sys.argv[1])",
      "print(json.dumps({k: list(d[k].shape) for k in d.files if k.startswith(('health', 'lifecycle'))}))",
      "print(json.dumps(d['health_t'].tolist()))",
      "print(json.dumps(d['health_weights_percentiles'][1, 0, 8].item()))",
      "print(json.dumps(d['lifecycle_stage'].dtype.str))",
    ].join("\n");
    const [shapes, ts, p100, dtype] = execFileSync("python3", ["-c", script, npz], { encoding: "utf8" }).trim().split("\n");
    const s = JSON.parse(shapes!) as Record<string, number[]>;
    assert.deepEqual(s.health_activations, [8, 2, 3]);
    assert.deepEqual(s.health_gradients_percentiles, [8, 2, 9]);
    assert.deepEqual(s.health_weights_histogram, [8, 2, 32]);
    assert.deepEqual(s.lifecycle_fitness, [live.fitness.length, 7]);
    assert.deepEqual(JSON.parse(ts!), [3, 6, 9, 12, 15, 18, 21, 24]);
    assert.equal(JSON.parse(p100!), live.health[1]!.layers[0]!.weights.percentiles[8]);
    assert.equal(JSON.parse(dtype!), "<i4");
    await open(good, (r, runId) => {
      const signals = runSignals(r, runId);
      assert.ok(!("kind" in signals));
      const byName = new Map(signals.map((q) => [q.name, q]));
      for (const name of ["dormant", "activation_mean", "weights.layer0", "gradients.layer1", "weights_counts.layer0", "fitness.layer0", "age.layer0", "stages.layer0"]) assert.ok(byName.has(name), name);
      assert.deepEqual(byName.get("dormant")!.components, ["layer0", "layer1"]);
      assert.deepEqual(byName.get("weights.layer0")!.values[8], live.health.map((h) => h.layers[0]!.weights.percentiles[8]));
      const stages = byName.get("stages.layer0")!;
      stages.x.forEach((_, k) => assert.equal(stages.values.reduce((sum, c) => sum + c[k]!, 0), 6, "every neuron of layer 0 is in one stage"));
    });
  });
});
