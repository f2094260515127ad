import type { Strategy } from "../engine/optimizers/strategy";

/**
 * The users' strategies this process can replay, by the sha256 stored with a run (strategy-fingerprint.ts):
 * the live ones (the recorder adds each user strategy it records with, so a run recorded in this kernel
 * replays with the very object that trained it) and the ones given to `neuroforge verify --strategy`.
 * A file's stored source is never executed: a run whose hash is not here has no replayable strategy.
 */
const byHash = new Map<string, Strategy>();

/** Makes `strategy` the one that replays runs stored with `hash`. */
export function registerStrategy(hash: string, strategy: Strategy): void {
  byHash.set(hash, strategy);
}

/** The strategy registered for `hash`, or null. */
export function strategyByHash(hash: string): Strategy | null {
  return byHash.get(hash) ?? null;
}

/** Hashes of registered strategies with this id (to tell "a different version" from "none given"). */
export function hashesOfId(id: string): string[] {
  return [...byHash].filter(([, s]) => s.id === id).map(([h]) => h);
}

/**
 * Source text of strategies defined in notebook cells (the kernel notes the cell that called
 * `defineStrategy`), stored with the runs that use them.
 */
const cellSources = new WeakMap<Strategy, string>();

export function noteCellSource(strategy: Strategy, source: string): void {
  cellSources.set(strategy, source);
}

export function cellSourceOf(strategy: Strategy): string | null {
  return cellSources.get(strategy) ?? null;
}
