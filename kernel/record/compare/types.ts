/**
 * Runs compared side by side (issue #15): what the .nfrun editor's run list and comparison views and
 * the notebook's sweep output show, as plain data. Types only, so a webview can import them.
 */
import type { FactorEffect } from "../../engine/sweep/main-effects";
import type { PlotPanel } from "../signal-types";

export type { FactorEffect };

/** A hyperparameter's value as the config holds it (a list of plain values as its JSON text). */
export type ParamValue = string | number | boolean | null;

/** How a run ended: the file's status, with `diverged` for a failed run that met a non-finite value. */
export type RunState = "running" | "completed" | "interrupted" | "diverged" | "failed";

/** A final metric of a run (the columns the run list sorts by and the charts plot). */
export type MetricKey = "loss" | "testLoss" | "testAccuracy";

export interface ComparedRun {
  readonly runId: string;
  /** Experiment name + the overrides that differ between the file's runs: `train · lr=0.1 · optimizer=adam`. */
  readonly name: string;
  readonly state: RunState;
  /** Per parameter of the comparison (`RunComparison.params`, same order): this run's value. */
  readonly values: readonly ParamValue[];
  /** Final metrics (null: not recorded, or not finite). */
  readonly metrics: Readonly<Record<MetricKey, number | null>>;
}

/** A parameter whose value differs between the runs: its config key and the short label shown. */
export interface ComparedParam {
  /** Dotted config key, e.g. `optimizer.lr` (`optimizer.name` for a group choice). */
  readonly key: string;
  /** Shortest unambiguous label: `lr`, `optimizer`. */
  readonly label: string;
}

export interface RunComparison {
  readonly params: readonly ComparedParam[];
  /** The metrics at least one run recorded, in column order. */
  readonly metrics: readonly MetricKey[];
  readonly runs: readonly ComparedRun[];
  /**
   * Main effects on each recorded final metric (loss and test loss: smaller is better; test accuracy:
   * larger) when the runs form a balanced design (a grid or an orthogonal array:
   * in every pair of parameters each pair of levels occurs equally often); else null with `effectsNote` saying why.
   */
  readonly effects: Readonly<Partial<Record<MetricKey, readonly FactorEffect[]>>> | null;
  readonly effectsNote: string;
}

/** Curves of several runs overlaid: per signal one panel, one line per run named by the run's name. */
export interface RunOverlay {
  readonly kind: "overlay";
  readonly panels: readonly PlotPanel[];
}

export const METRIC_LABELS: Readonly<Record<MetricKey, string>> = { loss: "final loss", testLoss: "test loss", testAccuracy: "test accuracy" };

/** application/vnd.neuroforge.comparison+json: a comparison with the curves of its first `embeddedCurves` runs. */
export interface ComparisonPayload {
  readonly kind: "run-comparison";
  readonly title: string;
  readonly comparison: RunComparison;
  readonly overlay: RunOverlay;
  readonly embeddedCurves: number;
  /** Why there are no curves and where to find them (a sweep object carries none). */
  readonly curvesNote?: string;
}
