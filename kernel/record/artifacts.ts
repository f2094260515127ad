/**
 * A recorded run as seed 003's run artifacts: `trace.npz` (dense arrays), `meta.json` (what the run was
 * and how to read θ), `summary.json` (a few scalars for aggregation). A file with several runs (a sweep)
 * becomes an experiment: `manifest.json`, `runs/<run_id>/…` and `summary.csv`. Built in memory here;
 * the CLI writes them (kernel/runtime/cli-export.ts).
 */
import type { IndexMap } from "../engine/precondition/objective";
import { healthArrays } from "./health-artifacts";
import { npzBytes, type NpyArray } from "./npz";
import type { NfrunReader } from "./reader";
import type { RunContext } from "./reader-types";
import { layerSeries, scalarSeries, testSeries, thetaSeries, updateRatios } from "./series";

export interface ArtifactOptions {
  /** θ[t] is left out of trace.npz (and meta.json says why) when (T + 1) × W × 8 bytes exceeds this. */
  readonly maxThetaBytes?: number;
}

export const DEFAULT_MAX_THETA_BYTES = 512 * 2 ** 20;

/** Relative path → content. */
export type Artifacts = Map<string, Uint8Array | string>;

export interface RunSummary {
  readonly run_id: string;
  readonly status: string;
  readonly optimizer: string;
  readonly lr: number | null;
  readonly commits: number;
  readonly epochs: number;
  readonly samples_seen: number;
  readonly final_loss: number | null;
  readonly min_loss: number | null;
  readonly min_loss_t: number | null;
  readonly final_grad_norm: number | null;
  readonly seconds: number | null;
}

/** θ's slices by neuron: `layer<l>.neuron<j>`, components w0 … w(n−1), bias. */
export function networkIndexMap(ctx: RunContext): IndexMap {
  return ctx.layers.flatMap((l) =>
    Array.from({ length: l.units }, (_, j) => ({
      name: `layer${l.layer}.neuron${j}`,
      offset: l.offset + j * (l.inputs + 1),
      size: l.inputs + 1,
      components: [...Array.from({ length: l.inputs }, (_, k) => `w${k}`), "bias"],
    })),
  );
}

const finiteOrNull = (v: number | undefined): number | null => (v !== undefined && Number.isFinite(v) ? v : null);

function summaryOf(ctx: RunContext, loss: Float64Array, gradNorm: Float64Array, t: Int32Array): RunSummary {
  let min = -1;
  for (let k = 0; k < loss.length; k++) if (Number.isFinite(loss[k]!) && (min < 0 || loss[k]! < loss[min]!)) min = k;
  const i = ctx.info;
  return {
    run_id: i.runId,
    status: i.status,
    optimizer: i.strategy.id,
    lr: typeof i.hyperparameters.lr === "number" ? i.hyperparameters.lr : null,
    commits: i.commits,
    epochs: i.epochsDone,
    samples_seen: i.samplesSeen,
    final_loss: finiteOrNull(i.finalLoss ?? undefined),
    min_loss: min >= 0 ? loss[min]! : null,
    min_loss_t: min >= 0 ? t[min]! : null,
    final_grad_norm: finiteOrNull(gradNorm[gradNorm.length - 1]),
    seconds: i.seconds,
  };
}

