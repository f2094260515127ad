/**
 * Blame → leverage → bank is backpropagation: after one sample the blame bank must equal dLoss/dθ for
 * every weight and bias. Checked against central finite differences of an independent reference
 * forward pass and loss (test/unit/support/reference-net.ts), for every activation × every loss.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { ActivationName } from "../../kernel/engine/activations";
import { BlameStep } from "../../kernel/engine/blame";
import { datasetFromRows } from "../../kernel/engine/datasets/dataset";
import { losses, type LossName } from "../../kernel/engine/losses";
import { Rng } from "../../kernel/engine/math/rng";
import { Model, type ModelSpec } from "../../kernel/engine/model";
import { sgd } from "../../kernel/engine/optimizers/sgd";
import { Trainer } from "../../kernel/engine/trainer";
import { assertClose, fdGradient, kinkMargin, refForward, refParamCount } from "./support/reference-net";

const HIDDEN: readonly ActivationName[] = ["linear", "sigmoid", "tanh", "relu", "leaky_relu"];
const OUTPUT: readonly ActivationName[] = ["linear", "sigmoid", "tanh", "relu", "leaky_relu", "softmax"];
const LOSSES: readonly LossName[] = ["mse", "mae", "huber", "bce", "cce"];

/** FD truncation error ~h²·L‴ ≈ 1e-12 and rounding ≈ ε·L/h ≈ 1e-10 are far below this. */
const ATOL = 1e-7;
const RTOL = 1e-6;
/** Every kink must be at least this far from the sample, so ±h (1e-6) never crosses one. */
const KINK_MARGIN = 1e-3;

const X = [0.7, -1.2, 0.4];

/** Why a combination cannot be trained, or null when it is valid. */
function invalidReason(output: ActivationName, loss: LossName): string | null {
  if (loss === "cce" && output !== "softmax") return "cce needs a softmax output (the Trainer rejects it)";
  if (loss === "bce" && output !== "sigmoid" && output !== "softmax") {
    return `bce needs outputs in (0, 1); ${output} outputs are not probabilities`;
  }
  return null;
}

/** A target for the loss: probabilities (one-hot) for bce/cce, real values for the regression losses. */
function targetFor(loss: LossName, outputs: number): number[] {
  if (loss === "bce" || loss === "cce") return outputs === 2 ? [1, 0] : [0, 1, 0];
  // Away from typical outputs so Huber sees both its quadratic and its linear branch across the suite.
  return [2.5, -0.3, 0.45].slice(0, outputs);
}

/**
 * Parameters drawn from a seeded normal until the sample is away from every kink and the gradient is
 * not trivially zero (e.g. a dead ReLU output); deterministic, and the search must succeed.
 */
function pickParams(spec: ModelSpec, loss: LossName, x: readonly number[], y: readonly number[], std = 0.8): Float64Array {
  const count = refParamCount(spec);
  for (let seed = 1; seed <= 200; seed++) {
    const rng = new Rng(seed);
    const p = Float64Array.from({ length: count }, () => rng.normal(0, std));
    if (kinkMargin(spec, p, loss, x, y) < KINK_MARGIN) continue;
    const g = fdGradient(spec, p, loss, x, y);
    if (g.reduce((m, v) => Math.max(m, Math.abs(v)), 0) < 1e-3) continue;
    return p;
  }
  assert.fail(`no kink-free parameters found for ${JSON.stringify(spec)} / ${loss}`);
}

/** The blame bank after predicting and blaming one sample (bank zeroed first). */
function bankOneSample(model: Model, loss: LossName, x: readonly number[], y: readonly number[]): Float64Array {
  const blame = new BlameStep(model, losses[loss]);
  const bank = new Float64Array(model.weightCount);
  model.predict(x);
  blame.run(y, 0, new Float64Array(model.outputs), bank);
  return bank;
}

function checkGradient(spec: ModelSpec, loss: LossName, x: readonly number[], y: readonly number[]): void {
  const model = new Model(spec);
  assert.equal(model.weightCount, refParamCount(spec), "parameter count (weights + biases)");
  model.params.set(pickParams(spec, loss, x, y));
  // The engine's forward pass is the function the reference differentiates.
  assertClose(model.predict(x), refForward(spec, model.params, x).output, 1e-14, 1e-13, "predict vs reference forward");
  const bank = bankOneSample(model, loss, x, y);
  const fd = fdGradient(spec, model.params, loss, x, y);
  assertClose(bank, fd, ATOL, RTOL, `bank vs finite differences (${loss})`);
}

