/**
 * Messages between the extension host and the .nfrun editor webview (plain JSON data only). Besides
 * these, the webview asks run queries (./queries.ts) and the host answers them.
 */
import type { RunComparison } from "../../kernel/record/compare/types";
import type { StrategyInfo } from "../../kernel/record/reader-types";
import type { PlanePoints } from "../../kernel/runtime/display/plane";
import type { QueryAnswer, QueryRequest, TimelineEvent } from "./queries";

export interface RunSummary {
  readonly runId: string;
  readonly status: string;
  readonly createdAt: string;
  readonly seconds: number | null;
  readonly engineVersion: string;
  readonly seed: number | null;
  readonly configHash: string;
  /** Whether the stored hash matches the stored config (false: the file was edited). */
  readonly hashMatches: boolean;
  /** The experiment config, pretty-printed JSON. */
  readonly configJson: string;
  readonly architecture: string;
  /** The model, for drawing it: inputs, then per layer its units and activation. */
  readonly inputs: number;
  readonly layers: readonly { readonly units: number; readonly activation: string }[];
  readonly weightCount: number;
  readonly loss: string;
  readonly batchSize: number;
  readonly strategy: StrategyInfo;
  readonly hyperparameters: Readonly<Record<string, unknown>>;
  readonly epochsDone: number;
  readonly commits: number;
  readonly samplesSeen: number;
  readonly finalLoss: number | null;
  /** Loss per commit (at most 400 evenly spaced points). */
  readonly lossCurve: { readonly t: readonly number[]; readonly loss: readonly (number | null)[] };
  readonly events: readonly TimelineEvent[];
  /** The mechanisms the run used (schedule, Lookahead, clipping, accumulation, param groups, recording policy). */
  readonly mechanisms: readonly Mechanism[];
  /** For a 2-input run: its data points, drawn over the decision boundary (null otherwise; absent in older hosts). */
  readonly plane?: PlanePoints | null;
  /** Whether the run has a lifecycle, health measures or non-finite events: the editor then shows its health panel. */
  readonly health?: boolean;
}

/** One mechanism of a run, named as the header shows it. */
export interface Mechanism {
  readonly name: string;
  readonly value: string;
}

/** What the editor shows of a file: its runs, or why it cannot be read. */
export type RunFileMessage =
  | { readonly type: "run-file"; readonly file: string; readonly bytes: number; readonly runs: readonly RunSummary[]; readonly comparison: RunComparison }
  | { readonly type: "error"; readonly file: string; readonly kind: string; readonly message: string };

export type HostToEditor = RunFileMessage | QueryAnswer;

export type EditorToHost = { readonly type: "ready" } | QueryRequest;
