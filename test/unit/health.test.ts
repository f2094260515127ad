/**
 * Network health: the value summaries against numpy (percentiles, mean, std, histogram), zero/NaN/Inf
 * counts, ReDo's dormant fraction against a count made here, the monitor's cadence, and the non-finite
 * guard's sanitize policy (an event each time, never silent).
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { describe, test } from "node:test";
import { generators } from "../../kernel/engine/datasets/generators";
import type { LayerHealth } from "../../kernel/engine/health/monitor";
import { BASIS_POINTS, HISTOGRAM_BINS, summarize } from "../../kernel/engine/health/summary";
import { orderStatistics } from "../../kernel/engine/health/summary-passes";
import { Rng } from "../../kernel/engine/math/rng";
import { Model } from "../../kernel/engine/model";
import type { TrainingNotice } from "../../kernel/engine/observer";
import { sgd } from "../../kernel/engine/optimizers/sgd";
import { Trainer } from "../../kernel/engine/trainer";

const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) <= 1e-12 * (1 + Math.abs(b)), `${what}: ${a} vs ${b}`);

describe("value summary", () => {
  const rng = new Rng(9);
  const samples: [string, number[]][] = [
    ["1001 normal values", Array.from({ length: 1001 }, () => rng.normal(0.3, 2))],
    // Ties across bucket edges, a heavy spike at 0 and far outliers (most values in one fine bucket).
    ["20000 values: zeros, repeats, outliers", Array.from({ length: 20000 }, (_, i) => (i % 3 === 0 ? 0 : i % 7 === 0 ? 0.25 : i % 997 === 0 ? 1e6 * (i % 2 ? 1 : -1) : rng.normal(0, 0.01)))],
    ["2 values", [5, -1]],
  ];
  for (const [what, values] of samples) test(`${what}: percentiles at TensorBoard's basis points, mean, std and histogram agree with numpy`, () => {
    const numpy = JSON.parse(
      execFileSync("python3", ["-c", `
import json, sys, numpy as np
v = np.array(json.load(sys.stdin))
print(json.dumps({"p": np.percentile(v, [b / 100 for b in ${JSON.stringify(BASIS_POINTS)}]).tolist(), "mean": v.mean(), "std": v.std(),
  "hist": np.histogram(v, bins=${HISTOGRAM_BINS}, range=(v.min(), v.max()))[0].tolist()}))`], { input: JSON.stringify(values) }).toString(),
    ) as { p: number[]; mean: number; std: number; hist: number[] };
    const s = summarize(values);
    s.percentiles.forEach((p, i) => close(p, numpy.p[i]!, `basis point ${BASIS_POINTS[i]}`));
    close(s.mean, numpy.mean, "mean");
    close(s.std, numpy.std, "std");
    assert.deepEqual(s.histogram.counts, numpy.hist);
    assert.equal(s.percentiles[0], values.reduce((a, b) => Math.min(a, b)));
  });

  test("zeros, NaN and ±Infinity are counted; the statistics are over the finite values", () => {
    const s = summarize([0, 0, NaN, Infinity, -Infinity, 1, 3]);
    assert.deepEqual([s.count, s.zeros, s.nan, s.inf], [7, 2, 1, 2]);
    assert.equal(s.mean, 1);
    assert.equal(s.percentiles[4], 0.5);
    assert.deepEqual([s.histogram.low, s.histogram.high], [0, 3]);
    assert.equal(s.histogram.counts.reduce((a, b) => a + b, 0), 4);
    // A zero min or max is the first zero in index order (pairs of nonzero values go two at a time).
    for (const [values, low] of [[[3, 1, 0, -0, 5, 7, 2, 9], 0], [[3, 1, -0, 0, 5, 7, 2, 9], -0], [[-0, 0], -0], [[4, 6, 8, 0, -0], 0]] as const) {
      const m = summarize(values);
      assert.ok(Object.is(m.histogram.low, low), `${JSON.stringify(values)}: low ${m.histogram.low}`);
      assert.ok(Object.is(summarize(values.map((v) => -v)).histogram.high, -low), `${JSON.stringify(values)} negated: high`);
    }
  });

  test("no finite value: NaN statistics, an empty histogram, no throw; one repeated value: one bin", () => {
    const s = summarize([NaN, Infinity]);
    assert.ok(Number.isNaN(s.mean) && Number.isNaN(s.std) && s.percentiles.every(Number.isNaN));
    assert.deepEqual(s.histogram.counts, []);
    const same = summarize([2, 2, 2]);
    assert.equal(same.histogram.counts[0], 3);
    assert.equal(same.std, 0);
  });
});

describe("exact percentiles without a full sort", () => {
  /** numpy's linear percentile from a plain sort of the finite values (the independent reference). */
  function sortedPercentiles(values: ArrayLike<number>): number[] {
    const sorted = Float64Array.from(values).filter(Number.isFinite).sort();
    const n = sorted.length;
    return BASIS_POINTS.map((bp) => {
      if (n === 0) return NaN;
      const pos = (bp / 10000) * (n - 1);
      const lo = Math.floor(pos);
      const a = sorted[lo]!;
      return pos > lo ? a + (pos - lo) * (sorted[Math.min(n - 1, lo + 1)]! - a) : a;
    });
  }
  const rng = new Rng(21);
  const pick = <T,>(options: readonly T[]): T => options[Math.floor(rng.uniform(0, options.length))]!;
  const sets: [string, () => number[]][] = [
    // A gradient's shape: a third exact zeros (dead neurons: whole rows), the rest piled up around 0 with long tails.
    ["dead rows of zeros, a pile around 0, long tails", () => Array.from({ length: 50000 }, (_, i) => (Math.floor(i / 785) % 3 === 0 ? 0 : rng.normal(0, 1) ** 5 * 1e-3))],
    // 20001 values: every basis point falls on an order statistic (no interpolation, which would turn −0 into 0).
    ["−0 and +0 mixed with ties and a few values", () => Array.from({ length: 20001 }, () => pick([0, -0, -0, 0, 0.5, -0.5, rng.normal(0, 1e-300)]))],
    ["NaN, ±Infinity, huge and subnormal values", () => Array.from({ length: 20000 }, () => pick([NaN, Infinity, -Infinity, 1e308, -1e308, 5e-324, -5e-324, rng.normal(0, 1)]))],
    ["a geometric ladder (each level splits off one value)", () => Array.from({ length: 6000 }, (_, i) => (i % 2 ? -1 : 1) * 2 ** -(i % 1000))],
    ["uniform weights", () => Array.from({ length: 50240 }, () => rng.uniform(-0.1, 0.1))],
    ["a few subnormals apart", () => Array.from({ length: 3000 }, (_, i) => (i % 7) * 5e-324)],
    ["one value repeated, and one outlier", () => [...Array.from({ length: 9999 }, () => 0.1), 7]],
  ];
  /** numpy's histogram by its edges low + b·step (the last bin closed), each value placed by binary search. */
  function edgeHistogram(values: ArrayLike<number>): number[] {
    const finite = Array.from(values).filter(Number.isFinite);
    const low = finite.reduce((a, b) => Math.min(a, b));
    const high = finite.reduce((a, b) => Math.max(a, b));
    const step = (high - low) / HISTOGRAM_BINS;
    const counts = new Array<number>(HISTOGRAM_BINS).fill(0);
    for (const v of finite) {
      let lo = 0;
      let hi = HISTOGRAM_BINS - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (v >= low + mid * step) lo = mid;
        else hi = mid - 1;
      }
      counts[lo]++;
    }
    return counts;
  }
  for (const [what, make] of sets) test(`${what}: the same bits as a sorted copy`, () => {
    for (let round = 0; round < 3; round++) {
      const values = make();
      const s = summarize(values);
      sortedPercentiles(values).forEach((p, i) => assert.ok(Object.is(s.percentiles[i], p), `round ${round}, basis point ${BASIS_POINTS[i]}: ${s.percentiles[i]} vs ${p}`));
      // Where max − min is a finite number of steps (numpy refuses wider ranges), the bins are numpy's.
      if (Number.isFinite(s.histogram.high - s.histogram.low) && s.histogram.high - s.histogram.low > 1e-300) assert.deepEqual(s.histogram.counts, edgeHistogram(values));
    }
  });

  test("the kernels' select: any ranks of any finite set without zeros, as a sort has them; and its heapsort fallback", () => {
    for (let round = 0; round < 40; round++) {
      const n = 1 + Math.floor(rng.uniform(0, 20000));
      const scale = 10 ** Math.floor(rng.uniform(-300, 300));
      // Ties, piles and tails; zeros (an underflowing cube) left out: gathered sets never hold any.
      const values = Float64Array.from({ length: n }, () => pick([scale, -scale, rng.normal(0, scale), rng.normal(0, scale) ** 3])).filter((v) => v !== 0);
      // Orders a median-of-three quickselect can meet: sorted, reversed, organ pipe.
      if (round % 4 === 1) values.sort();
      if (round % 4 === 2) values.sort().reverse();
      if (round % 4 === 3) values.sort().forEach((v, i, a) => i < a.length / 2 && ([a[i], a[a.length - 1 - i]] = [a[a.length - 1 - i]!, v]));
      const sorted = values.slice().sort();
      const ranks = Int32Array.from(new Set(Array.from({ length: 1 + Math.floor(rng.uniform(0, 30)) }, () => Math.floor(rng.uniform(0, values.length))))).sort();
      for (const budget of [undefined, 0]) {
        const got = orderStatistics(values, ranks, budget);
        ranks.forEach((k, j) => assert.ok(Object.is(got[j], sorted[k]), `round ${round}, budget ${budget}: rank ${k} of ${values.length}: ${got[j]} vs ${sorted[k]}`));
      }
    }
  });
});

