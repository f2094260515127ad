/**
 * The live health view (seed 004): the kernel's per-cell views (kernel/runtime/kernel/health-display.ts)
 * on a real trainer with health measures and a lifecycle, a clock the test advances 10 ms per commit;
 * the payload checked against values computed here (a histogram by bin-edge search, stages from the
 * rebirth notices' ages, the committed losses), then drawn by the renderer in JSDOM and as the SVG
 * fallback. Hostile strings stay text.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { JSDOM } from "jsdom";
import { generators } from "../../kernel/engine/datasets/generators";
import { Model } from "../../kernel/engine/model";
import type { TrainingNotice } from "../../kernel/engine/observer";
import { adam } from "../../kernel/engine/optimizers/adam";
import { Trainer } from "../../kernel/engine/trainer";
import { healthSvg } from "../../kernel/runtime/display/health-view";
import type { HealthViewPayload } from "../../kernel/runtime/display/health-view-types";
import { MIME, type MimeBundle } from "../../kernel/runtime/display/mime";
import { HEALTH_EVERY_MS, HealthViews } from "../../kernel/runtime/kernel/health-display";
import { activate } from "../../webviews/renderers/health/index";
import { fmt } from "../../webviews/shared/format";
import { installDom } from "./support/dom-globals";
import { renderOutput } from "./support/render-output";

installDom();

const data = generators.circles({ count: 100, noise: 0.05, seed: 3 });
const COMMITS = 600; // 60 epochs of 10 batches
const MATURITY = 20;

/** Trains a 2-8-6-1 ReLU net whose neuron 3 of layer 0 is dead from the start, as a cell would, through HealthViews. */
function train() {
  const model = new Model({ inputs: 2, layers: [{ units: 8, activation: "relu" }, { units: 6, activation: "relu" }, { units: 1, activation: "sigmoid" }] });
  model.initialize({ name: "he_uniform" }, 5);
  model.params[model.weightIndex(0, 3, 2)] = -100; // bias: never fires
  let clock = 0;
  const shown: { at: number; bundle: MimeBundle }[] = [];
  const views = new HealthViews(() => (bundle) => shown.push({ at: clock, bundle }), () => clock);
  const notices: TrainingNotice[] = [];
  const losses = new Map<number, number>();
  const trainer = new Trainer({
    model, loss: "bce", strategy: adam, hyperparameters: { lr: 0.05 }, batchSize: 10, shuffle: true, seed: 1,
    health: { every: 10 },
    lifecycle: { every: 10, maturity: MATURITY, fraction: 0, threshold: -0.99 },
    observers: [
      {
        readsBank: false,
        onCommit(e) {
          clock += 10;
          losses.set(e.t, e.loss);
          views.commit(e.trainer, e.t, e.loss);
        },
        onNotice(n) {
          notices.push(n);
          views.notice(n);
        },
      },
    ],
  });
  const result = trainer.fit(data, COMMITS / 10);
  views.fitEnded(trainer, result.status);
  views.cellEnded("completed");
  return { model, trainer, shown, notices, losses };
}

const run = train();
const payloadOf = (b: MimeBundle) => b[MIME.health] as HealthViewPayload;
const final = payloadOf(run.shown.at(-1)!.bundle);

/** numpy.histogram's counts: bin b holds edges[b] ≤ v < edges[b+1], the last bin includes its right edge. */
function histogramByEdges(values: readonly number[], bins: number): number[] {
  const lo = values.reduce((m, v) => Math.min(m, v), Infinity);
  const hi = values.reduce((m, v) => Math.max(m, v), -Infinity);
  const edges = Array.from({ length: bins + 1 }, (_, b) => lo + (b * (hi - lo)) / bins);
  const counts = new Array<number>(bins).fill(0);
  for (const v of values) {
    let b = bins - 1;
    while (b > 0 && v < edges[b]!) b--;
    counts[b]++;
  }
  return counts;
}

