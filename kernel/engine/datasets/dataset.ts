/** Samples in row-major typed arrays: sample i's inputs are inputs[i·inputSize … (i+1)·inputSize). */
export interface Dataset {
  readonly name: string;
  readonly count: number;
  readonly inputSize: number;
  readonly targetSize: number;
  readonly inputs: Float64Array;
  readonly targets: Float64Array;
  readonly inputNames: readonly string[];
  readonly targetNames: readonly string[];
}

/**
 * A dataset array of n values, in shared memory: a recorder's writer thread (kernel/record) reads the
 * samples where they are instead of a copy made on the training thread first (MNIST's 10,000 digits are
 * 63 MB: ~21 ms of each recorded run's training time), and sweep workers share them. A dataset must not
 * change while a run trains on it.
 */
export function datasetArray(n: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer(8 * n));
}

/** Builds a Dataset from rows, checking that every row has the declared width. */
export function datasetFromRows(
  name: string,
  inputRows: readonly (readonly number[])[],
  targetRows: readonly (readonly number[])[],
  names?: { inputs?: readonly string[]; targets?: readonly string[] },
): Dataset {
  if (inputRows.length !== targetRows.length) {
    throw new RangeError(`${name}: ${inputRows.length} input rows but ${targetRows.length} target rows`);
  }
  if (inputRows.length === 0) throw new RangeError(`${name}: no samples`);
  const inputSize = inputRows[0]!.length;
  const targetSize = targetRows[0]!.length;
  const inputs = datasetArray(inputRows.length * inputSize);
  const targets = datasetArray(targetRows.length * targetSize);
  inputRows.forEach((row, i) => {
    if (row.length !== inputSize) throw new RangeError(`${name}: sample ${i} has ${row.length} inputs, expected ${inputSize}`);
    inputs.set(row, i * inputSize);
  });
  targetRows.forEach((row, i) => {
    if (row.length !== targetSize) throw new RangeError(`${name}: sample ${i} has ${row.length} targets, expected ${targetSize}`);
    targets.set(row, i * targetSize);
  });
  return {
    name,
    count: inputRows.length,
    inputSize,
    targetSize,
    inputs,
    targets,
    inputNames: names?.inputs ?? Array.from({ length: inputSize }, (_, i) => `x${i + 1}`),
    targetNames: names?.targets ?? Array.from({ length: targetSize }, (_, i) => `y${i + 1}`),
  };
}
