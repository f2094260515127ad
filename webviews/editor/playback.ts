/**
 * VCR playback of one run: a position (epoch, batch, sample; ./position.ts) with step back/forward,
 * play/pause at the chosen granularity, go to start/end and a scrubber over the commits, all keyboard
 * operable. At each position the network renderer draws the weights after the last commit before it
 * (queried lazily from the host: weightsAfter, every weight) and its popups ask the host
 * for weight traces (RunSource); a panel names the current sample (prediction, loss) and the bank state.
 */
import type { NeuronStages } from "../../kernel/runtime/display/network";
import type { NetworkPayload } from "../renderers/network/render";
import { renderNetwork } from "../renderers/network/render";
import { append, h } from "../shared/dom";
import { fmt } from "../shared/format";
import type { RunSummary } from "../shared/messages";
import type { BatchSamples, NotRecorded, PlaybackTimeline, QueryResults, RunQuery, WeightsAfter } from "../shared/queries";
import type { RunSource } from "../shared/run-source";
import { Tape, type Granularity, type Position } from "./position";

/** How the playback asks the host (a QueryClient in the webview). */
export interface Ask {
  ask<Q extends RunQuery>(query: Q): Promise<QueryResults[Q["kind"]]>;
}

export interface Playback {
  readonly root: HTMLElement;
  readonly tape: Tape;
  position(): Position;
  /** Moves to p and resolves once its network and sample panel are drawn. */
  goTo(p: Position): Promise<void>;
  /** Stops playing and drops answers still on their way. */
  dispose(): void;
}

const GRANULARITIES: readonly Granularity[] = ["epoch", "batch", "sample"];
const CACHED_COMMITS = 32;
/** Time between steps while playing (the next step also waits until the view is drawn). */
const STEP_MS = 500;

/**
 * The playback of a run, at `start` when given and still on the tape (a re-sent file keeps its place),
 * else at the end. `onMove` hears every move: the commit whose weights are shown and its epoch (the
 * charts' cursor follows it).
 */
