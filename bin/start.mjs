#!/usr/bin/env node
// `npm start` (README): opens NeuroForge for a newcomer.
//   - `code` on the PATH (desktop VS Code): builds dist/, packages the extension (neuroforge.vsix, skipped
//     when nothing it contains changed), installs it there and opens samples/;
//   - otherwise code-server: installs it once into .tools/ (bin/code-server-setup.sh, about 2.5 min the
//     first time; resumes after an interruption), builds and packages, installs the .vsix into
//     .neuroforge/code-server/ (git-ignored: settings, extensions, log) with settings for a quiet first view,
//     serves samples/ on http://127.0.0.1:<PORT, or a free port>/ and prints the URL, which opens the sample
//     notebook; runs until Ctrl-C, then stops code-server's whole process group (extension host, kernels).
// A step that fails prints one line (what failed, the cause, how to retry; its output in
// .neuroforge/start.log or .tools/setup.log), no stack trace (NEUROFORGE_DEBUG=1 shows it).
// Exit codes: 0 served and stopped with Ctrl-C (or VS Code opened), 1 a step failed, 2 usage,
// 3 the code-server setup failed, 130 interrupted during the setup (the next start resumes).
// Options: --code-server (use code-server even when `code` is on the PATH), --data-dir DIR (instead of
// .neuroforge/code-server; the e2e harness uses a temporary one).
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { freePort, installExtension, isInstalled, mergeUserSettings, root, startCodeServer, tools } from "./code-server.mjs";

const samples = path.join(root, "samples");
const firstNotebook = path.join(samples, "notebooks/xor-explained.ipynb");
const vsix = path.join(root, "neuroforge.vsix");
const state = path.join(root, ".neuroforge");
const startLog = path.join(state, "start.log");
const say = (msg) => console.log(`neuroforge start: ${msg}`);
const shown = (p) => (p.startsWith(root + path.sep) ? path.relative(root, p) : p);
const RETRY = "run npm start again";

// What a newcomer sees first: the sample notebook (opened by the URL; as a notebook, which a file opened at
// startup is not by default), not a welcome page, the chat panel, an extension recommendation or the prompt
// about the git repository around samples/. No autosave, so running the samples leaves the checkout's files
// as they are. Values the user changed there stay.
const firstViewSettings = {
  "workbench.editorAssociations": { "*.ipynb": "jupyter-notebook" },
  "workbench.startupEditor": "none",
  "workbench.secondarySideBar.defaultVisibility": "hidden",
  "chat.disableAIFeatures": true,
  "extensions.ignoreRecommendations": true,
  "git.openRepositoryInParentFolders": "never",
  "files.autoSave": "off",
};

/** A step that failed: its message is the one line start prints; exitCode is start's exit code. */
class StepFailed extends Error {
  constructor(message, exitCode = 1) {
    super(message);
    this.exitCode = exitCode;
  }
}

/** The line of `output` that says what went wrong: the first naming an error, else the last. */
const causeOf = (output, status) =>
  (output.split("\n").find((l) => /\berror\b/i.test(l)) ?? output.trim().split("\n").at(-1) ?? "").trim() || `exit status ${status}`;

/** Runs a command with its output appended to start.log; a failure throws StepFailed naming `what`. */
function quietly(what, cmd, argv, retry = RETRY) {
  fs.mkdirSync(state, { recursive: true });
  const r = spawnSync(cmd, argv, { cwd: root, encoding: "utf8" });
  const output = `${r.stdout ?? ""}${r.stderr ?? ""}`;
  fs.appendFileSync(startLog, `== ${new Date().toISOString()} ${what}: ${cmd} ${argv.join(" ")}\n${output}\n`);
  if (r.error || r.status !== 0) {
    throw new StepFailed(`${what} failed: ${r.error?.message ?? causeOf(output, r.status ?? r.signal)}; ${retry} (log: ${shown(startLog)})`);
  }
}

/** sha256 over what the .vsix is made of that a build or an edit can change. */
function packageInputsHash() {
  const hash = createHash("sha256");
  const walk = (p) => {
    const st = fs.statSync(p);
    if (st.isDirectory()) for (const name of fs.readdirSync(p).sort()) walk(path.join(p, name));
    else hash.update(path.relative(root, p)).update("\0").update(fs.readFileSync(p));
  };
  for (const p of ["dist", "package.json", "README.md", ".vscodeignore"]) walk(path.join(root, p));
  return hash.digest("hex");
}

