import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before } from "node:test";

const cli = path.resolve(__dirname, "../../../bin/neuroforge.cjs");

/**
 * An environment in which everything Jupyter reads and writes stays in `tmp`, with the `neuroforge`
 * kernelspec of this build installed into `tmp/prefix`. Returns the environment and the install output.
 */
export function jupyterSandbox(tmp: string): { env: NodeJS.ProcessEnv; installed: string } {
  const env = {
    ...process.env,
    JUPYTER_PATH: path.join(tmp, "prefix", "share", "jupyter"),
    JUPYTER_DATA_DIR: path.join(tmp, "data"),
    JUPYTER_CONFIG_DIR: path.join(tmp, "config"),
    JUPYTER_RUNTIME_DIR: path.join(tmp, "runtime"),
    IPYTHONDIR: path.join(tmp, "ipython"),
  };
  const installed = execFileSync(process.execPath, [cli, "kernel", "install", "--prefix", path.join(tmp, "prefix")], { env, encoding: "utf8" });
  return { env, installed };
}

/**
 * A Jupyter sandbox (as `jupyterSandbox`) for the enclosing `describe`: a temporary folder `tmp-prefix…`
 * made before its tests and removed after them. Read `dir` and `env` inside the tests.
 */
export function suiteSandbox(prefix: string): { readonly dir: string; readonly env: NodeJS.ProcessEnv } {
  const sandbox = { dir: "", env: {} as NodeJS.ProcessEnv };
  before(() => {
    sandbox.dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    sandbox.env = jupyterSandbox(sandbox.dir).env;
  });
  after(() => fs.rmSync(sandbox.dir, { recursive: true, force: true }));
  return sandbox;
}
