/**
 * A sweep as it ran, as a notebook cell gets it back (`runSweep`) and its views show it: every member
 * with its overrides, parameter values, status and final metrics, and the main effects when the design
 * is balanced. Plain JSON-able data, types only, so a webview or renderer can import it.
 */
import type { RunStatus } from "../trainer";
import type { ResolvedSweep, SweepSpec } from "./design";
import type { FactorEffect } from "./main-effects";
import type { SweepValue } from "./values";

/** One member's final metrics (null: not recorded, not finite, or the member did not complete). */
export interface SweepMetrics {
  /** Mean per-sample training loss of the last finished epoch. */
  readonly loss: number | null;
  /** The test split's loss and accuracy after the last epoch (null without a test split). */
  readonly testLoss: number | null;
  readonly testAccuracy: number | null;
}

export interface SweepMemberResult {
  /** 0-based position in the whole sweep (an adaptive search's rounds one after another). */
  readonly index: number;
  /** The round that proposed it (always 0 for grid, random and the arrays). */
  readonly round: number;
  /** Its own `key=value` overrides (after the call's), joined by spaces: `optimizer=adam optimizer.lr=0.01`. */
  readonly label: string;
  readonly overrides: readonly string[];
  /** Per swept parameter (`SweepObject.params`): its value (a group parameter as the group's name). */
  readonly values: Readonly<Record<string, SweepValue>>;
  readonly status: RunStatus;
  readonly epochs: number;
  readonly seconds: number;
  readonly metrics: SweepMetrics;
  /** sha256 of the member's resolved experiment (as the .nfrun stores it). */
  readonly configHash: string;
  /** With `record`: its run id in the .nfrun. */
  readonly runId?: string;
}

export interface SweepObject {
  readonly kind: "sweep";
  /** The experiment's name (`name:` in the file). */
  readonly experiment: string;
  readonly design: SweepSpec["design"];
  /** The swept parameters, in the spec's order. */
  readonly params: readonly string[];
  /**
   * Every member spelled out (design, factors, each member's level indices and overrides), as
   * `--export-sweep` writes it; for an adaptive search, its rounds' members together.
   */
  readonly resolved: ResolvedSweep;
  /** sha256 of `resolved` (canonical JSON), as the CLI prints it. */
  readonly hash: string;
  /** Adaptive searches: the runs the spec allows in all. */
  readonly budget?: number;
  readonly members: readonly SweepMemberResult[];
  /** Main effects on the final loss (smaller is better) for a grid or an orthogonal array; null otherwise. */
  readonly effects: readonly FactorEffect[] | null;
  /** Index of the completed member with the lowest final loss (null: none completed). */
  readonly best: number | null;
  /** The .nfrun the members were recorded into (`record`). */
  readonly record?: string;
}
