/**
 * The audit popup "always adds up" (issue #16): a recorded Adam run with a schedule, global-norm clipping
 * and Lookahead, rendered through the audit renderer's entry point into JSDOM. What a person reads — t,
 * LR = rate × schedule, the clip (‖Avg‖, c, scale, clipped g), 1 − β₁ᵗ and 1 − β₂ᵗ with m̂ and v̂, Scaled
 * LR and the Adj it makes, Before − Adj = fast and the Lookahead sync to After — is compared with the
 * same numbers redone here from the documented formulas (docs/optimizers.md, shared/notes: Adam,
 * clip_grad_norm_, Lookahead) starting from the engine's per-commit Avg vectors and initial weight.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, test } from "node:test";
import { Model, Trainer } from "../../kernel/engine";
import type { TrainingObserver } from "../../kernel/engine/observer";
import { adam } from "../../kernel/engine/optimizers/adam";
import { NfrunReader, RunRecorder, type WeightTrace } from "../../kernel/record";
import { auditBundle } from "../../kernel/runtime/display/audit";
import { MIME } from "../../kernel/runtime/display/mime";
import { activate } from "../../webviews/renderers/audit/index";
import { installDom } from "./support/dom-globals";
import { renderOutput } from "./support/render-output";
import { toyDataset } from "./support/toy-data";

installDom();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nf-audit-reconcile-"));
const LR = 0.05;
const C = 0.05; // clip threshold: small, so it bites
const K = 3;
const ALPHA = 0.5;
const schedule = (t: number) => 1 / (1 + 0.1 * t);
// Weight [1, 0, 2]: the output neuron's input 2 (2-3-1 net: layer 1 starts at flat 3·3 = 9).
const FLAT = 9 + 2;

let reader: NfrunReader;
let runId = "";
/** Per commit t: the engine's Avg vector (the input to the hand computation) and its own adjustment. */
const avgs = new Map<number, Float64Array>();
const engineAdj = new Map<number, number>();
let initial = NaN;

