import type { Database, Statement } from "sql.js";
import type { Model } from "../engine/model";
import type { CommitEvent } from "../engine/observer";
import { f64Blob, i32Blob } from "./blob";
import type { RecordedNeuron } from "./policy";

/**
 * The recorder's hot-path buffers. Training writes into preallocated typed arrays only; rows reach
 * SQLite when a buffer is full, at a snapshot or at a checkpoint, as few large BLOBs (one sample chunk
 * per ≤ 1 MB of samples, one adjustment block per recorded neuron per ≤ 4 MB of adjustments) and
 * multi-row INSERTs for the per-commit rows. Nothing is written per sample or per commit.
 */

const CHUNK_BYTES = 1 << 20;
const MAX_CHUNK_SAMPLES = 4096;
const BLOCK_BYTES = 4 << 20;
const MAX_BLOCK_COMMITS = 1024;
/** Per-commit rows per multi-row INSERT (8 values each + the run id bound once as ?1). */
const ROWS_PER_INSERT = 64;

/** Bytes stored per recorded sample: sample index (i32), loss, and z, a, blame per recorded neuron. */
export const sampleBytes = (R: number) => 12 + 24 * R;

/** Samples of one epoch, in position order, for the recorded neurons (sample-major, see docs). */
export class SampleChunkBuffer {
  readonly cap: number;
  n = 0;
  first = 0;
  private readonly sample: Int32Array;
  private readonly loss: Float64Array;
  private readonly z: Float64Array;
  private readonly a: Float64Array;
  private readonly blame: Float64Array;
  /** Per layer: first column of its recorded neurons, the recorded neuron indices, whether all are. */
  private readonly layerCols: { start: number; neurons: Int32Array; full: boolean }[];
  private stmt: Statement | null = null;

  constructor(
    private readonly R: number,
    model: Model,
    neurons: readonly RecordedNeuron[],
    datasetCount: number,
  ) {
    this.cap = Math.max(1, Math.min(MAX_CHUNK_SAMPLES, datasetCount, Math.floor(CHUNK_BYTES / sampleBytes(R))));
    this.sample = new Int32Array(this.cap);
    this.loss = new Float64Array(this.cap);
    this.z = new Float64Array(this.cap * R);
    this.a = new Float64Array(this.cap * R);
    this.blame = new Float64Array(this.cap * R);
    this.layerCols = model.layers.map((l) => {
      const cols = neurons.map((n, c) => ({ n, c })).filter((x) => x.n.layer === l.index);
      return { start: cols[0]?.c ?? 0, neurons: Int32Array.from(cols.map((x) => x.n.neuron)), full: cols.length === l.units };
    });
  }

  get full(): boolean {
    return this.n === this.cap;
  }

  /** Copies one sample's values (model.z / model.a of the forward pass, the blame step's δ). */
  add(position: number, sample: number, lossValue: number, z: readonly Float64Array[], a: readonly Float64Array[], blame: readonly Float64Array[]): void {
    const n = this.n++;
    if (n === 0) this.first = position;
    this.sample[n] = sample;
    this.loss[n] = lossValue;
    const base = n * this.R;
    const layerCols = this.layerCols;
    for (let li = 0; li < layerCols.length; li++) {
      const lc = layerCols[li]!;
      const at = base + lc.start;
      if (lc.full) {
        this.z.set(z[li]!, at);
        this.a.set(a[li]!, at);
        this.blame.set(blame[li]!, at);
      } else {
        const idx = lc.neurons;
        const zl = z[li]!;
        const al = a[li]!;
        const dl = blame[li]!;
        for (let c = 0; c < idx.length; c++) {
          const j = idx[c]!;
          this.z[at + c] = zl[j]!;
          this.a[at + c] = al[j]!;
          this.blame[at + c] = dl[j]!;
        }
      }
    }
  }

  /** Inserts the buffered samples as one sample_chunks row (the views' arrays are bound without copying). */
  flush(db: Database, runId: string, epoch: number): number {
    const n = this.n;
    if (n === 0) return 0;
    const R = this.R;
    this.stmt ??= db.prepare("INSERT INTO sample_chunks (run_id, epoch, first_position, count, sample, loss, z, a, blame) VALUES (?,?,?,?,?,?,?,?,?)");
    this.stmt.run([runId, epoch, this.first, n, i32Blob(this.sample, n), f64Blob(this.loss, n), f64Blob(this.z, n * R), f64Blob(this.a, n * R), f64Blob(this.blame, n * R)]);
    this.n = 0;
    return n * sampleBytes(R);
  }

  release(): void {
    this.stmt?.free();
    this.stmt = null;
  }
}

