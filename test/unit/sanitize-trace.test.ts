/**
 * A sanitized weight's trace and popup replay the sanitization (issue #14, docs/lifecycle.md "The
 * non-finite guard's policy"): Adam at lr 1e308 overflows weights, the non-finite guard (`nonfinite:
 * sanitize`) sets them to 0 with their optimizer state reset. Snapshots only at epoch ends (every 5
 * commits), so the trace of the commits after a sanitization replays across it from an earlier snapshot.
 * For every weight of the neurons it touched and every commit: Before and After = the θ series (and the
 * live trainer's weights), Adj recomputed with the weight's own restarted timestep = the engine's, bit
 * for bit; the sanitized commit is marked and keeps its own (non-finite) After; weights of the same
 * neuron the sanitization did not list go on with their own timestep. The popup, rendered into a DOM,
 * shows the sanitized line and the restarted step in the next commit's bias corrections. tanh hidden
 * units and a sigmoid/bce output keep every sample's loss finite, so each non-finite value here is a weight's.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { generators } from "../../kernel/engine/datasets/generators";
import { Model } from "../../kernel/engine/model";
import { adam } from "../../kernel/engine/optimizers/adam";
import { sgd } from "../../kernel/engine/optimizers/sgd";
import { Trainer, type TrainerOptions } from "../../kernel/engine/trainer";
import { NfrunReader, RunRecorder, weightSeries, type WeightTrace } from "../../kernel/record";
import { auditBundle } from "../../kernel/runtime/display/audit";
import { MIME } from "../../kernel/runtime/display/mime";
import { activate } from "../../webviews/renderers/audit/index";
import { installDom } from "./support/dom-globals";
import { liveCommits } from "./support/live-commits";
import { renderOutput } from "./support/render-output";

installDom();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nf-sanitize-trace-"));
const data = generators.circles({ count: 40, noise: 0.05, seed: 3 });
const T = 20;

/** A recorded run and what its live trainer did. */
interface Run {
  readonly model: Model;
  readonly reader: NfrunReader;
  readonly runId: string;
  /** Weights after each commit t (sanitized before observers see a commit; after a Lookahead sync, the synced ones). */
  readonly live: Map<number, Float64Array>;
  /** The engine's adjustments per commit. */
  readonly engineAdj: Map<number, Float64Array>;
  /** Per sanitized commit: the weights it set to 0. */
  readonly sanitized: Map<number, readonly number[]>;
  /** `epoch:position` of the samples whose loss went non-finite. */
  readonly lossesLeftOut: Set<string>;
}

/**
 * A 2-4-1 net on 40 circles points, Adam at lr 1e308 under `nonfinite: sanitize` unless `trainer` says
 * otherwise; tanh/sigmoid with bce (every loss finite) unless `linear` (mse: the overflow reaches the
 * losses too); `poison`: that sample's first input is NaN.
 */
async function record(name: string, trainer: Partial<TrainerOptions>, linear = false, poison?: number): Promise<Run> {
  const model = new Model({ inputs: 2, layers: [{ units: 4, activation: linear ? "linear" : "tanh" }, { units: 1, activation: linear ? "linear" : "sigmoid" }] });
  model.initialize({ name: "xavier_uniform" }, 2);
  const inputs = data.inputs.slice();
  if (poison !== undefined) inputs[poison * data.inputSize] = NaN;
  const sanitized = new Map<number, readonly number[]>();
  const lossesLeftOut = new Set<string>();
  const live = liveCommits(model, (n) => {
    if (n.sanitized && n.sanitized.weights.length > 0) sanitized.set(n.t!, n.sanitized.weights);
    if (n.kind === "nonfinite" && n.position >= 0) lossesLeftOut.add(`${n.epoch}:${n.position}`);
  });
  const file = path.join(dir, name);
  const used = { ...data, inputs };
  const rec = await RunRecorder.create(file, { data: used, epochs: 4, snapshotCommits: 64 });
  const run = new Trainer({
    model, loss: linear ? "mse" : "bce", strategy: adam, hyperparameters: { lr: 1e308 }, batchSize: 8, shuffle: true, seed: 4, nonfinite: "sanitize", ...trainer,
    observers: [rec, live.observer],
  });
  rec.finish(run.fit(used, 4));
  return { model, reader: await NfrunReader.open(file), runId: rec.runId, live: live.weights, engineAdj: live.adjustments, sanitized, lossesLeftOut };
}

