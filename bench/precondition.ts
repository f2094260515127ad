/**
 * Preconditioned descent against plain GD and Adam: steps and wall time to reach loss ≤ 1e-6 on the
 * ill-conditioned quadratic (D = 10, κ = 1e4) and on 2-D Rosenbrock from (−1.2, 1). Each optimizer gets
 * its best base learning rate from a grid (1e-4 … 1, four per decade) (fewest steps; EMA-of-g² also its β), then that setting is
 * timed `--rounds` times (median wall). Hutchinson: 10 Rademacher probes per refresh, exact HVPs, a
 * refresh every commit; β = 0 (the latest estimate) for the three curvature sources.
 *
 * `npm run bench -- precondition [--rounds=3] [--max-steps=1000000]`.
 */
import { descend, type DescentOptions } from "../kernel/engine/precondition/descend";
import type { Objective } from "../kernel/engine/precondition/objective";
import { quadratic } from "../kernel/engine/precondition/problems/quadratic";
import { rosenbrock } from "../kernel/engine/precondition/problems/rosenbrock";
import { intOption, median, type Benchmark, type BenchOptions } from "./lib/harness";

/** 1e-4 … 1, four per decade. */
const LRS = Array.from({ length: 17 }, (_, k) => Number((10 ** (-4 + k / 4)).toPrecision(3)));
const OPTIMIZERS: readonly { id: string; label: string; extra: readonly Record<string, number>[] }[] = [
  { id: "sgd", label: "plain GD", extra: [{}] },
  { id: "adam", label: "Adam", extra: [{}] },
  { id: "precond_ema", label: "precond: EMA of g²", extra: [{ beta: 0.9 }, { beta: 0.99 }, { beta: 0.999 }] },
  { id: "precond_hutchinson", label: "precond: Hutchinson diag(H)", extra: [{}] },
  { id: "precond_fisher", label: "precond: empirical Fisher", extra: [{}] },
  { id: "precond_gn", label: "precond: Gauss–Newton diag", extra: [{}] },
];

interface Row {
  readonly problem: string;
  readonly label: string;
  readonly setting: string;
  readonly steps: number | null;
  readonly ms: number | null;
}

function best(objective: () => Objective, id: string, extra: readonly Record<string, number>[], maxSteps: number) {
  let found: { hyper: Record<string, number>; steps: number } | null = null;
  for (const e of extra) {
    for (const lr of LRS) {
      const hyper = { lr, ...e };
      const run = descend(objective(), { optimizer: id, hyperparameters: hyper, maxSteps: found ? Math.min(maxSteps, found.steps) : maxSteps, tolerance: 1e-6, keepTheta: false, probes: 10, seed: 1 });
      if (run.reached && (!found || run.steps < found.steps)) found = { hyper, steps: run.steps };
    }
  }
  return found;
}

export const preconditionBenchmark: Benchmark = {
  name: "precondition",
  description: "steps and wall time to loss ≤ 1e-6: GD, Adam and the preconditioners on the κ=1e4 quadratic and Rosenbrock",
  async run(options: BenchOptions) {
    const rounds = intOption(options, "rounds", 3);
    const maxSteps = intOption(options, "max-steps", 1_000_000);
    const problems: readonly { name: string; make: () => Objective }[] = [
      { name: "quadratic D=10 κ=1e4", make: () => quadratic({ dim: 10, kappa: 1e4 }) },
      { name: "Rosenbrock 2-D", make: () => rosenbrock() },
    ];
    const rows: Row[] = [];
    for (const p of problems) {
      for (const o of OPTIMIZERS) {
        const found = best(p.make, o.id, o.extra, maxSteps);
        if (!found) {
          rows.push({ problem: p.name, label: o.label, setting: "—", steps: null, ms: null });
          continue;
        }
        const run: DescentOptions = { optimizer: o.id, hyperparameters: found.hyper, maxSteps, tolerance: 1e-6, keepTheta: false, probes: 10, seed: 1 };
        const times: number[] = [];
        for (let r = 0; r < rounds; r++) times.push(descend(p.make(), run).seconds * 1000);
        const setting = Object.entries(found.hyper).map(([k, v]) => `${k}=${v}`).join(", ");
        rows.push({ problem: p.name, label: o.label, setting, steps: found.steps, ms: median(times) });
      }
    }
    console.log(`| problem | optimizer | best setting | steps to loss ≤ 1e-6 | wall (ms, median of ${rounds}) |`);
    console.log("|---|---|---|---:|---:|");
    for (const r of rows) {
      console.log(`| ${r.problem} | ${r.label} | ${r.setting} | ${r.steps ?? `not reached in ${maxSteps}`} | ${r.ms === null ? "—" : r.ms.toFixed(r.ms < 10 ? 2 : 1)} |`);
    }
  },
};
