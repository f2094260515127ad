/**
 * A designed sweep's place in `neuroforge train` and a cell's `train`: the spec comes from the
 * options (a cell) or the experiment file's `sweep:` block; it is resolved into members before any
 * run is planned, hashed like a resolved config, and exported on request.
 */
import { readExperimentFile } from "../engine/config/parse";
import { ExperimentConfigError } from "../engine/config/errors";
import { resolveSweep, type ResolvedSweep, type SweepSpec } from "../engine/sweep/design";
import type { Trial } from "../engine/sweep/adaptive";
import { searchHistory } from "./sweep-history";
import { configHash } from "../record/config-hash";
import { writeTextAtomic } from "./files";

export interface SweepOptions {
  /**
   * `i/n`: run only slice i (0-based) of n of the runs, a contiguous block in sweep order, so that
   * merging shards 0…n−1 in order gives the serial sweep (a Slurm array task, a Kubernetes indexed Job).
   */
  readonly shard?: string;
  /** A designed sweep (grid, random, an orthogonal array); default: the file's `sweep:` block. */
  readonly sweep?: SweepSpec;
  /** Write the resolved sweep (every member's overrides) as JSON here. */
  readonly exportSweep?: string;
  readonly multirun?: boolean;
  /** An adaptive search's members run so far (sweep-history.ts); its next round is proposed from them. */
  readonly history?: readonly Trial[];
  /** Where an adaptive search's history is read (default: the --record file). */
  readonly historyFrom?: string;
}

/** The sweep to run as written (unvalidated): the options', else the file's `sweep:` block; undefined when neither has one. */
export function declaredSweep(path: string, options: SweepOptions): SweepSpec | undefined {
  const raw = readExperimentFile(path).raw;
  const declared = raw !== null && typeof raw === "object" && !Array.isArray(raw) ? (raw as Record<string, unknown>).sweep : undefined;
  return options.sweep ?? (declared as SweepSpec | undefined);
}

/** The resolved sweep for `path`, or null when neither the options nor the file declare one. */
export function planSweep(path: string, options: SweepOptions): ResolvedSweep | null {
  const source = readExperimentFile(path);
  const spec = declaredSweep(path, options);
  if (spec === undefined) {
    if (options.exportSweep) throw new ExperimentConfigError("", "--export-sweep: the experiment declares no sweep (give a sweep: block)", source.file);
    return null;
  }
  if (options.multirun) throw new ExperimentConfigError("sweep", "-m comma lists and a sweep: block both make runs; give the sweep in one place", source.file);
  return resolveSweep(spec, options.sweep ? "sweep option" : source.file, options.history ?? []);
}

/** sha256 of the resolved sweep's canonical JSON (as a resolved config's hash). */
export const sweepHash = (sweep: ResolvedSweep): string => configHash(sweep);

export function writeSweep(path: string, sweep: ResolvedSweep): string {
  return writeTextAtomic(path, `${JSON.stringify(sweep, null, 2)}\n`);
}

/** The members of shard `text` (`i/n`) among `count` runs: [from, to). Throws naming --shard. */
export function shardRange(text: string, count: number): { readonly from: number; readonly to: number } {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!m) throw new ExperimentConfigError("", `--shard: expected i/n with 0 ≤ i < n (e.g. 0/4), got '${text}'`);
  const [i, n] = [Number(m[1]), Number(m[2])];
  if (!(n >= 1 && i < n)) throw new ExperimentConfigError("", `--shard: expected i/n with 0 ≤ i < n, got '${text}'`);
  if (n > count) throw new ExperimentConfigError("", `--shard ${text}: ${n} shards for ${count} run${count === 1 ? "" : "s"}; give at most ${count} shards`);
  return { from: Math.floor((i * count) / n), to: Math.floor(((i + 1) * count) / n) };
}

/**
 * The options with an adaptive search's history loaded (from `historyFrom`, else the record file),
 * when the sweep (option or `sweep:` block) is a bandit or an evolution; otherwise unchanged.
 */
export async function withHistory<T extends SweepOptions & { readonly record?: string }>(path: string, options: T): Promise<T> {
  const spec = declaredSweep(path, options) as { design?: unknown; params?: unknown } | undefined;
  if (!spec || (spec.design !== "bandit" && spec.design !== "evolution") || !spec.params || typeof spec.params !== "object") return options;
  const file = options.historyFrom ?? options.record;
  if (!file) return options;
  return { ...options, history: await searchHistory(file, Object.keys(spec.params)) };
}
