/**
 * A teacher's view of the course: every samples/course notebook executed top to bottom by Debian's
 * `jupyter nbconvert --execute` with this build's kernelspec, as a class would run it. Per notebook: the
 * whole run (kernel start included, the nbconvert process's wall time) and its slowest cell (from the
 * execution timestamps nbclient records in each cell's metadata: busy → execute_reply).
 * Targets: every cell ≤ 30 s, a whole notebook ≤ 2 min. `npm run bench -- course` (run `npm run build` first).
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { jupyterSandbox } from "../test/integration/support/jupyter-sandbox";
import type { Benchmark } from "./lib/harness";

const courseDir = path.resolve(__dirname, "../samples/course");
const CELL_TARGET_S = 30;
const NOTEBOOK_TARGET_S = 120;

interface TimedCell {
  cell_type: string;
  source: string | string[];
  metadata: { execution?: Record<string, string> };
}

/** Seconds between nbclient's `iopub.status.busy` and `shell.execute_reply` timestamps of a cell. */
function cellSeconds(cell: TimedCell): number {
  const e = cell.metadata.execution;
  const busy = e?.["iopub.status.busy"];
  const reply = e?.["shell.execute_reply"];
  if (!busy || !reply) throw new Error(`a code cell has no execution timestamps: ${JSON.stringify(e)}`);
  return (Date.parse(reply) - Date.parse(busy)) / 1000;
}

export const courseBenchmark: Benchmark = {
  name: "course",
  description: "the course notebooks executed with nbconvert: whole notebook ≤ 2 min, every cell ≤ 30 s",
  async run() {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "nf-bench-course-"));
    const work = fs.mkdtempSync(path.join(courseDir, "..", ".executing-")); // same depth: ../config/… holds
    try {
      const { env } = jupyterSandbox(tmp);
      const notebooks = fs.readdirSync(courseDir).filter((f) => /^\d\d-.+\.ipynb$/.test(f)).sort();
      console.log(`${"notebook".padEnd(40)} ${"cells".padStart(5)} ${"whole".padStart(8)} ${"slowest cell".padStart(13)}  targets (whole ≤ ${NOTEBOOK_TARGET_S} s, cell ≤ ${CELL_TARGET_S} s)`);
      let met = true;
      for (const name of notebooks) {
        fs.copyFileSync(path.join(courseDir, name), path.join(work, name));
        const start = performance.now();
        try {
          execFileSync("jupyter", ["nbconvert", "--to", "notebook", "--execute", "--ExecutePreprocessor.timeout=300", "--output", "timed.ipynb", name], { cwd: work, env, stdio: "ignore" });
        } catch (e) {
          const why = (e as { status?: number | null; code?: string }).code === "ENOENT" ? "jupyter is not installed" : `nbconvert exited with ${(e as { status?: number | null }).status}`;
          throw new Error(`${name} did not run (${why}); \`jupyter nbconvert --execute ${name}\` shows the failing cell`);
        }
        const whole = (performance.now() - start) / 1000;
        const cells = (JSON.parse(fs.readFileSync(path.join(work, "timed.ipynb"), "utf8")) as { cells: TimedCell[] }).cells.filter((c) => c.cell_type === "code");
        const times = cells.map(cellSeconds);
        const slowest = times.reduce((a, b) => Math.max(a, b), 0);
        const ok = whole <= NOTEBOOK_TARGET_S && slowest <= CELL_TARGET_S;
        met &&= ok;
        console.log(`${name.padEnd(40)} ${String(cells.length).padStart(5)} ${whole.toFixed(1).padStart(6)} s ${slowest.toFixed(1).padStart(11)} s  ${ok ? "met" : "NOT MET"}`);
      }
      console.log(`load average ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}; ${met ? "every target met" : "some target NOT MET"}`);
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  },
};
