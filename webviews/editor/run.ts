/**
 * One run in the .nfrun editor: its config, status and hash, the loss chart, the events timeline and
 * (with a host to ask) the VCR playback with the network view. Choosing an event moves the playback to it.
 */
import { append, h } from "../shared/dom";
import { fmt } from "../shared/format";
import { strategyGuidance } from "../shared/guidance";
import type { RunSummary } from "../shared/messages";
import type { RunSource } from "../shared/run-source";
import { renderCharts, watchSelectedWeight, type ChartsPanel, type DrawChart } from "./charts";
import { renderEvents } from "./events";
import { healthFollower } from "./health-panel";
import { renderPlayback, type Ask, type Playback } from "./playback";
import type { Position } from "./position";

/** Draws a loss curve into an element (vega-embed in the webview; tests pass their own or none). */
export type ChartFn = (element: HTMLElement, run: RunSummary) => void | Promise<void>;

/**
 * What the run view uses besides the summary: the loss chart (drawn at once from the summary), and the
 * host's queries for playback; with `drawCharts` too, the charts panel (./charts.ts) takes the loss
 * chart's place once its first charts are drawn, its cursor following the playback.
 */
export interface RunViewDeps {
  readonly chart?: ChartFn;
  readonly drawCharts?: DrawChart;
  readonly host?: Ask;
  readonly source?: RunSource;
}

/** A run's view: its section, where its playback is (null before it is shown), and `dispose` to stop it. */
export interface RunView {
  readonly section: HTMLElement;
  position(): Position | null;
  dispose(): void;
}

/** The run's section; the playback starts at `start` (the place before the file changed) when given. */
export function renderRun(run: RunSummary, deps: RunViewDeps, start?: Position): RunView {
  const chartEl = h("div", { class: "chart", role: "img", "aria-label": `loss per commit of run ${run.runId}` });
  const hyper = Object.entries(run.hyperparameters)
    .map(([k, v]) => `${k}=${typeof v === "object" ? JSON.stringify(v) : String(v)}`)
    .join(", ");
  const field = (k: string, v: string, cls?: string) => [h("dt", {}, k), h("dd", cls ? { class: cls } : {}, v)];
  const playbackEl = h("div", { class: "playback-slot" });
  let playback: Playback | null = null;
  let disposed = false;
  /** An event chosen: the playback moves to its commit and takes the focus (its keys work at once). */
  const select = (t: number) => {
    const p = playback;
    if (p) void p.goTo(p.tape.afterCommit(t)).then(() => p.root.focus());
  };
  // Until the timeline arrives, events are placed by their own t only.
  let events = renderEvents(run.events, { t: [], epoch: [] }, select);
  const section = h(
    "section",
    { class: "run", "data-run-id": run.runId, "aria-label": `run ${run.runId}` },
    h("h3", {}, `Run ${run.runId}`),
    h(
      "dl",
      {},
      ...field("status", run.status, `status status-${run.status}`),
      ...field("created", run.createdAt),
      ...field("duration", run.seconds === null ? "–" : `${fmt(run.seconds)} s`),
      ...field("model", run.architecture),
      ...field("loss", run.loss),
      ...field("optimizer", `${run.strategy.name} (${hyper})`),
      ...field("batch size", String(run.batchSize)),
      ...run.mechanisms.flatMap((m) => field(m.name, m.value, `mechanism mechanism-${m.name.replace(/\W+/g, "-")}`)),
      ...field("progress", `${run.epochsDone} epochs · ${run.commits} commits · ${run.samplesSeen} samples`),
      ...field("final loss", fmt(run.finalLoss), "final-loss"),
      ...field("seed", run.seed === null ? "–" : String(run.seed)),
      ...field("engine", run.engineVersion),
      ...field("config hash", `${run.configHash}${run.hashMatches ? "" : "  ⚠ does not match the stored config"}`, run.hashMatches ? "hash" : "hash error"),
    ),
    strategyGuidance(run.strategy),
    chartEl,
    events,
    playbackEl,
    h("details", {}, h("summary", {}, "config"), h("pre", { class: "config" }, run.configJson)),
  );
  if (deps.chart) {
    Promise.resolve(deps.chart(chartEl, run)).catch((e: unknown) => append(chartEl, h("div", { class: "error" }, `chart failed: ${e instanceof Error ? e.message : String(e)}`)));
  }
  const { host, source } = deps;
  // The health panel follows the playback (below it); its answers also colour the network's neurons by stage.
  const health = host && source && run.commits > 0 ? healthFollower(run, host) : null;
  if (health) playbackEl.after(health.root);
  let charts: ChartsPanel | null = null;
  let unwatch: (() => void) | null = null;
  if (host && deps.drawCharts && run.commits > 0) {
    const panel = renderCharts(run.runId, host, deps.drawCharts);
    charts = panel;
    // The summary's loss chart stays when the signals cannot be read.
    void panel.ready.then((drawn) => {
      if (drawn && !disposed) chartEl.replaceWith(panel.root);
    });
  }
  if (host && source) {
    if (run.commits === 0) append(playbackEl, h("p", { class: "muted" }, "No commits in this run: nothing to play back."));
    else {
      append(playbackEl, h("p", { class: "muted loading" }, "Reading the run's timeline…"));
      host.ask({ kind: "timeline", runId: run.runId }).then(
        (timeline) => {
          if (disposed) return;
          playback = renderPlayback(
            run,
            timeline,
            host,
            source,
            start,
            (at) => {
              void charts?.moveTo(at);
              void health?.moveTo(at.t);
            },
            health?.stagesAt,
          );
          playbackEl.replaceChildren(playback.root);
          const net = playback.root.querySelector<HTMLElement>(".network");
          if (charts && net) unwatch = watchSelectedWeight(net, (w) => charts?.select(w));
          const placed = renderEvents(run.events, timeline, select);
          events.replaceWith(placed);
          events = placed;
        },
        (e: unknown) => {
          if (!disposed) playbackEl.replaceChildren(h("div", { class: "error query-error", role: "alert" }, `Cannot read the run's timeline: ${e instanceof Error ? e.message : String(e)}`));
        },
      );
    }
  }
  return {
    section,
    position: () => playback?.position() ?? start ?? null,
    dispose() {
      disposed = true;
      playback?.dispose();
      charts?.dispose();
      unwatch?.();
    },
  };
}
