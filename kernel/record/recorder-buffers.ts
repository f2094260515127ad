import type { Model } from "../engine/model";
import type { CommitEvent } from "../engine/observer";
import type { RecordedNeuron } from "./policy";
import type { WriterCommand } from "./writer-protocol";

/**
 * The recorder's hot-path buffers. Training writes into typed arrays only; a full buffer (or one
 * flushed at a snapshot, epoch end or checkpoint) is handed to the writer thread as a transferred
 * ArrayBuffer (no copy) and replaced by one the writer has handed back. Rows reach SQLite there as
 * few large BLOBs: one sample chunk per ≤ 1 MB of samples, one adjustment block per recorded neuron
 * per ≤ 4 MB of adjustments, multi-row INSERTs for the per-commit rows.
 */

const CHUNK_BYTES = 1 << 20;
const MAX_CHUNK_SAMPLES = 4096;
const BLOCK_BYTES = 4 << 20;
const MAX_BLOCK_COMMITS = 1024;
/** Per-commit rows per multi-row INSERT (run-writer.ts). */
export const ROWS_PER_INSERT = 64;

/** Bytes stored per recorded sample: sample index (i32), loss, and a, blame per recorded neuron. */
export const sampleBytes = (R: number) => 12 + 16 * R;

/** Where the writer gets buffers from and sends filled ones to (writer-thread.ts). */
export interface ChunkSink {
  /** An ArrayBuffer of `bytes` for `kind` chunks: one handed back by the writer, or a new one. */
  buffer(kind: "samples" | "commits", bytes: number): ArrayBuffer;
  send(command: WriterCommand, transfer: ArrayBuffer[]): void;
  /** Takes back a buffer that will not be sent (the run is over), for reuse. */
  release(kind: "samples" | "commits", buffer: ArrayBuffer): void;
}

const align8 = (n: number) => Math.ceil(n / 8) * 8;

/** The arrays of one sample chunk inside its ArrayBuffer (sample-major, see docs/nfrun-format.md). */
export function sampleViews(buffer: ArrayBuffer, cap: number, R: number) {
  const loss = align8(4 * cap);
  const a = loss + 8 * cap;
  const blame = a + 8 * cap * R;
  return {
    sample: new Int32Array(buffer, 0, cap),
    loss: new Float64Array(buffer, loss, cap),
    a: new Float64Array(buffer, a, cap * R),
    blame: new Float64Array(buffer, blame, cap * R),
  };
}
export const sampleChunkBytes = (cap: number, R: number) => align8(4 * cap) + 8 * cap * (1 + 2 * R);

/** The arrays of one commit buffer: per-commit rows (ints: t, epoch, batch, count; reals: loss, lr_scale, ‖g‖, ‖step‖), adjustments [commit][weight]. */
export function commitViews(buffer: ArrayBuffer, rowCap: number, blockCap: number, W: number) {
  const reals = align8(16 * rowCap);
  const adj = reals + 32 * rowCap;
  return { ints: new Int32Array(buffer, 0, 4 * rowCap), reals: new Float64Array(buffer, reals, 4 * rowCap), adj: new Float64Array(buffer, adj, blockCap * W) };
}
export const commitChunkBytes = (rowCap: number, blockCap: number, W: number) => align8(16 * rowCap) + 32 * rowCap + 8 * blockCap * W;

/** Samples of one epoch, in position order, for the recorded neurons. */
export class SampleChunkBuffer {
  readonly cap: number;
  n = 0;
  first = 0;
  private views: ReturnType<typeof sampleViews>;
  private readonly bytes: number;
  /** Per layer: first column of its recorded neurons, the recorded neuron indices, whether all are. */
  private readonly layerCols: { start: number; neurons: Int32Array; full: boolean }[];

  constructor(
    private readonly R: number,
    model: Model,
    neurons: readonly RecordedNeuron[],
    datasetCount: number,
    private readonly sink: ChunkSink,
  ) {
    this.cap = Math.max(1, Math.min(MAX_CHUNK_SAMPLES, datasetCount, Math.floor(CHUNK_BYTES / sampleBytes(R))));
    this.bytes = sampleChunkBytes(this.cap, R);
    this.views = sampleViews(sink.buffer("samples", this.bytes), this.cap, R);
    this.layerCols = model.layers.map((l) => {
      const cols = neurons.map((n, c) => ({ n, c })).filter((x) => x.n.layer === l.index);
      return { start: cols[0]?.c ?? 0, neurons: Int32Array.from(cols.map((x) => x.n.neuron)), full: cols.length === l.units };
    });
  }

  get full(): boolean {
    return this.n === this.cap;
  }

