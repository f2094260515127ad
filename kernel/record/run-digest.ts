import { createHash } from "node:crypto";
import xxhash, { type XXHashAPI } from "xxhash-wasm";
import { PERCENTILE_COLUMNS } from "./schema";

/**
 * The whole-run digest: per section of a run (its `runs` row, each table's rows of that run) the number
 * of rows and a hash over them. The writer thread extends it as it inserts rows and stores it in
 * `run_integrity` at every checkpoint and at the end; `verify` recomputes it from the file's rows and
 * names the section whose rows are missing, added or changed. It proves the file holds what the
 * recorder wrote, against accidents and edits, not against a forger who recomputes it: it is no signature,
 * so the hash need not be cryptographic. Runs recorded since schema version 7 use XXH64 (seed 0; stored
 * as `xxh64:` and 16 hex digits), ~4.5× faster than SHA-256 here (it hashed every byte of the file on the
 * writer thread: 18 % of its time for MNIST); earlier runs keep SHA-256 (64 hex digits), which `verify`
 * tells by the stored digest's form.
 *
 * Rows are encoded as the values SQLite gives back (what verify reads): numbers as float64 with NaN as
 * NULL and −0 as 0 (SQLite stores NaN as NULL and sql.js binds −0 as the integer 0), strings as UTF-8,
 * blobs as their bytes, each with a type tag and a length. Sections whose rows are written once, in
 * key order, are one running hash; rows a later write may replace (INSERT OR REPLACE/IGNORE: the runs
 * row at each checkpoint, snapshots, Lookahead slow weights, learning-rate changes, recorded epochs) are hashed per key and
 * combined in key order.
 */
export const SECTIONS = [
  "run",
  "layers",
  "recorded_neurons",
  "datasets",
  "recorded_epochs",
  "sample_chunks",
  "commits",
  "adjustment_blocks",
  "snapshots",
  "lookahead_slow",
  "strategies",
  "learning_rate_changes",
  "events",
  "test_sets",
  "test_metrics",
  "health",
  "health_values",
  "neuron_fitness",
] as const;
export type Section = (typeof SECTIONS)[number];

/** Sections added after the digest (schema versions 5 and 6): a run recorded before them has no digest of them and no rows. */
export const LATER_SECTIONS: ReadonlySet<Section> = new Set<Section>(["test_sets", "test_metrics", "health", "health_values", "neuron_fitness"]);

/** Sections keyed by one column (later writes replace a key's row). */
const KEYED: ReadonlySet<Section> = new Set<Section>(["run", "recorded_epochs", "snapshots", "lookahead_slow", "learning_rate_changes"]);

export type DigestValue = number | string | null | Uint8Array;