describe("health monitor", () => {
  const data = generators.circles({ count: 64, noise: 0.05, seed: 3 });

  function setup(every: number) {
    const m = new Model({ inputs: 2, layers: [{ units: 8, activation: "relu" }, { units: 1, activation: "sigmoid" }] });
    m.initialize({ name: "he_uniform" }, 4);
    for (const j of [2, 6]) m.params[m.weightIndex(0, j, 2)] = -100;
    const acts: number[][] = [];
    const seen: { health: readonly LayerHealth[]; params: Float64Array; acts: number[][] }[] = [];
    const trainer = new Trainer({
      model: m, loss: "bce", strategy: sgd, hyperparameters: { lr: 0.1 }, batchSize: 8, health: { every, dormantThreshold: 0.1 },
      observers: [{ readsBank: false, onSample: (e) => void acts.push(Array.from(e.trainer.model.a[0]!)) }],
    });
    trainer.health!.listen((health) => seen.push({ health, params: Float64Array.from(m.params), acts: acts.splice(0) }));
    return { trainer, seen, m };
  }

  test("every K commits, per layer: the weights' summary, the activations' mean/std, the dormant fraction", () => {
    const { trainer, seen, m } = setup(4);
    trainer.fit(data, 2);
    assert.deepEqual(seen.map((s) => s.health[0]!.t), [4, 8, 12, 16]);
    for (const { health, params, acts } of seen) {
      assert.equal(health.length, 2);
      const l0 = health[0]!;
      assert.deepEqual(l0.weights, summarize(params.subarray(0, 8 * 3)));
      // The measured commit's batch: its last 8 samples.
      const batch = acts.slice(-8);
      const pooled = batch.flat();
      const mean = pooled.reduce((a, b) => a + b, 0) / pooled.length;
      close(l0.activationMean, mean, "activation mean");
      close(l0.activationStd, Math.sqrt(pooled.reduce((a, b) => a + (b - mean) ** 2, 0) / pooled.length), "activation std");
      // ReDo: s_j = E|a_j| / mean_k E|a_k| ≤ 0.1.
      const meanAbs = Array.from({ length: 8 }, (_, j) => batch.reduce((s, r) => s + Math.abs(r[j]!), 0) / batch.length);
      const layerMean = meanAbs.reduce((a, b) => a + b, 0) / 8;
      assert.equal(l0.dormant, meanAbs.filter((v) => v / layerMean <= 0.1).length / 8);
      assert.ok(l0.dormant >= 2 / 8, "the two dead neurons are dormant");
    }
    assert.equal(m.layers.length, 2);
  });

  test("bad options name their field", () => {
    const m = new Model({ inputs: 1, layers: [{ units: 1, activation: "linear" }] });
    assert.throws(() => new Trainer({ model: m, loss: "mse", strategy: sgd, hyperparameters: { lr: 1 }, batchSize: 1, health: { every: 0 } }), /^RangeError: health\.every: must be an integer ≥ 1, got 0$/);
    assert.throws(() => new Trainer({ model: m, loss: "mse", strategy: sgd, hyperparameters: { lr: 1 }, batchSize: 1, health: { dormantThreshold: -1 } }), /health\.dormant_threshold/);
  });
});

