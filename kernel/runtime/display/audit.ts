import type { NfrunReader } from "../../record/reader";
import type { NeuronSnapshot, NotRecorded, WeightTrace } from "../../record/reader-types";
import { epochSummary, type EpochSummary } from "./epoch-summary";
import { escapeHtml, fmt } from "./escape";
import { MIME, toMimeBundle, type Displayable, type MimeBundle } from "./mime";

/**
 * application/vnd.neuroforge.audit+json: a weight trace, optionally with what the audit table shows
 * beyond one weight: the neuron's snapshot for each sample of the batch (Σ, activation, blame sources)
 * and the weight's epoch summary.
 */
export interface AuditPayload extends WeightTrace {
  /** neuronSnapshot of the weight's neuron for each row's sample, in the order of `rows`. */
  readonly neurons?: readonly (NeuronSnapshot | NotRecorded)[];
  readonly epochSummary?: EpochSummary | NotRecorded;
  /** Whether the weight's neuron is in the output layer (its blame comes from the loss, not from sources). */
  readonly output?: boolean;
}

/** The full audit of one weight at commit t: its trace, its neuron per sample of the batch, its epoch summary. */
export class WeightAudit implements Displayable {
  constructor(
    readonly reader: NfrunReader,
    readonly runId: string,
    readonly layer: number,
    readonly neuron: number,
    readonly weight: number,
    readonly t: number,
  ) {}

  payload(): AuditPayload | NotRecorded {
    const { reader, runId, layer, neuron, weight } = this;
    const trace = reader.weightTrace(runId, layer, neuron, weight, this.t);
    if (trace.kind !== "weight-trace") return trace;
    return {
      ...trace,
      neurons: trace.rows.map((r) => reader.neuronSnapshot(runId, layer, neuron, trace.epoch, r.sample)),
      epochSummary: epochSummary(reader, runId, layer, neuron, weight, trace.epoch),
      output: layer === reader.run(runId).layers.length - 1,
    };
  }

  [toMimeBundle](): MimeBundle {
    const p = this.payload();
    return p.kind === "weight-trace" ? auditBundle(p) : { "text/plain": `not recorded: ${p.reason}` };
  }
}

/** The audit of weight `weight` of neuron (layer, neuron) at commit t, with Σ/activation, blame sources and the epoch summary. */
export function weightAudit(reader: NfrunReader, runId: string, layer: number, neuron: number, weight: number, t: number): WeightAudit {
  return new WeightAudit(reader, runId, layer, neuron, weight, t);
}

/**
 * One weight at one commit (the reader's weightTrace): per sample Input × Blame = Leverage and the blame
 * bank (Cum.), then the commit: BatchTot / Count = Avg, the strategy's audit columns, LR, Adj, Before → After.
 */
export function auditBundle(trace: AuditPayload): MimeBundle {
  const c = trace.commit;
  const where = `layer ${trace.layer}, neuron ${trace.neuron}, weight ${trace.weight}`;
  const head = `${where} at commit t=${trace.t} (epoch ${trace.epoch}, batch ${trace.batch}), ${trace.strategy.name}`;
  const sampleRows = trace.rows.map((r) => [r.sample, fmt(r.input), fmt(r.blame), fmt(r.leverage), fmt(r.cumulative)]);
  const auditCols = c.audit ? Object.entries(c.audit) : [];
  const commitCells: [string, string][] = [
    ["BatchTot", fmt(c.batchTotal)],
    ["Count", String(c.count)],
    ["Avg", fmt(c.avg)],
    ...auditCols.map(([k, v]) => [k, fmt(v)] as [string, string]),
    ["LR", fmt(c.lr)],
    ["Adj", fmt(c.adjustment)],
    ["Before", fmt(c.before)],
    ["After", fmt(c.after)],
  ];
  // A rebirth or sanitization after this commit is no training step: said beside the numbers, in every fallback too.
  const b = c.rebirth;
  const s = c.sanitized;
  const reset = b
    ? `reborn at t=${b.t} (lifecycle, neuron [layer ${b.layer}, neuron ${b.neuron}]): ${b.change} → ${fmt(b.value)}, the next commit's Before`
    : s
      ? `sanitized at t=${s.t} (non-finite guard): non-finite → ${fmt(s.value)}, the next commit's Before`
      : null;
  const left = c.sanitizedBatch;
  const leftOut = left ? `non-finite loss, left out of the loss (non-finite guard): ${left.samples.map((i) => `#${i}`).join(", ")}${left.zeroed ? "; BatchTot not finite → 0" : ""}` : null;
  const th = (s: string) => `<th>${escapeHtml(s)}</th>`;
  const td = (s: string | number) => `<td style="text-align:right">${escapeHtml(s)}</td>`;
  const html =
    `<div class="neuroforge-audit"><div><b>${escapeHtml(head)}</b></div>` +
    `<table><thead><tr>${["sample", "Input", "× Blame", "= Leverage", "Cum."].map(th).join("")}</tr></thead><tbody>` +
    sampleRows.map((r) => `<tr>${r.map(td).join("")}</tr>`).join("") +
    `</tbody></table><table><thead><tr>${commitCells.map(([k]) => th(k)).join("")}</tr></thead>` +
    `<tbody><tr>${commitCells.map(([, v]) => td(v)).join("")}</tr></tbody></table>` +
    (reset ? `<div>${escapeHtml(reset)}</div>` : "") +
    (leftOut ? `<div>${escapeHtml(leftOut)}</div>` : "") +
    `<div><code>${escapeHtml(trace.strategy.formula)}</code></div></div>`;
  const sums = (trace.neurons ?? []).map((n) => (n.kind === "neuron-snapshot" ? `  sample ${n.sample}: Σ + bias = z ${fmt(n.forward.z)}, ${n.forward.activation}(z) = ${fmt(n.forward.a)}, blame ${fmt(n.blame)}` : `  not recorded: ${n.reason}`));
  const e = trace.epochSummary;
  const epochLine = !e ? [] : e.kind === "epoch-summary" ? [`  epoch ${e.epoch}: ${e.commits.length} commits, ${fmt(e.start)} → ${fmt(e.end)}, Σ Adj ${fmt(e.adjustmentSum)}`] : [`  epoch summary not recorded: ${e.reason}`];
  const text = [
    head,
    "  sample      input      blame   leverage       cum.",
    ...sampleRows.map((r) => r.map((v) => String(v).padStart(10)).join(" ")),
    ...sums,
    `  commit: ${commitCells.map(([k, v]) => `${k} ${v}`).join(", ")}`,
    ...(reset ? [`  ${reset}`] : []),
    ...(leftOut ? [`  ${leftOut}`] : []),
    ...epochLine,
  ].join("\n");
  return { [MIME.audit]: trace, "text/html": html, "text/plain": text };
}
