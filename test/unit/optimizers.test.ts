/**
 * The 11 optimizer strategies. The nine standard ones are driven through StrategyState.commit and
 * compared, after every step and for every weight, with an independent float64 transcription of
 * PyTorch 1.13's `_single_tensor_*` functions (test/reference/torch-optimizers.ts). The audit columns
 * are checked to reproduce the adjustment by hand; Simplex and MagDetox against hand-computed cases.
 *
 * Run: node --import tsx --test test/unit/optimizers.test.ts
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ConfigError, resolveHyperparameters } from "../../kernel/engine/optimizers/hyperparameters";
import { getStrategy, strategies, strategyIds } from "../../kernel/engine/optimizers/registry";
import type { HyperValue, Strategy } from "../../kernel/engine/optimizers/strategy";
import { allocateCommitRecord, StrategyState, type CommitRecord } from "../../kernel/engine/optimizers/strategy-state";
import * as torch from "../reference/torch-optimizers";
import { mulberry32 } from "./support/mulberry32";

// ---- helpers --------------------------------------------------------------------------------------

const TOLERANCE = 1e-12;

function relativeError(actual: number, expected: number): number {
  const scale = Math.max(Math.abs(actual), Math.abs(expected));
  return scale === 0 ? 0 : Math.abs(actual - expected) / scale;
}

function assertRel(actual: number, expected: number, what: string, tolerance = TOLERANCE): void {
  const error = relativeError(actual, expected);
  if (!(error <= tolerance)) {
    assert.fail(`${what}: got ${actual}, expected ${expected} (relative error ${error.toExponential(2)} > ${tolerance})`);
  }
}

/** Unit in the last place of x (float64). */
function ulp(x: number): number {
  const a = Math.abs(x);
  return a === 0 ? Number.MIN_VALUE : 2 ** (Math.floor(Math.log2(a)) - 52);
}

/**
 * The reference only yields θ after the step, so its adjustment is before − after, which carries the
 * rounding of `after` (≤ ½ulp(after)) and of the subtraction. The comparison allows that irreducible
 * absolute term on top of the 1e-12 relative tolerance.
 */
function assertAdjustment(actual: number, before: number, refAfter: number, what: string): void {
  const expected = before - refAfter;
  const slack = 2 * ulp(Math.max(Math.abs(before), Math.abs(refAfter)));
  const error = Math.abs(actual - expected);
  if (!(error <= TOLERANCE * Math.max(Math.abs(actual), Math.abs(expected)) + slack)) {
    assert.fail(`${what}: adjustment ${actual}, reference ${expected} (|Δ| = ${error.toExponential(2)})`);
  }
}

function stateFor(strategy: Strategy, given: Record<string, unknown>, weights: number): StrategyState {
  const h = resolveHyperparameters(strategy, given);
  // Two weights per neuron, as a layer of 2-input neurons would have.
  const neuronOf = Int32Array.from({ length: weights }, (_, i) => i >> 1);
  return new StrategyState(strategy, h, weights, neuronOf, (weights + 1) >> 1);
}

const WEIGHTS = 7;
const STEPS = 8;
const COUNT = 3;
/** Per-weight and per-step gradient scales, so magnitudes differ by orders and v sometimes shrinks. */
const WEIGHT_SCALE = [1, 0.1, 10, 0.01, 3, 0.5, 2];
const STEP_SCALE = [1, 2, 0.3, 0.05, 1.5, 0.01, 0.7, 4];

/** Initial weights in ±[0.5, 1.5] (away from 0, so relative errors on θ stay meaningful). */
function initialWeights(rand: () => number): number[] {
  return Array.from({ length: WEIGHTS }, () => (rand() < 0.5 ? -1 : 1) * (0.5 + rand()));
}

/** The blame bank of one commit: leverage summed over COUNT samples. Weight 6 has a zero gradient at step 4. */
function bankFor(rand: () => number, step: number): Float64Array {
  const bank = new Float64Array(WEIGHTS);
  for (let i = 0; i < WEIGHTS; i++) bank[i] = COUNT * (2 * rand() - 1) * WEIGHT_SCALE[i]! * STEP_SCALE[step - 1]!;
  if (step === 4) bank[6] = 0;
  return bank;
}

// ---- recomputing the adjustment by hand from the audit columns --------------------------------------

interface AuditContext {
  /** This weight's audit values, in declared order. */
  readonly a: Float64Array;
  readonly lr: number;
  readonly before: number;
  readonly t: number;
  readonly h: Readonly<Record<string, HyperValue>>;
  /** Π_{i≤t} μᵢ for NAdam, computed by the test. */
  readonly muProduct: number;
}

const num = (h: Readonly<Record<string, HyperValue>>, name: string): number => h[name] as number;

/**
 * For each strategy: the adjustment recomputed from its audit columns as a reader would by hand,
 * asserting the column identities on the way (each column follows from earlier ones).
 */
