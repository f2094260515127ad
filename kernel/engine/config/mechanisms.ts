import { z } from "zod";
import type { ScheduleSpec } from "../schedules";
import { ExperimentConfigError, problemsFromZod, unknownName, type ConfigProblem } from "./errors";

/**
 * The training mechanisms around the optimizer (schedulers, Lookahead, clipping, accumulation,
 * parameter groups, precision), and the seed-contract spellings of their keys.
 *
 * Seed 002 writes these keys inside `optimizer:` (`optimizer.lookahead`, `optimizer.clip_grad_norm`,
 * `optimizer.accumulate_steps`, `optimizer.auto_param_groups`, `optimizer.warmup_steps`, …). Both
 * spellings are accepted; the resolved experiment keeps each in one place (`optimizer` then holds only
 * the strategy and its hyperparameters):
 *   optimizer.lookahead         → lookahead
 *   optimizer.auto_param_groups → auto_param_groups
 *   optimizer.clip_grad_norm    → training.clip_grad_norm
 *   optimizer.accumulate_steps  → training.accumulate_steps
 *   optimizer.warmup_steps      → scheduler.warmup_steps (a hint: scheduler.warmup_steps wins when both are given)
 *   optimizer.detect_anomaly    → detect_anomaly
 *   optimizer.export_json       → export.config
 */
export const SEED_MOVES: readonly (readonly [from: string, to: string])[] = [
  ["optimizer.lookahead", "lookahead"],
  ["optimizer.auto_param_groups", "auto_param_groups"],
  ["optimizer.clip_grad_norm", "training.clip_grad_norm"],
  ["optimizer.accumulate_steps", "training.accumulate_steps"],
  ["optimizer.warmup_steps", "scheduler.warmup_steps"],
  ["optimizer.detect_anomaly", "detect_anomaly"],
  ["optimizer.export_json", "export.config"],
];

/**
 * Keys about hardware precision and kernels that ask for something this float64 TypeScript engine
 * cannot do. `false` asks for what the engine does anyway and is accepted (and dropped); `true` is
 * rejected with the reason. Accepted at the top level and inside `optimizer`.
 */
export const PRECISION_KEYS: Readonly<Record<string, string>> = {
  amp: "automatic mixed precision (float16 autocast) is not supported: the engine computes in float64 so every audited number is exact",
  bf16: "bfloat16 is not supported: the engine computes in float64 (precision: float64)",
  fused: "there are no fused kernels: every weight is stepped by the strategy's own step function so the audit can show each value",
};

/**
 * Seed 002 keys that are hints or diagnostics with no effect here. They appear in the seed's own
 * templates, which must train unedited, so `true` is accepted with one warning saying why (and `false`
 * silently); the key is dropped. Accepted at the top level and inside `optimizer`.
 */
export const NO_EFFECT_KEYS: Readonly<Record<string, string>> = {
  bf16_preferred: "no effect: the engine computes in float64 only (a preference for bfloat16 cannot apply)",
  precision_safe: "no effect: the engine computes in float64, without AMP or bf16 to be safe for",
  log_config: "no effect: `neuroforge train` always prints the resolved experiment (--quiet hides it)",
  rich_console: "no effect: the CLI picks a progress bar on a terminal and plain lines otherwise",
  hash_to_debuglog: "no effect: use export.audit_log: <path> (or --audit-log <path>) to log the config hash and optimizer settings",
};

/**
 * Seed 002's default `no_decay_patterns` (§2). Most name normalization layers, which this engine does
 * not have: given exactly this list, patterns that match no parameter are dropped with a warning
 * instead of the error a misspelt pattern of one's own gets.
 */
export const SEED_NO_DECAY_PATTERNS: readonly string[] = ["bias", "LayerNorm.weight", "layer_norm.weight", "ln", "norm", "bn", "BatchNorm.weight"];

/** Whether `patterns` is the seed's default list (in any order). */
export function isSeedNoDecayList(patterns: readonly string[]): boolean {
  return patterns.length === SEED_NO_DECAY_PATTERNS.length && SEED_NO_DECAY_PATTERNS.every((p) => patterns.includes(p));
}

export const PRECISIONS = ["float64"] as const;

export interface Normalized {
  readonly raw: Record<string, unknown>;
  /** Resolved-location prefix → the prefix the user wrote (for error messages). */
  readonly renames: ReadonlyMap<string, string>;
  /** `optimizer.scheduler_hook: false`: the scheduler is not attached (constant rate). */
  readonly schedulerHook: boolean;
  /** Keys accepted with no effect (NO_EFFECT_KEYS), one warning each, named as the user wrote them. */
  readonly warnings: readonly ConfigProblem[];
}

const isMapping = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * Moves the seed spellings to their resolved places, drops `false` precision keys, rejects `true`
 * ones and the diagnostics keys. Works on a copy; throws an ExperimentConfigError naming the key.
 */
