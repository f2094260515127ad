import { readFileSync } from "node:fs";
import { basename, extname } from "node:path";
import type { ActivationName } from "../activations";
import type { Dataset } from "../datasets/dataset";
import type { InitializerName } from "../initializers";
import type { LossName } from "../losses";
import type { ScalerKind } from "../scalers";
import type { HealthOptions } from "../health/monitor";
import type { NonfinitePolicy } from "../health/sanitize";
import type { LifecycleOptions } from "../lifecycle/options";
import { Model } from "../model";
import { resolveHyperparameters } from "../optimizers/hyperparameters";
import { getStrategy, strategyIds } from "../optimizers/registry";
import type { HyperValue } from "../optimizers/strategy";
import { scheduleFactor } from "../schedules";
import { Trainer } from "../trainer";
import { loadWeightsInto, type WeightsFile } from "../weights-json";
import { isCsvData, loadData, resolveConfigPath, resolveData, rethrowWithField, splitData, type ConfigContext, type ResolvedData } from "./data";
import { asExperimentError, ExperimentConfigError, problemsFromZod, unknownName, type ConfigProblem } from "./errors";
import { isSeedNoDecayList, normalizeSeedKeys, renameError, renameField, resolvePrecision, resolveScheduler, scheduleSpec, type ResolvedScheduler } from "./mechanisms";
import { parameterNames, patternMatches } from "../param-groups";
import { resolveExportPath } from "./export-paths";
import { readExperimentFile, type RawExperiment } from "./parse";
import { healthOptions, lifecycleOptions, type HealthConfig, type LifecycleConfig } from "./lifecycle";
import { experimentSchema } from "./schema";

/**
 * An experiment with every default filled in and every name checked: plain JSON data (no undefined,
 * no typed arrays), stored with a run and hashed. Paths are absolute. Feeding a ResolvedExperiment
 * back through `resolveExperiment` gives the same ResolvedExperiment.
 *
 * The three steps stay separate so composition can slot in between them later:
 *   parse   (file → raw object)            ./parse      readExperimentFile
 *   resolve (raw object → ResolvedExperiment) this file resolveExperiment
 *   build   (ResolvedExperiment → model, data, trainer) ./build buildExperiment
 */
export interface ResolvedExperiment {
  readonly name: string;
  /** Seeds the initializer and the shuffling (the data has its own `data.seed`). */
  readonly seed: number;
  /** Always float64 (the only precision the engine computes in). */
  readonly precision: "float64";
  readonly model: {
    readonly inputs: number;
    readonly layers: readonly { readonly units: number; readonly activation: ActivationName }[];
    readonly init: { readonly name: InitializerName; readonly value?: number };
    /** Initial weights JSON; when given it replaces the initializer. */
    readonly weights?: string;
  };
  readonly data: ResolvedData;
  readonly scale: { readonly inputs: ScalerKind; readonly targets: ScalerKind };
  readonly loss: LossName;
  readonly optimizer: { readonly name: string; readonly [hyperparameter: string]: HyperValue | string };
  /** Learning-rate schedule (constant unless asked), with linear warmup over `warmup_steps` commits. */
  readonly scheduler: ResolvedScheduler;
  /** Lookahead(k, α) around the optimizer. */
  readonly lookahead: { readonly enabled: boolean; readonly alpha: number; readonly k: number };
  /** Parameters matching a pattern get weight_decay = override_no_decay_weight (when enabled). */
  readonly auto_param_groups: {
    readonly enabled: boolean;
    readonly no_decay_patterns: readonly string[];
    readonly override_no_decay_weight: number;
  };
  /** Neuron lifecycle and health, as the user wrote them (absent: off; the engine fills defaults). */
  readonly lifecycle?: LifecycleConfig;
  readonly health?: HealthConfig;
  readonly training: {
    /** Samples per micro-batch. */
    readonly batch_size: number;
    readonly epochs: number;
    readonly shuffle: boolean;
    /** Micro-batches per commit (samples per commit = batch_size × accumulate_steps). */
    readonly accumulate_steps: number;
    /** Global-norm clipping threshold (0: off). */
    readonly clip_grad_norm: number;
  };
  readonly export?: { readonly weights?: string; readonly config?: string; readonly audit_log?: string };
}

/** A resolved experiment plus what resolving it had to load anyway (so building needn't load it twice). */
export interface Resolution {
  readonly experiment: ResolvedExperiment;
  /** The data, loaded and unscaled. */
  readonly dataset: Dataset;
  /** The config file it came from, if any. */
  readonly file?: string;
  /** Keys accepted with no effect here, and seed default patterns dropped; each names its field. */
  readonly warnings: readonly ConfigProblem[];
}

