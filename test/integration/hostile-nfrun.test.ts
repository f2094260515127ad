import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";
import type { Database } from "sql.js";
import { datasetFromRows, Model, Trainer } from "../../kernel/engine";
import { getStrategy } from "../../kernel/engine/optimizers/registry";
import { RunRecorder } from "../../kernel/record";
import { loadSqlJs } from "../../kernel/record/sqljs";

/**
 * Hostile .nfrun files: every size, count and index a file states is doctored in turn, and each
 * doctored file is read by `verify`, the kernel's reader and the editor's queries in a child process
 * (tsx, the real sql.js). None may crash, print a stack or use memory beyond a small multiple of the
 * file: `verify` exits with one line (2: the file is damaged, 1: it reads but does not verify), the
 * reader ends with its typed NfrunError.
 */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nfrun-hostile-"));
const repo = path.resolve(__dirname, "../..");
const probe = path.join(__dirname, "support/hostile-probe.ts");
const run = promisify(execFile);

interface Probe {
  readonly code: number;
  readonly lines: string[];
  readonly reader: string;
  readonly maxRssKb: number;
}

async function probeFile(file: string): Promise<Probe> {
  const { stdout } = await run(process.execPath, ["--import", "tsx", probe, file], { cwd: repo, timeout: 60_000, maxBuffer: 1 << 20 });
  return JSON.parse(stdout.trim().split("\n").pop()!) as Probe;
}

async function recordGood(file: string): Promise<void> {
  const xs: number[][] = [];
  const ys: number[][] = [];
  for (let i = 0; i < 24; i++) {
    xs.push([Math.sin(i), Math.cos(i * 1.3)]);
    ys.push([Math.sin(i) * Math.cos(i * 1.3) > 0 ? 1 : 0]);
  }
  const data = datasetFromRows("quadrants", xs, ys);
  const model = new Model({ inputs: 2, layers: [{ units: 4, activation: "tanh" }, { units: 1, activation: "sigmoid" }] });
  model.initialize({ name: "xavier_uniform" }, 1);
  const rec = await RunRecorder.create(file, { data, seed: 1, epochs: 4, checkpointSeconds: 3600 });
  const trainer = new Trainer({ model, loss: "bce", strategy: getStrategy("adam"), hyperparameters: { lr: 0.05 }, batchSize: 6, shuffle: true, seed: 1, observers: [rec] });
  rec.finish(trainer.fit(data, 4));
}

/** [name, SQL applied to the good file, verify's exit code: 2 damaged, 1 does not verify]. */
const DOCTORED: readonly [string, string, 1 | 2][] = [
  ["layer units 100,000,000 (the issue's example)", "UPDATE layers SET units = 100000000 WHERE layer = 0", 2],
  ["layer inputs 100,000,000", "UPDATE layers SET inputs = 100000000 WHERE layer = 1", 2],
  ["layer units negative", "UPDATE layers SET units = -4 WHERE layer = 0", 2],
  ["layer weight offset past the model", "UPDATE layers SET weight_offset = 1000000000 WHERE layer = 1", 2],
  ["layer activation 'constructor'", "UPDATE layers SET activation = 'constructor' WHERE layer = 0", 2],
  ["runs.weight_count 1e9", "UPDATE runs SET weight_count = 1000000000", 2],
  ["runs.neuron_count 2^40", "UPDATE runs SET neuron_count = 1099511627776", 2],
  ["runs.inputs 1e6", "UPDATE runs SET inputs = 1000000", 2],
  ["runs.batch_size 0", "UPDATE runs SET batch_size = 0", 2],
  ["runs.batch_size 1e9 (consistent sizes, wrong counts)", "UPDATE runs SET batch_size = 1000000000", 1],
  ["runs.commits as text", "UPDATE runs SET commits = 'many'", 2],
  ["runs.state_per_weight one name too many", `UPDATE runs SET state_per_weight = '["m","v","x"]'`, 2],
  ["runs.audit_columns an object with a length", `UPDATE runs SET audit_columns = '{"length": 1000000000}'`, 2],
  ["runs.hyperparameters an array", "UPDATE runs SET hyperparameters = '[1, 2]'", 2],
  ["runs.config_json nested 200,000 deep", `UPDATE runs SET config_json = '${"[".repeat(200_000)}${"]".repeat(200_000)}'`, 2],
  ["dataset count 1e9", "UPDATE datasets SET count = 1000000000", 2],
  ["dataset input_size 1e6", "UPDATE datasets SET input_size = 1000000", 2],
  ["dataset x blob cut short", "UPDATE datasets SET x = substr(x, 1, 16)", 2],
  ["commit t 2^40", "UPDATE commits SET t = 1099511627776 WHERE t = (SELECT max(t) FROM commits)", 2],
  ["commit t negative", "UPDATE commits SET t = -5 WHERE t = 1", 2],
  ["commit epoch 2^40", "UPDATE commits SET epoch = 1099511627776 WHERE t = 2", 2],
  ["commit count 1e9", "UPDATE commits SET count = 1000000000 WHERE t = 2", 2],
  ["commit count 7 (fits the dataset, not the batch)", "UPDATE commits SET count = 7 WHERE t = 2", 2],
  ["sample chunk count 1e9", "UPDATE sample_chunks SET count = 1000000000 WHERE epoch = 0", 2],
  ["sample chunk first position 2^40", "UPDATE sample_chunks SET first_position = 1099511627776 WHERE epoch = 1", 2],
  ["adjustment block commits 1e9", "UPDATE adjustment_blocks SET commits = 1000000000 WHERE layer = 0 AND neuron = 0", 1],
  ["snapshot t -1e9", "UPDATE snapshots SET t = -1000000000 WHERE t = 0", 2],
  ["snapshot weights blob cut short", "UPDATE snapshots SET weights = substr(weights, 1, 8)", 2],
  ["recorded neuron column 1e9", "UPDATE recorded_neurons SET col = 1000000000 WHERE layer = 0 AND neuron = 1", 2],
  ["recorded neuron layer 1e6", "UPDATE recorded_neurons SET layer = 1000000 WHERE layer = 0 AND neuron = 1", 2],
  ["recorded epoch 2^40", "UPDATE recorded_epochs SET epoch = 1099511627776 WHERE epoch = 0", 2],
];

