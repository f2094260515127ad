import * as fs from "node:fs";
import type { Database, SqlValue } from "sql.js";
import { activations, type Activation, type ActivationName } from "../engine/activations";
import { getStrategy } from "../engine/optimizers/registry";
import type { HyperValue, StepState, Strategy } from "../engine/optimizers/strategy";
import { blobF64, blobI32 } from "./blob";
import { configHash } from "./config-hash";
import { NfrunError } from "./errors";
import { parseFloatText } from "./float-text";
import type { RecordStatus } from "./recorder";
import { loadSqlJs, type SqlJsOptions } from "./sqljs";
import { checkHeader, checkTables } from "./validate";

/** The typed answer for data the run did not record (policy, interruption): never invented numbers. */
export interface NotRecorded {
  readonly kind: "not-recorded";
  readonly reason: string;
}

export interface RunInfo {
  readonly runId: string;
  readonly status: RecordStatus;
  readonly createdAt: string;
  readonly seconds: number | null;
  readonly engineVersion: string;
  readonly seed: number | null;
  readonly configHash: string;
  readonly loss: string;
  readonly batchSize: number;
  readonly inputs: number;
  readonly outputs: number;
  readonly weightCount: number;
  readonly neuronCount: number;
  readonly strategy: StrategyInfo;
  readonly hyperparameters: Record<string, HyperValue>;
  readonly policy: unknown;
  readonly epochsDone: number;
  readonly commits: number;
  readonly samplesSeen: number;
  readonly finalLoss: number | null;
  readonly layers: readonly { layer: number; inputs: number; units: number; activation: ActivationName }[];
  readonly recordedEpochs: readonly number[];
}

export interface StrategyInfo {
  readonly id: string;
  readonly name: string;
  readonly formula: string;
  readonly auditColumns: readonly string[];
}

export interface TraceSeries {
  readonly t: Int32Array;
  readonly epoch: Int32Array;
  readonly batch: Int32Array;
  readonly count: Int32Array;
  readonly loss: Float64Array;
  readonly lrScale: Float64Array;
  readonly gradNorm: Float64Array;
  readonly stepNorm: Float64Array;
}

export interface RunEvent {
  readonly seq: number;
  readonly timeMs: number;
  readonly t: number | null;
  readonly epoch: number | null;
  readonly position: number | null;
  readonly kind: string;
  readonly message: string;
  readonly data: unknown;
}

export interface LeverageRow {
  readonly position: number;
  readonly sample: number;
  readonly slot: number;
  readonly input: number;
  readonly blame: number;
  readonly leverage: number;
  /** Running sum of the leverages of the batch so far: the blame bank after this sample. */
  readonly cumulative: number;
}

export interface CommitDetail {
  readonly batchTotal: number;
  readonly count: number;
  readonly avg: number;
  /** The strategy's audit values by column name (null when this NeuroForge does not know the strategy). */
  readonly audit: Readonly<Record<string, number>> | null;
  readonly auditValues: readonly number[] | null;
  readonly lr: number;
  /** As recorded by the engine. */
  readonly adjustment: number;
  /** As recomputed by the strategy from the recorded state (equal to `adjustment` in a sound file). */
  readonly recomputedAdjustment: number | null;
  readonly before: number;
  readonly after: number;
}

export interface WeightTrace {
  readonly kind: "weight-trace";
  readonly runId: string;
  readonly layer: number;
  readonly neuron: number;
  readonly weight: number;
  readonly t: number;
  readonly epoch: number;
  readonly batch: number;
  readonly rows: readonly LeverageRow[];
  readonly commit: CommitDetail;
  readonly strategy: StrategyInfo;
}

export interface NeuronSnapshot {
  readonly kind: "neuron-snapshot";
  readonly runId: string;
  readonly layer: number;
  readonly neuron: number;
  readonly epoch: number;
  readonly position: number;
  readonly sample: number;
  readonly batch: number;
  readonly slot: number;
  /** The commit this sample's batch went into; weights shown are those before it. */
  readonly t: number;
  readonly loss: number;
  readonly forward: {
    readonly inputs: readonly { weight: number; input: number; value: number; product: number }[];
    readonly bias: number;
    /** Σ products + bias in the engine's order: equals z. */
    readonly sum: number;
    readonly z: number;
    readonly activation: ActivationName;
    readonly a: number;
  };
  readonly blame: number;
  /** f′(z) (null on a softmax output layer, whose Jacobian is applied by the loss step). */
  readonly fPrime: number | null;
  /** Hidden neurons: W_next[k][neuron] × δ_next,k per downstream neuron k (weights before the commit). */
  readonly sources: readonly { neuron: number; weight: number; downstreamBlame: number; product: number }[] | null;
  readonly sourcesSum: number | null;
  /** Per weight of this neuron: input × blame = leverage, and the bank of the batch up to this sample. */
  readonly backprop: readonly { weight: number; input: number; blame: number; leverage: number; cumulative: number }[];
}