describe("live health view in a cell", () => {
  test("updates at most every 250 ms while training, then once more with the final state", () => {
    const running = run.shown.filter((s) => payloadOf(s.bundle).status === "running");
    const seconds = (COMMITS * 10) / 1000;
    assert.ok(running.length <= Math.floor((seconds * 1000) / HEALTH_EVERY_MS) + 1, `${running.length} updates in ${seconds} s`);
    assert.ok(running.length >= 20, `${running.length} updates: it does update while training`);
    for (let i = 1; i < running.length; i++) assert.ok(running[i]!.at - running[i - 1]!.at >= HEALTH_EVERY_MS, `updates ${i - 1} → ${i} ${running[i]!.at - running[i - 1]!.at} ms apart`);
    // The t shown grows while training.
    assert.ok(payloadOf(running[0]!.bundle).t < payloadOf(running.at(-1)!.bundle).t);
    // fit's end shows the final state; the cell's end adds nothing (nothing changed since).
    assert.equal(run.shown.length, running.length + 1);
    assert.equal(final.status, "completed");
    assert.equal(final.t, COMMITS);
    assert.equal(final.measuredT, COMMITS);
  });

  test("the cell's end turns a view still saying running into the cell's outcome, and keeps a fit's own outcome", () => {
    const model = new Model({ inputs: 2, layers: [{ units: 3, activation: "relu" }, { units: 1, activation: "sigmoid" }] });
    model.initialize({ name: "he_uniform" }, 2);
    let clock = 0;
    const shown: HealthViewPayload[] = [];
    const views = new HealthViews(() => (b) => shown.push(payloadOf(b)), () => (clock += 300)); // slow commits: each one shown
    const trainer = new Trainer({ model, loss: "bce", strategy: adam, hyperparameters: { lr: 0.01 }, batchSize: 50, health: { every: 1 }, observers: [{ readsBank: false, onCommit: (e) => views.commit(e.trainer, e.t, e.loss) }] });
    trainer.trainEpoch(data); // a trainEpoch loop: no fit end
    assert.equal(shown.at(-1)!.status, "running");
    const before = shown.length;
    views.cellEnded("completed");
    assert.equal(shown.length, before + 1);
    assert.equal(shown.at(-1)!.status, "completed");
    assert.equal(shown.at(-1)!.t, 2);
    // A fit's outcome (here: diverged) stays when the cell then ends without another commit.
    trainer.trainEpoch(data);
    views.fitEnded(trainer, "diverged");
    views.cellEnded("completed");
    assert.equal(shown.at(-1)!.status, "diverged");
  });

  test("per-layer histograms and statistics are the weights' after the measured commit", () => {
    run.model.layers.forEach((l, li) => {
      const w = Array.from(run.model.params.subarray(l.offset, l.offset + l.units * (l.inputs + 1)));
      const layer = final.layers[li]!;
      assert.equal(layer.layer, li);
      assert.equal(layer.weights.count, w.length);
      assert.deepEqual(layer.weights.histogram.counts, histogramByEdges(w, 30));
      assert.equal(layer.weights.histogram.low, w.reduce((m, v) => Math.min(m, v), Infinity));
      assert.equal(layer.weights.histogram.high, w.reduce((m, v) => Math.max(m, v), -Infinity));
      const mean = w.reduce((a, b) => a + b, 0) / w.length;
      assert.ok(Math.abs(layer.weights.mean! - mean) < 1e-12);
      assert.equal(layer.gradients.count, w.length);
    });
  });

  test("events and stages follow the lifecycle's rebirths", () => {
    const rebirths = run.notices.filter((n) => n.lifecycle?.kind === "rebirth");
    assert.ok(rebirths.some((n) => n.lifecycle!.layer === 0 && n.lifecycle!.neuron === 3 && n.t === MATURITY), "the dead neuron is reborn at maturity");
    assert.equal(final.eventCounts.rebirth, rebirths.length);
    assert.equal(final.events.length, Math.min(200, rebirths.length));
    assert.deepEqual(final.events.at(-1), { t: rebirths.at(-1)!.t, kind: "rebirth", layer: rebirths.at(-1)!.lifecycle!.layer, neuron: rebirths.at(-1)!.lifecycle!.neuron, message: rebirths.at(-1)!.message });
    // In every update: stage by age since the last rebirth up to its t (no senescence configured;
    // seniority 1000 > 600 commits), and the events up to its t.
    let newborns = 0;
    for (const { bundle } of run.shown) {
      const p = payloadOf(bundle);
      const before = rebirths.filter((n) => n.t! <= p.t);
      const expected = run.model.layers.map((l) =>
        Array.from({ length: l.units }, (_, j) => {
          const last = before.filter((n) => n.lifecycle!.layer === l.index && n.lifecycle!.neuron === j).at(-1);
          return p.t - (last?.t ?? 0) < MATURITY ? "newborn" : "mature";
        }),
      );
      assert.deepEqual(p.lifecycle!.stages, expected, `stages at t=${p.t}`);
      assert.equal(p.eventCounts.rebirth ?? 0, before.length, `events at t=${p.t}`);
      newborns += expected.flat().filter((x) => x === "newborn").length;
    }
    assert.ok(newborns > 0, "some update shows a reborn neuron as newborn");
    assert.equal(final.lifecycle!.ages.histogram.counts.reduce((a, b) => a + b, 0), run.model.neuronCount);
    assert.equal(final.lifecycle!.evaluatedT, COMMITS);
  });

  test("the loss is every commit's batch loss, thinned evenly to at most 400 points", () => {
    const { t, loss } = final.loss;
    assert.ok(t.length <= 400 && t.length >= 200, `${t.length} points`);
    const stride = t[1]! - t[0]!;
    t.forEach((x, i) => {
      assert.equal(x % stride, 0);
      assert.equal(loss[i], run.losses.get(x));
    });
  });
});

