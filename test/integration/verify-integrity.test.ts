import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import type { Database } from "sql.js";
import { datasetFromRows, Model, Trainer } from "../../kernel/engine";
import { getStrategy } from "../../kernel/engine/optimizers/registry";
import { RunRecorder, SCHEMA_VERSION, verifyFile, type RecordingPolicy } from "../../kernel/record";
import { verifyCommand } from "../../kernel/runtime/verify-command";
import { tamperedCopy } from "./support/tamper";

/**
 * `verify` proves the whole run: each tampering below keeps every remaining row self-consistent (the
 * replay alone passes it) and must now fail with exit 1 and a message naming what is missing or changed.
 */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nfrun-integrity-"));

async function record(file: string, opts: { epochs?: number; policy?: RecordingPolicy; stop?: "interrupted" } = {}): Promise<string> {
  const xs: number[][] = [];
  const ys: number[][] = [];
  for (let i = 0; i < 20; i++) {
    xs.push([Math.sin(i * 0.7), Math.cos(i * 0.3)]);
    ys.push([Math.sin(i * 0.7) > Math.cos(i * 0.3) ? 1 : 0]);
  }
  const data = datasetFromRows("split", xs, ys);
  const epochs = opts.epochs ?? 4;
  const model = new Model({ inputs: 2, layers: [{ units: 3, activation: "tanh" }, { units: 1, activation: "sigmoid" }] });
  model.initialize({ name: "xavier_uniform" }, 2);
  const rec = await RunRecorder.create(file, { data, seed: 2, epochs, checkpointSeconds: 3600, ...(opts.policy ? { policy: opts.policy } : {}) });
  const trainer = new Trainer({ model, loss: "bce", strategy: getStrategy("adam"), hyperparameters: { lr: 0.03 }, batchSize: 5, shuffle: true, seed: 2, observers: [rec] });
  const result = trainer.fit(data, epochs);
  rec.finish(opts.stop ?? result);
  return rec.runId;
}

const tamper = (src: string, name: string, edit: (db: Database) => void): Promise<string> => tamperedCopy(src, dir, name, edit);

/** verify's exit code and its lines. */
async function verifyCli(file: string): Promise<{ code: number; text: string }> {
  const lines: string[] = [];
  const code = await verifyCommand(file, (l) => lines.push(l), (l) => lines.push(l));
  return { code, text: lines.join("\n") };
}

async function assertFails(file: string, message: RegExp): Promise<void> {
  const { code, text } = await verifyCli(file);
  assert.equal(code, 1, text);
  const mismatch = text.split("\n").filter((l) => l.startsWith("MISMATCH: "));
  assert.equal(mismatch.length, 1, text);
  assert.match(mismatch[0]!, message);
}

let good = "";
let runId = "";
test("an untouched file verifies whole (exit 0): every run's digest proven", async () => {
  good = path.join(dir, "good.nfrun");
  runId = await record(good);
  const r = await verifyFile(good);
  assert.equal(r.mismatch, null);
  assert.deepEqual(r.runs.map((x) => x.integrity), ["proven"]);
  const { code, text } = await verifyCli(good);
  assert.equal(code, 0);
  assert.match(text, /every run is whole, as recorded/);
  assert.doesNotMatch(text, /note:/);
});

test("deleting the last commits fails, also when runs.commits is lowered to match", async () => {
  await assertFails(await tamper(good, "last-commits.nfrun", (db) => db.run("DELETE FROM commits WHERE t > 14")), /commits \(the last commit row against runs.commits\).*expected t=16, found t=14/);
  const hidden = await tamper(good, "last-commits-hidden.nfrun", (db) => db.run("DELETE FROM commits WHERE t > 14; UPDATE runs SET commits = 14"));
  await assertFails(hidden, /the runs row: edited since recorded/);
});

test("deleting a recorded epoch fails (its row alone, or the epoch with all its rows)", async () => {
  await assertFails(await tamper(good, "epoch-row.nfrun", (db) => db.run("DELETE FROM recorded_epochs WHERE epoch = 2")), /recorded_epochs \(epoch 2 has samples but is not listed\)/);
  const whole = await tamper(good, "epoch-all.nfrun", (db) =>
    db.run("DELETE FROM recorded_epochs WHERE epoch = 2; DELETE FROM sample_chunks WHERE epoch = 2"),
  );
  await assertFails(whole, /table recorded_epochs: rows missing since they were recorded.*expected 4 rows, found 3 rows/);
});

