import { BlameStep } from "../engine/blame";
import { evaluate } from "../engine/evaluate";
import { losses, type LossName } from "../engine/losses";
import { Model } from "../engine/model";
import { globalGradNorm } from "../engine/clipping";
import { allocateCommitRecord, StrategyState } from "../engine/optimizers/strategy-state";
import { NetworkCurvature } from "../engine/precondition/network-curvature";
import { blobF64, sameBits } from "./blob";
import { NfrunError } from "./errors";
import { zeroNonFinite } from "../engine/health/sanitize";
import { rebirthResets, recordedRebirths, replayRebirths } from "./lifecycle-replay";
import { NfrunReader, type RunContext } from "./reader";
import { recordedSanitizations, replaySanitizedCommit, sampleKey, sanitizeResets } from "./sanitize-replay";
import { hashesOfId } from "./strategy-registry";
import { testMetrics, testSet } from "./test-split";
import type { SqlJsOptions } from "./sqljs";
import { checkDigest, checkFile, checkRunFacts, type IntegrityProblem, type IntegrityStatus } from "./verify-integrity";

/** Where and what the first disagreement is. */
export interface VerifyMismatch {
  readonly runId: string;
  readonly t: number | null;
  readonly epoch: number | null;
  readonly position: number | null;
  readonly layer: number | null;
  readonly neuron: number | null;
  readonly weight: number | null;
  readonly what: string;
  readonly expected: number | string;
  readonly found: number | string;
}

export interface VerifyRunSummary {
  readonly runId: string;
  readonly status: string;
  readonly epochsChecked: number;
  readonly commitsChecked: number;
  readonly samplesChecked: number;
  readonly adjustmentsChecked: number;
  /** Epochs whose test-split metrics were recomputed from the snapshot at their last commit. */
  readonly testEpochsChecked: number;
  /** 'proven': the run's rows are all there, as recorded (its digest); 'not-proven': a file from before the digest. */
  readonly integrity: IntegrityStatus;
}

export interface VerifyResult {
  readonly ok: boolean;
  readonly runs: readonly VerifyRunSummary[];
  readonly mismatch: VerifyMismatch | null;
}

class Mismatch extends Error {
  constructor(readonly m: VerifyMismatch) {
    super(m.what);
  }
}

/** Human-readable one-line location + values of a mismatch. */
export function describeMismatch(m: VerifyMismatch): string {
  const at = [
    m.runId ? `run ${m.runId}` : "file level",
    m.t !== null ? `t=${m.t}` : null,
    m.epoch !== null ? `epoch ${m.epoch}` : null,
    m.position !== null ? `position ${m.position}` : null,
    m.layer !== null ? `layer ${m.layer}` : null,
    m.neuron !== null ? `neuron ${m.neuron}` : null,
    m.weight !== null ? `weight ${m.weight}` : null,
  ]
    .filter(Boolean)
    .join(", ");
  return `${m.what} at ${at}: expected ${fmt(m.expected)}, found ${fmt(m.found)}`;
}

function fmt(v: number | string): string {
  return typeof v === "number" ? (Object.is(v, -0) ? "-0" : String(v)) : v;
}

export async function verifyFile(path: string, options: { sqlJs?: SqlJsOptions } = {}): Promise<VerifyResult> {
  const reader = await NfrunReader.open(path, options);
  try {
    return verifyReader(reader);
  } finally {
    reader.close();
  }
}

/**
 * Replays every recorded run with the engine's own code and compares bit-exactly, in order:
 * per sample a = f(z), loss and blame (recomputed from the weights before the commit and the
 * stored sample; z itself is not stored); per commit the count, the batch loss, Σ recorded leverages = the blame bank, the
 * strategy's adjustment from the replayed state = the recorded adjustment, the norms; at every
 * snapshot the weights (before − adjustment chain: each commit's after is the next commit's before)
 * and the optimizer state. Around the replay, that the rows are all there and as recorded
 * (./verify-integrity: file-wide tables, counters, status, hyperparameters, the whole-run digest).
 * Stops at the first mismatch.
 */
