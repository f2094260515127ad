// A notebook network output that embeds only weights and the batch's samples (as a large run's payload
// does): its popups must get traces, neuron snapshots and the epoch summary from the extension host
// (renderer messaging → run query service → the .nfrun). The notebook is written by lazy-network-notebook.ts.
import { check, log, screenshot } from "../harness.mjs";
import { openFile } from "../workbench.mjs";

export const LAZY_NOTEBOOK = "lazy-network.ipynb";

export async function checkLazyNetwork(page) {
  await openFile(page, LAZY_NOTEBOOK);
  await page.locator(".tab.active", { hasText: LAZY_NOTEBOOK }).waitFor({ timeout: 30_000 });
  // Outputs render in the notebook's webview; the earlier network notebook's output frame (13 weights) stays
  // in the page, so the lazy output is the frame drawing x.nfrun's 2-4-1 network (17 weights).
  let out = null;
  const seen = new Set();
  const end = Date.now() + 60_000;
  while (!out && Date.now() < end) {
    for (const f of page.frames()) {
      const n = await f.locator(".nf-network line.weight").count().catch(() => 0);
      if (n > 0) seen.add(n);
      if (n === 17) out = f;
    }
    if (!out) await new Promise((r) => setTimeout(r, 250));
  }
  check(out, `a network output of 17 weights rendered (outputs seen: ${[...seen].join(", ") || "none"})`);
  const line = out.locator('.nf-network line.weight[data-layer="1"][data-neuron="0"][data-weight="0"]');
  await line.click(); // opens and pins the popup (hovering on the way to it would switch it)
  const after = out.locator(".nf-network .popup .nf-audit td.after");
  await after.waitFor({ timeout: 20_000 });
  const drawn = Number(await line.getAttribute("data-value"));
  const shown = Number(await after.getAttribute("data-value"));
  check(shown === drawn, `the audit's After ${shown} is the drawn weight ${drawn}`);
  await out.locator(".nf-network .popup .sources > :not([hidden]) .origin").waitFor({ timeout: 20_000 });
  // Below the notebook's visible area (the webview does not scroll the notebook): by keyboard.
  await out.locator(".nf-network .popup button.read-epoch").focus();
  await page.keyboard.press("Enter");
  await out.locator(".nf-network .popup .epoch-summary .adj-sum").waitFor({ timeout: 20_000 });
  await screenshot(page, "notebook-network-lazy-weight");
  await out.locator(".nf-network .popup button.close").click();
  await out.locator('.nf-network circle.neuron[data-column="1"][data-index="1"]').hover();
  await out.locator(".nf-network .popup .snapshot-head").waitFor({ timeout: 20_000 });
  await out.locator(".nf-network .popup .blame-sources tr.source").first().waitFor({ timeout: 20_000 });
  log(`    popup: ${(await out.locator(".nf-network .popup .snapshot-head").innerText()).trim()}`);
  await screenshot(page, "notebook-network-lazy-neuron");
}
