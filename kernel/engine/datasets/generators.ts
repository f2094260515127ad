import { Rng } from "../math/rng";
import { didYouMean } from "../optimizers/hyperparameters";
import { datasetArray, type Dataset } from "./dataset";

/**
 * Built-in seeded data generators. Every random number comes from `Rng(seed)`, so the same options give
 * the same dataset on every machine.
 *
 * Conventions shared by all generators:
 * - `count` samples (integer ≥ 1, default 200); `seed` an integer in [0, 2³²−1] (default 0);
 * - `noise` (≥ 0) is the standard deviation of Gaussian noise added to every input coordinate of the
 *   classification sets and to the target of the regression sets;
 * - classification sets interleave the classes (sample i has class i mod classes), so classes are
 *   balanced to within one sample and a dataset read in order never shows a long run of one class;
 * - two classes give one binary target `y` ∈ {0, 1}; more than two give a one-hot target
 *   `class0 … class(K−1)` (for a softmax output and `cce`).
 */
export type GeneratorName = "xor" | "and" | "or" | "circles" | "spiral" | "gaussian" | "moons" | "plane" | "sine";

export interface GeneratorOptions {
  /** Number of samples (integer ≥ 1). */
  readonly count?: number;
  /** Standard deviation of the Gaussian noise (≥ 0). */
  readonly noise?: number;
  /** Seed of the random stream (integer in [0, 2³²−1]). */
  readonly seed?: number;
  /** Number of classes (spiral arms, gaussian clusters); integer ≥ 2. */
  readonly classes?: number;
  /** `plane` only: y = a·x1 + b·x2 + c. */
  readonly a?: number;
  readonly b?: number;
  readonly c?: number;
}

export type Generator = (options?: GeneratorOptions, where?: string) => Dataset;

export interface GeneratorSpec {
  readonly name: GeneratorName;
  readonly description: string;
  /** The options this generator accepts and their defaults. */
  readonly defaults: Readonly<GeneratorOptions>;
  readonly generate: Generator;
}

const DEFAULT_COUNT = 200;
const MAX_SEED = 0xffffffff;

/** Logic-gate corners and their truth tables, in the order (0,0), (0,1), (1,0), (1,1). */
const CORNERS: readonly (readonly [number, number])[] = [
  [0, 0],
  [0, 1],
  [1, 0],
  [1, 1],
];
const TRUTH: Readonly<Record<"xor" | "and" | "or", readonly number[]>> = {
  xor: [0, 1, 1, 0],
  and: [0, 0, 0, 1],
  or: [0, 1, 1, 1],
};

interface Resolved {
  readonly count: number;
  readonly noise: number;
  readonly seed: number;
  readonly classes: number;
  readonly a: number;
  readonly b: number;
  readonly c: number;
}

/** Checks `given` against the generator's accepted options; RangeErrors name the option (`data.count`). */
function resolve(name: GeneratorName, defaults: Readonly<GeneratorOptions>, given: GeneratorOptions | undefined, where: string): Resolved {
  const accepted = Object.keys(defaults);
  const options = (given ?? {}) as Record<string, unknown>;
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new RangeError(`${where}: expected an object of options`);
  }
  for (const key of Object.keys(options)) {
    if (!accepted.includes(key)) {
      const hint = didYouMean(key, accepted);
      throw new RangeError(
        `${where}.${key}: not an option of the '${name}' generator` +
          (hint ? ` (did you mean '${hint}'?)` : ` (options: ${accepted.join(", ")})`),
      );
    }
  }
  const value = (key: keyof GeneratorOptions): unknown => (options[key] === undefined ? defaults[key] : options[key]);
  const count = value("count");
  if (typeof count !== "number" || !Number.isInteger(count) || count < 1) {
    throw new RangeError(`${where}.count: must be an integer ≥ 1, got ${show(count)}`);
  }
  const noise = value("noise");
  if (typeof noise !== "number" || !Number.isFinite(noise) || noise < 0) {
    throw new RangeError(`${where}.noise: must be a finite number ≥ 0, got ${show(noise)}`);
  }
  const seed = value("seed");
  if (typeof seed !== "number" || !Number.isInteger(seed) || seed < 0 || seed > MAX_SEED) {
    throw new RangeError(`${where}.seed: must be an integer in [0, ${MAX_SEED}], got ${show(seed)}`);
  }
  let classes = 2;
  if ("classes" in defaults) {
    const k = value("classes");
    if (typeof k !== "number" || !Number.isInteger(k) || k < 2) {
      throw new RangeError(`${where}.classes: must be an integer ≥ 2, got ${show(k)}`);
    }
    if (count < k) throw new RangeError(`${where}.count: must be ≥ classes (${k}) so every class has a sample, got ${count}`);
    classes = k;
  }
  const coefficient = (key: "a" | "b" | "c"): number => {
    if (!(key in defaults)) return 0;
    const v = value(key);
    if (typeof v !== "number" || !Number.isFinite(v)) throw new RangeError(`${where}.${key}: must be a finite number, got ${show(v)}`);
    return v;
  };
  return { count, noise, seed, classes, a: coefficient("a"), b: coefficient("b"), c: coefficient("c") };
}

