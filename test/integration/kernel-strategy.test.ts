/**
 * `defineStrategy` in a notebook cell, in the real kernel process (dist/kernel.js): training, recording,
 * verify, a mid-run setLearningRate, and the audit output rendered by the audit renderer in a DOM
 * (JSDOM), with the user's formula and audit values checked against the rule redone by hand. Then
 * `neuroforge verify --strategy` in a fresh process with the same code as a module: the cell (compiled
 * by the kernel's TypeScript) and the module (compiled by esbuild) have the same stored hash.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, test } from "node:test";
import { KernelClient } from "../../kernel/runtime/kernel/client";
import { MIME } from "../../kernel/runtime/display/mime";
import { loadSqlJs } from "../../kernel/record/sqljs";
import { activate } from "../../webviews/renderers/audit/index";
import { installDom } from "../unit/support/dom-globals";
import { renderOutput } from "../unit/support/render-output";
import { SIGNUM, signumModule } from "./support/signum";

installDom();
const repo = path.resolve(__dirname, "../..");
const kernelPath = path.join(repo, "dist/kernel.js");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nf-kernel-strategy-"));
const file = path.join(dir, "signum.nfrun");

const DEFINE_CELL = `import { defineStrategy } from "neuroforge";\n${SIGNUM}\nsignum.name`;

let kernel: KernelClient;
before(async () => {
  kernel = await KernelClient.start({ cwd: dir, kernelPath });
});
after(async () => {
  await kernel?.shutdown();
  fs.rmSync(dir, { recursive: true, force: true });
});

const ok = async (code: string) => {
  const r = await kernel.execute(code);
  assert.equal(r.status, "ok", JSON.stringify(r.error));
  return r;
};

test("a strategy defined in a cell trains, records, verifies and shows its audit; verify --strategy accepts the same code as a module", { timeout: 180_000 }, async () => {
  const defined = await ok(DEFINE_CELL);
  assert.equal(defined.result?.data["text/plain"], "'Signum'");
  await ok(`import { Model, Trainer, RunRecorder, generateDataset, verifyFile, NfrunReader, weightAudit } from "neuroforge";
const data = generateDataset("xor", {});
const model = new Model({ inputs: 2, layers: [{ units: 3, activation: "tanh" }, { units: 1, activation: "sigmoid" }] });
model.initialize({ name: "xavier_uniform" }, 4);
const recorder = await RunRecorder.create(${JSON.stringify(file)}, { data, epochs: 1, checkpointSeconds: 3600 });
// After commit 9 every weight's rate halves: recorded, so the replay and the audit stay exact.
const halve = { readsBank: false, onCommit(e: { t: number }) { if (e.t === 9) for (let j = 0; j < 3; j++) for (let w = 0; w <= 2; w++) trainer.setLearningRate(0, j, w, 0.025); } };
const trainer = new Trainer({ model, loss: "bce", strategy: signum, hyperparameters: { lr: 0.05, beta: 0.7 }, batchSize: 2, observers: [recorder, halve] });
recorder.finish(trainer.fit(data, 1));`);
  const verified = await ok("const v = await verifyFile(" + JSON.stringify(file) + ");\n`${v.ok} ${v.runs[0]!.commitsChecked}`");
  assert.equal(verified.result?.data["text/plain"], "'true 100'");
  // The audit of weight [0, 1, 0] at t = 10 (after the change), as the cell shows it, and the avg of every commit before.
  const series = await ok(`const reader = await NfrunReader.open(${JSON.stringify(file)});
console.log(JSON.stringify(Array.from({ length: 10 }, (_, k) => { const tr = reader.weightTrace(recorder.runId, 0, 1, 0, k + 1); return tr.kind === "weight-trace" ? tr.commit.avg : null; })));`);
  const avgs = JSON.parse(series.stdout) as number[];
  assert.equal(avgs.length, 10);
  const shown = await ok("weightAudit(reader, recorder.runId, 0, 1, 0, 10)");
  const payload = shown.result?.data[MIME.audit];
  assert.ok(payload, "the cell shows the audit's custom MIME type");
  let m = 0;
  for (const g of avgs) m = 0.7 * m + (1 - 0.7) * g;
  const root = await renderOutput(activate, MIME.audit, payload);
  assert.equal(root.querySelector(".formula-text")?.textContent, "m ← βm + (1−β)g;  adj = γ·sign(m)");
  assert.equal(root.querySelector("dd.description")?.textContent, "Sign descent on a momentum average.", "the user's own words, from the stored declaration");
  const cell = (column: string) => Number(root.querySelector(`td.audit[data-column="${column}"]`)?.getAttribute("data-value"));
  assert.equal(cell("m"), m);
  assert.equal(cell("sign(m)"), Math.sign(m));
  const lr = Number(root.querySelector("td.lr")?.getAttribute("data-value"));
  assert.equal(lr, 0.025, "the popup's LR is the rate set mid-run");
  assert.equal(Number(root.querySelector("td.adj")?.getAttribute("data-value")), 0.025 * Math.sign(m));
  assert.equal(root.querySelector(".unknown-strategy"), null);
  const before = await ok("const b = reader.weightTrace(recorder.runId, 0, 1, 0, 9);\nb.kind === 'weight-trace' ? b.commit.lr : -1");
  assert.equal(before.result?.data["text/plain"], "0.05");

  // The file stores the defining cell's text; a fresh process verifies only with the module.
  const SQL = await loadSqlJs();
  const db = new SQL.Database(fs.readFileSync(file));
  const [cellSource] = db.exec("SELECT cell_source FROM strategies")[0]!.values[0]!;
  db.close();
  assert.equal(cellSource, DEFINE_CELL);
  const cli = (...args: string[]) => spawnSync(process.execPath, [path.join(repo, "bin/neuroforge.cjs"), "verify", file, ...args], { encoding: "utf8", cwd: dir });
  const without = cli();
  assert.equal(without.status, 2);
  assert.match(without.stderr, /supply --strategy/);
  const module = path.join(dir, "my-optimizer.ts");
  fs.writeFileSync(module, signumModule());
  const withModule = cli("--strategy", module);
  assert.equal(withModule.status, 0, withModule.stderr);
  assert.match(withModule.stdout, /verified/);
});