export function verifyReader(reader: NfrunReader): VerifyResult {
  const runs: VerifyRunSummary[] = [];
  try {
    const runIds = reader.runIds();
    // A damaged file (sizes that do not fit, ./run-shape) is the reader's error, exit 2, before any finding.
    for (const runId of runIds) reader.context(runId);
    problem(checkFile(reader));
    for (const runId of runIds) {
      problem(checkRunFacts(reader, runId));
      const replayed = verifyRun(reader, runId);
      const digest = checkDigest(reader, runId);
      problem(digest.problem);
      runs.push({ ...replayed, integrity: digest.status });
    }
    return { ok: true, runs, mismatch: null };
  } catch (e) {
    if (e instanceof Mismatch) return { ok: false, runs, mismatch: e.m };
    throw e;
  }
}

function problem(p: IntegrityProblem | null): void {
  if (p) throw new Mismatch({ t: null, epoch: null, position: null, layer: null, neuron: null, weight: null, ...p });
}

function verifyRun(reader: NfrunReader, runId: string): Omit<VerifyRunSummary, "integrity"> {
  const ctx: RunContext = reader.context(runId);
  const info = ctx.info;
  const fail = (what: string, expected: number | string, found: number | string, at: Partial<VerifyMismatch> = {}): never => {
    throw new Mismatch({ runId, t: null, epoch: null, position: null, layer: null, neuron: null, weight: null, what, expected, found, ...at });
  };
  const cfg = reader.config(runId);
  if (!cfg.hashMatches) fail("config hash", "sha256 of the canonical config", cfg.hash);
  const strategy = ctx.strategy ?? unknownStrategy(reader, ctx);
  const loss = losses[info.loss as LossName];
  if (!loss) return fail("loss", "a known loss", info.loss);
  const model = new Model({ inputs: info.inputs, layers: ctx.layers.map((l) => ({ units: l.units, activation: l.activation.name })) });
  if (model.weightCount !== info.weightCount || model.layers.some((l, i) => l.offset !== ctx.layers[i]!.offset)) {
    fail("model layout", model.weightCount, info.weightCount);
  }
  const W = model.weightCount;
  const N = model.neuronCount;
  const h = info.hyperparameters;
  const state = new StrategyState(strategy, h, W, model.neuronOfWeight, N);
  // Clipping, no-decay parameter groups and Lookahead, as the run's config describes them: the same
  // MechanismReplay the reader's weightTrace uses (./mechanisms).
  const replay = ctx.replay;
  if (!replay) return fail("parameter groups", "patterns matching the model", ctx.replayError ?? "");
  replay.configure(state);
  const la = replay.lookahead(W, null);
  // Lookahead syncs the run logged (events of kind lookahead_sync, by t).
  const syncEvents = new Set<number>();
  if (la) {
    for (const [t] of reader.query("SELECT t FROM events WHERE run_id = ? AND kind = 'lookahead_sync'", [runId])) {
      if (t === null || Number(t) % la.k !== 0) fail("Lookahead sync event", `t a multiple of k=${la.k}`, t === null ? "null" : Number(t));
      syncEvents.add(Number(t));
    }
  }
  // Rebirths the run logged (events of kind lifecycle), replayed after their commit.
  const rebirths = recordedRebirths(reader, runId, model.layers, (what, expected, found, t) => fail(what, expected, found, { t }));
  // What the non-finite guard's sanitize policy did (events of kind nonfinite), replayed where it happened.
  const sanitized = recordedSanitizations(reader, runId, W, (what, expected, found, t) => fail(what, expected, found, { t }));
  // Every reset in commit order (a commit that sanitized has no lifecycle step: the trainer skips it).
  const resets = [...rebirthResets(model, rebirths), ...sanitizeResets(sanitized)].sort((a, b) => a.t - b.t);
  const lastT = ctx.trace.t.length > 0 ? ctx.trace.t[ctx.trace.t.length - 1]! : 0;
  const record = allocateCommitRecord(W, strategy.audit.length);
  // A network preconditioner's curvature, recomputed from the recorded samples and the weights before each refresh commit.
  const curvature = NetworkCurvature.of(strategy, model, loss, h);
  const samples = { inputs: ctx.x, targets: ctx.y, inputSize: ctx.inputSize, targetSize: ctx.targetSize };
  const batchSamples = new Int32Array(info.batchSize);
  const blame = new BlameStep(model, loss);
  const bank = model.arena.alloc(W);
  const recBank = new Float64Array(W);
  const target = new Float64Array(model.outputs);
  const lrs = new Float64Array(W);
  const R = ctx.R;
  const bs = info.batchSize;
  const perWeight = state.perWeight as Record<string, Float64Array>;
  const perNeuron = state.perNeuron as Record<string, Float64Array>;
  const global = state.global as Record<string, number>;
  // Recorded neurons whose leverages can be summed from the file (their inputs are recorded too).
  const leverageNeurons: { layer: number; neuron: number; col: number; inputCols: Int32Array | null; base: number; inputs: number }[] = [];
  const adjustNeurons: { layer: number; neuron: number; base: number; inputs: number }[] = [];
  for (const l of ctx.layers) {
    for (let j = 0; j < l.units; j++) {
      const base = l.offset + j * (l.inputs + 1);
      if (ctx.weightsRecorded[l.layer]![j]) adjustNeurons.push({ layer: l.layer, neuron: j, base, inputs: l.inputs });
      const c = ctx.col[l.layer]![j]!;
      if (c < 0) continue;
      const inputCols = l.layer === 0 ? null : ctx.col[l.layer - 1]!;
      if (inputCols && inputCols.some((v) => v < 0)) continue;
      leverageNeurons.push({ layer: l.layer, neuron: j, col: c, inputCols, base, inputs: l.inputs });
    }
  }

  const snapshotTs = new Set(ctx.snapshotTs);
  // Snapshots through the reader's cache: sizes already checked against the model (./run-shape).
  const loadSnapshot = (t: number) => {
    if (!snapshotTs.has(t)) return null;
    try {
      return reader.snapshot(ctx, t);
    } catch (e) {
      if (la && e instanceof NfrunError && /lookahead_slow/.test(e.message)) {
        return fail("Lookahead slow weights at snapshot", `${W} slow weights (table lookahead_slow)`, e.message, { t });
      }
      throw e;
    }
  };
  const compareSnapshot = (t: number, epoch: number) => {
    const snap = loadSnapshot(t)!;
    for (let i = 0; i < W; i++) {
      if (!sameBits(model.params[i]!, snap.weights[i]!)) {
        const at = locate(model, i);
        fail(la && t % la.k === 0 ? "Lookahead sync (synced weights at snapshot)" : "after ≠ next before (weights at snapshot)", model.params[i]!, snap.weights[i]!, { t, epoch, ...at });
      }
    }
    if (la && snap.slow) {
      for (let i = 0; i < W; i++) {
        if (!sameBits(la.slow[i]!, snap.slow[i]!)) fail("Lookahead slow weights at snapshot", la.slow[i]!, snap.slow[i]!, { t, epoch, ...locate(model, i) });
      }
    }
    ctx.perWeight.forEach((name, k) => {
      const arr = perWeight[name]!;
      for (let i = 0; i < W; i++) {
        if (!sameBits(arr[i]!, snap.state[k * W + i]!)) fail(`optimizer state '${name}' at snapshot`, arr[i]!, snap.state[k * W + i]!, { t, epoch, ...locate(model, i) });
      }
    });
  };

  let commitsChecked = 0;
  let samplesChecked = 0;
  let adjustmentsChecked = 0;
  const epochs = info.recordedEpochs;
  for (const epoch of epochs) {
    const ks: number[] = [];
    for (let k = 0; k < ctx.trace.t.length; k++) if (ctx.trace.epoch[k] === epoch) ks.push(k);
    if (ks.length === 0) continue;
    const t0 = ctx.trace.t[ks[0]!]! - 1;
    const snap = loadSnapshot(t0);
    if (!snap) return fail("snapshot missing at the start of a recorded epoch", `a snapshot at t=${t0}`, "none", { t: t0, epoch });
    model.params.set(snap.weights);
    lrs.set(snap.rates);
    state.t = t0;
    ctx.perWeight.forEach((name, k) => perWeight[name]!.set(snap.state.subarray(k * W, (k + 1) * W)));
    ctx.perNeuron.forEach((name, k) => perNeuron[name]!.set(snap.neuronState.subarray(k * N, (k + 1) * N)));
    for (const [k, v] of Object.entries(snap.global)) global[k] = v;
    // Weights reborn before t0 step with their own timestep (StrategyState.resetWeights).
    state.restoreResets(resets);
    if (la && snap.slow) la.slow.set(snap.slow);
    // Adjustment blocks of this epoch, per recorded neuron.
    const tLast = ctx.trace.t[ks[ks.length - 1]!]!;
    const blocks = new Map<number, { first: number; C: number; data: Float64Array }[]>();
    for (const [f, c, l, n, b] of reader.query(
      "SELECT first_t, commits, layer, neuron, adjustment FROM adjustment_blocks WHERE run_id = ? AND first_t <= ? AND first_t + commits > ?",
      [runId, tLast, t0 + 1],
    )) {
      const layer = ctx.layers[Number(l)];
      const data = blobF64(b);
      if (!layer || !data || data.length !== Number(c) * (layer.inputs + 1)) {
        return fail("adjustment block size", "(inputs + 1) × commits values", data ? data.length : "unreadable", { t: Number(f), layer: Number(l), neuron: Number(n) });
      }
      const key = layer.neuronOffset + Number(n);
      if (!blocks.has(key)) blocks.set(key, []);
      blocks.get(key)!.push({ first: Number(f), C: Number(c), data });
    }
    const chunks = reader.epochChunks(runId, epoch);
    let chunkIndex = 0;
    let expectedBatch = 0;
    for (const k of ks) {
      const t = ctx.trace.t[k]!;
      const batch = ctx.trace.batch[k]!;
      const count = ctx.trace.count[k]!;
      const where = { t, epoch };
      if (t !== state.t + 1) fail("timestep sequence", state.t + 1, t, where);
      if (batch !== expectedBatch) fail("batch sequence", expectedBatch, batch, where);
      expectedBatch++;
      const first = batch * bs;
      const fullCount = Math.min(bs, ctx.dataCount - first);
      if (count !== fullCount) fail("count", fullCount, count, where);
      bank.fill(0);
      recBank.fill(0);
      let batchLoss = 0;
      let batchFinite = 0;
      let poisoned = false;
      for (let slot = 0; slot < count; slot++) {
        const position = first + slot;
        while (chunkIndex < chunks.length && chunks[chunkIndex]!.first + chunks[chunkIndex]!.count <= position) chunkIndex++;
        const chunk = chunks[chunkIndex];
        if (!chunk || position < chunk.first) return fail("sample missing", `a recorded sample at position ${position}`, "none", { ...where, position });
        const i = position - chunk.first;
        const sample = chunk.sample[i]!;
        const pw = { ...where, position };
        if (!(sample >= 0 && sample < ctx.dataCount)) fail("sample index", `0 … ${ctx.dataCount - 1}`, sample, pw);
        batchSamples[slot] = sample;
        model.predict(ctx.x, sample * ctx.inputSize);
        for (const l of ctx.layers) {
          const cols = ctx.col[l.layer]!;
          for (let j = 0; j < l.units; j++) {
            const c = cols[j]!;
            if (c < 0) continue;
            const a = chunk.a[i * R + c]!;
            if (!sameBits(model.a[l.layer]![j]!, a)) fail("a = f(z)", model.a[l.layer]![j]!, a, { ...pw, layer: l.layer, neuron: j });
          }
        }
        const lossValue = blame.run(ctx.y, sample * ctx.targetSize, target, bank);
        if (!sameBits(lossValue, chunk.loss[i]!)) fail("loss", lossValue, chunk.loss[i]!, pw);
        if (Number.isFinite(lossValue)) {
          batchLoss += lossValue;
          batchFinite++;
        } else {
          // Sanitized (the run went on): left out of the batch loss, its batch's non-finite gradient entries 0.
          if (!sanitized.losses.has(sampleKey(epoch, position))) fail("non-finite loss without its nonfinite event", "an event at this sample", "none", pw);
          poisoned = true;
        }
        for (const l of ctx.layers) {
          const cols = ctx.col[l.layer]!;
          for (let j = 0; j < l.units; j++) {
            const c = cols[j]!;
            if (c < 0) continue;
            const d = chunk.blame[i * R + c]!;
            if (!sameBits(blame.blame[l.layer]![j]!, d)) fail("blame", blame.blame[l.layer]![j]!, d, { ...pw, layer: l.layer, neuron: j });
          }
        }
        // Leverage = input × blame from the recorded values, summed in sample order.
        for (const n of leverageNeurons) {
          const d = chunk.blame[i * R + n.col]!;
          for (let q = 0; q < n.inputs; q++) {
            const input = n.inputCols ? chunk.a[i * R + n.inputCols[q]!]! : ctx.x[sample * ctx.inputSize + q]!;
            recBank[n.base + q] += input * d;
          }
          recBank[n.base + n.inputs] += d;
        }
        samplesChecked++;
      }
      const recordedLoss = ctx.trace.loss[k]!;
      if (!sameBits(batchLoss / batchFinite, recordedLoss)) fail("batch loss", batchLoss / batchFinite, recordedLoss, where);
      for (const n of leverageNeurons) {
        for (let q = 0; q <= n.inputs; q++) {
          const i = n.base + q;
          if (!sameBits(recBank[i]!, bank[i]!)) fail("Σ leverage ≠ blame bank", bank[i]!, recBank[i]!, { ...where, layer: n.layer, neuron: n.neuron, weight: q });
        }
      }
      // setLearningRate after commit t − 1: the rates recorded with the change (learning_rate_changes).
      const changed = ctx.rateChanges.find((c) => c.t === t - 1);
      if (changed) lrs.set(changed.rates);
      if (poisoned) zeroNonFinite(bank);
      const gradScale = replay.gradScale(globalGradNorm(bank, count));
      curvature?.refresh(state, model.params, samples, batchSamples.subarray(0, count));
      la?.beforeCommit(model.params, t);
      state.commit(model.params, bank, count, lrs, ctx.trace.lrScale[k]!, record, gradScale);
      for (const n of adjustNeurons) {
        const list = blocks.get(ctx.layers[n.layer]!.neuronOffset + n.neuron);
        const block = list?.find((b) => t >= b.first && t < b.first + b.C);
        if (!block) return fail("adjustment missing", "a recorded adjustment", "none", { ...where, layer: n.layer, neuron: n.neuron });
        for (let q = 0; q <= n.inputs; q++) {
          const i = n.base + q;
          const recorded = block.data[q * block.C + (t - block.first)]!;
          const at = { ...where, layer: n.layer, neuron: n.neuron, weight: q };
          if (!sameBits(record.avg[i]!, bank[i]! / count)) fail("avg = bank / count", bank[i]! / count, record.avg[i]!, at);
          if (!sameBits(record.adjustment[i]!, recorded)) fail("adjustment (strategy replay ≠ recorded)", record.adjustment[i]!, recorded, at);
          // after = before − adjustment, with the recorded adjustment.
          model.params[i] = record.before[i]! - recorded;
          adjustmentsChecked++;
        }
      }
      if (!sameBits(state.gradNorm, ctx.trace.gradNorm[k]!)) fail("gradient norm", state.gradNorm, ctx.trace.gradNorm[k]!, where);
      if (!sameBits(state.stepNorm, ctx.trace.stepNorm[k]!)) fail("step norm", state.stepNorm, ctx.trace.stepNorm[k]!, where);
      // A sanitized commit's weights to 0 and their state reset, as the run logged it, before anybody sees it.
      const sanitizeProblem = replaySanitizedCommit(t === lastT, model.params, state, la?.slow ?? null, sanitized.weights.get(t));
      if (sanitizeProblem) fail(sanitizeProblem.what, sanitizeProblem.expected, sanitizeProblem.found, where);
      // The lifecycle acts right after the commit, before anybody (a snapshot) sees it.
      replayRebirths(model, state, rebirths.get(t), la?.slow ?? null);
      // Lookahead: the chain gave the fast weights (before − adjustment); every k-th commit syncs them
      // (slow ← slow + α(fast − slow), fast ← slow) and the run must have logged that sync.
      if (la?.afterCommit(model.params, t) && !syncEvents.has(t)) fail("Lookahead sync event", `a lookahead_sync event at t=${t}`, "none", where);
      commitsChecked++;
      if (snapshotTs.has(t)) compareSnapshot(t, epoch);
    }
  }
  // Test metrics: each epoch's held-out loss and accuracy recomputed from the weights at its last commit.
  const tests = testMetrics(reader, runId);
  const testData = tests.length > 0 ? testSet(reader, runId, info.inputs, info.outputs) : null;
  for (const m of tests) {
    const at = { t: m.t, epoch: m.epoch };
    if (!testData) return fail("test set (table test_sets)", "the held-out samples the metrics were computed on", "none", at);
    let lastT = -1;
    for (let k = 0; k < ctx.trace.t.length; k++) if (ctx.trace.epoch[k] === m.epoch) lastT = ctx.trace.t[k]!;
    if (m.t !== lastT) fail("test metrics t (the epoch's last commit)", lastT, m.t, at);
    const snap = loadSnapshot(m.t);
    if (!snap) return fail("snapshot missing for the test metrics", `a snapshot at t=${m.t}`, "none", at);
    model.params.set(snap.weights);
    const expected = evaluate(model, loss, testData);
    if (m.samples !== expected.samples) fail("test samples", expected.samples, m.samples, at);
    if (!sameBits(expected.loss, m.loss)) fail("test loss", expected.loss, m.loss, at);
    if (expected.accuracy === null ? m.accuracy !== null : m.accuracy === null || !sameBits(expected.accuracy, m.accuracy)) {
      fail("test accuracy", expected.accuracy ?? "none (a regression loss)", m.accuracy ?? "none", at);
    }
  }
  return { runId, status: info.status, epochsChecked: epochs.length, commitsChecked, samplesChecked, adjustmentsChecked, testEpochsChecked: tests.length };
}