describe("health renderer", () => {
  test("draws what the payload says: histograms, stages, events, loss", async () => {
    const el = await renderOutput(activate, MIME.health, final);
    assert.match(el.querySelector(".head")!.textContent!, /^Network health after commit t=600 · completed · measured after commit t=600$/);
    const layers = el.querySelectorAll(".layer");
    assert.equal(layers.length, 3);
    const bars = layers[0]!.querySelectorAll(".histogram.weights rect.bar");
    assert.equal(bars.length, 30);
    assert.deepEqual(Array.from(bars, (b) => Number(b.getAttribute("data-count"))), final.layers[0]!.weights.histogram.counts);
    // The tallest bar is the highest count: heights ∝ counts.
    const heights = Array.from(bars, (b) => Number(b.getAttribute("height")));
    const counts = final.layers[0]!.weights.histogram.counts;
    heights.forEach((hgt, i) => assert.ok(Math.abs(hgt - (56 * counts[i]!) / counts.reduce((m, c) => Math.max(m, c), 0)) < 1e-9));
    assert.match(layers[0]!.querySelector(".histogram.weights figcaption")!.textContent!, new RegExp(`weights: ${fmt(final.layers[0]!.weights.histogram.low)} … ${fmt(final.layers[0]!.weights.histogram.high)}`.replace(/[.+]/g, "\\$&")));
    const cells = el.querySelectorAll(".stage-cell");
    assert.equal(cells.length, run.model.neuronCount);
    assert.deepEqual(Array.from(cells, (c) => c.getAttribute("data-stage")), final.lifecycle!.stages.flat());
    const newborn = final.lifecycle!.stages.flat().filter((s) => s === "newborn").length;
    assert.equal(el.querySelector('.stage-key[data-stage="newborn"]')!.textContent, `newborn ${newborn}`);
    assert.equal(el.querySelectorAll(".event-strip .mark.kind-rebirth").length, final.events.length);
    const listed = el.querySelectorAll("ol.events li");
    assert.equal(listed.length, Math.min(12, final.events.length));
    assert.equal(listed[0]!.textContent, `t=${final.events.at(-1)!.t} · rebirth: ${final.events.at(-1)!.message}`);
    assert.equal(Number(el.querySelector(".loss-line")!.getAttribute("data-points")), final.loss.t.length);
    // An update while a reborn neuron is still newborn: its cell and the legend say so.
    const young = run.shown.map((x) => payloadOf(x.bundle)).find((p) => p.lifecycle!.stages.flat().includes("newborn"))!;
    const youngEl = await renderOutput(activate, MIME.health, young);
    const n = young.lifecycle!.stages.flat().filter((s) => s === "newborn").length;
    assert.equal(youngEl.querySelectorAll('.stage-cell.stage-newborn[data-stage="newborn"]').length, n);
    assert.equal(youngEl.querySelector('.stage-key[data-stage="newborn"]')!.textContent, `newborn ${n}`);
    assert.equal(youngEl.querySelector(".head")!.textContent!.includes("training…"), true);
  });

  test("hostile strings stay text; a payload that is not a health view shows an error", async () => {
    const hostile = "<img src=x onerror=alert(1)>";
    const p: HealthViewPayload = { ...final, events: [{ t: 3, kind: `"><script>x</script>`, layer: 0, neuron: 1, message: hostile }], eventCounts: { [hostile]: 1 } };
    const el = await renderOutput(activate, MIME.health, p);
    assert.equal(el.querySelectorAll("img, script").length, 0);
    assert.equal(el.querySelector("ol.events li")!.textContent, `t=3 · "><script>x</script>: ${hostile}`);
    assert.match(el.querySelector(".events-timeline h5")!.textContent!, /<img src=x onerror=alert\(1\)> 1/);
    for (const bad of [{ ...final, kind: "other" }, { ...final, lifecycle: { ...final.lifecycle!, stages: [["zombie"]] } }, null]) {
      const e = await renderOutput(activate, MIME.health, bad);
      assert.match(e.querySelector('[role="alert"]')!.textContent!, /not a health view/);
    }
  });

  test("the SVG fallback is well-formed, escapes text and marks each event; the text fallback names each layer", () => {
    const hostile = "<img src=x onerror=alert(1)>";
    const bundle = run.shown.at(-1)!.bundle;
    const svg = String(bundle["image/svg+xml"]);
    const doc = new JSDOM(svg, { contentType: "image/svg+xml" }).window.document;
    assert.equal(doc.getElementsByTagName("parsererror").length, 0);
    assert.equal(Array.from(doc.getElementsByTagName("title")).filter((t) => /rebirth/.test(t.textContent!)).length, final.events.length);
    assert.equal(doc.getElementsByTagName("polyline").length, 1);
    const text = String(bundle["text/plain"]);
    for (let l = 0; l < 3; l++) assert.match(text, new RegExp(`layer ${l} \\(`));
    assert.match(text, /^Network health · t=600 · completed/);
    // A hostile event kind: escaped in the SVG (marks and counts).
    const p: HealthViewPayload = { ...final, events: [{ t: 3, kind: hostile, layer: 0, neuron: 1, message: hostile }], eventCounts: { [hostile]: 1 } };
    const hostileSvg = new JSDOM(healthSvg(p), { contentType: "image/svg+xml" }).window.document;
    assert.equal(hostileSvg.getElementsByTagName("img").length, 0);
    assert.ok(Array.from(hostileSvg.getElementsByTagName("title")).some((t) => t.textContent!.includes(hostile)));
  });
});