before(async () => {
  const file = path.join(dir, "reconcile.nfrun");
  const data = toyDataset();
  const model = new Model({ inputs: 2, layers: [{ units: 3, activation: "tanh" }, { units: 1, activation: "sigmoid" }] });
  model.initialize({ name: "xavier_uniform" }, 7);
  initial = model.params[FLAT]!;
  const watch: TrainingObserver = {
    wantsCommitDetail: true,
    onCommit(e) {
      avgs.set(e.t, Float64Array.from(e.record!.avg));
      engineAdj.set(e.t, e.record!.adjustment[FLAT]!);
    },
  };
  const rec = await RunRecorder.create(file, { data, seed: 7, epochs: 3, policy: {}, checkpointSeconds: 3600, snapshotCommits: 4 });
  const trainer = new Trainer({ model, loss: "mse", strategy: adam, hyperparameters: { lr: LR }, batchSize: 4, seed: 7, schedule, clipGradNorm: C, lookahead: { k: K, alpha: ALPHA }, observers: [rec, watch] });
  rec.finish(trainer.fit(data, 3));
  runId = rec.runId;
  reader = await NfrunReader.open(file);
});
after(() => {
  reader?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

interface Hand {
  norm: number;
  scale: number;
  g: number;
  m: number;
  v: number;
  bc1: number;
  bc2: number;
  mHat: number;
  vHat: number;
  lr: number;
  scaledLr: number;
  adj: number;
  before: number;
  fast: number;
  slowBefore: number | null;
  after: number;
}

/** Adam (β 0.9, 0.999, ε 1e-8) on clipped g, with Lookahead(k, α), for weight FLAT, by the documented formulas. */
function byHand(): Map<number, Hand> {
  const out = new Map<number, Hand>();
  let m = 0;
  let v = 0;
  let theta = initial;
  let slow = initial;
  for (let t = 1; avgs.has(t); t++) {
    const avg = avgs.get(t)!;
    const norm = Math.sqrt(avg.reduce((s, a) => s + a * a, 0));
    const scale = Math.min(1, C / (norm + 1e-6));
    const g = avg[FLAT]! * scale;
    m = 0.9 * m + 0.1 * g;
    v = 0.999 * v + 0.001 * g * g;
    const bc1 = 1 - 0.9 ** t;
    const bc2 = 1 - 0.999 ** t;
    const mHat = m / bc1;
    const vHat = v / bc2;
    const lr = LR * schedule(t);
    const scaledLr = lr / (Math.sqrt(vHat) + 1e-8);
    const adj = scaledLr * mHat;
    if ((t - 1) % K === 0) slow = theta; // a period starts: slow = the weight now
    const before = theta;
    const fast = before - adj;
    let after = fast;
    let slowBefore: number | null = null;
    if (t % K === 0) {
      slowBefore = slow;
      slow = slow + ALPHA * (fast - slow);
      after = slow;
    }
    theta = after;
    out.set(t, { norm, scale, g, m, v, bc1, bc2, mHat, vHat, lr, scaledLr, adj, before, fast, slowBefore, after });
  }
  return out;
}

/** A shown number (U+2212 minus, maybe in parentheses) as a number. */
const value = (shown: string) => Number(shown.replace(/[()]/g, "").replace("−", "-"));
/** Shown at 4 (or more) significant digits: equal to the hand value within display rounding. */
function near(shown: string, expected: number, what: string): void {
  const v = value(shown);
  assert.ok(Math.abs(v - expected) <= Math.abs(expected) * 5e-4 + 1e-300, `${what}: shown ${shown}, by hand ${expected}`);
}
const N = "(\\(?−?[0-9.]+(?:e[−-]?[0-9]+)?\\)?)";
function read(el: Element, selector: string, pattern: string): string[] {
  const text = el.querySelector(selector)?.textContent ?? "";
  const m = new RegExp(`^${pattern}$`).exec(text);
  assert.ok(m, `${selector}: "${text}" does not read as /${pattern}/`);
  return m.slice(1);
}
async function popup(t: number): Promise<{ el: HTMLElement; trace: WeightTrace }> {
  const trace = reader.weightTrace(runId, 1, 0, 2, t) as WeightTrace;
  assert.equal(trace.kind, "weight-trace");
  const el = await renderOutput(activate, MIME.audit, JSON.parse(JSON.stringify(auditBundle(trace)[MIME.audit])));
  return { el, trace };
}

/** The lines every commit shows: t and LR, clipping, bias corrections, Scaled LR and Adj. */
function assertCommitLines(el: Element, t: number, hand: Hand): void {
  const [tShown, rate, factor, lr] = read(el, ".reconcile .rate", `t = (\\d+) \\(commits so far\\) · LR = rate × schedule = ${N} × ${N} = ${N}`);
  assert.equal(Number(tShown), t);
  near(rate!, LR, "rate");
  near(factor!, schedule(t), "schedule factor");
  near(lr!, hand.lr, "LR");
  const [norm, c, scale, avg, scale2, g] = read(el, ".reconcile .clip", `clipping: ‖Avg‖₂ over all weights = ${N} > c = ${N}; scale = c / \\(‖Avg‖₂ \\+ 1e-6\\) = ${N}; g = Avg × scale = ${N} × ${N} = ${N}`);
  near(norm!, hand.norm, "‖Avg‖");
  near(c!, C, "c");
  near(scale!, hand.scale, "scale");
  assert.equal(scale2, scale);
  near(avg!, avgs.get(t)![FLAT]!, "Avg");
  near(g!, hand.g, "clipped g");
  assert.equal(value(g!), value(el.querySelector('td.audit[data-column="g+λθ"]')!.textContent!), "the clipped g is the g the audit columns step on");
  const [bc1Rows, bc2Rows] = [...el.querySelectorAll(".reconcile .bias-correction")].map((e) => e.textContent!);
  const [b1, t1, bc1, m, bc1b, mHat] = new RegExp(`^1 − β₁ᵗ = 1 − ${N}\\^(\\d+) = ${N}; m̂ = m / \\(1 − β₁ᵗ\\) = ${N} / ${N} = ${N}$`).exec(bc1Rows!)!.slice(1);
  near(b1!, 0.9, "β₁");
  assert.equal(Number(t1), t);
  near(bc1!, hand.bc1, "1 − β₁ᵗ");
  assert.equal(bc1b, bc1);
  near(m!, hand.m, "m");
  near(mHat!, hand.mHat, "m̂");
  const [b2, t2, bc2, v, , vHat] = new RegExp(`^1 − β₂ᵗ = 1 − ${N}\\^(\\d+) = ${N}; v̂ = v / \\(1 − β₂ᵗ\\) = ${N} / ${N} = ${N}$`).exec(bc2Rows!)!.slice(1);
  near(b2!, 0.999, "β₂");
  assert.equal(Number(t2), t);
  near(bc2!, hand.bc2, "1 − β₂ᵗ");
  near(v!, hand.v, "v");
  near(vHat!, hand.vHat, "v̂");
  const [lr2, denom, scaled] = read(el, ".reconcile .scaled-lr", `Scaled LR = LR / \\(√v̂\\+ε\\) = ${N} / ${N} = ${N}: this weight's effective rate at t`);
  assert.equal(lr2, lr);
  near(denom!, Math.sqrt(hand.vHat) + 1e-8, "√v̂+ε");
  near(scaled!, hand.scaledLr, "Scaled LR");
  const [scaled2, mHat2, adj] = read(el, ".reconcile .adj-from-rate", `Adj = Scaled LR × m̂ = ${N} × ${N} = ${N}`);
  assert.equal(scaled2, scaled);
  assert.equal(mHat2, mHat);
  near(adj!, hand.adj, "Adj");
  assert.equal(fmtShown(el, "td.adj"), adj!.replace("−", "-").replace(/[()]/g, ""), "the Adj line ends on the table's Adj");
  assert.ok(Math.abs(hand.adj - engineAdj.get(t)!) <= Math.abs(hand.adj) * 1e-12, "the hand computation is the engine's step");
}
const fmtShown = (el: Element, sel: string) => el.querySelector(sel)!.textContent!;

test("at a Lookahead sync the check line reconciles: Before − Adj = fast, then slow + α(fast − slow) = After (numbers by hand)", async () => {
  const hands = byHand();
  const syncs = reader.events(runId).filter((e) => e.kind === "lookahead_sync").map((e) => e.t!);
  assert.ok(syncs.length >= 2);
  for (const t of syncs) {
    const hand = hands.get(t)!;
    assert.ok(hand.scale < 1, `the clip bites at t=${t}`);
    const { el } = await popup(t);
    assertCommitLines(el, t, hand);
    const [before, adj, fast] = read(el, ".reconcile .check", `Before − Adj = ${N} − ${N} = ${N}: the fast weight before the sync`);
    near(before!, hand.before, "Before");
    near(adj!, hand.adj, "Adj");
    near(fast!, hand.fast, "fast");
    const [tt, k, alpha, slow, a2, fast2, slow2, afterShown] = read(
      el,
      ".reconcile .check-lookahead",
      `Lookahead sync after t=(\\d+) \\(k = (\\d+), α = ${N}\\): After = slow \\+ α × \\(fast − slow\\) = ${N} \\+ ${N} × \\(${N} − ${N}\\) = ${N}; the fast weight restarts from it`,
    );
    assert.deepEqual([Number(tt), Number(k), value(alpha!), value(a2!)], [t, K, ALPHA, ALPHA]);
    near(slow!, hand.slowBefore!, "slow before the sync");
    assert.equal(value(slow2!), value(slow!));
    near(fast2!, hand.fast, "fast before the sync");
    near(afterShown!, hand.after, "slow after = After");
    // The After a person reads in the table is the After of the sync line, not Before − Adj.
    const afterValue = Number(el.querySelector("td.after")!.getAttribute("data-value"));
    assert.ok(Math.abs(afterValue - hand.after) <= Math.abs(hand.after) * 1e-12, `After ${afterValue} = slow + α(fast − slow) ${hand.after}`);
    near(el.querySelector("td.after")!.textContent!, hand.after, "After in the table");
    assert.notEqual(value(fast!), value(afterShown!), "the sync moved the weight, and the popup says so");
    assert.equal(el.querySelector(".check-mismatch"), null);
  }
});

test("at a clipped commit without a sync: Before − Adj = After, with the clipped g following from Avg (numbers by hand)", async () => {
  const hands = byHand();
  for (const t of [1, 2, 4, 5, 7]) {
    const hand = hands.get(t)!;
    assert.equal(hand.slowBefore, null);
    assert.ok(hand.scale < 1, `the clip bites at t=${t}`);
    const { el } = await popup(t);
    assertCommitLines(el, t, hand);
    const [before, adj, afterShown] = read(el, ".reconcile .check", `Before − Adj = ${N} − ${N} = ${N}`);
    near(before!, hand.before, "Before");
    near(adj!, hand.adj, "Adj");
    near(afterShown!, hand.after, "After");
    near(el.querySelector("td.after")!.textContent!, hand.after, "After in the table");
    assert.equal(el.querySelector(".check-lookahead"), null);
    assert.equal(el.querySelector(".check-mismatch"), null);
  }
});

test("an After that Before − Adj and the run's mechanisms do not explain is flagged, not shown as if it added up", async () => {
  const trace = reader.weightTrace(runId, 1, 0, 2, 2) as WeightTrace;
  const tampered = { ...trace, commit: { ...trace.commit, after: trace.commit.after + 0.001 } };
  const el = await renderOutput(activate, MIME.audit, JSON.parse(JSON.stringify(auditBundle(tampered)[MIME.audit])));
  assert.match(el.querySelector(".check-mismatch")!.textContent!, /^After .* is not Before − Adj .*, and this run's mechanisms do not explain it$/);
});

test("the formula area shows the strategy's description, when to use it and what it is best for, as text", async () => {
  const { el, trace } = await popup(3);
  assert.equal(el.querySelector(".formula-text")!.textContent, adam.formula);
  assert.equal(el.querySelector("dd.description")!.textContent, adam.description);
  assert.equal(el.querySelector("dd.when-to-use")!.textContent, adam.whenToUse);
  assert.equal(el.querySelector("dd.best-for")!.textContent, adam.bestFor);
  const hostile = { ...trace, strategy: { ...trace.strategy, description: "<img src=x onerror=alert(1)>" } };
  const bad = await renderOutput(activate, MIME.audit, JSON.parse(JSON.stringify(auditBundle(hostile)[MIME.audit])));
  assert.equal(bad.querySelector("img"), null);
  assert.equal(bad.querySelector("dd.description")!.textContent, "<img src=x onerror=alert(1)>");
});
