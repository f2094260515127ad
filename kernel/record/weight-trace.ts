import { zeroNonFinite } from "../engine/health/sanitize";
import { StepScope } from "../engine/optimizers/strategy";
import { suppliesCurvature, suppliesCurvatureAt } from "../engine/precondition/network-curvature";
import { blobF64 } from "./blob";
import { NfrunError } from "./errors";
import type { NfrunReader } from "./reader";
import type { Chunk, CommitDetail, LayerRow, LeverageRow, NotRecorded, RunContext, WeightAt, WeightTrace } from "./reader-types";
import { ResetReplay, runResets } from "./reset-trace";
import { sampleKey } from "./sanitize-replay";
import { findCommit, notRecorded } from "./reader-util";
import { rateChangeAt } from "./run-strategy";

/** Recorded adjustments of one weight for commits tFrom … tTo (inclusive); null where missing. */
export function adjustments(r: NfrunReader, runId: string, layer: number, neuron: number, weight: number, tFrom: number, tTo: number): (number | null)[] {
  return neuronAdjustments(r, runId, layer, neuron, weight, weight, tFrom, tTo)[0]!;
}

/**
 * Recorded adjustments of weights wFrom … wTo of one neuron for commits tFrom … tTo: [w − wFrom][t − tFrom],
 * null where missing. One query per neuron (a block stores its weights one after another), so a wide
 * neuron does not cost a query per weight.
 */
export function neuronAdjustments(r: NfrunReader, runId: string, layer: number, neuron: number, wFrom: number, wTo: number, tFrom: number, tTo: number): (number | null)[][] {
  const n = wTo - wFrom + 1;
  const out = Array.from({ length: n }, () => new Array<number | null>(Math.max(0, tTo - tFrom + 1)).fill(null));
  if (tTo < tFrom) return out;
  const rows = r.query(
    `SELECT first_t, commits, substr(adjustment, 8 * ? * commits + 1, 8 * ? * commits) FROM adjustment_blocks
     WHERE run_id = ? AND layer = ? AND neuron = ? AND first_t <= ? AND first_t + commits > ? ORDER BY first_t`,
    [wFrom, n, runId, layer, neuron, tTo, tFrom],
  );
  for (const [f, c, b] of rows) {
    const first = Number(f);
    const commits = Number(c);
    const values = blobF64(b);
    if (!values || values.length !== n * commits) throw r.bad(`run ${runId}: adjustment block [${layer}, ${neuron}] at t=${first} has the wrong size`);
    for (let w = 0; w < n; w++) {
      for (let k = 0; k < commits; k++) {
        const t = first + k;
        if (t >= tFrom && t <= tTo) out[w]![t - tFrom] = values[w * commits + k]!;
      }
    }
  }
  return out;
}

/** The nearest snapshot at or before t: weights, rates and optimizer state of weights [lo, hi] (copies). */
function snapshotBefore(r: NfrunReader, ctx: RunContext, t: number, lo: number, hi: number, neuronFlat: number) {
  let ts = -1;
  for (const s of ctx.snapshotTs) if (s <= t) ts = s;
  if (ts < 0) return null;
  const snap = r.snapshot(ctx, ts);
  const W = ctx.info.weightCount;
  const N = ctx.info.neuronCount;
  const w: Record<string, Float64Array> = {};
  ctx.perWeight.forEach((name, k) => (w[name] = snap.state.slice(k * W + lo, k * W + hi + 1)));
  const n: Record<string, Float64Array> = {};
  ctx.perNeuron.forEach((name, k) => (n[name] = Float64Array.of(snap.neuronState[k * N + neuronFlat]!)));
  const slow = snap.slow ? snap.slow.slice(lo, hi + 1) : null;
  return { t: ts, weights: snap.weights.slice(lo, hi + 1), rates: snap.rates.slice(lo, hi + 1), w, n, global: { ...snap.global }, slow };
}

/** Weights [lo, hi]'s curv_est in the snapshot after commit t (null: none), which is the estimate commit t folded in. */
function suppliedCurvature(r: NfrunReader, ctx: RunContext, t: number, lo: number, hi: number): Float64Array | null {
  const k = ctx.perWeight.indexOf("curv_est");
  if (k < 0 || !ctx.snapshotTs.includes(t)) return null;
  const W = ctx.info.weightCount;
  return r.snapshot(ctx, t).state.slice(k * W + lo, k * W + hi + 1);
}

