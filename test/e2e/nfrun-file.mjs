// What a .nfrun file says, read in the harness's own process with plain SQL through sql.js on the documented
// tables and views (docs/nfrun-format.md), not through NeuroForge's reader: the UI's numbers are checked
// against this independent reading.
import * as fs from "node:fs";
import initSqlJs from "sql.js";

const SQL = await initSqlJs();

export function openNfrun(file) {
  return new SQL.Database(fs.readFileSync(file));
}

function rows(db, sql, params) {
  const st = db.prepare(sql);
  st.bind(params);
  const out = [];
  while (st.step()) out.push(st.getAsObject());
  st.free();
  return out;
}

export const runsOf = (db) => rows(db, "SELECT run_id AS runId, status, config_hash AS configHash FROM runs ORDER BY started_ms", []);

/**
 * One weight [layer, neuron, weight] at commit t, as the audit popup must show it:
 *   per sample (position order) input, blame, leverage (v_leverage) and the running bank (Σ from 0);
 *   batchTotal = the last bank, count (commits), avg = batchTotal / count;
 *   adjustment (v_commit_weight); before = the nearest earlier snapshot's value (v_snapshot_weight) minus
 *   the adjustments of the commits in between, in order; after = before − adjustment;
 *   clip (with clipping): { maxNorm: c from the config, norm: the commit's grad_norm, scale = min(1, c / (norm + 1e-6)) };
 *   with Lookahead(k, α) the chain starts at the initial weights (t = 0) and follows docs/nfrun-format.md,
 *   "Mechanisms": at a period's start (t = 1, k+1, …) slow ← the weight; after commit t with t % k = 0
 *   fast = before − adjustment, slow ← slow + α(fast − slow), weight ← slow. At such a commit `lookahead` is
 *   { k, alpha, slowBefore, fast, slowAfter } and after = slowAfter.
 */
export function weightAtCommit(db, runId, layer, neuron, weight, t) {
  const [commit] = rows(db, "SELECT epoch, batch, count, grad_norm AS gradNorm FROM commits WHERE run_id = ? AND t = ?", [runId, t]);
  if (!commit) throw new Error(`run ${runId} has no commit t=${t}`);
  const samples = rows(
    db,
    `SELECT position, sample, input, blame, leverage FROM v_leverage
     WHERE run_id = ? AND epoch = ? AND batch = ? AND layer = ? AND neuron = ? AND weight = ? ORDER BY position`,
    [runId, commit.epoch, commit.batch, layer, neuron, weight],
  );
  let bank = 0;
  for (const s of samples) s.cumulative = bank += s.leverage;
  const { lookahead, clip } = mechanismsOf(db, runId);
  // With Lookahead a period's slow weight is the value at its start: replay from the initial weights.
  const [snap] = rows(
    db,
    `SELECT t, value FROM v_snapshot_weight WHERE run_id = ? AND layer = ? AND neuron = ? AND weight = ? AND t < ? ORDER BY t DESC LIMIT 1`,
    [runId, layer, neuron, weight, lookahead ? 1 : t],
  );
  if (!snap) throw new Error(`run ${runId} has no snapshot before t=${t}`);
  const adjustments = rows(
    db,
    `SELECT t, adjustment FROM v_commit_weight WHERE run_id = ? AND layer = ? AND neuron = ? AND weight = ? AND t > ? AND t <= ? ORDER BY t`,
    [runId, layer, neuron, weight, snap.t, t],
  );
  if (adjustments.length !== t - snap.t) throw new Error(`run ${runId}: ${adjustments.length} adjustments between snapshot t=${snap.t} and t=${t}`);
  let value = snap.value;
  let slow = value;
  let before = value;
  let sync = null;
  for (const a of adjustments) {
    before = value;
    value = before - a.adjustment;
    if (!lookahead) continue;
    if ((a.t - 1) % lookahead.k === 0) slow = before;
    if (a.t % lookahead.k === 0) {
      sync = { ...lookahead, slowBefore: slow, fast: value, slowAfter: slow + lookahead.alpha * (value - slow) };
      slow = value = sync.slowAfter;
    } else sync = null;
  }
  const adjustment = adjustments[adjustments.length - 1].adjustment;
  const clipped = clip > 0 ? { maxNorm: clip, norm: commit.gradNorm, scale: Math.min(1, clip / (commit.gradNorm + 1e-6)) } : null;
  return { ...commit, samples, batchTotal: bank, avg: bank / commit.count, adjustment, before, after: value, clip: clipped, lookahead: sync };
}

/** The run's Lookahead ({ k, alpha } or null) and clip threshold c (0: off), from its stored config. */
export function mechanismsOf(db, runId) {
  const [run] = rows(db, "SELECT config_json AS config FROM runs WHERE run_id = ?", [runId]);
  const config = JSON.parse(run.config);
  const lookahead = config.lookahead?.enabled ? { k: config.lookahead.k, alpha: config.lookahead.alpha } : null;
  return { lookahead, clip: config.training?.clip_grad_norm ?? 0 };
}

/** What the strategy of the run says about itself (its stored declaration): description, whenToUse, bestFor. */
export function strategyOf(db, runId) {
  const [row] = rows(db, "SELECT declaration_json AS declaration FROM strategies WHERE run_id = ?", [runId]);
  return JSON.parse(row.declaration);
}

/** The weight's value after commit t (t = 0: the initial weights, the snapshot at t = 0). */
export function valueAfter(db, runId, layer, neuron, weight, t) {
  if (t > 0) return weightAtCommit(db, runId, layer, neuron, weight, t).after;
  const [snap] = rows(db, `SELECT value FROM v_snapshot_weight WHERE run_id = ? AND t = 0 AND layer = ? AND neuron = ? AND weight = ?`, [runId, layer, neuron, weight]);
  if (!snap) throw new Error(`run ${runId} has no snapshot at t=0`);
  return snap.value;
}
