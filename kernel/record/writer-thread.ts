import * as fs from "node:fs";
import * as path from "node:path";
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from "node:worker_threads";
import { NfrunError } from "./errors";
import type { ChunkSink } from "./recorder-buffers";
import type { SqlJsOptions } from "./sqljs";
import type { CheckpointInfo, WriterCommand, WriterReply } from "./writer-protocol";

/**
 * The training thread's side of the writer thread (writer-worker.ts). One worker per process, started
 * by the first recorder and kept (unref'd: it never keeps the process alive), so later runs reuse its
 * loaded sql.js and warm WebAssembly heap, as they would in-thread. Training is synchronous, so
 * replies are read with `receiveMessageOnPort` and waited for with `Atomics.wait` on a shared counter
 * the worker bumps after each reply; the training thread's event loop is never needed.
 */

/** Chunk buffers in flight per run and kind before the training thread waits for the writer. */
const MAX_BUFFERS = { samples: 8, commits: 3 } as const;
const NONE: readonly CheckpointInfo[] = Object.freeze([]);
/** How long a writer thread may take to load its script before waiting for it is given up. */
const STARTUP_MS = 30_000;
/** Chunk bytes queued before a batch is posted (see WriterHandle.send). */
const POST_BYTES = 1 << 20;

/** The worker's script: the bundle's sibling `nfrun-writer.js`, or the TypeScript source under tsx. */
function workerScript(): { file: string; eval: boolean } {
  if (__filename.endsWith(".ts")) {
    const source = path.join(__dirname, "writer-worker.ts");
    return { file: `require("tsx/cjs"); require(${JSON.stringify(source)});`, eval: true };
  }
  const bundled = path.join(__dirname, "nfrun-writer.js");
  if (!fs.existsSync(bundled)) throw new Error(`the .nfrun writer thread script is missing: ${bundled}`);
  return { file: bundled, eval: false };
}

class WriterThread {
  private static shared: WriterThread | null = null;
  private readonly port: MessagePort;
  private readonly worker: Worker;
  /** [0]: replies posted (the worker bumps it after each); [1]: 1 once the worker's script has loaded. */
  private readonly signal = new Int32Array(new SharedArrayBuffer(8));
  private readonly startedAt = performance.now();
  private nextId = 1;
  readonly runs = new Map<number, WriterHandle>();
  /**
   * The chunk buffers of the last run that finished, for the next run with buffers of the same size:
   * fresh memory costs the training thread its first touch (page faults: ~800 per run of the 2-8-8-1
   * benchmark). Kept like sql.js's heap, for the process's next run; at most one run's worth (its chunk
   * buffers and its dataset's copy).
   */
  private kept: ArrayBuffer[] = [];

  private constructor() {
    const channel = new MessageChannel();
    this.port = channel.port1;
    const script = workerScript();
    const worker = new Worker(script.file, { eval: script.eval, workerData: { port: channel.port2, signal: this.signal }, transferList: [channel.port2] });
    worker.unref();
    this.port.unref();
    worker.on("error", (e) => this.fail(`the .nfrun writer thread failed: ${e.message}`));
    worker.on("exit", (code) => this.fail(`the .nfrun writer thread exited (${code})`));
    this.worker = worker;
  }

  static get(): WriterThread {
    return (WriterThread.shared ??= new WriterThread());
  }

  /** A new run's handle; the worker opens (or creates) `file` for it. */
  open(file: string, sqlJs: SqlJsOptions | undefined): WriterHandle {
    const id = this.nextId++;
    const h = new WriterHandle(this, id, file);
    this.runs.set(id, h);
    this.post([{ kind: "open", writer: id, path: file, ...(sqlJs ? { sqlJs } : {}) }], []);
    return h;
  }

  post(commands: WriterCommand[], transfer: ArrayBuffer[]): void {
    this.worker.postMessage(commands, transfer);
  }