const handRecompute: Record<string, (c: AuditContext, what: string) => number> = {
  sgd: sgdHand,
  momentum: sgdHand,
  rmsprop({ a, lr, h }, what) {
    const [g, v, gBar, vTilde, denom, scaled, b, direction] = a as unknown as number[];
    assertRel(vTilde!, v! - gBar! * gBar!, `${what} ṽ = v − ḡ²`);
    assertRel(denom!, Math.sqrt(vTilde!) + num(h, "eps"), `${what} √ṽ+ε`);
    assertRel(scaled!, g! / denom!, `${what} g/(√ṽ+ε)`);
    assert.equal(direction, num(h, "momentum") > 0 ? b : scaled, `${what} direction`);
    return lr * direction!;
  },
  adam: (c, what) => adamHand(c, what, 0),
  adamw: (c, what) => {
    assertRel(c.a[0]!, c.lr * num(c.h, "weight_decay") * c.before, `${what} γλθ`);
    return adamHand(c, what, c.a[0]!);
  },
  nadam({ a, lr, h, t, muProduct }, what) {
    const [g, m, v, mTerm, gTerm, mHat, vHat, denom, direction] = a as unknown as number[];
    const beta1 = num(h, "beta1");
    const psi = num(h, "momentum_decay");
    const mu = beta1 * (1 - 0.5 * 0.96 ** (t * psi));
    const muNext = beta1 * (1 - 0.5 * 0.96 ** ((t + 1) * psi));
    assertRel(mTerm!, (muNext * m!) / (1 - muProduct * muNext), `${what} μₜ₊₁m/(1−Πμ≤ₜ₊₁)`);
    assertRel(gTerm!, ((1 - mu) * g!) / (1 - muProduct), `${what} (1−μₜ)g/(1−Πμ≤ₜ)`);
    assertRel(mHat!, mTerm! + gTerm!, `${what} m̂`);
    assertRel(vHat!, v! / (1 - num(h, "beta2") ** t), `${what} v̂`);
    assertRel(denom!, Math.sqrt(vHat!) + num(h, "eps"), `${what} √v̂+ε`);
    assertRel(direction!, mHat! / denom!, `${what} m̂/(√v̂+ε)`);
    return lr * direction!;
  },
  adagrad({ a, lr, h, t }, what) {
    const [g, G, std, scaled, clr] = a as unknown as number[];
    assertRel(std!, Math.sqrt(G!) + num(h, "eps"), `${what} √G+ε`);
    assertRel(scaled!, g! / std!, `${what} g/(√G+ε)`);
    assertRel(clr!, lr / (1 + (t - 1) * num(h, "lr_decay")), `${what} γ̃`);
    return clr! * scaled!;
  },
  adadelta({ a, lr, h }, what) {
    const [g, v, std, rmsDelta, delta, u] = a as unknown as number[];
    const rho = num(h, "rho");
    assertRel(std!, Math.sqrt(v! + num(h, "eps")), `${what} √(v+ε)`);
    assertRel(delta!, (rmsDelta! / std!) * g!, `${what} Δ`);
    assert.ok(u! >= (1 - rho) * delta! * delta! * (1 - 1e-12), `${what} u includes (1−ρ)Δ²`);
    return lr * delta!;
  },
  adamax({ a, lr, h, t }, what) {
    const [g, m, decayed, magnitude, u, mHat, direction] = a as unknown as number[];
    assertRel(magnitude!, Math.abs(g!) + num(h, "eps"), `${what} |g|+ε`);
    assert.equal(u, Math.max(decayed!, magnitude!), `${what} u = max(β₂u, |g|+ε)`);
    assertRel(mHat!, m! / (1 - num(h, "beta1") ** t), `${what} m̂`);
    assertRel(direction!, mHat! / u!, `${what} m̂/u`);
    return lr * direction!;
  },
  simplex({ a }) {
    return a[4]! * a[0]!;
  },
  magdetox({ a, lr }, what) {
    assert.equal(a[1], Math.sign(a[0]!), `${what} sign(g)`);
    assert.equal(a[2], lr, `${what} Fixed Base α = LR`);
    return a[2]! * a[1]!;
  },
};

function sgdHand({ a, lr, h }: AuditContext, what: string): number {
  const [g, b, direction] = a as unknown as number[];
  const mu = num(h, "momentum");
  const expected = mu === 0 ? g! : h.nesterov ? g! + mu * b! : b!;
  assertRel(direction!, expected, `${what} direction`);
  return lr * direction!;
}

function adamHand({ a, lr, h, t }: AuditContext, what: string, decay: number): number {
  const [, m, v, vMax, mHat, vHat, denom, direction] = a as unknown as number[];
  if (!h.amsgrad) assert.equal(vMax, v, `${what} v_max = v without amsgrad`);
  else assert.ok(vMax! >= v!, `${what} v_max ≥ v`);
  assertRel(mHat!, m! / (1 - num(h, "beta1") ** t), `${what} m̂`);
  assertRel(vHat!, vMax! / (1 - num(h, "beta2") ** t), `${what} v̂`);
  assertRel(denom!, Math.sqrt(vHat!) + num(h, "eps"), `${what} √v̂+ε`);
  assertRel(direction!, mHat! / denom!, `${what} m̂/(√v̂+ε)`);
  return decay + lr * direction!;
}