function buildAndPackage() {
  say("building dist/");
  quietly("building dist/ (node esbuild.mjs)", process.execPath, ["esbuild.mjs"], `fix that, then ${RETRY}`);
  const stamp = path.join(state, "vsix.sha256");
  const hash = packageInputsHash();
  if (fs.existsSync(vsix) && fs.existsSync(stamp) && fs.readFileSync(stamp, "utf8") === hash) {
    say("neuroforge.vsix is up to date");
    return;
  }
  say("packaging the extension → neuroforge.vsix");
  quietly("packaging the extension (npm run package)", "npm", ["run", "--silent", "package"]);
  fs.writeFileSync(stamp, hash);
}

/** bin/code-server-setup.sh, which prints its own progress and, when a step fails, the one line. */
function setupCodeServer() {
  if (!isInstalled()) say(`\`code\` is not on the PATH: installing code-server into ${shown(tools)} (once; about 3 min)`);
  // Ctrl-C reaches the setup too (same process group): it says where it stopped, then start exits.
  const waitForSetup = () => {};
  process.on("SIGINT", waitForSetup);
  const r = spawnSync("bash", [path.join(root, "bin/code-server-setup.sh")], { cwd: root, stdio: "inherit" });
  process.off("SIGINT", waitForSetup);
  if (r.status === 0) return;
  if (r.status !== null) process.exit(r.status); // the setup printed its one line
  throw new StepFailed(`the code-server setup failed: ${r.error?.message ?? `killed by ${r.signal}`}; ${RETRY} to resume`, 3);
}

function openInDesktopVsCode() {
  buildAndPackage();
  say("`code` is on the PATH: installing the extension into VS Code and opening samples/");
  quietly("installing the extension into VS Code (code --install-extension)", "code", ["--install-extension", vsix, "--force"]);
  quietly("opening samples/ in VS Code", "code", [samples, firstNotebook]);
  say(`VS Code opened ${samples}: start with notebooks/xor-explained.ipynb`);
}

async function serveWithCodeServer(dataDirArg) {
  const port = process.env.PORT ? Number(process.env.PORT) : await freePort();
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new StepFailed(`PORT must be a port number (got "${process.env.PORT}")`, 2);
  }
  setupCodeServer();
  buildAndPackage();
  const dataDir = path.resolve(dataDirArg ?? path.join(state, "code-server"));
  say(`installing the extension into ${shown(dataDir)}`);
  fs.mkdirSync(dataDir, { recursive: true });
  const logFile = path.join(dataDir, "code-server.log");
  try {
    installExtension(dataDir, vsix, logFile);
  } catch (e) {
    throw new StepFailed(`installing the extension failed: ${e.message}; ${RETRY} (log: ${shown(logFile)})`);
  }
  if (!mergeUserSettings(dataDir, firstViewSettings, { keepUserValues: true })) {
    say(`left ${shown(path.join(dataDir, "User/settings.json"))} as it is (not plain JSON)`);
  }

  const log = fs.createWriteStream(logFile, { flags: "a" });
  // Workspace trust off: this server exists to open the repository's own samples, and in Restricted Mode
  // (VS Code's default for a new folder) notebook cells do not run until the newcomer finds "Trust".
  const server = await startCodeServer({ dataDir, port, folder: samples, openFile: firstNotebook, log, extraArgs: ["--disable-workspace-trust"] }).catch((e) => {
    throw new StepFailed(`starting code-server failed: ${e.message}; ${RETRY} (log: ${shown(logFile)})`);
  });

  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    say("stopping code-server");
    await server.stop();
    log.end();
    process.exit(0);
  };
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, shutdown);
  server.exited.then(({ code, signal }) => {
    if (stopping) return;
    console.error(`neuroforge start: code-server exited (${code ?? signal}); ${RETRY} (log: ${shown(logFile)})`);
    process.exit(1);
  });

  say("code-server (VS Code in the browser) is running with NeuroForge installed and samples/ open:");
  console.log(`\n  ${server.url}\n`);
  say("the URL opens notebooks/xor-explained.ipynb: run its cells; Ctrl-C stops the server");
}

// Arguments: --code-server, --data-dir DIR; anything else is a usage error.
const args = { codeServer: false, dataDir: undefined };
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  if (a === "--code-server") args.codeServer = true;
  else if (a === "--data-dir" && process.argv[i + 1]) args.dataDir = process.argv[++i];
  else {
    console.error("usage: node bin/start.mjs [--code-server] [--data-dir DIR]");
    process.exit(2);
  }
}

const hasCode = () => spawnSync("sh", ["-c", "command -v code"], { stdio: "ignore" }).status === 0;
try {
  if (!args.codeServer && hasCode()) openInDesktopVsCode();
  else await serveWithCodeServer(args.dataDir);
} catch (e) {
  if (process.env.NEUROFORGE_DEBUG === "1") console.error(e);
  else console.error(`neuroforge start: ${String(e?.message ?? e).split("\n")[0]}`);
  process.exit(e instanceof StepFailed ? e.exitCode : 1);
}