test("deleting a run's row fails, naming the run", async () => {
  await assertFails(await tamper(good, "run-row.nfrun", (db) => db.run("DELETE FROM runs")), new RegExp(`runs row \\(the run's other rows are in the file.*run ${runId}`));
});

test("truncating nf_index (or nf_pow2) fails", async () => {
  await assertFails(await tamper(good, "nf-index.nfrun", (db) => db.run("DELETE FROM nf_index WHERE i >= 2")), /nf_index .*file level: expected 0 … ≥ \d+, found 2 rows, 0 … 1/);
  await assertFails(await tamper(good, "nf-pow2.nfrun", (db) => db.run("UPDATE nf_pow2 SET v = 3 WHERE k = 1")), /nf_pow2.*2\^1 = 3/);
});

test("editing runs.hyperparameters fails: against the hashed config, and by the digest where the config does not state it", async () => {
  await assertFails(
    await tamper(good, "hyper-lr.nfrun", (db) => db.run(`UPDATE runs SET hyperparameters = json_set(hyperparameters, '$.lr', 0.3)`)),
    /hyperparameter 'lr' \(runs.hyperparameters against the hashed config\).*expected 0.03, found 0.3/,
  );
  await assertFails(
    await tamper(good, "hyper-config-too.nfrun", (db) => {
      db.run(`UPDATE runs SET hyperparameters = json_set(hyperparameters, '$.lr', 0.3), config_json = json_set(config_json, '$.optimizer.lr', 0.3)`);
    }),
    /config hash|the runs row: edited/,
  );
});