function checkAuditRecomputes(
  strategy: Strategy,
  state: StrategyState,
  record: CommitRecord,
  muProduct: number,
  label: string,
): void {
  const width = strategy.audit.length;
  const recompute = handRecompute[strategy.id]!;
  for (let i = 0; i < state.weightCount; i++) {
    const a = record.audit.subarray(i * width, (i + 1) * width);
    const what = `${label} t=${state.t} w${i}`;
    for (let k = 0; k < width; k++) assert.ok(Number.isFinite(a[k]!), `${what}: audit '${strategy.audit[k]}' not written`);
    const adjustment = recompute({ a, lr: record.lr[i]!, before: record.before[i]!, t: state.t, h: state.h, muProduct }, what);
    assertRel(adjustment, record.adjustment[i]!, `${what} adjustment recomputed from the audit`);
  }
}

// ---- the reference comparison ------------------------------------------------------------------------

interface ReferenceCase {
  readonly label: string;
  readonly id: string;
  readonly hyper: Record<string, HyperValue>;
  readonly reference: (param: number[]) => torch.ReferenceOptimizer;
  /** Schedule factor on the rate (the reference gets lr × lrScale). */
  readonly lrScale?: number;
  /** Per-step checks of the audit against the reference's own state (both after the step). */
  readonly stateCheck?: (audit: (i: number, column: string) => number, ref: torch.ReferenceOptimizer, what: string) => void;
}

const auditIs = (actual: number, expected: number, what: string): void => assertRel(actual, expected, what);

const adamStateCheck: ReferenceCase["stateCheck"] = (audit, ref, what) => {
  const st = (ref as torch.Adam).state!;
  for (let i = 0; i < WEIGHTS; i++) {
    auditIs(audit(i, "m"), st.exp_avg[i]!, `${what} w${i} m = exp_avg`);
    auditIs(audit(i, "v"), st.exp_avg_sq[i]!, `${what} w${i} v = exp_avg_sq`);
    if (st.max_exp_avg_sq) auditIs(audit(i, "v_max"), st.max_exp_avg_sq[i]!, `${what} w${i} v_max = max_exp_avg_sq`);
  }
};

