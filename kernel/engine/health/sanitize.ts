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

/** What a sanitized commit did, in its `nonfinite` event: these weights (flat indices, ascending) were set to `value`. */
export interface SanitizedWeights {
  readonly weights: readonly number[];
  readonly value: number;
}

/**
 * Non-finite weights to 0 and their optimizer state (which the bad step also fed) back to its start, as a
 * fresh optimizer's: the strategy's (StrategyState.resetWeights) and, under Lookahead, their slow weights
 * (a fresh Lookahead's slow weights are the weights it starts from). A replay (verify) calls the same.
 */
export function sanitizeWeights(params: Float64Array, state: StrategyState, slow: Float64Array | null): SanitizedWeights {
  const value = 0;
  const weights: number[] = [];
  for (let i = 0; i < params.length; i++) if (!Number.isFinite(params[i]!)) weights.push(i);
  for (const i of weights) {
    params[i] = value;
    if (slow) slow[i] = value;
  }
  state.resetWeights(weights);
  return { weights, value };
}
