// The health views of issue #14 in a real VS Code. (1) The live health view: a cell training with health
// measures and a lifecycle (fixtures/health-view.ipynb) shows it while it trains (seen saying "training…"
// at a t before the last commit) and leaves its final state (completed, every layer's histograms, a stage cell per
// neuron, the rebirths in the events timeline); the trainer's network output colours its neurons by stage
// with the legend, in the theme's colours (light and dark differ). (2) The .nfrun editor's health panel on
// a recorded dead-ReLU run: it follows the playback (go to start: t=0, every neuron newborn; a rebirth
// event chosen: the panel at its t, the reborn neuron drawn newborn), events up to the position = the
// file's; the recorded weight histogram at the commit shown (drawn, moving to other bars at the end) and
// the fitness distribution. Screenshots: health-live, health-stages-light, health-stages-dark, health-editor.
import { check, log, screenshot } from "../harness.mjs";
import { openNfrun } from "../nfrun-file.mjs";
import { closeAllEditors, editorFrame, notebookOutputs, openAndRunNotebook, openFile, pickColorTheme, scrollNotebookTo } from "../workbench.mjs";

export const HEALTH_NOTEBOOK = "health-view.ipynb";
// Long enough (~10 s on a quiet machine) that a 100 ms poll sees it training: at 300 epochs a quiet
// machine finished before the first poll caught a running state.
const COMMITS = 1500 * 30;

export async function checkLiveHealth(page) {
  await closeAllEditors(page); // its outputs are then the only notebook webview
  await openAndRunNotebook(page, HEALTH_NOTEBOOK);
  const out = notebookOutputs(page);
  const view = out.locator(".nf-health").first();
  // While the cell trains: the view says so, and its t grows from update to update.
  const seen = [];
  for (let i = 0; i < 1200; i++) {
    const at = await view.evaluate((el) => ({ status: el.getAttribute("data-status"), t: Number(el.getAttribute("data-t")) })).catch(() => null);
    if (at && (seen.length === 0 || seen.at(-1).t !== at.t || seen.at(-1).status !== at.status)) seen.push(at);
    if (at?.status === "completed") break;
    await page.waitForTimeout(100);
  }
  log(`    health view states seen: ${seen.map((s) => `${s.status}@${s.t}`).join(", ")}`);
  const running = seen.filter((s) => s.status === "running");
  // How many updates a poll every 100 ms catches depends on the machine's speed: at least one, before the end.
  check(running.length >= 1 && running[0].t < COMMITS, `seen while training, before its last commit (${running.length} running states)`);
  check(seen.at(-1)?.status === "completed" && seen.at(-1).t === COMMITS, `final state: completed after t=${COMMITS} (${JSON.stringify(seen.at(-1))})`);
  check((await view.locator(".head").innerText()).startsWith(`Network health after commit t=${COMMITS} · completed`), "the head says so");
  check((await view.locator("section.layer").count()) === 3, "a section per layer");
  const bars = await view.locator("section.layer").first().locator(".histogram.weights rect.bar").evaluateAll((rs) => rs.map((r) => Number(r.getAttribute("data-count"))));
  check(bars.length === 30 && bars.reduce((a, b) => a + b, 0) === 2 * 12 + 12, `layer 0's weight histogram: 30 bins holding its 36 weights (${bars.join(",")})`);
  check((await view.locator(".stage-cell").count()) === 25, "a stage cell per neuron (12 + 12 + 1)");
  const rebirths = await view.locator('ol.events li[data-kind="rebirth"]').count();
  check(rebirths > 0, `rebirths listed in the events timeline (${rebirths})`);
  await scrollNotebookTo(page, view.locator(".lifecycle"));
  await screenshot(page, "health-live");

  // The trainer's network: neurons coloured by stage, a legend; the stage's colour follows the theme.
  // VS Code renders an output once it scrolls into view: wheel down to the last cell's.
  const net = out.locator(".nf-network").last();
  const editor = await page.locator(".notebookOverlay >> visible=true").first().boundingBox();
  for (let i = 0; i < 80 && (await out.locator(".nf-network svg.drawing").count()) === 0; i++) {
    await page.mouse.move(editor.x + editor.width / 2, editor.y + editor.height / 2);
    await page.mouse.wheel(0, 600);
    await page.waitForTimeout(150);
  }
  await net.locator("circle.neuron[data-stage]").first().waitFor({ timeout: 60_000 });
  const stages = await net.locator("circle.neuron:not(.input)").evaluateAll((cs) => cs.map((c) => c.getAttribute("data-stage")));
  check(stages.length === 25 && stages.every((s) => ["newborn", "mature", "senior", "dying"].includes(s)), `every drawn neuron has a stage (${stages.join(",")})`);
  check((await net.locator(".stage-legend .stage-key").count()) === 4, "the legend lists the four stages");
  await scrollNotebookTo(page, net.locator("svg.drawing"));
  const colour = {};
  for (const [kind, label, bodyClass] of [["light", "Light Modern", "vscode-light"], ["dark", "Dark Modern", "vscode-dark"]]) {
    await pickColorTheme(page, label);
    await out.locator(`body.${bodyClass}`).waitFor({ state: "attached", timeout: 30_000 });
    await page.waitForTimeout(300);
    colour[kind] = await net.locator("circle.neuron[data-stage]").first().evaluate((c) => getComputedStyle(c).stroke);
    await screenshot(page, `health-stages-${kind}`);
  }
  log(`    stage outline: light ${colour.light}, dark ${colour.dark}`);
  check(colour.light !== colour.dark, `the stage colours follow the theme (light ${colour.light}, dark ${colour.dark})`);
  await pickColorTheme(page, "Light Modern");
}