/**
 * A run whose strategy this process cannot replay: an unknown built-in id (mismatch), or a user's
 * strategy nobody supplied (NfrunError: verify needs its code, and the file's stored code is never run).
 */
function unknownStrategy(reader: NfrunReader, ctx: RunContext): never {
  const { id } = ctx.info.strategy;
  const hash = ctx.strategySource.hash;
  if (hash === null) {
    throw new Mismatch({ runId: ctx.info.runId, t: null, epoch: null, position: null, layer: null, neuron: null, weight: null, what: "strategy", expected: "a strategy known to this NeuroForge", found: id });
  }
  const others = hashesOfId(id);
  if (others.length > 0) {
    throw new NfrunError(
      "strategy-mismatch",
      `run ${ctx.info.runId} was trained with strategy '${id}' of sha256 ${hash}, the strategy '${id}' given has sha256 ${others.join(", ")}: not the same code`,
      reader.path,
    );
  }
  throw new NfrunError(
    "needs-strategy",
    `run ${ctx.info.runId} was trained with '${id}', a strategy defined outside NeuroForge (sha256 ${hash}); its code is stored in the file but never run: supply --strategy <module.ts> exporting it`,
    reader.path,
  );
}

function locate(model: Model, i: number): { layer: number; neuron: number; weight: number } {
  for (const l of model.layers) {
    const end = l.offset + l.units * (l.inputs + 1);
    if (i < end) {
      const r = i - l.offset;
      return { layer: l.index, neuron: Math.floor(r / (l.inputs + 1)), weight: r % (l.inputs + 1) };
    }
  }
  throw new NfrunError("corrupt", `weight index ${i} is outside the model`);
}
