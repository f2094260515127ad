import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { test } from "node:test";

/**
 * `Math.max(...xs)` passes every element as an argument: past ~100k elements (a layer of 200,000
 * neurons, a long run's commits) V8 throws "Maximum call stack size exceeded". Folds (reduce, a loop)
 * have no such limit, so the repository has no spread into Math.min/max or push at all.
 */
const repo = resolve(__dirname, "../..");
/** A spread as a direct argument: right after the call's "(" or after a top-level ", " (not inside {…} or […]). */
const SPREAD_CALL = /\b(?:Math\.(?:min|max)|\.push)\((?:[^(){}[\]]*,\s*)?\.\.\./;

test("no array is spread into Math.min / Math.max / push anywhere in the repository", () => {
  const files = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "*.ts", "*.mjs", "*.cjs"], { cwd: repo, encoding: "utf8" })
    .split("\n")
    .filter((f) => f !== "" && !f.startsWith("node_modules/"));
  assert.ok(files.length > 100, `found ${files.length} source files`);
  const offenders: string[] = [];
  for (const file of files) {
    readFileSync(join(repo, file), "utf8")
      .split("\n")
      .forEach((line, i) => {
        if (SPREAD_CALL.test(line) && !/^\s*(\*|\/\/)/.test(line) && file !== "test/unit/no-spread-calls.test.ts") offenders.push(`${file}:${i + 1}: ${line.trim()}`);
      });
  }
  assert.deepEqual(offenders, []);
  assert.ok(SPREAD_CALL.test("const m = Math.max(0, ...xs.map((x) => x));"), "the pattern finds a spread after other arguments");
  assert.ok(SPREAD_CALL.test("out.push(...rows);"));
  assert.ok(!SPREAD_CALL.test("seen.push({ ...e });"), "an object spread is one argument");
});
