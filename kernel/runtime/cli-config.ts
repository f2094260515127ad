import { appendFileSync, existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { loadComposedExperiment, type Composed } from "../engine/config/compose";
import type { Resolution, ResolvedExperiment } from "../engine/config/experiment";
import { sweepLabel } from "../engine/config/sweep";
import type { ResolvedSweep, SweepMember } from "../engine/sweep/design";
import { makeDirectories } from "./files";

/** One run of `neuroforge train`: its overrides, resolved before anything runs. */
export interface RunPlan {
  readonly overrides: readonly string[];
  /** The overrides that differ between the runs of a multirun ("" for a single run). */
  readonly label: string;
  readonly resolution: Resolution & { composed: Composed };
  /** In a designed sweep: the member this run is, and the whole sweep. */
  readonly member?: SweepMember;
  readonly sweep?: ResolvedSweep;
}

export function planRun(path: string, overrides: readonly string[], all: readonly string[][], configDir?: string): RunPlan {
  const resolution = loadComposedExperiment(path, overrides, configDir === undefined ? {} : { configDir });
  return { overrides, label: all.length > 1 ? sweepLabel(overrides, all) : "", resolution };
}

const num = (v: unknown): string => (typeof v === "number" ? String(v) : v === undefined ? "—" : String(v));

/**
 * The markdown block `--audit-log` appends (seed 002 §5): time, config hash, optimizer, learning
 * rate, weight decay, betas/momentum, schedule, mechanisms, overrides and how the run ended.
 */
export function auditBlock(
  e: ResolvedExperiment,
  hash: string,
  overrides: readonly string[],
  status: string,
  loss: number,
  runId?: string,
): string {
  const o = e.optimizer;
  const betas = o.beta1 !== undefined ? `[${num(o.beta1)}, ${num(o.beta2)}]` : undefined;
  const momentum = o.momentum !== undefined ? num(o.momentum) + (o.nesterov === true ? " (nesterov)" : "") : undefined;
  const { name: sched, warmup_steps, ...schedOptions } = e.scheduler;
  const rows: [string, string][] = [
    ["time", new Date().toISOString()],
    ["config sha256", `\`${hash}\``],
    ["experiment", e.name],
    ["overrides", overrides.length ? `\`${overrides.join(" ")}\`` : "—"],
    ["optimizer", o.name],
    ["lr", num(o.lr)],
    ["weight decay", num(o.weight_decay)],
    ...(betas ? ([["betas", betas]] as [string, string][]) : []),
    ...(momentum ? ([["momentum", momentum]] as [string, string][]) : []),
    ["scheduler", `${sched}${Object.keys(schedOptions).length ? ` (${Object.entries(schedOptions).map(([k, v]) => `${k} ${v}`).join(", ")})` : ""}, warmup ${warmup_steps}`],
    ["lookahead", e.lookahead.enabled ? `k ${e.lookahead.k}, α ${e.lookahead.alpha}` : "off"],
    ["clip_grad_norm", e.training.clip_grad_norm > 0 ? String(e.training.clip_grad_norm) : "off"],
    ["batch", `${e.training.batch_size} × ${e.training.accumulate_steps} micro-batches`],
    ["no-decay groups", e.auto_param_groups.enabled ? e.auto_param_groups.no_decay_patterns.join(", ") : "off"],
    ["precision", e.precision],
    ["result", `${status}${Number.isFinite(loss) ? `, final loss ${loss}` : ""}${runId ? `, run ${runId}` : ""}`],
  ];
  return [`## ${e.name} — ${hash.slice(0, 12)}`, "", "| key | value |", "|---|---|", ...rows.map(([k, v]) => `| ${k} | ${v.replace(/\|/g, "\\|")} |`), "", ""].join("\n");
}

export function appendAuditLog(path: string, block: string): void {
  const target = resolve(path);
  makeDirectories(dirname(target));
  appendFileSync(target, existsSync(target) ? block : `# NeuroForge audit log\n\n${block}`);
}

