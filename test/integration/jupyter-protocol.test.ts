/**
 * The Jupyter kernel over the real wire protocol, driven from python3 by Debian's jupyter_client (as a
 * notebook front end drives ipykernel): execute_input before outputs, stop_on_error aborting the queued
 * executions, history_request, comm_info_request, raw MIME bundles from `display`. The kernelspec is
 * installed into a temporary prefix. Skipped (with a message) when python3's jupyter_client is missing.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { python, runJupyterSteps, type Answer, type Request } from "./support/jupyter-driver";
import { jupyterSandbox } from "./support/jupyter-sandbox";

/** A tiny PNG (1×1, red), as Jupyter carries images: base64 text. */
const PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGP4z8DwHwAFAAH/iZk9HQAAAABJRU5ErkJggg==";

describe("Jupyter kernel: the wire protocol with jupyter_client", { skip: python ? false : "python3 jupyter_client is not installed (Debian: python3-jupyter-client)", timeout: 240_000 }, () => {
  let tmp: string;
  let env: NodeJS.ProcessEnv;
  let answers: Answer[][];

  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "nf-jupyter-protocol-"));
    env = jupyterSandbox(tmp).env;
    const work = path.join(tmp, "nb");
    fs.mkdirSync(work);
    const steps: Request[][] = [
      [{ kind: "execute", code: "const x = 20;\nconsole.log('hi');\nx + 1" }],
      [{ kind: "execute", code: "let quiet = 1;" }],
      // Sent together: the first fails, the two queued behind it are aborted. It runs for half a second
      // before failing, so that the two are received while it runs even on a loaded machine (a request
      // received after the error reply runs, as the next step shows).
      [
        { kind: "execute", code: "for (const until = Date.now() + 500; Date.now() < until; );\nthrow new Error('boom');" },
        { kind: "execute", code: "console.log('must not run');" },
        { kind: "execute", code: "x * 2" },
      ],
      [{ kind: "execute", code: "x * 3" }],
      // stop_on_error false: the next one runs.
      [
        { kind: "execute", code: "throw new Error('again');", stop_on_error: false },
        { kind: "execute", code: "x * 4" },
      ],
      [
        { kind: "history", args: { hist_access_type: "tail", n: 3, output: false, raw: true } },
        { kind: "history", args: { hist_access_type: "search", pattern: "x *", output: false, raw: true } },
        { kind: "comm_info" },
      ],
      [
        {
          kind: "execute",
          code: `import { display } from "neuroforge";\ndisplay({ "image/png": "${PNG}", "text/plain": "a red dot" });\ndisplay.html("<b>bold</b>");\ndisplay.markdown("**md**");\ndisplay.svg("<svg xmlns='http://www.w3.org/2000/svg'/>");\ndisplay.png("${PNG}");`,
        },
      ],
    ];
    answers = runJupyterSteps(work, env, steps);
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it("publishes execute_input (code, execution count) before the cell's outputs", () => {
    const [a] = answers[0]!;
    assert.deepEqual(a!.iopub.map((m) => m.type), ["execute_input", "stream", "execute_result"]);
    assert.equal(a!.iopub[0]!.content.code, "const x = 20;\nconsole.log('hi');\nx + 1");
    assert.equal(a!.iopub[0]!.content.execution_count, a!.reply.content.execution_count);
    assert.equal(a!.iopub[2]!.content.data["text/plain"], "21");
    // A cell without a result still gets its execute_input and count.
    const [q] = answers[1]!;
    assert.deepEqual(q!.iopub.map((m) => m.type), ["execute_input"]);
    assert.equal(q!.reply.content.execution_count, a!.reply.content.execution_count + 1);
  });

  it("after an error, replies 'aborted' to the executions queued behind it (stop_on_error)", () => {
    const [fail, second, third] = answers[2]!;
    assert.equal(fail!.reply.content.status, "error");
    assert.equal(fail!.reply.content.evalue, "boom");
    assert.deepEqual([second!.reply.content.status, third!.reply.content.status], ["aborted", "aborted"]);
    assert.deepEqual([...second!.iopub, ...third!.iopub], [], "aborted cells publish nothing (nothing ran)");
    const [later] = answers[3]!;
    assert.equal(later!.reply.content.status, "ok", "a request sent after the error reply runs");
    assert.equal(later!.iopub.find((m) => m.type === "execute_result")!.content.data["text/plain"], "60");
    const [noStop, next] = answers[4]!;
    assert.equal(noStop!.reply.content.status, "error");
    assert.equal(next!.reply.content.status, "ok", "stop_on_error false: the next one runs");
    assert.equal(next!.iopub.find((m) => m.type === "execute_result")!.content.data["text/plain"], "80");
  });

  it("answers history_request (tail, search) and comm_info_request", () => {
    const [tail, search, comm] = answers[5]!;
    assert.equal(tail!.reply.type, "history_reply");
    const inputs = (tail!.reply.content.history as [number, number, string][]).map((h) => h[2]);
    assert.deepEqual(inputs, ["x * 3", "throw new Error('again');", "x * 4"]);
    const lines = (tail!.reply.content.history as [number, number, string][]).map((h) => h[1]);
    assert.deepEqual(lines, [lines[0], lines[0]! + 1, lines[0]! + 2]);
    assert.deepEqual((search!.reply.content.history as [number, number, string][]).map((h) => h[2]), ["x * 3", "x * 4"]);
    assert.equal(comm!.reply.type, "comm_info_reply");
    assert.equal(comm!.reply.content.status, "ok");
    assert.deepEqual(comm!.reply.content.comms, {});
  });

  it("displays raw MIME bundles and the display.html/markdown/svg/png helpers as given", () => {
    const [a] = answers[6]!;
    assert.equal(a!.reply.content.status, "ok", JSON.stringify(a!.reply.content));
    const shown = a!.iopub.filter((m) => m.type === "display_data").map((m) => m.content.data as Record<string, string>);
    assert.equal(shown.length, 5);
    assert.deepEqual(shown[0], { "image/png": PNG, "text/plain": "a red dot" });
    assert.equal(shown[1]!["text/html"], "<b>bold</b>");
    assert.equal(shown[2]!["text/markdown"], "**md**");
    assert.equal(shown[3]!["image/svg+xml"], "<svg xmlns='http://www.w3.org/2000/svg'/>");
    assert.equal(shown[4]!["image/png"], PNG);
    for (const d of shown.slice(1)) assert.equal(typeof d["text/plain"], "string", "every helper adds a text/plain fallback");
  });
});
