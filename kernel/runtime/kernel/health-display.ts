/**
 * The live health views of a cell: each trainer with `health` or `lifecycle` that commits in the cell
 * (through `fit` or a loop of `trainEpoch`) gets one output, replaced in place at most every
 * HEALTH_EVERY_MS while it trains, once more when a `fit` ends and when the cell ends, so the final
 * state stays in the notebook.
 */
import type { TrainingNotice } from "../../engine/observer";
import type { Trainer } from "../../engine/trainer";
import { HealthLive } from "../display/health-live";
import { healthViewBundle } from "../display/health-view";
import type { HealthViewPayload } from "../display/health-view-types";
import type { MimeBundle } from "../display/mime";

/** At most four updates a second: a person can follow that, and building one costs little next to training. */
export const HEALTH_EVERY_MS = 250;

type Status = HealthViewPayload["status"];

interface LiveHealthDisplay {
  commit(t: number, loss: number): void;
  notice(n: TrainingNotice): void;
  /** Shows the state now (a fit ended). */
  end(status: Status): void;
  /** Shows the state if it changed since last shown, or if the last shown still said running (the cell ended). */
  settle(status: Status): void;
}

/** `show` puts the bundle in the cell's output (the first call displays, later ones update it). */
function liveHealthDisplay(trainer: Trainer, show: (bundle: MimeBundle) => void, now: () => number): LiveHealthDisplay {
  const live = new HealthLive(trainer);
  let last = -Infinity;
  let changed = false;
  let shown: Status | null = null;
  const display = (status: Status): void => {
    show(healthViewBundle(live.payload(status)));
    changed = false;
    shown = status;
  };
  return {
    commit(t, loss) {
      live.onCommit(t, loss);
      changed = true;
      const at = now();
      if (at - last < HEALTH_EVERY_MS) return;
      last = at;
      display("running");
    },
    notice(n) {
      live.onNotice(n);
      changed = true;
    },
    end: display,
    settle(status) {
      if (changed || shown === "running") display(status);
    },
  };
}

/** The running cell's health views, one per trainer; `displayInPlace` opens a new output of the cell. */
export class HealthViews {
  private readonly active = new Map<Trainer, LiveHealthDisplay>();

  constructor(
    private readonly displayInPlace: () => (bundle: MimeBundle) => void,
    private readonly now: () => number = () => performance.now(),
  ) {}

  private of(trainer: Trainer): LiveHealthDisplay | null {
    const shown = this.active.get(trainer);
    if (shown || !HealthLive.wanted(trainer)) return shown ?? null;
    const d = liveHealthDisplay(trainer, this.displayInPlace(), this.now);
    this.active.set(trainer, d);
    return d;
  }

  commit(trainer: Trainer, t: number, loss: number): void {
    this.of(trainer)?.commit(t, loss);
  }

  notice(n: TrainingNotice): void {
    if (n.kind === "lifecycle" || n.kind === "nonfinite") this.of(n.trainer)?.notice(n);
  }

  fitEnded(trainer: Trainer, status: Status): void {
    this.active.get(trainer)?.end(status);
  }

  /** The cell ended: views that changed since last shown show their final state; the next cell starts new ones. */
  cellEnded(status: Status): void {
    for (const d of this.active.values()) d.settle(status);
    this.active.clear();
  }
}
