// The network output of a recorded run in a real notebook (test/e2e/fixtures/network-trace.ipynb, run with
// our controller): hover a weight, read the audit popup's numbers (full values in data-value and title) and
// compare them with the .nfrun read through plain SQL (nfrun-file.mjs); Escape closes, Tab + Enter opens
// from the keyboard; the scrubber steps to another commit.
import * as path from "node:path";
import { check, screenshot } from "../harness.mjs";
import { openNfrun, weightAtCommit } from "../nfrun-file.mjs";
import { hoverMiddle, notebookOutputs, openAndRunNotebook, scrollNotebookTo } from "../workbench.mjs";

export const NOTEBOOK = "network-trace.ipynb";
const FILE = "trace.nfrun"; // written by the notebook next to itself
const COMMITS = [13, 37]; // what the notebook embeds; the last is shown first

/** A number cell of the popup: its full value, which the title repeats. */
function full(cell, what) {
  check(cell && cell.value !== null && cell.value !== "", `${what}: no data-value`);
  check(cell.title === cell.value, `${what}: title "${cell.title}" differs from data-value "${cell.value}"`);
  return Number(cell.value);
}

function same(shown, expected, what) {
  check(Object.is(shown, expected), `${what}: popup shows ${shown}, the .nfrun says ${expected}`);
}

async function readPopup(out) {
  const popup = out.locator(".nf-network .popup");
  await popup.waitFor({ state: "visible", timeout: 10_000 });
  return popup.evaluate((el) => {
    const cell = (td) => (td ? { value: td.getAttribute("data-value"), title: td.getAttribute("title") } : null);
    const one = (sel) => cell(el.querySelector(sel));
    return {
      name: el.getAttribute("aria-label"),
      head: el.querySelector(".nf-audit .head")?.textContent ?? "",
      value: one(".value .num"),
      samples: [...el.querySelectorAll("tr.sample-row")].map((tr) => ({ sample: tr.getAttribute("data-sample"), cells: [...tr.querySelectorAll("td.num[data-value]")].map(cell) })),
      batchTotal: one(".batch-total"),
      count: one(".count"),
      avg: one(".avg"),
      adj: one(".adj"),
      before: one(".before"),
      after: one(".after"),
    };
  });
}

const weightLine = (out, layer, neuron, weight) => out.locator(`.nf-network line.weight[data-layer="${layer}"][data-neuron="${neuron}"][data-weight="${weight}"]`);
const drawn = async (line) => Number(await line.getAttribute("data-value"));

/** Asserts the open popup against the file for weight [layer, neuron, weight] at commit t; returns After. */
async function checkPopup(out, db, runId, [layer, neuron, weight], t) {
  const p = await readPopup(out);
  const want = weightAtCommit(db, runId, layer, neuron, weight, t);
  check(p.name.startsWith(`layer ${layer}, neuron ${neuron}, weight ${weight} `), `popup is for "${p.name}"`);
  check(p.head.includes(`commit t=${t} (epoch ${want.epoch}, batch ${want.batch})`), `popup head "${p.head}" names t=${t}, epoch ${want.epoch}, batch ${want.batch}`);
  check(p.samples.length === want.samples.length && want.samples.length > 0, `${p.samples.length} sample rows, the batch has ${want.samples.length}`);
  p.samples.forEach((row, i) => {
    const w = want.samples[i];
    const [input, blame, leverage, cumulative] = row.cells.map((c, k) => full(c, `sample ${i} column ${k}`));
    same(Number(row.sample), w.sample, `sample ${i}: dataset index`);
    same(input, w.input, `sample ${i}: Input`);
    same(blame, w.blame, `sample ${i}: Blame`);
    same(leverage, input * blame, `sample ${i}: Leverage = Input × Blame`);
    same(leverage, w.leverage, `sample ${i}: Leverage`);
    same(cumulative, w.cumulative, `sample ${i}: Cum. = the bank`);
  });
  const [batchTotal, count, avg, adj, before, after] = ["batchTotal", "count", "avg", "adj", "before", "after"].map((k) => full(p[k], k));
  same(batchTotal, want.batchTotal, "BatchTot = the bank after the batch");
  same(count, want.count, "Count");
  same(avg, batchTotal / count, "Avg = BatchTot / Count");
  same(adj, want.adjustment, "Adj");
  same(before, want.before, "Before");
  same(after, before - adj, "After = Before − Adj");
  same(after, want.after, "After");
  same(full(p.value, "value"), after, "the popup's value");
  same(await drawn(weightLine(out, layer, neuron, weight)), after, "the drawn weight's data-value");
  return after;
}

