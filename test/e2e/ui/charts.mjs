// The .nfrun editor's charts in the workbench (issue #13): a run recorded with a test split shows the loss,
// learning-rate scale, norms and test metrics charts (test accuracy's final value = the file's last
// test_metrics row, plain SQL); moving the playback moves every chart's cursor rule (its SVG x changes
// and the chart names the position it marks).
import { check, log, screenshot } from "../harness.mjs";
import { openNfrun } from "../nfrun-file.mjs";
import { editorFrame, openFile } from "../workbench.mjs";

export async function checkCharts(page, file, runId) {
  await openFile(page, file.split("/").pop());
  const frame = editorFrame(page);
  const charts = frame.locator('section.charts[aria-label="signals charts"]');
  await frame.locator('section.charts[aria-busy="false"] .signal-chart svg').first().waitFor({ timeout: 60_000 });
  await frame.locator('section[aria-label="playback"][aria-busy="false"]').waitFor({ timeout: 30_000 });
  const titles = await charts.locator(".signal-chart").evaluateAll((els) => els.map((e) => e.getAttribute("aria-label")));
  log(`    charts: ${titles.join(" | ")}`);
  for (const want of [/^loss — final /, /^learning-rate scale/, /^gradient and step norms/, /^test loss — final /, /^test accuracy — final /]) {
    check(titles.some((t) => want.test(t)), `a chart titled ${want}`);
  }
  const db = openNfrun(file);
  try {
    const st = db.prepare("SELECT accuracy FROM test_metrics WHERE run_id = ? ORDER BY epoch DESC LIMIT 1");
    st.bind([runId]);
    check(st.step(), "the file has test metrics");
    const accuracy = st.get()[0];
    st.free();
    const shown = titles.find((t) => t.startsWith("test accuracy"));
    check(Math.abs(Number(shown.split("final ")[1]) - accuracy) < 5e-4 * Math.max(1, accuracy), `test accuracy shown "${shown}", the file says ${accuracy}`);
  } finally {
    db.close();
  }
  const loss = charts.locator(".signal-chart").filter({ has: frame.locator("svg") }).first();
  const cursor = async () => ({
    at: await loss.getAttribute("data-cursor"),
    x: await loss.locator(".mark-rule.role-mark line").first().evaluate((l) => Number(/translate\(([-\d.e]+)/.exec(l.getAttribute("transform") ?? "")?.[1])),
  });
  const end = await cursor();
  const toolbar = frame.locator('[role=toolbar][aria-label="playback controls"]');
  await toolbar.getByRole("button", { name: "go to start" }).click();
  await frame.locator('.signal-chart[data-cursor="0"]').first().waitFor({ timeout: 30_000 });
  const start = await cursor();
  await toolbar.getByRole("button", { name: "step forward" }).click();
  await frame.locator('.signal-chart[data-cursor="1"]').first().waitFor({ timeout: 30_000 });
  const one = await cursor();
  log(`    loss chart cursor: end t=${end.at} x=${end.x}, start t=${start.at} x=${start.x}, after step t=${one.at} x=${one.x}`);
  check(start.at === "0" && one.at === "1", `the cursor follows the playback (t ${end.at} → ${start.at} → ${one.at})`);
  check(start.x < one.x && one.x < end.x, `the rule moves with it: x ${start.x} < ${one.x} < ${end.x}`);
  await charts.scrollIntoViewIfNeeded();
  await screenshot(page, "nfrun-charts");
}
