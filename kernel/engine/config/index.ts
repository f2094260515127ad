/**
 * Experiment configs: parse (file → raw object), resolve (raw → ResolvedExperiment, every default
 * filled in), build (ResolvedExperiment → model, data, trainer). See docs in README.md.
 */
export { readExperimentFile, parseExperimentText, type RawExperiment } from "./parse";
export {
  loadExperiment,
  resolveExperiment,
  initializerValueDefaults,
  type ResolvedExperiment,
  type Resolution,
} from "./experiment";
export { buildExperiment, type BuiltExperiment, type BuildOptions } from "./build";
export { ExperimentConfigError, type ConfigProblem } from "./errors";
export { experimentSchema, type ExperimentInput } from "./schema";
export type { ResolvedData, ResolvedCsvData, ResolvedGeneratorData } from "./data";
export { composeExperiment, loadComposedExperiment, attribute, type Composed, type ComposeOptions } from "./compose";
export { parseOverride, overrideLabel, type Override } from "./overrides";
export { expandSweep, sweepLabel } from "./sweep";
export { trainerMechanisms, scheduleFor } from "./experiment";
export type { ResolvedScheduler } from "./mechanisms";