export function normalizeSeedKeys(raw: Record<string, unknown>, file: string | undefined): Normalized {
  const out: Record<string, unknown> = { ...raw };
  const renames = new Map<string, string>();
  let schedulerHook = true;
  const warnings: ConfigProblem[] = [];
  const checkFlags = (obj: Record<string, unknown>, prefix: string) => {
    for (const [key, why] of [...Object.entries(PRECISION_KEYS), ...Object.entries(NO_EFFECT_KEYS)]) {
      if (!(key in obj)) continue;
      const field = prefix ? `${prefix}.${key}` : key;
      const v = obj[key];
      if (typeof v !== "boolean") throw new ExperimentConfigError(field, `expected true or false, got ${JSON.stringify(v)}`, file);
      if (v && key in PRECISION_KEYS) throw new ExperimentConfigError(field, why, file);
      if (v) warnings.push({ field, message: why, ...(file === undefined ? {} : { file }) });
      delete obj[key];
    }
  };
  checkFlags(out, "");
  if (isMapping(out.optimizer)) {
    const opt: Record<string, unknown> = { ...out.optimizer };
    out.optimizer = opt;
    checkFlags(opt, "optimizer");
    if ("scheduler_hook" in opt) {
      const v = opt.scheduler_hook;
      if (typeof v !== "boolean") throw new ExperimentConfigError("optimizer.scheduler_hook", `expected true or false, got ${JSON.stringify(v)}`, file);
      schedulerHook = v;
      delete opt.scheduler_hook;
    }
    for (const [from, to] of SEED_MOVES) {
      const key = from.slice("optimizer.".length);
      if (!(key in opt)) continue;
      const value = opt[key];
      delete opt[key];
      const parts = to.split(".");
      if (parts.length === 1) {
        if (to in out) throw new ExperimentConfigError(from, `also given as ${to}; give it once`, file);
        out[to] = value;
      } else {
        const [section, leaf] = parts as [string, string];
        const current = out[section];
        if (current !== undefined && !isMapping(current)) continue; // the schema reports the section
        const copy: Record<string, unknown> = { ...(current ?? {}) };
        if (leaf in copy && from === "optimizer.warmup_steps") continue; // the scheduler's own value wins
        if (leaf in copy) throw new ExperimentConfigError(from, `also given as ${to}; give it once`, file);
        copy[leaf] = value;
        out[section] = copy;
      }
      renames.set(to, from);
    }
  }
  return { raw: out, renames, schedulerHook, warnings };
}

/** Rewrites a field in the resolved location back to what the user wrote (`lookahead.k` → `optimizer.lookahead.k`). */
export function renameField(field: string, renames: ReadonlyMap<string, string>): string {
  for (const [to, from] of renames) {
    if (field === to || field.startsWith(`${to}.`) || field.startsWith(`${to}[`)) return from + field.slice(to.length);
  }
  return field;
}

export function renameError(error: ExperimentConfigError, renames: ReadonlyMap<string, string>): ExperimentConfigError {
  if (renames.size === 0) return error;
  const problems: ConfigProblem[] = error.problems.map((p) => ({ field: renameField(p.field, renames), message: p.message }));
  return new ExperimentConfigError(renameField(error.field, renames), error.detail, error.file, problems);
}

// ---- precision ------------------------------------------------------------------------------------

export function resolvePrecision(value: unknown, file: string | undefined): "float64" {
  if (value === undefined || value === "float64" || value === "fp64" || value === 64) return "float64";
  if (value === "float32" || value === "fp32" || value === 32) {
    throw new ExperimentConfigError("precision", "float32 is not supported: the engine computes in float64 (every audited value is a double)", file);
  }
  if (typeof value === "string" && /^(b?f(loat)?16|bfloat16|half|mixed|amp)/i.test(value)) {
    throw new ExperimentConfigError("precision", `${value} is not supported: the engine computes in float64, without mixed precision`, file);
  }
  throw new ExperimentConfigError("precision", unknownName("precision", value, [...PRECISIONS]), file);
}

// ---- Lookahead, parameter groups --------------------------------------------------------------------

export const lookaheadSchema = z.strictObject({
  enabled: z.boolean().default(false),
  /** Slow step size α (optax default 0.5). */
  alpha: z.number().min(0).max(1).default(0.5),
  /** Sync period k (the seed's default 6; optax's 5). */
  k: z.int().min(1).default(6),
});

export const autoParamGroupsSchema = z.strictObject({
  enabled: z.boolean().default(false),
  /** Parameter-name patterns, matched on dot boundaries (kernel/engine/param-groups.ts). */
  no_decay_patterns: z.array(z.string().min(1)).default(["bias"]),
  /** weight_decay of the matching parameters (0: none). */
  override_no_decay_weight: z.number().min(0).default(0),
});

// ---- schedulers -----------------------------------------------------------------------------------

