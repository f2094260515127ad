import type { NfrunReader } from "../../record/reader";
import type { NotRecorded } from "../../record/reader-types";
import { fmt } from "./escape";
import type { MimeBundle } from "./mime";

/** One commit of the epoch, for one weight. */
export interface EpochCommit {
  readonly t: number;
  readonly batch: number;
  readonly count: number;
  readonly avg: number;
  readonly adjustment: number;
  readonly before: number;
  readonly after: number;
}

/** A sample's part in one commit's Avg: leverage / count (its share of the gradient the optimizer stepped on). */
export interface EpochContribution {
  readonly sample: number;
  readonly t: number;
  readonly leverage: number;
  readonly contribution: number;
}

/**
 * One weight over one epoch (seed 001's "epoch summary"): every commit's Avg and Adj, the value at the
 * start and end of the epoch, Σ Adj, and the samples whose leverage weighed most in the commits' Avg.
 */
export interface EpochSummary {
  readonly kind: "epoch-summary";
  readonly runId: string;
  readonly layer: number;
  readonly neuron: number;
  readonly weight: number;
  readonly epoch: number;
  readonly commits: readonly EpochCommit[];
  /** Before the epoch's first commit / after its last. */
  readonly start: number;
  readonly end: number;
  /** Σ Adj over the epoch's commits (start − Σ Adj = end unless a Lookahead sync moved the weight). */
  readonly adjustmentSum: number;
  /** Σ |contribution| over every sample of the epoch (the denominator of the shares shown). */
  readonly contributionAbsSum: number;
  /** The samples with the largest |contribution|, largest first. */
  readonly top: readonly EpochContribution[];
  readonly samples: number;
}

/** Samples listed in `top`. */
export const TOP_SAMPLES = 5;

/** The epoch summary of one weight, from the reader's traces of every commit of that epoch. */
export function epochSummary(reader: NfrunReader, runId: string, layer: number, neuron: number, weight: number, epoch: number): EpochSummary | NotRecorded {
  const trace = reader.trace(runId);
  const commits: EpochCommit[] = [];
  const all: EpochContribution[] = [];
  for (let k = 0; k < trace.t.length; k++) {
    if (trace.epoch[k] !== epoch) continue;
    const t = trace.t[k]!;
    const tr = reader.weightTrace(runId, layer, neuron, weight, t);
    if (tr.kind !== "weight-trace") return { kind: "not-recorded", reason: `commit t=${t} of epoch ${epoch}: ${tr.reason}` };
    const c = tr.commit;
    commits.push({ t, batch: tr.batch, count: c.count, avg: c.avg, adjustment: c.adjustment, before: c.before, after: c.after });
    for (const r of tr.rows) all.push({ sample: r.sample, t, leverage: r.leverage, contribution: r.leverage / c.count });
  }
  if (commits.length === 0) return { kind: "not-recorded", reason: `epoch ${epoch} has no commit in the file` };
  let adjustmentSum = 0;
  for (const c of commits) adjustmentSum += c.adjustment;
  let contributionAbsSum = 0;
  for (const s of all) contributionAbsSum += Math.abs(s.contribution);
  const top = [...all].sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution)).slice(0, TOP_SAMPLES);
  return {
    kind: "epoch-summary",
    runId,
    layer,
    neuron,
    weight,
    epoch,
    commits,
    start: commits[0]!.before,
    end: commits[commits.length - 1]!.after,
    adjustmentSum,
    contributionAbsSum,
    top,
    samples: all.length,
  };
}

/** An epoch summary as a cell's value: plain text (the audit table shows it richly inside weightAudit). */
export function epochSummaryBundle(e: EpochSummary): MimeBundle {
  const lines = [
    `layer ${e.layer}, neuron ${e.neuron}, weight ${e.weight} over epoch ${e.epoch}: ${e.commits.length} commits, ${e.samples} samples, ${fmt(e.start)} → ${fmt(e.end)}, Σ Adj ${fmt(e.adjustmentSum)}`,
    "       t  batch  count         avg         adj       after",
    ...e.commits.map((c) => [c.t, c.batch, c.count, fmt(c.avg), fmt(c.adjustment), fmt(c.after)].map((v, i) => String(v).padStart(i < 3 ? (i === 0 ? 8 : 6) : 11)).join(" ")),
    "  largest contributions to the commits' Avg (leverage / count):",
    ...e.top.map((s) => `    sample ${s.sample} at t=${s.t}: ${fmt(s.contribution)} (${fmt((100 * Math.abs(s.contribution)) / (e.contributionAbsSum || 1))} %)`),
  ];
  return { "text/plain": lines.join("\n") };
}
