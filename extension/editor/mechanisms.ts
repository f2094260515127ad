/**
 * The mechanisms a run used, named for the .nfrun editor's header (no `vscode` import: unit-tested in
 * plain Node): the learning-rate schedule, Lookahead, clipping, gradient accumulation, parameter groups
 * (from the run's stored config: an experiment's resolved keys, or what the recorder derived from the
 * trainer) and the recording policy. A run whose config names no schedule (a notebook's trainer takes a
 * schedule function) shows the lr factor it recorded at every commit instead.
 */
import { runMechanisms } from "../../kernel/record/mechanisms";
import type { RecordingPolicy } from "../../kernel/record/policy";
import type { Mechanism } from "../../webviews/shared/messages";

const isMapping = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
const short = (x: number) => String(Number(x.toPrecision(4)));

function schedule(config: Record<string, unknown>, lrScale: ArrayLike<number>): string {
  const s = config.scheduler;
  if (isMapping(s) && typeof s.name === "string") {
    const options = Object.entries(s)
      .filter(([k]) => k !== "name" && k !== "warmup_steps")
      .map(([k, v]) => `${k}=${String(v)}`);
    const warmup = typeof s.warmup_steps === "number" && s.warmup_steps > 0 ? `, linear warmup over ${s.warmup_steps} commits` : "";
    return `${s.name}${options.length ? ` (${options.join(", ")})` : ""}${warmup}`;
  }
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < lrScale.length; i++) {
    const f = lrScale[i]!;
    if (!Number.isFinite(f)) continue;
    min = Math.min(min, f);
    max = Math.max(max, f);
  }
  if (min > max) return "none recorded (no commits)";
  if (min === 1 && max === 1) return "constant (lr × 1 at every commit)";
  return `lr × ${short(min)} … ${short(max)} over the run (a schedule function: the run file keeps its factor per commit, not its form)`;
}

function accumulation(config: Record<string, unknown>): string {
  const steps = isMapping(config.training) ? config.training.accumulate_steps : undefined;
  if (typeof steps !== "number") return "not in the stored config";
  const batch = isMapping(config.training) ? config.training.batch_size : undefined;
  if (steps <= 1) return "off (one micro-batch per commit)";
  return `${steps} micro-batches${typeof batch === "number" ? ` of ${batch}` : ""} per commit`;
}

function recording(policy: unknown): string {
  const p = (isMapping(policy) ? policy : {}) as RecordingPolicy;
  const e = p.epochs ?? "all";
  const epochs =
    e === "all"
      ? "every epoch"
      : [e.first !== undefined ? `the first ${e.first} epochs` : "", e.every !== undefined ? `every ${e.every} epochs from epoch 0` : "", e.last ? "the last epoch" : ""].filter(Boolean).join(", ") || "no epoch";
  const parts = [...(p.layers ?? []).map((l) => `layer ${l}`), ...(p.neurons ?? []).map((n) => `layer ${n.layer} neuron ${n.neuron}`)];
  return `${epochs}; ${parts.length ? parts.join(", ") : "every neuron"}`;
}

/** The run's mechanisms, in the order the header shows them. */
export function mechanismsOf(config: unknown, lrScale: ArrayLike<number>, policy: unknown): Mechanism[] {
  const c = isMapping(config) ? config : {};
  const m = runMechanisms(c);
  return [
    { name: "schedule", value: schedule(c, lrScale) },
    { name: "lookahead", value: m.lookahead ? `k=${m.lookahead.k}, α=${m.lookahead.alpha}` : "off" },
    { name: "clipping", value: m.clip > 0 ? `global gradient norm ≤ ${m.clip}` : "off" },
    { name: "accumulation", value: accumulation(c) },
    { name: "param groups", value: m.noDecay ? `no decay for ${m.noDecay.patterns.join(", ")} (weight_decay ${m.noDecay.weightDecay})` : "off" },
    { name: "recording", value: recording(policy) },
  ];
}
