/** The display part of the `neuroforge` module. */
export { MIME, toMimeBundle, type MimeBundle, type Displayable } from "./mime";
export { escapeHtml } from "./escape";
export { SignalsPlot, lossPlot, signalsPlot, type SignalsPlotSpec } from "./plot";
export { SignalPanels, plotSignals } from "./signal-panels";
export { NetworkTrace, networkTrace, NetworkView, networkView } from "./network";
export { WeightAudit, weightAudit, type AuditPayload } from "./audit";
export { epochSummary, type EpochSummary } from "./epoch-summary";
export { RunComparisonView, runComparison, sweepComparison } from "./comparison";
