/**
 * A designed sweep's place in `neuroforge train` and a cell's `train`: the spec comes from the
 * options (a cell) or the experiment file's `sweep:` block; it is resolved into members before any
 * run is planned, hashed like a resolved config, and exported on request.
 */
import { readExperimentFile } from "../engine/config/parse";
import { ExperimentConfigError } from "../engine/config/errors";
import { resolveSweep, type ResolvedSweep, type SweepSpec } from "../engine/sweep/design";
import { configHash } from "../record/config-hash";
import { writeTextAtomic } from "./files";

export interface SweepOptions {
  /** A designed sweep (grid, random, an orthogonal array); default: the file's `sweep:` block. */
  readonly sweep?: SweepSpec;
  /** Write the resolved sweep (every member's overrides) as JSON here. */
  readonly exportSweep?: string;
  readonly multirun?: boolean;
}

/** The resolved sweep for `path`, or null when neither the options nor the file declare one. */
export function planSweep(path: string, options: SweepOptions): ResolvedSweep | null {
  const source = readExperimentFile(path);
  const raw = source.raw;
  const declared = raw !== null && typeof raw === "object" && !Array.isArray(raw) ? (raw as Record<string, unknown>).sweep : undefined;
  const spec = options.sweep ?? declared;
  if (spec === undefined) {
    if (options.exportSweep) throw new ExperimentConfigError("", "--export-sweep: the experiment declares no sweep (give a sweep: block)", source.file);
    return null;
  }
  if (options.multirun) throw new ExperimentConfigError("sweep", "-m comma lists and a sweep: block both make runs; give the sweep in one place", source.file);
  return resolveSweep(spec, options.sweep ? "sweep option" : source.file);
}

/** sha256 of the resolved sweep's canonical JSON (as a resolved config's hash). */
export const sweepHash = (sweep: ResolvedSweep): string => configHash(sweep);

export function writeSweep(path: string, sweep: ResolvedSweep): string {
  return writeTextAtomic(path, `${JSON.stringify(sweep, null, 2)}\n`);
}