export interface ResolvedScheduler {
  readonly name: "constant" | "step" | "exponential" | "cosine" | "onecycle";
  /** Linear warmup over the first commits: factor min(1, t / warmup_steps); 0 = none. */
  readonly warmup_steps: number;
  readonly [option: string]: string | number;
}

const per = z.enum(["epoch", "step"]);
const positive = z.number().gt(0);
const warmup = z.int().min(0).default(0);

const schedulerSchemas = {
  constant: z.strictObject({ name: z.string(), warmup_steps: warmup }),
  step: z.strictObject({ name: z.string(), step_size: z.int().min(1), gamma: positive.default(0.1), per: per.default("epoch"), warmup_steps: warmup }),
  exponential: z.strictObject({ name: z.string(), gamma: positive, per: per.default("epoch"), warmup_steps: warmup }),
  cosine: z.strictObject({ name: z.string(), t_max: z.int().min(1).optional(), min_lr: z.number().min(0).default(0), per: per.default("epoch"), warmup_steps: warmup }),
  onecycle: z.strictObject({
    name: z.string(),
    max_lr: positive.optional(),
    total_steps: z.int().min(2).optional(),
    pct_start: z.number().gt(0).lt(1).default(0.3),
    div_factor: positive.default(25),
    final_div_factor: positive.default(1e4),
    warmup_steps: warmup,
  }),
} as const;

export const schedulerNames = Object.keys(schedulerSchemas) as ResolvedScheduler["name"][];
/** Other names accepted for a scheduler (torch class names and the seed's "none"). */
const schedulerAliases: Readonly<Record<string, ResolvedScheduler["name"]>> = {
  none: "constant",
  constantlr: "constant",
  steplr: "step",
  exponentiallr: "exponential",
  cosineannealinglr: "cosine",
  onecyclelr: "onecycle",
};

export interface RunShape {
  readonly epochs: number;
  readonly commitsPerEpoch: number;
  /** The optimizer's base learning rate. */
  readonly lr: number;
}

/**
 * `scheduler:` → every option filled in. Defaults that depend on the run: cosine `t_max` = the run's
 * length in its `per` unit (epochs, or commits); onecycle `max_lr` = optimizer.lr and `total_steps` =
 * every commit of the run.
 */
export function resolveScheduler(input: unknown, run: RunShape, file: string | undefined): ResolvedScheduler {
  if (input === undefined) return { name: "constant", warmup_steps: 0 };
  if (!isMapping(input)) throw new ExperimentConfigError("scheduler", "expected a mapping with a name (constant, step, exponential, cosine, onecycle)", file);
  const given = input.name ?? "constant";
  if (typeof given !== "string") throw new ExperimentConfigError("scheduler.name", `expected a string, got ${JSON.stringify(given)}`, file);
  const name = (schedulerNames as string[]).includes(given) ? (given as ResolvedScheduler["name"]) : schedulerAliases[given.toLowerCase()];
  if (!name) throw new ExperimentConfigError("scheduler.name", unknownName("scheduler", given, schedulerNames), file);
  const schema = schedulerSchemas[name] as z.ZodType;
  const parsed = schema.safeParse({ ...input, name }, { reportInput: true });
  if (!parsed.success) {
    const problems = problemsFromZod(schema, parsed.error.issues, "scheduler");
    throw new ExperimentConfigError(problems[0]!.field, problems[0]!.message, file, problems);
  }
  const s = parsed.data as Record<string, string | number | undefined>;
  const totalCommits = run.epochs * run.commitsPerEpoch;
  const out: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(s)) if (v !== undefined) out[k] = v;
  out.name = name;
  if (name === "cosine" && s.t_max === undefined) out.t_max = s.per === "step" ? totalCommits : run.epochs;
  if (name === "onecycle") {
    if (s.max_lr === undefined) out.max_lr = run.lr;
    if (s.total_steps === undefined) out.total_steps = Math.max(2, totalCommits);
    // The warm-up ends at step pct_start·total_steps − 1; at 0 the first step's rate is 0/0 (torch divides by zero there).
    const total = out.total_steps as number;
    if ((out.pct_start as number) * total - 1 === 0) {
      throw new ExperimentConfigError(
        "scheduler.pct_start",
        `pct_start ${out.pct_start} × total_steps ${total} = 1 ends the warm-up at step 0, where the learning rate would be 0/0; choose pct_start so that pct_start × total_steps ≠ 1`,
        file,
      );
    }
  }
  const resolved = out as ResolvedScheduler;
  if ((name !== "constant" || resolved.warmup_steps > 0) && !(run.lr > 0)) {
    throw new ExperimentConfigError("scheduler", "a schedule scales optimizer.lr, which is 0", file);
  }
  return resolved;
}

/** The engine's ScheduleSpec for a resolved scheduler. */
export function scheduleSpec(s: ResolvedScheduler): ScheduleSpec {
  const { warmup_steps: _w, ...spec } = s;
  return spec as unknown as ScheduleSpec;
}
