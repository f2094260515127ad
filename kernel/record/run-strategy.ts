import { getStrategy } from "../engine/optimizers/registry";
import type { Strategy } from "../engine/optimizers/strategy";
import { blobF64 } from "./blob";
import type { RunDb } from "./reader-types";
import { strategyByHash } from "./strategy-registry";
import { hasTable } from "./reader-util";

/** Where a run's strategy comes from (table `strategies`; files before schema version 3: built in). */
export interface RunStrategySource {
  readonly builtin: boolean;
  /** sha256 of a user's strategy's stored fingerprint (null: built in). */
  readonly hash: string | null;
  /** The declaration's description, when to use it, what it is best for (null: the file does not say). */
  readonly guidance: StrategyGuidance | null;
}

export interface StrategyGuidance {
  readonly description: string;
  readonly whenToUse: string;
  readonly bestFor: string;
}

/** Longest declaration read, and longest guidance text kept: a hostile file cannot make them huge. */
const DECLARATION_CHARS = 100_000;
const GUIDANCE_CHARS = 2_000;

/** The guidance fields of a stored declaration (canonical JSON), or null when it has none. */
function storedGuidance(json: unknown): StrategyGuidance | null {
  let d: unknown;
  try {
    d = typeof json === "string" ? JSON.parse(json) : null;
  } catch {
    return null;
  }
  if (d === null || typeof d !== "object") return null;
  const field = (k: string): string => {
    const v = (d as Record<string, unknown>)[k];
    return typeof v === "string" ? v.slice(0, GUIDANCE_CHARS) : "";
  };
  const g = { description: field("description"), whenToUse: field("whenToUse"), bestFor: field("bestFor") };
  return g.description || g.whenToUse || g.bestFor ? g : null;
}

/** A per-weight learning-rate array in force from commit t + 1 on (table `learning_rate_changes`). */
export interface RateChange {
  readonly t: number;
  readonly rates: Float64Array;
}

/**
 * The strategy that replays a run: a built-in one from this NeuroForge's registry; a user's one only
 * when this process holds it (live from the kernel that recorded the run, or given to verify with
 * --strategy), found by the stored hash. The stored source is never executed.
 */
export function runStrategy(reader: RunDb, runId: string, strategyId: string): { strategy: Strategy | null; source: RunStrategySource } {
  const row = hasTable(reader, "strategies")
    ? reader.query("SELECT builtin, substr(source_hash, 1, 64), substr(declaration_json, 1, ?) FROM strategies WHERE run_id = ?", [DECLARATION_CHARS, runId])[0]
    : undefined;
  const stored = row ? storedGuidance(row[2]) : null;
  if (row && !Number(row[0])) {
    const hash = row[1] === null ? "" : String(row[1]);
    return { strategy: strategyByHash(hash), source: { builtin: false, hash, guidance: stored } };
  }
  let strategy: Strategy | null;
  try {
    strategy = getStrategy(strategyId);
  } catch {
    strategy = null;
  }
  // Files before schema version 3 store no declaration: a built-in strategy's own words.
  const guidance = stored ?? (strategy ? { description: strategy.description, whenToUse: strategy.whenToUse, bestFor: strategy.bestFor } : null);
  return { strategy, source: { builtin: true, hash: null, guidance } };
}

/** The run's learning-rate changes in commit order (none in files before schema version 3). */
export function rateChanges(reader: RunDb, runId: string, weightCount: number): RateChange[] {
  if (!hasTable(reader, "learning_rate_changes")) return [];
  // A blob of the wrong size is never decoded (a hostile file could make it huge).
  return reader.query("SELECT t, CASE WHEN length(rates) = ? THEN rates END FROM learning_rate_changes WHERE run_id = ? ORDER BY t", [8 * weightCount, runId]).map(([t, b]) => {
    const rates = blobF64(b);
    if (!rates || rates.length !== weightCount) throw reader.bad(`run ${runId}: the learning rates changed after t=${Number(t)} are not ${weightCount} numbers`);
    return { t: Number(t), rates };
  });
}

/**
 * The change whose rates are in force at commit `t` when replaying from a snapshot taken after commit
 * `from`: the last one with from ≤ change.t < t (null: the snapshot's rates). A snapshot taken after a
 * change at its own t already holds the new rates; applying them again changes nothing.
 */
export function rateChangeAt(changes: readonly RateChange[], from: number, t: number): RateChange | null {
  let found: RateChange | null = null;
  for (const c of changes) if (c.t >= from && c.t < t) found = c;
  return found;
}
