/**
 * Optimizer state reset on rebirth (issue #14): the weights a rebirth (or the non-finite guard) resets
 * step from then on as a fresh optimizer would for them — their own timestep from 1 and their own global
 * state (Adam's bias corrections, NAdam's μ product, AdaGrad's decay, SGD's first-step buffer) — while
 * the other weights go on untouched. For every optimizer: against a fresh StrategyState given the same
 * weights and gradients (bit for bit), against an independent transcription of PyTorch's algorithm started
 * fresh on those weights (test/reference/torch-optimizers.ts), against a run that never reset (the other
 * weights, bit for bit), and a replay restored mid-run from the resets (what verify does) against the live run.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { rebirthWeights } from "../../kernel/engine/lifecycle/rebirth";
import { Model } from "../../kernel/engine/model";
import { resolveHyperparameters } from "../../kernel/engine/optimizers/hyperparameters";
import { strategies } from "../../kernel/engine/optimizers/registry";
import { StrategyState } from "../../kernel/engine/optimizers/strategy-state";
import * as torch from "../reference/torch-optimizers";
import { mulberry32 } from "./support/mulberry32";

interface Case {
  readonly id: string;
  /** Hyperparameters under which a reset that kept the run's timestep would step differently. */
  readonly hyper: Record<string, number | boolean>;
  readonly reference?: (param: number[]) => torch.ReferenceOptimizer;
}

const cases: readonly Case[] = [
  { id: "sgd", hyper: { lr: 0.05, momentum: 0.8, dampening: 0.3 }, reference: (p) => new torch.SGD(p, { lr: 0.05, momentum: 0.8, dampening: 0.3 }) },
  { id: "momentum", hyper: { lr: 0.05, nesterov: true, weight_decay: 0.01 }, reference: (p) => new torch.SGD(p, { lr: 0.05, momentum: 0.9, nesterov: true, weight_decay: 0.01 }) },
  { id: "rmsprop", hyper: { centered: true, momentum: 0.5 }, reference: (p) => new torch.RMSprop(p, { centered: true, momentum: 0.5 }) },
  { id: "adam", hyper: { lr: 0.01, amsgrad: true }, reference: (p) => new torch.Adam(p, { lr: 0.01, amsgrad: true }) },
  { id: "adamw", hyper: { lr: 0.01, weight_decay: 0.1 }, reference: (p) => new torch.AdamW(p, { lr: 0.01, weight_decay: 0.1 }) },
  { id: "nadam", hyper: {}, reference: (p) => new torch.NAdam(p) },
  { id: "adagrad", hyper: { lr_decay: 0.1, initial_accumulator_value: 0.1 }, reference: (p) => new torch.Adagrad(p, { lr_decay: 0.1, initial_accumulator_value: 0.1 }) },
  { id: "adadelta", hyper: {}, reference: (p) => new torch.Adadelta(p) },
  { id: "adamax", hyper: {}, reference: (p) => new torch.Adamax(p) },
  { id: "simplex", hyper: {} },
  { id: "magdetox", hyper: {} },
  { id: "precond_ema", hyper: { beta: 0.5, refresh: 3 } },
  // Their curvature driver is the trainer's (not here: test/unit/precondition-rebirth.test.ts): curv_est stays as reset, the same for the fresh optimizer.
  { id: "precond_hutchinson", hyper: { beta: 0.5, refresh: 3 } },
  { id: "precond_fisher", hyper: { beta: 0.5, refresh: 3 } },
  { id: "precond_gn", hyper: { beta: 0.5, refresh: 3 } },
];

/** Unit in the last place of x (float64). */
function ulp(x: number): number {
  const a = Math.abs(x);
  return a === 0 ? Number.MIN_VALUE : 2 ** (Math.floor(Math.log2(a)) - 52);
}

/** A 3-4-2 network's layout (neuronOfWeight) and arena, so the trainer's WebAssembly kernel path is what steps. */
const model = new Model({ inputs: 3, layers: [{ units: 4, activation: "relu" }, { units: 2, activation: "sigmoid" }] });
const W = model.weightCount;
/** Hidden neuron 1's weights (4 incoming with the bias, 2 outgoing), then output neuron 0's (it shares one with them). */
const reborn = rebirthWeights(model.layers, 0, 1);
const second = Array.from({ length: 5 }, (_, k) => model.weightIndex(1, 0, k));

