/**
 * Health in the .nfrun editor and stage colours in the network drawing, on a run recorded with the real
 * engine and recorder (a lifecycle with rebirths and senescent marks): the editor (webviews/editor, in
 * JSDOM) asks the real run query service, over the real file, through the real QueryClient. The health
 * panel follows the playback (events up to the position, stages after its commit); the network drawing
 * colours each neuron by the stage the live lifecycle had at that commit (kept by the test while
 * training, independent of the event log). Also the notebook side: a recorded network (networkTrace) and
 * a trainer with a lifecycle display their neurons' stages, with a legend, in the renderer and the SVG.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, test } from "node:test";
import { JSDOM } from "jsdom";
import { runFileMessage } from "../../extension/editor/load";
import { RunFiles } from "../../extension/runs/run-files";
import { RunQueryService } from "../../extension/runs/service";
import { generators } from "../../kernel/engine/datasets/generators";
import { summarize } from "../../kernel/engine/health/summary";
import type { LifecycleStage } from "../../kernel/engine/lifecycle/stages";
import { Model } from "../../kernel/engine/model";
import { adam } from "../../kernel/engine/optimizers/adam";
import { Trainer } from "../../kernel/engine/trainer";
import { NfrunReader, RunRecorder } from "../../kernel/record";
import { loadSqlJs } from "../../kernel/record/sqljs";
import { mimeBundleOf } from "../../kernel/runtime/display/index";
import { MIME } from "../../kernel/runtime/display/mime";
import { networkTrace } from "../../kernel/runtime/display/network";
import { renderMessage } from "../../webviews/editor/view";
import { activate as activateNetwork } from "../../webviews/renderers/network/index";
import { QueryClient, runSourceOf } from "../../webviews/shared/query-client";
import { installDom } from "./support/dom-globals";
import { renderOutput } from "./support/render-output";
import { until } from "./support/editor-page";

const dom = installDom();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nf-health-editor-"));
const file = path.join(dir, "life.nfrun");
const data = generators.circles({ count: 60, noise: 0.05, seed: 3 });
/** The live lifecycle's stages after each commit (the reference: not read back from the file). */
const liveStages = new Map<number, LifecycleStage[][]>();
/** The live trainer's health measures (per layer: weight and gradient histograms) and fitness distributions, by the commit they were taken at. */
const liveMeasures = new Map<number, { weights: number[]; gradients: number[]; low: number }[]>();
const liveFitness = new Map<number, number[]>();
let runId = "";
let trainer: Trainer;

