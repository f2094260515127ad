// "A popup that always adds up" (issue #16) in the .nfrun editor of a real VS Code: a run recorded by the CLI
// with Adam, Lookahead (k = 3, α = 0.5) and global-norm clipping that bites (c = 0.05). The run header names
// both mechanisms and shows the strategy's own words; the events timeline moves the playback to a Lookahead
// sync, then one step forward to a clipped commit without a sync; at each a weight is clicked and the popup's
// visible lines are read as a person reads them: the clip (‖Avg‖₂, c, scale, g = Avg × scale), the check line
// Before − Adj = …, and at the sync slow before / fast before / slow after. Their numbers are parsed from the
// text and (1) recomputed from each other (within the rounding of what is shown) and (2) compared with the
// file read by plain SQL (nfrun-file.mjs, which replays Lookahead and the clip from the stored config).
// Screenshots: popup-lookahead-sync.png, popup-clipped.png.
import { check, log, screenshot } from "../harness.mjs";
import { mechanismsOf, openNfrun, runsOf, strategyOf, weightAtCommit } from "../nfrun-file.mjs";
import { editorFrame, hoverMiddle, openFile } from "../workbench.mjs";

/** `neuroforge train samples/config/train.yaml …` (run.mjs records it): 40 circles, batch 4, 2 epochs = 20 commits. */
export const RECONCILE_OVERRIDES = [
  "optimizer=adam", "optimizer.lr=0.05", "optimizer.lookahead.enabled=true", "optimizer.lookahead.k=3", "optimizer.clip_grad_norm=0.05",
  "scheduler=constant", "data.count=40", "training.batch_size=4", "training.epochs=2",
];

const TARGET = [1, 0, 2]; // the output neuron's weight from hidden neuron 2

/** A shown number (U+2212 minus, maybe in parentheses) and half a unit of its last shown digit. */
function shown(text) {
  const plain = text.replace(/[()]/g, "").replace(/−/g, "-");
  const value = Number(plain);
  check(Number.isFinite(value), `"${text}" is not a number`);
  const [mantissa, exponent = "0"] = plain.split("e");
  const decimals = (mantissa.split(".")[1] ?? "").length;
  return { text, value, half: 0.5 * 10 ** (Number(exponent) - decimals) };
}

const N = "(\\(?−?[0-9.]+(?:e[−-]?[0-9]+)?\\)?)";
function parse(text, pattern, what) {
  const m = new RegExp(`^${pattern}$`).exec(text);
  check(m, `${what}: "${text}" does not read as /${pattern}/`);
  return m.slice(1).map(shown);
}

/** `shown` agrees with `expected` (a number, or a result recomputed from shown operands with their own slack). */
function agrees(s, expected, slack, what) {
  check(Math.abs(s.value - expected) <= s.half + slack + Math.abs(expected) * 1e-12, `${what}: shown ${s.text}, expected ${expected} (± ${s.half + slack})`);
}

/** Clicks the weight's line (pins its popup) and returns the popup's lines as text, once its audit has arrived. */
async function openPopup(page, frame, [layer, neuron, weight], t) {
  const line = frame.locator(`.nf-network line.weight[data-layer="${layer}"][data-neuron="${neuron}"][data-weight="${weight}"]`);
  await line.scrollIntoViewIfNeeded();
  await hoverMiddle(page, line);
  await page.mouse.down();
  await page.mouse.up();
  const popup = frame.locator(".nf-network .popup");
  await popup.locator(".nf-audit .reconcile .check").waitFor({ timeout: 30_000 });
  const read = await popup.evaluate((el) => {
    const text = (sel) => el.querySelector(sel)?.textContent ?? null;
    return {
      name: el.getAttribute("aria-label"),
      head: text(".nf-audit .head"),
      clip: text(".reconcile .clip"),
      check: text(".reconcile .check"),
      lookahead: text(".reconcile .check-lookahead"),
      mismatch: text(".check-mismatch"),
      avg: el.querySelector(".avg")?.getAttribute("data-value"),
      adj: el.querySelector("td.adj")?.getAttribute("data-value"),
      before: el.querySelector("td.before")?.getAttribute("data-value"),
      after: el.querySelector("td.after")?.getAttribute("data-value"),
      afterText: text("td.after"),
    };
  });
  check(read.name?.startsWith(`layer ${layer}, neuron ${neuron}, weight ${weight} `), `popup is for "${read.name}"`);
  check(read.head?.includes(`commit t=${t} `), `popup head "${read.head}" names t=${t}`);
  check(read.mismatch === null, `no unexplained After: "${read.mismatch}"`);
  for (const sel of [".reconcile .clip", ".reconcile .check", ".formula dd.description"]) {
    check(await popup.locator(sel).isVisible(), `${sel} is visible in the popup`);
  }
  return { ...read, drawn: Number(await line.getAttribute("data-value")) };
}