const runs: Run[] = [];
let plain: Run;
let lookahead: Run;
let overflow: Run;
let poisoned: Run;
before(async () => {
  runs.push((plain = await record("sanitized.nfrun", {})));
  runs.push((lookahead = await record("sanitized-lookahead.nfrun", { lookahead: { k: 4, alpha: 0.5 } })));
  runs.push((overflow = await record("overflow.nfrun", {}, true)));
  runs.push((poisoned = await record("poisoned.nfrun", { strategy: sgd, hyperparameters: { lr: 0.01, momentum: 0.9 } }, false, 7)));
});
after(() => {
  for (const r of runs) r.reader.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const trace = (run: Run, layer: number, neuron: number, weight: number, t: number) => {
  const tr = run.reader.weightTrace(run.runId, layer, neuron, weight, t) as WeightTrace;
  assert.equal(tr.kind, "weight-trace", JSON.stringify(tr));
  return tr;
};

/** The last commit ≤ t after which weight `flat` was sanitized (0: never): its optimizer's own step at commit t + 1 counts from there. */
const lastReset = (run: Run, flat: number, t: number): number => [...run.sanitized].reduce((last, [s, w]) => (s <= t && w.includes(flat) ? Math.max(last, s) : last), 0);

/**
 * Every commit of every weight of each neuron the sanitizations touched (`all`: of every neuron): Before/After
 * = θ series = live, Adj recomputed = the engine's, the sanitized commit marked, and a batch holding a
 * sample with a non-finite loss marked with those samples, its non-finite batch totals counted as 0.
 */
function checkNeurons(run: Run, all = false): void {
  const { model, live, engineAdj, sanitized } = run;
  const touched = new Set([...sanitized.values()].flat());
  let marked = 0;
  for (let l = 0; l < model.layers.length; l++) {
    const layer = model.layers[l]!;
    for (let j = 0; j < layer.units; j++) {
      const flats = Array.from({ length: layer.inputs + 1 }, (_, k) => model.weightIndex(l, j, k));
      if (!all && !flats.some((f) => touched.has(f))) continue;
      for (let k = 0; k <= layer.inputs; k++) {
        const flat = flats[k]!;
        const s = weightSeries(run.reader, run.runId, l, j, k);
        assert.ok(!("kind" in s), JSON.stringify(s));
        for (let t = 1; t <= T; t++) {
          const what = `[${l}, ${j}, ${k}] (flat ${flat}) t=${t}`;
          const tr = trace(run, l, j, k, t);
          const c = tr.commit;
          assert.ok(Object.is(s.values[t], live.get(t)![flat]), `${what}: θ series = live`);
          assert.ok(Object.is(c.before, s.values[t - 1]), `${what}: Before ${c.before} vs θ[t−1] ${s.values[t - 1]}`);
          assert.ok(Object.is(c.adjustment, engineAdj.get(t)![flat]), `${what}: Adj`);
          assert.ok(Object.is(c.recomputedAdjustment, engineAdj.get(t)![flat]), `${what}: Adj recomputed ${c.recomputedAdjustment} vs the engine's ${engineAdj.get(t)![flat]}`);
          assert.equal(c.stepT, t - lastReset(run, flat, t - 1), `${what}: the optimizer's own step`);
          assert.equal(c.rebirth, null);
          const leftOut = tr.rows.filter((r) => run.lossesLeftOut.has(`${tr.epoch}:${r.position}`)).map((r) => r.sample);
          if (leftOut.length === 0) assert.equal(c.sanitizedBatch, null, what);
          else {
            const zeroed = !Number.isFinite(tr.rows.at(-1)!.cumulative);
            assert.deepEqual(c.sanitizedBatch, { samples: leftOut, zeroed }, what);
            if (zeroed) assert.ok(c.batchTotal === 0 && c.avg === 0, `${what}: a non-finite batch total counts as 0`);
          }
          if (sanitized.get(t)?.includes(flat)) {
            marked++;
            assert.deepEqual(c.sanitized, { t, value: 0 }, what);
            assert.ok(Object.is(c.after, c.before - c.adjustment) && !Number.isFinite(c.after), `${what}: After is the commit's own, not finite: ${c.after}`);
            assert.ok(Object.is(s.values[t], 0), `${what}: θ[t] is the sanitized value`);
          } else {
            assert.equal(c.sanitized, null, what);
            assert.ok(Object.is(c.after, s.values[t]), `${what}: After ${c.after} vs θ[t] ${s.values[t]}`);
          }
        }
      }
    }
  }
  assert.equal(marked, [...sanitized.values()].reduce((n, w) => n + w.length, 0), "every sanitized weight marked at its commit");
}

describe("a sanitized weight's trace", () => {
  it("the runs sanitize weights between snapshots, and only weights", () => {
    for (const run of [plain, lookahead]) {
      assert.equal(run.lossesLeftOut.size, 0, "no sample's loss went non-finite");
      const snapshots = run.reader.context(run.runId).snapshotTs;
      assert.deepEqual(snapshots, [0, 5, 10, 15, 20]);
      const between = [...run.sanitized.keys()].filter((t) => !snapshots.includes(t));
      assert.ok(between.length >= 2, `sanitized commits ${[...run.sanitized.keys()]} followed by commits before the next snapshot`);
      // Some neuron holds weights the same sanitization did not list (the output neuron: only its bias).
      assert.ok([...run.sanitized.values()].some((w) => w.includes(16) && !w.includes(12)), JSON.stringify([...run.sanitized]));
    }
  });

  it("every commit of every weight of a touched neuron: Before/After = the θ series, Adj recomputed = the engine's, the sanitized commit marked", () => {
    checkNeurons(plain);
  });

  it("under Lookahead too: the sanitized weights' slow copies are the sanitized value at the next sync", () => {
    // A sanitization between syncs (k = 4) and snapshots (every 5): the trace replays the next sync from its slow copy.
    assert.ok([...lookahead.sanitized.keys()].some((t) => t % 4 !== 0 && Math.ceil(t / 4) * 4 < Math.ceil(t / 5) * 5), JSON.stringify([...lookahead.sanitized]));
    checkNeurons(lookahead);
  });

  it("with losses non-finite too (mse on linear units): every commit of every weight replays, each batch's non-finite totals counted as 0", () => {
    assert.ok(overflow.lossesLeftOut.size > 0 && overflow.sanitized.size > 0, "both weights and losses sanitized");
    checkNeurons(overflow, true);
  });

  it("a NaN input (SGD with momentum): its batches' non-finite totals count as 0, and the momentum after them replays", () => {
    assert.equal(poisoned.sanitized.size, 0, "no weight sanitized");
    // One left-out sample per epoch, its commit before the epoch's last (then the next commits replay across it).
    assert.equal(poisoned.lossesLeftOut.size, 4);
    assert.ok([...poisoned.lossesLeftOut].some((k) => Number(k.split(":")[1]) < 32), JSON.stringify([...poisoned.lossesLeftOut]));
    checkNeurons(poisoned, true);
  });

  it("the popup shows the sanitized line, and the restarted step in the next commit's bias corrections", async () => {
    // The output bias (flat 16) sanitized alone after a commit in mid-epoch.
    const t = [...plain.sanitized].find(([s, w]) => s % 5 !== 0 && w.length === 1 && w[0] === 16)![0];
    const shown = async (at: number) => renderOutput(activate, MIME.audit, JSON.parse(JSON.stringify(auditBundle(trace(plain, 1, 0, 4, at))[MIME.audit])));
    const bundle = auditBundle(trace(plain, 1, 0, 4, t));
    assert.match(String(bundle["text/plain"]), new RegExp(`sanitized at t=${t} \\(non-finite guard\\): non-finite → 0, the next commit's Before`), "the text fallback says so too");
    assert.match(String(bundle["text/html"]), new RegExp(`<div>sanitized at t=${t} \\(non-finite guard\\)`));
    const at = await shown(t);
    const line = at.querySelector(".reconcile .check-sanitized")?.textContent ?? "";
    assert.match(line, new RegExp(`^sanitized at t=${t} \\(non-finite guard, nonfinite: sanitize\\): this commit left the weight non-finite → 0; the next commit's Before`));
    assert.equal(at.querySelector(".reconcile .check-mismatch"), null, "a sanitized commit's non-finite After is explained, not a mismatch");
    assert.equal(at.querySelector(".reconcile .check-rebirth"), null);
    const next = await shown(t + 1);
    assert.equal(next.querySelector(".reconcile .check-sanitized"), null);
    assert.equal(next.querySelector(".reconcile .check-mismatch"), null);
    assert.equal(next.querySelector(".num.before")?.textContent, "0", "the next Before is the sanitized value");
    assert.match(next.querySelector(".reconcile .rate")!.textContent!, new RegExp(`this weight.s optimizer restarted after t=${t} \\(a rebirth or sanitization reset it\\): its step 1 `));
    const [bc1] = [...next.querySelectorAll(".reconcile .bias-correction")].map((el) => el.textContent!);
    assert.match(bc1!, /^1 − β₁ᵗ = 1 − 0\.9\^1 = 0\.1;/);
  });
});

describe("a batch with a non-finite loss in the popup", () => {
  it("names the left-out sample and the batch total counted as 0; no mismatch", async () => {
    // 5 commits per epoch, 8 samples per batch.
    const commitOf = (key: string) => {
      const [e, p] = key.split(":").map(Number) as [number, number];
      return e * 5 + Math.floor(p / 8) + 1;
    };
    const hit = new Set([...poisoned.lossesLeftOut].map(commitOf));
    const t = [...hit][0]!;
    const clean = Array.from({ length: T }, (_, k) => k + 1).find((c) => !hit.has(c))!;
    const tr = trace(poisoned, 0, 1, 0, t);
    assert.deepEqual(tr.commit.sanitizedBatch, { samples: [7], zeroed: true });
    const bundle = auditBundle(tr);
    assert.match(String(bundle["text/plain"]), /\n {2}non-finite loss, left out of the loss \(non-finite guard\): #7; BatchTot not finite → 0(\n|$)/);
    assert.match(String(bundle["text/html"]), /<div>non-finite loss, left out of the loss \(non-finite guard\): #7; BatchTot not finite → 0<\/div>/);
    const shown = await renderOutput(activate, MIME.audit, JSON.parse(JSON.stringify(bundle[MIME.audit])));
    assert.equal(
      shown.querySelector(".reconcile .sanitized-batch")?.textContent,
      "sample #7 of this batch had a non-finite loss (non-finite guard, nonfinite: sanitize): left out of the loss; this weight's BatchTot was not finite and counts as 0, so Avg = 0",
    );
    assert.equal(shown.querySelector(".reconcile .check-mismatch"), null);
    const other = await renderOutput(activate, MIME.audit, JSON.parse(JSON.stringify(auditBundle(trace(poisoned, 0, 1, 0, clean))[MIME.audit])));
    assert.equal(other.querySelector(".reconcile .sanitized-batch"), null);
  });
});