/** Initializers that take a `value`, and its default (see initializers.ts). */
export const initializerValueDefaults: Readonly<Partial<Record<InitializerName, number>>> = {
  constant: 0,
  uniform: 0.5,
  normal: 0.1,
};

/** Reads, validates and resolves an experiment file (steps 1 and 2). */
export function loadExperiment(path: string): Resolution {
  return resolveExperiment(readExperimentFile(path));
}

/**
 * Step 2: raw object → ResolvedExperiment. Throws an ExperimentConfigError naming the dotted field
 * and the file on the first problem (all problems of the schema pass are in `problems`).
 */
export function resolveExperiment(source: RawExperiment): Resolution {
  const { raw: given, file } = source;
  if (given === null || typeof given !== "object" || Array.isArray(given)) {
    throw new ExperimentConfigError("", "expected a mapping of experiment settings (name, model, data, loss, optimizer, training)", file);
  }
  const normalized = normalizeSeedKeys(given as Record<string, unknown>, file);
  try {
    const resolution = resolveNormalized(source, normalized.raw, normalized.schedulerHook);
    const warnings = [...normalized.warnings, ...resolution.warnings.map((w) => ({ ...w, field: renameField(w.field, normalized.renames) }))];
    return { ...resolution, warnings };
  } catch (error) {
    if (error instanceof ExperimentConfigError) throw renameError(error, normalized.renames);
    throw error;
  }
}

/** Optimizer keys that are not hyperparameters: the torch class name (checked) and torch's betas pair. */
function optimizerExtras(
  optimizer: Record<string, unknown>,
  strategyName: string,
  file: string | undefined,
): Record<string, unknown> {
  const { name: _name, type, betas, ...given } = optimizer;
  if (type !== undefined) {
    if (typeof type !== "string") throw new ExperimentConfigError("optimizer.type", `expected a string, got ${JSON.stringify(type)}`, file);
    if (type.toLowerCase() !== strategyName.toLowerCase()) {
      throw new ExperimentConfigError("optimizer.type", `'${type}' does not match optimizer.name (${strategyName}); give the name only, or the matching type`, file);
    }
  }
  if (betas !== undefined) {
    if (!Array.isArray(betas) || betas.length !== 2 || !betas.every((b) => typeof b === "number")) {
      throw new ExperimentConfigError("optimizer.betas", `expected a list of two numbers [β₁, β₂], got ${JSON.stringify(betas)}`, file);
    }
    for (const k of ["beta1", "beta2"]) {
      if (k in given) throw new ExperimentConfigError("optimizer.betas", `also given as optimizer.${k}; give one spelling`, file);
    }
    given.beta1 = betas[0];
    given.beta2 = betas[1];
  }
  return given;
}

