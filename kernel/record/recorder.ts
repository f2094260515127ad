import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import type { Dataset } from "../engine/datasets/dataset";
import type { Model } from "../engine/model";
import type { CommitEvent, EpochEvent, SampleEvent, TrainingNotice, TrainingObserver } from "../engine/observer";
import type { FitResult, RunStatus, Trainer } from "../engine/trainer";
import { floatText } from "./float-text";
import { fitnessRecord } from "./health-rows";
import { RunFileLock } from "./run-lock";
import { formatBytes, MAX_RECORDING_BYTES, recordingSize, type RecordingSize } from "./recording-size";
import { NfrunError } from "./errors";
import { recordedNeurons, recordsEpoch, validatePolicy, type RecordedNeuron, type RecordingPolicy } from "./policy";
import { CommitBuffer, SampleChunkBuffer, sampleBytes } from "./recorder-buffers";
import { checkRecordable } from "./mechanisms";
import { datasetBuffers, defaultConfig, runMeta } from "./run-start";
import { strategyRow } from "./strategy-fingerprint";
import { cellSourceOf, registerStrategy } from "./strategy-registry";
import type { SqlJsOptions } from "./sqljs";
import type { CheckpointInfo, CheckpointTimings, RecordStatus, RunProgress } from "./writer-protocol";
import { WriterHandle } from "./writer-thread";

export { ENGINE_VERSION } from "./run-start";
export { writeFileAtomic } from "./spare-file";
export { floatText, parseFloatText } from "./float-text";

export type { CheckpointTimings, RecordStatus } from "./writer-protocol";

export interface RecorderOptions {
  /** The samples the run trains on (stored once per run). */
  readonly data: Dataset;
  /** The resolved config (JSON-able); stored with its sha256 hash. Default: derived from the trainer. */
  readonly config?: unknown;
  readonly seed?: number;
  /** Planned epoch count (needed for the `last` epoch policy). */
  readonly epochs?: number;
  readonly policy?: RecordingPolicy;
  /** Refuse (before training) a recording estimated larger than this. Default MAX_RECORDING_BYTES (1 GiB). */
  readonly maxBytes?: number;
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
   * between 64 and 256 commits.
   */
  readonly snapshotCommits?: number;
  readonly sqlJs?: SqlJsOptions;
  /**
   * The file's lock, when the caller took it for several runs (a multirun); the recorder then leaves
   * it held. Default: the recorder takes the lock itself and frees it when the run ends.
   */
  readonly lock?: RunFileLock;
  /** Called on the training thread once it learns a checkpoint reached the disk (at a later commit, or in `finish`). */
  readonly onCheckpoint?: (info: CheckpointInfo) => void;
}

/** Checkpoints take at most 1 / (1 + CHECKPOINT_SPACING) of the run's wall time. */
const CHECKPOINT_SPACING = 9;

/**
 * Records one training run into a .nfrun file (appending to the file's runs if it exists). It is a
 * TrainingObserver: pass it to the Trainer, train, then call `finish`. On the training thread it only
 * copies values into preallocated chunk buffers (recorder-buffers.ts) and hands full ones to the
 * writer thread (writer-thread.ts), which builds the run in an SQLite in-memory database and writes
 * the checkpoints (run-writer.ts) while training goes on.
 */
export class RunRecorder implements TrainingObserver {
  /** The recorder stores the adjustments (CommitEvent.adjustment) and replays the rest: no commit detail. */
  readonly wantsCommitDetail = false;
  /** It copies each sample's a and blames and each commit's adjustments, never the bank: the trainer may defer leverage. */
  readonly readsBank = false;
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
  /** A checkpoint was posted and the writer has not reported it yet. */
  private checkpointPending = false;
  private eventSeq = 0;
  private samplesSeen = 0;
  private epochsDone = 0;
  private finalLoss = NaN;
  private nonfinite = false;
  /** A snapshot due at a commit after which Lookahead syncs: taken after the sync (see onCommit). */
  private pendingSnapshot: { t: number; epoch: number } | null = null;
  /** Size and phase timings of the last checkpoint written (the final write after `finish`). */
  lastCheckpoint: ({ bytes: number } & CheckpointTimings) | null = null;

