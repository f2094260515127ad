/**
 * The real .nfrun editor bundle (webviews/editor/main.ts, built in memory as esbuild.mjs builds it) in
 * JSDOM with eval/Function forbidden, talking to the real host side: its messages go to the run query
 * service (extension/runs/) over a real file with three recorded runs, answers come back as JSON. Driven
 * only through the controls' accessible names (as the e2e tests drive them) and checked against the
 * reader: drawn weights = reader.weightsAfter at the commit of the position, popups = reader.weightTrace
 * (Leverage = Input × Blame, Avg = BatchTot / Count, After = Before − Adj), sample panel = neuronSnapshot,
 * play/pause by granularity, events timeline navigation, run picker.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, test } from "node:test";
import { Model, Trainer } from "../../kernel/engine";
import type { LookaheadOptions } from "../../kernel/engine/lookahead";
import { getStrategy } from "../../kernel/engine/optimizers/registry";
import { NfrunReader, RunRecorder, type NfrunError, type WeightTrace } from "../../kernel/record";
import { loadSqlJs } from "../../kernel/record/sqljs";
import { pointAtLine } from "./support/dom-globals";
import { fmt } from "../../webviews/shared/format";
import { editorBundle, openEditorPage } from "./support/editor-page";
import { toyDataset } from "./support/toy-data";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nf-editor-playback-"));
const file = path.join(dir, "runs.nfrun");
const data = toyDataset(); // 12 samples
const runs: { id: string; batchSize: number; epochs: number }[] = [];
let reader: NfrunReader;
let bundle = "";

async function record(strategy: string, batchSize: number, epochs: number, lookahead?: LookaheadOptions): Promise<void> {
  const model = new Model({ inputs: 2, layers: [{ units: 3, activation: "tanh" }, { units: 1, activation: "sigmoid" }] });
  model.initialize({ name: "xavier_uniform" }, runs.length + 1);
  const rec = await RunRecorder.create(file, { data, seed: runs.length + 1, epochs, checkpointSeconds: 3600 });
  const trainer = new Trainer({ model, loss: "mse", strategy: getStrategy(strategy), hyperparameters: { lr: 0.1 }, batchSize, shuffle: true, seed: runs.length + 1, observers: [rec], ...(lookahead ? { lookahead } : {}) });
  rec.finish(trainer.fit(data, epochs));
  runs.push({ id: rec.runId, batchSize, epochs });
}

before(async () => {
  await record("adam", 5, 3); // 3 commits per epoch (5, 5, 2 samples)
  await record("sgd", 4, 2, { k: 3, alpha: 0.5 }); // Lookahead: sync events at t = 3, 6
  await record("sgd", 12, 1);
  reader = await NfrunReader.open(file);
  bundle = await editorBundle();
});
after(() => {
  reader.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** The editor bundle in a fresh page whose host is the real query service over `target` (default: `file`). */
const openEditor = (target = file) => openEditorPage(bundle, target);

type Editor = Awaited<ReturnType<typeof openEditor>>;

/** Every drawn weight against reader.weightsAfter after commit t. */
function assertWeightsAfter(ed: Editor, runId: string, t: number): void {
  const ctx = reader.context(runId);
  const lines = [...ed.doc.querySelectorAll(".playback line.weight")];
  assert.equal(lines.length, 13, "2-3-1 with biases: 13 weights drawn");
  for (const l of lines) {
    const [layer, neuron, weight] = ["data-layer", "data-neuron", "data-weight"].map((a) => Number(l.getAttribute(a))) as [number, number, number];
    assert.equal(Number(l.getAttribute("data-value")), reader.weightsAfter(ctx, t, layer, neuron)![weight], `weight [${layer}, ${neuron}, ${weight}] after t=${t}`);
  }
}

const commitsOf = (runId: string) => reader.trace(runId);

