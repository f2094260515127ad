import { activations, type ActivationName } from "../engine/activations";
import { Model } from "../engine/model";
import { getStrategy } from "../engine/optimizers/registry";
import type { HyperValue, Strategy } from "../engine/optimizers/strategy";
import { blobF64 } from "./blob";
import { NfrunError } from "./errors";
import type { NfrunReader } from "./reader";
import type { LayerRow, RunContext, RunInfo, TraceSeries } from "./reader-types";
import type { RecordStatus } from "./recorder";
import { num, safeJson } from "./reader-util";
import { MechanismReplay, runMechanisms } from "./mechanisms";

/** Loads what the queries of one run need: run row, layers, recorded neurons, samples, trace, snapshots. */
export function loadRunContext(reader: NfrunReader, runId: string): RunContext {
  const r = reader.query(
    `SELECT status, created_at, seconds, engine_version, seed, config_hash, loss, batch_size, inputs, outputs, weight_count,
            neuron_count, strategy_id, strategy_name, strategy_formula, audit_columns, hyperparameters, policy_json,
            epochs_done, commits, samples_seen, final_loss, state_per_weight, state_per_neuron, config_json
     FROM runs WHERE run_id = ?`,
    [runId],
  )[0];
  if (!r) throw new NfrunError("no-such-run", `no run '${runId}' in the file`, reader.path);
  const layers: LayerRow[] = reader.query(
    "SELECT layer, inputs, units, activation, weight_offset, neuron_offset FROM layers WHERE run_id = ? ORDER BY layer",
    [runId],
  ).map((l, i) => {
    const activation = activations[String(l[3]) as ActivationName];
    if (!activation || Number(l[0]) !== i) throw reader.bad(`run ${runId}: layer ${i} is malformed`);
    return { layer: i, inputs: Number(l[1]), units: Number(l[2]), activation, offset: Number(l[4]), neuronOffset: Number(l[5]) };
  });
  if (layers.length === 0) throw reader.bad(`run ${runId}: no layers recorded`);
  const col = layers.map((l) => new Int32Array(l.units).fill(-1));
  const weightsRecorded = layers.map((l) => new Uint8Array(l.units));
  const rn = reader.query("SELECT col, layer, neuron, weights FROM recorded_neurons WHERE run_id = ? ORDER BY col", [runId]);
  for (const [c, l, n, w] of rn) {
    const L = Number(l);
    const N = Number(n);
    if (!col[L] || N < 0 || N >= col[L]!.length) throw reader.bad(`run ${runId}: recorded neuron [${L}, ${N}] does not exist`);
    col[L]![N] = Number(c);
    weightsRecorded[L]![N] = Number(w) ? 1 : 0;
  }
  const d = reader.query("SELECT count, input_size, target_size, x, y FROM datasets WHERE run_id = ?", [runId])[0];
  if (!d) throw reader.bad(`run ${runId}: no samples recorded`);
  const x = blobF64(d[3]);
  const y = blobF64(d[4]);
  const dataCount = Number(d[0]);
  const inputSize = Number(d[1]);
  const targetSize = Number(d[2]);
  if (!x || !y || x.length !== dataCount * inputSize || y.length !== dataCount * targetSize) throw reader.bad(`run ${runId}: the sample blobs have the wrong size`);
  const strategyId = String(r[12]);
  let strategy: Strategy | null = null;
  try {
    strategy = getStrategy(strategyId);
  } catch {
    strategy = null;
  }
  const hyper = safeJson(String(r[16])) as Record<string, HyperValue>;
  const recordedEpochs = reader.query("SELECT epoch FROM recorded_epochs WHERE run_id = ? ORDER BY epoch", [runId]).map((e) => Number(e[0]));
  const commits = reader.query("SELECT t, epoch, batch, count, loss, lr_scale, grad_norm, step_norm FROM commits WHERE run_id = ? ORDER BY t", [runId]);
  const n = commits.length;
  const trace: TraceSeries = {
    t: new Int32Array(n),
    epoch: new Int32Array(n),
    batch: new Int32Array(n),
    count: new Int32Array(n),
    loss: new Float64Array(n),
    lrScale: new Float64Array(n),
    gradNorm: new Float64Array(n),
    stepNorm: new Float64Array(n),
  };
  const commitIndex = new Map<number, number>();
  commits.forEach((c, i) => {
    trace.t[i] = Number(c[0]);
    trace.epoch[i] = Number(c[1]);
    trace.batch[i] = Number(c[2]);
    trace.count[i] = Number(c[3]);
    trace.loss[i] = num(c[4]);
    trace.lrScale[i] = num(c[5]);
    trace.gradNorm[i] = num(c[6]);
    trace.stepNorm[i] = num(c[7]);
    commitIndex.set(Number(c[0]), i);
  });
  const info: RunInfo = {
    runId,
    status: String(r[0]) as RecordStatus,
    createdAt: String(r[1]),
    seconds: r[2] === null ? null : Number(r[2]),
    engineVersion: String(r[3]),
    seed: r[4] === null ? null : Number(r[4]),
    configHash: String(r[5]),
    loss: String(r[6]),
    batchSize: Number(r[7]),
    inputs: Number(r[8]),
    outputs: Number(r[9]),
    weightCount: Number(r[10]),
    neuronCount: Number(r[11]),
    strategy: { id: strategyId, name: String(r[13]), formula: String(r[14]), auditColumns: safeJson(String(r[15])) as string[] },
    hyperparameters: hyper,
    policy: safeJson(String(r[17])),
    epochsDone: Number(r[18]),
    commits: Number(r[19]),
    samplesSeen: Number(r[20]),
    finalLoss: r[21] === null ? null : Number(r[21]),
    layers: layers.map((l) => ({ layer: l.layer, inputs: l.inputs, units: l.units, activation: l.activation.name })),
    recordedEpochs,
  };
  // Clipping, parameter groups, Lookahead as the stored config describes them (./mechanisms).
  const mechanisms = runMechanisms(safeJson(String(r[24])));
  let replay: MechanismReplay | null = null;
  let replayError: string | null = null;
  try {
    const model = new Model({ inputs: info.inputs, layers: layers.map((l) => ({ units: l.units, activation: l.activation.name })) });
    replay = new MechanismReplay(mechanisms, model, hyper);
  } catch (e) {
    replayError = (e as Error).message;
  }
  const ctx: RunContext = {
    mechanisms,
    replay,
    replayError,
    info,
    layers,
    col,
    weightsRecorded,
    R: rn.length,
    x,
    y,
    dataCount,
    inputSize,
    targetSize,
    strategy,
    perWeight: safeJson(String(r[22])) as string[],
    perNeuron: safeJson(String(r[23])) as string[],
    snapshotTs: reader.query("SELECT t FROM snapshots WHERE run_id = ? ORDER BY t", [runId]).map((s) => Number(s[0])),
    recorded: new Set(recordedEpochs),
    commitIndex,
    trace,
  };
  return ctx;
}
