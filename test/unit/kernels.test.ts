/**
 * The WebAssembly kernels (kernel/engine/math/kernels.wat) against their definitions written out as
 * plain loops here: every pre-activation z = (((0 + x₀·w₀) + x₁·w₁) + …) + bias, and every folded weight
 * ((from + x₁·δ₁) + x₂·δ₂) + …, ÷ the divisor. Bit for bit, for shapes that exercise every blocking
 * remainder (neurons not a multiple of 4, inputs not a multiple of 4 or 2, odd and even sample counts).
 * The sgd kernel against the strategy's own step (itself checked against PyTorch's formulas in
 * optimizers.test.ts). columnStats (the lifecycle's activation sums) against the per-column loop. Also: the
 * committed kernel bytes are the assembly of the committed .wat files.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { describe, test } from "node:test";
import { foldLeverage } from "../../kernel/engine/leverage";
import { Arena } from "../../kernel/engine/math/arena";
import { Model } from "../../kernel/engine/model";
import { resolveHyperparameters } from "../../kernel/engine/optimizers/hyperparameters";
import { sgd } from "../../kernel/engine/optimizers/sgd";
import type { Strategy } from "../../kernel/engine/optimizers/strategy";
import { StrategyState } from "../../kernel/engine/optimizers/strategy-state";

const SHAPES: readonly [inputs: number, units: number][] = [[1, 1], [2, 3], [5, 4], [7, 9], [8, 8], [13, 6], [784, 10]];
const ROWS = [1, 2, 3, 4, 5, 7, 32];

function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => ((a = (a * 1103515245 + 12345) >>> 0) / 2 ** 32) * 2 - 1;
}

function sameBits(actual: Float64Array, expected: Float64Array, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i])) assert.fail(`${what}: element ${i} is ${actual[i]}, the definition gives ${expected[i]}`);
  }
}

/** An arena array of n random values (TypedArray.map would allocate outside the arena). */
function filled(arena: Arena, n: number, rnd: () => number): Float64Array {
  const v = arena.alloc(n);
  for (let i = 0; i < n; i++) v[i] = rnd();
  return v;
}

function layerModel(inputs: number, units: number, seed: number): Model {
  const model = new Model({ inputs, layers: [{ units, activation: "linear" }] });
  const rnd = random(seed);
  for (let i = 0; i < model.params.length; i++) model.params[i] = rnd();
  return model;
}

