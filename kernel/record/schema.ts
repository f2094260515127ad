import { BASIS_POINTS } from "../engine/health/summary";
import { PALETTE_HEADER } from "./dataset-codec";

/**
 * The .nfrun schema, version 7 (documented in docs/nfrun-format.md; keep the two in step).
 * Bulk numbers are little-endian float64 (int32 for sample indices) in BLOBs; metadata are rows.
 * Views decode the blobs in plain SQL (no extension functions) so the sqlite3 CLI, Python's sqlite3
 * and sql.js all see per-weight rows.
 */

/** PRAGMA application_id: "NFR1". */
export const APPLICATION_ID = 0x4e465231;
/**
 * PRAGMA user_version. Version 7 changed only the whole-run digest's hash for new runs (XXH64; earlier runs keep
 * SHA-256, ./run-digest); version 6 added health and lifecycle series (HEALTH_TABLES); version 5 the test split (TEST_TABLES); version 4 added run_integrity (INTEGRITY_TABLE); version 3 the tables of
 * STRATEGY_TABLES (a version 2 or 3 file is upgraded in place when a run is appended: it only gains
 * tables, and its earlier runs are listed in nf_meta `runs_before_digest`). Version 2 dropped `sample_chunks.z`
 * (derivable: Σ inputs × weights + bias); readers still read version 1 files (they ignore its z
 * column), the recorder does not append to them.
 */
export const SCHEMA_VERSION = 7;

/** The oldest schema version the recorder appends runs to (upgrading it to SCHEMA_VERSION). */
export const APPENDABLE_VERSION = 2;

/**
 * Schema version 3: the strategy a run trained with, and learning rates changed during a run. Optional
 * for readers (older files lack them: every run then used a built-in strategy and its snapshots' rates).
 * - `strategies`: one row per run: its strategy's id, whether it is built in, its declaration (canonical
 *   JSON: id, name, formula, guidance, hyperparameters, state names, audit columns) and, for a user's
 *   strategy, its fingerprint `source` (declaration + the functions' code, kernel/record/strategy-fingerprint.ts),
 *   `source_hash` = sha256(source) and `cell_source` (the notebook cell that defined it). Never executed.
 * - `learning_rate_changes`: the per-weight rates (f64[W], before the schedule factor) from commit t + 1
 *   on, after `setLearningRate` changed them between commit t and t + 1.
 */
export const STRATEGY_TABLES = `
CREATE TABLE IF NOT EXISTS strategies (
  run_id TEXT PRIMARY KEY, strategy_id TEXT NOT NULL, builtin INTEGER NOT NULL, declaration_json TEXT NOT NULL,
  source TEXT, source_hash TEXT, cell_source TEXT);
CREATE TABLE IF NOT EXISTS learning_rate_changes (
  run_id TEXT NOT NULL, t INTEGER NOT NULL, rates BLOB NOT NULL,
  PRIMARY KEY (run_id, t));
`;

/**
 * The first schema version whose runs carry their whole-run digest (./run-digest): in a file of this
 * version or later a run without one fails `verify` unless nf_meta `runs_before_digest` lists it (a
 * run of an older file a run was appended to); older files verify with a note that their whole-run
 * integrity cannot be proven.
 */
export const INTEGRITY_VERSION = 4;

/** Schema version 4: per run and section, the rows and hash of the whole-run digest (SHA-256; XXH64 since version 7) (./run-digest). */
export const INTEGRITY_TABLE = `
CREATE TABLE IF NOT EXISTS run_integrity (
  run_id TEXT NOT NULL, section TEXT NOT NULL, rows INTEGER NOT NULL, digest TEXT NOT NULL,
  PRIMARY KEY (run_id, section));
`;

/**
 * Schema version 5: the test split of a run (optional for readers: older files and runs without a test
 * split have no rows).
 * - `test_sets`: the held-out samples the run was evaluated on (scaled as trained), one row per run.
 * - `test_metrics`: after each completed epoch, the test split's mean loss and accuracy (NULL for a
 *   regression loss) with the weights after commit `t`, the epoch's last (a snapshot at `t` holds them).
 */