/** Per-commit rows (the trace) and the adjustments of the recorded neurons' weights, for a block of commits. */
export class CommitBuffer {
  private readonly rowCap: number;
  private rows = 0;
  private readonly ints: Int32Array;
  private readonly reals: Float64Array;
  readonly blockCap: number;
  private blockN = 0;
  private blockFirstT = 0;
  private readonly adj: Float64Array;
  private readonly adjT: Float64Array;
  private readonly W: number;
  private many: Statement | null = null;
  private one: Statement | null = null;
  private block: Statement | null = null;
  private readonly params: (string | number)[];

  constructor(
    private readonly model: Model,
    private readonly neurons: readonly RecordedNeuron[],
  ) {
    this.W = model.weightCount;
    this.blockCap = Math.max(1, Math.min(MAX_BLOCK_COMMITS, Math.floor(BLOCK_BYTES / (8 * this.W))));
    this.adj = new Float64Array(this.blockCap * this.W);
    this.adjT = new Float64Array(this.blockCap * Math.max(...model.layers.map((l) => l.inputs + 1)));
    this.rowCap = Math.max(ROWS_PER_INSERT, this.blockCap);
    this.ints = new Int32Array(this.rowCap * 4);
    this.reals = new Float64Array(this.rowCap * 4);
    this.params = new Array(1 + 8 * ROWS_PER_INSERT).fill(0);
  }

  /** Buffers one commit's row; with `adjustments`, also its adjustments (a recorded epoch). Returns true when a flush is due. */
  add(e: CommitEvent, adjustments: Float64Array | null): boolean {
    const r = this.rows++;
    this.ints[4 * r] = e.t;
    this.ints[4 * r + 1] = e.epoch;
    this.ints[4 * r + 2] = e.batch;
    this.ints[4 * r + 3] = e.count;
    this.reals[4 * r] = e.loss;
    this.reals[4 * r + 1] = e.lrScale;
    this.reals[4 * r + 2] = e.gradNorm;
    this.reals[4 * r + 3] = e.stepNorm;
    if (adjustments) {
      if (this.blockN === 0) this.blockFirstT = e.t;
      this.adj.set(adjustments, this.blockN * this.W);
      this.blockN++;
    }
    return this.blockN === this.blockCap || this.rows === this.rowCap;
  }

  /** Writes the buffered commit rows and adjustment blocks. Returns the bytes written. */
  flush(db: Database, runId: string): number {
    let bytes = 0;
    if (this.rows > 0) {
      const cols = "(run_id, t, epoch, batch, count, loss, lr_scale, grad_norm, step_norm)";
      const values = (k: number) => Array.from({ length: k }, () => "(?1,?,?,?,?,?,?,?,?)").join(",");
      this.many ??= db.prepare(`INSERT INTO commits ${cols} VALUES ${values(ROWS_PER_INSERT)}`);
      this.one ??= db.prepare(`INSERT INTO commits ${cols} VALUES ${values(1)}`);
      const p = this.params;
      p[0] = runId;
      let r = 0;
      while (r < this.rows) {
        const k = this.rows - r >= ROWS_PER_INSERT ? ROWS_PER_INSERT : 1;
        for (let q = 0; q < k; q++, r++) {
          const o = 1 + 8 * q;
          for (let c = 0; c < 4; c++) p[o + c] = this.ints[4 * r + c]!;
          for (let c = 0; c < 4; c++) p[o + 4 + c] = this.reals[4 * r + c]!;
        }
        (k === ROWS_PER_INSERT ? this.many : this.one).run(k === ROWS_PER_INSERT ? p : p.slice(0, 9));
      }
      bytes += this.rows * 64;
      this.rows = 0;
    }
    const C = this.blockN;
    if (C > 0) {
      // One row per recorded neuron, weight-major ([weight][commit]), so one weight's series is one substr.
      this.block ??= db.prepare("INSERT INTO adjustment_blocks (run_id, first_t, commits, layer, neuron, adjustment) VALUES (?,?,?,?,?,?)");
      const W = this.W;
      const adj = this.adj;
      const out = this.adjT;
      for (const n of this.neurons) {
        if (!n.weights) continue;
        const l = this.model.layers[n.layer]!;
        const m = l.inputs + 1;
        const base = l.offset + n.neuron * m;
        for (let w = 0; w < m; w++) for (let c = 0; c < C; c++) out[w * C + c] = adj[c * W + base + w]!;
        this.block.run([runId, this.blockFirstT, C, n.layer, n.neuron, f64Blob(out, m * C)]);
      }
      this.blockN = 0;
      bytes += C * W * 8;
    }
    return bytes;
  }

  release(): void {
    for (const s of [this.many, this.one, this.block]) s?.free();
    this.many = this.one = this.block = null;
  }
}