describe("banked leverage after one sample = dLoss/dθ (finite differences), 3-4-2 / 3-4-3 nets", () => {
  for (const loss of LOSSES) {
    describe(`loss ${loss}`, () => {
      for (const hidden of HIDDEN) {
        for (const output of OUTPUT) {
          const name = `hidden ${hidden}, output ${output}`;
          const reason = invalidReason(output, loss);
          // Invalid combinations are not registered as tests; the test below pins exactly which they are.
          if (reason) continue;
          test(name, () => {
            const outputs = output === "softmax" ? 3 : 2;
            const spec: ModelSpec = { inputs: 3, layers: [{ units: 4, activation: hidden }, { units: outputs, activation: output }] };
            checkGradient(spec, loss, X, targetFor(loss, outputs));
          });
        }
      }
    });
  }

  test("the invalid combinations are exactly the ones the Trainer rejects or that leave (0, 1)", () => {
    // cce without softmax is refused by the Trainer, so leaving it out above hides nothing.
    const model = new Model({ inputs: 3, layers: [{ units: 2, activation: "sigmoid" }] });
    assert.throws(
      () => new Trainer({ model, loss: "cce", strategy: sgd, hyperparameters: { lr: 0.1 }, batchSize: 1 }),
      (e: unknown) => e instanceof RangeError && /cce/.test(e.message) && /softmax/.test(e.message),
    );
    const skipped = LOSSES.flatMap((l) => OUTPUT.filter((o) => invalidReason(o, l)).map((o) => `${l}/${o}`));
    assert.deepEqual(skipped, [
      "bce/linear",
      "bce/tanh",
      "bce/relu",
      "bce/leaky_relu",
      "cce/linear",
      "cce/sigmoid",
      "cce/tanh",
      "cce/relu",
      "cce/leaky_relu",
    ]);
  });
});

describe("deeper nets (3 hidden layers)", () => {
  const cases: { hidden: [ActivationName, ActivationName, ActivationName]; output: ActivationName; loss: LossName; outputs: number }[] = [
    { hidden: ["tanh", "relu", "sigmoid"], output: "linear", loss: "mse", outputs: 2 },
    { hidden: ["leaky_relu", "tanh", "relu"], output: "sigmoid", loss: "bce", outputs: 2 },
    { hidden: ["sigmoid", "leaky_relu", "tanh"], output: "softmax", loss: "cce", outputs: 3 },
    { hidden: ["relu", "linear", "leaky_relu"], output: "leaky_relu", loss: "huber", outputs: 2 },
    { hidden: ["tanh", "sigmoid", "relu"], output: "tanh", loss: "mae", outputs: 3 },
    { hidden: ["relu", "relu", "tanh"], output: "softmax", loss: "mse", outputs: 3 },
  ];
  for (const c of cases) {
    test(`3-5-4-3-${c.outputs}: ${c.hidden.join(" → ")} → ${c.output}, ${c.loss}`, () => {
      const spec: ModelSpec = {
        inputs: 3,
        layers: [
          { units: 5, activation: c.hidden[0] },
          { units: 4, activation: c.hidden[1] },
          { units: 3, activation: c.hidden[2] },
          { units: c.outputs, activation: c.output },
        ],
      };
      checkGradient(spec, c.loss, X, targetFor(c.loss, c.outputs));
    });
  }
});

describe("special cases", () => {
  test("softmax + cce with soft labels that sum to 1", () => {
    const spec: ModelSpec = { inputs: 3, layers: [{ units: 4, activation: "tanh" }, { units: 3, activation: "softmax" }] };
    checkGradient(spec, "cce", X, [0.2, 0.5, 0.3]);
  });

  test("huber exercises both branches in one sample", () => {
    const spec: ModelSpec = { inputs: 3, layers: [{ units: 4, activation: "tanh" }, { units: 2, activation: "linear" }] };
    const y = [5, 0];
    const model = new Model(spec);
    model.params.set(pickParams(spec, "huber", X, y, 0.3));
    const out = refForward(spec, model.params, X).output;
    assert.ok(Math.abs(out[0]! - y[0]!) > 1, "output 0 in the linear branch");
    assert.ok(Math.abs(out[1]! - y[1]!) < 1, "output 1 in the quadratic branch");
    assertClose(bankOneSample(model, "huber", X, y), fdGradient(spec, model.params, "huber", X, y), ATOL, RTOL, "bank vs FD");
  });

  test("a single-layer net (no hidden layer)", () => {
    const spec: ModelSpec = { inputs: 3, layers: [{ units: 2, activation: "sigmoid" }] };
    checkGradient(spec, "bce", X, [0, 1]);
  });

  test("through the Trainer: the bank seen by an observer after the first sample equals the FD gradient", () => {
    const spec: ModelSpec = { inputs: 3, layers: [{ units: 4, activation: "tanh" }, { units: 3, activation: "softmax" }] };
    const model = new Model(spec);
    const y = [0, 0, 1];
    model.params.set(pickParams(spec, "cce", X, y));
    const expected = fdGradient(spec, model.params, "cce", X, y);
    const data = datasetFromRows("two", [X, [0.1, 0.2, 0.3]], [y, [1, 0, 0]]);
    let seen: Float64Array | null = null;
    const trainer = new Trainer({
      model,
      loss: "cce",
      strategy: sgd,
      hyperparameters: { lr: 0.1 },
      batchSize: 2,
      observers: [{ onSample: (e) => void (e.position === 0 && (seen = Float64Array.from(e.trainer.bank))) }],
    });
    trainer.trainEpoch(data);
    assert.ok(seen, "observer saw the first sample");
    assertClose(seen!, expected, ATOL, RTOL, "trainer bank after sample 0");
  });
});

test("softmax + cce with targets that do not sum to 1: blame is ŷ·Σy − y (finite differences)", () => {
  const spec: ModelSpec = { inputs: 3, layers: [{ units: 4, activation: "tanh" }, { units: 3, activation: "softmax" }] };
  checkGradient(spec, "cce", X, [0.5, 0.5, 0.5]);
});
