/**
 * Signals and plot panels as plain data (seed 003): what the kernel computes and the signals renderer
 * draws. Types only, so a webview can import them.
 */

/** A named derived series: one or more components over x, with a unit and optional truth per component. */
export interface Signal {
  readonly name: string;
  readonly unit: string;
  readonly xLabel: string;
  readonly x: readonly number[];
  /** Component names (one for a scalar signal). */
  readonly components: readonly string[];
  /** values[c][k]: component c at x[k]. */
  readonly values: readonly (readonly number[])[];
  /** The true value per component (null where unknown); absent when nothing is known. */
  readonly truth?: readonly (number | null)[];
}

export type PanelMode = "components" | "summary" | "hybrid";
export type SummaryKind = "rms" | "norm" | "mean-abs";

/** One panel of a plot recipe: which signals, and how vector-valued ones are drawn. */
export interface PanelRecipe {
  readonly title?: string;
  readonly signals: readonly string[];
  /** components: a line per component; summary: one line (RMS, norm or mean-abs); hybrid: summary + top N. */
  readonly mode?: PanelMode;
  readonly summary?: SummaryKind;
  /** Hybrid: how many components (largest final |value|, or |residual| with truth). Default 3. */
  readonly top?: number;
  /** Log y axis: true, false, or "auto" (default: every value > 0 spanning more than two decades). */
  readonly logY?: boolean | "auto";
}

export interface PlotLine {
  readonly name: string;
  readonly role: "component" | "summary" | "truth";
  readonly x: readonly number[];
  readonly values: readonly (number | null)[];
}

export interface PlotPanel {
  /** With the final value(s) appended, e.g. "loss — final 0.0123". */
  readonly title: string;
  readonly unit: string;
  readonly xLabel: string;
  readonly logY: boolean;
  readonly lines: readonly PlotLine[];
}

/** application/vnd.neuroforge.signals+json, panels form. */
export interface SignalsPanelsPayload {
  readonly kind: "signals-panels";
  readonly title: string | null;
  readonly panels: readonly PlotPanel[];
}