  /** Copies one sample's values (model.a of the forward pass, the blame step's δ). */
  add(position: number, sample: number, lossValue: number, a: readonly Float64Array[], blame: readonly Float64Array[]): void {
    const n = this.n++;
    if (n === 0) this.first = position;
    const v = this.views;
    v.sample[n] = sample;
    v.loss[n] = lossValue;
    const base = n * this.R;
    const layerCols = this.layerCols;
    const va = v.a;
    const vb = v.blame;
    for (let li = 0; li < layerCols.length; li++) {
      const lc = layerCols[li]!;
      const at = base + lc.start;
      if (lc.full) {
        // A plain loop: most layers are small, where TypedArray#set costs more than the copy.
        const al = a[li]!;
        const dl = blame[li]!;
        for (let j = 0; j < al.length; j++) {
          va[at + j] = al[j]!;
          vb[at + j] = dl[j]!;
        }
      } else {
        const idx = lc.neurons;
        const al = a[li]!;
        const dl = blame[li]!;
        for (let c = 0; c < idx.length; c++) {
          const j = idx[c]!;
          va[at + c] = al[j]!;
          vb[at + c] = dl[j]!;
        }
      }
    }
  }

  /** Hands the buffered samples to the writer (one sample_chunks row) and continues in another buffer. */
  flush(writer: number, epoch: number): void {
    const n = this.n;
    if (n === 0) return;
    const buffer = this.views.sample.buffer as ArrayBuffer;
    this.sink.send({ kind: "samples", writer, epoch, first: this.first, n, buffer }, [buffer]);
    this.views = sampleViews(this.sink.buffer("samples", this.bytes), this.cap, this.R);
    this.n = 0;
  }

  /** The run is over (flushed): the buffer in hand goes back to the sink. */
  close(): void {
    this.sink.release("samples", this.views.sample.buffer as ArrayBuffer);
  }
}

/** Per-commit rows (the trace) and the adjustments of all weights, for a block of commits. */
export class CommitBuffer {
  readonly rowCap: number;
  readonly blockCap: number;
  private rows = 0;
  private blockN = 0;
  private blockFirstT = 0;
  private views: ReturnType<typeof commitViews>;
  private readonly W: number;
  private readonly bytes: number;

  constructor(
    model: Model,
    private readonly sink: ChunkSink,
    private readonly writer: number,
  ) {
    this.W = model.weightCount;
    this.blockCap = Math.max(1, Math.min(MAX_BLOCK_COMMITS, Math.floor(BLOCK_BYTES / (8 * this.W))));
    this.rowCap = Math.max(ROWS_PER_INSERT, this.blockCap);
    this.bytes = commitChunkBytes(this.rowCap, this.blockCap, this.W);
    this.views = commitViews(sink.buffer("commits", this.bytes), this.rowCap, this.blockCap, this.W);
  }

  /** Buffers one commit's row; with `adjustments`, also its adjustments (a recorded epoch). Returns true when a flush is due. */
  add(e: CommitEvent, adjustments: Float64Array | null): boolean {
    // A block holds consecutive commits: a gap (unrecorded epochs in between) starts a new one.
    if (adjustments && this.blockN > 0 && e.t !== this.blockFirstT + this.blockN) this.flush();
    const r = this.rows++;
    const { ints, reals, adj } = this.views;
    ints[4 * r] = e.t;
    ints[4 * r + 1] = e.epoch;
    ints[4 * r + 2] = e.batch;
    ints[4 * r + 3] = e.count;
    reals[4 * r] = e.loss;
    reals[4 * r + 1] = e.lrScale;
    reals[4 * r + 2] = e.gradNorm;
    reals[4 * r + 3] = e.stepNorm;
    if (adjustments) {
      if (this.blockN === 0) this.blockFirstT = e.t;
      adj.set(adjustments, this.blockN * this.W);
      this.blockN++;
    }
    return this.blockN === this.blockCap || this.rows === this.rowCap;
  }

  /** Hands the buffered commit rows and adjustments to the writer and continues in another buffer. */
  flush(): void {
    if (this.rows === 0 && this.blockN === 0) return;
    const buffer = this.views.ints.buffer as ArrayBuffer;
    this.sink.send({ kind: "commits", writer: this.writer, rows: this.rows, blockN: this.blockN, firstT: this.blockFirstT, buffer }, [buffer]);
    this.views = commitViews(this.sink.buffer("commits", this.bytes), this.rowCap, this.blockCap, this.W);
    this.rows = 0;
    this.blockN = 0;
  }

  /** The run is over (flushed): the buffer in hand goes back to the sink. */
  close(): void {
    this.sink.release("commits", this.views.ints.buffer as ArrayBuffer);
  }
}