test("flipping status from interrupted to completed fails (with or without an end event)", async () => {
  const stopped = path.join(dir, "stopped.nfrun");
  await record(stopped, { stop: "interrupted" });
  assert.equal((await verifyFile(stopped)).mismatch, null);
  await assertFails(await tamper(stopped, "stopped-flipped.nfrun", (db) => db.run("UPDATE runs SET status = 'completed'")), /status \(against the run's end event\).*expected interrupted, found completed/);
  const killedLike = await tamper(stopped, "killed-flipped.nfrun", (db) => db.run("DELETE FROM events WHERE kind = 'end'; UPDATE runs SET status = 'completed'"));
  await assertFails(killedLike, /status \(against the run's end event\).*expected interrupted \(the run has no end event\), found completed/);
  const both = await tamper(stopped, "end-flipped.nfrun", (db) => {
    db.run(`UPDATE runs SET status = 'completed'; UPDATE events SET data_json = '{"status":"completed"}' WHERE kind = 'end'`);
  });
  await assertFails(both, /the runs row: edited since recorded|table events: rows edited/);
});

test("a schema version in nf_meta that disagrees with user_version fails", async () => {
  await assertFails(await tamper(good, "meta-version.nfrun", (db) => db.run("UPDATE nf_meta SET value = '2' WHERE key = 'schema_version'")), new RegExp(`nf_meta schema_version.*expected ${SCHEMA_VERSION}, found 2`));
});

test("the digest names edits the replay cannot see: a commit row of an unrecorded epoch, an event, the dataset's names", async () => {
  const partial = path.join(dir, "partial.nfrun");
  await record(partial, { epochs: 5, policy: { epochs: { first: 1 } } });
  assert.equal((await verifyFile(partial)).mismatch, null);
  await assertFails(await tamper(partial, "partial-loss.nfrun", (db) => db.run("UPDATE commits SET loss = 0.25 WHERE epoch = 3 AND batch = 1")), /table commits: rows edited since recorded/);
  await assertFails(await tamper(good, "event-edit.nfrun", (db) => db.run("UPDATE events SET message = 'fine' WHERE kind = 'start'")), /table events: rows edited/);
  await assertFails(await tamper(good, "names-edit.nfrun", (db) => db.run(`UPDATE datasets SET input_names = '["a","b"]'`)), /table datasets: rows edited/);
  await assertFails(await tamper(good, "digest-gone.nfrun", (db) => db.run("DELETE FROM run_integrity")), new RegExp(`run_integrity \\(the run's digest\\).*schema version ${SCHEMA_VERSION}`));
  await assertFails(await tamper(good, "section-gone.nfrun", (db) => db.run("DELETE FROM run_integrity WHERE section = 'events'")), /run_integrity \(no digest of table events\)/);
});

test("an old file (schema version 3, no digest) still opens and verifies, with a note that whole-run integrity is not proven", async () => {
  const old = await tamper(good, "old.nfrun", (db) => db.run("DROP TABLE run_integrity; PRAGMA user_version = 3; UPDATE nf_meta SET value = '3' WHERE key = 'schema_version'"));
  const r = await verifyFile(old);
  assert.equal(r.mismatch, null);
  assert.deepEqual(r.runs.map((x) => x.integrity), ["not-proven"]);
  const { code, text } = await verifyCli(old);
  assert.equal(code, 0, text);
  assert.match(text, /note: this file predates the whole-run digest \(schema version 4\).*cannot be proven/);
  // The checks that need no digest still hold for old files.
  await assertFails(await tamper(old, "old-lr.nfrun", (db) => db.run(`UPDATE runs SET hyperparameters = json_set(hyperparameters, '$.lr', 0.3)`)), /hyperparameter 'lr'/);
});

/** The digest as docs/nfrun-format.md describes it, written out from the documentation in Python (independent of run-digest.ts). */
const DIGEST_PY = String.raw`
import ctypes, hashlib, json, sqlite3, struct, sys
con = sqlite3.connect(sys.argv[1]); run = sys.argv[2]; algorithm = sys.argv[3]
# XXH64 from the xxHash C library (Debian's libxxhash0, which apt itself depends on), SHA-256 from hashlib.
xxhash = ctypes.CDLL("libxxhash.so.0")
xxhash.XXH64.restype = ctypes.c_uint64
xxhash.XXH64.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint64]
def digest(b):
    return "xxh64:%016x" % xxhash.XXH64(b, len(b), 0) if algorithm == "xxh64" else hashlib.sha256(b).hexdigest()
def enc(values):
    out = b""
    for v in values:
        if v is None or (isinstance(v, float) and v != v): out += b"\x00"
        elif isinstance(v, (int, float)): out += b"\x01" + struct.pack("<d", float(v) + 0.0)
        else:
            b = v.encode("utf-8") if isinstance(v, str) else bytes(v)
            out += (b"\x02" if isinstance(v, str) else b"\x03") + struct.pack("<Q", len(b)) + b
    return out
q = {
  "run": "SELECT 0, * FROM (SELECT run_id, status, created_at, started_ms, ended_ms, seconds, engine_version, seed, config_json, config_hash, loss, batch_size, inputs, outputs, weight_count, neuron_count, strategy_id, strategy_name, strategy_formula, audit_columns, hyperparameters, state_per_weight, state_per_neuron, state_global, policy_json, epochs_done, commits, samples_seen, final_loss, heartbeat_ms FROM runs WHERE run_id = ?)",
  "layers": "SELECT layer, inputs, units, activation, weight_offset, neuron_offset FROM layers WHERE run_id = ? ORDER BY layer",
  "recorded_neurons": "SELECT col, layer, neuron, weights FROM recorded_neurons WHERE run_id = ? ORDER BY col",
  "datasets": "SELECT name, count, input_size, target_size, input_names, target_names, x, y FROM datasets WHERE run_id = ?",
  "recorded_epochs": "SELECT epoch, epoch FROM recorded_epochs WHERE run_id = ? ORDER BY epoch",
  "sample_chunks": "SELECT epoch, first_position, count, sample, loss, a, blame FROM sample_chunks WHERE run_id = ? ORDER BY epoch, first_position",
  "commits": "SELECT t, epoch, batch, count, loss, lr_scale, grad_norm, step_norm FROM commits WHERE run_id = ? ORDER BY t",
  "adjustment_blocks": "SELECT first_t, commits, layer, neuron, adjustment FROM adjustment_blocks WHERE run_id = ? ORDER BY first_t, layer, neuron",
  "snapshots": "SELECT t, t, epoch, weights, learning_rates, state, neuron_state, global_json FROM snapshots WHERE run_id = ? ORDER BY t",
  "lookahead_slow": "SELECT t, t, slow FROM lookahead_slow WHERE run_id = ? ORDER BY t",
  "strategies": "SELECT strategy_id, builtin, declaration_json, source, source_hash, cell_source FROM strategies WHERE run_id = ?",
  "learning_rate_changes": "SELECT t, t, rates FROM learning_rate_changes WHERE run_id = ? ORDER BY t",
  "events": "SELECT seq, time_ms, t, epoch, position, kind, message, data_json FROM events WHERE run_id = ? ORDER BY seq",
  "test_sets": "SELECT name, count, input_size, target_size, x, y FROM test_sets WHERE run_id = ?",
  "test_metrics": "SELECT epoch, t, samples, loss, accuracy FROM test_metrics WHERE run_id = ? ORDER BY epoch",
  "health": "SELECT t, layer, activation_mean, activation_std, dormant FROM health WHERE run_id = ? ORDER BY t, layer",
  "health_values": "SELECT t, layer, tensor, count, zeros, nan, inf, mean, std, p0, p668, p1587, p3085, p5000, p6915, p8413, p9332, p10000, hist_low, hist_high, hist FROM health_values WHERE run_id = ? ORDER BY t, layer, tensor DESC",
  "neuron_fitness": "SELECT t, fitness, grad_norm, activation_variance, stagnation, age, stage FROM neuron_fitness WHERE run_id = ? ORDER BY t",
}
keyed = {"run", "recorded_epochs", "snapshots", "lookahead_slow", "learning_rate_changes"}
result = {}
for section, sql in q.items():
    rows = con.execute(sql, (run,)).fetchall()
    if section in keyed:
        d = digest("".join("%d:%s\n" % (r[0], digest(enc(r[1:]))) for r in rows).encode())
    else:
        d = digest(b"".join(enc(r) for r in rows))
    result[section] = [len(rows), d]
print(json.dumps(result))
`;

/** Each section's [rows, digest] of `runId` in `file`, recomputed in Python with `algorithm`. */
function pythonDigest(file: string, algorithm: "xxh64" | "sha256"): Record<string, [number, string]> {
  return JSON.parse(execFileSync("python3", ["-c", DIGEST_PY, file, runId, algorithm], { encoding: "utf8" })) as Record<string, [number, string]>;
}

test("the digest as docs/nfrun-format.md describes it, recomputed independently in Python (sqlite3, the xxHash C library) for every section", () => {
  const python = pythonDigest(good, "xxh64");
  const con = execFileSync("python3", ["-c", "import json,sqlite3,sys; print(json.dumps({s: [r, d] for s, r, d in sqlite3.connect(sys.argv[1]).execute('SELECT section, rows, digest FROM run_integrity WHERE run_id = ?', (sys.argv[2],))}))", good, runId], { encoding: "utf8" });
  const stored = JSON.parse(con) as Record<string, [number, string]>;
  assert.equal(Object.keys(stored).length, 18);
  assert.deepEqual(python, stored);
  assert.match(stored.commits![1], /^xxh64:[0-9a-f]{16}$/);
  assert.ok(stored.commits![0] === 16 && stored.sample_chunks![0]! >= 4);
});

test("a run recorded before schema version 7 (SHA-256 digests) still verifies, and an edit to it is named", async () => {
  const sha = pythonDigest(good, "sha256");
  const old = await tamper(good, "sha256.nfrun", (db) => {
    for (const [section, [, d]] of Object.entries(sha)) db.run("UPDATE run_integrity SET digest = ? WHERE run_id = ? AND section = ?", [d, runId, section]);
    db.run("PRAGMA user_version = 6; UPDATE nf_meta SET value = '6' WHERE key = 'schema_version'");
  });
  const r = await verifyCli(old);
  assert.equal(r.code, 0, r.text);
  assert.doesNotMatch(r.text, /note:/);
  await assertFails(await tamper(old, "sha256-edited.nfrun", (db) => db.run("UPDATE events SET message = 'fine' WHERE kind = 'start'")), /table events: rows edited since recorded \(its SHA-256 differs\)/);
});

test("a run appended to an old file: the file becomes the current version, its earlier run is noted as not proven, the new one is proven", async () => {
  const old = await tamper(good, "old-append.nfrun", (db) => db.run("DROP TABLE run_integrity; PRAGMA user_version = 3; UPDATE nf_meta SET value = '3' WHERE key = 'schema_version'"));
  const added = await record(old);
  const r = await verifyFile(old);
  assert.equal(r.mismatch, null);
  assert.deepEqual(Object.fromEntries(r.runs.map((x) => [x.runId, x.integrity])), { [runId]: "not-proven", [added]: "proven" });
  const { code, text } = await verifyCli(old);
  assert.equal(code, 0, text);
  assert.match(text, /note: 1 run\(s\) predate the whole-run digest/);
  // Only the runs the recorder listed when it upgraded the file are excused.
  await assertFails(await tamper(old, "old-append-unlisted.nfrun", (db) => db.run("UPDATE nf_meta SET value = '[]' WHERE key = 'runs_before_digest'")), /run_integrity \(the run's digest\)/);
});
