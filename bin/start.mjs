#!/usr/bin/env node
// `npm start` (README): opens NeuroForge for a newcomer. Builds dist/ and packages the extension
// (`npm run package` → neuroforge.vsix, skipped when nothing it contains changed), then
//   - `code` on the PATH (desktop VS Code): installs the .vsix there and opens samples/ in it;
//   - otherwise code-server: installs it once into .tools/ (bin/code-server-setup.sh, about 2.5 min the
//     first time), installs the .vsix into .neuroforge/code-server/ (git-ignored: settings, extensions, log),
//     serves samples/ on http://127.0.0.1:<PORT, or a free port>/ and prints the URL; runs until Ctrl-C,
//     then stops code-server's whole process group (extension host, kernel processes).
// Options: --code-server (use code-server even when `code` is on the PATH), --data-dir DIR (instead of
// .neuroforge/code-server; the e2e harness uses a temporary one).
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { freePort, installExtension, isInstalled, root, startCodeServer } from "./code-server.mjs";

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

const samples = path.join(root, "samples");
const vsix = path.join(root, "neuroforge.vsix");
const state = path.join(root, ".neuroforge");
const say = (msg) => console.log(`neuroforge start: ${msg}`);
const run = (cmd, argv) => execFileSync(cmd, argv, { cwd: root, stdio: "inherit" });

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
  run(process.execPath, ["esbuild.mjs"]);
  const stamp = path.join(state, "vsix.sha256");
  const hash = packageInputsHash();
  if (fs.existsSync(vsix) && fs.existsSync(stamp) && fs.readFileSync(stamp, "utf8") === hash) {
    say("neuroforge.vsix is up to date");
    return;
  }
  say("packaging the extension → neuroforge.vsix");
  run("npm", ["run", "--silent", "package"]);
  fs.mkdirSync(state, { recursive: true });
  fs.writeFileSync(stamp, hash);
}

const hasCode = () => spawnSync("sh", ["-c", "command -v code"], { stdio: "ignore" }).status === 0;

buildAndPackage();

if (!args.codeServer && hasCode()) {
  say("`code` is on the PATH: installing the extension into VS Code and opening samples/");
  run("code", ["--install-extension", vsix, "--force"]);
  run("code", [samples]);
  say(`VS Code opened ${samples}: start with notebooks/xor-explained.ipynb`);
  process.exit(0);
}

if (!isInstalled()) say("`code` is not on the PATH: installing code-server into .tools/ (once; about 3 min)");
run("bash", [path.join(root, "bin/code-server-setup.sh")]);

const dataDir = path.resolve(args.dataDir ?? path.join(state, "code-server"));
say(`installing the extension into ${dataDir.startsWith(root + path.sep) ? path.relative(root, dataDir) : dataDir}`);
installExtension(dataDir, vsix);

const port = process.env.PORT ? Number(process.env.PORT) : await freePort();
if (!Number.isInteger(port) || port < 1 || port > 65535) {
  console.error(`neuroforge start: PORT must be a port number (got "${process.env.PORT}")`);
  process.exit(2);
}
const logFile = path.join(dataDir, "code-server.log");
const log = fs.createWriteStream(logFile);
// Workspace trust off: this server exists to open the repository's own samples, and in Restricted Mode
// (VS Code's default for a new folder) notebook cells do not run until the newcomer finds "Trust".
const server = await startCodeServer({ dataDir, port, folder: samples, log, extraArgs: ["--disable-workspace-trust"] }).catch((e) => {
  console.error(`neuroforge start: ${e.message}\n(log: ${logFile})`);
  process.exit(1);
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
  console.error(`neuroforge start: code-server exited (${code ?? signal}); log: ${logFile}`);
  process.exit(1);
});

say("code-server (VS Code in the browser) is running with NeuroForge installed and samples/ open:");
console.log(`\n  ${server.url}\n`);
say("open notebooks/xor-explained.ipynb and run its cells; Ctrl-C stops the server");