function sameBits(a: number, b: number): boolean {
  return Object.is(a, b);
}

describe("optimizer state reset: the reset weights step as a fresh optimizer would", () => {
  assert.deepEqual(
    cases.map((c) => c.id).sort(),
    Object.keys(strategies).sort(),
    "every registered optimizer is covered",
  );
  for (const c of cases) {
    test(c.id, () => {
      const strategy = strategies[c.id]!;
      const h = resolveHyperparameters(strategy, c.hyper);
      const rand = mulberry32(17);
      const params = model.params;
      for (let i = 0; i < W; i++) params[i] = (rand() < 0.5 ? -1 : 1) * (0.5 + rand());
      const arena = model.arena;
      const bank = arena.alloc(W);
      const lr = arena.alloc(W).fill(h.lr as number);
      // live: the run that resets; kept: the same run without resets (the other weights' reference).
      const live = new StrategyState(strategy, h, W, model.neuronOfWeight, model.neuronCount, arena);
      const kept = new StrategyState(strategy, h, W, model.neuronOfWeight, model.neuronCount);
      const keptParams = Float64Array.from(params);
      const commit = () => {
        for (let i = 0; i < W; i++) bank[i] = (2 * rand() - 1) * (i % 3 === 0 ? 10 : 0.3);
        live.commit(params, bank, 1, lr, 1, null);
        kept.commit(keptParams, bank, 1, lr, 1, null);
      };
      for (let k = 0; k < 5; k++) commit();

      // A rebirth after commit 5: new values (outgoing zero), state reset.
      reborn.forEach((i, k) => (params[i] = k < 4 ? 0.25 * (k + 1) : 0));
      live.resetWeights(reborn);
      for (const [name, arr] of Object.entries(live.perWeight)) for (const i of reborn) assert.equal(arr[i], strategy.state?.initial?.(h)[name] ?? 0, `${name}[${i}] reset`);
      const fresh = new StrategyState(strategy, h, W, model.neuronOfWeight, model.neuronCount);
      const freshParams = Float64Array.from(params);
      const reference = c.reference?.(reborn.map((i) => params[i]!)) ?? null;
      const bornAt = live.t;
      for (let k = 0; k < 4; k++) {
        commit();
        fresh.commit(freshParams, bank, 1, lr, 1, null);
        reference?.step(reborn.map((i) => bank[i]!));
        for (const [q, i] of reborn.entries()) {
          assert.ok(sameBits(live.adjustments[i]!, fresh.adjustments[i]!), `t=${live.t} weight ${i}: ${live.adjustments[i]} vs fresh ${fresh.adjustments[i]}`);
          assert.ok(sameBits(params[i]!, freshParams[i]!), `t=${live.t} weight ${i} value`);
          if (reference) {
            const expected = reference.param[q]!;
            const slack = 4 * ulp(Math.max(Math.abs(expected), 1e-300)) + 1e-12 * Math.abs(expected);
            assert.ok(Math.abs(params[i]! - expected) <= slack, `t=${live.t} weight ${i}: ${params[i]} vs PyTorch fresh ${expected}`);
          }
        }
        for (let i = 0; i < W; i++) if (!reborn.includes(i)) assert.ok(sameBits(params[i]!, keptParams[i]!), `t=${live.t} weight ${i} untouched by the reset`);
      }

      // A second reset (output neuron 0's incoming weights, one of them reborn before) moves that weight to the new cohort.
      live.resetWeights(second);
      const fresh2 = new StrategyState(strategy, h, W, model.neuronOfWeight, model.neuronCount);
      const fresh2Params = Float64Array.from(params);
      for (let k = 0; k < 4; k++) {
        commit();
        fresh.commit(freshParams, bank, 1, lr, 1, null);
        fresh2.commit(fresh2Params, bank, 1, lr, 1, null);
        for (const i of second) assert.ok(sameBits(params[i]!, fresh2Params[i]!), `t=${live.t} weight ${i} (second reset)`);
        for (const i of reborn) if (!second.includes(i)) assert.ok(sameBits(params[i]!, freshParams[i]!), `t=${live.t} weight ${i} (first reset)`);
        for (let i = 0; i < W; i++) if (!reborn.includes(i) && !second.includes(i)) assert.ok(sameBits(params[i]!, keptParams[i]!), `t=${live.t} weight ${i}`);
      }

      // A replay restored here (a snapshot's weights and state, the run's resets): the same bits from then on.
      const replay = new StrategyState(strategy, h, W, model.neuronOfWeight, model.neuronCount);
      replay.t = live.t;
      for (const [name, arr] of Object.entries(live.perWeight)) (replay.perWeight as Record<string, Float64Array>)[name]!.set(arr);
      Object.assign(replay.global as Record<string, number>, live.global);
      replay.restoreResets([{ t: bornAt, weights: reborn }, { t: bornAt + 4, weights: second }]);
      const replayParams = Float64Array.from(params);
      for (let k = 0; k < 3; k++) {
        commit();
        replay.commit(replayParams, bank, 1, lr, 1, null);
        for (let i = 0; i < W; i++) assert.ok(sameBits(params[i]!, replayParams[i]!), `replay t=${live.t} weight ${i}: ${params[i]} vs ${replayParams[i]}`);
      }
    });
  }

  test("SGD without momentum reads no timestep: a reset keeps no cohort (one kernel call per commit), and steps the bits the cohorts would", () => {
    const h = resolveHyperparameters(strategies.sgd!, { lr: 0.05 });
    const arena = model.arena;
    const bank = arena.alloc(W);
    const lr = arena.alloc(W).fill(0.05);
    const runs = [strategies.sgd!, { ...strategies.sgd!, readsTimestep: undefined }].map((declared) => {
      const counted = { calls: 0 };
      const strategy = { ...declared, kernel: (call: Parameters<NonNullable<typeof declared.kernel>>[0], from: number, to: number) => (counted.calls++, declared.kernel!(call, from, to)) };
      return { counted, state: new StrategyState(strategy, h, W, model.neuronOfWeight, model.neuronCount, arena), params: arena.alloc(W) };
    });
    for (const r of runs) for (let i = 0; i < W; i++) r.params[i] = Math.sin(i);
    const rand = mulberry32(5);
    for (let k = 0; k < 6; k++) {
      for (let i = 0; i < W; i++) bank[i] = 2 * rand() - 1;
      if (k === 2) for (const r of runs) r.state.resetWeights(reborn);
      for (const r of runs) {
        r.counted.calls = 0;
        r.state.commit(r.params, bank, 1, lr, 1, null);
      }
      if (k > 2) {
        assert.equal(runs[0]!.counted.calls, 1, "one pass over every weight");
        assert.ok(runs[1]!.counted.calls > 1, "with cohorts the reborn weights are stepped apart");
      }
      for (let i = 0; i < W; i++) assert.ok(sameBits(runs[0]!.params[i]!, runs[1]!.params[i]!), `commit ${k + 1} weight ${i}`);
    }
  });

  test("Adam by hand: the first step after a reset is lr·g/(|g|+ε), as at a run's first step (t = 1), not the run's t", () => {
    const strategy = strategies.adam!;
    const h = resolveHyperparameters(strategy, { lr: 0.01 });
    const state = new StrategyState(strategy, h, 2, Int32Array.of(0, 0), 1);
    const params = Float64Array.of(1, 1);
    const lr = Float64Array.of(0.01, 0.01);
    for (let k = 0; k < 30; k++) state.commit(params, Float64Array.of(0.5, 0.5), 1, lr, 1, null);
    state.resetWeights([1]);
    state.commit(params, Float64Array.of(0.2, 0.2), 1, lr, 1, null);
    const g = 0.2;
    assert.ok(Math.abs(state.adjustments[1]! - (0.01 * g) / (Math.abs(g) + 1e-8)) <= 1e-15, `${state.adjustments[1]}`);
    // With the run's t = 31 the bias corrections would be ≈ 1: m̂ ≈ 0.1g, √v̂ ≈ 0.0316|g|, a step ≈ 3.16 lr.
    assert.ok(Math.abs(state.adjustments[1]! - 0.01) < 1e-6);
  });
});
