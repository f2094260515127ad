import { ExperimentConfigError } from "./errors";
import { overrideLabel, splitOverride, splitTopLevel } from "./overrides";

/**
 * Multirun (Hydra's basic sweeper): every override whose value is a comma list is a sweep axis, and
 * the runs are the cartesian product of the axes, in a stable order — the first axis varies slowest,
 * the last fastest (itertools.product order). Overrides without a list are in every run.
 *   -m optimizer=adam,sgd optimizer.lr=1e-3,1e-2
 *   → [optimizer=adam optimizer.lr=1e-3] [optimizer=adam optimizer.lr=1e-2]
 *     [optimizer=sgd optimizer.lr=1e-3]  [optimizer=sgd optimizer.lr=1e-2]
 */
export function expandSweep(overrides: readonly string[]): string[][] {
  const axes: string[][] = overrides.map((text) => {
    const parts = splitOverride(text);
    if (parts === null) return [text];
    const values = splitTopLevel(parts.valueText);
    if (values.length === 1) return [text];
    const seen = new Set<string>();
    for (const v of values) {
      if (v.trim() === "") throw new ExperimentConfigError(parts.lhs, "empty value in a sweep list", overrideLabel(text));
      if (seen.has(v.trim())) throw new ExperimentConfigError(parts.lhs, `'${v.trim()}' is listed twice in the sweep`, overrideLabel(text));
      seen.add(v.trim());
    }
    return values.map((v) => `${parts.lhs}=${v.trim()}`);
  });
  let runs: string[][] = [[]];
  for (const axis of axes) runs = runs.flatMap((run) => axis.map((o) => [...run, o]));
  return runs;
}

/** The overrides that differ between the runs of a sweep (for naming runs): `optimizer=adam optimizer.lr=1e-3`. */
export function sweepLabel(run: readonly string[], all: readonly string[][]): string {
  return run.filter((o, k) => all.some((other) => other[k] !== o)).join(" ");
}
