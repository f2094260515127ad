import type { Database, SqlValue } from "sql.js";
import type { Dataset } from "../engine/datasets/dataset";
import type { Model } from "../engine/model";
import type { Trainer } from "../engine/trainer";
import pkg from "../../package.json";
import { encodeValues } from "./dataset-codec";
import type { DigestValue } from "./run-digest";
import { configHash } from "./config-hash";
import type { RecordedNeuron, RecordingPolicy } from "./policy";
import { APPLICATION_ID, PAGE_SIZE, SCHEMA_VERSION, TABLES, VIEWS } from "./schema";
import { trainerMechanismConfig } from "./mechanisms";
import type { RunMeta, StrategyRow } from "./writer-protocol";

export const ENGINE_VERSION: string = (pkg as { version: string }).version;

/** Creates the schema of a new .nfrun in an empty database: header ids, tables, nf_pow2, nf_meta, views. */
export function initSchema(db: Database): void {
  db.run(`PRAGMA page_size = ${PAGE_SIZE}; PRAGMA application_id = ${APPLICATION_ID}; PRAGMA user_version = ${SCHEMA_VERSION};`);
  db.run(TABLES);
  db.run("BEGIN");
  const pow = db.prepare("INSERT INTO nf_pow2 (k, v) VALUES (?, ?)");
  for (let k = -1074; k <= 971; k++) pow.run([k, 2 ** k]);
  pow.free();
  const meta = db.prepare("INSERT INTO nf_meta (key, value) VALUES (?, ?)");
  meta.run(["format", "neuroforge-run"]);
  meta.run(["schema_version", String(SCHEMA_VERSION)]);
  meta.run(["created_by", `neuroforge ${ENGINE_VERSION}`]);
  meta.run(["docs", "docs/nfrun-format.md"]);
  meta.free();
  db.run("COMMIT");
  db.run(VIEWS);
}

export interface RunStart {
  readonly runId: string;
  readonly startedMs: number;
  readonly trainer: Trainer;
  readonly model: Model;
  readonly data: Dataset;
  readonly config: unknown;
  readonly seed: number | undefined;
  readonly policy: RecordingPolicy;
  readonly neurons: readonly RecordedNeuron[];
  readonly sampleCap: number;
  readonly rowCap: number;
  readonly blockCap: number;
  readonly strategy: StrategyRow;
  /** The first n values of a dataset array, copied for the writer thread (WriterHandle.copy: into memory a previous run handed back). */
  readonly copy: (a: Float64Array, n: number) => Float64Array;
}

const RUN_COLUMNS =
  "run_id, status, created_at, started_ms, engine_version, seed, config_json, config_hash, loss, batch_size, inputs, outputs, " +
  "weight_count, neuron_count, strategy_id, strategy_name, strategy_formula, audit_columns, hyperparameters, state_per_weight, " +
  "state_per_neuron, state_global, policy_json";

/** The run's metadata as plain data for the writer thread (the runs row says 'interrupted' until the final checkpoint). */
export function runMeta(r: RunStart): RunMeta {
  const { trainer, model, data, runId } = r;
  const test = trainer.test;
  const strategy = trainer.strategy;
  return {
    runId,
    startedMs: r.startedMs,
    run: [
      runId,
      "interrupted",
      new Date(r.startedMs).toISOString(),
      r.startedMs,
      ENGINE_VERSION,
      r.seed ?? null,
      JSON.stringify(r.config),
      configHash(r.config),
      trainer.loss.name,
      trainer.batchSize,
      model.spec.inputs,
      model.outputs,
      model.weightCount,
      model.neuronCount,
      strategy.id,
      strategy.name,
      strategy.formula,
      JSON.stringify(strategy.audit),
      JSON.stringify(trainer.hyperparameters),
      JSON.stringify(Object.keys(trainer.state.perWeight)),
      JSON.stringify(Object.keys(trainer.state.perNeuron)),
      JSON.stringify(Object.keys(trainer.state.global)),
      JSON.stringify(r.policy),
    ],
    layers: model.layers.map((l) => ({ index: l.index, inputs: l.inputs, units: l.units, activation: l.activation.name, offset: l.offset, neuronOffset: l.neuronOffset })),
    neurons: r.neurons,
    dataset: {
      name: data.name,
      count: data.count,
      inputSize: data.inputSize,
      targetSize: data.targetSize,
      inputNames: JSON.stringify(data.inputNames),
      targetNames: JSON.stringify(data.targetNames),
      x: r.copy(data.inputs, data.count * data.inputSize),
      y: r.copy(data.targets, data.count * data.targetSize),
    },
    test: test
      ? {
          name: test.name,
          count: test.count,
          inputSize: test.inputSize,
          targetSize: test.targetSize,
          x: r.copy(test.inputs, test.count * test.inputSize),
          y: r.copy(test.targets, test.count * test.targetSize),
        }
      : null,
    weightCount: model.weightCount,
    strategy: r.strategy,
    sampleCap: r.sampleCap,
    rowCap: r.rowCap,
    blockCap: r.blockCap,
  };
}

