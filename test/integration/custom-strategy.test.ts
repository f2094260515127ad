/**
 * A user's own strategy, recorded and audited like a built-in one: the run stores its declaration and
 * fingerprint with a hash (table `strategies`); this process (which holds the live strategy) replays
 * it for verify and the audit; `neuroforge verify` in a fresh process needs `--strategy module.ts`
 * exporting the same code (hash checked, exit 2 otherwise), and never executes the code stored in the file.
 * Real sql.js files, the real CLI (bin/neuroforge.cjs → dist/cli.js, built by npm test).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, test } from "node:test";
import { datasetFromRows, Model, Trainer, type Strategy } from "../../kernel/engine";
import { NfrunReader, RunRecorder, SCHEMA_VERSION, verifyFile } from "../../kernel/record";
import { loadSqlJs } from "../../kernel/record/sqljs";
import { strategyFingerprint } from "../../kernel/record/strategy-fingerprint";
import { loadStrategyModule } from "../../kernel/runtime/strategy-module";
import { MIME } from "../../kernel/runtime/display/mime";
import { activate } from "../../webviews/renderers/audit/index";
import { installDom } from "../unit/support/dom-globals";
import { renderOutput } from "../unit/support/render-output";
import { SIGNUM, signumModule } from "./support/signum";

installDom();
const repo = path.resolve(__dirname, "../..");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nf-custom-strategy-"));

let file = "";
let runId = "";
let signum: Strategy;

function cli(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(repo, "bin/neuroforge.cjs"), ...args], { encoding: "utf8", cwd: dir });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

before(async () => {
  const module = path.join(dir, "signum.ts");
  fs.writeFileSync(module, signumModule());
  [signum] = loadStrategyModule(module) as [Strategy];
  const xs: number[][] = [];
  const ys: number[][] = [];
  for (let i = 0; i < 24; i++) {
    xs.push([Math.sin(i * 0.7), Math.cos(i * 1.3)]);
    ys.push([Math.sin(i * 0.7) * Math.cos(i * 1.3) > 0 ? 1 : 0]);
  }
  const data = datasetFromRows("quadrants", xs, ys);
  const model = new Model({ inputs: 2, layers: [{ units: 3, activation: "tanh" }, { units: 1, activation: "sigmoid" }] });
  model.initialize({ name: "xavier_uniform" }, 11);
  file = path.join(dir, "signum.nfrun");
  const rec = await RunRecorder.create(file, { data, seed: 11, epochs: 3, checkpointSeconds: 3600 });
  const trainer = new Trainer({ model, loss: "bce", strategy: signum, hyperparameters: { lr: 0.02, beta: 0.8 }, batchSize: 6, seed: 11, observers: [rec] });
  rec.finish(trainer.fit(data, 3));
  runId = rec.runId;
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

test("the run stores the strategy's declaration and its fingerprint with its sha256", async () => {
  const SQL = await loadSqlJs();
  const db = new SQL.Database(fs.readFileSync(file));
  try {
    const [id, builtin, decl, source, hash] = db.exec("SELECT strategy_id, builtin, declaration_json, source, source_hash FROM strategies")[0]!.values[0]!;
    assert.equal(id, "signum");
    assert.equal(builtin, 0);
    const d = JSON.parse(String(decl)) as { formula: string; audit: string[]; hyperparameters: Record<string, { default: number }> };
    assert.equal(d.formula, "m ← βm + (1−β)g;  adj = γ·sign(m)");
    assert.deepEqual(d.audit, ["m", "sign(m)"]);
    assert.equal(d.hyperparameters.beta!.default, 0.9);
    assert.match(String(source), /s\.adjust\(i,s\.lr\[i\]\*sign\)/);
    assert.equal(hash, strategyFingerprint(signum).hash);
    assert.equal(db.exec("PRAGMA user_version")[0]!.values[0]![0], SCHEMA_VERSION);
  } finally {
    db.close();
  }
});

test("in the process holding the live strategy: verify passes, the audit has the user's columns, equal to the rule redone by hand", async () => {
  const v = await verifyFile(file);
  assert.equal(v.ok, true, JSON.stringify(v.mismatch));
  assert.equal(v.runs[0]!.commitsChecked, 12);
  const reader = await NfrunReader.open(file);
  try {
    // Signum by hand over every commit of one weight: m ← 0.8m + 0.2·avg, adj = LR·sign(m).
    let m = 0;
    for (let t = 1; t <= 12; t++) {
      const tr = reader.weightTrace(runId, 0, 2, 1, t);
      assert.equal(tr.kind, "weight-trace");
      if (tr.kind !== "weight-trace") return;
      assert.equal(tr.strategy.formula, "m ← βm + (1−β)g;  adj = γ·sign(m)");
      assert.equal(tr.strategy.builtin, false);
      m = 0.8 * m + (1 - 0.8) * tr.commit.avg;
      assert.equal(tr.commit.audit!.m, m, `m at t=${t}`);
      assert.equal(tr.commit.audit!["sign(m)"], Math.sign(m));
      assert.equal(tr.commit.adjustment, 0.02 * Math.sign(m));
      assert.equal(tr.commit.after, tr.commit.before - tr.commit.adjustment);
    }
  } finally {
    reader.close();
  }
});

test("neuroforge verify in a fresh process: 'supply --strategy' (exit 2), then the module verifies (exit 0), changed code is refused (exit 2)", () => {
  const none = cli("verify", file);
  assert.equal(none.code, 2, none.stderr);
  assert.match(none.stderr, /'signum'.*supply --strategy <module\.ts>/);
  assert.doesNotMatch(none.stderr, /\n\s+at /, "no stack trace");
  const good = cli("verify", file, "--strategy", path.join(dir, "signum.ts"));
  assert.equal(good.code, 0, good.stderr);
  assert.match(good.stdout, /12 commits.*verified/s);
  const changed = path.join(dir, "signum-changed.ts");
  fs.writeFileSync(changed, signumModule(SIGNUM.replace("(1 - beta) * s.g[i]!", "(1 - beta) * 1.01 * s.g[i]!")));
  const bad = cli("verify", file, "--strategy", changed);
  assert.equal(bad.code, 2, bad.stderr);
  assert.match(bad.stderr, /strategy 'signum' of sha256 [0-9a-f]{64}.*not the same code/);
  const broken = path.join(dir, "broken.ts");
  fs.writeFileSync(broken, "export const x = ;\n");
  const c = cli("verify", file, "--strategy", broken);
  assert.equal(c.code, 2);
  assert.match(c.stderr, /broken\.ts: --strategy: does not compile: line 1/);
});

test("code stored in a run file is never executed: not by verify, not by the reader", async () => {
  const marker = path.join(dir, "MARKER");
  const payload = `require("node:fs").writeFileSync(${JSON.stringify(marker)}, "ran");`;
  const SQL = await loadSqlJs();
  const db = new SQL.Database(fs.readFileSync(file));
  // As if the file's stored code were hostile: running it, or evaluating any part of it, writes the marker.
  db.run("UPDATE strategies SET source = ?, cell_source = ?, declaration_json = ?", [payload, payload, JSON.stringify({ id: payload })]);
  db.run("UPDATE runs SET strategy_formula = ?", [payload]);
  const hostile = path.join(dir, "hostile.nfrun");
  fs.writeFileSync(hostile, db.export());
  db.close();
  const r = cli("verify", hostile);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /supply --strategy/);
  const reader = await NfrunReader.open(hostile);
  try {
    // This process holds the live Signum (same hash): the audit is its replay, never the stored text's.
    const tr = reader.weightTrace(runId, 1, 0, 0, 4);
    assert.equal(tr.kind, "weight-trace");
    if (tr.kind === "weight-trace") assert.equal(tr.commit.recomputedAdjustment, tr.commit.adjustment);
  } finally {
    reader.close();
  }
  assert.equal(fs.existsSync(marker), false, "the stored code ran");
});

test("the audit popup where the strategy's code is absent (the VS Code host reading the file): the user's columns named, empty, and why", async () => {
  const reader = await NfrunReader.open(file);
  let trace;
  try {
    trace = reader.weightTrace(runId, 0, 2, 1, 5);
  } finally {
    reader.close();
  }
  assert.equal(trace.kind, "weight-trace");
  if (trace.kind !== "weight-trace") return;
  // What a reader without the strategy answers: the same trace with no audit values (run-context: strategy null).
  const payload = { ...trace, commit: { ...trace.commit, audit: null, auditValues: null, recomputedAdjustment: null } };
  const root = await renderOutput(activate, MIME.audit, payload);
  assert.deepEqual(Array.from(root.querySelectorAll("td.audit"), (td) => [td.getAttribute("data-column"), td.getAttribute("data-value"), td.textContent]), [["m", "", "–"], ["sign(m)", "", "–"]]);
  assert.match(root.querySelector(".unknown-strategy")?.textContent ?? "", /'signum' is a user's strategy; its code stored in the run is never run/);
  assert.equal(Number(root.querySelector("td.adj")?.getAttribute("data-value")), trace.commit.adjustment, "Adj, Before, After still come from the file");
  assert.equal(root.querySelector(".formula-text")?.textContent, "m ← βm + (1−β)g;  adj = γ·sign(m)");
  assert.equal(root.querySelector("dd.description")?.textContent, "Sign descent on a momentum average.", "the user's own words, from the stored declaration");
});