const cases: ReferenceCase[] = [
  // SGD
  { label: "SGD plain", id: "sgd", hyper: { lr: 0.1 }, reference: (p) => new torch.SGD(p, { lr: 0.1 }) },
  {
    label: "SGD momentum",
    id: "sgd",
    hyper: { lr: 0.05, momentum: 0.9 },
    reference: (p) => new torch.SGD(p, { lr: 0.05, momentum: 0.9 }),
    stateCheck: (audit, ref, what) => {
      const buf = (ref as torch.SGD).momentum_buffer!;
      for (let i = 0; i < WEIGHTS; i++) auditIs(audit(i, "b"), buf[i]!, `${what} w${i} b = momentum_buffer`);
    },
  },
  {
    label: "SGD momentum + dampening",
    id: "sgd",
    hyper: { lr: 0.05, momentum: 0.8, dampening: 0.3 },
    reference: (p) => new torch.SGD(p, { lr: 0.05, momentum: 0.8, dampening: 0.3 }),
  },
  {
    label: "SGD nesterov",
    id: "sgd",
    hyper: { lr: 0.05, momentum: 0.9, nesterov: true },
    reference: (p) => new torch.SGD(p, { lr: 0.05, momentum: 0.9, nesterov: true }),
  },
  {
    label: "SGD weight decay",
    id: "sgd",
    hyper: { lr: 0.1, weight_decay: 0.05 },
    reference: (p) => new torch.SGD(p, { lr: 0.1, weight_decay: 0.05 }),
  },
  {
    label: "SGD momentum + dampening + weight decay",
    id: "sgd",
    hyper: { lr: 0.05, momentum: 0.7, dampening: 0.1, weight_decay: 0.02 },
    reference: (p) => new torch.SGD(p, { lr: 0.05, momentum: 0.7, dampening: 0.1, weight_decay: 0.02 }),
  },
  {
    label: "SGD nesterov + weight decay",
    id: "sgd",
    hyper: { lr: 0.05, momentum: 0.9, nesterov: true, weight_decay: 0.01 },
    reference: (p) => new torch.SGD(p, { lr: 0.05, momentum: 0.9, nesterov: true, weight_decay: 0.01 }),
  },
  // Momentum: torch.optim.SGD with momentum 0.9
  { label: "Momentum defaults", id: "momentum", hyper: { lr: 0.05 }, reference: (p) => new torch.SGD(p, { lr: 0.05, momentum: 0.9 }) },
  {
    label: "Momentum nesterov + weight decay",
    id: "momentum",
    hyper: { lr: 0.05, momentum: 0.5, nesterov: true, weight_decay: 0.03 },
    reference: (p) => new torch.SGD(p, { lr: 0.05, momentum: 0.5, nesterov: true, weight_decay: 0.03 }),
  },
  // RMSprop
  { label: "RMSprop defaults", id: "rmsprop", hyper: {}, reference: (p) => new torch.RMSprop(p) },
  {
    label: "RMSprop centered",
    id: "rmsprop",
    hyper: { centered: true, alpha: 0.9 },
    reference: (p) => new torch.RMSprop(p, { centered: true, alpha: 0.9 }),
    stateCheck: (audit, ref, what) => {
      const st = (ref as torch.RMSprop).state!;
      for (let i = 0; i < WEIGHTS; i++) {
        auditIs(audit(i, "v"), st.square_avg[i]!, `${what} w${i} v = square_avg`);
        auditIs(audit(i, "ḡ"), st.grad_avg![i]!, `${what} w${i} ḡ = grad_avg`);
      }
    },
  },
  {
    label: "RMSprop momentum",
    id: "rmsprop",
    hyper: { momentum: 0.9, lr: 0.005 },
    reference: (p) => new torch.RMSprop(p, { momentum: 0.9, lr: 0.005 }),
    stateCheck: (audit, ref, what) => {
      const st = (ref as torch.RMSprop).state!;
      for (let i = 0; i < WEIGHTS; i++) auditIs(audit(i, "b"), st.momentum_buffer![i]!, `${what} w${i} b = momentum_buffer`);
    },
  },
  {
    label: "RMSprop centered + momentum + weight decay",
    id: "rmsprop",
    hyper: { centered: true, momentum: 0.5, alpha: 0.8, weight_decay: 0.1, eps: 1e-6 },
    reference: (p) => new torch.RMSprop(p, { centered: true, momentum: 0.5, alpha: 0.8, weight_decay: 0.1, eps: 1e-6 }),
  },
  // Adam
  { label: "Adam defaults", id: "adam", hyper: {}, reference: (p) => new torch.Adam(p), stateCheck: adamStateCheck },
  {
    label: "Adam amsgrad",
    id: "adam",
    hyper: { lr: 0.01, amsgrad: true, beta2: 0.9 },
    reference: (p) => new torch.Adam(p, { lr: 0.01, amsgrad: true, betas: [0.9, 0.9] }),
    stateCheck: adamStateCheck,
  },
  {
    label: "Adam weight decay",
    id: "adam",
    hyper: { lr: 0.01, weight_decay: 0.1, beta1: 0.8 },
    reference: (p) => new torch.Adam(p, { lr: 0.01, weight_decay: 0.1, betas: [0.8, 0.999] }),
  },
  {
    label: "Adam amsgrad + weight decay, schedule ×0.5",
    id: "adam",
    hyper: { lr: 0.02, amsgrad: true, weight_decay: 0.05, beta2: 0.95, eps: 1e-6 },
    reference: (p) => new torch.Adam(p, { lr: 0.01, amsgrad: true, weight_decay: 0.05, betas: [0.9, 0.95], eps: 1e-6 }),
    lrScale: 0.5,
  },
  // AdamW
  { label: "AdamW defaults", id: "adamw", hyper: {}, reference: (p) => new torch.AdamW(p), stateCheck: adamStateCheck },
  {
    label: "AdamW amsgrad + strong decay, schedule ×0.5",
    id: "adamw",
    hyper: { lr: 0.02, weight_decay: 0.5, amsgrad: true, beta2: 0.9 },
    reference: (p) => new torch.AdamW(p, { lr: 0.01, weight_decay: 0.5, amsgrad: true, betas: [0.9, 0.9] }),
    lrScale: 0.5,
    stateCheck: adamStateCheck,
  },
  // NAdam
  {
    label: "NAdam defaults",
    id: "nadam",
    hyper: {},
    reference: (p) => new torch.NAdam(p),
    stateCheck: (audit, ref, what) => {
      const st = (ref as torch.NAdam).state!;
      for (let i = 0; i < WEIGHTS; i++) {
        auditIs(audit(i, "m"), st.exp_avg[i]!, `${what} w${i} m = exp_avg`);
        auditIs(audit(i, "v"), st.exp_avg_sq[i]!, `${what} w${i} v = exp_avg_sq`);
      }
    },
  },
  {
    label: "NAdam weight decay + momentum_decay",
    id: "nadam",
    hyper: { lr: 0.01, weight_decay: 0.05, momentum_decay: 0.05, beta1: 0.85, beta2: 0.99 },
    reference: (p) => new torch.NAdam(p, { lr: 0.01, weight_decay: 0.05, momentum_decay: 0.05, betas: [0.85, 0.99] }),
  },
  // AdaGrad
  {
    label: "AdaGrad defaults",
    id: "adagrad",
    hyper: {},
    reference: (p) => new torch.Adagrad(p),
    stateCheck: (audit, ref, what) => {
      const st = (ref as torch.Adagrad).state;
      for (let i = 0; i < WEIGHTS; i++) auditIs(audit(i, "G"), st.sum[i]!, `${what} w${i} G = state_sum`);
    },
  },
  {
    label: "AdaGrad lr_decay + initial accumulator + weight decay",
    id: "adagrad",
    hyper: { lr: 0.1, lr_decay: 0.1, initial_accumulator_value: 0.5, weight_decay: 0.01 },
    reference: (p) => new torch.Adagrad(p, { lr: 0.1, lr_decay: 0.1, initial_accumulator_value: 0.5, weight_decay: 0.01 }),
    stateCheck: (audit, ref, what) => {
      const st = (ref as torch.Adagrad).state;
      for (let i = 0; i < WEIGHTS; i++) auditIs(audit(i, "G"), st.sum[i]!, `${what} w${i} G = state_sum`);
    },
  },
  // Adadelta
  {
    label: "Adadelta defaults",
    id: "adadelta",
    hyper: {},
    reference: (p) => new torch.Adadelta(p),
    stateCheck: (audit, ref, what) => {
      const st = (ref as torch.Adadelta).state!;
      for (let i = 0; i < WEIGHTS; i++) {
        auditIs(audit(i, "v"), st.square_avg[i]!, `${what} w${i} v = square_avg`);
        auditIs(audit(i, "u"), st.acc_delta[i]!, `${what} w${i} u = acc_delta`);
      }
    },
  },
  {
    label: "Adadelta rho + weight decay + lr",
    id: "adadelta",
    hyper: { lr: 0.5, rho: 0.5, weight_decay: 0.01, eps: 1e-4 },
    reference: (p) => new torch.Adadelta(p, { lr: 0.5, rho: 0.5, weight_decay: 0.01, eps: 1e-4 }),
  },
  // AdaMax
  {
    label: "AdaMax defaults",
    id: "adamax",
    hyper: {},
    reference: (p) => new torch.Adamax(p),
    stateCheck: (audit, ref, what) => {
      const st = (ref as torch.Adamax).state!;
      for (let i = 0; i < WEIGHTS; i++) {
        auditIs(audit(i, "m"), st.exp_avg[i]!, `${what} w${i} m = exp_avg`);
        auditIs(audit(i, "u"), st.exp_inf[i]!, `${what} w${i} u = exp_inf`);
      }
    },
  },
  {
    label: "AdaMax betas + weight decay",
    id: "adamax",
    hyper: { lr: 0.01, beta1: 0.8, beta2: 0.9, weight_decay: 0.05 },
    reference: (p) => new torch.Adamax(p, { lr: 0.01, betas: [0.8, 0.9], weight_decay: 0.05 }),
  },
];

