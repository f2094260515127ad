/**
 * complete_request, inspect_request and is_complete_request of the Jupyter kernel, asked by Debian's
 * jupyter_client from python3 (test/integration/support/jupyter-language.py) after one executed cell,
 * against the kernelspec installed into a temporary prefix. Skipped (with a message) when python3's
 * jupyter_client is missing.
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { jupyterSandbox } from "./support/jupyter-sandbox";

// Debian's python3 (its jupyter_client package), also when another python3 comes first on the PATH.
const python = ["/usr/bin/python3", "python3"].find((p) => spawnSync(p, ["-c", "import jupyter_client"], { stdio: "ignore" }).status === 0);

type Reply = Record<string, unknown> & { _statuses: string[]; _idle_after_reply: boolean };

describe("Jupyter kernel: complete, inspect, is_complete (jupyter_client)", { skip: python ? false : "python3 jupyter_client is not installed", timeout: 180_000 }, () => {
  let tmp: string;
  let replies: Record<string, Reply>;

  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "nf-jupyter-language-"));
    const { env } = jupyterSandbox(tmp);
    const out = path.join(tmp, "replies.json");
    execFileSync(python!, [path.join(__dirname, "support", "jupyter-language.py"), out], { env, cwd: tmp, timeout: 150_000 });
    replies = JSON.parse(fs.readFileSync(out, "utf8")) as Record<string, Reply>;
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it("completes Math.ma with max, replacing `ma` (cursor_start 5, cursor_end 7)", () => {
    const r = replies.complete_math!;
    assert.equal(r.status, "ok");
    const matches = r.matches as string[];
    assert.ok(matches.includes("max") && matches.includes("map") === false, `matches: ${matches.join(", ")}`);
    assert.ok(matches.every((m) => m.startsWith("ma")), "only names starting with the typed prefix");
    assert.equal(r.cursor_start, 5);
    assert.equal(r.cursor_end, 7);
  });

  it("completes names declared by executed cells, but not by a cell the type check refused", () => {
    assert.equal(replies.execute!.status, "ok");
    assert.equal(replies.refused!.status, "error");
    assert.deepEqual(replies.complete_earlier!.matches, ["answerToAll"]);
    assert.equal(replies.complete_earlier!.cursor_start, 10);
    assert.deepEqual(replies.complete_refused!.matches, []);
  });

  it("counts cursor positions in code points (🍩 is one, two in UTF-16)", () => {
    const r = replies.complete_unicode!; // "🍩" + café.toUpp
    assert.ok((r.matches as string[]).includes("toUpperCase"));
    assert.equal(r.cursor_start, 11);
    assert.equal(r.cursor_end, 16);
  });

  it("inspects Trainer: its constructor signature in text/plain", () => {
    const r = replies.inspect_trainer!;
    assert.equal(r.found, true);
    const text = (r.data as Record<string, string>)["text/plain"]!;
    assert.match(text, /class Trainer/);
    assert.match(text, /^new Trainer\(options: TrainerOptions\): Trainer$/m);
  });

  it("inspects a name from an executed cell as it was declared there, and finds nothing in blanks", () => {
    const r = replies.inspect_earlier!;
    assert.equal(r.found, true);
    assert.equal((r.data as Record<string, string>)["text/plain"], "const answerToAll: 42");
    assert.equal(replies.inspect_nothing!.found, false);
  });

  it("is_complete: an open block is incomplete with an indent, a full statement complete, a syntax error invalid", () => {
    assert.deepEqual({ status: replies.is_complete_open!.status, indent: replies.is_complete_open!.indent }, { status: "incomplete", indent: "  " });
    assert.equal(replies.is_complete_full!.status, "complete");
    assert.equal(replies.is_complete_invalid!.status, "invalid");
  });

  it("publishes busy, then idle after each reply (as ipykernel orders them)", () => {
    for (const [name, r] of Object.entries(replies)) {
      assert.deepEqual(r._statuses, ["busy", "idle"], name);
      assert.equal(r._idle_after_reply, true, `${name}: idle published before the reply`);
    }
  });
});