/** Each section's rows as `verify` reads them: columns in digest order, rows in write (key) order; the key first where keyed. */
export const SECTION_QUERIES: Readonly<Record<Section, string>> = {
  run: `SELECT 0, run_id, status, created_at, started_ms, ended_ms, seconds, engine_version, seed, config_json, config_hash, loss,
        batch_size, inputs, outputs, weight_count, neuron_count, strategy_id, strategy_name, strategy_formula, audit_columns,
        hyperparameters, state_per_weight, state_per_neuron, state_global, policy_json, epochs_done, commits, samples_seen,
        final_loss, heartbeat_ms FROM runs WHERE run_id = ?`,
  layers: "SELECT layer, inputs, units, activation, weight_offset, neuron_offset FROM layers WHERE run_id = ? ORDER BY layer",
  recorded_neurons: "SELECT col, layer, neuron, weights FROM recorded_neurons WHERE run_id = ? ORDER BY col",
  datasets: "SELECT name, count, input_size, target_size, input_names, target_names, x, y FROM datasets WHERE run_id = ?",
  recorded_epochs: "SELECT epoch, epoch FROM recorded_epochs WHERE run_id = ? ORDER BY epoch",
  sample_chunks: "SELECT epoch, first_position, count, sample, loss, a, blame FROM sample_chunks WHERE run_id = ? ORDER BY epoch, first_position",
  commits: "SELECT t, epoch, batch, count, loss, lr_scale, grad_norm, step_norm FROM commits WHERE run_id = ? ORDER BY t",
  adjustment_blocks: "SELECT first_t, commits, layer, neuron, adjustment FROM adjustment_blocks WHERE run_id = ? ORDER BY first_t, layer, neuron",
  snapshots: "SELECT t, t, epoch, weights, learning_rates, state, neuron_state, global_json FROM snapshots WHERE run_id = ? ORDER BY t",
  lookahead_slow: "SELECT t, t, slow FROM lookahead_slow WHERE run_id = ? ORDER BY t",
  strategies: "SELECT strategy_id, builtin, declaration_json, source, source_hash, cell_source FROM strategies WHERE run_id = ?",
  learning_rate_changes: "SELECT t, t, rates FROM learning_rate_changes WHERE run_id = ? ORDER BY t",
  events: "SELECT seq, time_ms, t, epoch, position, kind, message, data_json FROM events WHERE run_id = ? ORDER BY seq",
  test_sets: "SELECT name, count, input_size, target_size, x, y FROM test_sets WHERE run_id = ?",
  test_metrics: "SELECT epoch, t, samples, loss, accuracy FROM test_metrics WHERE run_id = ? ORDER BY epoch",
  health: "SELECT t, layer, activation_mean, activation_std, dormant FROM health WHERE run_id = ? ORDER BY t, layer",
  health_values: `SELECT t, layer, tensor, count, zeros, nan, inf, mean, std, ${PERCENTILE_COLUMNS.join(", ")}, hist_low, hist_high, hist
    FROM health_values WHERE run_id = ? ORDER BY t, layer, tensor DESC`,
  neuron_fitness: "SELECT t, fitness, grad_norm, activation_variance, stagnation, age, stage FROM neuron_fitness WHERE run_id = ? ORDER BY t",
};

/** The digest's hash function: XXH64 for runs recorded now, SHA-256 for runs of schema versions 4–6. */
export type DigestAlgorithm = "xxh64" | "sha256";

/** A running hash whose digest can be read at any time (the running hashes go on after a checkpoint). */
interface RunningHash {
  update(bytes: Uint8Array): void;
  digest(): string;
}

let xxh: XXHashAPI | null = null;
/** Blobs reach the WebAssembly hash in slices (it copies its input into its memory, which never shrinks). */
const SLICE = 1 << 20;

/** Loads the XXH64 WebAssembly module; once per process, before any RunDigest (the readers and the writer await it). */
export async function loadDigest(): Promise<void> {
  xxh ??= await xxhash();
}

function runningHash(algorithm: DigestAlgorithm): RunningHash {
  if (algorithm === "sha256") {
    const h = createHash("sha256");
    return { update: (b) => void h.update(b), digest: () => h.copy().digest("hex") };
  }
  if (!xxh) throw new Error("run digest: loadDigest() was not awaited");
  const h = xxh.create64();
  return {
    update(b) {
      for (let at = 0; at < b.byteLength; at += SLICE) h.update(b.subarray(at, Math.min(b.byteLength, at + SLICE)));
    },
    digest: () => `xxh64:${h.digest().toString(16).padStart(16, "0")}`,
  };
}

/** The algorithm a stored digest was made with, by its form. */
export function digestAlgorithm(stored: string): DigestAlgorithm {
  return stored.startsWith("xxh64:") ? "xxh64" : "sha256";
}

const NULL = 0;
const NUMBER = 1;
const TEXT = 2;
const BLOB = 3;
/** Scalars are gathered here and hashed in one update; blobs go to the hash directly. */
const SCRATCH = 1 << 16;

/**
 * Appends the encoding of rows to a hash. Numbers go in through a DataView, cheaper per value than
 * Buffer's writeDoubleLE (a run of the 2-8-8-1 benchmark encodes ~40,000 of them).
 */
