/**
 * The comparison in the real .nfrun editor bundle (JSDOM, eval/Function forbidden, the real run query
 * service over a multirun file recorded by `train -m`): the run list by name with states and metrics,
 * sorted by a click, two runs selected → their curves overlaid (one drawn line per run and panel, the
 * legend by name, the values asked of the host with one `overlay` query), parallel coordinates (one line
 * per run), the main-effects table (= compareRuns' effects), a run's name opening that run.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, test } from "node:test";
import { NfrunReader } from "../../kernel/record";
import { compareRuns } from "../../kernel/record/compare/compare";
import { train } from "../../kernel/runtime/kernel/experiments";
import { editorBundle, openEditorPage, until } from "./support/editor-page";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nf-webview-compare-"));
const file = path.join(dir, "sweep.nfrun");
let bundle = "";

before(async () => {
  await train("samples/config/train.yaml", { overrides: ["optimizer=adam,sgd", "optimizer.lr=0.01,0.1", "training.epochs=2"], multirun: true, record: file });
  bundle = await editorBundle();
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

test("editor: runs by name, sorted by a click; two selected → overlay, parallel coordinates, main effects; a name opens its run", async () => {
  const reader = await NfrunReader.open(file);
  const expected = compareRuns(reader);
  reader.close();
  const ed = await openEditorPage(bundle, file);
  try {
    const compare = ed.byLabel("compare runs");
    const rows = () => [...compare.querySelectorAll("table.run-list tbody tr")];
    assert.deepEqual(rows().map((r) => r.querySelector(".run-name")!.textContent), ["train · lr=0.01 · optimizer=adam", "train · lr=0.1 · optimizer=adam", "train · lr=0.01 · optimizer=sgd", "train · lr=0.1 · optimizer=sgd"]);
    assert.deepEqual(rows().map((r) => r.querySelector(".state")!.textContent), ["completed", "completed", "completed", "completed"]);
    ed.click(compare.querySelector('th[data-column="metric-loss"] button')!);
    const byLoss = [...expected.runs].sort((a, b) => a.metrics.loss! - b.metrics.loss!);
    assert.deepEqual(rows().map((r) => r.getAttribute("data-run-id")), byLoss.map((r) => r.runId));
    // Select the two best runs.
    for (const r of byLoss.slice(0, 2)) {
      const box = compare.querySelector<HTMLInputElement>(`tr[data-run-id="${r.runId}"] input[type=checkbox]`)!;
      box.checked = true;
      box.dispatchEvent(new ed.doc.defaultView!.Event("change"));
    }
    const overlay = ed.byLabel("overlay");
    const charts = await until("the overlay", () => {
      const figs = [...overlay.querySelectorAll(".overlay-chart")];
      return compare.getAttribute("aria-busy") === "false" && figs.length > 0 && figs.every((f) => f.querySelector("svg")) && figs;
    });
    assert.deepEqual(charts.map((f) => f.getAttribute("aria-label")), ["loss per commit", "learning-rate scale"]);
    const inFileOrder = expected.runs.filter((r) => byLoss.slice(0, 2).includes(r));
    for (const f of charts) {
      assert.equal(f.querySelectorAll(".mark-line path").length, 2, "one line per selected run");
      assert.deepEqual([...f.querySelectorAll(".role-legend-label text")].map((t) => t.textContent), inFileOrder.map((r) => r.name));
    }
    assert.equal(ed.queries.filter((q) => q === "overlay").length, 2, "one overlay query per change of the selection");
    assert.equal(overlay.querySelector(".overlay-note")!.textContent, "2 runs overlaid");
    const parallel = ed.byLabel("parallel coordinates").querySelector(".parallel")!;
    assert.equal(parallel.querySelectorAll(".mark-line path").length, 4, "one line per run");
    const table = ed.byLabel("main effects on final loss") as HTMLElement;
    const lossEffects = expected.effects!.loss!;
    for (const f of lossEffects) {
      for (const l of f.levels) {
        const row = table.querySelector(`tr[data-factor="${f.factor}"][data-level="${String(l.value)}"]`)!;
        assert.equal(Number(row.querySelector(".mean")!.getAttribute("data-value")), l.mean);
        assert.equal(Number(row.querySelector(".sn")!.getAttribute("data-value")), l.sn);
      }
    }
    assert.equal(table.closest("section")!.querySelectorAll(".effects-chart svg").length, 1);
    // A run's name shows that run below.
    const target = expected.runs[2]!;
    ed.click(compare.querySelector(`tr[data-run-id="${target.runId}"] .run-name`)!);
    assert.equal(ed.byLabel<HTMLSelectElement>("run").value, target.runId);
    assert.ok(ed.doc.querySelector(`section.run[data-run-id="${target.runId}"]`));
    // Let the run view finish drawing before the page closes.
    await ed.settled();
    await until("the run's charts", () => ed.doc.querySelector('section.charts[aria-busy="false"]'));
  } finally {
    ed.close();
  }
});