export function checkWeight(r: NfrunReader, ctx: RunContext, layer: number, neuron: number, weight: number): LayerRow {
  const l = ctx.layers[layer];
  if (!l || !Number.isInteger(neuron) || neuron < 0 || neuron >= l.units || !Number.isInteger(weight) || weight < 0 || weight > l.inputs) {
    throw new NfrunError("bad-argument", `run ${ctx.info.runId} has no weight [layer ${layer}, neuron ${neuron}, weight ${weight}]`, r.path);
  }
  return l;
}

/** The input of weight `weight` of a neuron in `layer` for the sample at chunk[i]. */
export function inputOf(ctx: RunContext, layer: number, weight: number, chunk: Chunk, i: number): number {
  const l = ctx.layers[layer]!;
  if (weight === l.inputs) return 1;
  if (layer === 0) return ctx.x[chunk.sample[i]! * ctx.inputSize + weight]!;
  return chunk.a[i * ctx.R + ctx.col[layer - 1]![weight]!]!;
}

/**
 * One weight at one commit: the per-sample rows of that batch (input × blame = leverage, running
 * bank), the commit (batch total, count, avg, the strategy's audit columns by name, LR, adjustment,
 * before, after) and the strategy's formula. `at`: the commit's timestep t, or a sample of an epoch
 * (by dataset index or position) whose batch's commit is meant.
 */