describe("standard optimizers match a transcription of PyTorch 1.13 (float64, relative error ≤ 1e-12)", () => {
  cases.forEach((c, caseIndex) => {
    test(c.label, () => {
      const strategy = getStrategy(c.id);
      const rand = mulberry32(0xc0ffee + 7919 * caseIndex);
      const init = initialWeights(rand);
      const params = Float64Array.from(init);
      const refParam = init.slice();
      const ref = c.reference(refParam);
      const state = stateFor(strategy, c.hyper, WEIGHTS);
      const lrScale = c.lrScale ?? 1;
      const lr = new Float64Array(WEIGHTS).fill(state.h.lr as number);
      const record = allocateCommitRecord(WEIGHTS, strategy.audit.length);
      const column = (name: string): number => {
        const k = strategy.audit.indexOf(name);
        assert.ok(k >= 0, `no audit column '${name}' in ${strategy.id}`);
        return k;
      };
      const audit = (i: number, name: string): number => record.audit[i * strategy.audit.length + column(name)]!;
      let muProduct = 1;
      let amsgradMaxUsed = false;
      for (let step = 1; step <= STEPS; step++) {
        const bank = bankFor(rand, step);
        const grads = Array.from(bank, (b) => b / COUNT);
        const before = refParam.slice();
        const ownBefore = Array.from(params);
        record.audit.fill(NaN);
        state.commit(params, bank, COUNT, lr, lrScale, record);
        ref.step(grads);
        const what = `${c.label} step ${step}`;
        assert.equal(state.t, step);
        for (let i = 0; i < WEIGHTS; i++) {
          assert.equal(record.avg[i], grads[i], `${what} w${i} avg`);
          assert.equal(record.before[i], ownBefore[i], `${what} w${i} before`);
          assertRel(params[i]!, refParam[i]!, `${what} w${i} θ`);
          assertAdjustment(record.adjustment[i]!, before[i]!, refParam[i]!, `${what} w${i}`);
          if (strategy.id === "adam" || strategy.id === "adamw") {
            if (audit(i, "v_max") > audit(i, "v")) amsgradMaxUsed = true;
          }
        }
        if (strategy.id === "nadam") {
          const beta1 = state.h.beta1 as number;
          muProduct *= beta1 * (1 - 0.5 * 0.96 ** (step * (state.h.momentum_decay as number)));
        }
        checkAuditRecomputes(strategy, state, record, muProduct, c.label);
        c.stateCheck?.(audit, ref, what);
      }
      if (state.h.amsgrad === true) assert.ok(amsgradMaxUsed, `${c.label}: the data never made v_max exceed v`);
    });
  });
});