export const TEST_TABLES = `
CREATE TABLE IF NOT EXISTS test_sets (
  run_id TEXT PRIMARY KEY, name TEXT NOT NULL, count INTEGER NOT NULL,
  input_size INTEGER NOT NULL, target_size INTEGER NOT NULL, x BLOB NOT NULL, y BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS test_metrics (
  run_id TEXT NOT NULL, epoch INTEGER NOT NULL, t INTEGER NOT NULL, samples INTEGER NOT NULL,
  loss REAL, accuracy REAL,
  PRIMARY KEY (run_id, epoch));
`;

/** The nine percentile columns of `health_values`, named by TensorBoard's basis points (p0 … p10000). */
export const PERCENTILE_COLUMNS: readonly string[] = BASIS_POINTS.map((bp) => `p${bp}`);

/**
 * Schema version 6: a run's health measures and lifecycle evaluations (optional for readers: older files
 * and runs without `health:` or `lifecycle:` have no rows; kernel/record/health-series.ts).
 * - `health`: per measured commit t and layer, the activations' mean and std over the commit's batch and
 *   ReDo's dormant fraction.
 * - `health_values`: per measured commit, layer and tensor (the layer's weights after the commit, the
 *   commit's batch-average gradients): count, zeros, NaN, ±Inf counts, mean and std of the finite values,
 *   the nine percentiles p0 … p10000, and a histogram (hist_low, hist_high, HISTOGRAM_BINS float64 counts;
 *   no bytes when no value is finite). NULL stands for NaN.
 * - `neuron_fitness`: per lifecycle evaluation t, f64[N] per neuron (flat order) of fitness and its terms
 *   and age after the evaluation's rebirths, and the stage as int32[N] (0 newborn, 1 mature, 2 senior, 3 dying).
 */
export const HEALTH_TABLES = `
CREATE TABLE IF NOT EXISTS health (
  run_id TEXT NOT NULL, t INTEGER NOT NULL, layer INTEGER NOT NULL,
  activation_mean REAL, activation_std REAL, dormant REAL,
  PRIMARY KEY (run_id, t, layer));
CREATE TABLE IF NOT EXISTS health_values (
  run_id TEXT NOT NULL, t INTEGER NOT NULL, layer INTEGER NOT NULL,
  tensor TEXT NOT NULL CHECK (tensor IN ('weights', 'gradients')),
  count INTEGER NOT NULL, zeros INTEGER NOT NULL, nan INTEGER NOT NULL, inf INTEGER NOT NULL, mean REAL, std REAL,
  ${PERCENTILE_COLUMNS.map((c) => `${c} REAL`).join(", ")},
  hist_low REAL, hist_high REAL, hist BLOB NOT NULL,
  PRIMARY KEY (run_id, t, layer, tensor));
CREATE TABLE IF NOT EXISTS neuron_fitness (
  run_id TEXT NOT NULL, t INTEGER NOT NULL,
  fitness BLOB NOT NULL, grad_norm BLOB NOT NULL, activation_variance BLOB NOT NULL, stagnation BLOB NOT NULL,
  age BLOB NOT NULL, stage BLOB NOT NULL,
  PRIMARY KEY (run_id, t));
`;

/**
 * Page size of new files (appending keeps a file's own). Bulk rows are BLOBs of tens to hundreds of KB
 * stored in overflow pages: 32 KiB pages make the writer's inserts and each checkpoint's export copy
 * 8× fewer pages than SQLite's default 4 KiB, for files ~8 % larger (each BLOB's last page is part empty).
 * Any page size reads the same (docs/nfrun-format.md).
 */
export const PAGE_SIZE = 32768;

export const REQUIRED_TABLES = [
  "nf_meta",
  "nf_pow2",
  "nf_index",
  "runs",
  "layers",
  "datasets",
  "recorded_neurons",
  "recorded_epochs",
  "sample_chunks",
  "commits",
  "adjustment_blocks",
  "snapshots",
  "events",
] as const;

/**
 * Tables added within schema version 1, optional for readers (files written before them lack them;
 * the recorder creates them in such a file when it appends a run): `lookahead_slow` holds the
 * Lookahead slow weights at each snapshot of a Lookahead run (f64[W], state after commit t).
 */
export const OPTIONAL_TABLES = `
CREATE TABLE IF NOT EXISTS lookahead_slow (
  run_id TEXT NOT NULL, t INTEGER NOT NULL, slow BLOB NOT NULL,
  PRIMARY KEY (run_id, t));
`;