function show(v: unknown): string {
  return typeof v === "string" ? JSON.stringify(v) : String(v);
}

/** Target names: one binary column for two classes, one-hot columns beyond. */
function classTargetNames(classes: number): string[] {
  return classes === 2 ? ["y"] : Array.from({ length: classes }, (_, k) => `class${k}`);
}

/** A 2-input classification dataset; `point(k, m, nk)` places the m-th of the nk samples of class k. */
function classification(name: string, r: Resolved, point: (k: number, m: number, nk: number) => readonly [number, number]): Dataset {
  const { count, noise, classes } = r;
  const rng = new Rng(r.seed);
  const width = classes === 2 ? 1 : classes;
  const inputs = datasetArray(count * 2);
  const targets = datasetArray(count * width);
  for (let i = 0; i < count; i++) {
    const k = i % classes;
    const m = Math.floor(i / classes);
    // Samples of class k: indices k, k + K, k + 2K, … < count.
    const nk = Math.floor((count - 1 - k) / classes) + 1;
    const [x1, x2] = point(k, m, nk);
    inputs[2 * i] = noise > 0 ? x1 + rng.normal(0, noise) : x1;
    inputs[2 * i + 1] = noise > 0 ? x2 + rng.normal(0, noise) : x2;
    if (width === 1) targets[i] = k;
    else targets[i * width + k] = 1;
  }
  return { name, count, inputSize: 2, targetSize: width, inputs, targets, inputNames: ["x1", "x2"], targetNames: classTargetNames(classes) };
}

/** A spec whose `generate` validates the options (naming them under `where`) before `make` runs. */
function define(
  name: GeneratorName,
  description: string,
  defaults: Readonly<GeneratorOptions>,
  make: (r: Resolved) => Dataset,
): GeneratorSpec {
  return { name, description, defaults, generate: (options, where = "data") => make(resolve(name, defaults, options, where)) };
}

function gate(kind: "xor" | "and" | "or"): GeneratorSpec {
  return define(
    kind,
    `Logic gate ${kind.toUpperCase()}: samples cycle through the corners (0,0), (0,1), (1,0), (1,1) plus Gaussian noise; ` +
      `target ${TRUTH[kind].join(", ")}. count 4 with noise 0 is the truth table.`,
    { count: DEFAULT_COUNT, noise: 0.1, seed: 0 },
    (r) => {
      const rng = new Rng(r.seed);
      const inputs = datasetArray(r.count * 2);
      const targets = datasetArray(r.count);
      for (let i = 0; i < r.count; i++) {
        const corner = i % 4;
        const [x1, x2] = CORNERS[corner]!;
        inputs[2 * i] = r.noise > 0 ? x1 + rng.normal(0, r.noise) : x1;
        inputs[2 * i + 1] = r.noise > 0 ? x2 + rng.normal(0, r.noise) : x2;
        targets[i] = TRUTH[kind][corner]!;
      }
      return { name: kind, count: r.count, inputSize: 2, targetSize: 1, inputs, targets, inputNames: ["x1", "x2"], targetNames: ["y"] };
    },
  );
}

/** Inner ring radius (outer ring radius 1), as sklearn's make_circles with factor 0.5. */
export const CIRCLES_INNER_RADIUS = 0.5;
/** Spiral: radius grows from 0 to 1 along an arm while the angle turns by this much (1.5 turns). */
export const SPIRAL_TURN = 3 * Math.PI;
/** Gaussian clusters: centres evenly spaced on a circle of this radius. */
export const CLUSTER_RADIUS = 2;

