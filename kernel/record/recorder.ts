import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import type { Database, SqlJsStatic, Statement } from "sql.js";
import type { Dataset } from "../engine/datasets/dataset";
import type { Model } from "../engine/model";
import type { CommitEvent, EpochEvent, SampleEvent, TrainingNotice, TrainingObserver } from "../engine/observer";
import type { FitResult, RunStatus, Trainer } from "../engine/trainer";
import pkg from "../../package.json";
import { f64Blob, i32Blob } from "./blob";
import { configHash } from "./config-hash";
import { NfrunError } from "./errors";
import { recordedNeurons, recordsEpoch, validatePolicy, type RecordedNeuron, type RecordingPolicy } from "./policy";
import { APPLICATION_ID, SCHEMA_VERSION, TABLES, VIEWS } from "./schema";
import { loadSqlJs, type SqlJsOptions } from "./sqljs";
import { checkHeader, checkTables } from "./validate";

export const ENGINE_VERSION: string = (pkg as { version: string }).version;

/** Status of a run in the file. On disk, a run being recorded reads 'interrupted' until its final checkpoint. */
export type RecordStatus = "running" | "completed" | "failed" | "interrupted";

export interface RecorderOptions {
  /** The samples the run trains on (stored once per run). */
  readonly data: Dataset;
  /** The resolved config (JSON-able); stored with its sha256 hash. Default: derived from the trainer. */
  readonly config?: unknown;
  readonly seed?: number;
  /** Planned epoch count (needed for the `last` epoch policy). */
  readonly epochs?: number;
  readonly policy?: RecordingPolicy;
  /** Write a checkpoint (atomic copy of the whole file) at least this often while training. Default 5 s. */
  readonly checkpointSeconds?: number;
  /** Also checkpoint every k epochs (0: off). */
  readonly checkpointEpochs?: number;
  /** Snapshot weights and optimizer state at least every this many commits (bounds replay length). Default 256. */
  readonly snapshotCommits?: number;
  readonly sqlJs?: SqlJsOptions;
  /** Called after each checkpoint reached the disk. */
  readonly onCheckpoint?: (info: { t: number; epoch: number; bytes: number }) => void;
}

const CHUNK_BYTES = 1 << 20;
const BLOCK_BYTES = 4 << 20;
const MAX_CHUNK_SAMPLES = 4096;
const COMMIT_BYTES = 16 << 20;

/** Writes `bytes` to `path` atomically: a temporary file beside it, fsync, rename over the target. */
export function writeFileAtomic(path: string, bytes: Uint8Array): void {
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = fs.openSync(tmp, "w");
  try {
    let off = 0;
    while (off < bytes.byteLength) off += fs.writeSync(fd, bytes, off, bytes.byteLength - off);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, path);
}

/**
 * Records one training run into a .nfrun file (appending to the file's runs if it exists). It is a
 * TrainingObserver: pass it to the Trainer, train, then call `finish`. Bulk numbers go into preallocated
 * typed arrays and are appended as BLOBs per chunk; checkpoints export the database atomically.
 */
export class RunRecorder implements TrainingObserver {
  readonly wantsCommitDetail = true;
  readonly runId: string = randomUUID();
  private readonly policy: RecordingPolicy;
  private readonly checkpointMs: number;
  private readonly checkpointEpochs: number;
  private readonly snapshotCommits: number;
  private stmts: { commit: Statement; chunk: Statement; block: Statement; event: Statement } | null = null;
  private started = false;
  private finished = false;
  private model!: Model;
  private trainer!: Trainer;
  private neurons: RecordedNeuron[] = [];
  /** Per layer: first column of its recorded neurons, the recorded neuron indices, whether all are. */
  private layerCols: { start: number; neurons: Int32Array; full: boolean }[] = [];
  private R = 0;
  private W = 0;
  // Sample chunk buffers.
  private chunkCap = 0;
  private chunkN = 0;
  private chunkFirst = 0;
  private cSample = new Int32Array(0);
  private cLoss = new Float64Array(0);
  private cZ = new Float64Array(0);
  private cA = new Float64Array(0);
  private cBlame = new Float64Array(0);
  // Adjustment block buffers.
  private blockCap = 0;
  private blockN = 0;
  private blockFirstT = 0;
  private adj = new Float64Array(0);
  private adjT = new Float64Array(0);
  private epoch = -1;
  private recording = false;
  private previousRecorded = false;
  private lastSnapshotT = -1;
  private lastCheckpoint = 0;
  private eventSeq = 0;
  private samplesSeen = 0;
  private epochsDone = 0;
  private finalLoss = NaN;
  private startedMs = 0;
  private nonfinite = false;
  private pendingBytes = 0;
  private capacity = 0;