  private constructor(
    private readonly writer: WriterHandle,
    readonly path: string,
    private readonly options: RecorderOptions,
    /** The lock this recorder took (null: the caller's, or already freed). */
    private ownLock: RunFileLock | null,
  ) {
    this.policy = options.policy ?? {};
    this.checkpointMs = (options.checkpointSeconds ?? 5) * 1000;
    this.checkpointEpochs = options.checkpointEpochs ?? 0;
  }

  /**
   * Opens (or creates) `path` for recording a new run. Before this resolves: the file's lock is taken
   * (one writer per file, run-lock.ts; that also proves the folder writable) and an existing file is
   * checked to be a valid .nfrun. A new file is created by the writer thread while training starts.
   */
  static async create(path: string, options: RecorderOptions): Promise<RunRecorder> {
    const own = options.lock ? null : RunFileLock.acquire(path);
    try {
      const writer = WriterHandle.open(path, options.sqlJs);
      if (fs.existsSync(path)) await writer.ready();
      return new RunRecorder(writer, path, options, own);
    } catch (e) {
      own?.release();
      throw e;
    }
  }

  /** The writer is done with the file (finished, or failed): the next writer may take it. */
  private releaseLock(): void {
    this.ownLock?.release();
    this.ownLock = null;
  }

  // ---- run start -------------------------------------------------------------------------------

  /**
   * Throws when this recorder cannot record `trainer`'s run (data that does not fit the model, a bad
   * policy, a config that does not describe the trainer), and then gives the file up: nothing is
   * written and the next recorder may take the file. Runs at the first event; a caller may call it
   * before training to fail before anything is trained.
   */
  checkTrainer(trainer: Trainer): { config: unknown; neurons: RecordedNeuron[]; snapshotCommits: number } {
    try {
      const model = trainer.model;
      const data = this.options.data;
      if (data.inputSize !== model.spec.inputs || data.targetSize !== model.outputs) {
        throw new RangeError("recorder: the dataset given to the recorder does not fit the trained model");
      }
      validatePolicy(this.policy, model, this.options.epochs);
      const config = this.options.config ?? defaultConfig(trainer, data, this.options.seed, this.options.epochs);
      checkRecordable(trainer, config);
      const neurons = recordedNeurons(this.policy, model);
      const snapshotCommits = Math.max(1, this.options.snapshotCommits ?? defaultSnapshotCommits(trainer, neurons.length));
      this.refuseTooLarge(recordingSize({ trainer, policy: this.policy, neurons, epochs: this.options.epochs ?? 1, samples: data.count, snapshotCommits }));
      return { config, neurons, snapshotCommits };
    } catch (e) {
      this.abandon();
      throw e;
    }
  }

  /** A recording the writer could not hold in memory is refused with its estimated size and how to record less. */
  private refuseTooLarge(size: RecordingSize): void {
    const limit = this.options.maxBytes ?? MAX_RECORDING_BYTES;
    if (size.total <= limit) return;
    const parts = size.parts.filter((p) => p.bytes > 0).map((p) => `${formatBytes(p.bytes)} of ${p.what}`);
    throw new NfrunError(
      "too-large",
      `recording this run would take about ${formatBytes(size.total)} (${parts.join(", ")}), more than the recorder holds in memory (${formatBytes(limit)}). ` +
        "Record less: some epochs (policy epochs { first, every, last }; CLI --record-epochs last), some neurons (policy layers / neurons; CLI --record-layers, --record-neurons), or train a smaller model",
      this.path,
    );
  }

  /** Gives the file up without writing it (the run could not be recorded). */
  private abandon(): void {
    if (this.finished) return;
    this.finished = true;
    try {
      this.writer.finish({ kind: "finish", writer: this.writer.id, status: "failed", progress: null });
    } catch {
      // The writer's own error was already thrown at the training thread, or is about a file never written.
    } finally {
      this.releaseLock();
    }
  }

