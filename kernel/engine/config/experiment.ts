import { readFileSync } from "node:fs";
import { basename, extname } from "node:path";
import type { ActivationName } from "../activations";
import type { Dataset } from "../datasets/dataset";
import type { InitializerName } from "../initializers";
import type { LossName } from "../losses";
import type { ScalerKind } from "../scalers";
import { Model } from "../model";
import { resolveHyperparameters } from "../optimizers/hyperparameters";
import { getStrategy, strategyIds } from "../optimizers/registry";
import type { HyperValue } from "../optimizers/strategy";
import { Trainer } from "../trainer";
import { loadWeightsInto, type WeightsFile } from "../weights-json";
import { isCsvData, loadData, resolveConfigPath, resolveData, rethrowWithField, type ConfigContext, type ResolvedData } from "./data";
import { asExperimentError, ExperimentConfigError, problemsFromZod, unknownName } from "./errors";
import { readExperimentFile, type RawExperiment } from "./parse";
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
  readonly training: { readonly batch_size: number; readonly epochs: number; readonly shuffle: boolean };
  readonly export?: { readonly weights: string };
}

/** A resolved experiment plus what resolving it had to load anyway (so building needn't load it twice). */
export interface Resolution {
  readonly experiment: ResolvedExperiment;
  /** The data, loaded and unscaled. */
  readonly dataset: Dataset;
  /** The config file it came from, if any. */
  readonly file?: string;
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
  const { raw, file } = source;
  const ctx: ConfigContext = { file, baseDir: source.baseDir };
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new ExperimentConfigError("", "expected a mapping of experiment settings (name, model, data, loss, optimizer, training)", file);
  }
  const parsed = experimentSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) {
    const problems = problemsFromZod(experimentSchema, parsed.error.issues);
    throw new ExperimentConfigError(problems[0]!.field, problems[0]!.message, file, problems);
  }
  const c = parsed.data;

  // Optimizer: strategy id, then its hyperparameters (unknown / wrong type / out of range / required).
  const { name: optimizerName, ...given } = c.optimizer;
  if (!strategyIds.includes(optimizerName)) {
    throw new ExperimentConfigError("optimizer.name", unknownName("optimizer", optimizerName, strategyIds), file);
  }
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
  }

  const batchSize = c.training.batch_size;
  if (batchSize > dataset.count) {
    throw new ExperimentConfigError("training.batch_size", `must be ≤ the number of samples (${dataset.count}), got ${batchSize}`, file);
  }

  // Last line of defence: whatever else the engine checks when a trainer is made (activation ×
  // loss pairs, …) is reported here as a config error rather than at build time.
  try {
    new Trainer({ model, loss, strategy: getStrategy(optimizerName), hyperparameters, batchSize, shuffle: c.training.shuffle, seed: c.seed });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const m = /^(loss|batch_size|model[\w.[\]]*|optimizer[\w.]*): ([\s\S]*)$/.exec(message);
    if (!m) throw new ExperimentConfigError("", message, file);
    throw new ExperimentConfigError(m[1] === "batch_size" ? "training.batch_size" : m[1]!, m[2]!, file);
  }

  const experiment: ResolvedExperiment = {
    name: c.name ?? (file ? basename(file, extname(file)) : "experiment"),
    seed: c.seed,
    model: { inputs, layers, init, ...(weights === undefined ? {} : { weights }) },
    data,
    scale: { inputs: c.scale.inputs as ScalerKind, targets: c.scale.targets as ScalerKind },
    loss,
    optimizer: { name: optimizerName, ...hyperparameters },
    training: { batch_size: batchSize, epochs: c.training.epochs, shuffle: c.training.shuffle },
    ...(c.export === undefined ? {} : { export: { weights: resolveConfigPath(c.export.weights, ctx) } }),
  };
  return file === undefined ? { experiment, dataset } : { experiment, dataset, file };
}

function withColumns(data: ResolvedData, dataset: Dataset): ResolvedData {
  return isCsvData(data) ? { csv: { path: data.csv.path, inputs: [...dataset.inputNames], targets: [...dataset.targetNames] } } : data;
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