  private constructor(
    private readonly SQL: SqlJsStatic,
    private db: Database,
    readonly path: string,
    private readonly options: RecorderOptions,
  ) {
    this.policy = options.policy ?? {};
    this.checkpointMs = (options.checkpointSeconds ?? 5) * 1000;
    this.checkpointEpochs = options.checkpointEpochs ?? 0;
    this.snapshotCommits = Math.max(1, options.snapshotCommits ?? 256);
  }

  /** Opens (or creates) `path` for recording a new run. An existing file must be a valid .nfrun. */
  static async create(path: string, options: RecorderOptions): Promise<RunRecorder> {
    const SQL = await loadSqlJs(options.sqlJs);
    let db: Database;
    let existing: Uint8Array | null = null;
    try {
      existing = fs.readFileSync(path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw new NfrunError("io", (e as Error).message, path);
    }
    if (existing) {
      checkHeader(existing, path);
      try {
        db = new SQL.Database(existing);
      } catch (e) {
        throw new NfrunError("corrupt", `SQLite cannot read the file: ${(e as Error).message}`, path);
      }
      checkTables(db, path);
    } else {
      db = new SQL.Database();
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
    const r = new RunRecorder(SQL, db, path, options);
    r.pragmas();
    return r;
  }

  private pragmas(): void {
    // A page cache large enough that SQLite never spills dirty pages mid-transaction (spilling through
    // sql.js's in-memory file system is ~10× slower); transactions are committed every COMMIT_BYTES.
    this.db.run("PRAGMA journal_mode = MEMORY; PRAGMA synchronous = OFF; PRAGMA cache_size = -65536;");
  }

  private prepare(): void {
    const db = this.db;
    this.stmts = {
      commit: db.prepare("INSERT INTO commits (run_id, t, epoch, batch, count, loss, lr_scale, grad_norm, step_norm) VALUES (?,?,?,?,?,?,?,?,?)"),
      chunk: db.prepare("INSERT INTO sample_chunks (run_id, epoch, first_position, count, sample, loss, z, a, blame) VALUES (?,?,?,?,?,?,?,?,?)"),
      block: db.prepare("INSERT INTO adjustment_blocks (run_id, first_t, commits, layer, neuron, adjustment) VALUES (?,?,?,?,?,?)"),
      event: db.prepare("INSERT INTO events (run_id, seq, time_ms, t, epoch, position, kind, message, data_json) VALUES (?,?,?,?,?,?,?,?,?)"),
    };
  }

  private freeStatements(): void {
    if (!this.stmts) return;
    for (const s of Object.values(this.stmts)) s.free();
    this.stmts = null;
  }

  // ---- run start -------------------------------------------------------------------------------

  private start(trainer: Trainer): void {
    this.started = true;
    this.trainer = trainer;
    const model = (this.model = trainer.model);
    const data = this.options.data;
    if (data.inputSize !== model.spec.inputs || data.targetSize !== model.outputs) {
      throw new RangeError("recorder: the dataset given to the recorder does not fit the trained model");
    }
    validatePolicy(this.policy, model, this.options.epochs);
    this.neurons = recordedNeurons(this.policy, model);
    this.R = this.neurons.length;
    this.W = model.weightCount;
    this.layerCols = model.layers.map((l) => {
      const cols = this.neurons.map((n, c) => ({ n, c })).filter((x) => x.n.layer === l.index);
      return {
        start: cols[0]?.c ?? 0,
        neurons: Int32Array.from(cols.map((x) => x.n.neuron)),
        full: cols.length === l.units,
      };
    });
    const perSample = 12 + 24 * this.R;
    this.chunkCap = Math.max(1, Math.min(MAX_CHUNK_SAMPLES, data.count, Math.floor(CHUNK_BYTES / perSample)));
    this.cSample = new Int32Array(this.chunkCap);
    this.cLoss = new Float64Array(this.chunkCap);
    this.cZ = new Float64Array(this.chunkCap * this.R);
    this.cA = new Float64Array(this.chunkCap * this.R);
    this.cBlame = new Float64Array(this.chunkCap * this.R);
    this.blockCap = Math.max(1, Math.min(1024, Math.floor(BLOCK_BYTES / (8 * this.W))));
    this.adj = new Float64Array(this.blockCap * this.W);
    this.adjT = new Float64Array(this.blockCap * Math.max(...model.layers.map((l) => l.inputs + 1)));

    const strategy = trainer.strategy;
    const config = this.options.config ?? {
      model: model.spec,
      loss: trainer.loss.name,
      optimizer: { id: strategy.id, ...trainer.hyperparameters },
      batch_size: trainer.batchSize,
      seed: this.options.seed ?? null,
      epochs: this.options.epochs ?? null,
      dataset: data.name,
    };
    const configJson = JSON.stringify(config);
    const hash = configHash(config);
    const db = this.db;
    this.startedMs = Date.now();
    this.lastCheckpoint = performance.now();
    db.run("BEGIN");
    db.run(
      `INSERT INTO runs (run_id, status, created_at, started_ms, engine_version, seed, config_json, config_hash, loss,
        batch_size, inputs, outputs, weight_count, neuron_count, strategy_id, strategy_name, strategy_formula,
        audit_columns, hyperparameters, state_per_weight, state_per_neuron, state_global, policy_json)
       VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
      [
        this.runId,
        "interrupted",
        new Date(this.startedMs).toISOString(),
        this.startedMs,
        ENGINE_VERSION,
        this.options.seed ?? null,
        configJson,
        hash,
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
        JSON.stringify(this.policy),
      ],
    );
    const layer = db.prepare("INSERT INTO layers (run_id, layer, inputs, units, activation, weight_offset, neuron_offset) VALUES (?,?,?,?,?,?,?)");
    for (const l of model.layers) layer.run([this.runId, l.index, l.inputs, l.units, l.activation.name, l.offset, l.neuronOffset]);
    layer.free();
    const rn = db.prepare("INSERT INTO recorded_neurons (run_id, col, layer, neuron, weights) VALUES (?,?,?,?,?)");
    this.neurons.forEach((n, c) => rn.run([this.runId, c, n.layer, n.neuron, n.weights ? 1 : 0]));
    rn.free();
    db.run("INSERT INTO datasets (run_id, name, count, input_size, target_size, input_names, target_names, x, y) VALUES (?,?,?,?,?,?,?,?,?)", [
      this.runId,
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
    const need = Math.max(this.chunkCap, ...model.layers.map((l) => Math.max(l.units, l.inputs + 1)));
    const have = Number(db.exec("SELECT count(*) FROM nf_index")[0]!.values[0]![0]);
    if (have < need) {
      const ix = db.prepare("INSERT INTO nf_index (i) VALUES (?)");
      for (let i = have; i < need; i++) ix.run([i]);
      ix.free();
    }
    // Re-open the database in a file buffer sized for the whole run: sql.js's in-memory file system
    // grows files by 12.5% steps, copying the whole file each time, which costs more than the recording.
    db.run("COMMIT");
    this.capacity = this.estimateBytes();
    this.reopen(db.export());
    this.db.run("BEGIN");
    this.prepare();
    this.event("start", `recording started (${this.R} of ${model.neuronCount} neurons, policy ${JSON.stringify(this.policy)})`, null);
  }

  /** Expected file size of the whole run (dataset, samples, adjustments, snapshots), for the file buffer. */
  private estimateBytes(): number {
    const data = this.options.data;
    const epochs = this.options.epochs ?? 1;
    const commits = Math.ceil(data.count / this.trainer.batchSize) * epochs;
    const perWeightState = Object.keys(this.trainer.state.perWeight).length;
    const bytes =
      (data.inputs.length + data.targets.length) * 8 +
      epochs * data.count * (12 + 24 * this.R) +
      commits * (this.W * 8 + 64) +
      (epochs + 2 + commits / this.snapshotCommits) * this.W * 8 * (2 + perWeightState);
    return Math.min(1 << 30, Math.max(16 << 20, Math.ceil(bytes * 1.15)));
  }

  /** Opens `bytes` as the working database inside a zero-padded buffer of `capacity` bytes. */
  private reopen(bytes: Uint8Array): void {
    this.db.close();
    const size = Math.max(this.capacity, Math.ceil(bytes.byteLength * 1.5));
    const padded = new Uint8Array(size);
    padded.set(bytes);
    this.db = new this.SQL.Database(padded);
    this.pragmas();
  }

  // ---- observer events -------------------------------------------------------------------------

  onSample(e: SampleEvent): void {
    if (!this.started) this.start(e.trainer);
    if (e.epoch !== this.epoch) this.startEpoch(e.epoch);
    this.samplesSeen++;
    if (!this.recording) return;
    if (this.chunkN === this.chunkCap) this.flushChunk();
    const n = this.chunkN++;
    if (n === 0) this.chunkFirst = e.position;
    this.cSample[n] = e.sample;
    this.cLoss[n] = e.loss;
    const model = this.model;
    const blame = e.trainer.blame.blame;
    const base = n * this.R;
    const layerCols = this.layerCols;
    for (let li = 0; li < layerCols.length; li++) {
      const lc = layerCols[li]!;
      const at = base + lc.start;
      if (lc.full) {
        this.cZ.set(model.z[li]!, at);
        this.cA.set(model.a[li]!, at);
        this.cBlame.set(blame[li]!, at);
      } else {
        const idx = lc.neurons;
        const z = model.z[li]!;
        const a = model.a[li]!;
        const d = blame[li]!;
        for (let c = 0; c < idx.length; c++) {
          const j = idx[c]!;
          this.cZ[at + c] = z[j]!;
          this.cA[at + c] = a[j]!;
          this.cBlame[at + c] = d[j]!;
        }
      }
    }
  }

  onCommit(e: CommitEvent): void {
    if (!this.started) this.start(e.trainer);
    if (e.epoch !== this.epoch) this.startEpoch(e.epoch);
    this.stmts!.commit.run([this.runId, e.t, e.epoch, e.batch, e.count, e.loss, e.lrScale, e.gradNorm, e.stepNorm]);
    if (this.recording && e.record) {
      if (this.blockN === 0) this.blockFirstT = e.t;
      this.adj.set(e.record.adjustment, this.blockN * this.W);
      if (++this.blockN === this.blockCap) this.flushBlock();
    }
    if (!Number.isFinite(e.gradNorm) || !Number.isFinite(e.stepNorm)) this.nonfinite = true;
    if (this.recording && e.t - this.lastSnapshotT >= this.snapshotCommits) {
      this.flushChunk();
      this.flushBlock();
      this.snapshot(e.t, e.epoch);
    }
    if (performance.now() - this.lastCheckpoint >= this.checkpointMs) this.checkpoint();
  }

  onEpoch(e: EpochEvent): void {
    this.flushChunk();
    this.flushBlock();
    this.epochsDone++;
    this.finalLoss = e.loss;
    if (this.checkpointEpochs > 0 && this.epochsDone % this.checkpointEpochs === 0) this.checkpoint();
  }

  onNotice(n: TrainingNotice): void {
    if (!this.started) return;
    if (n.kind === "nonfinite") this.nonfinite = true;
    this.event(n.kind, n.message, { epoch: n.epoch, position: n.position });
  }

  private startEpoch(epoch: number): void {
    this.flushChunk();
    this.flushBlock();
    this.epoch = epoch;
    this.recording = recordsEpoch(this.policy, epoch, this.options.epochs);
    const t = this.trainer.t;
    if (this.recording || this.previousRecorded) this.snapshot(t, epoch);
    if (this.recording) this.db.run("INSERT OR IGNORE INTO recorded_epochs (run_id, epoch) VALUES (?, ?)", [this.runId, epoch]);
    this.previousRecorded = this.recording;
  }

  // ---- buffers → blobs -------------------------------------------------------------------------

  private flushChunk(): void {
    const n = this.chunkN;
    if (n === 0) return;
    const R = this.R;
    this.stmts!.chunk.run([
      this.runId,
      this.epoch,
      this.chunkFirst,
      n,
      i32Blob(this.cSample, n),
      f64Blob(this.cLoss, n),
      f64Blob(this.cZ, n * R),
      f64Blob(this.cA, n * R),
      f64Blob(this.cBlame, n * R),
    ]);
    this.chunkN = 0;
    this.wrote(n * (12 + 24 * R));
  }

  /** Bounds a transaction's size (the page cache must hold all its dirty pages). */
  private wrote(bytes: number): void {
    this.pendingBytes += bytes;
    if (this.pendingBytes >= COMMIT_BYTES) {
      this.db.run("COMMIT");
      this.db.run("BEGIN");
      this.pendingBytes = 0;
    }
  }

  /** Writes the buffered commits' adjustments, one row per recorded neuron, weight-major ([weight][commit]). */
  private flushBlock(): void {
    const C = this.blockN;
    if (C === 0) return;
    const W = this.W;
    const adj = this.adj;
    const out = this.adjT;
    for (const n of this.neurons) {
      if (!n.weights) continue;
      const l = this.model.layers[n.layer]!;
      const m = l.inputs + 1;
      const base = l.offset + n.neuron * m;
      for (let w = 0; w < m; w++) for (let c = 0; c < C; c++) out[w * C + c] = adj[c * W + base + w]!;
      this.stmts!.block.run([this.runId, this.blockFirstT, C, n.layer, n.neuron, f64Blob(out, m * C)]);
    }
    this.blockN = 0;
    this.wrote(C * W * 8);
  }

  private snapshot(t: number, epoch: number): void {
    const state = this.trainer.state;
    const concat = (arrays: Float64Array[]) => {
      const out = new Float64Array(arrays.reduce((s, a) => s + a.length, 0));
      let o = 0;
      for (const a of arrays) {
        out.set(a, o);
        o += a.length;
      }
      return out;
    };
    this.db.run(
      "INSERT OR REPLACE INTO snapshots (run_id, t, epoch, weights, learning_rates, state, neuron_state, global_json) VALUES (?,?,?,?,?,?,?,?)",
      [
        this.runId,
        t,
        epoch,
        f64Blob(this.model.params),
        f64Blob(this.trainer.learningRates),
        f64Blob(concat(Object.values(state.perWeight))),
        f64Blob(concat(Object.values(state.perNeuron))),
        JSON.stringify(Object.entries(state.global).map(([k, v]) => [k, floatText(v)])),
      ],
    );
    this.lastSnapshotT = t;
  }

  private event(kind: string, message: string, data: unknown): void {
    this.stmts!.event.run([
      this.runId,
      this.eventSeq++,
      Date.now(),
      this.started ? this.trainer.t : null,
      this.epoch >= 0 ? this.epoch : null,
      (data as { position?: number } | null)?.position ?? null,
      kind,
      message,
      data === null ? null : JSON.stringify(data),
    ]);
  }

  // ---- durability ------------------------------------------------------------------------------

  private updateRunRow(status: RecordStatus): void {
    this.db.run(
      "UPDATE runs SET status = ?, epochs_done = ?, commits = ?, samples_seen = ?, final_loss = ?, heartbeat_ms = ?, ended_ms = ?, seconds = ? WHERE run_id = ?",
      [
        status,
        this.epochsDone,
        this.started ? this.trainer.t : 0,
        this.samplesSeen,
        Number.isFinite(this.finalLoss) ? this.finalLoss : null,
        Date.now(),
        status === "interrupted" ? null : Date.now(),
        (Date.now() - this.startedMs) / 1000,
        this.runId,
      ],
    );
  }

  /**
   * Flushes the buffers and writes the whole database atomically to disk. Only complete commits are
   * in the file (checkpoints happen at commit or epoch boundaries). The copy says 'interrupted' until
   * `finish` writes the final status, so a killed process leaves an honest file.
   */
  checkpoint(status: RecordStatus = "interrupted"): void {
    if (!this.started) return;
    this.flushChunk();
    this.flushBlock();
    this.updateRunRow(status);
    this.db.run("COMMIT");
    this.freeStatements();
    const bytes = this.db.export();
    writeFileAtomic(this.path, bytes);
    this.lastCheckpoint = performance.now();
    if (status === "interrupted" || status === "running") {
      this.reopen(bytes);
      this.db.run("BEGIN");
      this.prepare();
    }
    this.options.onCheckpoint?.({ t: this.trainer.t, epoch: this.epoch, bytes: bytes.byteLength });
  }

  /**
   * Ends the run: final snapshot (the final weights), final status, last checkpoint, database closed.
   * A diverged run (or a run that saw a non-finite value) is 'failed'; a stopped one 'interrupted'.
   */
  finish(result?: FitResult | RunStatus | "failed"): RecordStatus {
    if (this.finished) throw new Error("recorder: finish() called twice");
    this.finished = true;
    const engineStatus = typeof result === "string" ? result : result?.status ?? "completed";
    const status: RecordStatus =
      engineStatus === "diverged" || engineStatus === "failed" || this.nonfinite ? "failed" : engineStatus === "interrupted" ? "interrupted" : "completed";
    if (this.started) {
      this.flushChunk();
      this.flushBlock();
      this.snapshot(this.trainer.t, Math.max(0, this.epoch));
      this.event("end", `run ${status} after ${this.trainer.t} commits`, { status });
      this.checkpoint(status);
    }
    this.freeStatements();
    this.db.close();
    return status;
  }
}

/** Global state values as text that round-trips every double, including NaN and ±Infinity. */
export function floatText(v: number): string {
  return Number.isNaN(v) ? "NaN" : v === Infinity ? "Infinity" : v === -Infinity ? "-Infinity" : Object.is(v, -0) ? "-0" : String(v);
}

export function parseFloatText(s: string): number {
  return s === "-0" ? -0 : Number(s);
}

/** Convenience: a recorder for `path`. */
export function recordRun(path: string, options: RecorderOptions): Promise<RunRecorder> {
  return RunRecorder.create(path, options);
}