export function weightTrace(r: NfrunReader, runId: string, layer: number, neuron: number, weight: number, at: WeightAt): WeightTrace | NotRecorded {
  const ctx = r.context(runId);
  const l = checkWeight(r, ctx, layer, neuron, weight);
  let t: number;
  if (typeof at === "number") t = at;
  else {
    const position = "position" in at ? at.position : r.positionOfSample(runId, at.epoch, at.sample);
    if (position === null) return notRecorded(`sample ${(at as { sample: number }).sample} of epoch ${at.epoch} is not recorded`);
    const batch = Math.floor(position / ctx.info.batchSize);
    const found = findCommit(ctx, at.epoch, batch);
    if (found === null) return notRecorded(`batch ${batch} of epoch ${at.epoch} has no commit in the file`);
    t = found;
  }
  const ci = ctx.commitIndex.get(t);
  if (ci === undefined) return notRecorded(`commit t=${t} is not in the file`);
  const epoch = ctx.trace.epoch[ci]!;
  if (!ctx.recorded.has(epoch)) return notRecorded(`epoch ${epoch} was not recorded (recording policy)`);
  if (!ctx.weightsRecorded[layer]![neuron]) return notRecorded(`neuron [layer ${layer}, neuron ${neuron}] was not recorded (recording policy)`);
  if (layer > 0 && weight < l.inputs && ctx.col[layer - 1]![weight]! < 0) {
    return notRecorded(`the input of this weight (neuron [layer ${layer - 1}, neuron ${weight}]) was not recorded`);
  }
  // Replay this weight (or, with per-neuron optimizer state or a rebirth that writes the neuron's weights,
  // all weights of its neuron) from the nearest snapshot. A sanitization sets and resets each weight it
  // lists on its own, so it needs no other weight.
  const base = l.offset + neuron * (l.inputs + 1);
  const resets = runResets(r, ctx);
  const replayAll = ctx.perNeuron.length > 0 || ResetReplay.touches(resets, ctx.layers, base, base + l.inputs);
  const lo = replayAll ? base : base + weight;
  const hi = replayAll ? base + l.inputs : base + weight;
  const replay = ctx.replay;
  if (!replay) throw r.bad(`run ${runId}: its stored mechanisms do not fit its model (${ctx.replayError})`);
  const snap = snapshotBefore(r, ctx, t - 1, lo, hi, l.neuronOffset + neuron);
  if (!snap) return notRecorded(`no snapshot before commit t=${t}`);
  const adj: (number | null)[][] = [];
  for (let wi = lo; wi <= hi; wi++) adj.push(adjustments(r, runId, layer, neuron, wi - base, snap.t + 1, t));
  if (adj.some((a) => a.some((v) => v === null))) return notRecorded(`adjustments between t=${snap.t + 1} and t=${t} are not all recorded`);
  const strategy = ctx.strategy;
  const auditCols = ctx.info.strategy.auditColumns;
  const len = hi - lo + 1;
  const width = auditCols.length;
  const theta = Float64Array.from(snap.weights);
  const h = ctx.info.hyperparameters;
  // The strategy's step over a range of one replayed weight (local indices; the snapshot holds one neuron).
  const s = new StepScope(new Float64Array(len), theta, new Float64Array(len), new Float64Array(len * width), new Float64Array(len), h, snap.w, snap.n, snap.global, new Int32Array(len));
  const target = weight - (lo - base);
  // Lookahead over the replayed weights, from the snapshot's slow weights (./mechanisms).
  const la = replay.lookahead(len, snap.slow);
  const reset = new ResetReplay(resets, ctx.layers, lo, hi, snap.t, snap.global, strategy, h);
  let result: { rows: LeverageRow[]; commit: CommitDetail; batch: number } | null = null;
  for (let tt = snap.t + 1; tt <= t; tt++) {
    const k = ctx.commitIndex.get(tt);
    if (k === undefined) return notRecorded(`commit t=${tt} is not in the file`);
    const e = ctx.trace.epoch[k]!;
    const batch = ctx.trace.batch[k]!;
    const count = ctx.trace.count[k]!;
    const lrScale = ctx.trace.lrScale[k]!;
    const banks = new Float64Array(len);
    const rows: LeverageRow[] = [];
    const first = batch * ctx.info.batchSize;
    /** The batch's samples (dataset indices) whose loss the non-finite guard logged as non-finite. */
    const leftOut: number[] = [];
    for (let slot = 0; slot < count; slot++) {
      const at2 = r.samplAt(runId, e, first + slot);
      if (!at2) return notRecorded(`sample at epoch ${e}, position ${first + slot} is not recorded`);
      if (resets.sanitized.losses.has(sampleKey(e, first + slot))) leftOut.push(at2.chunk.sample[at2.i]!);
      const blame = at2.chunk.blame[at2.i * ctx.R + ctx.col[layer]![neuron]!]!;
      for (let j = 0; j < len; j++) {
        const input = inputOf(ctx, layer, lo - base + j, at2.chunk, at2.i);
        const leverage = input * blame;
        banks[j] += leverage;
        if (tt === t && j === target) {
          rows.push({ position: first + slot, sample: at2.chunk.sample[at2.i]!, slot, input, blame, leverage, cumulative: banks[j]! });
        }
      }
    }
    // Such a batch's non-finite gradient entries count as 0 (sanitize; trainer.commit).
    const bank = banks[target]!;
    if (leftOut.length > 0) zeroNonFinite(banks);
    // A network preconditioner's curvature estimate of this commit: the snapshot after it holds it (the
    // recorder takes one after every refresh, also one a reborn weight's own first step asked for).
    const estimate = suppliesCurvature(strategy) ? suppliedCurvature(r, ctx, tt, lo, hi) : null;
    if (estimate) snap.w.curv_est!.set(estimate);
    else if (suppliesCurvatureAt(strategy, h, tt, reset.births)) return notRecorded(`the curvature estimate of commit t=${tt} is not recorded (no snapshot after it)`);
    reset.prepare(tt);
    // Clipping: the strategy sees avg × scale, scale from ‖avg‖ = the commit's grad_norm.
    const clip = replay.clip(ctx.trace.gradNorm[k]!);
    const gradScale = clip?.scale ?? 1;
    la?.beforeCommit(theta, tt);
    let detail: Omit<CommitDetail, "after" | "lookahead" | "rebirth" | "sanitized"> | null = null;
    // setLearningRate between the snapshot and this commit: the rates recorded with the change.
    const changed = rateChangeAt(ctx.rateChanges, snap.t, tt);
    for (let j = 0; j < len; j++) {
      const before = theta[j]!;
      const g = banks[j]! / count;
      const rate = changed ? changed.rates[lo + j]! : snap.rates[j]!;
      const lr = rate * lrScale;
      const hj = replay.hyperparametersOf(lo + j);
      s.h = hj;
      s.g[j] = g * gradScale;
      s.lr[j] = lr;
      reset.scope(s, j, tt);
      const stepT = s.t;
      strategy?.step(s, j, j + 1);
      const recomputed = strategy ? s.adjustment[j]! : null;
      const adjustment = adj[j]![tt - snap.t - 1]!;
      theta[j] = before - adjustment;
      if (tt === t && j === target) {
        const values = strategy ? Array.from(s.audit!.subarray(j * width, (j + 1) * width)) : null;
        detail = {
          batchTotal: banks[j]!,
          count,
          avg: g,
          audit: values ? Object.fromEntries(auditCols.map((c, q) => [c, values[q]!])) : null,
          auditValues: values,
          lr,
          rate,
          lrScale,
          hyperparameters: hj,
          adjustment,
          recomputedAdjustment: recomputed,
          before,
          clip,
          weightDecay: replay.groupOf && typeof hj.weight_decay === "number" ? hj.weight_decay : null,
          stepT,
          sanitizedBatch: leftOut.length > 0 ? { samples: leftOut, zeroed: !Number.isFinite(bank) } : null,
        };
      }
    }
    s.h = h;
    const slowBefore = la ? la.slow[target]! : NaN;
    const fast = theta[target]!;
    // The non-finite guard and the lifecycle act after the commit, before Lookahead's sync (trainer.commit).
    const met = reset.afterCommit(tt, theta, snap.w, la?.slow ?? null).get(target);
    const synced = la ? la.afterCommit(theta, tt) : false;
    if (detail) {
      result = {
        rows,
        batch,
        commit: {
          ...detail,
          // A reborn or sanitized weight's After is the commit's own; `rebirth` / `sanitized` say what it became.
          after: met ? fast : theta[target]!,
          rebirth: met?.rebirth ?? null,
          sanitized: met?.sanitized ?? null,
          lookahead: synced && la ? { k: la.k, alpha: la.alpha, slowBefore, fastBeforeSync: fast, slowAfter: la.slow[target]! } : null,
        },
      };
    }
  }
  if (!result) return notRecorded(`commit t=${t} could not be replayed`);
  return {
    kind: "weight-trace",
    runId,
    layer,
    neuron,
    weight,
    t,
    epoch,
    batch: result.batch,
    rows: result.rows,
    commit: result.commit,
    strategy: ctx.info.strategy,
  };
}