  private start(trainer: Trainer): void {
    const { config, neurons, snapshotCommits } = this.checkTrainer(trainer);
    this.started = true;
    this.trainer = trainer;
    const model = (this.model = trainer.model);
    const data = this.options.data;
    this.neurons = neurons;
    this.snapshotCommits = snapshotCommits;
    const R = this.neurons.length;
    this.samples = new SampleChunkBuffer(R, model, this.neurons, data.count, this.writer);
    this.commits = new CommitBuffer(model, this.writer, this.writer.id);
    this.nextCheckpoint = performance.now() + this.checkpointMs;
    const strategy = strategyRow(trainer.strategy, cellSourceOf(trainer.strategy));
    // A user's strategy: this process's readers (the notebook's audit, verify) replay with the live object.
    if (strategy.sourceHash) registerStrategy(strategy.sourceHash, trainer.strategy);
    const meta = runMeta({
      runId: this.runId,
      startedMs: Date.now(),
      trainer,
      model,
      data,
      config,
      seed: this.options.seed,
      policy: this.policy,
      neurons: this.neurons,
      sampleCap: this.samples.cap,
      rowCap: this.commits.rowCap,
      blockCap: this.commits.blockCap,
      strategy,
      copy: (a, n) => this.writer.copy(a, n),
    });
    this.writer.send({ kind: "start", writer: this.writer.id, meta }, datasetBuffers(meta));
    this.event("start", `recording started (${R} of ${model.neuronCount} neurons, policy ${JSON.stringify(this.policy)})`, null);
  }

  // ---- observer events -------------------------------------------------------------------------
  // After `finish` they are ignored: the trainer may go on, and the chunk buffers went back for reuse.

  onSample(e: SampleEvent): void {
    if (this.finished) return;
    if (!this.started) this.start(e.trainer);
    if (e.epoch !== this.epoch) this.startEpoch(e.epoch);
    this.samplesSeen++;
    if (!this.recording) return;
    const buf = this.samples!;
    if (buf.full) buf.flush(this.writer.id, this.epoch);
    buf.add(e.position, e.sample, e.loss, this.model.a, e.trainer.blame.blame);
  }

  onCommit(e: CommitEvent): void {
    if (this.finished) return;
    if (!this.started) this.start(e.trainer);
    if (e.epoch !== this.epoch) this.startEpoch(e.epoch);
    if (this.commits!.add(e, this.recording ? e.adjustment : null)) this.commits!.flush();
    if (!Number.isFinite(e.gradNorm) || !Number.isFinite(e.stepNorm)) this.nonfinite = true;
    // This commit's health measure and lifecycle evaluation, when there was one (tables health…, neuron_fitness).
    const { health, lifecycle } = e.trainer;
    if (health && health.latest[0]?.t === e.t) this.writer.send({ kind: "health", writer: this.writer.id, t: e.t, layers: health.latest }, []);
    if (lifecycle && lifecycle.evaluatedAt === e.t) this.writer.send({ kind: "fitness", writer: this.writer.id, record: fitnessRecord(lifecycle, e.t) }, []);
    // A network preconditioner's curvature estimate is stored by a snapshot after its refresh commit (precondition/network-curvature.ts).
    if (this.recording && (e.t - this.lastSnapshotT >= this.snapshotCommits || e.trainer.curvature?.refreshedAt === e.t)) {
      // Observers see a commit before Lookahead's sync (trainer.commit): a snapshot is the state after
      // commit t, so at a sync commit it waits for the lookahead_sync notice (dropped if no sync comes:
      // a non-finite commit ends the run, and finish() snapshots).
      const la = e.trainer.lookahead;
      if (la && e.t % la.k === 0) this.pendingSnapshot = { t: e.t, epoch: e.epoch };
      else this.snapshot(e.t, e.epoch);
    }
    this.pollWriter();
    if (!this.checkpointPending && performance.now() >= this.nextCheckpoint) this.checkpoint();
  }