describe("WebAssembly kernels equal their definitions bit for bit", () => {
  for (const [inputs, units] of SHAPES) {
    for (const rows of ROWS) {
      test(`forward: ${inputs} inputs, ${units} neurons, ${rows} samples`, () => {
        const model = layerModel(inputs, units, inputs * 31 + units);
        const arena = model.arena;
        const rnd = random(rows);
        const x = filled(arena, rows * inputs, rnd);
        const z = arena.alloc(rows * units);
        const a = arena.alloc(rows * units);
        model.forward(0, x, z, a, rows);
        const expected = new Float64Array(rows * units);
        const p = model.params;
        for (let r = 0; r < rows; r++) {
          for (let j = 0; j < units; j++) {
            let s = 0;
            for (let k = 0; k < inputs; k++) s += x[r * inputs + k]! * p[j * (inputs + 1) + k]!;
            expected[r * units + j] = s + p[j * (inputs + 1) + inputs]!;
          }
        }
        sameBits(z, expected, "z");
        sameBits(a, expected, "a (linear)");
      });

      test(`fold: ${inputs} inputs, ${units} neurons, ${rows} samples`, () => {
        const model = layerModel(inputs, units, 7);
        const arena = model.arena;
        const rnd = random(rows * 17 + inputs);
        const x = filled(arena, rows * inputs, rnd);
        const d = filled(arena, rows * units, rnd);
        const from = filled(arena, model.weightCount, rnd);
        const expected = new Float64Array(model.weightCount);
        const divisor = rows === 1 ? 1 : rows;
        for (let j = 0; j < units; j++) {
          for (let k = 0; k <= inputs; k++) {
            const i = j * (inputs + 1) + k;
            let s = from[i]!;
            for (let r = 0; r < rows; r++) s += (k === inputs ? 1 : x[r * inputs + k]!) * d[r * units + j]!;
            expected[i] = s / divisor;
          }
        }
        const out = arena.alloc(model.weightCount);
        foldLeverage(arena, model.layers[0]!, arena.address(x), arena.address(d), rows, from, out, divisor);
        sameBits(out, expected, "fold into another array");
        // In place, and into a bank that is not the arena's (staged through scratch).
        const own = from.slice();
        foldLeverage(arena, model.layers[0]!, arena.address(x), arena.address(d), rows, from, from, divisor);
        sameBits(from, expected, "fold in place");
        foldLeverage(arena, model.layers[0]!, arena.address(x), arena.address(d), rows, own, own, divisor);
        sameBits(own, expected, "fold into a caller's array");
        // From a bank of +0 that is not read (null) = from the zeros themselves.
        const fromZeros = new Float64Array(model.weightCount);
        for (let j = 0; j < units; j++) {
          for (let k = 0; k <= inputs; k++) {
            let z = 0;
            for (let r = 0; r < rows; r++) z += (k === inputs ? 1 : x[r * inputs + k]!) * d[r * units + j]!;
            fromZeros[j * (inputs + 1) + k] = z / divisor;
          }
        }
        const garbage = filled(arena, model.weightCount, () => NaN);
        foldLeverage(arena, model.layers[0]!, arena.address(x), arena.address(d), rows, null, garbage, divisor);
        sameBits(garbage, fromZeros, "fold from an unread +0 bank");
      });
    }
  }

  test("sumSquares2: both sums of squares in index order (the norms), overflow and NaN included", () => {
    const arena = new Arena();
    const rnd = random(5);
    for (const n of [0, 1, 2, 7, 1000]) {
      const a = filled(arena, n, () => rnd() * 1e3);
      const b = filled(arena, n, rnd);
      if (n === 7) a[3] = 1e200; // its square overflows to Infinity
      if (n === 2) b[1] = NaN;
      const out = arena.alloc(2);
      arena.kernels.sumSquares2(arena.address(a), arena.address(b), n, arena.address(out));
      let s = 0;
      let t = 0;
      for (let i = 0; i < n; i++) {
        s += a[i]! * a[i]!;
        t += b[i]! * b[i]!;
      }
      sameBits(out, Float64Array.of(s, t), `${n} values`);
    }
  });

  test("columnStats: per column of a block, Σv, Σv² and Σ|v| added onto the sums, rows in order (odd and even columns, NaN included)", () => {
    const arena = new Arena();
    const rnd = random(8);
    for (const units of [1, 2, 3, 10, 64]) {
      for (const rows of [1, 5, 32]) {
        const a = filled(arena, rows * units, () => rnd() * 3);
        if (units === 3 && rows === 5) a[7] = NaN;
        const [sum, squares, abs] = [0, 1, 2].map(() => filled(arena, units, rnd));
        const expected = [sum!.slice(), squares!.slice(), abs!.slice()];
        for (let j = 0; j < units; j++) {
          for (let r = 0; r < rows; r++) {
            const v = a[r * units + j]!;
            expected[0]![j] += v;
            expected[1]![j] += v * v;
            expected[2]![j] += Math.abs(v);
          }
        }
        arena.kernels.columnStats(arena.address(a), rows, units, arena.address(sum!), arena.address(squares!), arena.address(abs!));
        [sum!, squares!, abs!].forEach((got, i) => sameBits(got, expected[i]!, `${rows} × ${units}, ${["Σv", "Σv²", "Σ|v|"][i]}`));
      }
    }
  });

  test("an array from elsewhere is refused as a kernel operand", () => {
    const a = new Arena();
    assert.throws(() => a.address(new Float64Array(4)), /not an array of this arena/);
    assert.throws(() => new Arena().address(a.alloc(4)), /not an array of this arena/);
  });

  test("more than the arena's 4 GiB is refused with a message, not a crash", () => {
    const a = new Arena();
    assert.throws(() => a.alloc(2 ** 29 + 1), /model too large: .*4 GiB/);
    assert.equal(a.alloc(4).length, 4, "the arena still works after the refusal");
  });

  test("arrays stay valid when the arena grows", () => {
    const a = new Arena();
    const first = a.alloc(8).fill(3);
    const big = a.alloc(1 << 20);
    big[big.length - 1] = 1;
    assert.equal(first.length, 8);
    assert.deepEqual(Array.from(first), new Array(8).fill(3));
    assert.equal(a.address(big, big.length - 1), a.address(big) + (big.length - 1) * 8);
  });
});

