// TF Playground's pictures in a real notebook (issue #16): the decision boundary of the recorded XOR network
// (network-trace.ipynb: 2 inputs) follows the commit scrubber, its colours are the stylesheet's shades in
// Chromium; a 784-64-10 network (wide-network.ipynb, run with our controller) shows its weight matrices
// painted on canvases, hovering a matrix opens that weight's popup, a click expands the neuron into its
// 28 × 28 incoming weights. Screenshots: decision-boundary.png, wide-network.png.
import { check, log, screenshot } from "../harness.mjs";
import { openFile, scrollNotebookTo } from "../workbench.mjs";

export const WIDE_NOTEBOOK = "wide-network.ipynb";

export async function checkDecisionBoundary({ page, out }) {
  const boundary = out.locator(".nf-network .boundary");
  await boundary.waitFor({ state: "visible", timeout: 20_000 });
  await scrollNotebookTo(page, out.locator(".nf-network .boundary svg.plane"));
  const read = () =>
    boundary.evaluate((el) => {
      // Output value → the light theme's shade (TF Playground's orange → grey → blue, 31 shades), as rgb().
      const shade = (v) => {
        const u = Math.max(0, Math.min(30, Math.round(v * 30))) / 30;
        const [a, b, t] = u <= 0.5 ? [[245, 147, 34], [232, 234, 235], u * 2] : [[232, 234, 235], [8, 119, 189], u * 2 - 1];
        return `rgb(${a.map((c, i) => Math.round(c + (b[i] - c) * t)).join(", ")})`;
      };
      const rects = [...el.querySelectorAll(".surface rect")];
      const wrong = rects.filter((r) => getComputedStyle(r).fill !== shade(Number(r.getAttribute("data-value")))).length;
      return { cells: rects.length, wrong, caption: el.querySelector(".caption").textContent, values: rects.map((r) => r.getAttribute("data-value")).join(), points: el.querySelectorAll("circle.pt.train").length };
    });
  const last = await read();
  check(last.cells === 1600 && last.wrong === 0, `decision surface: ${last.cells} cells, ${last.wrong} not painted with their value's shade`);
  check(last.points === 4, `the 4 XOR points are drawn (${last.points})`);
  check(/after commit t=37$/.test(last.caption), `caption "${last.caption}"`);
  const miniCount = await out.locator(".nf-network g.mini").count();
  check(miniCount === 6, `a heatmap in each of the 6 neurons (${miniCount})`);
  await screenshot(page, "decision-boundary");
  // The scrubber to the first embedded commit: the surface is recomputed from that commit's weights.
  const scrubber = out.locator(".nf-network input.scrubber");
  await scrubber.focus();
  await page.keyboard.press("Home");
  await boundary.locator(".caption", { hasText: "t=13" }).waitFor({ timeout: 10_000 });
  const first = await read();
  check(first.wrong === 0 && first.values !== last.values, `at t=13 the surface differs from t=37 and every cell has its shade (${first.wrong} wrong)`);
  await screenshot(page, "decision-boundary-t13");
  await page.keyboard.press("End");
}

export async function checkWideNetwork(page) {
  await openFile(page, WIDE_NOTEBOOK);
  await page.locator(".tab.active", { hasText: WIDE_NOTEBOOK }).waitFor({ timeout: 30_000 });
  // Other notebooks are open in hidden editors: run all in the shown one.
  const runAll = page.locator(".notebookOverlay .notebook-toolbar-container .codicon-notebook-execute-all >> visible=true");
  await runAll.waitFor({ timeout: 30_000 });
  await runAll.click();
  // The earlier notebooks' output frames stay in the page: the wide output is the one with weight matrices.
  let out = null;
  const end = Date.now() + 180_000;
  while (!out && Date.now() < end) {
    for (const f of page.frames()) if ((await f.locator(".nf-network .wide canvas").count().catch(() => 0)) === 2) out = f;
    if (!out) await new Promise((r) => setTimeout(r, 500));
  }
  check(out, "a network output with two weight matrices rendered");
  const canvas = out.locator('.nf-network .wide canvas[data-layer="0"]');
  await scrollNotebookTo(page, canvas);
  const painted = await canvas.evaluate((c) => {
    const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    const colours = new Set();
    for (let i = 0; i < d.length; i += 4 * 97) colours.add(`${d[i]},${d[i + 1]},${d[i + 2]},${d[i + 3]}`);
    return { width: c.width, height: c.height, colours: colours.size, alpha: d[3] };
  });
  check(painted.width === 785 && painted.height === 64 && painted.alpha === 255 && painted.colours > 5, `layer 0's matrix is painted: ${JSON.stringify(painted)}`);
  // Hover a weight that is not drawn (neuron 40, input 700): its popup opens.
  const box = await canvas.boundingBox();
  await page.mouse.move(box.x + (700.5 / 785) * box.width, box.y + (40.5 / 64) * box.height, { steps: 3 });
  const title = out.locator(".nf-network .popup .title");
  await title.waitFor({ state: "visible", timeout: 10_000 });
  const name = await title.innerText();
  check(/layer 0, neuron 40, weight 70\d/.test(name), `hovering the matrix opens that weight's popup: "${name}"`);
  // A click pins it and expands neuron 40 into its 28 × 28 incoming weights.
  await page.mouse.click(box.x + (350.5 / 785) * box.width, box.y + (40.5 / 64) * box.height);
  const image = out.locator(".nf-network .wide .expanded svg.incoming");
  await image.waitFor({ timeout: 10_000 });
  const pixels = await image.locator("rect").count();
  check(pixels === 784, `the expanded neuron's image has ${pixels} pixels`);
  await scrollNotebookTo(page, image).catch(() => {});
  await screenshot(page, "wide-network");
  log(`    wide network: popup "${name}", ${pixels} pixels in the expanded neuron`);
}
