/**
 * A sweep on every core: 8 independent members (samples/config/train.yaml, optimizer × lr × weight
 * decay; 2-32-1, batch 2, `--epochs` each) trained one at a time (`--jobs 1`) and two at a time (`--jobs 2`), both
 * through the same worker pool (kernel/runtime/sweep-pool.ts), paired in each round with the order
 * alternated; target: ≥ 1.7× on 2 cores. `--record=1` records every member and merges the files as
 * `neuroforge train --record` does. CPU/wall per round shows how loaded the machine was.
 *
 * `npm run bench -- sweep [--rounds=3] [--epochs=300] [--record=1]`.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { planRuns } from "../kernel/runtime/experiment-runs";
import { runMembers } from "../kernel/runtime/sweep-pool";
import { intOption, median, rotate, targetLine, timed, type Benchmark, type BenchOptions } from "./lib/harness";

export const SWEEP_SPEEDUP_TARGET = 1.7;

export const sweepBenchmark: Benchmark = {
  name: "sweep",
  description: "8 sweep members on worker threads: --jobs 2 vs --jobs 1 (target ≥ 1.7× on 2 cores)",
  async run(options: BenchOptions) {
    const rounds = intOption(options, "rounds", 3);
    const epochs = intOption(options, "epochs", 3000);
    const record = options.record === "1";
    const config = path.join(__dirname, "../samples/config/train.yaml");
    const plans = planRuns(config, {
      multirun: true,
      overrides: [
        "optimizer=adam,sgd",
        "optimizer.lr=0.01,0.03",
        "optimizer.weight_decay=0,0.001",
        // About a second of training each on a quiet core: thread start-up is then a small part.
        `training.epochs=${epochs}`,
        "training.batch_size=2",
        "model.layers.0.units=32",
        "scheduler=constant",
      ],
    });
    console.log(`${plans.length} members, ${epochs} epochs each, ${os.availableParallelism()} cores${record ? ", recorded and merged" : ""}`);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nf-bench-sweep-"));
    const ratios: number[] = [];
    try {
      for (let r = 0; r < rounds; r++) {
        const wall: Record<number, number> = {};
        for (const jobs of rotate([1, 2], r)) {
          const file = path.join(dir, `r${r}-j${jobs}.nfrun`);
          const t = await timed(() => runMembers(plans, { path: config, jobs, ...(record ? { record: file } : {}) }));
          wall[jobs] = t.wall;
          console.log(`round ${r + 1}  --jobs ${jobs}: ${t.wall.toFixed(2)} s wall (main thread cpu ${t.cpu.toFixed(2)} s)`);
        }
        ratios.push(wall[1]! / wall[2]!);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    console.log(`speedups per round: ${ratios.map((x) => x.toFixed(2)).join(", ")}; load average ${os.loadavg()[0]!.toFixed(1)}`);
    console.log(targetLine({ label: "--jobs 2 / --jobs 1 (median of rounds)", ratio: median(ratios), atLeast: SWEEP_SPEEDUP_TARGET }));
  },
};