/** Steps back (at the chosen granularity) until the playback stands at position (k, slot), drawn. */
async function stepBackTo(ed: Editor, k: number, slot: number): Promise<HTMLElement> {
  await ed.settled();
  const at = () => Number(ed.playback()!.getAttribute("data-k")) === k && Number(ed.playback()!.getAttribute("data-slot")) === slot;
  for (let i = 0; i < 40 && !at(); i++) {
    ed.click(ed.byLabel("step back"));
    await ed.settled();
  }
  return ed.settled(k, slot);
}

/** Chooses a run in the editor's run picker, as a person does. */
/** The first run picked and shown at t = 8's position, playback stepping by sample. */
async function firstRunBySample(ed: Editor): Promise<{ runId: string; tr: ReturnType<typeof commitsOf> }> {
  const runId = runs[0]!.id;
  pickRun(ed, runId);
  const tr = commitsOf(runId);
  await ed.settled(8, tr.count[8]!);
  ed.click(ed.byLabel("step by sample"));
  return { runId, tr };
}

function pickRun(ed: Awaited<ReturnType<typeof openEditor>>, runId: string): void {
  const picker = ed.byLabel<HTMLSelectElement>("run");
  picker.value = runId;
  picker.dispatchEvent(new ed.doc.defaultView!.Event("change"));
}

test("opens on the newest run's last commit; stepping back/forward by batch draws reader.weightsAfter of each commit", async () => {
  const ed = await openEditor();
  try {
    const picker = ed.byLabel<HTMLSelectElement>("run");
    await ed.settled();
    assert.equal(picker.value, runs[2]!.id, "the newest run is chosen");
    picker.value = runs[0]!.id;
    picker.dispatchEvent(new ed.doc.defaultView!.Event("change"));
    const tr = commitsOf(runs[0]!.id);
    const K = tr.t.length;
    assert.equal(K, 9);
    let p = await ed.settled(K - 1, tr.count[K - 1]!);
    assert.equal(p.getAttribute("data-shown-t"), "9");
    assertWeightsAfter(ed, runs[0]!.id, 9);
    for (const t of [8, 7, 6]) {
      ed.click(ed.byLabel("step back"));
      p = await ed.settled(t - 1, tr.count[t - 1]!);
      assert.equal(p.getAttribute("data-shown-t"), String(t));
      assertWeightsAfter(ed, runs[0]!.id, t);
      assert.match(p.querySelector(".sample-panel")!.textContent!, new RegExp(`^Committed batch ${tr.batch[t - 1]} of epoch ${tr.epoch[t - 1]}: ${tr.count[t - 1]} samples`));
    }
    ed.click(ed.byLabel("step forward"));
    await ed.settled(6, tr.count[6]!);
    assertWeightsAfter(ed, runs[0]!.id, 7);
    // Keyboard: ← on the playback steps back, End goes to the end.
    ed.key(ed.playback()!, "ArrowLeft");
    await ed.settled(5, tr.count[5]!);
    ed.key(ed.playback()!, "End");
    await ed.settled(8, tr.count[8]!);
    // The file is sent again (a recording's checkpoint): the run and the place stay.
    await ed.resend();
    for (let i = 0; i < 200 && ed.doc.contains(p); i++) await new Promise((r) => setTimeout(r, 10));
    p = await ed.settled(8, tr.count[8]!);
    assert.equal(ed.byLabel<HTMLSelectElement>("run").value, runs[0]!.id);
    ed.click(ed.byLabel("step back"));
    await ed.settled(7, tr.count[7]!);
    await ed.resend();
    for (let i = 0; i < 200 && ed.doc.contains(p); i++) await new Promise((r) => setTimeout(r, 10));
    p = await ed.settled(7, tr.count[7]!);
    assertWeightsAfter(ed, runs[0]!.id, 8);
    ed.click(ed.byLabel("go to start"));
    p = await ed.settled(0, 0);
    assert.equal(p.getAttribute("data-shown-t"), "0");
    assertWeightsAfter(ed, runs[0]!.id, 0);
    assert.equal(ed.byLabel<HTMLButtonElement>("step back").disabled, true);
    const scrubber = ed.byLabel<HTMLInputElement>("position (commits done)");
    scrubber.value = "4";
    scrubber.dispatchEvent(new ed.doc.defaultView!.Event("input"));
    p = await ed.settled(3, tr.count[3]!);
    assertWeightsAfter(ed, runs[0]!.id, 4);
    assert.deepEqual(ed.errors.filter((e) => !/HTMLCanvasElement.prototype.getContext/.test(e)), []);
  } finally {
    ed.close();
  }
});

