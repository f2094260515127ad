import * as fs from "node:fs";
import type { Database, SqlJsStatic, Statement } from "sql.js";
import { f64Blob, i32Blob } from "./blob";
import { NfrunError } from "./errors";
import type { RecordedNeuron } from "./policy";
import type { ExportBuffer } from "./export-buffer";
import { commitViews, ROWS_PER_INSERT, sampleViews } from "./recorder-buffers";
import { RunDigest, SECTION_QUERIES, type DigestValue } from "./run-digest";
import { datasetBuffers, datasetRows, initSchema, insertDatasets, insertRunMetadata } from "./run-start";
import { APPENDABLE_VERSION, HEALTH_TABLES, INTEGRITY_TABLE, INTEGRITY_VERSION, OPTIONAL_TABLES, SCHEMA_VERSION, STRATEGY_TABLES, TEST_TABLES } from "./schema";
import { fitnessRow, HEALTH_INSERT, HEALTH_VALUES_INSERT, healthRows, NEURON_FITNESS_INSERT } from "./health-rows";
import { checkHeader, checkTables } from "./validate";
import { writeFileAtomicAsync } from "./spare-file";
import { createWorkingDb, loadWorkingDb } from "./working-db";
import type { CheckpointInfo, RecordStatus, RunMeta, RunProgress, WriterCommand } from "./writer-protocol";

type Command<K extends WriterCommand["kind"]> = Extract<WriterCommand, { kind: K }>;

/** Side of the square tiles `transpose` works in: a tile's reads and writes stay in the L1 cache. */
const TILE = 32;

/**
 * out[w · C + k] = adj[k · W + w] for weights lo ≤ w < hi of C commits: the commit-major buffer turned
 * weight-major in one tiled pass, so each neuron's block is then a contiguous slice of `out`. (Per
 * neuron, a strided gather swept the whole buffer once per neuron, missing the cache on every read:
 * ~10 ms per run of (a), against ~1 ms.)
 */
function transpose(adj: Float64Array, W: number, C: number, lo: number, hi: number, out: Float64Array): void {
  for (let k0 = 0; k0 < C; k0 += TILE) {
    const k1 = Math.min(C, k0 + TILE);
    for (let w0 = lo; w0 < hi; w0 += TILE) {
      const w1 = Math.min(hi, w0 + TILE);
      for (let k = k0; k < k1; k++) for (let w = w0, from = k * W + w0; w < w1; w++, from++) out[w * C + k] = adj[from]!;
    }
  }
}

/**
 * The transposed adjustments of the block being inserted: one array for the writer thread's runs (they
 * take turns, and sql.js copies a BLOB when binding it), kept from run to run so the next run does not
 * first-touch fresh memory again.
 */
let scratch = new Float64Array(0);
function transposed(n: number): Float64Array {
  if (scratch.length < n) scratch = new Float64Array(n);
  return scratch;
}

/**
 * The writer side of one recorded run: owns the SQLite working database (working-db.ts), turns the
 * recorder's chunks into rows and writes checkpoints (the whole database exported, written to a
 * temporary file, fsync, renamed over the file). It runs on the writer thread (writer-worker.ts);
 * commands arrive in the order the training thread posted them.
 */
export class RunWriter {
  private meta: RunMeta | null = null;
  /** Prepared once per run and reused: preparing costs more than a small row's insert. */
  private readonly statements = new Map<string, Statement>();
  private params: (string | number)[] = [];
  /** The whole-run digest, extended row by row as they are inserted (./run-digest). */
  private digest = new RunDigest();
  /** The dataset rows are still to be written (settleDatasets). */
  private datasetsPending = false;

  private constructor(
    private readonly db: Database,
    readonly path: string,
    private readonly exporter: ExportBuffer,
  ) {}

