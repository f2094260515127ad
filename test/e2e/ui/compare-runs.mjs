// Runs compared in the .nfrun editor, in the workbench (issue #15): a multirun file recorded with
// `-m optimizer=adam,sgd optimizer.lr=0.01,0.1` lists its four runs by name (the experiment + the overrides
// that differ) with their status; a click on "final loss" sorts them as the file's final_loss column
// does (plain SQL); two selected runs are overlaid (one line each per chart, the legend by name); the
// parallel coordinates draw one line per run; the main-effects table has both factors. Screenshots of each.
import { check, log, screenshot } from "../harness.mjs";
import { openNfrun } from "../nfrun-file.mjs";
import { editorFrame, openFile } from "../workbench.mjs";

export const SWEEP_NAMES = ["train · lr=0.01 · optimizer=adam", "train · lr=0.1 · optimizer=adam", "train · lr=0.01 · optimizer=sgd", "train · lr=0.1 · optimizer=sgd"];

export async function checkCompareRuns(page, file) {
  await openFile(page, file.split("/").pop());
  const frame = editorFrame(page);
  const compare = frame.locator('section.compare[aria-label="compare runs"]');
  await frame.locator('section.compare[aria-busy="false"] .parallel svg').waitFor({ timeout: 60_000 });
  const names = () => compare.locator("table.run-list tbody tr .run-name").allTextContents();
  check(JSON.stringify(await names()) === JSON.stringify(SWEEP_NAMES), `runs by name: ${(await names()).join(" | ")}`);
  const states = await compare.locator("table.run-list tbody tr .state").allTextContents();
  check(states.every((s) => s === "completed"), `status of every run: ${states.join(", ")}`);
  await compare.locator("table.run-list").scrollIntoViewIfNeeded();
  await screenshot(page, "compare-run-list");

  await compare.locator('th[data-column="metric-loss"] button').click();
  const db = openNfrun(file);
  let byLoss;
  try {
    const st = db.prepare("SELECT run_id FROM runs ORDER BY final_loss");
    byLoss = [];
    while (st.step()) byLoss.push(st.get()[0]);
    st.free();
  } finally {
    db.close();
  }
  const order = await compare.locator("table.run-list tbody tr").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-run-id")));
  check(JSON.stringify(order) === JSON.stringify(byLoss), `sorted by final loss = ORDER BY final_loss (${order.length} runs)`);
  check((await compare.locator('th[data-column="metric-loss"]').getAttribute("aria-sort")) === "ascending", "the heading says ascending");

  for (const runId of byLoss.slice(0, 2)) await compare.locator(`tr[data-run-id="${runId}"] input[type=checkbox]`).check();
  await frame.locator('section.compare[aria-busy="false"] .overlay-chart svg').first().waitFor({ timeout: 60_000 });
  const charts = compare.locator(".overlay-chart");
  const titles = await charts.evaluateAll((els) => els.map((e) => e.getAttribute("aria-label")));
  check(titles[0] === "loss per commit", `overlay charts: ${titles.join(" | ")}`);
  const lines = await charts.first().locator(".mark-line path").count();
  const legend = await charts.first().locator(".role-legend-label text").allTextContents();
  log(`    overlay: ${lines} lines, legend ${legend.join(" | ")}`);
  check(lines === 2, `two runs overlaid: ${lines} lines`);
  check(legend.length === 2 && legend.every((l) => SWEEP_NAMES.includes(l)), "the legend names the runs");
  await compare.locator("section.overlay").scrollIntoViewIfNeeded();
  await screenshot(page, "compare-overlay");

  const parallel = await compare.locator(".parallel .mark-line path").count();
  check(parallel === 4, `parallel coordinates: one line per run (${parallel})`);
  await compare.locator(".parallel").scrollIntoViewIfNeeded();
  await screenshot(page, "compare-parallel-coordinates");

  const factors = await compare.locator('table[aria-label="main effects on final loss"] tbody tr').evaluateAll((rows) => [...new Set(rows.map((r) => r.getAttribute("data-factor")))]);
  check(JSON.stringify([...factors].sort()) === JSON.stringify(["lr", "optimizer"]), `main effects of both factors: ${factors.join(", ")}`);
  await compare.locator(".effects-chart svg").waitFor({ timeout: 30_000 });
  await compare.locator(".effects").scrollIntoViewIfNeeded();
  await screenshot(page, "compare-main-effects");
}