/** One run's trace.npz, meta.json and summary.json, under `prefix`. */
async function runArtifacts(r: NfrunReader, runId: string, options: ArtifactOptions, out: Artifacts, prefix: string): Promise<RunSummary> {
  const ctx = r.context(runId);
  const s = scalarSeries(r, runId);
  const T = s.t.length;
  const W = ctx.info.weightCount;
  const arrays: Record<string, NpyArray> = {
    t: { data: s.t, shape: [T] },
    epoch: { data: s.epoch, shape: [T] },
    loss: { data: s.loss, shape: [T] },
    lr_scale: { data: s.lrScale, shape: [T] },
    grad_norm: { data: s.gradNorm, shape: [T] },
    step_norm: { data: s.stepNorm, shape: [T] },
  };
  const described: Record<string, string> = {
    t: "commit timestep t (1 … T) of row k of every per-commit array",
    epoch: "epoch of each commit",
    loss: "mean loss of the commit's batch",
    lr_scale: "learning-rate schedule factor at each commit",
    grad_norm: "‖batch-average gradient‖₂ at each commit",
    step_norm: "‖adjustment‖₂ at each commit",
  };
  // The test split's metrics, one row per evaluated epoch (schema 5; none without a test split).
  const test = testSeries(r, runId);
  const E = test.epoch.length;
  if (E > 0) {
    Object.assign(arrays, {
      test_epoch: { data: test.epoch, shape: [E] },
      test_t: { data: test.t, shape: [E] },
      test_loss: { data: test.loss, shape: [E] },
      test_accuracy: { data: test.accuracy, shape: [E] },
    });
    Object.assign(described, {
      test_epoch: "epoch of each test-split evaluation (one row per epoch)",
      test_t: "the commit after which the test split was evaluated (the epoch's last)",
      test_loss: "mean loss over the test split's samples after that epoch",
      test_accuracy: "accuracy over the test split after that epoch (NaN for a regression loss)",
    });
  }
  const maxTheta = options.maxThetaBytes ?? DEFAULT_MAX_THETA_BYTES;
  let theta: { included: boolean; reason: string | null } = { included: false, reason: null };
  const thetaBytes = (T + 1) * W * 8;
  if (thetaBytes > maxTheta) {
    theta.reason = `(T + 1) × W × 8 = ${thetaBytes} bytes exceeds the limit of ${maxTheta} (--max-theta-mb)`;
  } else {
    const all = thetaSeries(r, runId);
    if ("kind" in all) theta.reason = all.reason;
    else {
      theta = { included: true, reason: null };
      arrays.theta = { data: all.values, shape: [T + 1, W] };
      described.theta = "θ[t] for t = 0 … T (row 0: the initial weights), in the flat order of meta.index_map";
      const ratios = new Float64Array(T * ctx.layers.length);
      for (const l of ctx.layers) {
        const series = layerSeries(r, runId, l.layer);
        if ("kind" in series) continue;
        updateRatios(series).forEach((v, k) => (ratios[k * ctx.layers.length + l.layer] = v));
      }
      arrays.update_ratio = { data: ratios, shape: [T, ctx.layers.length] };
      described.update_ratio = "per commit and layer: ‖θ_l[t] − θ_l[t−1]‖ / ‖θ_l[t−1]‖";
    }
  }
  const health = healthArrays(r, runId);
  Object.assign(arrays, health.arrays);
  Object.assign(described, health.described);
  out.set(`${prefix}trace.npz`, await npzBytes(arrays));
  const info = ctx.info;
  const config = r.config(runId);
  const meta = {
    format: "neuroforge-run-artifacts",
    version: 1,
    run_id: info.runId,
    created_at: info.createdAt,
    engine_version: info.engineVersion,
    status: info.status,
    seed: info.seed,
    config_hash: info.configHash,
    config: config.config,
    loss: info.loss,
    batch_size: info.batchSize,
    optimizer: { id: info.strategy.id, name: info.strategy.name, formula: info.strategy.formula, audit_columns: info.strategy.auditColumns, hyperparameters: info.hyperparameters },
    layers: info.layers,
    theta_space: "primitive",
    index_map: networkIndexMap(ctx),
    theta,
    arrays: Object.fromEntries(Object.entries(arrays).map(([name, a]) => [name, { shape: a.shape, dtype: a.data instanceof Float64Array ? "float64" : "int32", description: described[name] }])),
    not_recorded: E > 0 ? [] : ["test loss and accuracy per epoch: the run has no test split"],
  };
  out.set(`${prefix}meta.json`, JSON.stringify(meta, null, 2) + "\n");
  const summary = summaryOf(ctx, s.loss, s.gradNorm, s.t);
  out.set(`${prefix}summary.json`, JSON.stringify(summary, null, 2) + "\n");
  return summary;
}

const csvCell = (v: unknown): string => {
  const s = v === null || v === undefined ? "" : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
};

/** `runs/<run_id>`, or `runs/run-<k>` when the id (read from the file) is not a plain name. */
function runDirectory(id: string, k: number): string {
  return /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}$/.test(id) ? `runs/${id}` : `runs/run-${k}`;
}

/** Every run of the file as artifacts: one run at the top level, several as an experiment. */
export async function runFileArtifacts(r: NfrunReader, source: string, options: ArtifactOptions = {}): Promise<Artifacts> {
  const out: Artifacts = new Map();
  const ids = r.runIds();
  if (ids.length === 0) throw r.bad("the file holds no runs");
  if (ids.length === 1) {
    await runArtifacts(r, ids[0]!, options, out, "");
    return out;
  }
  const summaries: RunSummary[] = [];
  const dirs = ids.map(runDirectory);
  for (let k = 0; k < ids.length; k++) summaries.push(await runArtifacts(r, ids[k]!, options, out, `${dirs[k]}/`));
  out.set("manifest.json", JSON.stringify({ format: "neuroforge-experiment", version: 1, source, runs: ids.map((id, k) => ({ run_id: id, dir: dirs[k] })) }, null, 2) + "\n");
  const keys = Object.keys(summaries[0]!) as (keyof RunSummary)[];
  out.set("summary.csv", [keys.join(","), ...summaries.map((s) => keys.map((k) => csvCell(s[k])).join(","))].join("\n") + "\n");
  return out;
}