  /** A kept buffer of exactly `bytes`, if there is one. */
  reuse(bytes: number): ArrayBuffer | null {
    const i = this.kept.findIndex((b) => b.byteLength === bytes);
    return i < 0 ? null : this.kept.splice(i, 1)[0]!;
  }

  /** Keeps a finished run's buffers (in place of those kept before). */
  keep(buffers: ArrayBuffer[]): void {
    this.kept = buffers;
  }

  /** `drain`, only if the worker has replied since the last look (an atomic load: cheap enough per commit). */
  drainIfSignalled(): void {
    const s = Atomics.load(this.signal, 0);
    if (s === this.drained) return;
    this.drained = s;
    this.drain();
  }
  private drained = 0;

  /** Reads every reply that arrived and hands it to its run. */
  drain(): void {
    for (;;) {
      const m = receiveMessageOnPort(this.port);
      if (!m) return;
      const r = m.message as WriterReply;
      this.runs.get(r.writer)?.receive(r);
    }
  }

  /** Signal value; replies posted after reading it wake `waitAfter`. */
  seen(): number {
    return Atomics.load(this.signal, 0);
  }

  /**
   * Blocks the calling thread until the worker posts a reply after `seen` (or a second passes). A
   * worker whose script never loaded cannot say so (its 'error' event needs this thread's event loop),
   * hence the started flag: after STARTUP_MS without it, waiting is hopeless.
   */
  waitAfter(seen: number): void {
    Atomics.wait(this.signal, 0, seen, 1000);
    if (Atomics.load(this.signal, 1) === 0 && performance.now() - this.startedAt > STARTUP_MS) {
      this.fail(`the .nfrun writer thread did not start within ${STARTUP_MS / 1000} s`);
    }
  }

  /** The same, without blocking the event loop (kept alive meanwhile: the worker is unref'd). */
  async waitAfterAsync(seen: number): Promise<void> {
    const w = Atomics.waitAsync(this.signal, 0, seen, 1000);
    if (!w.async) return;
    this.worker.ref();
    try {
      await w.value;
    } finally {
      this.worker.unref();
    }
  }

  /** The worker died: every run still open fails with this message (events reach us only when the loop runs). */
  private fail(message: string): void {
    for (const h of this.runs.values()) h.receive({ kind: "error", writer: 0, errorKind: "io", message });
    if (WriterThread.shared === this) WriterThread.shared = null;
  }
}

/**
 * Starts the process's writer thread now (it loads sql.js), so the first recording does not wait for
 * it: a long-lived process that will record (the notebook kernel) calls this at startup.
 */
export function startWriterThread(): void {
  WriterThread.get();
}

/** One run's connection to the writer thread: posts commands, recycles buffers, surfaces checkpoints and errors. */
export class WriterHandle implements ChunkSink {
  private readonly free = { samples: [] as ArrayBuffer[], commits: [] as ArrayBuffer[], dataset: [] as ArrayBuffer[] };
  private readonly allocated = { samples: 0, commits: 0 };
  private opened = false;
  private error: NfrunError | null = null;
  private finished: { info: CheckpointInfo | null } | null = null;
  private readonly checkpoints: CheckpointInfo[] = [];

  constructor(
    private readonly thread: WriterThread,
    readonly id: number,
    readonly path: string,
  ) {}

  static open(file: string, sqlJs?: SqlJsOptions): WriterHandle {
    return WriterThread.get().open(file, sqlJs);
  }

  receive(r: WriterReply): void {
    if (r.kind === "opened") this.opened = true;
    else if (r.kind === "buffer") this.free[r.of].push(r.buffer);
    else if (r.kind === "checkpoint") this.checkpoints.push(r.info);
    else if (r.kind === "finished") this.finished = { info: r.info };
    else this.error ??= new NfrunError(r.errorKind, r.message);
  }

