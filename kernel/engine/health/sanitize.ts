import type { StrategyState } from "../optimizers/strategy-state";

/**
 * What the non-finite guard does (health.nonfinite): "stop" ends the run as diverged (the default);
 * "sanitize" records the same `nonfinite` event and goes on — a batch holding a non-finite loss counts its
 * non-finite gradient entries as 0, and a step that left weights non-finite sets them to 0 with their
 * optimizer state reset (seed 004's nan_to_num). Never silent: each is an event in the run's log.
 */
export type NonfinitePolicy = "stop" | "sanitize";

export const nonfinitePolicies: readonly NonfinitePolicy[] = ["stop", "sanitize"];

/** Sets every non-finite entry to 0; returns how many there were. */
export function zeroNonFinite(values: Float64Array): number {
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i]!)) {
      values[i] = 0;
      n++;
    }
  }
  return n;
}

/** Non-finite weights to 0, and their optimizer state (which the bad step also fed) back to its initial value. */
export function sanitizeWeights(params: Float64Array, state: StrategyState): number {
  const bad: number[] = [];
  for (let i = 0; i < params.length; i++) if (!Number.isFinite(params[i]!)) bad.push(i);
  for (const i of bad) params[i] = 0;
  state.resetWeights(bad);
  return bad.length;
}
