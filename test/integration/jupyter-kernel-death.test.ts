/**
 * The Jupyter kernel when its kernel process dies under a cell: Jupyter's own nbclient (`jupyter
 * nbconvert --execute --allow-errors`, Debian's packages) runs a notebook whose second cell kills the
 * kernel process with SIGKILL. That cell's error output names the signal and says to restart the kernel;
 * the cell after it gets the same error at once instead of hanging; nbconvert finishes. Skipped (with a
 * message) when jupyter-nbconvert is not installed.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { jupyterSandbox } from "./support/jupyter-sandbox";

const hasNbconvert = spawnSync("jupyter-nbconvert", ["--version"], { stdio: "ignore" }).status === 0;

interface Output {
  output_type: string;
  ename?: string;
  evalue?: string;
  traceback?: string[];
  data?: Record<string, unknown>;
}

const code = (source: string) => ({ cell_type: "code", metadata: {}, execution_count: null, outputs: [], source });
const notebook = {
  nbformat: 4,
  nbformat_minor: 5,
  metadata: { kernelspec: { name: "neuroforge", display_name: "NeuroForge (TypeScript)", language: "typescript" } },
  cells: [code("1 + 1"), code(`process.kill(process.pid, "SIGKILL");`), code("2 + 2")],
};

describe("Jupyter kernel: the kernel process dies under a cell (nbconvert --execute)", { skip: hasNbconvert ? false : "jupyter-nbconvert is not installed", timeout: 180_000 }, () => {
  let tmp: string;
  let outputs: Output[][];

  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "nf-jupyter-death-"));
    const { env } = jupyterSandbox(tmp);
    fs.writeFileSync(path.join(tmp, "dies.ipynb"), JSON.stringify(notebook));
    const r = spawnSync("jupyter", ["nbconvert", "--to", "notebook", "--execute", "--allow-errors", "--ExecutePreprocessor.timeout=60", "--output", "executed.ipynb", "dies.ipynb"], {
      cwd: tmp,
      env,
      encoding: "utf8",
      timeout: 150_000,
    });
    assert.equal(r.status, 0, r.stderr);
    outputs = (JSON.parse(fs.readFileSync(path.join(tmp, "executed.ipynb"), "utf8")) as { cells: { outputs: Output[] }[] }).cells.map((c) => c.outputs);
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it("runs the cell before normally", () => {
    const result = outputs[0]!.find((o) => o.output_type === "execute_result")?.data?.["text/plain"];
    assert.equal(Array.isArray(result) ? result.join("") : result, "2");
  });

  it("the killing cell's error names SIGKILL and says to restart the kernel", () => {
    const error = outputs[1]!.find((o) => o.output_type === "error");
    assert.ok(error, `an error output: ${JSON.stringify(outputs[1])}`);
    assert.equal(error.ename, "KernelDied");
    assert.equal(error.evalue, "The kernel process was killed by SIGKILL (out of memory?). Restart the kernel (Kernel → Restart Kernel…) to run cells again.");
    assert.equal(error.traceback?.[0], "KernelDied: the kernel process was killed by SIGKILL (out of memory?).");
  });

  it("the next cell gets the same error instead of hanging", () => {
    const error = outputs[2]!.find((o) => o.output_type === "error");
    assert.equal(error?.ename, "KernelDied");
    assert.match(error?.evalue ?? "", /SIGKILL.*Restart the kernel/);
  });
});