test("sample granularity: Pending positions draw the weights before the batch's commit and name the current sample (prediction, loss from neuronSnapshot)", async () => {
  const ed = await openEditor();
  try {
    const { runId, tr } = await firstRunBySample(ed);
    ed.click(ed.byLabel("step back"));
    let p = await ed.settled(8, tr.count[8]! - 1);
    assert.equal(p.getAttribute("data-shown-t"), "8", "the batch of t=9 is still pending: weights after t=8");
    assertWeightsAfter(ed, runId, 8);
    for (const slot of [1, 0]) {
      // Back into batch 1 of epoch 1 (t = 5): to (4, slot).
      p = await stepBackTo(ed, 4, slot);
      const panel = p.querySelector(".sample-panel")!;
      assert.equal(panel.querySelector(".bank")!.textContent, "Pending");
      assert.match(panel.textContent!, new RegExp(`${slot + 1} of 5 samples in the blame bank; commit t=5 follows`));
      const sample = Number(panel.querySelector(".current-sample")!.getAttribute("data-sample"));
      const out = reader.neuronSnapshot(runId, 1, 0, tr.epoch[4]!, sample);
      assert.equal(out.kind, "neuron-snapshot");
      if (out.kind !== "neuron-snapshot") continue;
      assert.equal(out.t, 5);
      assert.equal(out.slot, slot);
      assert.equal(Number(panel.querySelector(".loss")!.getAttribute("data-value")), out.loss);
      assert.deepEqual(JSON.parse(panel.querySelector(".prediction")!.getAttribute("data-value")!), [out.forward.a]);
      assertWeightsAfter(ed, runId, 4);
    }
  } finally {
    ed.close();
  }
});

