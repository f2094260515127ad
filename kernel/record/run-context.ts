import type { SqlValue } from "sql.js";
import { activations, type ActivationName } from "../engine/activations";
import { Model } from "../engine/model";
import type { HyperValue } from "../engine/optimizers/strategy";
import { decodeValues } from "./dataset-codec";
import { NfrunError } from "./errors";
import type { LayerRow, RunContext, RunDb, RunInfo, TraceSeries } from "./reader-types";
import type { RecordStatus } from "./recorder";
import { num, safeJson } from "./reader-util";
import { MechanismReplay, runMechanisms } from "./mechanisms";
import { count, runShape, stringList } from "./run-shape";
import { rateChanges, runStrategy } from "./run-strategy";

/** Loads what the queries of one run need: run row, layers, recorded neurons, samples, trace, snapshots. */
export function loadRunContext(db: RunDb, runId: string): RunContext {
  const r = db.query(
    `SELECT status, created_at, seconds, engine_version, seed, config_hash, loss, batch_size, inputs, outputs, weight_count,
            neuron_count, strategy_id, strategy_name, strategy_formula, audit_columns, hyperparameters, policy_json,
            epochs_done, commits, samples_seen, final_loss, state_per_weight, state_per_neuron, config_json
     FROM runs WHERE run_id = ?`,
    [runId],
  )[0];
  if (!r) throw new NfrunError("no-such-run", `no run '${runId}' in the file`, db.path);
  // Every size checked against the others and the blobs present before anything is allocated.
  const shape = runShape(db, runId, { batchSize: r[7]!, inputs: r[8]!, outputs: r[9]!, weightCount: r[10]!, neuronCount: r[11]!, perWeight: r[22]!, perNeuron: r[23]! });
  const layers: LayerRow[] = shape.layers.map((l, i) => {
    const activation = activations[l.activation as ActivationName];
    if (!activation || !Object.hasOwn(activations, l.activation)) throw db.bad(`run ${runId}: layer ${i} has an unknown activation '${l.activation.slice(0, 40)}'`);
    return { layer: i, inputs: l.inputs, units: l.units, activation, offset: l.offset, neuronOffset: l.neuronOffset };
  });
  const col = layers.map((l) => new Int32Array(l.units).fill(-1));
  const weightsRecorded = layers.map((l) => new Uint8Array(l.units));
  const rn = db.query("SELECT col, layer, neuron, weights FROM recorded_neurons WHERE run_id = ? ORDER BY col", [runId]);
  rn.forEach(([c, l, n, w], i) => {
    const L = Number(l);
    const N = Number(n);
    if (c !== i) throw db.bad(`run ${runId}: recorded neuron columns are not 0, 1, … (found ${String(c)} at ${i})`);
    if (!col[L] || !Number.isInteger(N) || N < 0 || N >= col[L]!.length || col[L]![N] !== -1) throw db.bad(`run ${runId}: recorded neuron [${L}, ${N}] does not exist`);
    col[L]![N] = i;
    weightsRecorded[L]![N] = Number(w) ? 1 : 0;
  });
  const d = db.query("SELECT x, y FROM datasets WHERE run_id = ?", [runId])[0]!;
  const { dataCount, inputSize, targetSize } = shape;
  const x = decodeValues(d[0], dataCount * inputSize);
  const y = decodeValues(d[1], dataCount * targetSize);
  if (!x || !y) throw db.bad(`run ${runId}: its dataset's ${x ? "targets" : "inputs"} (table datasets) are neither float64 nor a valid palette of ${dataCount} samples`);
  const strategyId = String(r[12]);
  const { strategy, source: strategySource } = runStrategy(db, runId, strategyId);
  // The replay steps the strategy on the snapshots' state arrays, found by these names.
  const names = (a: readonly string[] | undefined) => JSON.stringify(a ?? []);
  if (strategy && (names(strategy.state?.perWeight) !== names(shape.perWeight) || names(strategy.state?.perNeuron) !== names(shape.perNeuron))) {
    throw db.bad(`run ${runId}: its optimizer state names (${names(shape.perWeight)}, ${names(shape.perNeuron)}) are not those of strategy '${strategyId}'`);
  }
  const hyper = hyperparameters(db, runId, r[16]!);
  const recordedEpochs = db.query("SELECT epoch FROM recorded_epochs WHERE run_id = ? ORDER BY epoch", [runId]).map((e) => count(db, e[0]!, `run ${runId}: recorded epoch`));
  const commits = db.query("SELECT t, epoch, batch, count, loss, lr_scale, grad_norm, step_norm FROM commits WHERE run_id = ? ORDER BY t", [runId]);
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
  // Commits are consecutive (t0, t0 + 1, …): a query's replay range between a snapshot and a commit
  // is then bounded by the rows present.
  commits.forEach((c, i) => {
    const at = `run ${runId}: commit ${i + 1} of ${n}`;
    trace.t[i] = count(db, c[0]!, `${at}: t`, 1);
    if (i > 0 && trace.t[i] !== trace.t[i - 1]! + 1) throw db.bad(`run ${runId}: the commits are not consecutive (t=${trace.t[i]} follows t=${trace.t[i - 1]})`);
    trace.epoch[i] = count(db, c[1]!, `${at}: epoch`);
    trace.batch[i] = count(db, c[2]!, `${at}: batch`);
    trace.count[i] = count(db, c[3]!, `${at}: count`, 1);
    if (trace.count[i]! > Math.min(shape.batchSize, dataCount)) throw db.bad(`${at}: count ${trace.count[i]} exceeds the batch size ${shape.batchSize} or the ${dataCount} samples`);
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
    batchSize: shape.batchSize,
    inputs: shape.inputs,
    outputs: shape.outputs,
    weightCount: shape.weightCount,
    neuronCount: shape.neuronCount,
    strategy: { id: strategyId, name: String(r[13]), formula: String(r[14]), auditColumns: stringList(db, r[15]!, `run ${runId}: audit_columns`),
      builtin: strategySource.builtin,
      description: strategySource.guidance?.description ?? null,
      whenToUse: strategySource.guidance?.whenToUse ?? null,
      bestFor: strategySource.guidance?.bestFor ?? null,
    },
    hyperparameters: hyper,
    policy: safeJson(String(r[17])),
    epochsDone: count(db, r[18]!, `run ${runId}: epochs_done`),
    commits: count(db, r[19]!, `run ${runId}: commits`),
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
  // A snapshot before the first commit would stretch a replay over commits that are not there.
  const snapshotTs = db.query("SELECT t FROM snapshots WHERE run_id = ? ORDER BY t", [runId]).map((s) => Number(s[0]));
  if (n > 0 && snapshotTs.length > 0 && snapshotTs[0]! < trace.t[0]! - 1) throw db.bad(`run ${runId}: a snapshot at t=${snapshotTs[0]} precedes its first commit t=${trace.t[0]}`);
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
    strategySource,
    rateChanges: rateChanges(db, runId, shape.weightCount),
    perWeight: shape.perWeight,
    perNeuron: shape.perNeuron,
    snapshotTs,
    recorded: new Set(recordedEpochs),
    commitIndex,
    trace,
  };
  return ctx;
}

/** The stored hyperparameters: a JSON object of numbers, strings and booleans. */
function hyperparameters(db: RunDb, runId: string, v: SqlValue): Record<string, HyperValue> {
  const h = safeJson(String(v));
  if (h === null || typeof h !== "object" || Array.isArray(h) || Object.values(h).some((x) => !["number", "string", "boolean"].includes(typeof x))) {
    throw db.bad(`run ${runId}: hyperparameters is not a JSON object of numbers, strings and booleans`);
  }
  return h as Record<string, HyperValue>;
}