async function doctor(src: string, dst: string, sql: string): Promise<void> {
  const SQL = await loadSqlJs();
  const db: Database = new SQL.Database(fs.readFileSync(src));
  db.run(sql);
  fs.writeFileSync(dst, db.export());
  db.close();
}

test("doctored sizes, counts and indexes: one line, exit 1 or 2, the reader's typed error, memory within a small multiple of the file", { timeout: 600_000 }, async () => {
  const good = path.join(dir, "good.nfrun");
  await recordGood(good);
  const base = await probeFile(good);
  assert.equal(base.code, 0, base.lines.join("\n"));
  assert.equal(base.reader, "read");
  const files = await Promise.all(
    DOCTORED.map(async ([name, sql], i) => {
      const file = path.join(dir, `doctored-${i}.nfrun`);
      await doctor(good, file, sql);
      return { name, file, bytes: fs.statSync(file).size };
    }),
  );
  const results: Probe[] = [];
  // Two children at a time (the machine has two cores).
  for (let i = 0; i < files.length; i += 2) for (const r of await Promise.all(files.slice(i, i + 2).map((f) => probeFile(f.file)))) results.push(r);
  const failures: string[] = [];
  DOCTORED.forEach(([name, , code], i) => {
    const r = results[i]!;
    const { bytes } = files[i]!;
    const errors = r.lines.filter((l) => l.startsWith("stderr: "));
    const problems = [
      r.code !== code ? `verify exit ${r.code}, expected ${code}` : null,
      errors.length !== 1 ? `verify printed ${errors.length} error lines` : null,
      r.lines.some((l) => /\n\s+at |CRASH/.test(l)) ? "a stack trace" : null,
      code === 2 && !r.reader.startsWith("NfrunError corrupt") ? `reader: ${r.reader.slice(0, 300)}` : null,
      r.reader.startsWith("CRASH") ? `reader crashed: ${r.reader.slice(0, 300)}` : null,
      // Peak memory: what the good file needed plus a small multiple of this file (plus GC slack).
      r.maxRssKb * 1024 > base.maxRssKb * 1024 + 16 * bytes + (48 << 20) ? `peak RSS ${r.maxRssKb} KB (good file: ${base.maxRssKb} KB, file ${bytes} B)` : null,
    ].filter(Boolean);
    if (problems.length > 0) failures.push(`${name}: ${problems.join("; ")} | ${r.lines.join(" | ").slice(0, 300)}`);
  });
  assert.deepEqual(failures, []);
});
