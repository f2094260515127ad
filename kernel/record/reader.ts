import * as fs from "node:fs";
import type { Database, SqlValue } from "sql.js";
import { ChunkCache } from "./chunk-cache";
import { configHash } from "./config-hash";
import { NfrunError } from "./errors";
import { neuronSnapshot } from "./neuron-snapshot";
import type { Chunk, NeuronSnapshot, NotRecorded, RunContext, RunDb, RunEvent, RunInfo, TraceSeries, WeightAt, WeightTrace } from "./reader-types";
import { safeJson } from "./reader-util";
import { SnapshotCache, type DecodedSnapshot } from "./snapshot-cache";
import { loadRunContext } from "./run-context";
import { loadDigest } from "./run-digest";
import { loadSqlJs, type SqlJsOptions } from "./sqljs";
import { checkHeader, checkTables } from "./validate";
import { adjustments, weightsAfter, weightTrace } from "./weight-trace";

export type {
  NotRecorded,
  RunInfo,
  StrategyInfo,
  TraceSeries,
  RunEvent,
  LeverageRow,
  CommitDetail,
  WeightTrace,
  NeuronSnapshot,
  WeightAt,
  RunContext,
} from "./reader-types";

/**
 * Reads .nfrun files. Opening checks the untrusted bytes first (see validate.ts); every failure is an
 * NfrunError with a plain message. All queries are parameterized. The queries themselves live beside
 * this file, one concept each: run-context.ts (what a run's queries need, loaded once), chunk-cache.ts
 * (decoded sample chunks per epoch), weight-trace.ts (one weight at one commit, replayed from the
 * nearest snapshot), neuron-snapshot.ts (one neuron for one sample).
 */
export class NfrunReader implements RunDb {
  private readonly contexts = new Map<string, RunContext>();
  private readonly chunks = new ChunkCache(this, (runId) => this.context(runId));
  private readonly snapshots = new SnapshotCache(this);

  private constructor(
    readonly db: Database,
    readonly path: string | undefined,
    readonly bytes: number,
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
    await loadDigest();
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
    return new NfrunReader(db, options.path, bytes.byteLength);
  }

  close(): void {
    this.db.close();
  }

  /** Parameterized query; any SQLite failure becomes NfrunError 'corrupt'. */
  query(sql: string, params: SqlValue[] = []): SqlValue[][] {
    const rows: SqlValue[][] = [];
    this.each(sql, params, (r) => rows.push(r));
    return rows;
  }

  /** Like `query`, one row at a time (whole-table scans in bounded memory). */
  each(sql: string, params: SqlValue[], row: (values: SqlValue[]) => void): void {
    try {
      const stmt = this.db.prepare(sql);
      try {
        stmt.bind(params);
        while (stmt.step()) row(stmt.get());
      } finally {
        stmt.free();
      }
    } catch (e) {
      if (e instanceof NfrunError) throw e;
      throw new NfrunError("corrupt", `SQLite cannot read the file: ${(e as Error).message}`, this.path);
    }
  }

  /** A 'corrupt' NfrunError for this file (used by the query modules). */
  bad(message: string): NfrunError {
    return new NfrunError("corrupt", message, this.path);
  }

  /**
   * The runs in the order they were added to the file: recorded one after another, or copied by merge in
   * its inputs' order (so a parallel sweep's members are in member order, whichever started first).
   */
  runIds(): string[] {
    return this.query("SELECT run_id FROM runs ORDER BY rowid").map((r) => String(r[0]));
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
    let hash: string;
    try {
      hash = configHash(config);
    } catch (e) {
      // A config nested deeper than the stack (or holding what JSON cannot) is not one we wrote.
      throw this.bad(`run ${runId}: its config cannot be hashed (${(e as Error).message})`);
    }
    return { config, json, hash: String(row[1]), hashMatches: hash === String(row[1]) };
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
    let ctx = this.contexts.get(runId);
    if (!ctx) {
      ctx = loadRunContext(this, runId);
      this.contexts.set(runId, ctx);
    }
    return ctx;
  }

  /** The recorded sample chunks of an epoch, in position order (decoded once, a few epochs cached). */
  epochChunks(runId: string, epoch: number): Chunk[] {
    return this.chunks.epochChunks(runId, epoch);
  }

  /** Locates position `position` of `epoch`: its chunk and index in it, or null when not recorded. */
  samplAt(runId: string, epoch: number, position: number): { chunk: Chunk; i: number } | null {
    return this.chunks.sampleAt(runId, epoch, position);
  }

  positionOfSample(runId: string, epoch: number, sample: number): number | null {
    return this.chunks.positionOfSample(runId, epoch, sample);
  }

  /** The snapshot of a run at timestep t, decoded (cached; callers must not modify the arrays). */
  snapshot(ctx: RunContext, t: number): DecodedSnapshot {
    return this.snapshots.get(ctx, t);
  }

  /** Recorded adjustments of one weight for commits tFrom … tTo (inclusive); null where missing. */
  adjustments(runId: string, layer: number, neuron: number, weight: number, tFrom: number, tTo: number): (number | null)[] {
    return adjustments(this, runId, layer, neuron, weight, tFrom, tTo);
  }

  /**
   * One weight at one commit: the per-sample rows of that batch (input × blame = leverage, running
   * bank), the commit (batch total, count, avg, the strategy's audit columns by name, LR, adjustment,
   * before, after) and the strategy's formula. `at`: the commit's timestep t, or a sample of an epoch
   * (by dataset index or position) whose batch's commit is meant.
   */
  weightTrace(runId: string, layer: number, neuron: number, weight: number, at: WeightAt): WeightTrace | NotRecorded {
    return weightTrace(this, runId, layer, neuron, weight, at);
  }

  /** Weights of a neuron as they were after commit t (from a snapshot and the recorded adjustments). */
  weightsAfter(ctx: RunContext, t: number, layer: number, neuron: number): Float64Array | null {
    return weightsAfter(this, ctx, t, layer, neuron);
  }

  /**
   * One neuron for one sample of one epoch: the forward pass (inputs × weights = products, Σ, z,
   * activation), its blame and blame sources (downstream weight × downstream blame), and per weight
   * the backprop rows (input × blame = leverage, bank so far). Weights are those before the batch's commit.
   */
  neuronSnapshot(runId: string, layer: number, neuron: number, epoch: number, sample: number): NeuronSnapshot | NotRecorded {
    return neuronSnapshot(this, runId, layer, neuron, epoch, sample);
  }
}

/** Convenience: open a file for reading. */
export function openRun(path: string, options?: { sqlJs?: SqlJsOptions }): Promise<NfrunReader> {
  return NfrunReader.open(path, options);
}
