// The .nfrun editor's VCR playback in the workbench: go to the start, step forward by batch, and check
// that the position text, the scrubber and the drawn weights follow, each drawn weight equal to its value
// after that commit as the file says (plain SQL, nfrun-file.mjs). Controls by their accessible names
// (docs/extension.md, "Controls for tests").
import { check, log, screenshot } from "../harness.mjs";
import { openNfrun, valueAfter } from "../nfrun-file.mjs";
import { editorFrame, openFile } from "../workbench.mjs";

export async function checkPlayback(page, file, runId) {
  await openFile(page, file.split("/").pop());
  const frame = editorFrame(page);
  const playback = frame.locator('section[aria-label="playback"]');
  const settled = () => frame.locator('section[aria-label="playback"][aria-busy="false"]').waitFor({ timeout: 30_000 });
  await settled();
  const db = openNfrun(file);
  try {
    const state = async () => ({
      shown: Number(await playback.getAttribute("data-shown-t")),
      label: (await playback.locator(".position").innerText()).trim(),
      scrub: await playback.locator('input[type=range][aria-label="position (commits done)"]').getAttribute("aria-valuetext"),
      weights: await playback.locator("line.weight").evaluateAll((ls) => ls.map((l) => [l.dataset.layer, l.dataset.neuron, l.dataset.weight, l.dataset.value].map(Number))),
    });
    const checkDrawn = (s) => {
      check(s.weights.length > 0, "the playback draws weights");
      for (const [layer, neuron, weight, value] of s.weights) {
        const want = valueAfter(db, runId, layer, neuron, weight, s.shown);
        check(Object.is(value, want), `weight [${layer}, ${neuron}, ${weight}] drawn ${value}, after commit t=${s.shown} the file says ${want}`);
      }
      check(s.label.includes(`network after commit t=${s.shown}`), `position text "${s.label}" names t=${s.shown}`);
      check(s.scrub === `after commit t=${s.shown}`, `scrubber says "${s.scrub}", drawn t=${s.shown}`);
    };
    const toolbar = frame.locator('[role=toolbar][aria-label="playback controls"]');
    await toolbar.getByRole("button", { name: "go to start" }).click();
    await settled();
    let before = await state();
    check(before.shown === 0, `at the start the network is the initial one (t=0), shown t=${before.shown}`);
    checkDrawn(before);
    await screenshot(page, "playback-start");
    for (let i = 1; i <= 3; i++) {
      await toolbar.getByRole("button", { name: "step forward" }).click();
      await settled();
      const now = await state();
      check(now.shown === before.shown + 1, `step ${i} by batch: shown t ${before.shown} → ${now.shown}`);
      check(now.label !== before.label, `the position text changes: "${now.label}"`);
      check(now.weights.some(([, , , v], k) => v !== before.weights[k][3]), `some drawn weight changes from t=${before.shown} to t=${now.shown}`);
      checkDrawn(now);
      before = now;
    }
    log(`    playback: t=0 → t=${before.shown}, ${before.weights.length} drawn weights = the file at each step; "${before.label}"`);
    await screenshot(page, "playback-stepped");
  } finally {
    db.close();
  }
}
