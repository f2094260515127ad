import { Rng } from "../math/rng";
import { datasetArray, type Dataset } from "./dataset";

/** A dataset divided into the samples trained on and the held-out samples evaluated at each epoch end. */
export interface SplitDataset {
  readonly train: Dataset;
  readonly test: Dataset;
}

/**
 * Holds out round(fraction × count) samples, chosen by a seeded shuffle (the same seed gives the same
 * split on every machine). Both parts keep the dataset's order, so an unshuffled run still reads its
 * training samples in file order. `where` names the option in errors (`data.test_fraction`).
 */
export function splitDataset(data: Dataset, fraction: number, seed = 0, where = "test_fraction"): SplitDataset {
  if (typeof fraction !== "number" || !(fraction > 0 && fraction < 1)) {
    throw new RangeError(`${where}: must be a number between 0 and 1 (exclusive), got ${String(fraction)}`);
  }
  const n = data.count;
  const held = Math.round(fraction * n);
  if (held < 1 || held >= n) {
    throw new RangeError(`${where}: ${fraction} of ${n} samples holds out ${held}; it must leave at least one sample on each side`);
  }
  const order = Int32Array.from({ length: n }, (_, i) => i);
  new Rng(seed).shuffle(order);
  const isTest = new Uint8Array(n);
  for (let k = 0; k < held; k++) isTest[order[k]!] = 1;
  return { train: pick(data, isTest, 0, n - held, data.name), test: pick(data, isTest, 1, held, `${data.name} (test)`) };
}

function pick(data: Dataset, isTest: Uint8Array, side: 0 | 1, count: number, name: string): Dataset {
  const { inputSize, targetSize } = data;
  const inputs = datasetArray(count * inputSize);
  const targets = datasetArray(count * targetSize);
  let r = 0;
  for (let i = 0; i < data.count; i++) {
    if (isTest[i] !== side) continue;
    inputs.set(data.inputs.subarray(i * inputSize, (i + 1) * inputSize), r * inputSize);
    targets.set(data.targets.subarray(i * targetSize, (i + 1) * targetSize), r * targetSize);
    r++;
  }
  return { name, count, inputSize, targetSize, inputs, targets, inputNames: data.inputNames, targetNames: data.targetNames };
}