class RowEncoder {
  private readonly buf = new Uint8Array(SCRATCH);
  private readonly view = new DataView(this.buf.buffer);
  private at = 0;

  /** Encodes `values[from …]` into `hash` (through the scratch: `flush` before reading the hash). */
  row(hash: RunningHash, values: readonly DigestValue[], from = 0): void {
    for (let i = from; i < values.length; i++) {
      const v = values[i]!;
      if (this.at > SCRATCH - 16) this.flush(hash);
      if (typeof v === "number") {
        if (Number.isNaN(v)) this.buf[this.at++] = NULL;
        else {
          this.buf[this.at] = NUMBER;
          this.view.setFloat64(this.at + 1, v === 0 ? 0 : v, true);
          this.at += 9;
        }
      } else if (v === null) this.buf[this.at++] = NULL;
      else this.bytes(hash, typeof v === "string" ? TEXT : BLOB, typeof v === "string" ? Buffer.from(v, "utf8") : v);
    }
  }

  private bytes(hash: RunningHash, tag: number, bytes: Uint8Array): void {
    this.buf[this.at] = tag;
    this.view.setUint32(this.at + 1, bytes.byteLength >>> 0, true);
    this.view.setUint32(this.at + 5, Math.floor(bytes.byteLength / 2 ** 32), true);
    this.at += 9;
    if (bytes.byteLength <= SCRATCH - this.at) {
      this.buf.set(bytes, this.at);
      this.at += bytes.byteLength;
    } else {
      this.flush(hash);
      hash.update(bytes);
    }
  }

  flush(hash: RunningHash): void {
    if (this.at > 0) hash.update(this.buf.subarray(0, this.at));
    this.at = 0;
  }
}

/** The encoder of keyed rows: each is encoded into its own hash and flushed at once, so they share one. */
const keyedRows = new RowEncoder();

/** One section: a running hash over rows in write order, or per-key hashes combined in key order. */
class SectionDigest {
  private readonly hash: RunningHash;
  private readonly encoder: RowEncoder | null;
  private readonly keyed: Map<number, string> | null;
  private count = 0;

  constructor(
    keyed: boolean,
    private readonly algorithm: DigestAlgorithm,
  ) {
    this.hash = runningHash(algorithm);
    this.keyed = keyed ? new Map() : null;
    this.encoder = keyed ? null : new RowEncoder();
  }

  add(values: readonly DigestValue[]): void {
    if (!this.keyed) {
      this.count++;
      this.encoder!.row(this.hash, values);
      return;
    }
    const h = runningHash(this.algorithm);
    keyedRows.row(h, values, 1);
    keyedRows.flush(h);
    this.keyed.set(values[0] as number, h.digest());
  }

  get rows(): number {
    return this.keyed ? this.keyed.size : this.count;
  }

  digest(): string {
    if (!this.keyed) {
      this.encoder!.flush(this.hash);
      return this.hash.digest();
    }
    const h = runningHash(this.algorithm);
    const lines = [...this.keyed.keys()].sort((a, b) => a - b).map((k) => `${k}:${this.keyed!.get(k)}\n`);
    h.update(Buffer.from(lines.join(""), "utf8"));
    return h.digest();
  }
}

export interface SectionSeal {
  readonly section: Section;
  readonly rows: number;
  readonly digest: string;
}

/** The digest of one run, section by section. Keyed sections take the key as the row's first value. */
export class RunDigest {
  private readonly sections: Map<Section, SectionDigest>;

  constructor(algorithm: DigestAlgorithm = "xxh64") {
    this.sections = new Map(SECTIONS.map((s) => [s, new SectionDigest(KEYED.has(s), algorithm)]));
  }

  add(section: Section, values: readonly DigestValue[]): void {
    this.sections.get(section)!.add(values);
  }

  /** Rows and digest of every section as of now (the running hashes go on). */
  seal(): SectionSeal[] {
    return SECTIONS.map((section) => {
      const s = this.sections.get(section)!;
      return { section, rows: s.rows, digest: s.digest() };
    });
  }
}
