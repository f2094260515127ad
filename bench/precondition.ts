/**
 * Preconditioned descent against plain GD and Adam: steps and wall time to reach a target loss — 1e-6 on
 * the ill-conditioned quadratic (D = 10, κ = 1e4) and on 2-D Rosenbrock from (−1.2, 1); a mean training
 * MSE of 1e-3 for a small network (1-8-1 tanh/linear on 32 noiseless samples of sin x, full batch, so a
 * step is a commit and the preconditioners' curvature is that of the whole training loss) trained by the
 * Trainer itself. Each optimizer gets its best base learning rate from a grid (1e-4 … 1, four per decade;
 * two for the network) (fewest steps; EMA-of-g² also its β), then that setting is timed `--rounds` times
 * (median wall). Hutchinson: 10 Rademacher probes per refresh, exact HVPs, a refresh every commit; β = 0
 * (the latest estimate) for the three curvature sources.
 *
 * `npm run bench -- precondition [--rounds=3] [--max-steps=1000000] [--network-steps=20000] [--problem=network]`
 * (`--problem`: only the problems whose name starts with it).
 */
import { generateDataset } from "../kernel/engine/datasets/generators";
import { Model } from "../kernel/engine/model";
import { getStrategy } from "../kernel/engine/optimizers/registry";
import { descend } from "../kernel/engine/precondition/descend";
import { Trainer } from "../kernel/engine/trainer";
import type { Objective } from "../kernel/engine/precondition/objective";
import { quadratic } from "../kernel/engine/precondition/problems/quadratic";
import { rosenbrock } from "../kernel/engine/precondition/problems/rosenbrock";
import { intOption, median, type Benchmark, type BenchOptions } from "./lib/harness";

/** 1e-4 … 1, `perDecade` per decade. */
const grid = (perDecade: number) => Array.from({ length: 4 * perDecade + 1 }, (_, k) => Number((10 ** (-4 + k / perDecade)).toPrecision(3)));
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
  readonly maxSteps: number;
}

interface Outcome {
  readonly reached: boolean;
  readonly steps: number;
  readonly seconds: number;
}

/** A problem: how many steps (and seconds) optimizer `id` with `hyper` needs to reach its target loss. */
interface Problem {
  readonly name: string;
  readonly lrs: readonly number[];
  readonly maxSteps: number;
  solve(id: string, hyper: Readonly<Record<string, number>>, maxSteps: number): Outcome;
}

function objectiveProblem(name: string, make: () => Objective, maxSteps: number): Problem {
  return {
    name,
    lrs: grid(4),
    maxSteps,
    solve: (optimizer, hyperparameters, steps) =>
      descend(make(), { optimizer, hyperparameters, maxSteps: steps, tolerance: 1e-6, keepTheta: false, probes: 10, seed: 1 }),
  };
}

/** The Trainer on 1-8-1 tanh/linear, full batch: a step is an epoch of one commit; the epoch's loss is L(θ) before it. */
function networkProblem(maxSteps: number): Problem {
  const data = generateDataset("sine", { count: 32, noise: 0 });
  const target = 1e-3;
  return {
    name: "network 1-8-1 tanh, MSE ≤ 1e-3",
    lrs: grid(2),
    maxSteps,
    solve(id, hyper, steps) {
      const model = new Model({ inputs: 1, layers: [{ units: 8, activation: "tanh" }, { units: 1, activation: "linear" }] });
      model.initialize({ name: "xavier_uniform" }, 1);
      const settings = id === "precond_hutchinson" ? { probes: 10, seed: 1, ...hyper } : hyper;
      const trainer = new Trainer({ model, loss: "mse", strategy: getStrategy(id), hyperparameters: settings, batchSize: data.count });
      const start = performance.now();
      for (let step = 0; step <= steps; step++) {
        const epoch = trainer.trainEpoch(data);
        if (epoch.status !== "completed" || !Number.isFinite(epoch.loss)) break;
        if (epoch.loss <= target) return { reached: true, steps: step, seconds: (performance.now() - start) / 1000 };
      }
      return { reached: false, steps, seconds: (performance.now() - start) / 1000 };
    },
  };
}

function best(problem: Problem, id: string, extra: readonly Record<string, number>[]) {
  let found: { hyper: Record<string, number>; steps: number } | null = null;
  for (const e of extra) {
    for (const lr of problem.lrs) {
      const hyper = { lr, ...e };
      const run = problem.solve(id, hyper, found ? Math.min(problem.maxSteps, found.steps) : problem.maxSteps);
      if (run.reached && (!found || run.steps < found.steps)) found = { hyper, steps: run.steps };
    }
  }
  return found;
}

export const preconditionBenchmark: Benchmark = {
  name: "precondition",
  description: "steps and wall time to a target loss: GD, Adam and the preconditioners on the κ=1e4 quadratic, Rosenbrock and a small network",
  async run(options: BenchOptions) {
    const rounds = intOption(options, "rounds", 3);
    const maxSteps = intOption(options, "max-steps", 1_000_000);
    const problems: readonly Problem[] = [
      objectiveProblem("quadratic D=10 κ=1e4", () => quadratic({ dim: 10, kappa: 1e4 }), maxSteps),
      objectiveProblem("Rosenbrock 2-D", () => rosenbrock(), maxSteps),
      networkProblem(intOption(options, "network-steps", 20_000)),
    ];
    const only = options.problem;
    const rows: Row[] = [];
    for (const p of problems.filter((q) => only === undefined || q.name.startsWith(only))) {
      for (const o of OPTIMIZERS) {
        const found = best(p, o.id, o.extra);
        if (!found) {
          rows.push({ problem: p.name, label: o.label, setting: "—", steps: null, ms: null, maxSteps: p.maxSteps });
          continue;
        }
        const times: number[] = [];
        for (let r = 0; r < rounds; r++) times.push(p.solve(o.id, found.hyper, p.maxSteps).seconds * 1000);
        const setting = Object.entries(found.hyper).map(([k, v]) => `${k}=${v}`).join(", ");
        rows.push({ problem: p.name, label: o.label, setting, steps: found.steps, ms: median(times), maxSteps: p.maxSteps });
      }
    }
    console.log(`| problem | optimizer | best setting | steps to the target loss | wall (ms, median of ${rounds}) |`);
    console.log("|---|---|---|---:|---:|");
    for (const r of rows) {
      console.log(`| ${r.problem} | ${r.label} | ${r.setting} | ${r.steps ?? `not reached in ${r.maxSteps}`} | ${r.ms === null ? "—" : r.ms.toFixed(r.ms < 10 ? 2 : 1)} |`);
    }
  },
};