describe("the sgd kernel steps like sgdStep, bit for bit", () => {
  const cases = [
    { momentum: 0, dampening: 0, weight_decay: 0, nesterov: false },
    { momentum: 0, dampening: 0, weight_decay: 0.01, nesterov: false },
    { momentum: 0.9, dampening: 0, weight_decay: 0, nesterov: false },
    { momentum: 0.9, dampening: 0.3, weight_decay: 0.01, nesterov: false },
    { momentum: 0.8, dampening: 0, weight_decay: 0.02, nesterov: true },
  ];
  for (const h of cases) {
    test(JSON.stringify(h), () => {
      const n = 1037;
      const model = layerModel(16, 61, 3);
      assert.equal(model.weightCount, n);
      const arena = model.arena;
      let kernelCalls = 0;
      const counted: Strategy = { ...sgd, kernel: (call, from, to) => (kernelCalls++, sgd.kernel!(call, from, to)) };
      const hyper = resolveHyperparameters(sgd, { lr: 0.05, ...h });
      const fast = new StrategyState(counted, hyper, n, model.neuronOfWeight, model.neuronCount, arena);
      const plain = new StrategyState(sgd, hyper, n, model.neuronOfWeight, model.neuronCount);
      const rnd = random(99);
      const theta = model.params;
      const theirTheta = theta.slice();
      const lr = filled(arena, n, () => 0.01 + Math.abs(rnd()));
      const bank = filled(arena, n, rnd);
      for (let t = 1; t <= 3; t++) {
        for (let i = 0; i < n; i++) bank[i] = rnd();
        if (t === 3) bank[5] = 1e170; // its square overflows: the divergence guard must see it on both paths
        fast.commit(theta, bank, 3, lr, 0.5, null);
        plain.commit(theirTheta, bank.slice(), 3, lr.slice(), 0.5, null);
        sameBits(theta, theirTheta, `θ after commit ${t}`);
        sameBits(fast.perWeight.momentum_buffer!, plain.perWeight.momentum_buffer!, `momentum buffer after commit ${t}`);
        assert.equal(fast.stepNorm, plain.stepNorm, `‖adjustment‖ after commit ${t}`);
        assert.equal(fast.gradNorm, plain.gradNorm, `‖avg‖ after commit ${t}`);
        assert.equal(fast.normsFinite, plain.normsFinite, `divergence guard after commit ${t}`);
      }
      assert.equal(fast.normsFinite, false, "the outsized gradient was flagged");
      assert.ok(kernelCalls >= 3, `the kernel stepped the weights (${kernelCalls} calls)`);
    });
  }
});

test("kernels-wasm.ts and summary-wasm.ts are the assembly of kernels.wat and summary.wat (node bin/build-kernels.mjs --check)", () => {
  execFileSync(process.execPath, ["bin/build-kernels.mjs", "--check"], { stdio: "pipe" });
});