  onEpoch(e: EpochEvent): void {
    if (this.finished) return;
    this.epochsDone++;
    this.finalLoss = e.loss;
    if (e.test && this.started) {
      // The weights the test split was evaluated with: a snapshot at the epoch's last commit (verify recomputes the metrics from it).
      const t = this.trainer.t;
      if (this.lastSnapshotT !== t) this.snapshot(t, e.epoch);
      const { samples, loss, accuracy } = e.test;
      this.writer.send({ kind: "test_metrics", writer: this.writer.id, epoch: e.epoch, t, samples, loss, accuracy }, []);
    }
    if (this.checkpointEpochs > 0 && this.epochsDone % this.checkpointEpochs === 0) this.checkpoint();
  }

  onNotice(n: TrainingNotice): void {
    if (this.finished) return;
    // A run whose first sample is already non-finite starts here: its file says why it failed.
    if (!this.started) this.start(n.trainer);
    if (n.epoch !== this.epoch) this.startEpoch(n.epoch);
    if (n.kind === "nonfinite") this.nonfinite = true;
    if (n.kind === "learning_rates" && n.t !== undefined) this.writer.send({ kind: "rates", writer: this.writer.id, t: n.t, rates: this.trainer.learningRates.slice() }, []);
    const lifecycle = n.lifecycle && this.trainer.lifecycle ? { lifecycle: { ...n.lifecycle, init: this.trainer.lifecycle.init, seed: this.trainer.lifecycle.options.seed } } : {};
    const sanitized = n.sanitized ? { sanitized: n.sanitized } : {};
    this.event(n.kind, n.message, { epoch: n.epoch, position: n.position, ...(n.t !== undefined ? { t: n.t } : {}), ...lifecycle, ...sanitized });
    const pending = this.pendingSnapshot;
    if (n.kind === "lookahead_sync" && pending && pending.t === n.t) {
      this.pendingSnapshot = null;
      this.snapshot(pending.t, pending.epoch);
    }
  }

  private startEpoch(epoch: number): void {
    // A sample chunk holds one epoch; commit buffers span epochs (they flush when full or at a checkpoint).
    if (this.started) this.samples!.flush(this.writer.id, this.epoch);
    this.epoch = epoch;
    this.recording = recordsEpoch(this.policy, epoch, this.options.epochs);
    const t = this.trainer.t;
    if (this.recording || this.previousRecorded) this.snapshot(t, epoch);
    if (this.recording) this.writer.send({ kind: "epoch", writer: this.writer.id, epoch }, []);
    this.previousRecorded = this.recording;
  }

  // ---- buffers → writer ------------------------------------------------------------------------

  /** Hands every buffered sample and commit to the writer. */
  private flush(): void {
    if (!this.started) return;
    this.samples!.flush(this.writer.id, this.epoch);
    this.commits!.flush();
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
    const la = this.trainer.lookahead;
    const c = {
      kind: "snapshot" as const,
      writer: this.writer.id,
      t,
      epoch,
      weights: this.model.params.slice(),
      rates: this.trainer.learningRates.slice(),
      state: concat(Object.values(state.perWeight)),
      neuronState: concat(Object.values(state.perNeuron)),
      globalJson: JSON.stringify(Object.entries(state.global).map(([k, v]) => [k, floatText(v)])),
      slow: la ? la.slow.slice() : null,
    };
    // Copied by postMessage, not transferred: many small (or empty) buffers in a transfer list cost more.
    this.writer.send(c, []);
    this.lastSnapshotT = t;
    this.pendingSnapshot = null;
  }

  private event(kind: string, message: string, data: unknown): void {
    this.writer.send(
      {
        kind: "event",
        writer: this.writer.id,
        seq: this.eventSeq++,
        timeMs: Date.now(),
        t: (data as { t?: number } | null)?.t ?? (this.started ? this.trainer.t : null),
        epoch: this.epoch >= 0 ? this.epoch : null,
        position: (data as { position?: number } | null)?.position ?? null,
        event: kind,
        message,
        dataJson: data === null ? null : JSON.stringify(data),
      },
      [],
    );
  }

  // ---- durability ------------------------------------------------------------------------------