const specs: readonly GeneratorSpec[] = [
  gate("xor"),
  gate("and"),
  gate("or"),
  define(
    "circles",
    "Two concentric rings (sklearn make_circles, factor 0.5): class 0 on the outer ring (radius 1), class 1 on the " +
      "inner ring (radius 0.5), angles evenly spaced over [0, 2π), plus Gaussian noise.",
    { count: DEFAULT_COUNT, noise: 0.05, seed: 0 },
    (r) =>
      classification("circles", r, (k, m, nk) => {
        const radius = k === 0 ? 1 : CIRCLES_INNER_RADIUS;
        const angle = (2 * Math.PI * m) / nk;
        return [radius * Math.cos(angle), radius * Math.sin(angle)];
      }),
  ),
  define(
    "spiral",
    "Interleaved spiral arms, one per class: along arm k the radius grows from 0 to 1 while the angle turns 1.5 times, " +
      "starting at 2πk/classes; points evenly spaced along the arm plus Gaussian noise.",
    { count: DEFAULT_COUNT, noise: 0.05, seed: 0, classes: 2 },
    (r) =>
      classification("spiral", r, (k, m, nk) => {
        const t = (m + 0.5) / nk;
        const angle = (2 * Math.PI * k) / r.classes + SPIRAL_TURN * t;
        return [t * Math.cos(angle), t * Math.sin(angle)];
      }),
  ),
  define(
    "gaussian",
    "Gaussian clusters, one per class: centres evenly spaced on a circle of radius 2 (class k at angle 2πk/classes); " +
      "each point is its centre plus Gaussian noise of std `noise`.",
    { count: DEFAULT_COUNT, noise: 0.5, seed: 0, classes: 2 },
    (r) =>
      classification("gaussian", r, (k) => {
        const angle = (2 * Math.PI * k) / r.classes;
        return [CLUSTER_RADIUS * Math.cos(angle), CLUSTER_RADIUS * Math.sin(angle)];
      }),
  ),
  define(
    "moons",
    "Two interleaving half circles (sklearn make_moons): class 0 on (cos θ, sin θ), class 1 on (1 − cos θ, 0.5 − sin θ), " +
      "θ evenly spaced over [0, π], plus Gaussian noise.",
    { count: DEFAULT_COUNT, noise: 0.1, seed: 0 },
    (r) =>
      classification("moons", r, (k, m, nk) => {
        const theta = nk === 1 ? 0 : (Math.PI * m) / (nk - 1);
        return k === 0 ? [Math.cos(theta), Math.sin(theta)] : [1 - Math.cos(theta), 0.5 - Math.sin(theta)];
      }),
  ),
  define(
    "plane",
    "Regression plane: x1, x2 ~ U(−1, 1), y = a·x1 + b·x2 + c + Gaussian noise (defaults a = 2, b = −1, c = 0.5).",
    { count: DEFAULT_COUNT, noise: 0.1, seed: 0, a: 2, b: -1, c: 0.5 },
    (r) => {
      const rng = new Rng(r.seed);
      const inputs = datasetArray(r.count * 2);
      const targets = datasetArray(r.count);
      for (let i = 0; i < r.count; i++) {
        const x1 = rng.uniform(-1, 1);
        const x2 = rng.uniform(-1, 1);
        inputs[2 * i] = x1;
        inputs[2 * i + 1] = x2;
        targets[i] = r.a * x1 + r.b * x2 + r.c + (r.noise > 0 ? rng.normal(0, r.noise) : 0);
      }
      return { name: "plane", count: r.count, inputSize: 2, targetSize: 1, inputs, targets, inputNames: ["x1", "x2"], targetNames: ["y"] };
    },
  ),
  define(
    "sine", "Sine regression: x ~ U(−π, π), y = sin x + Gaussian noise.",
    { count: DEFAULT_COUNT, noise: 0.1, seed: 0 },
    (r) => {
      const rng = new Rng(r.seed);
      const inputs = datasetArray(r.count);
      const targets = datasetArray(r.count);
      for (let i = 0; i < r.count; i++) {
        const x = rng.uniform(-Math.PI, Math.PI);
        inputs[i] = x;
        targets[i] = Math.sin(x) + (r.noise > 0 ? rng.normal(0, r.noise) : 0);
      }
      return { name: "sine", count: r.count, inputSize: 1, targetSize: 1, inputs, targets, inputNames: ["x"], targetNames: ["y"] };
    },
  ),
];

/** Generator specs by name: description and accepted options with their defaults. */
export const generatorSpecs: Readonly<Record<GeneratorName, GeneratorSpec>> = Object.fromEntries(
  specs.map((s) => [s.name, s]),
) as Record<GeneratorName, GeneratorSpec>;

/** The registry: name → generator function. */
export const generators: Readonly<Record<GeneratorName, Generator>> = Object.fromEntries(
  specs.map((s) => [s.name, (options?: GeneratorOptions, where?: string) => s.generate(options, where)]),
) as Record<GeneratorName, Generator>;

export const generatorNames = specs.map((s) => s.name);

/** Looks a generator up by name (as written in a config); an unknown name is a RangeError with a hint. */
export function generateDataset(name: string, options?: GeneratorOptions, where = "data"): Dataset {
  if (!Object.hasOwn(generators, name)) {
    const hint = didYouMean(name, generatorNames);
    throw new RangeError(
      `${where}.generator: unknown '${name}'` + (hint ? ` (did you mean '${hint}'?)` : ` (known: ${generatorNames.join(", ")})`),
    );
  }
  return generators[name as GeneratorName](options, where);
}
