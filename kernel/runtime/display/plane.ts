/**
 * The data points of a 2-input dataset as a network payload embeds them, for the decision boundary drawn
 * behind them (webviews/renderers/network/boundary.ts) and the SVG fallback: train and test points apart,
 * each with its class (argmax of a one-hot target, 0/1 of a binary one) or, for regression, its value.
 */
import type { NfrunReader } from "../../record/reader";
import { testSet } from "../../record/test-split";
export interface PointSet {
  readonly x1: readonly number[];
  readonly x2: readonly number[];
  /** Class index, or the target value when `classes` is empty. */
  readonly label: readonly number[];
}

export interface PlanePoints {
  readonly names: readonly [string, string];
  /** Class names (two for a binary target); empty when the target is a value (regression). */
  readonly classes: readonly string[];
  readonly train: PointSet;
  readonly test: PointSet | null;
  /** Points left out (beyond MAX_PLANE_POINTS per set) so a saved notebook stays small. */
  readonly omitted: number;
}

/** What planePoints reads of a dataset (the engine's Dataset and a run file's stored data both fit). */
export interface PlaneData {
  readonly count: number;
  readonly inputSize: number;
  readonly targetSize: number;
  readonly inputs: ArrayLike<number>;
  readonly targets: ArrayLike<number>;
  readonly inputNames: readonly string[];
  readonly targetNames: readonly string[];
}

export const MAX_PLANE_POINTS = 1000;

/** The points of 2-input data (null for any other input size); `test` is the held-out split when there is one. */
export function planePoints(train: PlaneData, test?: PlaneData | null): PlanePoints | null {
  if (train.inputSize !== 2 || (test && test.inputSize !== 2)) return null;
  const binary = train.targetSize === 1 && [train, ...(test ? [test] : [])].every((d) => Array.prototype.every.call(d.targets, (v: number) => v === 0 || v === 1));
  const classes = train.targetSize > 1 ? [...train.targetNames] : binary ? [`${train.targetNames[0] ?? "y"} = 0`, `${train.targetNames[0] ?? "y"} = 1`] : [];
  let omitted = 0;
  const set = (d: PlaneData): PointSet => {
    const n = Math.min(d.count, MAX_PLANE_POINTS);
    omitted += d.count - n;
    const x1: number[] = [];
    const x2: number[] = [];
    const label: number[] = [];
    for (let i = 0; i < n; i++) {
      x1.push(d.inputs[2 * i]!);
      x2.push(d.inputs[2 * i + 1]!);
      if (d.targetSize === 1) label.push(d.targets[i]!);
      else {
        let best = 0;
        for (let k = 1; k < d.targetSize; k++) if (d.targets[i * d.targetSize + k]! > d.targets[i * d.targetSize + best]!) best = k;
        label.push(best);
      }
    }
    return { x1, x2, label };
  };
  return { names: [train.inputNames[0] ?? "x1", train.inputNames[1] ?? "x2"], classes, train: set(train), test: test ? set(test) : null, omitted };
}

/** The run's data points when it has two inputs, its test split's too (names from the file; x1, x2 / y when they are not a list of strings). */
export function storedPlane(reader: NfrunReader, runId: string): PlanePoints | null {
  const ctx = reader.context(runId);
  if (ctx.inputSize !== 2) return null;
  const row = reader.query("SELECT input_names, target_names FROM datasets WHERE run_id = ?", [runId])[0];
  const names = (v: unknown, n: number, stem: string): string[] => {
    let list: unknown;
    try {
      list = JSON.parse(String(v));
    } catch {
      list = null;
    }
    return Array.isArray(list) && list.length === n && list.every((x) => typeof x === "string") ? list : Array.from({ length: n }, (_, i) => `${stem}${i + 1}`);
  };
  const test = testSet(reader, runId, 2, ctx.targetSize);
  return planePoints({
    count: ctx.dataCount,
    inputSize: 2,
    targetSize: ctx.targetSize,
    inputs: ctx.x,
    targets: ctx.y,
    inputNames: names(row?.[0], 2, "x"),
    targetNames: names(row?.[1], ctx.targetSize, "y"),
  }, test);
}