export const TABLES = `
CREATE TABLE IF NOT EXISTS nf_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS nf_pow2 (k INTEGER PRIMARY KEY, v REAL NOT NULL);
CREATE TABLE IF NOT EXISTS nf_index (i INTEGER PRIMARY KEY);
CREATE TABLE IF NOT EXISTS runs (
  run_id TEXT PRIMARY KEY,
  status TEXT NOT NULL CHECK (status IN ('running', 'completed', 'failed', 'interrupted')),
  created_at TEXT NOT NULL,
  started_ms REAL NOT NULL,
  ended_ms REAL,
  seconds REAL,
  engine_version TEXT NOT NULL,
  seed INTEGER,
  config_json TEXT NOT NULL,
  config_hash TEXT NOT NULL,
  loss TEXT NOT NULL,
  batch_size INTEGER NOT NULL,
  inputs INTEGER NOT NULL,
  outputs INTEGER NOT NULL,
  weight_count INTEGER NOT NULL,
  neuron_count INTEGER NOT NULL,
  strategy_id TEXT NOT NULL,
  strategy_name TEXT NOT NULL,
  strategy_formula TEXT NOT NULL,
  audit_columns TEXT NOT NULL,
  hyperparameters TEXT NOT NULL,
  state_per_weight TEXT NOT NULL,
  state_per_neuron TEXT NOT NULL,
  state_global TEXT NOT NULL,
  policy_json TEXT NOT NULL,
  epochs_done INTEGER NOT NULL DEFAULT 0,
  commits INTEGER NOT NULL DEFAULT 0,
  samples_seen INTEGER NOT NULL DEFAULT 0,
  final_loss REAL,
  heartbeat_ms REAL
);
CREATE TABLE IF NOT EXISTS layers (
  run_id TEXT NOT NULL, layer INTEGER NOT NULL, inputs INTEGER NOT NULL, units INTEGER NOT NULL,
  activation TEXT NOT NULL, weight_offset INTEGER NOT NULL, neuron_offset INTEGER NOT NULL,
  PRIMARY KEY (run_id, layer));
CREATE TABLE IF NOT EXISTS datasets (
  run_id TEXT PRIMARY KEY, name TEXT NOT NULL, count INTEGER NOT NULL,
  input_size INTEGER NOT NULL, target_size INTEGER NOT NULL,
  input_names TEXT NOT NULL, target_names TEXT NOT NULL, x BLOB NOT NULL, y BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS recorded_neurons (
  run_id TEXT NOT NULL, col INTEGER NOT NULL, layer INTEGER NOT NULL, neuron INTEGER NOT NULL,
  weights INTEGER NOT NULL,
  PRIMARY KEY (run_id, col), UNIQUE (run_id, layer, neuron));
CREATE TABLE IF NOT EXISTS recorded_epochs (
  run_id TEXT NOT NULL, epoch INTEGER NOT NULL, PRIMARY KEY (run_id, epoch));
CREATE TABLE IF NOT EXISTS sample_chunks (
  run_id TEXT NOT NULL, epoch INTEGER NOT NULL, first_position INTEGER NOT NULL, count INTEGER NOT NULL,
  sample BLOB NOT NULL, loss BLOB NOT NULL, a BLOB NOT NULL, blame BLOB NOT NULL,
  PRIMARY KEY (run_id, epoch, first_position));
CREATE TABLE IF NOT EXISTS commits (
  run_id TEXT NOT NULL, t INTEGER NOT NULL, epoch INTEGER NOT NULL, batch INTEGER NOT NULL,
  count INTEGER NOT NULL, loss REAL, lr_scale REAL, grad_norm REAL, step_norm REAL,
  PRIMARY KEY (run_id, t));
CREATE TABLE IF NOT EXISTS adjustment_blocks (
  run_id TEXT NOT NULL, first_t INTEGER NOT NULL, commits INTEGER NOT NULL,
  layer INTEGER NOT NULL, neuron INTEGER NOT NULL, adjustment BLOB NOT NULL,
  PRIMARY KEY (run_id, layer, neuron, first_t));
CREATE TABLE IF NOT EXISTS snapshots (
  run_id TEXT NOT NULL, t INTEGER NOT NULL, epoch INTEGER NOT NULL,
  weights BLOB NOT NULL, learning_rates BLOB NOT NULL, state BLOB NOT NULL, neuron_state BLOB NOT NULL,
  global_json TEXT NOT NULL,
  PRIMARY KEY (run_id, t));
${OPTIONAL_TABLES}
${STRATEGY_TABLES}
${INTEGRITY_TABLE}
${TEST_TABLES}
${HEALTH_TABLES}
CREATE TABLE IF NOT EXISTS events (
  run_id TEXT NOT NULL, seq INTEGER NOT NULL, time_ms REAL NOT NULL, t INTEGER, epoch INTEGER,
  position INTEGER, kind TEXT NOT NULL, message TEXT NOT NULL, data_json TEXT,
  PRIMARY KEY (run_id, seq));
`;

