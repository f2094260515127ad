import { execFile, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";

/** What the notebook tests read of an .ipynb (nbformat 4). */
export interface NotebookOutput {
  output_type: string;
  data?: Record<string, unknown>;
  text?: string | string[];
  ename?: string;
  evalue?: string;
}
export interface NotebookCell {
  cell_type: string;
  source: string | string[];
  metadata: { tags?: string[]; neuroforge?: { exercise?: { answer: string; wrong: string } } };
  execution_count?: number | null;
  outputs?: NotebookOutput[];
}
export interface Notebook {
  metadata: { kernelspec: { name: string; language: string } };
  cells: NotebookCell[];
}

export const hasNbconvert = spawnSync("jupyter-nbconvert", ["--version"], { stdio: "ignore" }).status === 0;
/** A multiline notebook string (a list of lines or one string) as one string. */
export const text = (v: unknown): string => (Array.isArray(v) ? v.join("") : String(v ?? ""));
export const readNotebook = (file: string): Notebook => JSON.parse(fs.readFileSync(file, "utf8")) as Notebook;
export const codeCells = (nb: Notebook): NotebookCell[] => nb.cells.filter((c) => c.cell_type === "code");
/** A code cell's execute_result as text/plain ("" when it has none). */
export const resultText = (c: NotebookCell): string => text(c.outputs?.find((o) => o.output_type === "execute_result")?.data?.["text/plain"]);
/** "ename: evalue" of every error output of the cells. */
export const errorsOf = (cells: readonly NotebookCell[]): string[] =>
  cells.flatMap((c) => (c.outputs ?? []).filter((o) => o.output_type === "error").map((o) => `${o.ename}: ${o.evalue}`));

const run = promisify(execFile);

/**
 * Whether a Jupyter client's stderr says its kernel died at start over a port: jupyter_client chooses
 * the kernel's five ports by binding port 0 and closing it; the kernel binds them a moment later, and
 * with tests starting kernels in parallel another socket sometimes takes one in between (the kernel
 * then exits "Address already in use" before any cell ran). Callers retry that start (twice at most);
 * any other failure fails the test.
 */
export function lostPortRace(stderr: string): boolean {
  return /Address already in use/.test(stderr) && /Kernel died before replying to kernel_info/.test(stderr);
}

/**
 * `jupyter nbconvert --to notebook --execute` of `dir/name` (Debian's nbconvert, in the Jupyter sandbox
 * `env`); returns the executed notebook. Rejects when nbconvert fails (a cell error, unless `allowErrors`).
 */
export async function executeNotebook(dir: string, name: string, env: NodeJS.ProcessEnv, options: { timeoutS?: number; allowErrors?: boolean } = {}): Promise<Notebook> {
  const args = ["nbconvert", "--to", "notebook", "--execute", `--ExecutePreprocessor.timeout=${options.timeoutS ?? 240}`, "--output", "executed.ipynb", name];
  if (options.allowErrors) args.push("--allow-errors");
  for (let attempt = 1; ; attempt++) {
    try {
      await run("jupyter", args, { cwd: dir, env, maxBuffer: 64 << 20 });
      return readNotebook(path.join(dir, "executed.ipynb"));
    } catch (error) {
      if (attempt >= 3 || !lostPortRace(String((error as { stderr?: unknown }).stderr ?? ""))) throw error;
    }
  }
}