export function renderPlayback(
  run: RunSummary,
  timeline: PlaybackTimeline,
  host: Ask,
  source: RunSource,
  start?: Position,
  onMove?: (at: { readonly t: number; readonly epoch: number }) => void,
  stagesAt?: (t: number) => Promise<NeuronStages | null>,
): Playback {
  const tape = new Tape(timeline);
  const c = timeline;
  let pos = start && start.k < tape.commitCount && start.slot <= c.count[start.k]! ? start : tape.end();
  let by: Granularity = "batch";
  let playing = false;
  let token = 0;
  let drawn: Promise<void> = Promise.resolve();

  const button = (label: string, text: string, onClick: () => void) => {
    const b = h("button", { type: "button", "aria-label": label, title: label }, text);
    b.addEventListener("click", onClick);
    return b;
  };
  const toStart = button("go to start", "|◀", () => void goTo(tape.start()));
  const back = button("step back", "◀", () => step(-1));
  const playButton = button("play", "▶ play", () => (playing ? pause() : play()));
  playButton.setAttribute("aria-pressed", "false");
  const forward = button("step forward", "▶", () => step(1));
  const toEnd = button("go to end", "▶|", () => void goTo(tape.end()));
  const radios = h("span", { role: "radiogroup", "aria-label": "step by", class: "granularity" });
  for (const g of GRANULARITIES) {
    const input = h("input", { type: "radio", name: `nf-step-${run.runId}`, value: g, "aria-label": `step by ${g}`, checked: g === by });
    input.addEventListener("change", () => {
      if (input.checked) by = g;
    });
    append(radios, h("label", {}, input, ` ${g}`));
  }
  const scrubber = h("input", { type: "range", class: "scrubber", min: 0, max: tape.commitCount, step: 1, "aria-label": "position (commits done)" });
  scrubber.addEventListener("input", () => {
    const n = Number(scrubber.value) | 0;
    void goTo(n === 0 ? tape.start() : { k: n - 1, slot: c.count[n - 1]! });
  });
  const label = h("div", { class: "position", "aria-live": "polite" });
  const samplePanel = h("div", { class: "sample-panel", "aria-live": "polite" });
  const problem = h("div", { class: "error query-error", role: "alert", hidden: true });
  const net = h("div", { class: "network" });
  const root = h(
    "section",
    { class: "playback", "aria-label": "playback", tabindex: -1 },
    h("h4", {}, "Playback"),
    h("div", { class: "vcr", role: "toolbar", "aria-label": "playback controls" }, toStart, back, playButton, forward, toEnd, radios),
    h("label", { class: "scrub" }, "commits ", scrubber),
    label,
    samplePanel,
    problem,
    net,
  );
  root.addEventListener("keydown", (e) => {
    const target = e.target as HTMLElement;
    if (net.contains(target) || target.tagName === "INPUT" || target.tagName === "SELECT") return;
    const act: Record<string, () => void> = { ArrowRight: () => step(1), ArrowLeft: () => step(-1), Home: () => void goTo(tape.start()), End: () => void goTo(tape.end()) };
    if (target.tagName !== "BUTTON") act[" "] = () => (playing ? pause() : play());
    const f = act[e.key];
    if (!f) return;
    e.preventDefault();
    f();
  });

  // Answers per commit, kept for the last few commits (stepping back and forth re-asks nothing).
  const cache = new Map<string, Promise<unknown>>();
  function cached<T>(key: string, get: () => Promise<T>): Promise<T> {
    let p = cache.get(key) as Promise<T> | undefined;
    if (!p) {
      p = get();
      cache.set(key, p);
      p.catch(() => cache.delete(key));
      if (cache.size > CACHED_COMMITS * 2) cache.delete(cache.keys().next().value!);
    }
    return p;
  }
  // Every weight: the decision boundary (2 inputs) and a wide layer's weight matrix need them all, and on
  // 784-input neurons a whole-neuron replay is cheaper than replaying the drawn weights one by one
  // (`npm run bench -- wide`, docs/benchmarks.md).
  const weightsAfter = (t: number) => cached(`w${t}`, () => host.ask({ kind: "weightsAfter", runId: run.runId, t }));
  const batchOf = (t: number) => cached(`b${t}`, () => host.ask({ kind: "batch", runId: run.runId, t }));

  function step(dir: 1 | -1): boolean {
    const next = dir > 0 ? tape.forward(pos, by) : tape.back(pos, by);
    if (next) void goTo(next);
    return next !== null;
  }

  function goTo(p: Position): Promise<void> {
    pos = p;
    const mine = ++token;
    const committed = tape.isCommitted(p);
    const t = c.t[p.k]!;
    const shown = tape.shownT(p);
    const n = c.count[p.k]!;
    scrubber.value = String(committed ? p.k + 1 : p.k);
    scrubber.setAttribute("aria-valuetext", `after commit t=${shown}`);
    label.textContent = committed
      ? `epoch ${c.epoch[p.k]} · batch ${c.batch[p.k]} committed at t=${t} · network after commit t=${shown}`
      : `epoch ${c.epoch[p.k]} · batch ${c.batch[p.k]} · sample ${p.slot + 1} of ${n} · network after commit t=${shown}`;
    root.setAttribute("data-k", String(p.k));
    root.setAttribute("data-slot", String(p.slot));
    root.setAttribute("data-shown-t", String(shown));
    onMove?.({ t: shown, epoch: c.epoch[p.k]! });
    root.setAttribute("aria-busy", "true");
    back.disabled = tape.back(p, "sample") === null;
    toStart.disabled = back.disabled;
    forward.disabled = tape.forward(p, "sample") === null;
    toEnd.disabled = forward.disabled;
    problem.hidden = true;
    const fresh = () => mine === token;
    drawn = Promise.all([drawNetwork(shown, p, fresh), drawSample(p, fresh)]).then(
      () => {
        if (fresh()) root.setAttribute("aria-busy", "false");
      },
      (e: unknown) => {
        if (!fresh()) return;
        root.setAttribute("aria-busy", "false");
        problem.textContent = `Cannot read this position from the run file: ${e instanceof Error ? e.message : String(e)}`;
        problem.hidden = false;
      },
    );
    return drawn;
  }

  async function drawNetwork(shown: number, p: Position, fresh: () => boolean): Promise<void> {
    // The commit of this position's batch: drawn after it when committed; when pending, the weights are
    // those before it and its popups explain the bank so far (audit/pending.ts). Its batch too: a neuron
    // popup steps through its samples (snapshots asked of the source).
    const t = c.t[p.k]!;
    // Neurons coloured by their stage after the commit shown; a run whose stages cannot be read is drawn without.
    const [w, batch, stages] = await Promise.all([weightsAfter(shown), batchOf(t), stagesAt ? stagesAt(shown).catch(() => null) : null]);
    if (!fresh()) return;
    const samples = batch.kind === "batch" ? batch.samples.map((s) => s.sample) : [];
    const pending = tape.isCommitted(p) ? null : { slot: p.slot };
    renderNetwork(networkPayload(run, w, { t, epoch: c.epoch[p.k]!, batch: c.batch[p.k]!, samples, pending, stages }), net, source);
  }

  async function drawSample(p: Position, fresh: () => boolean): Promise<void> {
    const t = c.t[p.k]!;
    const n = c.count[p.k]!;
    if (tape.isCommitted(p)) {
      samplePanel.replaceChildren(
        h("span", { class: "bank committed" }, "Committed"),
        ` batch ${c.batch[p.k]} of epoch ${c.epoch[p.k]}: ${n} sample${n === 1 ? "" : "s"}, batch loss ${fmt(c.loss[p.k])}; commit t=${t} adjusted every weight by its avg = bank / ${n}.`,
      );
      return;
    }
    const batch: BatchSamples | NotRecorded = await batchOf(t);
    if (!fresh()) return;
    const bank = h("span", { class: "bank pending" }, "Pending");
    const state = ` ${p.slot + 1} of ${n} samples in the blame bank; commit t=${t} follows.`;
    if (batch.kind === "not-recorded") {
      samplePanel.replaceChildren(bank, state, h("div", { class: "muted not-recorded" }, `Samples not recorded: ${batch.reason}`));
      return;
    }
    const s = batch.samples[p.slot]!;
    const d = await host.ask({ kind: "sample", runId: run.runId, epoch: batch.epoch, sample: s.sample });
    if (!fresh()) return;
    const sampleLine =
      d.kind === "sample"
        ? h(
            "div",
            { class: "current-sample", "data-sample": d.sample },
            `sample #${d.sample} (position ${d.position})`,
            d.inputs.length ? ` · inputs [${d.inputs.map((x) => fmt(x)).join(", ")}]` : "",
            " · prediction ",
            h("span", { class: "prediction", "data-value": JSON.stringify(d.prediction) }, `[${d.prediction.map((x) => fmt(x)).join(", ")}]`),
            " · loss ",
            h("span", { class: "loss", "data-value": String(d.loss) }, fmt(d.loss)),
          )
        : h("div", { class: "muted not-recorded" }, `sample #${s.sample}: ${d.reason}`);
    const list = (from: number, to: number) => batch.samples.slice(from, to).map((x) => `#${x.sample}`).join(", ");
    const bankList = h(
      "div",
      { class: "pending-samples" },
      `in the bank: ${list(0, p.slot + 1)}${p.slot + 1 < n ? ` · still to come: ${list(p.slot + 1, n)}` : ""} · a weight's popup shows its bank so far and what commit t=${t} will do with it`,
    );
    samplePanel.replaceChildren(bank, state, sampleLine, bankList);
  }

  function play(): void {
    if (playing) return;
    playing = true;
    playButton.setAttribute("aria-pressed", "true");
    playButton.setAttribute("aria-label", "pause");
    playButton.textContent = "‖ pause";
    void (async () => {
      while (playing) {
        await new Promise((r) => setTimeout(r, STEP_MS));
        await drawn;
        if (!playing || !step(1)) break;
      }
      pause();
    })();
  }

  function pause(): void {
    playing = false;
    playButton.setAttribute("aria-pressed", "false");
    playButton.setAttribute("aria-label", "play");
    playButton.textContent = "▶ play";
  }

  void goTo(pos);
  return { root, tape, position: () => pos, goTo, dispose: () => ((playing = false), token++) };
}

/** The network renderer's payload for the weights after one commit (one embedded commit, traces asked of the source). */
function networkPayload(run: RunSummary, w: WeightsAfter, at: { t: number; epoch: number; batch: number; samples: readonly number[]; pending: { slot: number } | null; stages: NeuronStages | null }): NetworkPayload {
  let offset = 0;
  let inputs = run.inputs;
  const layers = run.layers.map((l) => {
    const weights = Array.from({ length: l.units }, (_, j) => w.weights.slice(offset + j * (inputs + 1), offset + (j + 1) * (inputs + 1)));
    offset += l.units * (inputs + 1);
    inputs = l.units;
    return { units: l.units, activation: l.activation, weights };
  });
  return {
    inputs: run.inputs,
    layers,
    weightCount: run.weightCount,
    recording: {
      runId: run.runId,
      strategy: run.strategy,
      commits: [{ ...at, weights: w.weights, traces: null }],
      tracesOmitted: null,
    },
    ...(run.plane ? { plane: run.plane } : {}),
  };
}