/** One hex digit (1-based position p) of the 8 bytes at element `idx` of `blob`, as an integer 0–15. */
const digit = (p: number) => `(instr('0123456789ABCDEF', substr(h, ${p}, 1)) - 1)`;
const byte = (j: number) => `(${digit(2 * j + 1)} * 16 + ${digit(2 * j + 2)})`;

/**
 * Pure-SQL decode of the little-endian float64 at element `idx` of `blob`: the 16 hex digits of the
 * 8 bytes give sign, biased exponent e and 52-bit mantissa m by integer arithmetic; the value is
 * ±(2⁵² + m)·2^(e−1075) (normal) or ±m·2^−1074 (subnormal), both exact products of an integer < 2⁵³ and a
 * power of two from nf_pow2; e = 2047 is ±Inf (m = 0) or NaN (returned as NULL, as SQLite stores NaN).
 */
export function f64Sql(blob: string, idx: string): string {
  const e = `((( ${digit(15)} & 7) * 16 + ${digit(16)}) * 16 + ${digit(13)})`;
  const m =
    `(${digit(14)} * 281474976710656 + ${byte(5)} * 1099511627776 + ${byte(4)} * 4294967296 + ` +
    `${byte(3)} * 16777216 + ${byte(2)} * 65536 + ${byte(1)} * 256 + ${byte(0)})`;
  return (
    `(SELECT CASE WHEN e = 2047 THEN (CASE WHEN m <> 0 THEN NULL WHEN s THEN -9e999 ELSE 9e999 END) ` +
    `ELSE (CASE WHEN s THEN -1.0 ELSE 1.0 END) * ((CASE WHEN e = 0 THEN m ELSE 4503599627370496 + m END) * ` +
    `(SELECT v FROM nf_pow2 WHERE k = (CASE WHEN e = 0 THEN -1074 ELSE e - 1075 END))) END ` +
    `FROM (SELECT ${digit(15)} >= 8 AS s, ${e} AS e, ${m} AS m ` +
    `FROM (SELECT hex(substr(${blob}, 8 * (${idx}) + 1, 8)) AS h)))`
  );
}

/** Pure-SQL decode of the little-endian int32 at element `idx` (non-negative values, e.g. sample indices). */
export function i32Sql(blob: string, idx: string): string {
  return (
    `(SELECT ${byte(3)} * 16777216 + ${byte(2)} * 65536 + ${byte(1)} * 256 + ${byte(0)} ` +
    `FROM (SELECT hex(substr(${blob}, 4 * (${idx}) + 1, 4)) AS h))`
  );
}

/** Pure-SQL decode of the byte at `idx` of `blob`, as an integer 0–255. */
function u8Sql(blob: string, idx: string): string {
  return `(SELECT ${byte(0)} FROM (SELECT hex(substr(${blob}, (${idx}) + 1, 1)) AS h))`;
}

/**
 * Pure-SQL decode of value `idx` of a stored dataset array (dataset-codec.ts) of `n` values: raw float64,
 * or a palette (entry k is float64 element 1 + k; value i's entry is the byte at PALETTE_HEADER + i).
 */
function datasetValueSql(blob: string, n: string, idx: string): string {
  return `(CASE WHEN length(${blob}) = 8 * (${n}) THEN ${f64Sql(blob, idx)} ELSE ${f64Sql(blob, `1 + ${u8Sql(blob, `${PALETTE_HEADER} + ${idx}`)}`)} END)`;
}