export async function checkHealthEditor(page, file, runId) {
  await openFile(page, file.split("/").pop());
  const frame = editorFrame(page);
  const panel = frame.locator('section.health-panel[aria-busy="false"]');
  await panel.locator(".nf-health").waitFor({ timeout: 60_000 });
  const db = openNfrun(file);
  let events;
  let commits;
  try {
    const c = db.prepare("SELECT commits FROM runs WHERE run_id = ?");
    c.bind([runId]);
    c.step();
    commits = c.get()[0];
    c.free();
    const st = db.prepare("SELECT t, data_json FROM events WHERE run_id = ? AND kind = 'lifecycle' ORDER BY seq");
    st.bind([runId]);
    events = [];
    while (st.step()) {
      const [t, json] = st.get();
      events.push({ t, ...JSON.parse(json).lifecycle });
    }
    st.free();
  } finally {
    db.close();
  }
  check(events.length > 0, "the recorded run has lifecycle events");
  const toolbar = frame.locator('[role=toolbar][aria-label="playback controls"]');
  await toolbar.getByRole("button", { name: "go to start" }).click();
  await frame.locator('section.health-panel[data-t="0"][aria-busy="false"]').waitFor({ timeout: 30_000 });
  const atStart = await panel.locator(".stage-cell").evaluateAll((cs) => cs.map((c) => c.getAttribute("data-stage")));
  check(atStart.length === 65 && atStart.every((s) => s === "newborn"), "at the start every neuron is newborn");
  check((await panel.locator(".event-strip .mark").count()) === 0, "no event before the first commit");
  // The first rebirth: choosing it moves the playback (and the panel) to its commit.
  const first = events.find((e) => e.kind === "rebirth");
  await frame.locator(`.events-timeline button.event[data-t="${first.t}"]`).first().click();
  await frame.locator(`section.health-panel[data-t="${first.t}"][aria-busy="false"]`).waitFor({ timeout: 30_000 });
  const marks = await panel.locator(".event-strip .mark").count();
  check(marks === events.filter((e) => e.t <= first.t).length, `the panel marks the ${marks} events up to t=${first.t}`);
  const reborn = frame.locator(`.playback circle.neuron[data-column="${first.layer + 1}"][data-index="${first.neuron}"]`);
  if (first.neuron < 16) {
    await frame.locator(`.playback[data-shown-t="${first.t}"][aria-busy="false"]`).waitFor({ timeout: 30_000 });
    check((await reborn.getAttribute("data-stage")) === "newborn", `the reborn neuron ${first.layer}.${first.neuron} is drawn newborn at t=${first.t}`);
  }
  // The recorded measures at the commit shown: layer 0's weight histogram (30 bins holding its 96 weights,
  // the tallest bar 56 px high as drawn), and other bars at the run's end.
  const layer0 = panel.locator('section.layer[data-layer="0"] .histogram.weights rect.bar');
  const drawn = () => layer0.evaluateAll((rs) => rs.map((r) => ({ count: Number(r.getAttribute("data-count")), px: r.getBoundingClientRect().height })));
  const atEvent = await drawn();
  const counts = atEvent.map((b) => b.count);
  const tallest = atEvent.reduce((m, b) => Math.max(m, b.px), 0);
  check(atEvent.length === 30 && counts.reduce((a, b) => a + b, 0) === 96, `layer 0's weight histogram at t=${first.t}: 30 bins holding its 96 weights (${counts.join(",")})`);
  check(Math.abs(tallest - 56) < 1, `its tallest bar is drawn 56 px high (${tallest})`);
  const measured = (await panel.locator(".nf-health .head").innerText()).match(/measured after commit t=(\d+)/);
  check(measured && Number(measured[1]) <= first.t && first.t - Number(measured[1]) < 30, `the last measure at or before t=${first.t} (${measured?.[1]})`);
  await toolbar.getByRole("button", { name: "go to end" }).click();
  await frame.locator(`section.health-panel[data-t="${commits}"][aria-busy="false"]`).waitFor({ timeout: 30_000 });
  const atEnd = (await drawn()).map((b) => b.count);
  check(atEnd.join(",") !== counts.join(","), `the histogram moved with the playback (t=${commits}: ${atEnd.join(",")})`);
  check((await panel.locator(".histogram.fitness rect.bar").count()) === 30, "the fitness distribution is drawn");
  await panel.locator("section.layer").first().scrollIntoViewIfNeeded();
  await screenshot(page, "health-editor");
}