before(async () => {
  const model = new Model({ inputs: 2, layers: [{ units: 8, activation: "relu" }, { units: 6, activation: "relu" }, { units: 1, activation: "sigmoid" }] });
  model.initialize({ name: "he_uniform" }, 5);
  for (const j of [1, 3]) model.params[model.weightIndex(0, j, 2)] = -100; // two dead neurons
  const rec = await RunRecorder.create(file, { data, seed: 1, epochs: 20, checkpointSeconds: 3600 });
  trainer = new Trainer({
    model, loss: "bce", strategy: adam, hyperparameters: { lr: 0.05 }, batchSize: 10, shuffle: true, seed: 1,
    // maturity/seniority: the engine's defaults (a cell's run stores no lifecycle block); senescence marks dead neurons dying.
    lifecycle: { every: 10, fraction: 0, senescence: { steps: 20, flat: 0.05, exit: 2, grace: 30 } },
    health: { every: 25 },
    observers: [
      rec,
      {
        readsBank: false,
        onCommit(e) {
          const life = e.trainer.lifecycle!;
          liveStages.set(e.t, e.trainer.model.layers.map((l) => Array.from({ length: l.units }, (_, j) => life.stage(l.neuronOffset + j, e.t))));
          const latest = e.trainer.health!.latest;
          if (latest[0]?.t === e.t) liveMeasures.set(e.t, latest.map((m) => ({ weights: [...m.weights.histogram.counts], gradients: [...m.gradients.histogram.counts], low: m.weights.histogram.low })));
          if (life.evaluatedAt === e.t) liveFitness.set(e.t, [...summarize(life.terms.fitness).histogram.counts]);
        },
      },
    ],
  });
  rec.finish(trainer.fit(data, 20));
  runId = rec.runId;
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The editor (JSDOM) on a run file, answered by the real run query service through the real QueryClient. */
async function openEditor(nfrun: string): Promise<{ root: HTMLElement; close: () => void }> {
  const files = new RunFiles();
  const service = new RunQueryService(files);
  const client: QueryClient = new QueryClient((m) => void service.answer(nfrun, m).then((a) => setTimeout(() => client.receive(JSON.parse(JSON.stringify(a))), 1)));
  const root = document.createElement("div");
  document.body.append(root);
  renderMessage(JSON.parse(JSON.stringify(await runFileMessage(files, nfrun, path.basename(nfrun)))), root, { host: client, source: runSourceOf(client) });
  return { root, close: () => { files.dispose(); root.remove(); } };
}

/** Drawn hidden/output neurons' stages, per layer, as the drawing shows them. */
function drawnStages(root: ParentNode): (string | null)[][] {
  const rows: (string | null)[][] = [];
  for (const c of root.querySelectorAll("circle.neuron:not(.input)")) {
    const layer = Number(c.getAttribute("data-column")) - 1;
    (rows[layer] ??= [])[Number(c.getAttribute("data-index"))] = c.getAttribute("data-stage");
  }
  return rows;
}

test("editor: the health panel and the network's stage colours follow the playback", async () => {
  const { root, close } = await openEditor(file);
  const reader = await NfrunReader.open(file);
  try {
    // At the end (t = 120).
    const panel = await until("the health panel at the end", () => root.querySelector<HTMLElement>('.health-panel[data-t="120"][aria-busy="false"]'));
    let playback = await until("the playback drawn", () => root.querySelector<HTMLElement>('.playback[aria-busy="false"]'));
    assert.deepEqual(drawnStages(playback), liveStages.get(120));
    assert.equal(playback.querySelectorAll(".stage-legend .stage-key").length, 4);
    assert.deepEqual(Array.from(panel.querySelectorAll(".stage-cell"), (c) => c.getAttribute("data-stage")), liveStages.get(120)!.flat());
    // Choosing the first senescent event moves the playback to its commit: a neuron dying there.
    const log = reader.events(runId).filter((e) => e.kind === "lifecycle");
    const mark = log.find((e) => (e.data as { lifecycle: { kind: string } }).lifecycle.kind === "senescent")!;
    assert.ok(mark, "the run has a senescent mark");
    const t = mark.t!;
    const button = [...root.querySelectorAll<HTMLButtonElement>(".events-timeline button.event")].find((b) => b.getAttribute("data-t") === String(t) && b.textContent!.includes(mark.message))!;
    button.click();
    await until(`the health panel at t=${t}`, () => root.querySelector(`.health-panel[data-t="${t}"][aria-busy="false"]`));
    playback = await until("the playback at the event", () => root.querySelector<HTMLElement>(`.playback[data-shown-t="${t}"][aria-busy="false"]`));
    const expected = liveStages.get(t)!;
    assert.ok(expected.flat().includes("dying"));
    assert.deepEqual(drawnStages(playback), expected);
    const dying = playback.querySelector('circle.neuron[data-stage="dying"]')!;
    assert.match(dying.getAttribute("aria-label")!, /, dying: bias /);
    assert.deepEqual(Array.from(panel.querySelectorAll(".stage-cell"), (c) => c.getAttribute("data-stage")), expected.flat());
    // The panel's events are those up to t: the last listed is the last one at or before t.
    const upTo = log.filter((e) => e.t! <= t);
    assert.equal(panel.querySelector("ol.events li")!.textContent!.endsWith(upTo.at(-1)!.message), true);
    assert.equal(panel.querySelectorAll(".event-strip .mark").length, upTo.length);
    // The loss up to t only.
    const points = Number(panel.querySelector(".loss-line")!.getAttribute("data-points"));
    assert.equal(points, reader.trace(runId).t.filter((x) => x <= t).length);
  } finally {
    reader.close();
    close();
  }
});

/** The last of `keys` at or before t. */
const lastAt = (keys: Iterable<number>, t: number): number => [...keys].filter((k) => k <= t).reduce((m, k) => Math.max(m, k), -Infinity);

/** What the panel draws: each histogram's bars (count and pixel height) by its figure's class. */
function drawnBars(fig: Element | null): { counts: number[]; heights: number[] } {
  assert.ok(fig, "a histogram is drawn");
  const bars = [...fig.querySelectorAll("rect.bar")];
  return { counts: bars.map((b) => Number(b.getAttribute("data-count"))), heights: bars.map((b) => Number(b.getAttribute("height"))) };
}

/** The panel after commit t shows the live trainer's last measure and fitness evaluation at or before t, bars ∝ counts (56 px the tallest). */
function assertMeasuresAt(panel: HTMLElement, t: number): void {
  const m = lastAt(liveMeasures.keys(), t);
  assert.match(panel.querySelector(".nf-health .head")!.textContent!, new RegExp(`^Network health after commit t=${t} · completed · measured after commit t=${m}$`));
  const live = liveMeasures.get(m)!;
  assert.equal(panel.querySelectorAll("section.layer").length, 3);
  live.forEach((layer, l) => {
    const section = panel.querySelector(`section.layer[data-layer="${l}"]`)!;
    for (const tensor of ["weights", "gradients"] as const) {
      const { counts, heights } = drawnBars(section.querySelector(`.histogram.${tensor}`));
      assert.deepEqual(counts, layer[tensor], `layer ${l} ${tensor} at t=${m}`);
      const max = counts.reduce((m, c) => Math.max(m, c), 0);
      heights.forEach((px, i) => assert.ok(Math.abs(px - (56 * counts[i]!) / max) < 1e-9, `layer ${l} ${tensor} bin ${i}: ${px} px for ${counts[i]} of ${max}`));
    }
    assert.equal(Number(section.querySelector(".histogram.weights")!.getAttribute("data-low")), layer.low);
  });
  const e = lastAt(liveFitness.keys(), t);
  assert.equal(panel.querySelector("section.lifecycle h5")!.textContent, `Lifecycle · fitness evaluated at t=${e}`);
  assert.deepEqual(drawnBars(panel.querySelector(".histogram.fitness")).counts, liveFitness.get(e));
}

test("editor: the health panel draws the recorded histograms and fitness of the commit shown, and they follow the scrubber", async () => {
  const { root, close } = await openEditor(file);
  try {
    const panel = await until("the health panel at the end", () => root.querySelector<HTMLElement>('.health-panel[data-t="120"][aria-busy="false"]'));
    assertMeasuresAt(panel, 120);
    const atEnd = drawnBars(panel.querySelector('section.layer[data-layer="0"] .histogram.weights')).counts;
    const scrubber = root.querySelector<HTMLInputElement>('input[aria-label="position (commits done)"]')!;
    for (const t of [60, 24, 0]) {
      scrubber.value = String(t);
      scrubber.dispatchEvent(new dom.window.Event("input"));
      await until(`the health panel at t=${t}`, () => root.querySelector(`.health-panel[data-t="${t}"][aria-busy="false"]`));
      if (t === 60) {
        assertMeasuresAt(panel, 60);
        assert.notDeepEqual(drawnBars(panel.querySelector('section.layer[data-layer="0"] .histogram.weights')).counts, atEnd, "the weight histogram moved with the scrubber");
      } else {
        // Before the first measure (t=25) and evaluation (t=10): no layer histograms yet, as the live view before its first measure.
        assert.match(panel.querySelector(".nf-health .head")!.textContent!, /health not measured yet$/);
        assert.equal(panel.querySelectorAll("section.layer").length, 0);
        if (t === 0) assert.equal(panel.querySelector("section.lifecycle h5")!.textContent, "Lifecycle · fitness not evaluated yet");
      }
    }
  } finally {
    close();
  }
});

test("editor: run-file strings in the health panel stay text", async () => {
  const hostile = path.join(dir, "hostile.nfrun");
  const SQL = await loadSqlJs();
  const db = new SQL.Database(fs.readFileSync(file));
  db.run(`UPDATE events SET message = '<img src=x onerror="globalThis.pwned=1">' || message WHERE kind = 'lifecycle'`);
  fs.writeFileSync(hostile, db.export());
  db.close();
  const { root, close } = await openEditor(hostile);
  try {
    const panel = await until("the health panel", () => root.querySelector<HTMLElement>('.health-panel[data-t="120"][aria-busy="false"]'));
    const items = [...panel.querySelectorAll("ol.events li")];
    assert.ok(items.length > 0);
    for (const li of items) assert.match(li.textContent!, /<img src=x onerror="globalThis.pwned=1">/);
    assert.equal(panel.querySelectorAll("img, script, [onerror]").length, 0);
    assert.equal((globalThis as { pwned?: number }).pwned, undefined);
  } finally {
    close();
  }
});

test("notebook: a recorded network and a trainer with a lifecycle draw their neurons' stages, with a legend and in the SVG", async () => {
  const reader = await NfrunReader.open(file);
  try {
    const [t1, t2] = [...liveStages.keys()].filter((t) => liveStages.get(t)!.flat().includes("dying")).slice(0, 1).concat([120]);
    const bundle = mimeBundleOf(networkTrace(reader, runId, [t1!, t2!]));
    const payload = bundle[MIME.network] as { recording: { commits: { t: number; stages: LifecycleStage[][] }[] } };
    assert.deepEqual(payload.recording.commits.map((c) => c.stages), [liveStages.get(t1!), liveStages.get(t2!)]);
    const el = await renderOutput(activateNetwork, MIME.network, payload);
    assert.deepEqual(drawnStages(el), liveStages.get(t2!));
    assert.equal(el.querySelectorAll(".stage-legend .stage-key").length, 4);
    const scrubber = el.querySelector<HTMLInputElement>('input[aria-label="commit"]')!;
    scrubber.value = "0";
    scrubber.dispatchEvent(new dom.window.Event("input"));
    assert.deepEqual(drawnStages(el), liveStages.get(t1!), "the scrubber's commit: its own stages");
    // The SVG fallback: each neuron's stage in its title, dying dashed.
    const svg = new JSDOM(String(bundle["image/svg+xml"]), { contentType: "image/svg+xml" }).window.document;
    const titles = Array.from(svg.querySelectorAll("circle > title"), (x) => x.textContent);
    assert.deepEqual(titles, liveStages.get(t2!)!.flatMap((row, l) => row.map((s, j) => `layer ${l} neuron ${j}: ${s}`)));
  } finally {
    reader.close();
  }
  // A trainer with a lifecycle: its network with the stages now; a model alone: no stages, no legend.
  const live = mimeBundleOf(trainer)[MIME.network] as { stages: LifecycleStage[][] };
  assert.deepEqual(live.stages, liveStages.get(120));
  const el = await renderOutput(activateNetwork, MIME.network, live);
  assert.deepEqual(drawnStages(el), liveStages.get(120));
  const plain = await renderOutput(activateNetwork, MIME.network, mimeBundleOf(trainer.model)[MIME.network]);
  assert.equal(plain.querySelectorAll("[data-stage]").length, 0);
  assert.equal(plain.querySelector(".stage-legend"), null);
});