/** Runs the notebook and waits for its network output; returns what the later checks share. */
export async function runNetworkNotebook(page, ws) {
  await openAndRunNotebook(page, NOTEBOOK);
  const out = notebookOutputs(page);
  const label = out.locator(".nf-network .commit-label");
  await label.filter({ hasText: `t=${COMMITS[1]}` }).waitFor({ timeout: 180_000 });
  const runId = /run (\S+) ·/.exec(await label.innerText())?.[1];
  check(runId, `commit label names the run: "${await label.innerText()}"`);
  return { page, out, runId, db: openNfrun(path.join(ws, FILE)) };
}

/** The popup's box lies inside every clipping ancestor (the output grows to hold it); polls while VS Code resizes the output. */
async function checkPopupNotClipped(out) {
  let clipped = "";
  for (let i = 0; i < 30; i++) {
    clipped = await out.locator(".nf-network .popup").evaluate((popup) => {
      const p = popup.getBoundingClientRect();
      for (let el = popup.parentElement; el && el !== document.body; el = el.parentElement) {
        const st = getComputedStyle(el);
        if (st.overflow === "visible" && st.overflowY === "visible") continue;
        const r = el.getBoundingClientRect();
        if (p.bottom > r.bottom + 1 || p.top < r.top - 1) return `popup ${Math.round(p.top)}–${Math.round(p.bottom)} clipped by ${el.tagName}.${el.className} ${Math.round(r.top)}–${Math.round(r.bottom)}`;
      }
      return "";
    });
    if (!clipped) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(clipped);
}

/** `at`: the commit the output shows first (its last); `shot`: the screenshot's name. */
export async function checkHover({ page, out, runId, db, at = COMMITS[1], shot = "network-hover" }) {
  await scrollNotebookTo(page, out.locator(".nf-network svg.drawing"));
  const target = [1, 0, 0]; // the output neuron's weight from hidden neuron 0 (its inputs are never 0)
  await hoverMiddle(page, weightLine(out, ...target));
  await checkPopup(out, db, runId, target, at);
  await checkPopupNotClipped(out);
  await scrollNotebookTo(page, out.locator(".nf-network .popup"));
  await screenshot(page, shot);
}

export async function checkKeyboard({ page, out, runId, db }) {
  const line = weightLine(out, 1, 0, 0);
  const popup = out.locator(".nf-network .popup");
  await scrollNotebookTo(page, out.locator(".nf-network svg.drawing"));
  // The output document's focused element (none when the workbench took the focus).
  const active = (attrs) => out.locator("body").evaluate((_, names) => names.map((n) => document.activeElement?.getAttribute(n) ?? null).join(","), attrs);
  const focused = () => active(["data-layer", "data-neuron", "data-weight"]);
  await line.focus();
  await page.keyboard.press("Escape");
  await popup.waitFor({ state: "hidden", timeout: 5_000 });
  check((await focused()) === "1,0,0", "focus stays on the weight after Escape");
  await screenshot(page, "network-escape");
  await page.keyboard.press("Tab");
  check((await focused()) === "1,0,1", `Tab moves to the next weight (focused: ${await focused()})`);
  await page.keyboard.press("Enter");
  await checkPopup(out, db, runId, [1, 0, 1], COMMITS[1]);
  // The audit table's sample stepper: ArrowUp on the last sample row selects and focuses the first.
  const rows = out.locator(".nf-network .popup tr.sample-row");
  await rows.last().focus();
  await page.keyboard.press("ArrowUp");
  const focusedRow = await active(["data-index"]);
  check(focusedRow === "0", `ArrowUp focuses sample row 0 (focused: ${focusedRow})`);
  const current = await out.locator(".nf-network .popup .current-label").innerText();
  check(/^sample 1 of 2 /.test(current), `stepper label after ArrowUp: "${current}"`);
  await screenshot(page, "network-keyboard");
  await page.keyboard.press("Escape");
  await popup.waitFor({ state: "hidden", timeout: 5_000 });
}

/**
 * Arrow keys at the ends of a column (the single output neuron, the last input, the first and last weight
 * into the output neuron) keep the focus in the output; the Enter after them opens the popup there and no
 * notebook cell goes into edit mode (VS Code forwards the keys a webview leaves alone to the workbench).
 */
export async function checkKeyboardEnds({ page, out }) {
  const popup = out.locator(".nf-network .popup");
  await scrollNotebookTo(page, out.locator(".nf-network svg.drawing"));
  const focused = () => out.locator("body").evaluate(() => {
    const el = document.activeElement;
    return el?.matches("circle.neuron") ? `neuron ${el.getAttribute("data-column")},${el.getAttribute("data-index")}` : el?.matches("line.weight") ? `weight ${["data-layer", "data-neuron", "data-weight"].map((a) => el.getAttribute(a)).join(",")}` : "none";
  });
  const ends = [
    ['circle.neuron[data-column="2"][data-index="0"]', "ArrowDown", "neuron 2,0"],
    ['circle.neuron[data-column="2"][data-index="0"]', "ArrowUp", "neuron 2,0"],
    ['circle.neuron[data-column="0"][data-index="1"]', "ArrowDown", "neuron 0,1"],
    ['line.weight[data-layer="1"][data-neuron="0"][data-weight="0"]', "ArrowUp", "weight 1,0,0"],
    ['line.weight[data-layer="1"][data-neuron="0"][data-weight="3"]', "ArrowDown", "weight 1,0,3"],
    ['circle.neuron[data-column="2"][data-index="0"]', "ArrowDown", "neuron 2,0"],
  ];
  for (const [selector, key, at] of ends) {
    await out.locator(`.nf-network ${selector}`).focus();
    await page.keyboard.press(key);
    const now = await focused();
    check(now === at, `${key} on ${at} (an end of its column): the focus went to ${now}`);
  }
  await page.keyboard.press("Enter");
  await popup.waitFor({ state: "visible", timeout: 5_000 });
  const name = await popup.getAttribute("aria-label");
  check(name === "layer 1, neuron 0 (sigmoid)", `Enter after ArrowDown at the end opens the output neuron's popup (popup: "${name}")`);
  const editing = await page.evaluate(() => ({
    cells: document.querySelectorAll(".notebookOverlay .cell-editor-focus").length,
    inEditor: !!document.activeElement?.closest(".monaco-editor"),
  }));
  check(editing.cells === 0 && !editing.inEditor, `a cell went into edit mode (${JSON.stringify(editing)})`);
  await screenshot(page, "network-keyboard-ends");
  await page.keyboard.press("Escape");
  await popup.waitFor({ state: "hidden", timeout: 5_000 });
}

export async function checkScrubber({ page, out, runId, db }) {
  const scrubber = out.locator(".nf-network input.scrubber");
  const label = out.locator(".nf-network .commit-label");
  const target = [0, 2, 1]; // a hidden neuron's weight from input 1
  await scrollNotebookTo(page, out.locator(".nf-network svg.drawing"));
  const popup = out.locator(".nf-network .popup");
  if (await popup.isVisible()) {
    await scrubber.focus();
    await page.keyboard.press("Escape"); // no popup in the way of the weight to hover
    await popup.waitFor({ state: "hidden", timeout: 5_000 });
  }
  await scrubber.focus();
  await page.keyboard.press("Home");
  await label.filter({ hasText: `t=${COMMITS[0]}` }).waitFor({ timeout: 5_000 });
  const line = weightLine(out, ...target);
  await scrollNotebookTo(page, out.locator(".nf-network svg.drawing"));
  await hoverMiddle(page, line);
  await checkPopup(out, db, runId, target, COMMITS[0]);
  await screenshot(page, "network-scrubbed");
  await scrubber.focus();
  await page.keyboard.press("End");
  await label.filter({ hasText: `t=${COMMITS[1]}` }).waitFor({ timeout: 5_000 });
  same(await drawn(line), weightAtCommit(db, runId, ...target, COMMITS[1]).after, `weight ${target} after stepping back to t=${COMMITS[1]}`);
}