describe("NAdam: the documented algorithm, not torch 1.13's default single-tensor path", () => {
  // torch 1.13's `_single_tensor_nadam` (its default, foreach=False) computes Π_{i≤t+1} μᵢ as
  // mu_product · μₜ · μₜ₊₁, counting μₜ twice; PR #92699 (torch 2.0) fixed it, and 1.13's foreach path
  // never had it. The engine follows the documented formula, which the cases above check to 1e-12; this
  // shows the two transcriptions really differ, so the reference's choice matters (docs/optimizers.md).
  test("the engine's NAdam departs from 1.13's single-tensor transcription from the first step", () => {
    const strategy = getStrategy("nadam");
    const rand = mulberry32(0x9a0a);
    const init = initialWeights(rand);
    const params = Float64Array.from(init);
    const documented = init.slice();
    const torch113 = init.slice();
    const refDocumented = new torch.NAdam(documented);
    const refTorch113 = new torch.NAdam(torch113, { torch113_single_tensor: true });
    const state = stateFor(strategy, {}, WEIGHTS);
    const lr = new Float64Array(WEIGHTS).fill(state.h.lr as number);
    const record = allocateCommitRecord(WEIGHTS, strategy.audit.length);
    for (let step = 1; step <= 3; step++) {
      const bank = bankFor(rand, step);
      const grads = Array.from(bank, (b) => b / COUNT);
      state.commit(params, bank, COUNT, lr, 1, record);
      refDocumented.step(grads);
      refTorch113.step(grads);
      for (let i = 0; i < WEIGHTS; i++) {
        assertRel(params[i]!, documented[i]!, `step ${step} w${i} θ = documented formula`);
        const moved = Math.abs(params[i]! - init[i]!);
        const gap = Math.abs(params[i]! - torch113[i]!);
        assert.ok(gap > 1e-3 * moved, `step ${step} w${i}: 1.13's single-tensor path should differ (gap ${gap}, step ${moved})`);
      }
    }
  });
});

// ---- declarations, registry, validation ---------------------------------------------------------------

describe("registry and declarations", () => {
  test("all 15 strategies are registered under their own id", () => {
    assert.deepEqual(
      [...strategyIds].sort(),
      ["adadelta", "adagrad", "adam", "adamax", "adamw", "magdetox", "momentum", "nadam", "precond_ema", "precond_fisher", "precond_gn", "precond_hutchinson", "rmsprop", "sgd", "simplex"],
    );
    for (const id of strategyIds) {
      const s = strategies[id]!;
      assert.equal(s.id, id);
      assert.equal(getStrategy(id), s);
      assert.ok(s.audit.length > 0, `${id} has audit columns`);
      assert.equal(new Set(s.audit).size, s.audit.length, `${id} audit column names are unique`);
      assert.ok("lr" in s.hyperparameters, `${id} has lr (the framework fills per-weight rates from it)`);
      for (const field of ["name", "formula", "description", "whenToUse", "bestFor"] as const) {
        assert.ok(s[field].length > 0, `${id}.${field}`);
      }
    }
  });

  test("unknown optimizer ids throw a ConfigError on 'optimizer' with a did-you-mean", () => {
    assert.throws(() => getStrategy("adma"), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.equal(e.field, "optimizer");
      assert.match(e.message, /unknown optimizer 'adma' \(did you mean 'adam'\?\)/);
      return true;
    });
    assert.throws(() => getStrategy("Adagrad"), /did you mean 'adagrad'/);
    assert.throws(() => getStrategy("toString"), ConfigError);
    assert.throws(() => getStrategy("quasi-newton"), /known: sgd, momentum/);
  });

  test("defaults are PyTorch 1.13's", () => {
    const defaults = (id: string) =>
      Object.fromEntries(Object.entries(getStrategy(id).hyperparameters).map(([k, spec]) => [k, spec.default]));
    const betas = { beta1: 0.9, beta2: 0.999 };
    assert.deepEqual(defaults("sgd"), { lr: undefined, momentum: 0, dampening: 0, weight_decay: 0, nesterov: false });
    assert.deepEqual(defaults("momentum"), { lr: undefined, momentum: 0.9, dampening: 0, weight_decay: 0, nesterov: false });
    assert.deepEqual(defaults("rmsprop"), { lr: 1e-2, alpha: 0.99, eps: 1e-8, weight_decay: 0, momentum: 0, centered: false });
    assert.deepEqual(defaults("adam"), { lr: 1e-3, ...betas, eps: 1e-8, weight_decay: 0, amsgrad: false });
    assert.deepEqual(defaults("adamw"), { lr: 1e-3, ...betas, eps: 1e-8, weight_decay: 1e-2, amsgrad: false });
    assert.deepEqual(defaults("nadam"), { lr: 2e-3, ...betas, eps: 1e-8, weight_decay: 0, momentum_decay: 4e-3 });
    assert.deepEqual(defaults("adagrad"), { lr: 1e-2, lr_decay: 0, weight_decay: 0, initial_accumulator_value: 0, eps: 1e-10 });
    assert.deepEqual(defaults("adadelta"), { lr: 1.0, rho: 0.9, eps: 1e-6, weight_decay: 0 });
    assert.deepEqual(defaults("adamax"), { lr: 2e-3, ...betas, eps: 1e-8, weight_decay: 0 });
  });

  test("validation: nesterov, ranges, unknown names, required lr", () => {
    const sgd = getStrategy("sgd");
    assert.throws(() => resolveHyperparameters(sgd, { lr: 0.1, nesterov: true }), /nesterov needs momentum > 0 and dampening = 0/);
    assert.throws(
      () => resolveHyperparameters(sgd, { lr: 0.1, nesterov: true, momentum: 0.9, dampening: 0.1 }),
      /nesterov needs momentum > 0 and dampening = 0/,
    );
    assert.throws(() => resolveHyperparameters(sgd, { lr: -0.1 }), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.equal(e.field, "optimizer.lr");
      return true;
    });
    assert.throws(() => resolveHyperparameters(sgd, {}), /optimizer\.lr: required for SGD/);
    assert.throws(() => resolveHyperparameters(getStrategy("momentum"), {}), /optimizer\.lr: required for Momentum/);
    assert.throws(() => resolveHyperparameters(getStrategy("momentum"), { lr: 0.1, momentum: 0 }), /optimizer\.momentum: must be > 0/);
    assert.throws(() => resolveHyperparameters(getStrategy("adam"), { betas1: 0.8 }), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.equal(e.field, "optimizer.betas1");
      assert.match(e.message, /did you mean 'beta1'\?/);
      return true;
    });
    assert.throws(() => resolveHyperparameters(getStrategy("rmsprop"), { momemtum: 0.9 }), /did you mean 'momentum'/);
    assert.throws(() => resolveHyperparameters(getStrategy("adam"), { beta1: 1 }), /beta1 must be < 1/);
    assert.throws(() => resolveHyperparameters(getStrategy("nadam"), { beta2: 1.5 }), /beta2 must be < 1/);
    assert.throws(() => resolveHyperparameters(getStrategy("adamax"), { eps: 0 }), /optimizer\.eps: must be > 0/);
    assert.throws(() => resolveHyperparameters(getStrategy("adadelta"), { rho: 1.1 }), /optimizer\.rho: must be ≤ 1/);
    assert.throws(() => resolveHyperparameters(getStrategy("adagrad"), { lr_decay: -1 }), /optimizer\.lr_decay/);
    assert.throws(() => resolveHyperparameters(getStrategy("adam"), { amsgrad: 1 }), /expected a boolean/);
    assert.throws(() => resolveHyperparameters(getStrategy("simplex"), { min_lr: 0.1, max_lr: 0.01, lr: 0.05 }), /min_lr .* must be ≤ max_lr/);
    assert.throws(() => resolveHyperparameters(getStrategy("simplex"), { lr: 2 }), /lr \(2\) must lie in \[min_lr, max_lr\]/);
    assert.throws(() => resolveHyperparameters(getStrategy("simplex"), { increase: 0.9 }), /optimizer\.increase: must be ≥ 1/);
    // Everything but SGD/Momentum resolves from defaults alone.
    for (const id of strategyIds) {
      if (id === "sgd" || id === "momentum") continue;
      assert.doesNotThrow(() => resolveHyperparameters(getStrategy(id), {}), id);
    }
  });
});