export const VIEWS = `
DROP VIEW IF EXISTS v_sample;
CREATE VIEW v_sample AS
SELECT c.run_id, c.epoch, c.first_position + p.i AS position,
       ${i32Sql("c.sample", "p.i")} AS sample,
       (c.first_position + p.i) / r.batch_size AS batch,
       (c.first_position + p.i) % r.batch_size AS slot,
       ${f64Sql("c.loss", "p.i")} AS loss
FROM sample_chunks c JOIN runs r ON r.run_id = c.run_id JOIN nf_index p ON p.i < c.count;

DROP VIEW IF EXISTS v_sample_neuron;
CREATE VIEW v_sample_neuron AS
SELECT c.run_id, c.epoch, c.first_position + p.i AS position,
       ${i32Sql("c.sample", "p.i")} AS sample, n.layer, n.neuron,
       ${f64Sql("c.a", "p.i * (SELECT count(*) FROM recorded_neurons q WHERE q.run_id = c.run_id) + n.col")} AS a,
       ${f64Sql("c.blame", "p.i * (SELECT count(*) FROM recorded_neurons q WHERE q.run_id = c.run_id) + n.col")} AS blame
FROM sample_chunks c JOIN nf_index p ON p.i < c.count JOIN recorded_neurons n ON n.run_id = c.run_id;

DROP VIEW IF EXISTS v_leverage;
CREATE VIEW v_leverage AS
SELECT run_id, epoch, position, sample, batch, layer, neuron, weight, input, blame, input * blame AS leverage
FROM (
  SELECT run_id, epoch, position, sample, batch, layer, neuron, weight,
         CASE WHEN weight = inputs THEN 1.0
              WHEN layer = 0 THEN ${datasetValueSql("x", "x_count", "sample * input_size + weight")}
              ELSE ${f64Sql("a", "i * columns + (SELECT u.col FROM recorded_neurons u WHERE u.run_id = q.run_id AND u.layer = q.layer - 1 AND u.neuron = q.weight)")}
         END AS input,
         ${f64Sql("blame_chunk", "i * columns + col")} AS blame
  FROM (
    SELECT c.run_id, c.epoch, c.first_position + p.i AS position, p.i AS i,
           ${i32Sql("c.sample", "p.i")} AS sample,
           (c.first_position + p.i) / r.batch_size AS batch,
           n.layer, n.neuron, n.col, k.i AS weight, l.inputs, c.a, c.blame AS blame_chunk, d.x, d.count * d.input_size AS x_count, d.input_size,
           (SELECT count(*) FROM recorded_neurons q WHERE q.run_id = c.run_id) AS columns
    FROM sample_chunks c
    JOIN runs r ON r.run_id = c.run_id
    JOIN datasets d ON d.run_id = c.run_id
    JOIN nf_index p ON p.i < c.count
    JOIN recorded_neurons n ON n.run_id = c.run_id
    JOIN layers l ON l.run_id = c.run_id AND l.layer = n.layer
    JOIN nf_index k ON k.i <= l.inputs
  ) q
);

DROP VIEW IF EXISTS v_commit_weight;
CREATE VIEW v_commit_weight AS
SELECT m.run_id, m.t, m.epoch, m.batch, b.layer, b.neuron, k.i AS weight, m.count, m.lr_scale,
       ${f64Sql("b.adjustment", "k.i * b.commits + (m.t - b.first_t)")} AS adjustment
FROM adjustment_blocks b
JOIN commits m ON m.run_id = b.run_id AND m.t >= b.first_t AND m.t < b.first_t + b.commits
JOIN layers l ON l.run_id = b.run_id AND l.layer = b.layer
JOIN nf_index k ON k.i <= l.inputs;

DROP VIEW IF EXISTS v_snapshot_weight;
CREATE VIEW v_snapshot_weight AS
SELECT s.run_id, s.t, s.epoch, l.layer, j.i AS neuron, k.i AS weight,
       ${f64Sql("s.weights", "l.weight_offset + j.i * (l.inputs + 1) + k.i")} AS value,
       ${f64Sql("s.learning_rates", "l.weight_offset + j.i * (l.inputs + 1) + k.i")} AS learning_rate
FROM snapshots s
JOIN layers l ON l.run_id = s.run_id
JOIN nf_index j ON j.i < l.units
JOIN nf_index k ON k.i <= l.inputs;
`;