/** The clip line: recomputed from its own numbers and = the file's grad_norm, c and scale; returns the shown g. */
function checkClip(p, want) {
  check(want.clip && want.clip.scale < 1, `the clip bites at this commit (file: ‖Avg‖ ${want.clip?.norm}, c ${want.clip?.maxNorm})`);
  const [norm, c, scale, avg, scale2, g] = parse(
    p.clip,
    `clipping: ‖Avg‖₂ over all weights = ${N} > c = ${N}; scale = c / \\(‖Avg‖₂ \\+ 1e-6\\) = ${N}; g = Avg × scale = ${N} × ${N} = ${N}`,
    "clip line",
  );
  agrees(norm, want.clip.norm, 0, "‖Avg‖₂ = the commit's grad_norm");
  agrees(c, want.clip.maxNorm, 0, "c = the config's clip_grad_norm");
  check(norm.value > c.value, `shown ‖Avg‖₂ ${norm.text} > c ${c.text}`);
  // scale = c / (norm + 1e-6) from the shown c and norm: its slack from theirs (first-order propagation).
  const s = c.value / (norm.value + 1e-6);
  agrees(scale, s, s * (c.half / c.value + norm.half / norm.value), "scale = c / (‖Avg‖₂ + 1e-6), from the shown numbers");
  agrees(scale, want.clip.scale, 0, "scale = the file's min(1, c / (grad_norm + 1e-6))");
  check(scale2.text === scale.text, `the scale in g = Avg × scale (${scale2.text}) is the scale (${scale.text})`);
  agrees(avg, want.avg, 0, "Avg = BatchTot / Count from the file");
  agrees(avg, Number(p.avg), 0, "Avg = the table's Avg");
  const gHand = avg.value * scale.value;
  agrees(g, gHand, Math.abs(avg.half * scale.value) + Math.abs(avg.value * scale.half), "g = Avg × scale, from the shown numbers");
  agrees(g, want.avg * want.clip.scale, 0, "g = the file's Avg × scale");
  return { norm, c, scale, g };
}

/** Before − Adj = result: recomputed from the shown operands and = the file's; returns the parsed numbers. */
function checkBeforeAdj(p, want, suffix, what) {
  const [before, adj, result] = parse(p.check, `Before − Adj = ${N} − ${N} = ${N}${suffix}`, "check line");
  agrees(result, before.value - adj.value, before.half + adj.half, `${what}: Before − Adj, from the shown numbers`);
  agrees(before, want.before, 0, "Before = the file's chain");
  agrees(adj, want.adjustment, 0, "Adj = v_commit_weight");
  check(Object.is(Number(p.before), want.before) && Object.is(Number(p.adj), want.adjustment), `the table's Before ${p.before} / Adj ${p.adj} = the file's ${want.before} / ${want.adjustment}`);
  return { before, adj, result };
}

