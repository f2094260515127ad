import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import type { Database, SqlJsStatic } from "sql.js";
import type { Dataset } from "../engine/datasets/dataset";
import type { Model } from "../engine/model";
import type { CommitEvent, EpochEvent, SampleEvent, TrainingNotice, TrainingObserver } from "../engine/observer";
import type { FitResult, RunStatus, Trainer } from "../engine/trainer";
import { f64Blob } from "./blob";
import { NfrunError } from "./errors";
import { floatText } from "./float-text";
import { recordedNeurons, recordsEpoch, validatePolicy, type RecordedNeuron, type RecordingPolicy } from "./policy";
import { CommitBuffer, SampleChunkBuffer, sampleBytes } from "./recorder-buffers";
import { checkRecordable } from "./mechanisms";
import { defaultConfig, initSchema, insertRunMetadata } from "./run-start";
import { loadSqlJs, type SqlJsOptions } from "./sqljs";
import { OPTIONAL_TABLES } from "./schema";
import { checkHeader, checkTables } from "./validate";
import { createWorkingDb, loadWorkingDb, writeFileAtomic } from "./working-db";

export { ENGINE_VERSION } from "./run-start";
export { writeFileAtomic } from "./working-db";
export { floatText, parseFloatText } from "./float-text";

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
  /**
   * Write a checkpoint (atomic copy of the whole file) at least this often while training. Default 5 s.
   * A checkpoint rewrites the whole file, so the next one waits at least 9× as long as the last one
   * took: checkpoints never take more than ~10 % of the run, however large the file grows.
   */
  readonly checkpointSeconds?: number;
  /** Also checkpoint every k epochs (0: off). */
  readonly checkpointEpochs?: number;
  /**
   * Snapshot weights and optimizer state at least every this many commits (bounds the replay a query
   * needs). Default: sized so snapshots add about 1/8 of the bytes of the commits between them,
   * between 16 and 256 commits.
   */
  readonly snapshotCommits?: number;
  readonly sqlJs?: SqlJsOptions;
  /** Called after each checkpoint reached the disk. */
  readonly onCheckpoint?: (info: { t: number; epoch: number; bytes: number; timings: CheckpointTimings }) => void;
}

/** Where a checkpoint's time went (ms): buffers → SQLite, database → bytes, write, fsync, rename. */
export interface CheckpointTimings {
  readonly flushMs: number;
  readonly exportMs: number;
  readonly writeMs: number;
  readonly fsyncMs: number;
  readonly renameMs: number;
  readonly totalMs: number;
}

/** Checkpoints take at most 1 / (1 + CHECKPOINT_SPACING) of the run's wall time. */
const CHECKPOINT_SPACING = 9;

/**
 * Records one training run into a .nfrun file (appending to the file's runs if it exists). It is a
 * TrainingObserver: pass it to the Trainer, train, then call `finish`. The run is built in an SQLite
 * in-memory database (working-db.ts); bulk numbers go into preallocated typed arrays and reach SQLite
 * as few large BLOBs (recorder-buffers.ts); checkpoints export the database atomically to the file.
 */
export class RunRecorder implements TrainingObserver {
  readonly wantsCommitDetail = true;
  readonly runId: string = randomUUID();
  private readonly policy: RecordingPolicy;
  private readonly checkpointMs: number;
  private readonly checkpointEpochs: number;
  private snapshotCommits = 256;
  private started = false;
  private finished = false;
  private model!: Model;
  private trainer!: Trainer;
  private neurons: RecordedNeuron[] = [];
  private samples: SampleChunkBuffer | null = null;
  private commits: CommitBuffer | null = null;
  private epoch = -1;
  private recording = false;
  private previousRecorded = false;
  private lastSnapshotT = -1;
  private nextCheckpoint = 0;
  private eventSeq = 0;
  private samplesSeen = 0;
  private epochsDone = 0;
  private finalLoss = NaN;
  private startedMs = 0;
  private nonfinite = false;
  /** A snapshot due at a commit after which Lookahead syncs: taken after the sync (see onCommit). */
  private pendingSnapshot: { t: number; epoch: number } | null = null;
  /** Size and phase timings of the last checkpoint written (the final write after `finish`). */
  lastCheckpoint: ({ bytes: number } & CheckpointTimings) | null = null;