/** Weights [lo, hi] (flat) of a neuron as they were after commit t (from a snapshot, the recorded adjustments and rebirths). */
export function weightsAfter(r: NfrunReader, ctx: RunContext, t: number, layer: number, neuron: number): Float64Array | null {
  const l = ctx.layers[layer]!;
  const base = l.offset + neuron * (l.inputs + 1);
  const snap = snapshotBefore(r, ctx, t, base, base + l.inputs, l.neuronOffset + neuron);
  if (!snap) return null;
  const theta = Float64Array.from(snap.weights);
  if (t > snap.t) {
    if (!ctx.weightsRecorded[layer]![neuron]) return null;
    const adj = neuronAdjustments(r, ctx.info.runId, layer, neuron, 0, l.inputs, snap.t + 1, t);
    if (adj.some((a) => a.some((v) => v === null))) return null;
    if (ctx.mechanisms.lookahead && !ctx.replay) throw r.bad(`run ${ctx.info.runId}: its stored mechanisms do not fit its model (${ctx.replayError})`);
    // after = before − adjustment, then Lookahead's sync where one happened (./mechanisms).
    const la = ctx.replay?.lookahead(theta.length, snap.slow) ?? null;
    // Values only: the sanitizations' and rebirths' writes (the optimizer state plays no part here).
    const reset = new ResetReplay(runResets(r, ctx), ctx.layers, base, base + l.inputs, snap.t, {}, null, {});
    for (let tt = snap.t + 1; tt <= t; tt++) {
      la?.beforeCommit(theta, tt);
      for (let w = 0; w <= l.inputs; w++) theta[w] = theta[w]! - adj[w]![tt - snap.t - 1]!;
      reset.afterCommit(tt, theta, {}, la?.slow ?? null);
      la?.afterCommit(theta, tt);
    }
  }
  return theta;
}
