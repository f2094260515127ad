/**
 * The events timeline of a run (lifecycle, non-finite guards, Lookahead syncs, interruptions …): a strip
 * with a mark per event at its t, and a list of the events as buttons; choosing one moves the playback
 * to the commit the event belongs to. All event text goes into text nodes.
 */
import { append, h } from "../shared/dom";
import type { TimelineEvent } from "../shared/queries";

/** The commit an event is placed at: its t, or for an event without t (e.g. `start`) the commit before its epoch/position, else 0. */
export function eventT(e: TimelineEvent, commits: { readonly t: readonly number[]; readonly epoch: readonly number[] }): number {
  if (e.t !== null) return e.t;
  if (e.epoch === null) return 0;
  let t = 0;
  for (let k = 0; k < commits.t.length && commits.epoch[k]! < e.epoch; k++) t = commits.t[k]!;
  return t;
}

export function renderEvents(events: readonly TimelineEvent[], commits: { readonly t: readonly number[]; readonly epoch: readonly number[] }, onSelect: (t: number) => void): HTMLElement {
  const lastT = commits.t.length ? commits.t[commits.t.length - 1]! : 0;
  const strip = h("div", { class: "event-strip", "aria-hidden": "true" });
  const list = h("ol", { class: "events", "aria-label": "events" });
  for (const e of events) {
    const t = eventT(e, commits);
    const where = `${e.t === null ? `at t=${t}` : `t=${e.t}`}${e.epoch === null ? "" : ` · epoch ${e.epoch}`}`;
    const mark = h("span", { class: `mark kind-${e.kind.replace(/[^a-z0-9_-]/gi, "")}`, title: `${where} · ${e.kind}` });
    mark.style.left = `${lastT > 0 ? (100 * t) / lastT : 0}%`;
    strip.append(mark);
    const go = h("button", { type: "button", class: "event", "data-t": t, "data-kind": e.kind, "aria-label": `go to ${where}: ${e.kind}, ${e.message}` }, h("span", { class: "t" }, where), " ", h("span", { class: "kind" }, e.kind), ": ", h("span", { class: "message" }, e.message));
    go.addEventListener("click", () => onSelect(t));
    list.append(h("li", {}, go));
  }
  const section = h("section", { class: "events-timeline", "aria-label": "events timeline" }, h("h4", {}, `Events (${events.length})`));
  append(section, events.length ? strip : null, events.length ? list : h("p", { class: "muted" }, "No events recorded."));
  return section;
}