  private constructor(
    private db: Database,
    readonly path: string,
    private readonly options: RecorderOptions,
  ) {
    this.policy = options.policy ?? {};
    this.checkpointMs = (options.checkpointSeconds ?? 5) * 1000;
    this.checkpointEpochs = options.checkpointEpochs ?? 0;
  }

  /** Opens (or creates) `path` for recording a new run. An existing file must be a valid .nfrun. */
  static async create(path: string, options: RecorderOptions): Promise<RunRecorder> {
    const SQL: SqlJsStatic = await loadSqlJs(options.sqlJs);
    let existing: Uint8Array | null = null;
    try {
      existing = fs.readFileSync(path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw new NfrunError("io", (e as Error).message, path);
    }
    let db: Database;
    if (existing) {
      checkHeader(existing, path);
      db = loadWorkingDb(SQL, existing, path).db;
      try {
        checkTables(db, path);
        db.run(OPTIONAL_TABLES);
      } catch (e) {
        db.close();
        throw e;
      }
    } else {
      db = createWorkingDb(SQL).db;
      initSchema(db);
    }
    return new RunRecorder(db, path, options);
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
    checkRecordable(trainer, this.options.config ?? defaultConfig(trainer, data, this.options.seed, this.options.epochs));
    this.neurons = recordedNeurons(this.policy, model);
    const R = this.neurons.length;
    this.samples = new SampleChunkBuffer(R, model, this.neurons, data.count);
    this.commits = new CommitBuffer(model, this.neurons);
    this.snapshotCommits = Math.max(1, this.options.snapshotCommits ?? defaultSnapshotCommits(trainer, R));
    this.startedMs = Date.now();
    this.nextCheckpoint = performance.now() + this.checkpointMs;
    this.db.run("BEGIN");
    insertRunMetadata(this.db, {
      runId: this.runId,
      startedMs: this.startedMs,
      trainer,
      model,
      data,
      config: this.options.config ?? defaultConfig(trainer, data, this.options.seed, this.options.epochs),
      seed: this.options.seed,
      policy: this.policy,
      neurons: this.neurons,
      indexNeed: this.samples.cap,
    });
    this.event("start", `recording started (${R} of ${model.neuronCount} neurons, policy ${JSON.stringify(this.policy)})`, null);
  }

  // ---- observer events -------------------------------------------------------------------------

  onSample(e: SampleEvent): void {
    if (!this.started) this.start(e.trainer);
    if (e.epoch !== this.epoch) this.startEpoch(e.epoch);
    this.samplesSeen++;
    if (!this.recording) return;
    const buf = this.samples!;
    if (buf.full) buf.flush(this.db, this.runId, this.epoch);
    buf.add(e.position, e.sample, e.loss, this.model.z, this.model.a, e.trainer.blame.blame);
  }

  onCommit(e: CommitEvent): void {
    if (!this.started) this.start(e.trainer);
    if (e.epoch !== this.epoch) this.startEpoch(e.epoch);
    if (this.commits!.add(e, this.recording && e.record ? e.record.adjustment : null)) this.commits!.flush(this.db, this.runId);
    if (!Number.isFinite(e.gradNorm) || !Number.isFinite(e.stepNorm)) this.nonfinite = true;
    if (this.recording && e.t - this.lastSnapshotT >= this.snapshotCommits) {
      // Observers see a commit before Lookahead's sync (trainer.commit): a snapshot is the state after
      // commit t, so at a sync commit it waits for the lookahead_sync notice (dropped if no sync comes:
      // a non-finite commit ends the run, and finish() snapshots).
      const la = e.trainer.lookahead;
      if (la && e.t % la.k === 0) this.pendingSnapshot = { t: e.t, epoch: e.epoch };
      else this.snapshot(e.t, e.epoch);
    }
    if (performance.now() >= this.nextCheckpoint) this.checkpoint();
  }

  onEpoch(e: EpochEvent): void {
    this.flush();
    this.epochsDone++;
    this.finalLoss = e.loss;
    if (this.checkpointEpochs > 0 && this.epochsDone % this.checkpointEpochs === 0) this.checkpoint();
  }

  onNotice(n: TrainingNotice): void {
    if (!this.started) return;
    if (n.kind === "nonfinite") this.nonfinite = true;
    this.event(n.kind, n.message, { epoch: n.epoch, position: n.position, ...(n.t !== undefined ? { t: n.t } : {}) });
    const pending = this.pendingSnapshot;
    if (n.kind === "lookahead_sync" && pending && pending.t === n.t) {
      this.pendingSnapshot = null;
      this.snapshot(pending.t, pending.epoch);
    }
  }

  private startEpoch(epoch: number): void {
    this.flush();
    this.epoch = epoch;
    this.recording = recordsEpoch(this.policy, epoch, this.options.epochs);
    const t = this.trainer.t;
    if (this.recording || this.previousRecorded) this.snapshot(t, epoch);
    if (this.recording) this.db.run("INSERT OR IGNORE INTO recorded_epochs (run_id, epoch) VALUES (?, ?)", [this.runId, epoch]);
    this.previousRecorded = this.recording;
  }

  // ---- buffers → rows --------------------------------------------------------------------------

  /** Writes every buffered sample and commit to the working database. */
  private flush(): void {
    if (!this.started) return;
    this.samples!.flush(this.db, this.runId, this.epoch);
    this.commits!.flush(this.db, this.runId);
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
    const la = this.trainer.lookahead;
    if (la) this.db.run("INSERT OR REPLACE INTO lookahead_slow (run_id, t, slow) VALUES (?,?,?)", [this.runId, t, f64Blob(la.slow)]);
    this.lastSnapshotT = t;
    this.pendingSnapshot = null;
  }

  private event(kind: string, message: string, data: unknown): void {
    this.db.run("INSERT INTO events (run_id, seq, time_ms, t, epoch, position, kind, message, data_json) VALUES (?,?,?,?,?,?,?,?,?)", [
      this.runId,
      this.eventSeq++,
      Date.now(),
      (data as { t?: number } | null)?.t ?? (this.started ? this.trainer.t : null),
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
    const t0 = performance.now();
    this.flush();
    this.updateRunRow(status);
    this.db.run("COMMIT");
    const t1 = performance.now();
    const bytes = this.db.export();
    const t2 = performance.now();
    const w = writeFileAtomic(this.path, bytes);
    if (status === "interrupted" || status === "running") this.db.run("BEGIN");
    const now = performance.now();
    this.nextCheckpoint = now + Math.max(this.checkpointMs, CHECKPOINT_SPACING * (now - t0));
    const timings = { flushMs: t1 - t0, exportMs: t2 - t1, ...w, totalMs: now - t0 };
    this.lastCheckpoint = { bytes: bytes.byteLength, ...timings };
    this.options.onCheckpoint?.({ t: this.trainer.t, epoch: this.epoch, bytes: bytes.byteLength, timings });
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
      this.flush();
      this.snapshot(this.trainer.t, Math.max(0, this.epoch));
      this.event("end", `run ${status} after ${this.trainer.t} commits`, { status });
      this.checkpoint(status);
    }
    this.samples?.release();
    this.commits?.release();
    this.db.close();
    return status;
  }
}

/**
 * Snapshot spacing sized by cost: a snapshot stores weights, rates and per-weight state (8·W·(2+S) B);
 * the commits between two snapshots store W·8 B of adjustments plus the batch's samples. Spacing them
 * so snapshots add ~1/8 of that keeps files small and bounds a query's replay (16 … 256 commits).
 */
function defaultSnapshotCommits(trainer: Trainer, R: number): number {
  const W = trainer.model.weightCount;
  const snapshotBytes = 8 * W * (2 + Object.keys(trainer.state.perWeight).length) + 8 * trainer.model.neuronCount * Object.keys(trainer.state.perNeuron).length;
  const commitBytes = 8 * W + trainer.batchSize * sampleBytes(R);
  return Math.max(16, Math.min(256, Math.round((8 * snapshotBytes) / commitBytes)));
}

/** Convenience: a recorder for `path`. */
export function recordRun(path: string, options: RecorderOptions): Promise<RunRecorder> {
  return RunRecorder.create(path, options);
}