  /** Waits (without blocking the event loop) until the worker has opened the file; rejects with its error. */
  async ready(): Promise<void> {
    for (;;) {
      const seen = this.thread.seen();
      this.thread.drain();
      this.throwIfFailed();
      if (this.opened) return;
      await this.thread.waitAfterAsync(seen);
    }
  }

  /** Reads replies; returns the checkpoints written since the last call. Throws the writer's error, if any. */
  poll(): readonly CheckpointInfo[] {
    this.thread.drainIfSignalled();
    this.throwIfFailed();
    return this.checkpoints.length === 0 ? NONE : this.checkpoints.splice(0);
  }

  /** The writer's error sticks: every later call (finish included) throws it again. */
  private throwIfFailed(): void {
    if (this.error) throw this.error;
  }

  /** Blocks until `done()` holds, reading replies; throws the writer's error. */
  private block(done: () => boolean): void {
    for (;;) {
      const seen = this.thread.seen();
      this.thread.drain();
      this.throwIfFailed();
      if (done()) return;
      this.thread.waitAfter(seen);
    }
  }

  buffer(kind: "samples" | "commits", bytes: number): ArrayBuffer {
    const free = this.free[kind];
    if (free.length === 0 && this.allocated[kind] < MAX_BUFFERS[kind]) {
      this.allocated[kind]++;
      return this.thread.reuse(bytes) ?? new ArrayBuffer(bytes);
    }
    // All buffers are with the writer: wait for one to come back (the writer is behind).
    this.post();
    this.block(() => free.length > 0);
    return free.pop()!;
  }

  /**
   * The first `n` values of `a` in a buffer of their own for the writer thread (a start command transfers
   * it): one the process's last run handed back when its size fits. A fresh copy of (b)'s 26 MB dataset
   * first-touches its pages on the training thread: ~22 ms per run, a tenth of its plain fit (a copy into
   * memory touched before: ~4 ms).
   */
  copy(a: Float64Array, n: number): Float64Array {
    // A dataset in shared memory (datasetArray) is read by the writer thread where it is: no copy.
    if (a.buffer instanceof SharedArrayBuffer) return a.subarray(0, n);
    const out = new Float64Array(this.thread.reuse(8 * n) ?? new ArrayBuffer(8 * n));
    out.set(a.subarray(0, n));
    return out;
  }

  release(kind: "samples" | "commits", buffer: ArrayBuffer): void {
    this.free[kind].push(buffer);
  }

  /**
   * Queues a command. Commands travel in batches of at least POST_BYTES of chunk data (or with a
   * checkpoint, finish or start): each message wakes the writer thread, and on a loaded machine a
   * wake-up can cost the training thread its time slice (measured: ~1.7 ms per message at load 7).
   */
  send(c: WriterCommand, transfer: ArrayBuffer[]): void {
    this.queued.push(c);
    for (const b of transfer) {
      this.queuedTransfer.push(b);
      this.queuedBytes += b.byteLength;
    }
    if ((c.kind === "samples" || c.kind === "commits") && this.queuedBytes < POST_BYTES) return;
    if (c.kind === "snapshot" || c.kind === "event" || c.kind === "epoch") return;
    this.post();
  }

  private post(): void {
    if (this.queued.length === 0) return;
    this.thread.post(this.queued, this.queuedTransfer);
    this.queued = [];
    this.queuedTransfer = [];
    this.queuedBytes = 0;
  }

  private queued: WriterCommand[] = [];
  private queuedTransfer: ArrayBuffer[] = [];
  private queuedBytes = 0;

  /** Posts the final command and blocks until the writer has written and closed the file. */
  finish(c: Extract<WriterCommand, { kind: "finish" }>): CheckpointInfo | null {
    this.send(c, []);
    try {
      this.block(() => this.finished !== null);
    } finally {
      this.thread.runs.delete(this.id);
    }
    // Every buffer has come back (the writer hands each back before it reports the run finished).
    this.thread.keep([...this.free.samples, ...this.free.commits, ...this.free.dataset]);
    return this.finished!.info;
  }
}
