// `npm start` as the e2e harness drives it: spawns bin/start.mjs in code-server mode with a temporary data
// dir and PORT, waits for the URL it prints, and stops it the way a person does (Ctrl-C = SIGINT), then
// checks that code-server's process group is gone.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { root } from "../../bin/code-server.mjs";

/** Every live process as { pid, ppid, pgid }. */
function processes() {
  return execFileSync("ps", ["-eo", "pid=,ppid=,pgid="], { encoding: "utf8" })
    .trim()
    .split("\n")
    .map((line) => line.trim().split(/\s+/).map(Number))
    .map(([pid, ppid, pgid]) => ({ pid, ppid, pgid }));
}

/**
 * Starts `node bin/start.mjs --code-server --data-dir dataDir` with PORT=port; resolves with the printed
 * URL once it is there. Its output goes to logFile.
 */
export async function npmStart({ dataDir, port, logFile, timeoutMs = 300_000 }) {
  const child = spawn(process.execPath, [path.join(root, "bin/start.mjs"), "--code-server", "--data-dir", dataDir], {
    cwd: root,
    env: { ...process.env, PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const log = fs.createWriteStream(logFile);
  child.stderr.pipe(log);
  let out = "";
  const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start printed no URL within ${timeoutMs / 1000} s; log: ${logFile}`)), timeoutMs);
    child.stdout.on("data", (d) => {
      log.write(d);
      out += d;
      const m = /^\s+(http:\/\/127\.0\.0\.1:\d+\/\S*)$/m.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`npm start exited (${code ?? signal}) before printing a URL; log: ${logFile}`));
    });
  });
  // code-server is start's child in a process group of its own (detached).
  const server = processes().find((p) => p.ppid === child.pid && p.pgid === p.pid);
  if (!server) throw new Error("npm start: no code-server child leading its own process group");

  /** Ctrl-C: SIGINT to start; resolves with its exit and what is left of code-server's group. */
  async function stop() {
    const before = processes().filter((p) => p.pgid === server.pgid).length;
    child.kill("SIGINT");
    const result = await Promise.race([exited, new Promise((r) => setTimeout(() => r({ code: "timeout" }), 20_000))]);
    log.end();
    // SIGKILLed children may need a moment to be reaped.
    let left = processes().filter((p) => p.pgid === server.pgid);
    for (let i = 0; i < 50 && left.length; i++) {
      await new Promise((r) => setTimeout(r, 100));
      left = processes().filter((p) => p.pgid === server.pgid);
    }
    return { ...result, groupBefore: before, left };
  }
  /** Last resort after a failure: kill both. */
  function kill() {
    for (const pid of [-server.pgid, child.pid]) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {}
    }
  }
  return { url, port: Number(new URL(url).port), stdout: () => out, stop, kill };
}

/**
 * `npm start` on a machine with desktop VS Code, which these machines cannot have: a `code` on the PATH
 * that only records its arguments (one line per call). Checks the wiring (which commands start runs, in
 * which order), not VS Code itself. Returns start's exit code, its output and the recorded calls.
 */
export function npmStartWithCode(dir) {
  const calls = path.join(dir, "calls.txt");
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "code"), `#!/bin/sh\necho "$*" >> "${calls}"\n`, { mode: 0o755 });
  const r = spawnSync(process.execPath, [path.join(root, "bin/start.mjs")], {
    cwd: root,
    env: { ...process.env, PATH: `${dir}:${process.env.PATH}` },
    encoding: "utf8",
    timeout: 300_000,
  });
  return { status: r.status, output: r.stdout + r.stderr, calls: fs.existsSync(calls) ? fs.readFileSync(calls, "utf8").trim().split("\n") : [] };
}
