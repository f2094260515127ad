import { blobF64 } from "./blob";
import { parseFloatText } from "./float-text";
import type { RunContext, RunDb } from "./reader-types";
import { hasTable, safeJson } from "./reader-util";

/** One snapshot row, decoded: weights, per-weight rates, per-weight state (S·W), per-neuron state, globals. */
export interface DecodedSnapshot {
  readonly t: number;
  readonly weights: Float64Array;
  readonly rates: Float64Array;
  readonly state: Float64Array;
  readonly neuronState: Float64Array;
  readonly global: Readonly<Record<string, number>>;
  /** Lookahead runs: the slow weights after commit t (table lookahead_slow); else null. */
  readonly slow: Float64Array | null;
}

/** Decoded snapshots kept per reader (least recently used are dropped). */
const MAX_SNAPSHOTS = 8;

/**
 * Snapshots decoded whole, once. Reading a slice of a snapshot blob in SQL (substr) makes SQLite walk
 * the blob's overflow-page chain up to that offset, which for a large model costs more per query than
 * decoding the whole row once; queries near each other in time share the same snapshot.
 */
export class SnapshotCache {
  private readonly cache = new Map<string, DecodedSnapshot>();

  constructor(private readonly db: RunDb) {}

  get(ctx: RunContext, t: number): DecodedSnapshot {
    const runId = ctx.info.runId;
    const key = `${runId}\u0000${t}`;
    let snap = this.cache.get(key);
    if (snap) this.cache.delete(key);
    else snap = this.load(ctx, t);
    this.cache.set(key, snap);
    while (this.cache.size > MAX_SNAPSHOTS) this.cache.delete(this.cache.keys().next().value!);
    return snap;
  }

  private load(ctx: RunContext, t: number): DecodedSnapshot {
    const runId = ctx.info.runId;
    const W = ctx.info.weightCount;
    const N = ctx.info.neuronCount;
    const row = this.db.query("SELECT weights, learning_rates, state, neuron_state, global_json FROM snapshots WHERE run_id = ? AND t = ?", [runId, t])[0];
    if (!row) throw this.db.bad(`run ${runId}: snapshot at t=${t} is missing`);
    const weights = blobF64(row[0]);
    const rates = blobF64(row[1]);
    const state = blobF64(row[2]);
    const neuronState = blobF64(row[3]);
    if (!weights || !rates || weights.length !== W || rates.length !== W || !state || !neuronState ||
        state.length !== ctx.perWeight.length * W || neuronState.length !== ctx.perNeuron.length * N) {
      throw this.db.bad(`run ${runId}: snapshot at t=${t} has the wrong size`);
    }
    const global: Record<string, number> = {};
    const pairs = safeJson(String(row[4]));
    if (!Array.isArray(pairs) || pairs.some((p) => !Array.isArray(p) || p.length !== 2 || typeof p[0] !== "string" || typeof p[1] !== "string")) {
      throw this.db.bad(`run ${runId}: snapshot at t=${t}: global_json is not a list of [name, number] pairs`);
    }
    for (const [k, v] of pairs as [string, string][]) global[k] = parseFloatText(v);
    let slow: Float64Array | null = null;
    if (ctx.mechanisms.lookahead) {
      const s = hasTable(this.db, "lookahead_slow") ? this.db.query("SELECT slow FROM lookahead_slow WHERE run_id = ? AND t = ?", [runId, t])[0] : undefined;
      slow = s ? blobF64(s[0]) : null;
      if (!slow || slow.length !== W) throw this.db.bad(`run ${runId}: a Lookahead run without its slow weights at t=${t} (table lookahead_slow)`);
    }
    return { t, weights, rates, state, neuronState, global, slow };
  }
}
