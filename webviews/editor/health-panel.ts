/**
 * The .nfrun editor's health panel: the health view (renderers/health) of the run after the commit the
 * playback shows, asked of the host (`healthAt`) at each move; an answer for a position already left
 * is dropped. The same answers give the network drawing its neurons' stages. Shown for runs with a
 * lifecycle, health measures or non-finite events (RunSummary.health).
 */
import type { NeuronStages } from "../../kernel/runtime/display/network";
import { renderHealth } from "../renderers/health/render";
import { h } from "../shared/dom";
import type { RunSummary } from "../shared/messages";
import type { HealthViewPayload } from "../shared/queries";
import type { Ask } from "./playback";

/** Answers kept (stepping back and forth re-asks nothing). */
const CACHED = 32;

export interface HealthFollower {
  readonly root: HTMLElement;
  /** Shows the health after commit t; resolves when drawn (or when a later move replaced it). */
  moveTo(t: number): Promise<void>;
  /** Each neuron's stage after commit t (null: the run has no lifecycle). */
  stagesAt(t: number): Promise<NeuronStages | null>;
}

export function healthFollower(run: RunSummary, host: Ask): HealthFollower | null {
  if (!run.health) return null;
  const cache = new Map<number, Promise<HealthViewPayload>>();
  const ask = (t: number): Promise<HealthViewPayload> => {
    let p = cache.get(t);
    if (!p) {
      p = host.ask({ kind: "healthAt", runId: run.runId, t });
      cache.set(t, p);
      p.catch(() => cache.delete(t));
      if (cache.size > CACHED) cache.delete(cache.keys().next().value!);
    }
    return p;
  };
  const body = h("div", { class: "health-body" });
  const root = h("section", { class: "health-panel", "aria-label": "network health at the playback position" }, h("h4", {}, "Health"), body);
  let token = 0;
  return {
    root,
    stagesAt: (t) => ask(t).then((p) => p.lifecycle?.stages ?? null),
    async moveTo(t) {
      const mine = ++token;
      root.setAttribute("aria-busy", "true");
      try {
        const p = await ask(t);
        if (mine !== token) return;
        renderHealth(p, body);
        root.setAttribute("data-t", String(t));
      } catch (e) {
        if (mine === token) body.replaceChildren(h("div", { class: "error query-error", role: "alert" }, `Cannot read the run's health: ${e instanceof Error ? e.message : String(e)}`));
      } finally {
        if (mine === token) root.setAttribute("aria-busy", "false");
      }
    },
  };
}