  private progress(): RunProgress {
    return { epochsDone: this.epochsDone, commits: this.trainer.t, samplesSeen: this.samplesSeen, finalLoss: this.finalLoss, t: this.trainer.t, epoch: this.epoch };
  }

  /** Reads the writer's replies: reports written checkpoints, spaces the next one, throws a writer error. */
  private pollWriter(): void {
    let written: readonly CheckpointInfo[];
    try {
      written = this.writer.poll();
    } catch (e) {
      this.releaseLock();
      throw e;
    }
    for (const info of written) {
      this.checkpointPending = false;
      this.lastCheckpoint = { bytes: info.bytes, ...info.timings };
      // A checkpoint rewrites the whole file: the next waits at least 9× as long as this one took.
      this.nextCheckpoint = Math.max(this.nextCheckpoint, performance.now() + CHECKPOINT_SPACING * info.timings.totalMs);
      this.options.onCheckpoint?.(info);
    }
  }

  /**
   * Hands the buffers to the writer and asks it for a checkpoint: the whole database written atomically
   * to disk, holding exactly what was recorded up to this call (a commit or epoch boundary). The copy
   * says 'interrupted' until `finish` writes the final status, so a killed process leaves an honest
   * file. The writer thread does the work while training goes on.
   */
  checkpoint(): void {
    if (!this.started || this.finished) return;
    this.flush();
    this.checkpointPending = true;
    this.nextCheckpoint = performance.now() + this.checkpointMs;
    this.writer.send({ kind: "checkpoint", writer: this.writer.id, status: "interrupted", progress: this.progress() }, []);
  }

  /**
   * Ends the run: final snapshot (the final weights), final status, last checkpoint (waits for the
   * writer thread to write it), file closed. A diverged run (or a run that saw a non-finite value) is
   * 'failed'; a stopped one 'interrupted'.
   */
  finish(result?: FitResult | RunStatus | "failed"): RecordStatus {
    if (this.finished) throw new Error("recorder: finish() called twice");
    this.finished = true;
    const engineStatus = typeof result === "string" ? result : result?.status ?? "completed";
    const status: RecordStatus =
      engineStatus === "diverged" || engineStatus === "failed" || this.nonfinite ? "failed" : engineStatus === "interrupted" ? "interrupted" : "completed";
    if (this.started) {
      this.flush();
      this.samples!.close();
      this.commits!.close();
      this.snapshot(this.trainer.t, Math.max(0, this.epoch));
      this.event("end", `run ${status} after ${this.trainer.t} commits`, { status });
    }
    let info: CheckpointInfo | null;
    try {
      info = this.writer.finish({ kind: "finish", writer: this.writer.id, status, progress: this.started ? this.progress() : null });
    } finally {
      this.releaseLock();
    }
    this.pollWriter();
    if (info) {
      this.lastCheckpoint = { bytes: info.bytes, ...info.timings };
      this.options.onCheckpoint?.(info);
    }
    return status;
  }
}

/**
 * Snapshot spacing sized by cost: a snapshot stores weights, rates and per-weight state (8·W·(2+S) B);
 * the commits between two snapshots store W·8 B of adjustments plus the batch's samples. Spacing them
 * so snapshots add ~1/8 of that keeps files small and bounds a query's replay (64 … 256 commits).
 * Not fewer than 64: each snapshot costs a copy, a message and a row however small the model (2-8-8-1:
 * 16 → 64 took its recording from 43 % to 57 % of plain speed); replaying 64 commits is cheap.
 */
function defaultSnapshotCommits(trainer: Trainer, R: number): number {
  const W = trainer.model.weightCount;
  const snapshotBytes = 8 * W * (2 + Object.keys(trainer.state.perWeight).length) + 8 * trainer.model.neuronCount * Object.keys(trainer.state.perNeuron).length;
  const commitBytes = 8 * W + trainer.batchSize * sampleBytes(R);
  return Math.max(64, Math.min(256, Math.round((8 * snapshotBytes) / commitBytes)));
}

/** Convenience: a recorder for `path`. */
export function recordRun(path: string, options: RecorderOptions): Promise<RunRecorder> {
  return RunRecorder.create(path, options);
}