  /** Opens (or creates) `path` for recording a new run. An existing file must be a valid .nfrun. */
  static open(SQL: SqlJsStatic, path: string, exporter: ExportBuffer): RunWriter {
    let existing: Uint8Array | null = null;
    try {
      existing = fs.readFileSync(path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw new NfrunError("io", (e as Error).message, path);
    }
    if (!existing) {
      const db = createWorkingDb(SQL).db;
      initSchema(db);
      return new RunWriter(db, path, exporter);
    }
    checkHeader(existing, path);
    const version = new DataView(existing.buffer, existing.byteOffset, existing.byteLength).getUint32(60);
    if (version < APPENDABLE_VERSION || version > SCHEMA_VERSION) {
      throw new NfrunError("older-version", `written with .nfrun schema version ${version}; record into a new file (this NeuroForge writes version ${SCHEMA_VERSION})`, path);
    }
    const db = loadWorkingDb(SQL, existing, path).db;
    try {
      checkTables(db, path);
      db.run(OPTIONAL_TABLES);
      // Versions 3 to 6 only added tables and 7 a hash for new runs' digests: an older appendable file gains the tables and becomes the current version.
      if (version < SCHEMA_VERSION) {
        db.run(STRATEGY_TABLES);
        db.run(INTEGRITY_TABLE);
        db.run(TEST_TABLES);
        db.run(HEALTH_TABLES);
        // Its runs were recorded without the whole-run digest: verify notes them as not proven instead of failing them.
        if (version < INTEGRITY_VERSION) {
          db.run(
            `INSERT OR REPLACE INTO nf_meta (key, value) SELECT 'runs_before_digest', json_group_array(run_id) FROM
               (SELECT run_id FROM runs UNION SELECT value FROM json_each(coalesce((SELECT value FROM nf_meta WHERE key = 'runs_before_digest'), '[]')))`,
          );
        }
        db.run(`PRAGMA user_version = ${SCHEMA_VERSION}`);
        db.run("UPDATE nf_meta SET value = ? WHERE key = 'schema_version'", [String(SCHEMA_VERSION)]);
      }
    } catch (e) {
      db.close();
      throw e;
    }
    return new RunWriter(db, path, exporter);
  }

  /** Applies one command; only a checkpoint or the finish waits (for its file writes) and gives back what it wrote. */
  apply(c: WriterCommand): Promise<CheckpointInfo | null> | null {
    switch (c.kind) {
      case "start":
        return this.start(c), null;
      case "samples":
        return this.samples(c), null;
      case "commits":
        return this.commits(c), null;
      case "snapshot":
        return this.snapshot(c), null;
      case "rates":
        this.prepared("INSERT OR REPLACE INTO learning_rate_changes (run_id, t, rates) VALUES (?, ?, ?)").run([this.run.runId, c.t, f64Blob(c.rates)]);
        return this.digest.add("learning_rate_changes", [c.t, c.t, f64Blob(c.rates)]), null;
      case "epoch":
        return this.epoch(c), null;
      case "test_metrics": {
        const row = [c.epoch, c.t, c.samples, c.loss, c.accuracy];
        this.prepared("INSERT INTO test_metrics (run_id, epoch, t, samples, loss, accuracy) VALUES (?,?,?,?,?,?)").run([this.run.runId, ...row]);
        return this.digest.add("test_metrics", row), null;
      }
      case "event":
        return this.event(c), null;
      case "health":
        return this.health(c), null;
      case "fitness": {
        const row = fitnessRow(c.record);
        this.prepared(NEURON_FITNESS_INSERT).run([this.run.runId, ...row]);
        return this.digest.add("neuron_fitness", row), null;
      }
      case "checkpoint":
        return this.checkpoint(c.status, c.progress);
      case "finish":
        return this.finish(c.status, c.progress);
      case "open":
        throw new Error("writer: open is not a run command");
    }
  }

  private prepared(sql: string): Statement {
    let s = this.statements.get(sql);
    if (!s) this.statements.set(sql, (s = this.db.prepare(sql)));
    return s;
  }

  private get run(): RunMeta {
    if (!this.meta) throw new Error("writer: the run has not started");
    return this.meta;
  }

  private start(c: Command<"start">): void {
    this.meta = c.meta;
    this.params = new Array(1 + 8 * ROWS_PER_INSERT).fill(0);
    this.db.run("BEGIN");
    insertRunMetadata(this.db, c.meta);
    const m = c.meta;
    const d = new RunDigest();
    for (const l of m.layers) d.add("layers", [l.index, l.inputs, l.units, l.activation, l.offset, l.neuronOffset]);
    m.neurons.forEach((n, col) => d.add("recorded_neurons", [col, n.layer, n.neuron, n.weights ? 1 : 0]));
    const st = m.strategy;
    d.add("strategies", [st.strategyId, st.builtin ? 1 : 0, st.declarationJson, st.source, st.sourceHash, st.cellSource]);
    this.digest = d;
    this.datasetsPending = true;
  }

  /**
   * Encodes and inserts the run's dataset (and test set) once, when the writer thread is idle or before
   * the first checkpoint: encoding MNIST's digits takes ~40–60 ms, which at the run's start stalled
   * training (its chunk buffers all in flight) and in an idle moment costs nothing. Returns the dataset
   * copies' buffers to hand back to the training thread (none when already done).
   */
  settleDatasets(): ArrayBuffer[] {
    if (!this.datasetsPending || !this.meta) return [];
    const rows = datasetRows(this.meta);
    insertDatasets(this.db, this.meta.runId, rows);
    this.datasetsPending = false;
    this.digest.add("datasets", rows.dataset);
    if (rows.test) this.digest.add("test_sets", rows.test);
    return datasetBuffers(this.meta);
  }

  /** One sample_chunks row (the chunk's arrays are bound as views; sql.js copies them). */
  private samples(c: Command<"samples">): void {
    const m = this.run;
    const R = m.neurons.length;
    const v = sampleViews(c.buffer, m.sampleCap, R);
    const n = c.n;
    const row = [c.epoch, c.first, n, i32Blob(v.sample, n), f64Blob(v.loss, n), f64Blob(v.a, n * R), f64Blob(v.blame, n * R)];
    this.prepared("INSERT INTO sample_chunks (run_id, epoch, first_position, count, sample, loss, a, blame) VALUES (?,?,?,?,?,?,?,?)").run([m.runId, ...row]);
    this.digest.add("sample_chunks", row);
  }

  /** The per-commit rows (multi-row INSERTs) and one adjustment block per recorded neuron, weight-major. */
  private commits(c: Command<"commits">): void {
    const m = this.run;
    const W = m.weightCount;
    const { ints, reals, adj } = commitViews(c.buffer, m.rowCap, m.blockCap, W);
    if (c.rows > 0) {
      const cols = "(run_id, t, epoch, batch, count, loss, lr_scale, grad_norm, step_norm)";
      const values = (k: number) => Array.from({ length: k }, () => "(?1,?,?,?,?,?,?,?,?)").join(",");
      const many = this.prepared(`INSERT INTO commits ${cols} VALUES ${values(ROWS_PER_INSERT)}`);
      const one = this.prepared(`INSERT INTO commits ${cols} VALUES ${values(1)}`);
      const p = this.params;
      p[0] = m.runId;
      const row: DigestValue[] = new Array(8);
      for (let r = 0; r < c.rows; r++) {
        for (let j = 0; j < 4; j++) row[j] = ints[4 * r + j]!;
        for (let j = 0; j < 4; j++) row[4 + j] = reals[4 * r + j]!;
        this.digest.add("commits", row);
      }
      let r = 0;
      while (r < c.rows) {
        const k = c.rows - r >= ROWS_PER_INSERT ? ROWS_PER_INSERT : 1;
        for (let q = 0; q < k; q++, r++) {
          const o = 1 + 8 * q;
          for (let j = 0; j < 4; j++) p[o + j] = ints[4 * r + j]!;
          for (let j = 0; j < 4; j++) p[o + 4 + j] = reals[4 * r + j]!;
        }
        (k === ROWS_PER_INSERT ? many : one).run(k === ROWS_PER_INSERT ? p : p.slice(0, 9));
      }
    }
    const C = c.blockN;
    if (C === 0) return;
    // One row per recorded neuron, weight-major ([weight][commit]), so one weight's series is one substr.
    const block = this.prepared("INSERT INTO adjustment_blocks (run_id, first_t, commits, layer, neuron, adjustment) VALUES (?,?,?,?,?,?)");
    const out = transposed(C * W);
    const blocks = m.neurons.filter((n) => n.weights).map((n: RecordedNeuron) => {
      const l = m.layers[n.layer]!;
      const from = l.offset + n.neuron * (l.inputs + 1);
      return { n, from, to: from + l.inputs + 1 };
    });
    if (blocks.length === 0) return;
    // From the first recorded neuron's weights to the last one's (an unrecorded neuron's between are not stored).
    let lo = Infinity;
    let hi = -Infinity;
    for (const b of blocks) {
      lo = Math.min(lo, b.from);
      hi = Math.max(hi, b.to);
    }
    transpose(adj, W, C, lo, hi, out);
    for (const { n, from, to } of blocks) {
      const row = [c.firstT, C, n.layer, n.neuron, f64Blob(out.subarray(from * C, to * C))];
      block.run([m.runId, ...row]);
      this.digest.add("adjustment_blocks", row);
    }
  }

  private snapshot(c: Command<"snapshot">): void {
    const runId = this.run.runId;
    this.prepared("INSERT OR REPLACE INTO snapshots (run_id, t, epoch, weights, learning_rates, state, neuron_state, global_json) VALUES (?,?,?,?,?,?,?,?)").run([
      runId,
      c.t,
      c.epoch,
      f64Blob(c.weights),
      f64Blob(c.rates),
      f64Blob(c.state),
      f64Blob(c.neuronState),
      c.globalJson,
    ]);
    this.digest.add("snapshots", [c.t, c.t, c.epoch, f64Blob(c.weights), f64Blob(c.rates), f64Blob(c.state), f64Blob(c.neuronState), c.globalJson]);
    if (c.slow) {
      this.prepared("INSERT OR REPLACE INTO lookahead_slow (run_id, t, slow) VALUES (?,?,?)").run([runId, c.t, f64Blob(c.slow)]);
      this.digest.add("lookahead_slow", [c.t, c.t, f64Blob(c.slow)]);
    }
  }

  private event(c: Command<"event">): void {
    const row = [c.seq, c.timeMs, c.t, c.epoch, c.position, c.event, c.message, c.dataJson];
    this.prepared("INSERT INTO events (run_id, seq, time_ms, t, epoch, position, kind, message, data_json) VALUES (?,?,?,?,?,?,?,?,?)").run([this.run.runId, ...row]);
    this.digest.add("events", row);
  }

  /** One health measure: a `health` row and two `health_values` rows (weights, gradients) per layer. */
  private health(c: Command<"health">): void {
    const runId = this.run.runId;
    const rows = healthRows(c.t, c.layers);
    for (const row of rows.health) {
      this.prepared(HEALTH_INSERT).run([runId, ...row]);
      this.digest.add("health", row);
    }
    for (const row of rows.values) {
      this.prepared(HEALTH_VALUES_INSERT).run([runId, ...row]);
      this.digest.add("health_values", row);
    }
  }

  /** Recorded epochs: a row once per epoch (the digest keys it by epoch, as the table does). */
  private epoch(c: Command<"epoch">): void {
    this.prepared("INSERT OR IGNORE INTO recorded_epochs (run_id, epoch) VALUES (?, ?)").run([this.run.runId, c.epoch]);
    this.digest.add("recorded_epochs", [c.epoch, c.epoch]);
  }

  /**
   * The digest as of this checkpoint into run_integrity: the runs row as SQLite gives it back (with
   * this checkpoint's status and counters), then every section's row count and hash.
   */
  private seal(): void {
    const runId = this.run.runId;
    const stmt = this.prepared(SECTION_QUERIES.run);
    stmt.bind([runId]);
    stmt.step();
    this.digest.add("run", stmt.get());
    stmt.reset();
    const insert = this.prepared("INSERT OR REPLACE INTO run_integrity (run_id, section, rows, digest) VALUES (?,?,?,?)");
    for (const s of this.digest.seal()) insert.run([runId, s.section, s.rows, s.digest]);
  }

  /**
   * Writes the whole database atomically to disk. Commands arrive at commit or epoch boundaries, so
   * only complete commits are in the file. The copy says 'interrupted' until the final checkpoint.
   * The backup's pages go to the file as they come (ExportBuffer.exportTo, writeFileAtomicAsync).
   */
  async checkpoint(status: RecordStatus, p: RunProgress): Promise<CheckpointInfo> {
    const t0 = performance.now();
    this.settleDatasets(); // the writer thread settles them first, to hand their buffers back
    const m = this.run;
    const now = Date.now();
    this.db.run(
      "UPDATE runs SET status = ?, epochs_done = ?, commits = ?, samples_seen = ?, final_loss = ?, heartbeat_ms = ?, ended_ms = ?, seconds = ? WHERE run_id = ?",
      [status, p.epochsDone, p.commits, p.samplesSeen, Number.isFinite(p.finalLoss) ? p.finalLoss : null, now, status === "interrupted" ? null : now, (now - m.startedMs) / 1000, m.runId],
    );
    this.seal();
    this.db.run("COMMIT");
    const t1 = performance.now();
    const w = await writeFileAtomicAsync(this.path, (sink) => this.exporter.exportTo(this.db, sink));
    this.db.run("BEGIN");
    const timings = { flushMs: t1 - t0, exportMs: w.fillMs, writeMs: w.writeMs, fsyncMs: w.fsyncMs, renameMs: w.renameMs, totalMs: performance.now() - t0 };
    return { t: p.t, epoch: p.epoch, bytes: w.bytes, timings };
  }

  /** The final checkpoint (none when the run never started), then the database is closed. */
  async finish(status: RecordStatus, p: RunProgress | null): Promise<CheckpointInfo | null> {
    try {
      if (!p || !this.meta) return null;
      const info = await this.checkpoint(status, p);
      this.db.run("COMMIT");
      return info;
    } finally {
      for (const s of this.statements.values()) s.free();
      this.db.close();
    }
  }
}
