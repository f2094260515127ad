import { sanitizeWeights } from "../engine/health/sanitize";
import type { StrategyState } from "../engine/optimizers/strategy-state";
import type { RunContext, RunDb } from "./reader-types";
import { isObject, safeJson } from "./reader-util";

/**
 * What the non-finite guard's `sanitize` policy did in a run, as its event log keeps it (events of kind
 * `nonfinite`, docs/nfrun-format.md): the samples whose non-finite loss was left out (their epoch and
 * position) and, per commit t, the weights a sanitized commit set to a value (`data_json.sanitized`).
 */
export interface RecordedSanitizations {
  /** `epoch:position` of every sample with a logged non-finite loss. */
  readonly losses: ReadonlySet<string>;
  /** Per commit t: the weights (flat indices, ascending) set to `value` after it. */
  readonly weights: ReadonlyMap<number, { readonly weights: readonly number[]; readonly value: number }>;
}

type Bad = (what: string, expected: number | string, found: number | string, t: number | null) => never;

export const sampleKey = (epoch: number, position: number): string => `${epoch}:${position}`;

/** The run's sanitizations; every `sanitized` payload checked against the model's weight count (a hostile row is a mismatch, never a crash). */
export function recordedSanitizations(db: RunDb, runId: string, weightCount: number, bad: Bad): RecordedSanitizations {
  const losses = new Set<string>();
  const weights = new Map<number, { weights: number[]; value: number }>();
  for (const [rowT, epoch, position, json] of db.query("SELECT t, epoch, position, data_json FROM events WHERE run_id = ? AND kind = 'nonfinite' ORDER BY seq", [runId])) {
    const t = rowT === null ? null : Number(rowT);
    if (position !== null && Number(position) >= 0) losses.add(sampleKey(Number(epoch), Number(position)));
    const data = typeof json === "string" ? safeJson(json) : null;
    if (!isObject(data) || data.sanitized === undefined) continue;
    const s = isObject(data.sanitized) ? data.sanitized : {};
    const list = s.weights;
    const value = s.value;
    if (t === null || !Number.isInteger(t) || t < 1 || weights.has(t)) return bad("sanitize event t", "one event per sanitized commit t ≥ 1", String(rowT), t);
    if (typeof value !== "number" || !Number.isFinite(value)) return bad("sanitize event value", "a finite number", String(value), t);
    if (!Array.isArray(list) || !list.every((i, k) => Number.isInteger(i) && i >= 0 && i < weightCount && (k === 0 || i > (list[k - 1] as number)))) {
      return bad("sanitize event weights", `ascending weight indices 0 … ${weightCount - 1}`, JSON.stringify(list).slice(0, 60), t);
    }
    weights.set(t, { weights: list as number[], value });
  }
  return { losses, weights };
}

/** The optimizer-state resets the sanitized commits made: for a replay restored mid-run (StrategyState.restoreResets). */
export function sanitizeResets(s: RecordedSanitizations): { t: number; weights: readonly number[] }[] {
  return [...s.weights].map(([t, w]) => ({ t, weights: w.weights }));
}

/**
 * Replays the non-finite guard after a commit (the engine's own sanitizeWeights) and checks it against the
 * logged event: a commit with non-finite norms was sanitized (the weights the event lists, set to its
 * value) or, with no such event, ended the run (policy stop); a logged sanitization of a finite commit,
 * another weight list or another value is a problem.
 */
export function replaySanitizedCommit(
  last: boolean,
  params: Float64Array,
  state: StrategyState,
  slow: Float64Array | null,
  logged: { readonly weights: readonly number[]; readonly value: number } | undefined,
): { what: string; expected: string | number; found: string | number } | null {
  const finite = state.normsFinite;
  if (!logged) return finite || last ? null : { what: "non-finite commit without a sanitize event", expected: "a nonfinite event listing the weights set to 0 (or the run's end)", found: "none" };
  if (finite) return { what: "sanitize event of a finite commit", expected: "no sanitization", found: `${logged.weights.length} weights` };
  const done = sanitizeWeights(params, state, slow);
  if (done.value !== logged.value) return { what: "sanitize event value", expected: done.value, found: logged.value };
  if (done.weights.length !== logged.weights.length || done.weights.some((w, k) => w !== logged.weights[k])) {
    return { what: "sanitize event weights", expected: list(done.weights), found: list(logged.weights) };
  }
  return null;
}

const list = (w: readonly number[]): string => (w.length > 8 ? `${w.slice(0, 8).join(", ")}, … (${w.length})` : `[${w.join(", ")}]`);

const byContext = new WeakMap<RunContext, RecordedSanitizations>();

/** The run's sanitizations for the reader's queries (read once per run context; a hostile row is a 'corrupt' error). */
export function runSanitizations(db: RunDb, ctx: RunContext): RecordedSanitizations {
  let found = byContext.get(ctx);
  if (!found) {
    const runId = ctx.info.runId;
    found = recordedSanitizations(db, runId, ctx.info.weightCount, (what, expected, got, t) => {
      throw db.bad(`run ${runId}: ${what} at t=${t}: expected ${expected}, found ${got}`);
    });
    byContext.set(ctx, found);
  }
  return found;
}
