import { initializers, type InitializerName } from "../engine/initializers";
import { rebirth, rebirthWeights, type RebirthLayout } from "../engine/lifecycle/rebirth";
import type { InitSpec, Model } from "../engine/model";
import type { StrategyState } from "../engine/optimizers/strategy-state";
import type { RunContext, RunDb } from "./reader-types";
import { isObject, safeJson } from "./reader-util";

/**
 * A rebirth as the run's event log keeps it: an `events` row of kind `lifecycle` whose data_json holds
 * `lifecycle: { kind: "rebirth", t, layer, neuron, absorbed, init, seed, …fitness terms }`
 * (docs/nfrun-format.md). Everything a replay needs to draw the same weights is in the row.
 */
export interface RecordedRebirth {
  readonly t: number;
  readonly layer: number;
  readonly neuron: number;
  readonly absorb: number;
  readonly init: InitSpec;
  readonly seed: number;
}

type Bad = (what: string, expected: number | string, found: number | string, t: number | null) => never;

const isIndex = (v: unknown, below: number): v is number => Number.isInteger(v) && (v as number) >= 0 && (v as number) < below;

/**
 * The run's rebirths by the commit after which they happened, in log order; every row checked against
 * the model (a hidden layer, a neuron of it, a known initializer, finite numbers) — a hostile row is a
 * mismatch, never a crash.
 */
export function recordedRebirths(reader: RunDb, runId: string, layers: RebirthLayout, bad: Bad): Map<number, RecordedRebirth[]> {
  const byT = new Map<number, RecordedRebirth[]>();
  const rows = reader.query("SELECT t, data_json FROM events WHERE run_id = ? AND kind = 'lifecycle' ORDER BY seq", [runId]);
  for (const [rowT, json] of rows) {
    const t = rowT === null ? null : Number(rowT);
    const data = typeof json === "string" ? safeJson(json) : null;
    const e = isObject(data) && isObject(data.lifecycle) ? data.lifecycle : null;
    if (!e) return bad("lifecycle event", "data_json with a lifecycle object", String(json).slice(0, 60), t);
    if (e.kind !== "rebirth") continue;
    const hidden = layers.length - 1;
    if (!isIndex(e.layer, hidden)) return bad("lifecycle event layer", `a hidden layer 0 … ${hidden - 1}`, String(e.layer), t);
    const units = layers[e.layer]!.units;
    if (!isIndex(e.neuron, units)) return bad("lifecycle event neuron", `0 … ${units - 1}`, String(e.neuron), t);
    if (!Number.isInteger(e.t) || e.t !== t || (e.t as number) < 1) return bad("lifecycle event t", `the row's t (${t})`, String(e.t), t);
    const init = isObject(e.init) ? e.init : null;
    if (!init || typeof init.name !== "string" || !Object.hasOwn(initializers, init.name) || (init.value !== undefined && !Number.isFinite(init.value))) {
      return bad("lifecycle event init", "a known initializer", JSON.stringify(e.init ?? null).slice(0, 60), t);
    }
    if (!Number.isInteger(e.seed) || (e.seed as number) < 0) return bad("lifecycle event seed", "an integer ≥ 0", String(e.seed), t);
    if (typeof e.absorbed !== "number" || !Number.isFinite(e.absorbed)) return bad("lifecycle event absorbed", "a finite number", String(e.absorbed), t);
    const spec: InitSpec = { name: init.name as InitializerName, ...(typeof init.value === "number" ? { value: init.value } : {}) };
    const list = byT.get(e.t as number) ?? [];
    list.push({ t: e.t as number, layer: e.layer, neuron: e.neuron, absorb: e.absorbed, init: spec, seed: e.seed as number });
    byT.set(e.t as number, list);
  }
  return byT;
}

/** Replays the rebirths after commit t (the engine's own `rebirth`, so the same bits; `slow`: Lookahead's slow weights). */
export function replayRebirths(model: Model, state: StrategyState, rebirths: readonly RecordedRebirth[] | undefined, slow: Float64Array | null): void {
  for (const r of rebirths ?? []) rebirth(model, state, r.init, r.seed, r, slow);
}

/** The optimizer-state resets the rebirths made, in commit order: for a replay restored mid-run (StrategyState.restoreResets). */
export function rebirthResets(model: Model, rebirths: ReadonlyMap<number, readonly RecordedRebirth[]>): { t: number; weights: number[] }[] {
  return [...rebirths.values()].flat().map((r) => ({ t: r.t, weights: rebirthWeights(model.layers, r.layer, r.neuron) }));
}

const byContext = new WeakMap<RunContext, Map<number, RecordedRebirth[]>>();

/** The run's rebirths for the reader's queries (read once per run context; a hostile row is a 'corrupt' error). */
export function runRebirths(db: RunDb, ctx: RunContext): Map<number, RecordedRebirth[]> {
  let found = byContext.get(ctx);
  if (!found) {
    const runId = ctx.info.runId;
    found = recordedRebirths(db, runId, ctx.layers, (what, expected, found, t) => {
      throw db.bad(`run ${runId}: ${what} at t=${t}: expected ${expected}, found ${found}`);
    });
    byContext.set(ctx, found);
  }
  return found;
}
