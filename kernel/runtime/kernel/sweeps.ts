/**
 * A sweep from a notebook cell, with the typed spec of a config's `sweep:` block (`SweepSpec`): its
 * members trained (and recorded with `record`) as `train` trains them; an adaptive search (bandit,
 * evolution) round after round until its budget is spent, each round proposed from the runs so far —
 * those already in the `record` file included, as the CLI resumes. Returns the sweep object.
 */
import { ExperimentConfigError } from "../../engine/config/errors";
import type { Trial } from "../../engine/sweep/adaptive";
import type { ResolvedSweep, SweepMember } from "../../engine/sweep/design";
import type { SweepMemberResult, SweepObject } from "../../engine/sweep/sweep-object";
import { ARRAY_NAMES } from "../../engine/sweep/orthogonal-arrays";
import type { RunOptions } from "../experiment-runs";
import { valueAt } from "../sweep-history";
import { declaredSweep, sweepHash, withHistory } from "../sweep-plan";
import { sweepEffects, train, type TrainedRun } from "./experiments";

export type { SweepObject, SweepMemberResult, SweepMetrics } from "../../engine/sweep/sweep-object";

const finite = (x: number | null | undefined): number | null => (typeof x === "number" && Number.isFinite(x) ? x : null);

/** Designs whose members form a balanced design, so a level's mean is a main effect. */
const balanced = (design: string): boolean => design === "grid" || (ARRAY_NAMES as readonly string[]).includes(design);

export async function runSweep(path: string, options: RunOptions = {}): Promise<SweepObject> {
  const spec = declaredSweep(path, options);
  if (!spec) throw new ExperimentConfigError("sweep", "no sweep to run: give the sweep option or a sweep: block in the file");
  const params = Object.keys(spec.params ?? {});
  const adaptive = spec.design === "bandit" || spec.design === "evolution";
  const trialOf = (run: TrainedRun): Trial => ({
    values: Object.fromEntries(params.map((p) => [p, valueAt(run.experiment, p)!])),
    loss: run.result.status === "completed" ? run.result.loss : NaN,
  });
  let history: readonly Trial[] = adaptive ? ((await withHistory(path, options)).history ?? []) : [];
  const rounds: TrainedRun[][] = [];
  for (;;) {
    const round = await train(path, adaptive ? { ...options, history } : options);
    if (round.length > 0) rounds.push(round);
    // A member that did not complete ends the sweep, as in the CLI.
    if (!adaptive || round.length === 0 || round.some((r) => r.result.status !== "completed")) break;
    history = [...history, ...round.map(trialOf)];
  }
  const runs = rounds.flat();
  const first = runs[0]?.sweep;
  const resolved: ResolvedSweep = adaptive
    ? { design: spec.design, factors: first?.factors ?? [], seed: spec.seed ?? 0, history: first?.history ?? history.length, members: runs.map((r) => r.member!) }
    : first!;
  const members = rounds.flatMap((round, r) => round.map((run) => memberResult(run, r, trialOf(run).values)));
  const completed = members.filter((m) => m.metrics.loss !== null);
  return {
    kind: "sweep",
    experiment: runs[0]?.experiment.name ?? "",
    design: spec.design,
    params,
    resolved,
    hash: sweepHash(resolved),
    ...(spec.budget === undefined ? {} : { budget: spec.budget }),
    members,
    effects: balanced(spec.design) && runs.length > 0 ? sweepEffects(runs) : null,
    best: completed.length ? completed.reduce((a, b) => (b.metrics.loss! < a.metrics.loss! ? b : a)).index : null,
    ...(options.record ? { record: options.record } : {}),
  };
}

function memberResult(run: TrainedRun, round: number, values: SweepMemberResult["values"]): SweepMemberResult {
  const member: SweepMember = run.member!;
  const { result } = run;
  const completed = result.status === "completed";
  return {
    index: member.index,
    round,
    label: member.overrides.join(" "),
    overrides: member.overrides,
    values,
    status: result.status,
    epochs: result.epochs,
    seconds: result.seconds,
    metrics: {
      loss: completed ? finite(result.loss) : null,
      testLoss: completed ? finite(result.test?.loss) : null,
      testAccuracy: completed ? finite(result.test?.accuracy) : null,
    },
    configHash: run.configHash,
    ...(run.runId ? { runId: run.runId } : {}),
  };
}