export type WeightAt = number | { readonly epoch: number; readonly sample: number } | { readonly epoch: number; readonly position: number };

interface Chunk {
  readonly first: number;
  readonly count: number;
  readonly sample: Int32Array;
  readonly loss: Float64Array;
  readonly z: Float64Array;
  readonly a: Float64Array;
  readonly blame: Float64Array;
}

interface LayerRow {
  readonly layer: number;
  readonly inputs: number;
  readonly units: number;
  readonly activation: Activation;
  readonly offset: number;
  readonly neuronOffset: number;
}

/** Everything about one run the queries need, loaded once. */
export interface RunContext {
  readonly info: RunInfo;
  readonly layers: readonly LayerRow[];
  /** col of (layer, neuron) in the sample blobs, -1 when not recorded. */
  readonly col: Int32Array[];
  /** Whether (layer, neuron)'s weight adjustments are recorded. */
  readonly weightsRecorded: Uint8Array[];
  readonly R: number;
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly dataCount: number;
  readonly inputSize: number;
  readonly targetSize: number;
  readonly strategy: Strategy | null;
  readonly perWeight: readonly string[];
  readonly perNeuron: readonly string[];
  readonly snapshotTs: readonly number[];
  readonly recorded: ReadonlySet<number>;
  readonly commitIndex: Map<number, number>;
  readonly trace: TraceSeries;
}

/**
 * Reads .nfrun files. Opening checks the untrusted bytes first (see validate.ts); every failure is an
 * NfrunError with a plain message. All queries are parameterized.
 */
export class NfrunReader {
  private readonly contexts = new Map<string, RunContext>();
  private readonly chunkCache = new Map<string, Chunk[]>();

  private constructor(
    readonly db: Database,
    readonly path: string | undefined,
  ) {}