test("a pending position explains the pending batch: the samples in the bank, a weight's bank so far (Σ input × blame) and the commit that follows", async () => {
  const ed = await openEditor();
  try {
    const { runId } = await firstRunBySample(ed);
    const p = await stepBackTo(ed, 4, 1); // batch of t = 5 (5 samples), 2 of them in the bank
    const trace = reader.weightTrace(runId, 0, 2, 1, 5) as WeightTrace;
    assert.equal(trace.kind, "weight-trace");
    const ids = (rows: typeof trace.rows) => rows.map((r) => `#${r.sample}`).join(", ");
    // The sample panel names the bank's samples and those to come (the batch of t = 5, in order).
    assert.match(p.querySelector(".sample-panel .pending-samples")!.textContent!, new RegExp(`^in the bank: ${ids(trace.rows.slice(0, 2))} · still to come: ${ids(trace.rows.slice(2))} · `));
    assert.match(p.querySelector(".commit-label")!.textContent!, /before commit t=5 \(epoch 1, batch 1 pending: 2 samples in the blame bank\)/);
    const line = ed.doc.querySelector('.playback line.weight[data-layer="0"][data-neuron="2"][data-weight="1"]')!;
    pointAtLine(line, "mousemove");
    const popup = ed.doc.querySelector(".playback .popup")!;
    for (let i = 0; i < 300 && !popup.querySelector(".nf-audit"); i++) await new Promise((r) => setTimeout(r, 10));
    const box = popup.querySelector(".pending-batch")!;
    assert.equal(box.querySelector(".pending-samples")!.textContent, `Pending: batch 1 of epoch 1, 2 of 5 samples in the blame bank (${ids(trace.rows.slice(0, 2))}); still to come: ${ids(trace.rows.slice(2))}`);
    // The bank so far, redone here: Σ input × blame over the two samples in it.
    const [r0, r1] = trace.rows;
    const bank = r0!.input * r0!.blame + r1!.input * r1!.blame;
    const shown = /= (\S+) \(this weight; Cum\. of sample 2\)$/.exec(box.querySelector(".pending-bank")!.textContent!);
    assert.ok(shown, box.querySelector(".pending-bank")!.textContent!);
    assert.equal(shown[1], fmt(bank).replace("-", "−"));
    assert.match(box.querySelector(".pending-commit")!.textContent!, new RegExp(`^commit t=5 follows the batch's last sample: Avg = BatchTot / Count = .* / 5 = ${fmt(trace.commit.batchTotal / 5).replace("-", "−").replace(/[.+]/g, "\\$&")},`));
    // The stepper stands on the second sample; the three to come are dimmed; the commit is labelled as the next one.
    const rows = [...popup.querySelectorAll("tr.sample-row")];
    assert.deepEqual(rows.map((r) => r.classList.contains("current")), [false, true, false, false, false]);
    assert.deepEqual(rows.map((r) => r.classList.contains("later")), [false, false, true, true, true]);
    assert.equal(Number(rows[1]!.querySelector("td.cum")!.getAttribute("data-value")), bank);
    assert.equal(popup.querySelector("section.update .badge")!.textContent, "Pending");
    assert.equal(popup.querySelector("section.commit .badge")!.textContent, "Next commit");
    // Before is the weight drawn (the commit has not happened), After what commit t = 5 makes of it.
    const v = (el: Element | null) => Number(el!.getAttribute("data-value"));
    assert.equal(v(popup.querySelector("td.before")), Number(line.getAttribute("data-value")));
    assert.equal(v(popup.querySelector("td.before")), reader.weightsAfter(reader.context(runId), 4, 0, 2)![1]);
    assert.equal(v(popup.querySelector("td.after")), trace.commit.after);
    assert.match(popup.querySelector(".value")!.textContent!, /^value before commit t=5: /);
  } finally {
    ed.close();
  }
});

test("play/pause advances by the chosen granularity (sample, then epoch) and stops when paused", async () => {
  const ed = await openEditor();
  try {
    const runId = runs[0]!.id;
    pickRun(ed, runId);
    const tr = commitsOf(runId);
    await ed.settled(8, tr.count[8]!);
    ed.click(ed.byLabel("go to start"));
    await ed.settled(0, 0);
    const seen: string[] = [];
    const observer = new ed.doc.defaultView!.MutationObserver(() => {
      const p = ed.playback()!;
      const at = `${p.getAttribute("data-k")}:${p.getAttribute("data-slot")}`;
      if (seen[seen.length - 1] !== at) seen.push(at);
    });
    observer.observe(ed.playback()!, { attributes: true, attributeFilter: ["data-k", "data-slot"] });
    ed.click(ed.byLabel("step by sample"));
    ed.click(ed.byLabel("play"));
    const pause = ed.byLabel("pause");
    assert.equal(pause.getAttribute("aria-pressed"), "true");
    while (seen.length < 3) await new Promise((r) => setTimeout(r, 20));
    ed.click(pause);
    assert.equal(ed.byLabel("play").getAttribute("aria-pressed"), "false");
    await ed.settled();
    await new Promise((r) => setTimeout(r, 800));
    assert.deepEqual(seen, ["0:1", "0:2", "0:3"], "one sample per step, nothing after pause");
    seen.length = 0;
    ed.click(ed.byLabel("step by epoch"));
    ed.click(ed.byLabel("play"));
    while (seen.length < 2) await new Promise((r) => setTimeout(r, 20));
    ed.click(ed.byLabel("pause"));
    await ed.settled();
    // Epoch stops: the committed last batch of each epoch (k = 2, 5, 8).
    assert.deepEqual(seen.slice(0, 2), [`2:${tr.count[2]}`, `5:${tr.count[5]}`]);
    assertWeightsAfter(ed, runId, Number(seen[seen.length - 1]!.split(":")[0]) + 1);
    observer.disconnect();
  } finally {
    ed.close();
  }
});

