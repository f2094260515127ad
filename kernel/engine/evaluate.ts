import type { Dataset } from "./datasets/dataset";
import type { Loss, LossName } from "./losses";
import type { Model } from "./model";

/** A model judged on held-out samples: no blame, no adjustment. */
export interface TestMetrics {
  /** Mean per-sample loss (the training loss's formula). */
  readonly loss: number;
  /** Fraction of correct predictions; null for a regression loss (mse, mae, huber). */
  readonly accuracy: number | null;
  readonly samples: number;
}

/**
 * Which losses have an accuracy, and how a prediction counts as correct: cce — the arg-max output is
 * the arg-max target (the first on ties); bce — each output thresholded at 0.5 equals its target
 * thresholded at 0.5, counted per output (multi-label targets score per label).
 */
export function hasAccuracy(loss: LossName): boolean {
  return loss === "cce" || loss === "bce";
}

function argmax(v: ArrayLike<number>, from: number, n: number): number {
  let best = 0;
  for (let i = 1; i < n; i++) if (v[from + i]! > v[from + best]!) best = i;
  return best;
}

/**
 * Predicts every sample of `data` and averages the loss (and, for classification, the accuracy). It
 * overwrites the model's z and a of the last predicted sample, nothing else: the weights, the blame
 * bank and the optimizer state are untouched.
 */
export function evaluate(model: Model, loss: Loss, data: Dataset): TestMetrics {
  const n = model.outputs;
  const grad = new Float64Array(n);
  const target = new Float64Array(n);
  const classify = hasAccuracy(loss.name);
  let sum = 0;
  let correct = 0;
  for (let s = 0; s < data.count; s++) {
    const yHat = model.predict(data.inputs, s * data.inputSize);
    target.set(data.targets.subarray(s * data.targetSize, (s + 1) * data.targetSize));
    sum += loss.judge(yHat, target, n, grad);
    if (loss.name === "cce") {
      if (argmax(yHat, 0, n) === argmax(target, 0, n)) correct++;
    } else if (classify) {
      for (let i = 0; i < n; i++) if (yHat[i]! >= 0.5 === target[i]! >= 0.5) correct++;
    }
  }
  const count = data.count;
  const accuracy = !classify ? null : loss.name === "cce" ? correct / count : correct / (count * n);
  return { loss: sum / count, accuracy, samples: count };
}
