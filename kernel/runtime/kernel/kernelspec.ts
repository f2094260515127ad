/**
 * `neuroforge kernel install [--user | --prefix P]` and `neuroforge kernel uninstall [--user | --prefix P]`:
 * the Jupyter kernelspec `neuroforge` ("NeuroForge (TypeScript)", language typescript). It runs this
 * installation's dist/jupyter-kernel.js with this Node.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Command } from "commander";

export const KERNEL_NAME = "neuroforge";

export interface KernelspecLocation {
  readonly user?: boolean;
  readonly prefix?: string;
}

/** The kernels folder Jupyter searches for this location (JUPYTER_DATA_DIR overrides the user one). */
export function kernelsDir(where: KernelspecLocation): string {
  if (where.prefix) return path.join(path.resolve(where.prefix), "share", "jupyter", "kernels");
  const dataDir =
    process.env.JUPYTER_DATA_DIR ??
    (process.platform === "darwin"
      ? path.join(os.homedir(), "Library", "Jupyter")
      : process.platform === "win32"
        ? path.join(process.env.APPDATA ?? os.homedir(), "jupyter")
        : path.join(process.env.XDG_DATA_HOME ?? path.join(os.homedir(), ".local", "share"), "jupyter"));
  return path.join(dataDir, "kernels");
}

export function jupyterKernelScript(): string {
  const candidates = [path.join(__dirname, "jupyter-kernel.js"), path.resolve(__dirname, "../../../dist/jupyter-kernel.js")];
  return candidates.find((p) => fs.existsSync(p)) ?? candidates[0]!;
}

export function kernelJson(): Record<string, unknown> {
  return {
    argv: [process.execPath, jupyterKernelScript(), "{connection_file}"],
    display_name: "NeuroForge (TypeScript)",
    language: "typescript",
    interrupt_mode: "signal",
    metadata: { debugger: false },
  };
}

export function installKernelspec(where: KernelspecLocation): string {
  const dir = path.join(kernelsDir(where), KERNEL_NAME);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "kernel.json"), `${JSON.stringify(kernelJson(), null, 2)}\n`);
  return dir;
}

export function uninstallKernelspec(where: KernelspecLocation): string | null {
  const dir = path.join(kernelsDir(where), KERNEL_NAME);
  if (!fs.existsSync(dir)) return null;
  fs.rmSync(dir, { recursive: true, force: true });
  return dir;
}

/** Adds `kernel install|uninstall` to the CLI. */
export function addKernelCommands(program: Command, out: (line: string) => void, err: (line: string) => void, done: (code: number) => void): void {
  const kernel = program.command("kernel").description("the Jupyter kernel: install or uninstall the `neuroforge` kernelspec");
  const location = (opts: { user?: boolean; prefix?: string }): KernelspecLocation | null => {
    if (opts.user && opts.prefix) {
      err("neuroforge: kernel: give either --user or --prefix, not both");
      return null;
    }
    return opts.prefix ? { prefix: opts.prefix } : { user: true };
  };
  kernel
    .command("install")
    .description("register the kernelspec `neuroforge` (NeuroForge (TypeScript)) with Jupyter")
    .option("--user", "install for the current user (default)")
    .option("--prefix <path>", "install into <path>/share/jupyter/kernels (e.g. a virtualenv or a test folder)")
    .action((opts: { user?: boolean; prefix?: string }) => {
      const where = location(opts);
      if (!where) return done(2);
      const script = jupyterKernelScript();
      if (!fs.existsSync(script)) err(`neuroforge: warning: ${script} does not exist yet (run npm run build)`);
      out(`installed kernelspec ${KERNEL_NAME} in ${installKernelspec(where)}`);
      done(0);
    });
  kernel
    .command("uninstall")
    .description("remove the kernelspec `neuroforge`")
    .option("--user", "remove it from the current user's kernels (default)")
    .option("--prefix <path>", "remove it from <path>/share/jupyter/kernels")
    .action((opts: { user?: boolean; prefix?: string }) => {
      const where = location(opts);
      if (!where) return done(2);
      const removed = uninstallKernelspec(where);
      out(removed ? `removed kernelspec ${KERNEL_NAME} from ${removed}` : `kernelspec ${KERNEL_NAME} was not installed in ${kernelsDir(where)}`);
      done(0);
    });
}
