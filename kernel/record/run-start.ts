import type { Database } from "sql.js";
import type { Dataset } from "../engine/datasets/dataset";
import type { Model } from "../engine/model";
import type { Trainer } from "../engine/trainer";
import pkg from "../../package.json";
import { f64Blob } from "./blob";
import { configHash } from "./config-hash";
import type { RecordedNeuron, RecordingPolicy } from "./policy";
import { APPLICATION_ID, SCHEMA_VERSION, TABLES, VIEWS } from "./schema";
import { trainerMechanismConfig } from "./mechanisms";

export const ENGINE_VERSION: string = (pkg as { version: string }).version;

/** Creates the schema of a new .nfrun in an empty database: header ids, tables, nf_pow2, nf_meta, views. */
export function initSchema(db: Database): void {
  db.run(`PRAGMA application_id = ${APPLICATION_ID}; PRAGMA user_version = ${SCHEMA_VERSION};`);
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
  /** nf_index must reach at least this (chunk sample count). */
  readonly indexNeed: number;
}

/** The run's metadata rows: runs (status 'interrupted' until the final checkpoint), layers, recorded neurons, dataset, nf_index. */
export function insertRunMetadata(db: Database, r: RunStart): void {
  const { trainer, model, data, runId } = r;
  const strategy = trainer.strategy;
  db.run(
    `INSERT INTO runs (run_id, status, created_at, started_ms, engine_version, seed, config_json, config_hash, loss,
      batch_size, inputs, outputs, weight_count, neuron_count, strategy_id, strategy_name, strategy_formula,
      audit_columns, hyperparameters, state_per_weight, state_per_neuron, state_global, policy_json)
     VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
    [
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
  );
  const layer = db.prepare("INSERT INTO layers (run_id, layer, inputs, units, activation, weight_offset, neuron_offset) VALUES (?,?,?,?,?,?,?)");
  for (const l of model.layers) layer.run([runId, l.index, l.inputs, l.units, l.activation.name, l.offset, l.neuronOffset]);
  layer.free();
  const rn = db.prepare("INSERT INTO recorded_neurons (run_id, col, layer, neuron, weights) VALUES (?,?,?,?,?)");
  r.neurons.forEach((n, c) => rn.run([runId, c, n.layer, n.neuron, n.weights ? 1 : 0]));
  rn.free();
  db.run("INSERT INTO datasets (run_id, name, count, input_size, target_size, input_names, target_names, x, y) VALUES (?,?,?,?,?,?,?,?,?)", [
    runId,
    data.name,
    data.count,
    data.inputSize,
    data.targetSize,
    JSON.stringify(data.inputNames),
    JSON.stringify(data.targetNames),
    f64Blob(data.inputs, data.count * data.inputSize),
    f64Blob(data.targets, data.count * data.targetSize),
  ]);
  // nf_index must cover chunk positions and every layer's neurons and weights.
  const need = Math.max(r.indexNeed, ...model.layers.map((l) => Math.max(l.units, l.inputs + 1)));
  const have = Number(db.exec("SELECT count(*) FROM nf_index")[0]!.values[0]![0]);
  if (have < need) db.run("WITH RECURSIVE s(i) AS (SELECT ? UNION ALL SELECT i + 1 FROM s WHERE i + 1 < ?) INSERT INTO nf_index (i) SELECT i FROM s", [have, need]);
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