// ---- Simplex and MagDetox: hand-computed ---------------------------------------------------------------

/** Runs one weight through a sequence of average gradients; returns [adjustment, audit] per step. */
function runOne(id: string, hyper: Record<string, unknown>, theta: number, gradients: number[], lrScale = 1) {
  const strategy = getStrategy(id);
  const state = stateFor(strategy, hyper, 1);
  const params = Float64Array.of(theta);
  const lr = Float64Array.of(state.h.lr as number);
  const record = allocateCommitRecord(1, strategy.audit.length);
  return gradients.map((g) => {
    state.commit(params, Float64Array.of(g), 1, lr, lrScale, record);
    return { adjustment: record.adjustment[0]!, audit: Array.from(record.audit), theta: params[0]! };
  });
}

describe("Simplex (per-weight delta-bar-delta rate)", () => {
  test("rate ×1.2 on agreement, ×0.5 on a sign flip, unchanged on zero; adj = rate·g", () => {
    const steps = runOne("simplex", { lr: 0.1 }, 0, [1, 2, -1, 0, 3, 0.5]);
    // step: rate, adjustment (hand-computed)
    const expected: [number, number, number][] = [
      // [factor, rate, adj]
      [1, 0.1, 0.1], // first step: no previous gradient → rate starts at lr
      [1.2, 0.12, 0.24], // same sign → ×1.2
      [0.5, 0.06, -0.06], // flipped → ×0.5
      [1, 0.06, 0], // zero gradient → unchanged, no move
      [1, 0.06, 0.18], // previous gradient was 0 → unchanged
      [1.2, 0.072, 0.036], // same sign again
    ];
    expected.forEach(([factor, rate, adj], k) => {
      const { adjustment, audit } = steps[k]!;
      assert.equal(audit[3], factor, `step ${k + 1} factor`);
      assertRel(audit[4]!, rate, `step ${k + 1} Lrn Rt`);
      assertRel(adjustment, adj, `step ${k + 1} adjustment`);
    });
    assert.deepEqual(steps.map((s) => s.audit[2]), [0, 1, -1, 0, 0, 1]); // sign(g·g_prev)
    assert.deepEqual(steps.map((s) => s.audit[1]), [0, 1, 2, -1, 0, 3]); // g_prev
  });

  test("rate is clamped to [min_lr, max_lr]", () => {
    const up = runOne("simplex", { lr: 0.1, max_lr: 0.15 }, 0, [1, 1, 1, 1]);
    assert.deepEqual(up.map((s) => s.audit[4]), [0.1, 0.12, 0.144, 0.15]);
    const down = runOne("simplex", { lr: 0.1, min_lr: 0.03, decrease: 0.5 }, 0, [1, -1, 1, -1]);
    assert.deepEqual(down.map((s) => s.audit[4]), [0.1, 0.05, 0.03, 0.03]);
  });

  test("weight decay enters the gradient; each weight has its own rate; starts from the scheduled rate", () => {
    const decayed = runOne("simplex", { lr: 0.1, weight_decay: 0.5 }, 2, [-0.5]);
    assert.equal(decayed[0]!.audit[0], 0.5); // g + λθ = −0.5 + 0.5·2
    assertRel(decayed[0]!.adjustment, 0.05, "adj = 0.1 × 0.5");
    const scheduled = runOne("simplex", { lr: 0.1 }, 0, [1, 1], 0.5);
    assertRel(scheduled[0]!.audit[4]!, 0.05, "first rate = lr × schedule");
    assertRel(scheduled[1]!.audit[4]!, 0.06, "then evolves on its own");

    const strategy = getStrategy("simplex");
    const state = stateFor(strategy, { lr: 0.1 }, 2);
    const params = new Float64Array(2);
    const lr = new Float64Array(2).fill(0.1);
    state.commit(params, Float64Array.of(1, 1), 1, lr, 1, null);
    state.commit(params, Float64Array.of(1, -1), 1, lr, 1, null);
    assertRel(state.perWeight.rate![0]!, 0.12, "w0 agreed");
    assertRel(state.perWeight.rate![1]!, 0.05, "w1 flipped");
    // A weight reset by the lifecycle starts over from its current rate.
    state.resetWeights([1]);
    state.commit(params, Float64Array.of(1, 1), 1, lr, 1, null);
    assertRel(state.perWeight.rate![0]!, 0.144, "w0 keeps adapting");
    assertRel(state.perWeight.rate![1]!, 0.1, "w1 restarted at lr");
  });
});

