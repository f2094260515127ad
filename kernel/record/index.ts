/** The .nfrun run database: recorder (writer), reader, verify. See docs/nfrun-format.md. */
export { RunRecorder, recordRun, writeFileAtomic, ENGINE_VERSION, type RecorderOptions, type RecordStatus } from "./recorder";
export {
  NfrunReader,
  openRun,
  type NotRecorded,
  type RunInfo,
  type StrategyInfo,
  type TraceSeries,
  type RunEvent,
  type WeightTrace,
  type NeuronSnapshot,
  type LeverageRow,
  type CommitDetail,
  type WeightAt,
} from "./reader";
export { verifyFile, verifyReader, describeMismatch, type VerifyResult, type VerifyMismatch } from "./verify";
export { NfrunError, type NfrunErrorKind } from "./errors";
export { canonicalJson, configHash } from "./config-hash";
export { type RecordingPolicy } from "./policy";
export { APPLICATION_ID, SCHEMA_VERSION } from "./schema";
export { loadSqlJs, type SqlJsOptions } from "./sqljs";
export { startWriterThread } from "./writer-thread";
export { scalarSeries, testSeries, weightSeries, layerSeries, thetaSeries, updateRatios, type ScalarSeries, type TestSeries, type WeightSeries, type LayerSeries } from "./series";
export { testMetrics, testSet, type TestMetricRow } from "./test-split";
export { healthSeries, fitnessSeries, type HealthSeries, type ValueSeries, type FitnessSeries } from "./health-series";
export { runSignals, descentSignals, type WeightRef } from "./signals";
export { planPanels } from "./plot-recipe";
export type { Signal, PanelRecipe, PanelMode, SummaryKind, PlotPanel, PlotLine, SignalsPanelsPayload } from "./signal-types";
