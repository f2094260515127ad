import { spawn } from "node:child_process";

/**
 * Runs `command args` as a process of its own and resolves with its stdout lines that start with
 * `prefix ` (JSON after it), parsed; rejects with its output when it exits non-zero. The benchmarks'
 * way of measuring each implementation in a fresh process.
 */
export function resultLines<T>(command: string, args: readonly string[], prefix: string): Promise<T[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (err += d));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) return reject(new Error(`${path(args)} exited with ${code}:\n${err}${out}`));
      resolve(
        out
          .split("\n")
          .filter((l) => l.startsWith(`${prefix} `))
          .map((l) => JSON.parse(l.slice(prefix.length + 1)) as T),
      );
    });
  });
}

const path = (args: readonly string[]) => args.filter((a) => !a.startsWith("-")).slice(0, 2).join(" ");
