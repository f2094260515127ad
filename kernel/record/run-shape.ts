import type { SqlValue } from "sql.js";
import { storedLengthFits } from "./dataset-codec";
import type { RunDb } from "./reader-types";
import { hasTable } from "./reader-util";

/**
 * A hostile file may claim any size. Every size, count and offset of a run that the reader later
 * allocates by (the model, the samples, per-layer arrays, the trace) is checked here against the
 * others and against the lengths of the blobs actually present — `length()` in SQL, so no blob is
 * loaded — before anything is allocated. Anything that does not fit is the reader's 'corrupt' error.
 */
export interface RunShape {
  readonly batchSize: number;
  readonly inputs: number;
  readonly outputs: number;
  readonly weightCount: number;
  readonly neuronCount: number;
  readonly layers: readonly { readonly inputs: number; readonly units: number; readonly activation: string; readonly offset: number; readonly neuronOffset: number }[];
  readonly dataCount: number;
  readonly inputSize: number;
  readonly targetSize: number;
  /** Names of the per-weight and per-neuron optimizer state arrays, in the snapshots' order. */
  readonly perWeight: readonly string[];
  readonly perNeuron: readonly string[];
}

/** Largest count accepted anywhere: typed arrays index with int32 and the trace is Int32Array. */
export const MAX_COUNT = 2 ** 31 - 1;

/** A non-negative integer ≤ MAX_COUNT (`min` 1: positive), or the reader's error naming the field. */
export function count(db: RunDb, v: SqlValue, what: string, min = 0): number {
  const n = typeof v === "number" ? v : NaN;
  if (!Number.isInteger(n) || n < min || n > MAX_COUNT) throw db.bad(`${what} is ${describe(v)}, not an integer in ${min} … ${MAX_COUNT}`);
  return n;
}

function describe(v: SqlValue): string {
  if (v instanceof Uint8Array) return `a ${v.byteLength}-byte blob`;
  return typeof v === "string" ? JSON.stringify(v.slice(0, 40)) : String(v);
}

/** A JSON array of strings (state and audit column names), or the reader's error naming the column. */
export function stringList(db: RunDb, v: SqlValue, what: string): string[] {
  let list: unknown;
  try {
    list = JSON.parse(String(v));
  } catch {
    list = null;
  }
  if (!Array.isArray(list) || list.some((s) => typeof s !== "string")) throw db.bad(`${what} is not a JSON array of names`);
  return list as string[];
}

/**
 * Checks the sizes of run `runId` (its `runs` row `r`: batch_size, inputs, outputs, weight_count,
 * neuron_count, state_per_weight, state_per_neuron) against its layers, dataset, recorded neurons and
 * the blobs of its dataset, snapshots and Lookahead slow weights.
 */