describe("non-finite guard: sanitize", () => {
  function diverging(policy: "stop" | "sanitize") {
    const data = generators.plane({ count: 20, noise: 0.1, seed: 1 });
    const m = new Model({ inputs: 2, layers: [{ units: 4, activation: "linear" }, { units: 1, activation: "linear" }] });
    m.initialize({ name: "xavier_uniform" }, 2);
    const notices: TrainingNotice[] = [];
    const trainer = new Trainer({ model: m, loss: "mse", strategy: sgd, hyperparameters: { lr: 1e150 }, batchSize: 4, nonfinite: policy, observers: [{ onNotice: (n) => void notices.push(n) }] });
    return { result: trainer.fit(data, 5), notices, m };
  }

  test("stop (the default) ends the run; sanitize goes on with finite weights, telling each time", () => {
    assert.equal(diverging("stop").result.status, "diverged");
    const { result, notices, m } = diverging("sanitize");
    assert.equal(result.status, "completed");
    assert.equal(result.epochs, 5);
    const nonfinite = notices.filter((n) => n.kind === "nonfinite");
    assert.ok(nonfinite.length > 0);
    for (const n of nonfinite) assert.match(n.message, /sanitized/);
    assert.ok(nonfinite.some((n) => /non-finite weights set to 0/.test(n.message)));
    assert.ok(m.params.every(Number.isFinite), "every weight finite");
  });
});
