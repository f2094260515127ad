/** The engine's public API: what `import { … } from "neuroforge"` gives a notebook cell. */
export { Model, type ModelSpec, type LayerSpec, type InitSpec, type LayerInfo } from "./model";
export { Trainer, type TrainerOptions, type FitResult, type RunStatus } from "./trainer";
export type { TrainingObserver, SampleEvent, CommitEvent, EpochEvent, TrainingNotice } from "./observer";
export { activations, activationNames, type ActivationName } from "./activations";
export { losses, lossNames, type LossName } from "./losses";
export { initializers, initializerNames, type InitializerName } from "./initializers";
export { defineStrategy, type Strategy, type StrategyDeclaration } from "./optimizers/strategy";
export { StrategyState, type CommitRecord } from "./optimizers/strategy-state";
export { resolveHyperparameters, ConfigError } from "./optimizers/hyperparameters";
export { exportWeights, importWeights, loadWeightsInto, type WeightsFile } from "./weights-json";
export { datasetFromRows, type Dataset } from "./datasets/dataset";
export { splitDataset, type SplitDataset } from "./datasets/split";
export { evaluate, hasAccuracy, type TestMetrics } from "./evaluate";
export { Rng } from "./math/rng";
export {
  generators,
  generatorNames,
  generatorSpecs,
  generateDataset,
  type GeneratorName,
  type GeneratorOptions,
  type GeneratorSpec,
} from "./datasets/generators";
export { loadDataset, packagedDatasetNames, packagedDatasetSpecs, type PackagedDatasetName } from "./datasets/packaged";
export { loadMnist, MNIST_SIDE, type MnistOptions } from "./datasets/mnist";
export { loadIris } from "./datasets/iris";
export { parseCsv, parseCsvRecords, loadCsvFile, type CsvOptions, type CsvRecord } from "./datasets/csv";
export {
  Scaler,
  DatasetScaler,
  scalerKinds,
  scalerFormulas,
  type ScalerKind,
  type ScalerJSON,
  type DatasetScalerJSON,
} from "./scalers";
export { strategies, strategyIds, getStrategy } from "./optimizers/registry";
export { descend, replayDescent, type DescentOptions, type DescentTrace, type DescentMeta } from "./precondition/descend";
export type { Objective, IndexMap, ThetaSlice } from "./precondition/objective";
export { quadratic } from "./precondition/problems/quadratic";
export { rosenbrock } from "./precondition/problems/rosenbrock";
export { curveFit } from "./precondition/problems/curve-fit";
export { logistic } from "./precondition/problems/logistic";
export { preconditioners } from "./precondition/sources";
export { Lifecycle } from "./lifecycle/lifecycle";
export type { LifecycleOptions, SenescenceOptions } from "./lifecycle/options";
export type { LifecycleEvent, LifecycleEventKind, LifecycleReason } from "./lifecycle/events";
export { lifecycleStages, type LifecycleStage } from "./lifecycle/stages";
export { HealthMonitor, type HealthOptions, type LayerHealth } from "./health/monitor";
export { summarize, BASIS_POINTS, type ValueSummary } from "./health/summary";
export type { NonfinitePolicy } from "./health/sanitize";