export async function checkReconciledPopup(page, file) {
  const db = openNfrun(file);
  try {
    const [{ runId }] = runsOf(db);
    const { lookahead, clip } = mechanismsOf(db, runId);
    check(lookahead && clip > 0, `the run has Lookahead and clipping (${JSON.stringify({ lookahead, clip })})`);
    const strategy = strategyOf(db, runId);
    await openFile(page, file.split("/").pop());
    const frame = editorFrame(page);
    const run = frame.locator(`section.run[data-run-id="${runId}"]`);
    await run.waitFor({ timeout: 30_000 });

    // The run header: both mechanisms named, the strategy's description / when to use it / best for.
    const headerText = async (sel) => {
      const el = run.locator(sel).first();
      check(await el.isVisible(), `run header: ${sel} is visible`);
      return (await el.innerText()).trim();
    };
    const la = await headerText("dd.mechanism-lookahead");
    check(la === `k=${lookahead.k}, α=${lookahead.alpha}`, `run header Lookahead "${la}"`);
    const clipping = await headerText("dd.mechanism-clipping");
    check(clipping === `global gradient norm ≤ ${clip}`, `run header clipping "${clipping}"`);
    for (const [cls, key] of [["description", "description"], ["when-to-use", "whenToUse"], ["best-for", "bestFor"]]) {
      const said = await headerText(`.formula dd.${cls}`);
      check(said === strategy[key], `run header ${cls} "${said}" = the stored declaration's "${strategy[key]}"`);
    }

    // A Lookahead sync, chosen in the events timeline.
    const settledAt = async (t) => {
      await frame.locator(`section[aria-label="playback"][aria-busy="false"][data-shown-t="${t}"]`).waitFor({ timeout: 30_000 });
    };
    const sync = 2 * lookahead.k;
    await run.locator(`button.event[data-kind="lookahead_sync"][data-t="${sync}"]`).click();
    await settledAt(sync);
    let want = weightAtCommit(db, runId, ...TARGET, sync);
    check(want.lookahead, `the file's chain syncs at t=${sync}`);
    let p = await openPopup(page, frame, TARGET, sync);
    checkClip(p, want);
    const fast = checkBeforeAdj(p, want, ": the fast weight before the sync", "fast before the sync").result;
    agrees(fast, want.lookahead.fast, 0, "fast before the sync = the file's");
    const [tt, k] = /^Lookahead sync after t=(\d+) \(k = (\d+),/.exec(p.lookahead ?? "")?.slice(1).map(Number) ?? [];
    check(tt === sync && k === lookahead.k, `sync line "${p.lookahead}" names t=${sync}, k=${lookahead.k}`);
    const [alpha, slow, alpha2, fast2, slow2, after] = parse(
      p.lookahead,
      `Lookahead sync after t=\\d+ \\(k = \\d+, α = ${N}\\): After = slow \\+ α × \\(fast − slow\\) = ${N} \\+ ${N} × \\(${N} − ${N}\\) = ${N}; the fast weight restarts from it`,
      "Lookahead line",
    );
    check(alpha.value === lookahead.alpha && alpha2.value === lookahead.alpha, `α = ${lookahead.alpha} (${p.lookahead})`);
    agrees(slow2, slow.value, slow.half, "slow repeats in (fast − slow)");
    agrees(fast2, fast.value, fast.half, "the sync's fast = Before − Adj's result");
    agrees(slow, want.lookahead.slowBefore, 0, "slow before = the file's period start");
    const byHand = slow.value + alpha.value * (fast2.value - slow.value);
    agrees(after, byHand, slow.half + alpha.value * (fast2.half + slow.half), "After = slow + α × (fast − slow), from the shown numbers");
    agrees(after, want.lookahead.slowAfter, 0, "slow after = the file's");
    check(Object.is(Number(p.after), want.after) && Object.is(p.drawn, want.after), `After: table ${p.after}, drawn ${p.drawn}, file ${want.after}`);
    agrees(shown(p.afterText), want.after, 0, "the table's After as shown");
    check(Math.abs(want.after - (want.before - want.adjustment)) > shown(p.afterText).half, "at the sync After is not Before − Adj, and the popup says why");
    await popupShot(page, frame, "popup-lookahead-sync");
    log(`    t=${sync}: ${p.clip}\n    ${p.check}\n    ${p.lookahead}`);

    // One step forward: a clipped commit that is no sync.
    await frame.locator('[role=toolbar][aria-label="playback controls"]').getByRole("button", { name: "step forward" }).click();
    const t = sync + 1;
    await settledAt(t);
    want = weightAtCommit(db, runId, ...TARGET, t);
    check(!want.lookahead, `no sync at t=${t}`);
    p = await openPopup(page, frame, TARGET, t);
    checkClip(p, want);
    const { result } = checkBeforeAdj(p, want, "", "After");
    check(p.lookahead === null, `no Lookahead line at t=${t}: "${p.lookahead}"`);
    agrees(result, want.after, 0, "After = the file's");
    check(Object.is(Number(p.after), want.after) && Object.is(p.drawn, want.after), `After: table ${p.after}, drawn ${p.drawn}, file ${want.after}`);
    await popupShot(page, frame, "popup-clipped");
    log(`    t=${t}: ${p.clip}\n    ${p.check}`);
  } finally {
    db.close();
  }
}

/** Scrolls the popup's "how the commit adds up" lines and formula into view, then the screenshot. */
async function popupShot(page, frame, name) {
  await frame.locator(".nf-network .popup .formula").scrollIntoViewIfNeeded();
  await frame.locator(".nf-network .popup .reconcile").scrollIntoViewIfNeeded();
  await screenshot(page, name);
}
