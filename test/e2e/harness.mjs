// The e2e harness's bookkeeping: timed log lines, named steps (a failing step is recorded with a screenshot
// and the run goes on), screenshots under test-output/e2e/, and the final exit code.
import * as fs from "node:fs";
import * as path from "node:path";
import { root } from "../../bin/code-server.mjs";

export const outDir = path.join(root, "test-output/e2e");
fs.mkdirSync(outDir, { recursive: true });
for (const f of fs.readdirSync(outDir)) if (f.endsWith(".png")) fs.rmSync(path.join(outDir, f)); // no stale screenshots

const t0 = Date.now();
export const secs = (from = t0) => ((Date.now() - from) / 1000).toFixed(1);
export const log = (...a) => console.log(`[e2e ${secs()}s]`, ...a);
export const timings = {};
const failures = [];
let passed = 0;
let currentPage = null;

/** The page a failing step screenshots. */
export const usePage = (page) => (currentPage = page);

export const screenshot = (page, name) => page.screenshot({ path: path.join(outDir, `${name}.png`) });

/** Runs one named test step; a throw marks it failed (with a screenshot) without stopping the run. */
export async function step(name, fn) {
  const s = Date.now();
  try {
    await fn();
    passed++;
    log(`ok - ${name} (${secs(s)}s)`);
  } catch (e) {
    failures.push(name);
    const shot = path.join(outDir, `failure-${failures.length}.png`);
    if (currentPage) await currentPage.screenshot({ path: shot }).then(() => log(`    screenshot: ${path.relative(root, shot)}`), () => {});
    log(`not ok - ${name} (${secs(s)}s)\n${e && e.stack ? e.stack : e}`);
  }
  timings[name] = secs(s);
}

/** Throws `message` unless `ok`. */
export function check(ok, message) {
  if (!ok) throw new Error(message);
}

/** Logs the summary and exits: 1 when any step failed or fewer steps than `expected` passed. */
export function finish(expected) {
  log(`timings: ${JSON.stringify(timings)}`);
  if (failures.length || passed < expected) {
    log(`${failures.length} failed (${passed} of ${expected} passed): ${failures.join("; ")}`);
    process.exit(1);
  }
  log(`all ${passed} e2e tests passed in ${secs()}s`);
  process.exit(0);
}
