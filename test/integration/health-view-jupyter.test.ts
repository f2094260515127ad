/**
 * The live health view from the real Jupyter kernel (the same kernel process VS Code runs), driven by
 * Debian's jupyter_client: a cell that trains with health measures and a lifecycle publishes one
 * display_data with application/vnd.neuroforge.health+json (and its SVG and text fallbacks), updated in
 * place with update_display_data while it trains — no more than four times a second over the cell's
 * run time — and left in its final state. A `trainEpoch` loop gets one too. Skipped (with a message)
 * when python3's jupyter_client is missing.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import type { HealthViewPayload } from "../../kernel/runtime/display/health-view-types";
import { python, runJupyterSteps, type Answer, type Msg } from "./support/jupyter-driver";
import { jupyterSandbox } from "./support/jupyter-sandbox";

const HEALTH = "application/vnd.neuroforge.health+json";

const SETUP = `import { generateDataset, Model, Trainer, getStrategy } from "neuroforge";
const data = generateDataset("spiral", { count: 300, noise: 0.05, seed: 1, classes: 2 });
function trainer(): Trainer {
  const model = new Model({ inputs: 2, layers: [{ units: 32, activation: "relu" }, { units: 32, activation: "relu" }, { units: 1, activation: "sigmoid" }] });
  model.initialize({ name: "he_uniform" }, 3);
  return new Trainer({ model, loss: "bce", strategy: getStrategy("adam"), hyperparameters: { lr: 0.05 }, batchSize: 10, shuffle: true, seed: 1,
    health: { every: 30 }, lifecycle: { every: 30, maturity: 60, fraction: 0, threshold: -0.99 } });
}
"ready";`;

/** The health view's messages of one execution: its display and updates, in order. */
function healthMessages(a: Answer): Msg[] {
  return a.iopub.filter((m) => (m.type === "display_data" || m.type === "update_display_data") && m.content.data?.[HEALTH]);
}
const payload = (m: Msg) => m.content.data[HEALTH] as HealthViewPayload;

describe("live health view in Jupyter (jupyter_client)", { skip: python ? false : "python3 jupyter_client is not installed (Debian: python3-jupyter-client)", timeout: 300_000 }, () => {
  let tmp: string;
  let fit: Answer;
  let loop: Answer;

  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "nf-health-jupyter-"));
    const env = jupyterSandbox(tmp).env;
    const work = path.join(tmp, "nb");
    fs.mkdirSync(work);
    const answers = runJupyterSteps(work, env, [
      [{ kind: "execute", code: SETUP }],
      [{ kind: "execute", code: "const r = trainer().fit(data, 150);\nr.status;" }],
      [{ kind: "execute", code: "const t2 = trainer();\nfor (let e = 0; e < 20; e++) t2.trainEpoch(data);\nt2.t;" }],
    ]);
    assert.equal(answers[0]![0]!.reply.content.status, "ok", JSON.stringify(answers[0]![0]!.reply.content));
    fit = answers[1]![0]!;
    loop = answers[2]![0]!;
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it("a fit shows one health view, updated in place while it trains, at most 4 times a second", () => {
    assert.equal(fit.reply.content.status, "ok", JSON.stringify(fit.reply.content));
    const msgs = healthMessages(fit);
    assert.equal(msgs.filter((m) => m.type === "display_data").length, 1, "one display");
    assert.equal(msgs[0]!.type, "display_data");
    const id = msgs[0]!.content.transient.display_id as string;
    assert.ok(id, "the display has an id to update");
    assert.ok(msgs.every((m) => m.content.transient.display_id === id), "every update replaces that display");
    const running = msgs.filter((m) => payload(m).status === "running");
    assert.ok(running.length >= 2, `${running.length} updates while training`);
    const ts = running.map((m) => payload(m).t);
    assert.deepEqual(ts, [...ts].sort((a, b) => a - b), "t grows from update to update");
    assert.ok(ts[0]! < ts.at(-1)!);
    // Over the whole cell's run time (execute_input → its last message), no more than one update per 250 ms.
    const start = Date.parse(fit.iopub[0]!.date!);
    const end = Date.parse(fit.iopub.at(-1)!.date!);
    assert.ok(running.length <= (end - start) / 250 + 1, `${running.length} updates in ${end - start} ms`);
  });

  it("leaves the final state: completed after the last commit, with histograms, stages, events and the fallbacks", () => {
    const last = healthMessages(fit).at(-1)!;
    const p = payload(last);
    assert.equal(p.status, "completed");
    assert.equal(p.t, 150 * 30);
    assert.equal(p.measuredT, 150 * 30);
    assert.equal(p.layers.length, 3);
    assert.equal(p.layers[0]!.weights.histogram.counts.reduce((a, b) => a + b, 0), 2 * 32 + 32);
    assert.equal(p.lifecycle!.stages.flat().length, 65);
    assert.ok((p.eventCounts.rebirth ?? 0) > 0, "this learning rate kills ReLUs: rebirths are in the timeline");
    assert.match(String(last.content.data["image/svg+xml"]), /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.match(String(last.content.data["text/plain"]), /^Network health · t=4500 · completed/);
  });

  it("a trainEpoch loop gets its view too, completed when the cell ends", () => {
    assert.equal(loop.reply.content.status, "ok", JSON.stringify(loop.reply.content));
    const msgs = healthMessages(loop);
    assert.equal(msgs.filter((m) => m.type === "display_data").length, 1);
    const p = payload(msgs.at(-1)!);
    assert.equal(p.status, "completed");
    assert.equal(p.t, 20 * 30);
  });
});
