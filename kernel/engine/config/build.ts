import type { Dataset } from "../datasets/dataset";
import { Model } from "../model";
import type { TrainingObserver } from "../observer";
import { getStrategy } from "../optimizers/registry";
import type { Strategy } from "../optimizers/strategy";
import { DatasetScaler } from "../scalers";
import { Trainer, type TrainerOptions } from "../trainer";
import { loadData, splitData } from "./data";
import { readWeightsInto, scheduleFor, trainerMechanisms, type Resolution, type ResolvedExperiment } from "./experiment";

/** Everything a resolved experiment turns into, ready to `trainer.fit(dataset, epochs)`. */
export interface BuiltExperiment {
  readonly experiment: ResolvedExperiment;
  readonly model: Model;
  readonly strategy: Strategy;
  /** The training data, scaled as `experiment.scale` asks. */
  readonly dataset: Dataset;
  /** The test split (`data.test_fraction`), scaled like the training data; null: none. */
  readonly testDataset: Dataset | null;
  /** The training data as loaded, before scaling. */
  readonly rawDataset: Dataset;
  /** Fitted on the raw training data; maps new inputs in and predictions back out. */
  readonly scaler: DatasetScaler;
  readonly trainer: Trainer;
}

export interface BuildOptions {
  readonly observers?: readonly TrainingObserver[];
  /** Makes the trainer (default `new Trainer(options)`); the notebook kernel passes its own Trainer subclass. */
  readonly createTrainer?: (options: TrainerOptions) => Trainer;
}

/**
 * Step 3: ResolvedExperiment → model (initialized or loaded), scaled data, trainer. Accepts a
 * Resolution (reuses the data it loaded) or a bare ResolvedExperiment (loads the data again).
 */
export function buildExperiment(source: Omit<Resolution, "warnings"> | ResolvedExperiment, options: BuildOptions = {}): BuiltExperiment {
  const resolution = "experiment" in source ? source : undefined;
  const experiment = resolution ? resolution.experiment : (source as ResolvedExperiment);
  const file = resolution?.file;
  const rawDataset = resolution?.dataset ?? loadData(experiment.data, { file });

  const model = new Model({ inputs: experiment.model.inputs, layers: experiment.model.layers });
  if (experiment.model.weights !== undefined) readWeightsInto(model, experiment.model.weights, file);
  else model.initialize(experiment.model.init, experiment.seed);

  const { scaler, raw, train: dataset, test: testDataset } = preparedData(experiment, rawDataset, file);

  const { name, ...hyperparameters } = experiment.optimizer;
  const strategy = getStrategy(name);
  const schedule = scheduleFor(experiment);
  const trainer = (options.createTrainer ?? ((o: TrainerOptions) => new Trainer(o)))({
    ...trainerMechanisms(experiment),
    ...(schedule ? { schedule } : {}),
    model,
    loss: experiment.loss,
    strategy,
    hyperparameters,
    batchSize: experiment.training.batch_size,
    shuffle: experiment.training.shuffle,
    seed: experiment.seed,
    observers: options.observers ?? [],
    ...(testDataset ? { test: testDataset } : {}),
  });
  return { experiment, model, strategy, dataset, testDataset, rawDataset: raw, scaler, trainer };
}

/**
 * The loaded data as a run trains on it: split (`data.test_fraction`), the scaler fitted on the
 * training part only (the held-out samples must not leak into it) and both parts scaled.
 */
export function preparedData(
  experiment: Pick<ResolvedExperiment, "data" | "scale">,
  loaded: Dataset,
  file?: string,
): { scaler: DatasetScaler; raw: Dataset; train: Dataset; test: Dataset | null } {
  const { train, test } = splitData(experiment.data, loaded, { file });
  const scaler = DatasetScaler.fit(train, experiment.scale, "scale");
  return { scaler, raw: train, train: scaler.transform(train), test: test ? scaler.transform(test) : null };
}
