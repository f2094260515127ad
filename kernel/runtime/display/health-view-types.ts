/**
 * The health view's payload (application/vnd.neuroforge.health+json): plain JSON data only, imported
 * by the kernel that builds it and by the renderer and the .nfrun editor that draw it. JSON has no NaN:
 * a statistic over no finite value is null.
 */
import type { LifecycleStage } from "../../engine/lifecycle/stages";

export type { LifecycleStage };

/** Bin edges low, high and the count per bin (evenly spaced); no finite value: nulls and no bins. */
export interface HealthHistogram {
  readonly low: number | null;
  readonly high: number | null;
  readonly counts: readonly number[];
}

/** One layer's values at one measure (kernel/engine/health/summary.ts's ValueSummary, JSON-safe). */
export interface HealthValues {
  readonly count: number;
  readonly zeros: number;
  readonly nan: number;
  readonly inf: number;
  readonly mean: number | null;
  readonly std: number | null;
  /** TensorBoard's nine basis points (min, −1.5σ … +1.5σ, max). */
  readonly percentiles: readonly (number | null)[];
  readonly histogram: HealthHistogram;
}

/** One layer at the latest health measure. */
export interface HealthViewLayer {
  readonly layer: number;
  readonly units: number;
  readonly activation: string;
  readonly weights: HealthValues;
  readonly gradients: HealthValues;
  readonly activationMean: number | null;
  readonly activationStd: number | null;
  /** ReDo's dormant fraction in [0, 1]. */
  readonly dormant: number | null;
}

/** A lifecycle or non-finite event, as the timeline shows it. */
export interface HealthViewEvent {
  /** The commit it happened after. */
  readonly t: number;
  /** rebirth, senescent, recovered (lifecycle) or nonfinite. */
  readonly kind: string;
  readonly layer: number | null;
  readonly neuron: number | null;
  readonly message: string;
}

/** The lifecycle's state at `t`: fitness and age distributions over every neuron, each neuron's stage. */
export interface HealthViewLifecycle {
  /** The commit of the last fitness evaluation (null: none yet). */
  readonly evaluatedT: number | null;
  /** Every neuron's fitness at that evaluation (null: not known, e.g. a recorded run without fitness rows). */
  readonly fitness: HealthValues | null;
  /** Commits since each neuron's last birth. */
  readonly ages: HealthValues;
  /** Per layer, each neuron's stage. */
  readonly stages: readonly (readonly LifecycleStage[])[];
}

export interface HealthViewPayload {
  readonly kind: "health-view";
  /** Commits so far. */
  readonly t: number;
  readonly status: "running" | "completed" | "interrupted" | "diverged" | "failed";
  /** The commit of the latest health measure (null: health is off or not measured yet). */
  readonly measuredT: number | null;
  readonly layers: readonly HealthViewLayer[];
  readonly lifecycle: HealthViewLifecycle | null;
  /** The last events (at most MAX_VIEW_EVENTS) and how many of each kind there were in all. */
  readonly events: readonly HealthViewEvent[];
  readonly eventCounts: Readonly<Record<string, number>>;
  /** Batch loss per commit, thinned to at most a few hundred points (null: not finite). */
  readonly loss: { readonly t: readonly number[]; readonly loss: readonly (number | null)[] };
}

/** Events the view keeps (the counts cover all of them). */
export const MAX_VIEW_EVENTS = 200;