export function runShape(db: RunDb, runId: string, r: { batchSize: SqlValue; inputs: SqlValue; outputs: SqlValue; weightCount: SqlValue; neuronCount: SqlValue; perWeight: SqlValue; perNeuron: SqlValue }): RunShape {
  const at = `run ${runId}:`;
  const batchSize = count(db, r.batchSize, `${at} batch_size`, 1);
  const inputs = count(db, r.inputs, `${at} inputs`, 1);
  const outputs = count(db, r.outputs, `${at} outputs`, 1);
  const weightCount = count(db, r.weightCount, `${at} weight_count`, 1);
  const neuronCount = count(db, r.neuronCount, `${at} neuron_count`, 1);
  const perWeight = stringList(db, r.perWeight, `${at} state_per_weight`);
  const perNeuron = stringList(db, r.perNeuron, `${at} state_per_neuron`);
  // A model is at most a small multiple of the file: with a snapshot (below) exactly its weights
  // blob; without one, a run killed before its first snapshot, still not beyond 16 × the file.
  if (weightCount * 8 > 16 * db.bytes) throw db.bad(`${at} weight_count ${weightCount} is far larger than the whole file (${db.bytes} bytes)`);

  const layers: { inputs: number; units: number; activation: string; offset: number; neuronOffset: number }[] = [];
  let w = 0;
  let n = 0;
  let fanIn = inputs;
  for (const row of db.query("SELECT layer, inputs, units, activation, weight_offset, neuron_offset FROM layers WHERE run_id = ? ORDER BY layer", [runId])) {
    const i = layers.length;
    const where = `${at} layer ${i}`;
    if (row[0] !== i) throw db.bad(`${at} the layers are not numbered 0, 1, … (found layer ${describe(row[0]!)} at ${i})`);
    const layerInputs = count(db, row[1]!, `${where} inputs`, 1);
    const units = count(db, row[2]!, `${where} units`, 1);
    if (layerInputs !== fanIn) throw db.bad(`${where} has ${layerInputs} inputs, but ${i === 0 ? "the run has" : "the layer below has"} ${fanIn}`);
    if (row[4] !== w || row[5] !== n) throw db.bad(`${where} starts at weight ${describe(row[4]!)}, neuron ${describe(row[5]!)}; the layers below end at weight ${w}, neuron ${n}`);
    w += units * (layerInputs + 1);
    n += units;
    if (w > weightCount || n > neuronCount) throw db.bad(`${where} (${units} units × ${layerInputs} inputs) does not fit the run's ${weightCount} weights and ${neuronCount} neurons`);
    layers.push({ inputs: layerInputs, units, activation: String(row[3]), offset: row[4] as number, neuronOffset: row[5] as number });
    fanIn = units;
  }
  if (layers.length === 0) throw db.bad(`${at} no layers recorded`);
  if (w !== weightCount || n !== neuronCount) throw db.bad(`${at} the layers hold ${w} weights and ${n} neurons; the run says ${weightCount} and ${neuronCount}`);
  if (fanIn !== outputs) throw db.bad(`${at} the last layer has ${fanIn} units; the run says ${outputs} outputs`);

  const d = db.query("SELECT count, input_size, target_size, length(x), length(y), typeof(x), typeof(y) FROM datasets WHERE run_id = ?", [runId])[0];
  if (!d) throw db.bad(`${at} no samples recorded`);
  const dataCount = count(db, d[0]!, `${at} dataset count`, 1);
  const inputSize = count(db, d[1]!, `${at} dataset input_size`, 1);
  const targetSize = count(db, d[2]!, `${at} dataset target_size`, 1);
  if (inputSize !== inputs || targetSize !== outputs) throw db.bad(`${at} the dataset has ${inputSize} inputs and ${targetSize} targets; the model ${inputs} and ${outputs}`);
  if (d[5] !== "blob" || d[6] !== "blob" || !storedLengthFits(Number(d[3]), dataCount * inputSize) || !storedLengthFits(Number(d[4]), dataCount * targetSize)) {
    throw db.bad(`${at} the dataset says ${dataCount} samples, but its x and y blobs hold ${describe(d[3]!)} and ${describe(d[4]!)} bytes`);
  }

  const sizes = { weights: weightCount * 8, learning_rates: weightCount * 8, state: perWeight.length * weightCount * 8, neuron_state: perNeuron.length * neuronCount * 8 };
  for (const s of db.query(
    "SELECT t, length(weights), length(learning_rates), length(state), length(neuron_state), typeof(weights) FROM snapshots WHERE run_id = ? ORDER BY t",
    [runId],
  )) {
    const t = count(db, s[0]!, `${at} snapshot t`);
    Object.values(sizes).forEach((bytes, k) => {
      if (s[1 + k] !== bytes || s[5] !== "blob") throw db.bad(`${at} snapshot t=${t}: ${Object.keys(sizes)[k]} holds ${describe(s[1 + k]!)} bytes, the model needs ${bytes}`);
    });
  }
  if (hasTable(db, "lookahead_slow")) {
    for (const s of db.query("SELECT t, length(slow) FROM lookahead_slow WHERE run_id = ? AND length(slow) IS NOT ?", [runId, weightCount * 8])) {
      throw db.bad(`${at} Lookahead slow weights at t=${describe(s[0]!)} hold ${describe(s[1]!)} bytes, the model needs ${weightCount * 8}`);
    }
  }
  // Sample chunks: positions within the dataset's, blobs of count samples × R recorded neurons.
  const R = Number(db.query("SELECT count(*) FROM recorded_neurons WHERE run_id = ?", [runId])[0]![0]);
  for (const c of db.query(
    `SELECT epoch, first_position, count FROM sample_chunks WHERE run_id = ? AND NOT (
       typeof(first_position) = 'integer' AND typeof(count) = 'integer' AND first_position >= 0 AND count >= 1 AND first_position + count <= ?
       AND typeof(sample) = 'blob' AND typeof(loss) = 'blob' AND typeof(a) = 'blob' AND typeof(blame) = 'blob'
       AND length(sample) = 4 * count AND length(loss) = 8 * count AND length(a) = 8 * count * ? AND length(blame) = 8 * count * ?) LIMIT 1`,
    [runId, dataCount, R, R],
  )) {
    throw db.bad(`${at} sample chunk at epoch ${describe(c[0]!)}, position ${describe(c[1]!)} (count ${describe(c[2]!)}) does not fit the ${dataCount} samples and ${R} recorded neurons`);
  }
  return { batchSize, inputs, outputs, weightCount, neuronCount, layers, dataCount, inputSize, targetSize, perWeight, perNeuron };
}
