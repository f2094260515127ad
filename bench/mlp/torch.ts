/**
 * PyTorch beside the engine (issue #16): what a user would pick instead on a CPU. When `python3` can
 * import torch (Debian's python3-torch), bench/engine.ts runs bench/mlp/torch_runner.py as four more
 * implementations — float64 and float32, one thread and every core — each in a fresh Python process per
 * round, on the same data and initial weights (a file written here) and the same protocol as
 * bench/mlp/worker.ts. Without torch the benchmark says in one line why it skipped it.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { resultLines } from "../lib/child";
import type { WorkerResult } from "./worker";
import { HIDDEN, INPUTS, OUTPUTS, type Workload } from "./workload";

export const TORCH_IDS = ["torch-f64-1", "torch-f64-all", "torch-f32-1", "torch-f32-all"] as const;
export type TorchId = (typeof TORCH_IDS)[number];

/** The torch a benchmark can use, or why there is none. */
export type TorchStatus = { readonly ok: true; readonly version: string; readonly python: string } | { readonly ok: false; readonly reason: string };

/**
 * The first Python that imports torch: NEUROFORGE_PYTHON when set, else `python3` on the PATH, then
 * Debian's /usr/bin/python3 (where apt's python3-torch is, even when a pyenv python3 comes first).
 * A few seconds: torch's import is slow.
 */
export function torchStatus(candidates = process.env.NEUROFORGE_PYTHON ? [process.env.NEUROFORGE_PYTHON] : ["python3", "/usr/bin/python3"]): TorchStatus {
  const reasons: string[] = [];
  for (const python of candidates) {
    const r = spawnSync(python, ["-c", "import torch; print(torch.__version__)"], { encoding: "utf8", timeout: 120_000 });
    if (r.error) reasons.push(`${python} cannot be run (${(r.error as NodeJS.ErrnoException).code ?? r.error.message})`);
    else if (r.status !== 0) reasons.push(`${python} cannot import torch (${r.stderr.trim().split("\n").at(-1) ?? `exit ${r.status}`})`);
    else return { ok: true, version: r.stdout.trim(), python };
  }
  return { ok: false, reason: `${reasons.join("; ")}; on Debian: apt-get install python3-torch` };
}

/** Writes the workload as torch_runner.py reads it: int32 count, inputs, hidden, outputs; float64 x, y, w1, b1, w2, b2. */
export function writeWorkload(work: Workload, file: string): void {
  const head = new Int32Array([work.count, INPUTS, HIDDEN, OUTPUTS]);
  const parts = [head, work.x, work.y, work.init.w1, work.init.b1, work.init.w2, work.init.b2].map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength));
  fs.writeFileSync(file, Buffer.concat(parts));
}

/** One torch implementation in its own Python process; resolves with its RESULT lines. */
export function runTorch(python: string, id: TorchId, args: readonly string[]): Promise<WorkerResult[]> {
  return resultLines<WorkerResult>(python, [path.join(__dirname, "torch_runner.py"), id, ...args], "RESULT");
}