describe("MagDetox (sign descent)", () => {
  test("adj = α·sign(g): the magnitude is ignored, sign(0) = 0", () => {
    const steps = runOne("magdetox", { lr: 0.01 }, 1, [0.3, -2e-9, 0, 1e6]);
    assert.deepEqual(steps.map((s) => s.adjustment), [0.01, -0.01, 0, 0.01]);
    assert.deepEqual(steps.map((s) => s.audit[1]), [1, -1, 0, 1]); // sign(g)
    assert.deepEqual(steps.map((s) => s.audit[2]), [0.01, 0.01, 0.01, 0.01]); // Fixed Base α
    assertRel(steps[3]!.theta, 1 - 0.01 - -0.01 - 0 - 0.01, "θ after four steps");
  });

  test("weight decay is applied before the sign and α follows the schedule", () => {
    const [flip] = runOne("magdetox", { lr: 0.01, weight_decay: 0.01 }, 1, [-0.005]);
    assertRel(flip!.audit[0]!, 0.005, "g + λθ");
    assert.equal(flip!.adjustment, 0.01); // decay outweighs the small negative gradient
    const [scaled] = runOne("magdetox", { lr: 0.01 }, 1, [-3], 0.5);
    assert.equal(scaled!.audit[2], 0.005);
    assert.equal(scaled!.adjustment, -0.005);
  });
});

// ---- reset --------------------------------------------------------------------------------------------

describe("reset", () => {
  test("AdaGrad reset restores initial_accumulator_value and t = 0", () => {
    const strategy = getStrategy("adagrad");
    const state = stateFor(strategy, { initial_accumulator_value: 0.25 }, 3);
    assert.deepEqual(Array.from(state.perWeight.sum!), [0.25, 0.25, 0.25]);
    const params = Float64Array.of(1, 2, 3);
    const lr = new Float64Array(3).fill(0.01);
    state.commit(params, Float64Array.of(1, -2, 3), 1, lr, 1, null);
    assert.deepEqual(Array.from(state.perWeight.sum!), [1.25, 4.25, 9.25]);
    state.reset();
    assert.equal(state.t, 0);
    assert.deepEqual(Array.from(state.perWeight.sum!), [0.25, 0.25, 0.25]);
  });

  test("NAdam reset restores mu_product = 1", () => {
    const state = stateFor(getStrategy("nadam"), {}, 2);
    assert.equal(state.global.mu_product, 1);
    state.commit(Float64Array.of(1, 1), Float64Array.of(1, 1), 1, new Float64Array(2).fill(2e-3), 1, null);
    assert.ok(state.global.mu_product! < 1);
    state.reset();
    assert.equal(state.global.mu_product, 1);
  });

  test("after reset() every strategy replays a run exactly", () => {
    for (const id of strategyIds) {
      const strategy = getStrategy(id);
      const hyper = id === "sgd" || id === "momentum" ? { lr: 0.05, momentum: 0.9 } : {};
      const state = stateFor(strategy, hyper, WEIGHTS);
      const lr = new Float64Array(WEIGHTS).fill(state.h.lr as number);
      const run = (): number[] => {
        const rand = mulberry32(42);
        const params = Float64Array.from(initialWeights(rand));
        for (let step = 1; step <= 5; step++) state.commit(params, bankFor(rand, step), COUNT, lr, 1, null);
        return Array.from(params);
      };
      const first = run();
      state.reset();
      assert.deepEqual(run(), first, `${id} replays after reset`);
    }
  });
});