function resolveNormalized(source: RawExperiment, raw: Record<string, unknown>, schedulerHook: boolean): Resolution {
  const { file } = source;
  const ctx: ConfigContext = { file, baseDir: source.baseDir };
  const parsed = experimentSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) {
    const problems = problemsFromZod(experimentSchema, parsed.error.issues);
    throw new ExperimentConfigError(problems[0]!.field, problems[0]!.message, file, problems);
  }
  const c = parsed.data;

  // Optimizer: strategy id, then its hyperparameters (unknown / wrong type / out of range / required).
  const precision = resolvePrecision(c.precision, file);
  const optimizerName = c.optimizer.name;
  if (!strategyIds.includes(optimizerName)) {
    throw new ExperimentConfigError("optimizer.name", unknownName("optimizer", optimizerName, strategyIds), file);
  }
  const given = optimizerExtras(c.optimizer, getStrategy(optimizerName).name, file);
  let hyperparameters: Record<string, HyperValue>;
  try {
    hyperparameters = resolveHyperparameters(getStrategy(optimizerName), given, "optimizer");
  } catch (error) {
    asExperimentError(error, file, "optimizer");
  }

  // Initializer value: only where the initializer uses one; filled with its default there.
  const initName = c.model.init.name as InitializerName;
  const valueDefault = initializerValueDefaults[initName];
  if (valueDefault === undefined && c.model.init.value !== undefined) {
    throw new ExperimentConfigError(
      "model.init.value",
      `not used by ${initName} (only ${Object.keys(initializerValueDefaults).join(", ")} take a value)`,
      file,
    );
  }
  const init = valueDefault === undefined ? { name: initName } : { name: initName, value: c.model.init.value ?? valueDefault };

  // Data: load it now, to infer the model's inputs and check the shapes against it.
  const dataSource = resolveData(c.data, ctx);
  const dataset = loadData(dataSource, ctx);
  // CSV columns: fill the defaults (every non-target column / the last column) from the header.
  const data = withColumns(dataSource, dataset);
  const inputs = c.model.inputs ?? dataset.inputSize;
  if (inputs !== dataset.inputSize) {
    throw new ExperimentConfigError("model.inputs", `is ${inputs} but the data has ${dataset.inputSize} inputs per sample (${dataset.inputNames.join(", ")})`, file);
  }
  const layers = c.model.layers.map((l) => ({ units: l.units, activation: l.activation as ActivationName }));
  const last = layers.length - 1;
  if (layers[last]!.units !== dataset.targetSize) {
    throw new ExperimentConfigError(
      `model.layers[${last}].units`,
      `the output layer has ${layers[last]!.units} units but the data has ${dataset.targetSize} targets per sample (${dataset.targetNames.join(", ")})`,
      file,
    );
  }
  let model: Model;
  try {
    model = new Model({ inputs, layers });
  } catch (error) {
    rethrowWithField(error, file, "model");
  }
  const loss = c.loss as LossName;
  if (loss === "cce" && layers[last]!.activation !== "softmax") {
    throw new ExperimentConfigError("loss", "cce (categorical cross-entropy) needs a softmax output layer", file);
  }

  let weights: string | undefined;
  if (c.model.weights !== undefined) {
    weights = resolveConfigPath(c.model.weights, ctx);
    readWeightsInto(model, weights, file);
  } else {
    // As buildExperiment will: the lifecycle's rebirths draw from the model's initializer.
    model.initialize(init, c.seed);
  }

  // Batches come from the training part of the data (all of it without a test split).
  const trainCount = splitData(data, dataset, { file }).train.count;
  const samples = data.test_fraction === undefined ? `${trainCount}` : `${trainCount} training`;
  const batchSize = c.training.batch_size;
  if (batchSize > trainCount) {
    throw new ExperimentConfigError("training.batch_size", `must be ≤ the number of ${data.test_fraction === undefined ? "samples" : "training samples"} (${trainCount}), got ${batchSize}`, file);
  }
  const accumulate = c.training.accumulate_steps;
  if (batchSize * accumulate > trainCount) {
    throw new ExperimentConfigError(
      "training.accumulate_steps",
      `batch_size × accumulate_steps = ${batchSize * accumulate} samples per commit, more than the ${samples} samples`,
      file,
    );
  }
  const lr = typeof hyperparameters.lr === "number" ? hyperparameters.lr : 0;
  const commitsPerEpoch = Math.ceil(trainCount / (batchSize * accumulate));
  const scheduler = schedulerHook
    ? resolveScheduler(c.scheduler, { epochs: c.training.epochs, commitsPerEpoch, lr }, file)
    : ({ name: "constant", warmup_steps: 0 } as const);
  const lookahead = { enabled: false, alpha: 0.5, k: 6, ...c.lookahead };
  const warnings: ConfigProblem[] = [];
  const groups = { enabled: false, no_decay_patterns: ["bias"], override_no_decay_weight: 0, ...c.auto_param_groups };
  if (groups.enabled && isSeedNoDecayList(groups.no_decay_patterns)) {
    const names = parameterNames(model);
    const unmatched = groups.no_decay_patterns.filter((p) => !names.some((n) => patternMatches(p, n)));
    if (unmatched.length > 0) {
      groups.no_decay_patterns = groups.no_decay_patterns.filter((p) => !unmatched.includes(p));
      warnings.push({
        field: "auto_param_groups.no_decay_patterns",
        message: `seed 002's default list: ${unmatched.map((p) => `'${p}'`).join(", ")} match no parameter of this model (it has no normalization layers; parameters: ${names.join(", ")}), dropped`,
        ...(file === undefined ? {} : { file }),
      });
    }
  }
  const lifecycleBlocks = { ...(c.lifecycle ? { lifecycle: c.lifecycle } : {}), ...(c.health ? { health: c.health } : {}) };

  // Last line of defence: whatever else the engine checks when a trainer is made (activation ×
  // loss pairs, parameter-group patterns, …) is reported here as a config error rather than at build time.
  try {
    new Trainer({
      ...trainerMechanisms({ lookahead, auto_param_groups: groups, training: c.training, ...lifecycleBlocks }),
      model,
      loss,
      strategy: getStrategy(optimizerName),
      hyperparameters,
      batchSize,
      shuffle: c.training.shuffle,
      seed: c.seed,
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const m = /^(loss|batch_size|accumulate_steps|clip_grad_norm|no_decay_patterns[\w.[\]]*|override_no_decay_weight|lookahead[\w.]*|lifecycle[\w.]*|health[\w.]*|model[\w.[\]]*|optimizer[\w.]*): ([\s\S]*)$/.exec(message);
    if (!m) throw new ExperimentConfigError("", message, file);
    const field = m[1]!;
    const mapped = ["batch_size", "accumulate_steps", "clip_grad_norm"].includes(field)
      ? `training.${field}`
      : field.startsWith("no_decay_patterns") || field === "override_no_decay_weight"
        ? `auto_param_groups.${field}`
        : field;
    throw new ExperimentConfigError(mapped, m[2]!, file);
  }

  const exported: { weights?: string; config?: string; audit_log?: string } = {};
  for (const key of ["weights", "config", "audit_log"] as const) {
    const p = c.export?.[key];
    if (p !== undefined) exported[key] = resolveExportPath(key, p, ctx);
  }
  const experiment: ResolvedExperiment = {
    name: c.name ?? (file ? basename(file, extname(file)) : "experiment"),
    seed: c.seed,
    precision,
    model: { inputs, layers, init, ...(weights === undefined ? {} : { weights }) },
    data,
    scale: { inputs: c.scale.inputs as ScalerKind, targets: c.scale.targets as ScalerKind },
    loss,
    optimizer: { name: optimizerName, ...hyperparameters },
    scheduler,
    lookahead,
    auto_param_groups: groups,
    ...lifecycleBlocks,
    training: {
      batch_size: batchSize,
      epochs: c.training.epochs,
      shuffle: c.training.shuffle,
      accumulate_steps: accumulate,
      clip_grad_norm: c.training.clip_grad_norm,
    },
    ...(Object.keys(exported).length === 0 ? {} : { export: exported }),
  };
  return file === undefined ? { experiment, dataset, warnings } : { experiment, dataset, file, warnings };
}

/** The Trainer options for a resolved experiment's mechanisms (Lookahead, groups, accumulation, clipping, lifecycle, health). */
export function trainerMechanisms(e: Pick<ResolvedExperiment, "lookahead" | "auto_param_groups" | "training" | "lifecycle" | "health">): {
  accumulateSteps: number;
  clipGradNorm: number;
  lookahead?: { k: number; alpha: number };
  noDecay?: { patterns: readonly string[]; weightDecay: number };
  lifecycle?: LifecycleOptions;
  health?: HealthOptions;
  nonfinite?: NonfinitePolicy;
} {
  return {
    ...(e.lifecycle ? { lifecycle: lifecycleOptions(e.lifecycle) } : {}),
    ...(e.health ? healthOptions(e.health) : {}),
    accumulateSteps: e.training.accumulate_steps,
    clipGradNorm: e.training.clip_grad_norm,
    ...(e.lookahead.enabled ? { lookahead: { k: e.lookahead.k, alpha: e.lookahead.alpha } } : {}),
    ...(e.auto_param_groups.enabled
      ? { noDecay: { patterns: e.auto_param_groups.no_decay_patterns, weightDecay: e.auto_param_groups.override_no_decay_weight } }
      : {}),
  };
}

/** The trainer's schedule callback for a resolved scheduler (undefined: constant rate, no warmup). */
export function scheduleFor(e: Pick<ResolvedExperiment, "scheduler" | "optimizer">): ((t: number, epoch: number) => number) | undefined {
  const s = e.scheduler;
  if (s.name === "constant" && s.warmup_steps === 0) return undefined;
  return scheduleFactor(scheduleSpec(s), e.optimizer.lr as number, s.warmup_steps);
}

function withColumns(data: ResolvedData, dataset: Dataset): ResolvedData {
  return isCsvData(data) ? { ...data, csv: { path: data.csv.path, inputs: [...dataset.inputNames], targets: [...dataset.targetNames] } } : data;
}

/** Reads a weights JSON into `model`, turning every problem into an error on `model.weights`. */
export function readWeightsInto(model: Model, path: string, file?: string): void {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8")) as WeightsFile;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code ? `cannot read (${code})` : `not valid JSON (${(error as Error).message})`;
    throw new ExperimentConfigError("model.weights", `${path}: ${why}`, file);
  }
  try {
    loadWeightsInto(model, json, path);
  } catch (error) {
    throw new ExperimentConfigError("model.weights", error instanceof Error ? error.message : String(error), file);
  }
}