test("hovering a weight opens its audit popup, read lazily from the file: the numbers are reader.weightTrace's; a neuron's popup is reader.neuronSnapshot's", async () => {
  const ed = await openEditor();
  try {
    const runId = runs[0]!.id;
    pickRun(ed, runId);
    await ed.settled(8, 2);
    ed.click(ed.byLabel("step back"));
    await ed.settled(7, 5); // after t = 8, batch of 5 samples
    const line = ed.doc.querySelector('.playback line.weight[data-layer="0"][data-neuron="2"][data-weight="1"]')!;
    const before = ed.queries.filter((q) => q === "weightTrace").length;
    pointAtLine(line, "mousemove");
    const popup = ed.doc.querySelector(".playback .popup")!;
    for (let i = 0; i < 300 && !popup.querySelector(".nf-audit"); i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(ed.queries.filter((q) => q === "weightTrace").length, before + 1, "one weightTrace query");
    const trace = reader.weightTrace(runId, 0, 2, 1, 8) as WeightTrace;
    assert.equal(trace.kind, "weight-trace");
    const v = (el: Element | null) => Number(el!.getAttribute("data-value"));
    const rows = [...popup.querySelectorAll("tr.sample-row")];
    assert.equal(rows.length, 5);
    rows.forEach((r, i) => {
      const [input, blame] = [...r.querySelectorAll("td.num")].slice(1, 3).map(v) as [number, number];
      assert.equal(v(r.querySelector("td.leverage")), input * blame, "Leverage = Input × Blame");
      assert.equal(v(r.querySelector("td.leverage")), trace.rows[i]!.leverage);
      assert.equal(v(r.querySelector("td.cum")), trace.rows[i]!.cumulative);
    });
    assert.equal(v(popup.querySelector("td.avg")), v(popup.querySelector("td.batch-total")) / v(popup.querySelector("td.count")), "Avg = BatchTot / Count");
    assert.equal(v(popup.querySelector("td.avg")), trace.commit.avg);
    assert.equal(v(popup.querySelector("td.after")), v(popup.querySelector("td.before")) - v(popup.querySelector("td.adj")), "After = Before − Adj");
    assert.equal(v(popup.querySelector("td.after")), trace.commit.after);
    assert.equal(v(popup.querySelector("td.after")), Number(line.getAttribute("data-value")), "After is the weight drawn");
    // A neuron's popup steps through the drawn commit's batch; it opens on its last sample, asked lazily.
    const neuron = ed.doc.querySelector('.playback circle.neuron[data-column="2"][data-index="0"]')!;
    neuron.dispatchEvent(new ed.doc.defaultView!.MouseEvent("mouseenter"));
    for (let i = 0; i < 300 && !popup.querySelector("td.z"); i++) await new Promise((r) => setTimeout(r, 10));
    const last = trace.rows[trace.rows.length - 1]!.sample;
    const snap = reader.neuronSnapshot(runId, 1, 0, trace.epoch, last);
    assert.equal(snap.kind, "neuron-snapshot");
    if (snap.kind === "neuron-snapshot") {
      assert.equal(snap.t, 8);
      assert.equal(v(popup.querySelector("td.z")), snap.forward.z);
      assert.equal(v(popup.querySelector("td.a")), snap.forward.a);
    }
  } finally {
    ed.close();
  }
});

test("events timeline: every event of the run with its t; choosing one moves the playback there; run picker lists every run", async () => {
  const ed = await openEditor();
  try {
    const picker = ed.byLabel<HTMLSelectElement>("run");
    assert.deepEqual(
      [...picker.options].map((o) => o.value),
      runs.map((r) => r.id),
    );
    // By name: the dataset (a notebook run has no experiment name) and what differs from the other runs.
    assert.match(picker.options[1]!.textContent!, /^toy · batch_size=4 · epochs=2 · optimizer=sgd · seed=2 · completed · SGD · 2 epochs, 6 commits · final loss /);
    const runId = runs[1]!.id;
    picker.value = runId;
    picker.dispatchEvent(new ed.doc.defaultView!.Event("change"));
    await ed.settled(5, 4);
    const section = ed.doc.querySelector(`section.run[data-run-id="${runId}"]`)!;
    const list = section.querySelector('ol[aria-label="events"]')!;
    const events = reader.events(runId);
    assert.deepEqual(
      [...list.querySelectorAll("button.event")].map((b) => b.getAttribute("data-kind")),
      events.map((e) => e.kind),
    );
    assert.deepEqual(
      events.filter((e) => e.kind === "lookahead_sync").map((e) => e.t),
      [3, 6],
    );
    const sync3 = list.querySelector('button.event[data-kind="lookahead_sync"][data-t="3"]')!;
    assert.match(sync3.getAttribute("aria-label")!, /^go to t=3 · epoch 0: lookahead_sync, /);
    ed.click(sync3);
    const p = await ed.settled(2, 4);
    assert.equal(p.getAttribute("data-shown-t"), "3");
    assertWeightsAfter(ed, runId, 3);
    assert.equal(ed.doc.activeElement, p, "the playback takes the focus");
    ed.click(list.querySelector('button.event[data-kind="start"]')!);
    await ed.settled(0, 0);
    assert.equal(section.querySelectorAll(".event-strip .mark").length, events.length);
  } finally {
    ed.close();
  }
});

test("a file damaged inside its data (sample indices no recorder writes): the summaries read fine; the first query that reads the damage puts the notice above the runs, naming `neuroforge verify`", async () => {
  // Epoch 2's chunks of the first run overwritten in place (same sizes: SQLite and the size checks pass).
  const damaged = path.join(dir, "damaged run.nfrun");
  const SQL = await loadSqlJs();
  const db = new SQL.Database(fs.readFileSync(file));
  const rows = db.exec("SELECT first_position, count FROM sample_chunks WHERE run_id = ? AND epoch = 2", [runs[0]!.id])[0]!.values;
  assert.ok(rows.length > 0);
  for (const [first, count] of rows) {
    const garbage = new Int32Array(Number(count)).fill(1_539_318_949);
    db.run("UPDATE sample_chunks SET sample = ? WHERE run_id = ? AND epoch = 2 AND first_position = ?", [new Uint8Array(garbage.buffer), runs[0]!.id, first as number]);
  }
  fs.writeFileSync(damaged, db.export());
  db.close();
  // The reader names the impossible sample; an undamaged epoch still reads.
  const r = await NfrunReader.open(damaged);
  try {
    const t = commitsOf(runs[0]!.id).t.length; // the last commit, in epoch 2
    assert.throws(() => r.weightTrace(runs[0]!.id, 1, 0, 0, t), (e: NfrunError) => e.kind === "corrupt" && /sample chunk at epoch 2, position \d+ names sample 1539318949, outside the 12 samples/.test(e.message));
    assert.equal(r.weightTrace(runs[0]!.id, 1, 0, 0, 1).kind, "weight-trace");
  } finally {
    r.close();
  }
  const ed = await openEditor(damaged);
  try {
    assert.equal(ed.doc.querySelector(".damage-panel"), null, "the run summaries read nothing damaged");
    // The playback opens at the run's last commit (epoch 2): its batch and sample queries read the damage.
    pickRun(ed, runs[0]!.id);
    let panel: Element | null = null;
    for (let i = 0; i < 300 && !(panel = ed.doc.querySelector(".damage-panel")); i++) await new Promise((res) => setTimeout(res, 10));
    assert.ok(panel, "the damage notice appears");
    assert.equal(panel.getAttribute("role"), "alert");
    assert.equal(panel.querySelector("h2")!.textContent, "This file is damaged");
    assert.match(panel.querySelector(".message")!.textContent!, /names sample 1539318949, outside the 12 samples/);
    assert.equal(panel.querySelector("code.verify")!.textContent, "neuroforge verify 'damaged run.nfrun'");
    assert.equal(ed.doc.querySelector("#root")!.children[1], panel, "above the runs (after the stylesheet)");
    // The playback says why it cannot draw that position; stepping back (t=8, still epoch 2) fails the
    // same way and the notice stays one.
    await ed.settled();
    assert.match(ed.playback()!.textContent!, /Cannot read this position from the run file: .*outside the 12 samples/);
    const before = ed.queries.length;
    ed.click(ed.byLabel("step back"));
    for (let i = 0; i < 300 && ed.queries.length === before; i++) await new Promise((res) => setTimeout(res, 10));
    await ed.settled();
    assert.ok(ed.queries.length > before, "stepping back asked the host again");
    assert.equal(ed.doc.querySelectorAll(".damage-panel").length, 1);
    assert.deepEqual(ed.errors.filter((e) => !/HTMLCanvasElement.prototype.getContext/.test(e)), []); // JSDOM has no canvas (Vega measures text)
  } finally {
    ed.close();
  }
});

test("the decision boundary follows the playback: the run's points, the surface from reader.weightsAfter of the shown commit", async () => {
  const ed = await openEditor();
  try {
    await ed.settled();
    pickRun(ed, runs[0]!.id);
    const tr = commitsOf(runs[0]!.id);
    const ctx = reader.context(runs[0]!.id);
    const view = ed.doc.defaultView!;
    for (const t of [9, 8]) {
      if (t === 8) ed.click(ed.byLabel("step back"));
      await ed.settled(t - 1, tr.count[t - 1]!);
      assert.equal(ed.doc.querySelectorAll(".playback .boundary circle.pt.train").length, 12, "the run's 12 stored samples");
      assert.match(ed.doc.querySelector(".playback .boundary .caption")!.textContent!, new RegExp(`after commit t=${t}$`));
      const model = new Model({ inputs: 2, layers: [{ units: 3, activation: "tanh" }, { units: 1, activation: "sigmoid" }] });
      model.layers.forEach((l, li) => {
        for (let j = 0; j < l.units; j++) model.params.set(reader.weightsAfter(ctx, t, li, j)!, l.offset + j * (l.inputs + 1));
      });
      const rects = [...ed.doc.querySelectorAll(".playback .boundary .surface rect")];
      for (const c of [0, 777, 1599]) {
        const r = rects[c]!;
        const p = model.predict([Number(r.getAttribute("data-x1")), Number(r.getAttribute("data-x2"))])[0]!;
        // Shade k of 31 between orange, grey and blue (TF Playground's stops), as the stylesheet paints it.
        const k = Math.round(p * 30) / 30;
        const [a, b, u] = k <= 0.5 ? [[0xf5, 0x93, 0x22], [0xe8, 0xea, 0xeb], k * 2] as const : [[0xe8, 0xea, 0xeb], [0x08, 0x77, 0xbd], k * 2 - 1] as const;
        const hex = `#${a.map((v, i) => Math.round(v + (b[i]! - v) * u).toString(16).padStart(2, "0")).join("")}`;
        assert.equal(view.getComputedStyle(r).fill, hex, `t=${t} cell ${c}`);
      }
    }
  } finally {
    ed.close();
  }
});