  static async open(path: string, options: { sqlJs?: SqlJsOptions } = {}): Promise<NfrunReader> {
    let bytes: Uint8Array;
    try {
      const stat = fs.statSync(path);
      if (!stat.isFile()) throw new NfrunError("io", "not a file", path);
      bytes = fs.readFileSync(path);
    } catch (e) {
      if (e instanceof NfrunError) throw e;
      throw new NfrunError("io", `cannot read the file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, path);
    }
    return NfrunReader.fromBytes(bytes, { ...options, path });
  }

  static async fromBytes(bytes: Uint8Array, options: { sqlJs?: SqlJsOptions; path?: string } = {}): Promise<NfrunReader> {
    checkHeader(bytes, options.path);
    const SQL = await loadSqlJs(options.sqlJs);
    let db: Database;
    try {
      db = new SQL.Database(bytes);
    } catch (e) {
      throw new NfrunError("corrupt", `SQLite cannot read the file: ${(e as Error).message}`, options.path);
    }
    try {
      checkTables(db, options.path);
    } catch (e) {
      db.close();
      throw e;
    }
    return new NfrunReader(db, options.path);
  }

  close(): void {
    this.db.close();
  }

  /** Parameterized query; any SQLite failure becomes NfrunError 'corrupt'. */
  query(sql: string, params: SqlValue[] = []): SqlValue[][] {
    try {
      const stmt = this.db.prepare(sql);
      try {
        stmt.bind(params);
        const rows: SqlValue[][] = [];
        while (stmt.step()) rows.push(stmt.get());
        return rows;
      } finally {
        stmt.free();
      }
    } catch (e) {
      if (e instanceof NfrunError) throw e;
      throw new NfrunError("corrupt", `SQLite cannot read the file: ${(e as Error).message}`, this.path);
    }
  }

  private bad(message: string): NfrunError {
    return new NfrunError("corrupt", message, this.path);
  }

  runIds(): string[] {
    return this.query("SELECT run_id FROM runs ORDER BY started_ms, run_id").map((r) => String(r[0]));
  }

  runs(): RunInfo[] {
    return this.runIds().map((id) => this.run(id));
  }

  run(runId: string): RunInfo {
    return this.context(runId).info;
  }

  config(runId: string): { readonly config: unknown; readonly json: string; readonly hash: string; readonly hashMatches: boolean } {
    const row = this.query("SELECT config_json, config_hash FROM runs WHERE run_id = ?", [runId])[0];
    if (!row) throw new NfrunError("no-such-run", `no run '${runId}' in the file`, this.path);
    const json = String(row[0]);
    let config: unknown;
    try {
      config = JSON.parse(json);
    } catch {
      throw this.bad(`run ${runId}: its config is not valid JSON`);
    }
    return { config, json, hash: String(row[1]), hashMatches: configHash(config) === String(row[1]) };
  }

  trace(runId: string): TraceSeries {
    return this.context(runId).trace;
  }

  events(runId: string): RunEvent[] {
    this.context(runId);
    return this.query("SELECT seq, time_ms, t, epoch, position, kind, message, data_json FROM events WHERE run_id = ? ORDER BY seq", [runId]).map(
      (r) => ({
        seq: Number(r[0]),
        timeMs: Number(r[1]),
        t: r[2] === null ? null : Number(r[2]),
        epoch: r[3] === null ? null : Number(r[3]),
        position: r[4] === null ? null : Number(r[4]),
        kind: String(r[5]),
        message: String(r[6]),
        data: r[7] === null ? null : safeJson(String(r[7])),
      }),
    );
  }

  /** Loads (once) what the queries of a run need. */
  context(runId: string): RunContext {
    const cached = this.contexts.get(runId);
    if (cached) return cached;
    const r = this.query(
      `SELECT status, created_at, seconds, engine_version, seed, config_hash, loss, batch_size, inputs, outputs, weight_count,
              neuron_count, strategy_id, strategy_name, strategy_formula, audit_columns, hyperparameters, policy_json,
              epochs_done, commits, samples_seen, final_loss, state_per_weight, state_per_neuron
       FROM runs WHERE run_id = ?`,
      [runId],
    )[0];
    if (!r) throw new NfrunError("no-such-run", `no run '${runId}' in the file`, this.path);
    const layers: LayerRow[] = this.query(
      "SELECT layer, inputs, units, activation, weight_offset, neuron_offset FROM layers WHERE run_id = ? ORDER BY layer",
      [runId],
    ).map((l, i) => {
      const activation = activations[String(l[3]) as ActivationName];
      if (!activation || Number(l[0]) !== i) throw this.bad(`run ${runId}: layer ${i} is malformed`);
      return { layer: i, inputs: Number(l[1]), units: Number(l[2]), activation, offset: Number(l[4]), neuronOffset: Number(l[5]) };
    });
    if (layers.length === 0) throw this.bad(`run ${runId}: no layers recorded`);
    const col = layers.map((l) => new Int32Array(l.units).fill(-1));
    const weightsRecorded = layers.map((l) => new Uint8Array(l.units));
    const rn = this.query("SELECT col, layer, neuron, weights FROM recorded_neurons WHERE run_id = ? ORDER BY col", [runId]);
    for (const [c, l, n, w] of rn) {
      const L = Number(l);
      const N = Number(n);
      if (!col[L] || N < 0 || N >= col[L]!.length) throw this.bad(`run ${runId}: recorded neuron [${L}, ${N}] does not exist`);
      col[L]![N] = Number(c);
      weightsRecorded[L]![N] = Number(w) ? 1 : 0;
    }
    const d = this.query("SELECT count, input_size, target_size, x, y FROM datasets WHERE run_id = ?", [runId])[0];
    if (!d) throw this.bad(`run ${runId}: no samples recorded`);
    const x = blobF64(d[3]);
    const y = blobF64(d[4]);
    const dataCount = Number(d[0]);
    const inputSize = Number(d[1]);
    const targetSize = Number(d[2]);
    if (!x || !y || x.length !== dataCount * inputSize || y.length !== dataCount * targetSize) throw this.bad(`run ${runId}: the sample blobs have the wrong size`);
    const strategyId = String(r[12]);
    let strategy: Strategy | null = null;
    try {
      strategy = getStrategy(strategyId);
    } catch {
      strategy = null;
    }
    const hyper = safeJson(String(r[16])) as Record<string, HyperValue>;
    const recordedEpochs = this.query("SELECT epoch FROM recorded_epochs WHERE run_id = ? ORDER BY epoch", [runId]).map((e) => Number(e[0]));
    const commits = this.query("SELECT t, epoch, batch, count, loss, lr_scale, grad_norm, step_norm FROM commits WHERE run_id = ? ORDER BY t", [runId]);
    const n = commits.length;
    const trace: TraceSeries = {
      t: new Int32Array(n),
      epoch: new Int32Array(n),
      batch: new Int32Array(n),
      count: new Int32Array(n),
      loss: new Float64Array(n),
      lrScale: new Float64Array(n),
      gradNorm: new Float64Array(n),
      stepNorm: new Float64Array(n),
    };
    const commitIndex = new Map<number, number>();
    commits.forEach((c, i) => {
      trace.t[i] = Number(c[0]);
      trace.epoch[i] = Number(c[1]);
      trace.batch[i] = Number(c[2]);
      trace.count[i] = Number(c[3]);
      trace.loss[i] = num(c[4]);
      trace.lrScale[i] = num(c[5]);
      trace.gradNorm[i] = num(c[6]);
      trace.stepNorm[i] = num(c[7]);
      commitIndex.set(Number(c[0]), i);
    });
    const info: RunInfo = {
      runId,
      status: String(r[0]) as RecordStatus,
      createdAt: String(r[1]),
      seconds: r[2] === null ? null : Number(r[2]),
      engineVersion: String(r[3]),
      seed: r[4] === null ? null : Number(r[4]),
      configHash: String(r[5]),
      loss: String(r[6]),
      batchSize: Number(r[7]),
      inputs: Number(r[8]),
      outputs: Number(r[9]),
      weightCount: Number(r[10]),
      neuronCount: Number(r[11]),
      strategy: { id: strategyId, name: String(r[13]), formula: String(r[14]), auditColumns: safeJson(String(r[15])) as string[] },
      hyperparameters: hyper,
      policy: safeJson(String(r[17])),
      epochsDone: Number(r[18]),
      commits: Number(r[19]),
      samplesSeen: Number(r[20]),
      finalLoss: r[21] === null ? null : Number(r[21]),
      layers: layers.map((l) => ({ layer: l.layer, inputs: l.inputs, units: l.units, activation: l.activation.name })),
      recordedEpochs,
    };
    const ctx: RunContext = {
      info,
      layers,
      col,
      weightsRecorded,
      R: rn.length,
      x,
      y,
      dataCount,
      inputSize,
      targetSize,
      strategy,
      perWeight: safeJson(String(r[22])) as string[],
      perNeuron: safeJson(String(r[23])) as string[],
      snapshotTs: this.query("SELECT t FROM snapshots WHERE run_id = ? ORDER BY t", [runId]).map((s) => Number(s[0])),
      recorded: new Set(recordedEpochs),
      commitIndex,
      trace,
    };
    this.contexts.set(runId, ctx);
    return ctx;
  }

  /** The recorded sample chunks of an epoch, in position order (cached, a few epochs at a time). */
  epochChunks(runId: string, epoch: number): Chunk[] {
    const key = `${runId}\u0000${epoch}`;
    const hit = this.chunkCache.get(key);
    if (hit) {
      this.chunkCache.delete(key);
      this.chunkCache.set(key, hit);
      return hit;
    }
    const R = this.context(runId).R;
    const chunks = this.query("SELECT first_position, count, sample, loss, z, a, blame FROM sample_chunks WHERE run_id = ? AND epoch = ? ORDER BY first_position", [
      runId,
      epoch,
    ]).map((c) => {
      const count = Number(c[1]);
      const chunk = { first: Number(c[0]), count, sample: blobI32(c[2])!, loss: blobF64(c[3])!, z: blobF64(c[4])!, a: blobF64(c[5])!, blame: blobF64(c[6])! };
      if (
        !chunk.sample ||
        chunk.sample.length !== count ||
        !chunk.loss ||
        chunk.loss.length !== count ||
        [chunk.z, chunk.a, chunk.blame].some((b) => !b || b.length !== count * R)
      ) {
        throw this.bad(`run ${runId}: sample chunk at epoch ${epoch}, position ${Number(c[0])} has the wrong size`);
      }
      return chunk;
    });
    this.chunkCache.set(key, chunks);
    while (this.chunkCache.size > 8) this.chunkCache.delete(this.chunkCache.keys().next().value!);
    return chunks;
  }

  /** Locates position `position` of `epoch`: its chunk and index in it, or null when not recorded. */
  samplAt(runId: string, epoch: number, position: number): { chunk: Chunk; i: number } | null {
    const chunks = this.epochChunks(runId, epoch);
    let lo = 0;
    let hi = chunks.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const c = chunks[mid]!;
      if (position < c.first) hi = mid - 1;
      else if (position >= c.first + c.count) lo = mid + 1;
      else return { chunk: c, i: position - c.first };
    }
    return null;
  }

  private positionOfSample(runId: string, epoch: number, sample: number): number | null {
    for (const c of this.epochChunks(runId, epoch)) {
      const i = c.sample.indexOf(sample);
      if (i >= 0) return c.first + i;
    }
    return null;
  }

  /** Recorded adjustments of one weight for commits tFrom … tTo (inclusive); null where missing. */
  adjustments(runId: string, layer: number, neuron: number, weight: number, tFrom: number, tTo: number): (number | null)[] {
    const out: (number | null)[] = new Array(Math.max(0, tTo - tFrom + 1)).fill(null);
    if (tTo < tFrom) return out;
    const rows = this.query(
      `SELECT first_t, commits, substr(adjustment, 8 * ? * commits + 1, 8 * commits) FROM adjustment_blocks
       WHERE run_id = ? AND layer = ? AND neuron = ? AND first_t <= ? AND first_t + commits > ? ORDER BY first_t`,
      [weight, runId, layer, neuron, tTo, tFrom],
    );
    for (const [f, c, b] of rows) {
      const first = Number(f);
      const values = blobF64(b);
      if (!values || values.length !== Number(c)) throw this.bad(`run ${runId}: adjustment block [${layer}, ${neuron}] at t=${first} has the wrong size`);
      for (let k = 0; k < values.length; k++) {
        const t = first + k;
        if (t >= tFrom && t <= tTo) out[t - tFrom] = values[k]!;
      }
    }
    return out;
  }

  /** The nearest snapshot at or before t: weights, rates and optimizer state of weights [lo, hi]. */
  private snapshotBefore(ctx: RunContext, t: number, lo: number, hi: number, neuronFlat: number) {
    let ts = -1;
    for (const s of ctx.snapshotTs) if (s <= t) ts = s;
    if (ts < 0) return null;
    const W = ctx.info.weightCount;
    const N = ctx.info.neuronCount;
    const len = hi - lo + 1;
    const row = this.query(
      "SELECT substr(weights, ?, ?), substr(learning_rates, ?, ?), global_json, state, neuron_state FROM snapshots WHERE run_id = ? AND t = ?",
      [8 * lo + 1, 8 * len, 8 * lo + 1, 8 * len, ctx.info.runId, ts],
    )[0]!;
    const weights = blobF64(row[0]);
    const rates = blobF64(row[1]);
    const stateAll = blobF64(row[3]);
    const neuronAll = blobF64(row[4]);
    if (!weights || !rates || weights.length !== len || rates.length !== len || !stateAll || !neuronAll ||
        stateAll.length !== ctx.perWeight.length * W || neuronAll.length !== ctx.perNeuron.length * N) {
      throw this.bad(`run ${ctx.info.runId}: snapshot at t=${ts} has the wrong size`);
    }
    const w: Record<string, Float64Array> = {};
    ctx.perWeight.forEach((name, k) => (w[name] = stateAll.slice(k * W + lo, k * W + hi + 1)));
    const n: Record<string, Float64Array> = {};
    ctx.perNeuron.forEach((name, k) => (n[name] = Float64Array.of(neuronAll[k * N + neuronFlat]!)));
    const global: Record<string, number> = {};
    for (const [k, v] of safeJson(String(row[2])) as [string, string][]) global[k] = parseFloatText(v);
    return { t: ts, weights, rates, w, n, global };
  }

  private checkWeight(ctx: RunContext, layer: number, neuron: number, weight: number): LayerRow {
    const l = ctx.layers[layer];
    if (!l || !Number.isInteger(neuron) || neuron < 0 || neuron >= l.units || !Number.isInteger(weight) || weight < 0 || weight > l.inputs) {
      throw new NfrunError("bad-argument", `run ${ctx.info.runId} has no weight [layer ${layer}, neuron ${neuron}, weight ${weight}]`, this.path);
    }
    return l;
  }

  /** The input of weight `weight` of a neuron in `layer` for the sample at chunk[i]. */
  private inputOf(ctx: RunContext, layer: number, weight: number, chunk: Chunk, i: number): number {
    const l = ctx.layers[layer]!;
    if (weight === l.inputs) return 1;
    if (layer === 0) return ctx.x[chunk.sample[i]! * ctx.inputSize + weight]!;
    return chunk.a[i * ctx.R + ctx.col[layer - 1]![weight]!]!;
  }

  /**
   * One weight at one commit: the per-sample rows of that batch (input × blame = leverage, running
   * bank), the commit (batch total, count, avg, the strategy's audit columns by name, LR, adjustment,
   * before, after) and the strategy's formula. `at`: the commit's timestep t, or a sample of an epoch
   * (by dataset index or position) whose batch's commit is meant.
   */
  weightTrace(runId: string, layer: number, neuron: number, weight: number, at: WeightAt): WeightTrace | NotRecorded {
    const ctx = this.context(runId);
    const l = this.checkWeight(ctx, layer, neuron, weight);
    let t: number;
    if (typeof at === "number") t = at;
    else {
      const position = "position" in at ? at.position : this.positionOfSample(runId, at.epoch, at.sample);
      if (position === null) return notRecorded(`sample ${(at as { sample: number }).sample} of epoch ${at.epoch} is not recorded`);
      const batch = Math.floor(position / ctx.info.batchSize);
      const found = findCommit(ctx, at.epoch, batch);
      if (found === null) return notRecorded(`batch ${batch} of epoch ${at.epoch} has no commit in the file`);
      t = found;
    }
    const ci = ctx.commitIndex.get(t);
    if (ci === undefined) return notRecorded(`commit t=${t} is not in the file`);
    const epoch = ctx.trace.epoch[ci]!;
    if (!ctx.recorded.has(epoch)) return notRecorded(`epoch ${epoch} was not recorded (recording policy)`);
    if (!ctx.weightsRecorded[layer]![neuron]) return notRecorded(`neuron [layer ${layer}, neuron ${neuron}] was not recorded (recording policy)`);
    if (layer > 0 && weight < l.inputs && ctx.col[layer - 1]![weight]! < 0) {
      return notRecorded(`the input of this weight (neuron [layer ${layer - 1}, neuron ${weight}]) was not recorded`);
    }
    // Replay this weight (or, with per-neuron optimizer state, all weights of its neuron) from the nearest snapshot.
    const replayAll = ctx.perNeuron.length > 0;
    const base = l.offset + neuron * (l.inputs + 1);
    const lo = replayAll ? base : base + weight;
    const hi = replayAll ? base + l.inputs : base + weight;
    const snap = this.snapshotBefore(ctx, t - 1, lo, hi, l.neuronOffset + neuron);
    if (!snap) return notRecorded(`no snapshot before commit t=${t}`);
    const adj: (number | null)[][] = [];
    for (let wi = lo; wi <= hi; wi++) adj.push(this.adjustments(runId, layer, neuron, wi - base, snap.t + 1, t));
    if (adj.some((a) => a.some((v) => v === null))) return notRecorded(`adjustments between t=${snap.t + 1} and t=${t} are not all recorded`);
    const strategy = ctx.strategy;
    const auditCols = ctx.info.strategy.auditColumns;
    const out = new Float64Array(Math.max(1, auditCols.length));
    const len = hi - lo + 1;
    const theta = Float64Array.from(snap.weights);
    const h = ctx.info.hyperparameters;
    const s: StepState<Record<string, HyperValue>, string, string, string> = {
      g: 0, theta: 0, lr: 0, i: 0, neuron: 0, t: 0, h, w: snap.w, n: snap.n, global: snap.global,
    };
    const target = weight - (lo - base);
    let result: { rows: LeverageRow[]; commit: CommitDetail; batch: number } | null = null;
    for (let tt = snap.t + 1; tt <= t; tt++) {
      const k = ctx.commitIndex.get(tt);
      if (k === undefined) return notRecorded(`commit t=${tt} is not in the file`);
      const e = ctx.trace.epoch[k]!;
      const batch = ctx.trace.batch[k]!;
      const count = ctx.trace.count[k]!;
      const lrScale = ctx.trace.lrScale[k]!;
      const banks = new Float64Array(len);
      const rows: LeverageRow[] = [];
      const first = batch * ctx.info.batchSize;
      for (let slot = 0; slot < count; slot++) {
        const at2 = this.samplAt(runId, e, first + slot);
        if (!at2) return notRecorded(`sample at epoch ${e}, position ${first + slot} is not recorded`);
        const blame = at2.chunk.blame[at2.i * ctx.R + ctx.col[layer]![neuron]!]!;
        for (let j = 0; j < len; j++) {
          const input = this.inputOf(ctx, layer, lo - base + j, at2.chunk, at2.i);
          const leverage = input * blame;
          banks[j] += leverage;
          if (tt === t && j === target) {
            rows.push({ position: first + slot, sample: at2.chunk.sample[at2.i]!, slot, input, blame, leverage, cumulative: banks[j]! });
          }
        }
      }
      (s as { t: number }).t = tt;
      strategy?.prepare?.({ h, t: tt, global: snap.global });
      for (let j = 0; j < len; j++) {
        const before = theta[j]!;
        const g = banks[j]! / count;
        const lr = snap.rates[j]! * lrScale;
        s.g = g;
        s.theta = before;
        s.lr = lr;
        s.i = j;
        s.neuron = 0;
        const recomputed = strategy ? strategy.step(s, out, 0) : null;
        const adjustment = adj[j]![tt - snap.t - 1]!;
        theta[j] = before - adjustment;
        if (tt === t && j === target) {
          const values = strategy ? Array.from(out.subarray(0, auditCols.length)) : null;
          result = {
            rows,
            batch,
            commit: {
              batchTotal: banks[j]!,
              count,
              avg: g,
              audit: values ? Object.fromEntries(auditCols.map((c, q) => [c, values[q]!])) : null,
              auditValues: values,
              lr,
              adjustment,
              recomputedAdjustment: recomputed,
              before,
              after: before - adjustment,
            },
          };
        }
      }
    }
    if (!result) return notRecorded(`commit t=${t} could not be replayed`);
    return {
      kind: "weight-trace",
      runId,
      layer,
      neuron,
      weight,
      t,
      epoch,
      batch: result.batch,
      rows: result.rows,
      commit: result.commit,
      strategy: ctx.info.strategy,
    };
  }

  /** Weights [lo, hi] (flat) of a neuron as they were after commit t (from a snapshot and the recorded adjustments). */
  weightsAfter(ctx: RunContext, t: number, layer: number, neuron: number): Float64Array | null {
    const l = ctx.layers[layer]!;
    const base = l.offset + neuron * (l.inputs + 1);
    const snap = this.snapshotBefore(ctx, t, base, base + l.inputs, l.neuronOffset + neuron);
    if (!snap) return null;
    const theta = Float64Array.from(snap.weights);
    if (t > snap.t) {
      if (!ctx.weightsRecorded[layer]![neuron]) return null;
      for (let w = 0; w <= l.inputs; w++) {
        const a = this.adjustments(ctx.info.runId, layer, neuron, w, snap.t + 1, t);
        for (const v of a) {
          if (v === null) return null;
          theta[w] = theta[w]! - v;
        }
      }
    }
    return theta;
  }

  /**
   * One neuron for one sample of one epoch: the forward pass (inputs × weights = products, Σ, z,
   * activation), its blame and blame sources (downstream weight × downstream blame), and per weight
   * the backprop rows (input × blame = leverage, bank so far). Weights are those before the batch's commit.
   */
  neuronSnapshot(runId: string, layer: number, neuron: number, epoch: number, sample: number): NeuronSnapshot | NotRecorded {
    const ctx = this.context(runId);
    const l = this.checkWeight(ctx, layer, neuron, 0);
    if (!ctx.recorded.has(epoch)) return notRecorded(`epoch ${epoch} was not recorded (recording policy)`);
    const c = ctx.col[layer]![neuron]!;
    if (c < 0) return notRecorded(`neuron [layer ${layer}, neuron ${neuron}] was not recorded (recording policy)`);
    if (layer > 0 && Array.from(ctx.col[layer - 1]!).some((v) => v < 0)) return notRecorded(`the inputs of neuron [layer ${layer}, neuron ${neuron}] were not recorded`);
    const position = this.positionOfSample(runId, epoch, sample);
    if (position === null) return notRecorded(`sample ${sample} of epoch ${epoch} is not recorded`);
    const batch = Math.floor(position / ctx.info.batchSize);
    const slot = position % ctx.info.batchSize;
    const t = findCommit(ctx, epoch, batch);
    if (t === null) return notRecorded(`batch ${batch} of epoch ${epoch} has no commit in the file`);
    const w = this.weightsAfter(ctx, t - 1, layer, neuron);
    if (!w) return notRecorded(`the weights of neuron [layer ${layer}, neuron ${neuron}] before commit t=${t} are not recorded`);
    const { chunk, i } = this.samplAt(runId, epoch, position)!;
    const R = ctx.R;
    const inputs: { weight: number; input: number; value: number; product: number }[] = [];
    let sum = 0;
    for (let k = 0; k < l.inputs; k++) {
      const input = this.inputOf(ctx, layer, k, chunk, i);
      const product = input * w[k]!;
      sum += product;
      inputs.push({ weight: k, input, value: w[k]!, product });
    }
    sum = sum + w[l.inputs]!;
    const z = chunk.z[i * R + c]!;
    const a = chunk.a[i * R + c]!;
    const blame = chunk.blame[i * R + c]!;
    const fPrime = l.activation.name === "softmax" ? null : l.activation.derivative(z, a);
    type Source = { neuron: number; weight: number; downstreamBlame: number; product: number };
    let sources: Source[] | null = null;
    let sourcesSum: number | null = null;
    const next = ctx.layers[layer + 1];
    if (next) {
      const list: Source[] = [];
      let acc = 0;
      for (let k = 0; k < next.units; k++) {
        const ck = ctx.col[layer + 1]![k]!;
        const wk = ck < 0 ? null : this.weightsAfter(ctx, t - 1, layer + 1, k);
        if (ck < 0 || !wk) {
          list.length = 0;
          break;
        }
        const weight = wk[neuron]!;
        const downstreamBlame = chunk.blame[i * R + ck]!;
        const product = weight * downstreamBlame;
        acc += product;
        list.push({ neuron: k, weight, downstreamBlame, product });
      }
      if (list.length === next.units) {
        sources = list;
        sourcesSum = acc;
      }
    }
    // Backprop rows: this sample's leverage and the bank of the batch up to and including it.
    const backprop: NeuronSnapshot["backprop"][number][] = [];
    const first = batch * ctx.info.batchSize;
    for (let k = 0; k <= l.inputs; k++) {
      let cumulative = 0;
      let leverage = 0;
      let input = 0;
      for (let s2 = 0; s2 <= slot; s2++) {
        const at2 = this.samplAt(runId, epoch, first + s2)!;
        const x = this.inputOf(ctx, layer, k, at2.chunk, at2.i);
        const lv = x * at2.chunk.blame[at2.i * R + c]!;
        cumulative += lv;
        if (s2 === slot) {
          leverage = lv;
          input = x;
        }
      }
      backprop.push({ weight: k, input, blame, leverage, cumulative });
    }
    return {
      kind: "neuron-snapshot",
      runId,
      layer,
      neuron,
      epoch,
      position,
      sample,
      batch,
      slot,
      t,
      loss: chunk.loss[i]!,
      forward: { inputs, bias: w[l.inputs]!, sum, z, activation: l.activation.name, a },
      blame,
      fPrime,
      sources,
      sourcesSum,
      backprop,
    };
  }
}

function findCommit(ctx: RunContext, epoch: number, batch: number): number | null {
  const tr = ctx.trace;
  for (let i = 0; i < tr.t.length; i++) if (tr.epoch[i] === epoch && tr.batch[i] === batch) return tr.t[i]!;
  return null;
}

function notRecorded(reason: string): NotRecorded {
  return { kind: "not-recorded", reason };
}

function num(v: SqlValue): number {
  return v === null ? NaN : Number(v);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new NfrunError("corrupt", `a JSON column of the file is not valid JSON: ${text.slice(0, 60)}`);
  }
}

/** Convenience: open a file for reading. */
export function openRun(path: string, options?: { sqlJs?: SqlJsOptions }): Promise<NfrunReader> {
  return NfrunReader.open(path, options);
}