/** The buffers of the run's dataset copies (RunStart.copy): a start command transfers them, the writer thread hands them back. */
export function datasetBuffers(meta: RunMeta): ArrayBuffer[] {
  const sets = meta.test ? [meta.dataset, meta.test] : [meta.dataset];
  // Shared ones (datasetArray) were not copied: they are shared with the writer, never transferred.
  return sets.flatMap((d) => [d.x.buffer, d.y.buffer]).filter((b): b is ArrayBuffer => b instanceof ArrayBuffer);
}

/** Inserts the run's metadata rows: runs, layers, recorded neurons, strategy, and extends nf_index (the dataset: `insertDatasets`). */
export function insertRunMetadata(db: Database, m: RunMeta): void {
  const runId = m.runId;
  db.run(`INSERT INTO runs (${RUN_COLUMNS}) VALUES (${m.run.map(() => "?").join(",")})`, [...m.run]);
  const layer = db.prepare("INSERT INTO layers (run_id, layer, inputs, units, activation, weight_offset, neuron_offset) VALUES (?,?,?,?,?,?,?)");
  for (const l of m.layers) layer.run([runId, l.index, l.inputs, l.units, l.activation, l.offset, l.neuronOffset]);
  layer.free();
  const rn = db.prepare("INSERT INTO recorded_neurons (run_id, col, layer, neuron, weights) VALUES (?,?,?,?,?)");
  m.neurons.forEach((n, c) => rn.run([runId, c, n.layer, n.neuron, n.weights ? 1 : 0]));
  rn.free();
  const s = m.strategy;
  db.run("INSERT INTO strategies (run_id, strategy_id, builtin, declaration_json, source, source_hash, cell_source) VALUES (?,?,?,?,?,?,?)", [
    runId,
    s.strategyId,
    s.builtin ? 1 : 0,
    s.declarationJson,
    s.source,
    s.sourceHash,
    s.cellSource,
  ]);
  // nf_index must cover chunk positions and every layer's neurons and weights.
  const need = m.layers.reduce((n, l) => Math.max(n, l.units, l.inputs + 1), m.sampleCap);
  const have = Number(db.exec("SELECT count(*) FROM nf_index")[0]!.values[0]![0]);
  if (have < need) db.run("WITH RECURSIVE s(i) AS (SELECT ? UNION ALL SELECT i + 1 FROM s WHERE i + 1 < ?) INSERT INTO nf_index (i) SELECT i FROM s", [have, need]);
}

/** The rows of a run's dataset and test set: their values in the stored form (dataset-codec.ts: palettes where they apply). */
export function datasetRows(m: RunMeta): { dataset: DigestValue[]; test: DigestValue[] | null } {
  const store = (a: Float64Array) => encodeValues(a, a.length);
  const d = m.dataset;
  const t = m.test;
  return {
    dataset: [d.name, d.count, d.inputSize, d.targetSize, d.inputNames, d.targetNames, store(d.x), store(d.y)],
    test: t ? [t.name, t.count, t.inputSize, t.targetSize, store(t.x), store(t.y)] : null,
  };
}

/** Inserts `datasetRows`' rows. */
export function insertDatasets(db: Database, runId: string, rows: ReturnType<typeof datasetRows>): void {
  db.run("INSERT INTO datasets (run_id, name, count, input_size, target_size, input_names, target_names, x, y) VALUES (?,?,?,?,?,?,?,?,?)", [runId, ...(rows.dataset as SqlValue[])]);
  if (rows.test) db.run("INSERT INTO test_sets (run_id, name, count, input_size, target_size, x, y) VALUES (?,?,?,?,?,?,?)", [runId, ...(rows.test as SqlValue[])]);
}

/** The config stored for a run when the caller gave none: derived from the trainer. */
export function defaultConfig(trainer: Trainer, data: Dataset, seed: number | undefined, epochs: number | undefined): unknown {
  return {
    model: trainer.model.spec,
    loss: trainer.loss.name,
    optimizer: { id: trainer.strategy.id, ...trainer.hyperparameters },
    batch_size: trainer.batchSize,
    seed: seed ?? null,
    epochs: epochs ?? null,
    dataset: data.name,
    ...trainerMechanismConfig(trainer),
  };
}
