// `npm start` as the e2e harness drives it: the README's command through npm (`npm start -- --code-server
// --data-dir <temp>` with PORT), in a process group of its own as a terminal runs it, so Ctrl-C is SIGINT to
// that group; waits for the URL it prints, and after Ctrl-C checks that code-server's process group is gone.
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

/** The processes below `pid` (children, their children, …). */
function descendants(pid) {
  const all = processes();
  const found = [];
  for (let next = [pid]; next.length; ) {
    const children = all.filter((p) => next.includes(p.ppid));
    for (const child of children) found.push(child);
    next = children.map((p) => p.pid);
  }
  return found;
}

/** `npm start -- --code-server --data-dir dataDir` with PORT=port in a new process group, output to logFile. */
function spawnNpmStart({ dataDir, port, logFile }) {
  const child = spawn("npm", ["start", "--", "--code-server", "--data-dir", dataDir], {
    cwd: root,
    env: { ...process.env, PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  const log = fs.createWriteStream(logFile);
  let out = "";
  for (const stream of [child.stdout, child.stderr]) {
    stream.on("data", (d) => {
      log.write(d);
      out += d;
    });
  }
  // "close": the process has exited and its output has been read to the end.
  const exited = new Promise((resolve) => child.once("close", (code, signal) => resolve({ code, signal })));
  exited.then(() => log.end());
  /** Ctrl-C in the terminal: SIGINT to the whole foreground group (npm, start). */
  const ctrlC = () => {
    try {
      process.kill(-child.pid, "SIGINT");
    } catch {} // already gone
  };
  return { child, exited, output: () => out, ctrlC };
}

/** Resolves when `pattern` shows in the output, rejects when npm start exits first or after timeoutMs. */
function waitForOutput(run, pattern, timeoutMs, what) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start printed no ${what} within ${timeoutMs / 1000} s:\n${run.output().slice(-2000)}`)), timeoutMs);
    const poll = setInterval(() => {
      const m = pattern.exec(run.output());
      if (m) {
        clearTimeout(timer);
        clearInterval(poll);
        resolve(m);
      }
    }, 200);
    run.exited.then(({ code, signal }) => {
      clearTimeout(timer);
      clearInterval(poll);
      if (!pattern.test(run.output())) reject(new Error(`npm start exited (${code ?? signal}) before printing a ${what}:\n${run.output().slice(-2000)}`));
    });
  });
}

/**
 * A first `npm start` stopped with Ctrl-C `afterMs` into code-server's install (on a machine without
 * `.tools/code-server`). Resolves with npm's exit and the output.
 */
export async function npmStartInterruptedInSetup({ dataDir, port, logFile, afterMs }) {
  const run = spawnNpmStart({ dataDir, port, logFile });
  await waitForOutput(run, /code-server@[\d.]+ → /, 120_000, "code-server install line");
  await new Promise((r) => setTimeout(r, afterMs));
  run.ctrlC();
  const result = await Promise.race([run.exited, new Promise((r) => setTimeout(() => r({ code: "timeout" }), 60_000))]);
  return { ...result, output: run.output() };
}

/** Starts `npm start`; resolves with the printed URL once it is there. */
export async function npmStart({ dataDir, port, logFile, timeoutMs = 900_000 }) {
  const run = spawnNpmStart({ dataDir, port, logFile });
  const [, url] = await waitForOutput(run, /^\s+(http:\/\/127\.0\.0\.1:\d+\/\S*)$/m, timeoutMs, "URL");
  // code-server is a descendant of npm start in a process group of its own (detached).
  const server = descendants(run.child.pid).find((p) => p.pgid === p.pid);
  if (!server) throw new Error("npm start: no code-server process leading its own process group");

  /** Ctrl-C: SIGINT to npm start's group; resolves with npm's exit, the output and what is left of code-server's group. */
  async function stop() {
    const before = processes().filter((p) => p.pgid === server.pgid).length;
    run.ctrlC();
    const result = await Promise.race([run.exited, new Promise((r) => setTimeout(() => r({ code: "timeout" }), 20_000))]);
    // SIGKILLed children may need a moment to be reaped.
    let left = processes().filter((p) => p.pgid === server.pgid || p.pgid === run.child.pid);
    for (let i = 0; i < 50 && left.length; i++) {
      await new Promise((r) => setTimeout(r, 100));
      left = processes().filter((p) => p.pgid === server.pgid || p.pgid === run.child.pid);
    }
    return { ...result, output: run.output(), groupBefore: before, left };
  }
  /** Last resort after a failure: kill both groups. */
  function kill() {
    for (const pgid of [server.pgid, run.child.pid]) {
      try {
        process.kill(-pgid, "SIGKILL");
      } catch {}
    }
  }
  return { url, port: Number(new URL(url).port), output: run.output, stop, kill };
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
  const r = spawnSync("npm", ["start"], {
    cwd: root,
    env: { ...process.env, PATH: `${dir}:${process.env.PATH}` },
    encoding: "utf8",
    timeout: 300_000,
  });
  return { status: r.status, output: r.stdout + r.stderr, calls: fs.existsSync(calls) ? fs.readFileSync(calls, "utf8").trim().split("\n") : [] };
}
